"""Lockdowns (封控) of a compound or a building."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from firstline import clock, events
from firstline.accounts.actions import AuditAction
from firstline.accounts.services import audit, require_perm
from firstline.db import facts_changed, unique_or
from firstline.errors import InvalidInput, RuleViolation

from ..models import Isolation, Kind, Lockdown, Reason, Status
from .common import MAX_DAYS, _now, text_field
from .isolations import _days, _end_early, _expire_for, returnee_alerts_resolve

# --- lockdowns ------------------------------------------------------------------------------

@dataclass
class LockdownPlan:
    """What a lockdown of a place does, worked out before anything is written: the page's
    confirmation says it and lockdown_create does it, from this one definition.

    `residents`: the current residents who go under home isolation; `already`: {kind: n} of
    those who keep an isolation of their own (centralized, or home for another reason);
    `ends_on` is the first day free, `last_day` the last locked-down day."""

    compound: object
    building: object
    starts_on: date
    ends_on: date
    rule_version: str
    households: int
    residents: list = field(default_factory=list)
    already: dict = field(default_factory=dict)

    @property
    def last_day(self) -> date:
        return self.ends_on - timedelta(days=1)

    @property
    def already_isolated(self) -> int:
        return sum(self.already.values())

    @property
    def people(self) -> int:
        return len(self.residents)


def lockdown_plan(*, compound=None, building=None, starts_on: date, days: int | None = None,
                  now: datetime | None = None) -> LockdownPlan:
    """Who a lockdown of `building` (or the whole `compound`) from `starts_on` would put under
    home isolation, and until when; writes nothing. Every current resident of every
    household of the place, except those holding an isolation already (in force, or not
    started yet, and not at its end today): they keep theirs."""
    today = clock.localdate(_now(now))
    if (compound is None) == (building is None):
        raise InvalidInput("target_required", _("Give either building_id or compound_id."),
                           field="building_id")
    if building is not None:
        compound = building.compound
    if abs((starts_on - today).days) > MAX_DAYS:
        raise InvalidInput("bad_date", _("starts_on is too far from today."), field="starts_on")
    days, version = _days(days, starts_on)
    ends_on = starts_on + timedelta(days=days)
    if ends_on <= today:
        raise InvalidInput("already_over", _("This lockdown would already be over."),
                           field="starts_on")
    from firstline.people.models import Household, Resident

    households = Household.objects.filter(compound=compound)
    if building is not None:
        households = households.filter(building=building)
    residents = list(Resident.objects.filter(household__in=households).order_by("pk"))
    held = dict(Isolation.objects.holding(today).filter(resident__in=residents)
                .values_list("resident_id", "kind"))
    already: dict[str, int] = {}
    for kind in held.values():
        already[kind] = already.get(kind, 0) + 1
    return LockdownPlan(compound=compound, building=building, starts_on=starts_on,
                        ends_on=ends_on, rule_version=version, households=households.count(),
                        residents=[r for r in residents if r.pk not in held], already=already)


@transaction.atomic
def lockdown_create(*, compound=None, building=None, starts_on: date, days: int | None = None,
                    reason: str = "", actor, now: datetime | None = None) -> Lockdown:
    """封控 a building or a whole compound: every current resident of every household in it goes
    under home isolation until the lockdown ends; their passes deny "out" (reason lockdown).
    Who exactly: lockdown_plan, the same definition the page's confirmation shows.

    The returned lockdown carries `households`, `isolations_started` and `plan` (the plan it
    carried out: `already` counts those who kept an isolation of their own).
    """
    require_perm(actor, "isolation.manage")
    now = _now(now)
    today = clock.localdate(now)
    plan = lockdown_plan(compound=compound, building=building, starts_on=starts_on, days=days,
                         now=now)
    compound, building, ends_on, version = (plan.compound, plan.building, plan.ends_on,
                                            plan.rule_version)
    from firstline.people.models import Compound

    # Two lockdowns of one place asked at once (a double tap, two workers, other days): the
    # compound's row lock makes the second wait for the first and meet it in the overlap
    # check below; the constraints settle a writer that skips the lock.
    Compound.objects.select_for_update().filter(pk=compound.pk).first()
    same = Lockdown.objects.filter(compound=compound, lifted_at__isnull=True, ends_on__gt=today,
                                   starts_on__lt=ends_on)
    same = same.filter(building=building) if building else same.filter(building__isnull=True)
    locked_down = RuleViolation("already_locked_down", _("This place is already locked down."))
    if same.exists():
        raise locked_down
    reason = text_field(reason, field="reason", label=pgettext("isolation", "Reason"), limit=200)
    # The same lockdown sent twice at once: the database keeps one (model constraints).
    with unique_or(locked_down):
        lockdown = Lockdown.objects.create(compound=compound, building=building,
                                           starts_on=starts_on, ends_on=ends_on,
                                           reason=reason, created_by=actor, created_at=now)
    # The plan again, now that the place is locked: an isolation started meanwhile is kept.
    plan = lockdown_plan(building=building, compound=None if building else compound,
                         starts_on=starts_on, days=days, now=now)
    for r in plan.residents:
        _expire_for(r.pk, today)
    rows = [Isolation(resident=r, household_id=r.household_id, grid_id=r.grid_id, kind=Kind.HOME,
                      reason=Reason.LOCKDOWN, starts_on=starts_on, ends_on=ends_on,
                      lockdown=lockdown, rule_version=version, created_by=actor, created_at=now)
            for r in plan.residents]
    # Someone started an isolation of one of these residents meanwhile: one active a person.
    with unique_or(RuleViolation("retry", _("Someone started an isolation in this place at "
                                            "the same moment; try again."))):
        Isolation.objects.bulk_create(rows, batch_size=500)
        if rows:  # bulk_create sends no post_save: stored figures of closed days
            facts_changed.send(sender=Isolation, areas={r.grid_id for r in rows},
                               since=starts_on)
    # What starting each of them by hand does: the returnee alerts they answer are resolved.
    returnee_alerts_resolve(rows, actor=actor, now=now)
    lockdown.households = plan.households
    lockdown.isolations_started = len(rows)
    lockdown.already_isolated = plan.already_isolated
    lockdown.plan = plan
    events.announce("lockdown_started", area=compound.area)
    audit(actor=actor, action=AuditAction.LOCKDOWN_CREATE, obj=lockdown,
          detail=f"{starts_on}..{ends_on} households={lockdown.households} "
                 f"isolations={len(rows)} ({version})")
    return lockdown


@transaction.atomic
def lockdown_lift(*, lockdown: Lockdown, actor, reason: str = "",
                  now: datetime | None = None) -> Lockdown:
    """解封: the lockdown and the home isolations it started end now."""
    require_perm(actor, "isolation.manage")
    now = _now(now)
    lockdown = Lockdown.objects.select_for_update().get(pk=lockdown.pk)
    if lockdown.lifted_at is not None:
        raise RuleViolation("already_lifted", _("This lockdown is already lifted."))
    lockdown.lifted_at = now
    lockdown.save(update_fields=["lifted_at"])
    today = clock.localdate(now)
    text = (text_field(reason, field="reason", label=pgettext("isolation", "Reason"), limit=200)
            or _("lockdown lifted"))
    # An isolation extended on its own beyond the lockdown (a contact tested positive) goes on.
    for iso in lockdown.isolations.filter(status=Status.ACTIVE, ends_on__lte=lockdown.ends_on):
        _end_early(iso, today=today, now=now, reason=text, actor=actor)
    audit(actor=actor, action=AuditAction.LOCKDOWN_LIFT, obj=lockdown, detail=text)
    return lockdown
