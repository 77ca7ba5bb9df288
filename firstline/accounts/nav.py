"""Navigation and home panels, gathered from every app's `nav.py`.

An app's nav.py may define:
    NAV = [NavItem(label=_("Residents"), url_name="people:list", perm="people.view", order=20)]
    PANELS = [Panel(url_name="isolation:home_alerts", perm="alerts.handle", order=10)]
A panel is a URL the home page loads with htmx (hx-trigger="load") and links to as a fallback.
"""

from dataclasses import dataclass
from importlib import import_module

from django.urls import NoReverseMatch, reverse

from .scope import user_perms

APPS = ("areas", "accounts", "people", "access", "isolation", "assistance", "operations",
        "residents", "lists", "reports")


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: str
    order: int = 50
    icon: str = ""


@dataclass(frozen=True)
class Panel:
    url_name: str
    perm: str
    order: int = 50


def _collect(attr):
    items = []
    for app in APPS:
        try:
            module = import_module(f"firstline.{app}.nav")
        except ModuleNotFoundError:
            continue
        items.extend(getattr(module, attr, []))
    return sorted(items, key=lambda i: i.order)


def nav_items(user):
    perms = user_perms(user) | {"*"}
    out = []
    for item in _collect("NAV") + _own_nav():
        if item.perm in perms:
            try:
                out.append({"label": item.label, "url": reverse(item.url_name), "icon": item.icon})
            except NoReverseMatch:
                continue
    return out


def home_panels(user):
    perms = user_perms(user)
    out = []
    for panel in _collect("PANELS"):
        if panel.perm in perms:
            try:
                out.append(reverse(panel.url_name))
            except NoReverseMatch:
                continue
    return out


# The shell's own entries: every signed-in user has an account page.
def _own_nav():
    from django.utils.translation import gettext_lazy as _

    return [NavItem(label=_("Administration"), url_name="admin:index", perm="accounts.manage",
                    order=95),
            NavItem(label=_("My account"), url_name="accounts:me", perm="*", order=99)]
