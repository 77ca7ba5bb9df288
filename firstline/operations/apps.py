from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "firstline.operations"
    verbose_name = _("Operations")

    def ready(self):
        # Places to disinfect are made on the events that call for them (not on a read).
        from firstline import events

        from .services import places_follow

        for event in ("compounds_created", "isolation_started", "lockdown_started",
                      "room_vacated"):
            events.follow(event, places_follow)
