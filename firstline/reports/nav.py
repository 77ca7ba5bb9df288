from django.utils.translation import gettext_lazy as _

from firstline.accounts.nav import NavItem, Panel

NAV = [
    NavItem(label=_("Dashboard"), url_name="reports:dashboard", perm="reports.dashboard",
            order=5),
    NavItem(label=_("Sign-off (上报)"), url_name="reports:signoff", perm="reports.submit",
            order=6),
    NavItem(label=_("Reports and ledgers"), url_name="reports:exports", perm="reports.view",
            order=80),
]
PANELS = [Panel(url_name="reports:panel", perm="reports.dashboard", order=5)]
