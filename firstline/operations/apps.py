from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "firstline.operations"
    verbose_name = _("Operations")

    def ready(self):
        # Places to disinfect are made on the events that call for them (not on a read).
        from firstline import events
        from firstline.accounts.audit_texts import audit_namer

        from .selectors import store_labels
        from .services import places_follow

        # An audit detail keeps a store's code (a tip-off reward "stock=<code>"): the audit
        # page reads it as the store's name, the stores of all its rows named at once.
        audit_namer("store", store_labels)

        for event in ("compounds_created", "isolation_started", "lockdown_started",
                      "room_vacated"):
            events.follow(event, places_follow)
