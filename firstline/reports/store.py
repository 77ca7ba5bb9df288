"""Stored figures of closed days (DayFigures), and what invalidates them.

A closed day (before today) changes only when a fact dated on or before it is written late
(an offline gate syncing tomorrow, a reading back-dated) or corrected (an isolation cancelled,
a placement moved). Every such write deletes the stored rows of the areas and days it touches:

- ordinary saves and deletes of the facts the stored sources count, through Django's signals
  (`TRACKED` below: for an update, only the fields a figure depends on, old and new values);
- writes that bypass the ORM's save (the gate's INSERT, bulk_create, update()) send
  `firstline.db.facts_changed` themselves when what they write is dated before today;
- a rule with an effective date in the past (reading times, grace) invalidates every area.

Invalidation bumps FiguresEpoch before deleting; a computation stores its rows only if the
counter did not move while it ran (checked under the counter's row lock), so a correction
that lands mid-computation is never overwritten by figures computed before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from firstline import clock
from firstline.db import facts_changed

from .models import DayFigures, FiguresEpoch


def _local(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return clock.localdate(value) if timezone.is_aware(value) else value.date()
    return value


# --- reading and storing ------------------------------------------------------------------

def epoch() -> int:
    return FiguresEpoch.objects.filter(pk=1).values_list("n", flat=True).first() or 0


def stored(area_ids: Iterable[int], days: list[date]) -> dict[tuple[date, int], dict]:
    """{(day, area_id): own figures} of the stored rows among `area_ids` x `days`."""
    rows = DayFigures.objects.filter(day__in=days, area_id__in=list(area_ids))
    return {(d, a): f for d, a, f in rows.values_list("day", "area_id", "figures")}


def store(rows: dict[tuple[date, int], dict], *, seen_epoch: int) -> bool:
    """Store computed rows of closed days, unless an invalidation happened since `seen_epoch`
    was read (before the computation began). Returns whether they were stored."""
    today = clock.today()
    rows = {k: v for k, v in rows.items() if k[0] < today}
    if not rows:
        return False
    now = clock.now()
    with transaction.atomic():
        current = (FiguresEpoch.objects.select_for_update().filter(pk=1)
                   .values_list("n", flat=True).first()) or 0
        if current != seen_epoch:
            return False
        DayFigures.objects.bulk_create(
            [DayFigures(day=d, area_id=a, figures=f, computed_at=now)
             for (d, a), f in rows.items()], ignore_conflicts=True, batch_size=1000)
    return True


def invalidate(*, areas: Iterable[int] | None, since: date | None) -> int:
    """Delete the stored figures of `areas` (None: every area) from day `since` on (None: every
    day). Nothing to do for a day not closed yet. Returns the number of rows deleted."""
    if since is not None and since >= clock.today():
        return 0
    area_list = None if areas is None else sorted({a for a in areas if a is not None})
    if area_list is not None and not area_list:
        return 0
    with transaction.atomic():
        if not FiguresEpoch.objects.filter(pk=1).update(n=F("n") + 1):
            FiguresEpoch.objects.get_or_create(pk=1, defaults={"n": 1})
        rows = DayFigures.objects.all()
        if since is not None:
            rows = rows.filter(day__gte=since)
        if area_list is not None:
            rows = rows.filter(area_id__in=area_list)
        deleted, _ = rows.delete()
    return deleted


# --- what invalidates ---------------------------------------------------------------------

@dataclass(frozen=True)
class Tracked:
    """How a fact model touches the stored figures.

    identity: the values a figure depends on besides dates (area, kind, ...): when one
        changes, every day of the fact is touched (from `first_day`).
    dates: the dated fields (date or datetime); when one changes, the days from the earliest
        of its old and new values are touched.
    areas: the areas whose figures count the fact.
    first_day: the fact's first day (default: its earliest date).
    """

    identity: Callable[[object], tuple]
    dates: tuple[str, ...]
    areas: Callable[[object], Iterable[int]]
    first_day: Callable[[object], date | None] | None = None


def _earliest(instance, fields) -> date | None:
    values = [_local(getattr(instance, f, None)) for f in fields]
    values = [v for v in values if v is not None]
    return min(values) if values else None


def _resident_grids(resident_id) -> list[int]:
    from firstline.people.models import Placement

    return list(Placement.objects.filter(resident_id=resident_id)
                .values_list("grid_id", flat=True).distinct())


def _reading_first_day(reading) -> date | None:
    """A reading answers a due time of its own day or, within the grace, of the day before."""
    from firstline.isolation import schedule

    if reading.taken_at is None:
        return None
    day = _local(reading.taken_at)
    grace = max(schedule.grace_for(day), schedule.grace_for(day - timedelta(days=1)))
    return _local(reading.taken_at - grace)


def _isolation_grid(isolation_id) -> list[int]:
    from firstline.isolation.models import Isolation

    return list(Isolation.objects.filter(pk=isolation_id).values_list("grid_id", flat=True))


def tracked_models() -> dict:
    from firstline.access.models import Crossing
    from firstline.isolation.models import Alert, Isolation, Reading, Status
    from firstline.operations.models import Assignment, Place, Round, Task
    from firstline.people.models import KeyPerson, KeyPersonCategory, Placement, ScreeningVisit
    from firstline.rules.models import Rule

    return {
        Placement: Tracked(lambda p: (p.resident_id, p.household_id, p.grid_id),
                           ("since", "until"), lambda p: [p.grid_id]),
        Isolation: Tracked(lambda i: (i.resident_id, i.grid_id, i.kind,
                                      i.status == Status.CANCELLED,
                                      tuple(i.reading_times or ())),
                           ("starts_on", "ends_on", "ended_on", "ended_at", "created_at"),
                           lambda i: [i.grid_id]),
        Reading: Tracked(lambda r: (r.isolation_id,), ("taken_at",),
                         lambda r: _isolation_grid(r.isolation_id), _reading_first_day),
        Alert: Tracked(lambda a: (a.area_id, a.kind), ("opened_at",), lambda a: [a.area_id]),
        KeyPerson: Tracked(lambda k: (k.resident_id, k.category_id), ("since", "until"),
                           lambda k: _resident_grids(k.resident_id)),
        ScreeningVisit: Tracked(lambda v: (v.grid_id, v.household_id), ("visited_at",),
                                lambda v: [v.grid_id]),
        Crossing: Tracked(lambda c: (c.area_id, c.subject, c.direction, c.decision, c.reason),
                          ("day",), lambda c: [c.area_id]),
        Round: Tracked(lambda r: (r.area_id, r.place_id), ("done_at",), lambda r: [r.area_id]),
        Assignment: Tracked(lambda a: (a.area_id, a.volunteer_id),
                            ("checked_in_at", "checked_out_at"), lambda a: [a.area_id]),
        Task: Tracked(lambda t: (t.area_id,), ("due_at", "done_at"), lambda t: [t.area_id]),
        Place: Tracked(lambda p: (p.area_id, p.kind, p.active, p.key), ("created_at",),
                       lambda p: [p.area_id]),
        # Figures are keyed by a category's code; rules (reading times, grace) from a date.
        KeyPersonCategory: Tracked(lambda c: (c.code,), (), lambda c: [None],
                                   lambda c: None),
        Rule: Tracked(lambda r: (r.key, repr(r.value)), ("effective_from",),
                      lambda r: [None]),
    }


def _touched(spec: Tracked, old, new) -> tuple[bool, date | None]:
    """(touched, since) of a write turning `old` into `new` (either may be None): whether a
    stored figure may change, and from which day (None: every day)."""
    facts = [f for f in (old, new) if f is not None]

    def first(fact, fields):
        return spec.first_day(fact) if spec.first_day else _earliest(fact, fields)

    if old is None or new is None or spec.identity(old) != spec.identity(new):
        days = [first(f, spec.dates) for f in facts]
    else:
        changed = [f for f in spec.dates if getattr(old, f) != getattr(new, f)]
        if not changed:
            return False, None
        days = [first(f, changed) for f in facts]
    if any(d is None for d in days):
        return True, None
    return True, min(days)


def _changed(spec: Tracked, old, new) -> None:
    touched, since = _touched(spec, old, new)
    if not touched or (since is not None and since >= clock.today()):
        return  # today's figures are never stored: nothing to do (the common case)
    areas: set | None = set()
    for fact in (old, new):
        if fact is None:
            continue
        found = list(spec.areas(fact))
        if None in found:
            areas = None
            break
        areas.update(found)
    invalidate(areas=areas, since=since)


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        instance._figures_old = None
        return
    instance._figures_old = sender._default_manager.filter(pk=instance.pk).first()


def _post_save(sender, instance, created=False, raw=False, **kwargs):
    if raw:
        return
    spec = TRACKED.get(sender)
    old = None if created else getattr(instance, "_figures_old", None)
    if not created and old is None:
        return  # saved without our pre_save (e.g. a raw load): nothing to compare
    _changed(spec, old, instance)


def _post_delete(sender, instance, **kwargs):
    _changed(TRACKED[sender], instance, None)


def _facts_changed(sender, areas=None, since=None, **kwargs):
    invalidate(areas=areas, since=since)


TRACKED: dict = {}


def connect() -> None:
    TRACKED.update(tracked_models())
    for model in TRACKED:
        pre_save.connect(_pre_save, sender=model, dispatch_uid=f"reports.store.pre.{model}")
        post_save.connect(_post_save, sender=model, dispatch_uid=f"reports.store.post.{model}")
        post_delete.connect(_post_delete, sender=model,
                            dispatch_uid=f"reports.store.del.{model}")
    facts_changed.connect(_facts_changed, dispatch_uid="reports.store.facts_changed")
