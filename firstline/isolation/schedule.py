"""When readings are due, and which reading answers which due time.

One definition, used by the self-report page, the missed-report job and the daily report, so
the three always agree. All decisions in local time (settings.TIME_ZONE).

A day's due times come from the isolation's own `reading_times` or, when empty, the rule
"isolation.reading_times" in force that day. Due time i of a day is answered by a reading
taken in [window start, due + grace): the first window opens at local midnight, each later
window opens where the previous one closed (a grace never runs past the next due time), so windows never overlap and one reading answers
at most one due time. A due time counts only while the isolation is in force: not before the
isolation was created (nobody knew yet), not at or after it ended; on the start day the first
due time that counts opens at local midnight, so an early first report is not lost.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.utils import timezone

from firstline import clock
from firstline.rules import rule

from .models import Status


@dataclass(frozen=True)
class Slot:
    due_at: datetime        # aware
    opens_at: datetime      # readings from here...
    deadline: datetime      # ...until here (due + grace) answer this slot

    def key(self, isolation_id: int) -> str:
        return f"missed:{isolation_id}:{clock.localtime(self.due_at):%Y%m%dT%H%M}"


def parse_times(values) -> list[time]:
    """["09:00", "15:00"] -> sorted times; raises ValueError on a bad value."""
    out = []
    for value in values:
        hh, mm = str(value).split(":")
        out.append(time(int(hh), int(mm)))
    if not out or len(set(out)) != len(out):
        raise ValueError("reading times must be distinct HH:MM values")
    return sorted(out)


def local_dt(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), clock.zone())


def day_bounds(day: date) -> tuple[datetime, datetime]:
    return local_dt(day, time(0)), local_dt(day + timedelta(days=1), time(0))


def end_day(isolation) -> date:
    """First local day the isolation no longer holds (ended early, or the planned end)."""
    return isolation.ended_on or isolation.ends_on


def rule_times(day: date) -> list[time]:
    return parse_times(rule("isolation.reading_times", on=day).value)


def times_for(isolation, day: date, *, default: list[time] | None = None) -> list[time]:
    """The isolation's own times, else `default` (the rule's times that day, looked up once
    by callers that loop over many isolations)."""
    if isolation.reading_times:
        return parse_times(isolation.reading_times)
    return default if default is not None else rule_times(day)


def grace_for(day: date) -> timedelta:
    return timedelta(minutes=int(rule("isolation.missed_grace_minutes", on=day).value))


def slots(isolation, day: date, *, grace: timedelta | None = None,
          default_times: list[time] | None = None, tz_name: str | None = None) -> list[Slot]:
    """The due times of `isolation` on local `day` (empty when it is not in force that day).

    `grace` and `default_times` (the rule values of that day) may be passed by callers that
    loop over many isolations, to read the rules once."""
    if isolation.status == Status.CANCELLED:
        return []
    if not (isolation.starts_on <= day < end_day(isolation)):
        return []
    grace = grace_for(day) if grace is None else grace
    times = times_for(isolation, day, default=default_times)
    windows = _windows(day, tuple(times), grace, tz_name or clock.zone().key)
    kept = [slot for slot in windows
            if slot.due_at >= isolation.created_at
            and (isolation.ended_at is None or slot.due_at < isolation.ended_at)]
    if kept and windows and kept[0] is not windows[0]:
        # The start day: a due time before the isolation was created is not due, but a
        # reading sent in its window (the resident reports as soon as they get the link)
        # answers the first due time that counts.
        kept[0] = Slot(kept[0].due_at, windows[0].opens_at, kept[0].deadline)
    return kept


@lru_cache(maxsize=4096)
def _windows(day: date, times: tuple[time, ...], grace: timedelta, tz_name: str) -> tuple:
    # Every isolation of a day shares these; computed once (the job loops over thousands).
    dues = [local_dt(day, at) for at in times]
    out, opens = [], day_bounds(day)[0]
    for i, due in enumerate(dues):
        # The grace never runs past the next due time: each window holds its own due time.
        deadline = min(due + grace, dues[i + 1]) if i + 1 < len(dues) else due + grace
        out.append(Slot(due, opens, deadline))
        opens = deadline
    return tuple(out)


def answered(slot: Slot, taken: list[datetime]) -> bool:
    return any(slot.opens_at <= t < slot.deadline for t in taken)
