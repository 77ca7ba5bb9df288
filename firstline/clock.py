"""The one clock: the only place in Firstline that reads the time.

    from firstline import clock
    clock.now()            # aware datetime (UTC)
    clock.today()          # the local date (FIRSTLINE_TIME_ZONE)
    clock.localdate(dt)    # the local date of a moment
    clock.localtime(dt)    # a moment in local time
    clock.parse_moment(s)  # "2026-03-01T16:05" typed by a person: local unless it has an offset
    clock.device_time(t)   # a device's moment, corrected when it runs ahead (CONTRACT "Time")

Stored moments are UTC; days, windows and deadlines are decided in local time. Tests pin it
with time-machine (`pytest --clock 2026-03-01T00:05+08:00`, or `time_machine.travel`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

# A device's clock is evidence, not the judge: a moment more than this after the server's time
# is replaced by the server's time (CONTRACT.md "Time").
DEVICE_AHEAD_TOLERANCE = timedelta(minutes=5)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> ZoneInfo:
    """The local time zone (FIRSTLINE_TIME_ZONE), whatever the shell's TZ says."""
    return _zone(settings.TIME_ZONE)


def now() -> datetime:
    """The current moment, aware, in UTC."""
    return timezone.now()


def localtime(dt: datetime | None = None) -> datetime:
    """`dt` (now when omitted) in local time."""
    return (dt or now()).astimezone(zone())


def localdate(dt: datetime | None = None) -> date:
    """The local date of `dt` (now when omitted)."""
    return localtime(dt).date()


def today() -> date:
    """Today's local date."""
    return localdate(now())


def at(day: date, hhmm: time | str) -> datetime:
    """The aware moment of local `day` at `hhmm` ("09:00" or a time)."""
    if isinstance(hhmm, str):
        hhmm = time.fromisoformat(hhmm)
    return datetime.combine(day, hhmm, tzinfo=zone())


def parse_moment(text: str) -> datetime:
    """An ISO 8601 moment typed by a person ("2026-03-01T16:05", a form's datetime-local, a
    command's --now), as an aware moment: local time when it names no offset. ValueError when
    it is not one."""
    moment = datetime.fromisoformat(str(text).strip())
    return moment.replace(tzinfo=zone()) if timezone.is_naive(moment) else moment


def moment_argument(text: str) -> datetime:
    """parse_moment as an argparse type, for the scheduled commands' `--now`."""
    from argparse import ArgumentTypeError

    try:
        return parse_moment(text)
    except ValueError:
        raise ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None


def day_start(day: date) -> datetime:
    """Local midnight starting `day`, as an aware moment."""
    return at(day, time(0, 0))


@dataclass(frozen=True)
class DeviceTime:
    """A moment sent by a device, as judged: `at` is what is stored and decided on;
    `sent` is what the device said; `corrected` is true when the device ran ahead."""

    at: datetime
    sent: datetime | None
    corrected: bool


def device_time(sent: datetime | None, *, now: datetime | None = None) -> DeviceTime:
    """Judge a device's moment: earlier than the server is kept (offline sync, judged as of
    then); more than DEVICE_AHEAD_TOLERANCE later is replaced by the server's time; missing is
    the server's time. A naive moment is read as local time."""
    server = now or globals()["now"]()
    if sent is None:
        return DeviceTime(server, None, False)
    if timezone.is_naive(sent):
        sent = sent.replace(tzinfo=zone())
    if sent - server > DEVICE_AHEAD_TOLERANCE:
        return DeviceTime(server, sent, True)
    # A few minutes ahead is ordinary drift: filed at the server's time, not flagged.
    return DeviceTime(min(sent, server), sent, False)


def was_corrected(device_at: datetime | None, judged_at: datetime) -> bool:
    """Whether a record's stored moment replaced its device's (the device ran ahead)."""
    return device_at is not None and device_at - judged_at > DEVICE_AHEAD_TOLERANCE


def monotonic() -> float:
    """Seconds on a clock that never goes back: for durations and deadlines inside one run,
    never for a moment that is stored or shown."""
    import time as _time

    return _time.monotonic()
