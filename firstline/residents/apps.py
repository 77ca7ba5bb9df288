from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "firstline.residents"
    verbose_name = _("Residents' side")

    def ready(self):
        # Owed tip-off rewards are issued when stock arrives in the community's store.
        from firstline.operations.services import STOCK_ARRIVED

        from .services import rewards_settle

        if rewards_settle not in STOCK_ARRIVED:
            STOCK_ARRIVED.append(rewards_settle)

        # A tipster's contact read (with the reason) is on the auditors' page of the tip's area.
        from firstline.people.selectors import audit_object_scope, text_ids

        from .selectors import tips_visible_to

        audit_object_scope("residents.tip", lambda user, perm: text_ids(tips_visible_to(user, perm)))
