from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportJobsConfig(AppConfig):
    name = "firstline.exportjobs"
    label = "exportjobs"
    verbose_name = _("Exports")
