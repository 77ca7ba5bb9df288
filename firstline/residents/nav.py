from django.utils.translation import gettext_lazy as _

from firstline.accounts.nav import NavItem, Panel

NAV = [
    NavItem(label=_("Return declarations"), url_name="residents:declarations",
            perm="people.screen", order=16),
    NavItem(label=_("Tip-offs"), url_name="residents:tips", perm="people.screen", order=17),
    NavItem(label=_("Notices"), url_name="residents:notices", perm="people.view", order=28),
]

PANELS = [Panel(url_name="residents:panel", perm="people.screen", order=18)]
