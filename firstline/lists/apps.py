from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    name = "firstline.lists"
    verbose_name = _("Lists and cases (核查)")
