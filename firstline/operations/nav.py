from django.utils.translation import gettext_lazy as _

from firstline.accounts.nav import NavItem, Panel

NAV = [
    NavItem(label=_("People on duty"), url_name="operations:volunteers",
            perm="operations.work", order=50),
    NavItem(label=_("Disinfection"), url_name="operations:board", perm="operations.work",
            order=51),
    NavItem(label=_("Supplies"), url_name="operations:stock", perm="operations.work", order=52),
    NavItem(label=_("HQ tasks"), url_name="operations:tasks", perm="operations.manage",
            order=53),
    NavItem(label=_("My duties"), url_name="operations:mine", perm="operations.own", order=54),
]

PANELS = [Panel(url_name="operations:panel", perm="operations.manage", order=30)]
