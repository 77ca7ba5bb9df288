from django.utils.translation import gettext_lazy as _

from firstline.accounts.nav import NavItem, Panel

NAV = [
    NavItem(label=_("Gate"), url_name="access:gate", perm="access.scan", order=30),
    NavItem(label=_("Closed management"), url_name="access:index", perm="access.manage",
            order=31),
    NavItem(label=_("Visitors & vehicles"), url_name="access:visitors", perm="access.visitors",
            order=32),
    NavItem(label=_("Gate duty roster"), url_name="access:duty", perm="access.duty", order=33),
    NavItem(label=_("Offline decisions to check"), url_name="access:offline", perm="access.duty",
            order=34),
]
PANELS = [Panel(url_name="access:today", perm="access.scan", order=20)]
