from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "firstline.reports"
    verbose_name = _("Reports")

    def ready(self):
        from . import export_jobs, store

        store.connect()
        export_jobs.register()  # the ledgers, run as export jobs
