from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firstline.accounts.nav import NavItem, Panel

NAV = [
    NavItem(label=_("Care calls"), url_name="assistance:calls", perm="assistance.work", order=40),
    # A volunteer's own login holds assistance.own only: My tasks is all it sees here.
    NavItem(label=_("My tasks"), url_name="assistance:tasks", perm="assistance.own", order=41),
    # Grid workers too: they open requests and take new ones (我来办) on the board.
    NavItem(label=_("Help requests"), url_name="assistance:board",
            perm="assistance.work", order=42),
    # A volunteer's login: the new errands of its area, to take one (我来办).
    NavItem(label=pgettext_lazy("assistance", "Errands to take"), url_name="assistance:board",
            perm="assistance.take", order=42),
    NavItem(label=_("Care packages"), url_name="assistance:stock", perm="assistance.work",
            order=43),
]

PANELS = [Panel(url_name="assistance:calls_panel", perm="assistance.work", order=20)]
