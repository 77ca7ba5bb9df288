from django.utils.translation import gettext_lazy as _

from firstline.accounts.nav import NavItem, Panel

NAV = [
    NavItem(label=_("Isolation"), url_name="isolation:index", perm="isolation.view", order=30),
    NavItem(label=_("Alerts"), url_name="isolation:alerts", perm="isolation.view", order=31),
    NavItem(label=_("Lockdowns"), url_name="isolation:lockdowns", perm="isolation.view",
            order=32),
    NavItem(label=_("Quarantine sites"), url_name="isolation:sites", perm="isolation.view",
            order=33),
]
PANELS = [Panel(url_name="isolation:alerts_panel", perm="isolation.view", order=10)]
