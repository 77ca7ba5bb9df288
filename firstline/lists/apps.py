from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListsConfig(AppConfig):
    name = "firstline.lists"
    verbose_name = _("Lists and cases (核查)")

    def ready(self):
        # A list's export (full ID numbers, with the reason) is on the auditors' page of the
        # areas the list covers.
        from firstline.people.selectors import audit_object_scope, text_ids

        from .selectors import checklists_visible_to

        audit_object_scope("lists.checklist",
                           lambda user, perm: text_ids(checklists_visible_to(user, perm)))
