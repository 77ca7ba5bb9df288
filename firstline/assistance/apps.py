from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "firstline.assistance"
    verbose_name = _("Services for the isolated")

    def ready(self):
        # A volunteer may ring the household of an open errand of theirs: people's one
        # reveal (pii_read) asks this app, which it cannot import, whether the errand allows.
        from firstline.people.services import phone_grants_subscribe

        from .selectors import errand_phone_granted

        phone_grants_subscribe("errand", errand_phone_granted)
