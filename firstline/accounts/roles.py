"""Roles and what each may do. One table; views and services ask `has_perm(user, perm)`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GRID_WORKER = "grid_worker", _("grid worker")
    GATE_DUTY = "gate_duty", _("gate duty")
    COMMUNITY_STAFF = "community_staff", _("community staff")
    STREET_STAFF = "street_staff", _("street / HQ staff")
    AUDITOR = "auditor", _("auditor")
    ADMIN = "admin", _("administrator")
    VOLUNTEER = "volunteer", _("volunteer")


_FIELD = {
    "people.view", "people.screen", "people.view_full",
    "isolation.view", "isolation.record", "alerts.handle",
    "assistance.work", "access.scan", "operations.work",
    "lists.verify",  # answer verification items (核查) of one's grid
    "assistance.own",  # the errands (代购/代办) assigned to oneself: "My tasks"
}
_GATE = {"access.scan", "access.visitors", "access.duty"}
_STAFF = _FIELD | _GATE | {
    "people.import", "people.export", "people.assign", "people.manage",
    "access.manage", "isolation.manage", "assistance.manage", "operations.manage",
    "reports.view",
    "lists.manage",  # import lists from above, route unmatched rows, cases, export answers
    "reports.submit",  # sign off the daily report of one's area (一日一报 上报)
}
# people.risk_areas: keep the list of risk areas (中高风险地区) the screening visits match.
# operations.dispatch: send HQ tasks (任务下达) to the areas below.
_STREET = _STAFF | {"reports.dashboard", "areas.view", "people.export_full", "people.risk_areas",
                    "operations.dispatch"}

ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.GRID_WORKER: frozenset(_FIELD),
    Role.GATE_DUTY: frozenset(_GATE),
    Role.COMMUNITY_STAFF: frozenset(_STAFF | {"reports.dashboard"}),
    Role.STREET_STAFF: frozenset(_STREET),
    Role.AUDITOR: frozenset({"audit.view", "people.view", "reports.view", "areas.view"}),
    Role.ADMIN: frozenset(_STREET | {"audit.view", "accounts.manage", "areas.manage"}),
    # A registered volunteer's own login: their own assignments (operations.own), the
    # errands assigned to them (assistance.own: what to buy, where, a masked phone) and the
    # new errands of their area waiting for someone (assistance.take: what is needed and the
    # compound and building, no room, no phone), which they may take themself (我来办);
    # nothing else — no residents, no call list, no other household's requests.
    Role.VOLUNTEER: frozenset({"operations.own", "assistance.own", "assistance.take"}),
}
ALL_PERMS = frozenset().union(*ROLE_PERMS.values())
