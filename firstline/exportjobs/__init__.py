"""Exports that run as tasks (issue 12): the page that asks for a big export creates an
ExportJob and shows its progress; a worker builds the file; the person who asked downloads it
until it expires. A core-level app: each domain app registers its export kinds here
(registry.register, from its AppConfig.ready), so this package never imports an app."""
