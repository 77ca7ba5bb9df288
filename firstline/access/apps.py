from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "firstline.access"
    verbose_name = _("Closed management")
