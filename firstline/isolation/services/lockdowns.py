"""Lockdowns (封控) of a compound or a building."""

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
from .isolations import _days, _end_early, _expire_for

# --- lockdowns ------------------------------------------------------------------------------

@transaction.atomic
def lockdown_create(*, compound=None, building=None, starts_on: date, days: int | None = None,
                    reason: str = "", actor, now: datetime | None = None) -> Lockdown:
    """封控 a building or a whole compound: every current resident of every household in it goes
    under home isolation until the lockdown ends; their passes deny "out" (reason lockdown).

    The returned lockdown carries `households` and `isolations_started` counts.
    """
    require_perm(actor, "isolation.manage")
    now = _now(now)
    today = clock.localdate(now)
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
    from firstline.people.models import Compound, Household, Resident

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

    households = Household.objects.filter(compound=compound)
    if building is not None:
        households = households.filter(building=building)
    residents = list(Resident.objects.filter(household__in=households))
    for r in residents:
        _expire_for(r.pk, today)
    busy = set(Isolation.objects.filter(resident__in=residents, status=Status.ACTIVE)
               .values_list("resident_id", flat=True))
    rows = [Isolation(resident=r, household_id=r.household_id, grid_id=r.grid_id, kind=Kind.HOME,
                      reason=Reason.LOCKDOWN, starts_on=starts_on, ends_on=ends_on,
                      lockdown=lockdown, rule_version=version, created_by=actor, created_at=now)
            for r in residents if r.pk not in busy]
    # Someone started an isolation of one of these residents meanwhile: one active a person.
    with unique_or(RuleViolation("retry", _("Someone started an isolation in this place at "
                                            "the same moment; try again."))):
        Isolation.objects.bulk_create(rows, batch_size=500)
        if rows:  # bulk_create sends no post_save: stored figures of closed days
            facts_changed.send(sender=Isolation, areas={r.grid_id for r in rows},
                               since=starts_on)
    lockdown.households = households.count()
    lockdown.isolations_started = len(rows)
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
        _end_early(iso, today=today, now=now, reason=text)
    audit(actor=actor, action=AuditAction.LOCKDOWN_LIFT, obj=lockdown, detail=text)
    return lockdown
