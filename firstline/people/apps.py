from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "firstline.people"
    verbose_name = _("Residents")

    def ready(self):
        from . import exports

        exports.register()  # the roster and key-person exports, run as export jobs
