"""Duty (值班) at the checkpoints: shifts, check-in and out, gaps."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.services import audit, require_perm
from firstline.apitypes import EARLIEST, LATEST, day_in_range
from firstline.errors import InvalidInput, RuleViolation
from firstline.rules import DEFAULTS, rule
from firstline.texts import N_, message

from ..models import Checkpoint, Shift

# --- duty 值班 -------------------------------------------------------------------------------

@transaction.atomic
def shifts_plan(*, checkpoint: Checkpoint, day: date, shifts: int, actor,
                first_starts: time = time(8, 0), names: list[str] | None = None) -> list[Shift]:
    """Cover local `day` (from `first_starts`, 24 h) with `shifts` equal shifts (3: 8 h each).
    Shifts already planned that overlap are kept; only uncovered slots are added."""
    require_perm(actor, "access.manage")
    if shifts < 1 or shifts > 24 or 24 % shifts:
        raise InvalidInput("bad_shifts", _("The number of shifts must divide 24 hours."),
                           field="shifts")
    if not day_in_range(day):
        raise InvalidInput("bad_day", _("Day: %(day)s is not a date from %(first)d to %(last)d.")
                           % {"day": day.isoformat(), "first": EARLIEST.year,
                              "last": LATEST.year}, field="day")
    tz = clock.zone()
    start = datetime.combine(day, first_starts, tzinfo=tz)
    length = timedelta(hours=24 // shifts)
    made = []
    for i in range(shifts):
        s, e = start + i * length, start + (i + 1) * length
        if Shift.objects.filter(checkpoint=checkpoint, starts_at__lt=e, ends_at__gt=s).exists():
            continue
        name = (names[i] if names and i < len(names) else "")[:50]
        made.append(Shift.objects.create(checkpoint=checkpoint, starts_at=s, ends_at=e, name=name))
    if made:
        audit(actor=actor, action=AuditAction.ACCESS_SHIFTS_PLAN, obj=checkpoint,
              detail=f"{day} {shifts}")
    return made


@transaction.atomic
def shift_create(*, checkpoint: Checkpoint, starts_at: datetime, ends_at: datetime, actor,
                 user=None, name: str = "") -> Shift:
    require_perm(actor, "access.manage")
    if ends_at <= starts_at:
        raise InvalidInput("bad_times", _("A shift must end after it starts."), field="ends_at")
    shift = Shift.objects.create(checkpoint=checkpoint, starts_at=starts_at, ends_at=ends_at,
                                 user=user, name=(name or "")[:50])
    audit(actor=actor, action=AuditAction.ACCESS_SHIFT_CREATE, obj=shift)
    return shift


def _locked(shift: Shift) -> Shift:
    """`shift` as it stands now, locked to the end of the transaction: two taps at once (two
    people, or one person twice) are judged one after the other, the second seeing the first's
    check-in, not the copy its request read before it."""
    return Shift.objects.select_for_update().get(pk=shift.pk)


@transaction.atomic
def shift_check_in(*, shift: Shift, actor, now: datetime | None = None,
                   covering: bool = False) -> Shift:
    """The person on duty checks in (taking an unassigned shift).

    A shift planned for someone by name only (no login on it: a typed name, a volunteer put on
    it by operations) is theirs: another person checks in on it only as covering for them
    (`covering`, said before the tap), recorded in `covering_for` so the roster shows who
    actually stood there. No check-in earlier than rule gate.duty_check_in_early_minutes
    before the start."""
    require_perm(actor, "access.duty")
    now = now or clock.now()
    shift = _locked(shift)
    if shift.user_id and shift.user_id != actor.pk and not _is_manager(actor):
        raise RuleViolation("not_your_shift", _("This shift is someone else's."))
    if shift.checked_in_at is None and now >= shift.ends_at:
        # A tap on a shift that is over would make it the tapper's, "checked in" after it ended.
        raise RuleViolation("shift_over",
                            _("This shift ended at %(end)s: it can no longer be checked in.")
                            % {"end": f"{clock.localtime(shift.ends_at):%m-%d %H:%M}"})
    opens = check_in_opens(shift)
    if shift.checked_in_at is None and now < opens:
        raise RuleViolation("shift_not_started",
                            _("This shift starts at %(start)s: check in from %(opens)s.")
                            % {"start": f"{clock.localtime(shift.starts_at):%m-%d %H:%M}",
                               "opens": f"{clock.localtime(opens):%m-%d %H:%M}"})
    planned_for = planned_for_someone_else(shift, actor)
    if shift.checked_in_at is None and planned_for and not covering:
        raise RuleViolation("covering_required",
                            _("This shift is planned for %(name)s: check in only as covering "
                              "for them.") % {"name": planned_for})
    if shift.checked_in_at is None:
        shift.checked_in_at = now
        if shift.user_id is None:
            shift.user = actor
            shift.name = shift.name or str(actor)[:50]
            shift.covering_for = planned_for
        shift.save(update_fields=["checked_in_at", "user", "name", "covering_for"])
        audit(actor=actor, action=AuditAction.ACCESS_SHIFT_CHECK_IN, obj=shift,
              detail=message(N_("Covering for %(name)s"), name=planned_for) if planned_for
              else "")
    return shift


def _early_minutes(day: date) -> int:
    """Rule gate.duty_check_in_early_minutes on `day`; a Rule row typed as text: the default."""
    value = rule("gate.duty_check_in_early_minutes", on=day).value
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return DEFAULTS["gate.duty_check_in_early_minutes"][0]


def check_in_opens(shift: Shift, *, early: dict | None = None) -> datetime:
    """The earliest check-in on `shift`: rule gate.duty_check_in_early_minutes before it starts
    (read on the local day it starts, so a shift from 00:00 opens the evening before).
    `early`, {day: minutes}, keeps a page's many shifts to one rule query per day."""
    day = clock.localdate(shift.starts_at)
    early = {} if early is None else early
    if day not in early:
        early[day] = _early_minutes(day)
    return shift.starts_at - timedelta(minutes=early[day])


def planned_for_someone_else(shift: Shift, actor) -> str:
    """The name `shift` is planned for when it is not `actor`'s: a name with no login on the
    shift that is neither the actor's display name nor username. Empty otherwise."""
    name = (shift.name or "").strip()
    if shift.user_id or not name:
        return ""
    mine = {str(actor).strip().casefold(), (actor.username or "").strip().casefold()}
    return "" if name.casefold() in mine else name


@transaction.atomic
def shift_check_out(*, shift: Shift, actor, now: datetime | None = None) -> Shift:
    require_perm(actor, "access.duty")
    now = now or clock.now()
    shift = _locked(shift)
    if shift.checked_in_at is None:
        raise RuleViolation("not_checked_in", _("Check in first."))
    if shift.user_id and shift.user_id != actor.pk and not _is_manager(actor):
        raise RuleViolation("not_your_shift", _("This shift is someone else's."))
    if shift.checked_out_at is None:
        shift.checked_out_at = now
        shift.save(update_fields=["checked_out_at"])
        audit(actor=actor, action=AuditAction.ACCESS_SHIFT_CHECK_OUT, obj=shift)
    return shift


@transaction.atomic
def shift_name_set(*, shift: Shift, name: str, actor) -> Shift:
    """Name who stands a shift (operations puts a registered person on it; the typed names of
    older shifts stay as they were)."""
    require_perm(actor, "access.manage")
    shift.name = (name or "")[:50]
    Shift.objects.filter(pk=shift.pk).update(name=shift.name)
    audit(actor=actor, action=AuditAction.ACCESS_SHIFT_NAME, obj=shift)
    return shift


@transaction.atomic
def shift_attendance_record(*, shift: Shift, actor, checked_in_at: datetime | None = None,
                            checked_out_at: datetime | None = None) -> Shift:
    """The person on a shift checked in or out somewhere else (operations: a registered
    volunteer's gate assignment). The first check-in and the first check-out stand."""
    if checked_in_at is not None:
        Shift.objects.filter(pk=shift.pk, checked_in_at__isnull=True).update(
            checked_in_at=checked_in_at)
    if checked_out_at is not None:
        Shift.objects.filter(pk=shift.pk, checked_out_at__isnull=True).update(
            checked_out_at=checked_out_at)
    shift.refresh_from_db()
    audit(actor=actor, action=AuditAction.ACCESS_SHIFT_ATTENDANCE, obj=shift)
    return shift


def _is_manager(user) -> bool:
    from firstline.accounts.scope import has_perm

    return has_perm(user, "access.manage")


def duty_gaps(shifts: list[Shift], start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Stretches of [start, end) no shift covers (a gate without anyone on duty)."""
    gaps, cursor = [], start
    for s in sorted(shifts, key=lambda s: s.starts_at):
        if s.starts_at > cursor:
            gaps.append((cursor, min(s.starts_at, end)))
        cursor = max(cursor, s.ends_at)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    return [(a, b) for a, b in gaps if b > a]
