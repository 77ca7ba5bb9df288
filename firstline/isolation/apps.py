from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IsolationConfig(AppConfig):
    name = "firstline.isolation"
    verbose_name = _("Isolation")

    def ready(self):
        # What a screening visit finds opens alerts (people cannot import isolation).
        from firstline.people.services import (
            resident_panels_subscribe,
            visit_alerts_subscribe,
            visit_findings_subscribe,
        )

        from .selectors import visit_alerts_read
        from .services import door_findings_open
        from .views import resident_panel

        visit_findings_subscribe(door_findings_open)
        visit_alerts_subscribe(visit_alerts_read)
        resident_panels_subscribe(resident_panel)
