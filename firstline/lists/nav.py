from django.utils.translation import gettext_lazy as _

from firstline.accounts.nav import NavItem, Panel

NAV = [
    NavItem(label=_("Verify (核查)"), url_name="lists:items", perm="lists.verify", order=44),
    NavItem(label=_("Lists from above"), url_name="lists:home", perm="lists.manage", order=45),
    NavItem(label=_("Cases and contacts"), url_name="lists:cases", perm="lists.manage",
            order=46),
]

PANELS = [Panel(url_name="lists:panel", perm="lists.verify", order=25)]
