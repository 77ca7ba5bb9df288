"""Read side of isolation: the gate's restriction check, scoped lists, daily-report facts."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from firstline import clock
from firstline.accounts.scope import area_scope
from firstline.people.services import building_name_normalize

from . import schedule
from .models import (
    Alert,
    AlertKind,
    AlertStatus,
    Isolation,
    Kind,
    Lockdown,
    QuarantineSite,
    Reading,
    Room,
    RoomStay,
    Status,
    Transfer,
)


def _active_at(at: datetime, prefix: str = "") -> Q:
    day = clock.localdate(at)
    return (Q(**{f"{prefix}starts_on__lte": day, f"{prefix}ends_on__gt": day})
            & (Q(**{f"{prefix}ended_at__isnull": True}) | Q(**{f"{prefix}ended_at__gt": at}))
            & ~Q(**{f"{prefix}status": Status.CANCELLED}))


def lockdowns_at(household, at: datetime) -> QuerySet[Lockdown]:
    """Lockdowns covering `household` (its building, or its whole compound) at instant `at`."""
    day = clock.localdate(at)
    where = Q(compound_id=household.compound_id, building__isnull=True)
    if household.building_id:
        where |= Q(building_id=household.building_id)
    return (Lockdown.objects.filter(where, starts_on__lte=day, ends_on__gt=day)
            .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=at)))


def household_restriction(household, at: datetime) -> str | None:
    """Why this household may not go out at `at`: "lockdown", "isolation", "fever" or None.

    Judged as of `at` (an offline gate syncing later gets the answer of the moment of the scan).
    "lockdown": its building or compound is locked down (封控); "isolation": one of its members
    is under home isolation (居家隔离). Centralized quarantine does not restrict the household.
    "fever": with the FIRSTLINE_GATE_FEVER_HOLD setting on, a fever at the gate is still
    unresolved (gate_fever_open_at); off by default, as the contract has it.
    """
    if lockdowns_at(household, at).exists():
        return "lockdown"
    if Isolation.objects.filter(_active_at(at), household=household, kind=Kind.HOME).exists():
        return "isolation"
    if settings.GATE_FEVER_HOLD and gate_fever_open_at(household, at):
        return "fever"
    return None


def gate_fever_open_at(household, at: datetime) -> bool:
    """Was a fever-at-the-gate alert of this household open at `at`? Until a worker has
    re-measured and resolved it, the household does not go out again (scanning once more
    without a temperature, or with a lower one, is not a way round the refusal)."""
    return Alert.objects.filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gt=at),
        household=household, kind=AlertKind.GATE_FEVER, opened_at__lte=at).exists()


# --- scoped reads --------------------------------------------------------------------------

def isolations_visible_to(user) -> QuerySet[Isolation]:
    return (Isolation.objects.filter(area_scope(user, "grid"))
            .select_related("resident", "household__compound", "grid", "site"))


def isolation_get_for_user(user, isolation_id) -> Isolation:
    return get_object_or_404(isolations_visible_to(user), pk=isolation_id)


def isolation_list(user, *, area=None, status: str | None = None, kind: str | None = None,
                   q: str = "") -> QuerySet[Isolation]:
    qs = isolations_visible_to(user)
    if area is not None:
        qs = qs.filter(grid__path__startswith=area.path)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(resident__name__icontains=q) | Q(household__compound__name__icontains=q))
    return qs.order_by("-starts_on", "-id")


def alerts_visible_to(user) -> QuerySet[Alert]:
    return (Alert.objects.filter(area_scope(user, "area"))
            .select_related("resident", "household__compound", "area", "owner", "isolation"))


def alert_get_for_user(user, alert_id) -> Alert:
    return get_object_or_404(alerts_visible_to(user), pk=alert_id)


def alert_list(user, *, area=None, status: str | None = None,
               kind: str | None = None) -> QuerySet[Alert]:
    qs = alerts_visible_to(user)
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    if status == "unresolved":
        qs = qs.exclude(status=AlertStatus.RESOLVED)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-opened_at", "-id")


def lockdowns_visible_to(user) -> QuerySet[Lockdown]:
    return (Lockdown.objects.filter(area_scope(user, "compound__area"))
            .select_related("compound", "building"))


def lockdown_get_for_user(user, lockdown_id) -> Lockdown:
    return get_object_or_404(lockdowns_visible_to(user), pk=lockdown_id)


def lockdowns_in_force(qs: QuerySet[Lockdown], at: datetime | None = None) -> QuerySet[Lockdown]:
    at = at or clock.now()
    day = clock.localdate(at)
    return qs.filter(starts_on__lte=day, ends_on__gt=day, lifted_at__isnull=True)


def _building_key(name: str) -> str:
    """"1栋", "1幢", "1号楼" and "1" name one building: the roster's own normaliser."""
    return building_name_normalize((name or "").strip())


def building_choices(compound) -> list[tuple[str, str]]:
    """The buildings of a compound, as (name, name) for the lockdown form."""
    from firstline.people.models import Building

    names = Building.objects.filter(compound=compound).values_list("name", flat=True)
    return [(n, _building_label(n)) for n in sorted(names, key=lambda n: (len(n), n))]


def _building_label(name: str) -> str:
    """"1" reads 1栋 (building 1), as addresses are shown; a name such as "A座" stays."""
    from django.utils.translation import gettext

    if name.isascii() and name.isalnum():
        return gettext("building %(name)s") % {"name": name}
    return name


def building_find(compound, name: str):
    """The building of `compound` called `name` ("1栋" finds "1"), or None."""
    from firstline.people.models import Building

    name = (name or "").strip()
    buildings = list(Building.objects.filter(compound=compound))
    exact = [b for b in buildings if b.name == name]
    if exact:
        return exact[0]
    key = _building_key(name)
    matches = [b for b in buildings if _building_key(b.name) == key]
    return matches[0] if len(matches) == 1 else None


def lockdown_preview(compound, building=None) -> dict:
    """What a lockdown would take: households and current residents of the place."""
    from firstline.people.models import Household, Resident

    households = Household.objects.filter(compound=compound)
    if building is not None:
        households = households.filter(building=building)
    return {"households": households.count(),
            "residents": Resident.objects.filter(household__in=households).count()}


def sites_visible_to(user) -> QuerySet[QuarantineSite]:
    return QuarantineSite.objects.filter(area_scope(user, "area")).select_related("area")


def site_get_for_user(user, site_id) -> QuarantineSite:
    return get_object_or_404(sites_visible_to(user), pk=site_id)


def room_get_for_user(user, room_id) -> Room:
    qs = Room.objects.filter(area_scope(user, "site__area")).select_related("site")
    return get_object_or_404(qs, pk=room_id)


def transfers_visible_to(user) -> QuerySet[Transfer]:
    return (Transfer.objects.filter(area_scope(user, "isolation__grid"))
            .select_related("isolation__resident", "to_site"))


def transfer_get_for_user(user, transfer_id) -> Transfer:
    return get_object_or_404(transfers_visible_to(user), pk=transfer_id)


def occupancy_board(site: QuarantineSite) -> list[dict]:
    """Rooms of a site with their current occupants, for the occupancy board (一房一人)."""
    rooms = list(site.rooms.all())
    stays = defaultdict(list)
    for stay in (RoomStay.objects.filter(room__site=site, ended_at__isnull=True)
                 .select_related("resident", "isolation").order_by("-lead", "started_at")):
        stays[stay.room_id].append(stay)
    return [{"room": r, "stays": stays.get(r.pk, [])} for r in rooms]


def day_status(isolation: Isolation, *, now: datetime | None = None) -> list[dict]:
    """Per local day of the isolation: due times, readings answering them, highest temperature.

    status: "ok" (all due readings came), "missed", "fever", "pending" (today, still due),
    "future".
    """
    now = now or clock.now()
    today = clock.localdate(now)
    readings = list(isolation.readings.order_by("taken_at"))
    out = []
    day = isolation.starts_on
    while day < schedule.end_day(isolation):
        if day > today:
            out.append({"day": day, "status": "future", "due": 0, "received": 0, "readings": 0,
                        "max": None})
            day += timedelta(days=1)
            continue
        lo, hi = schedule.day_bounds(day)
        of_day = [r for r in readings if lo <= r.taken_at < hi]
        slots = schedule.slots(isolation, day)
        taken = [r.taken_at for r in readings]
        got = sum(1 for s in slots if schedule.answered(s, taken))
        overdue = sum(1 for s in slots if s.deadline <= now and not schedule.answered(s, taken))
        top = max((r.temperature for r in of_day), default=None)
        if any(r.fever for r in of_day):
            status = "fever"
        elif overdue:
            status = "missed"
        elif got < len(slots):
            status = "pending"
        else:
            status = "ok"
        # `readings`: what came in that local day, also on a day with nothing due (an isolation
        # started after the day's last due time): the cell shows them rather than "0/0".
        out.append({"day": day, "status": status, "due": len(slots), "received": got,
                    "readings": len(of_day), "max": top})
        day += timedelta(days=1)
    return out


def today_status(isolations, *, now: datetime | None = None) -> dict[int, str]:
    """{isolation id: "fever" | "missed" | "pending" | "ok" | ""} for today, in two queries:
    who has not reported yet (the grid worker's morning round)."""
    now = now or clock.now()
    day = clock.localdate(now)
    isolations = list(isolations)
    lo, hi = schedule.day_bounds(day)
    grace, times = schedule.grace_for(day), schedule.rule_times(day)
    readings = defaultdict(list)
    for iso_id, at, fever in (Reading.objects.filter(isolation__in=[i.pk for i in isolations],
                                                     taken_at__gte=lo, taken_at__lt=hi + grace)
                              .values_list("isolation_id", "taken_at", "fever")):
        readings[iso_id].append((at, fever))
    out = {}
    for iso in isolations:
        got = readings.get(iso.pk, [])
        taken = [at for at, _f in got]
        slots = schedule.slots(iso, day, grace=grace, default_times=times)
        if any(f for at, f in got if at < hi):
            out[iso.pk] = "fever"
        elif any(s.deadline <= now and not schedule.answered(s, taken) for s in slots):
            out[iso.pk] = "missed"
        elif any(not schedule.answered(s, taken) for s in slots):
            out[iso.pk] = "pending"
        else:
            out[iso.pk] = "ok" if slots else ""
    return out


# --- facts for the daily report (一日一报) ----------------------------------------------------

COUNT_KEYS = ("home_isolation", "centralized_isolation", "isolations_started", "isolations_ended",
              "readings_due", "readings_received", "fever_alerts")
FEVER_ALERT_KINDS = (AlertKind.FEVER, AlertKind.GATE_FEVER)


def _empty() -> dict:
    return dict.fromkeys(COUNT_KEYS, 0)


def isolation_counts_by_grid(area, day: date) -> dict[int, dict]:
    """{grid area id: counts} for every grid under `area` (inclusive) with anything on `day`.

    Counts for local day `day` (see `isolation_counts` for their meaning). Grids with nothing
    are absent. Three queries whatever the size of the area.
    """
    out: dict[int, dict] = defaultdict(_empty)
    isolations = list(
        Isolation.objects.filter(grid__path__startswith=area.path, starts_on__lte=day)
        .exclude(status=Status.CANCELLED)
        .annotate(stop=Coalesce("ended_on", "ends_on"))
        .filter(stop__gte=day)
    )
    in_force = []
    for iso in isolations:
        counts = out[iso.grid_id]
        stop = schedule.end_day(iso)
        if iso.starts_on == day:
            counts["isolations_started"] += 1
        if stop == day:
            counts["isolations_ended"] += 1
        if iso.starts_on <= day < stop:
            counts["home_isolation" if iso.kind == Kind.HOME else "centralized_isolation"] += 1
            in_force.append(iso)
    if in_force:
        grace, times = schedule.grace_for(day), schedule.rule_times(day)
        lo, hi = schedule.day_bounds(day)
        taken = defaultdict(list)
        for iso_id, at in (Reading.objects.filter(isolation__in=in_force, taken_at__gte=lo,
                                                  taken_at__lt=hi + grace)
                           .values_list("isolation_id", "taken_at")):
            taken[iso_id].append(at)
        for iso in in_force:
            slots = schedule.slots(iso, day, grace=grace, default_times=times)
            out[iso.grid_id]["readings_due"] += len(slots)
            out[iso.grid_id]["readings_received"] += sum(
                1 for s in slots if schedule.answered(s, taken[iso.pk]))
    lo, hi = schedule.day_bounds(day)
    for area_id in (Alert.objects.filter(area__path__startswith=area.path,
                                         kind__in=FEVER_ALERT_KINDS,
                                         opened_at__gte=lo, opened_at__lt=hi)
                    .values_list("area_id", flat=True)):
        out[area_id]["fever_alerts"] += 1
    # Drop grids whose only entry was created by defaultdict access with all zeros.
    return {k: v for k, v in out.items() if any(v.values())}


def isolation_counts(area, day: date) -> dict:
    """Isolation facts of `area` and everything under it, for local day `day`:

    - home_isolation / centralized_isolation: isolations in force that day
      (starts_on <= day < the day they ended or were planned to end; cancelled ones never count)
    - isolations_started: isolations whose starts_on is `day`
    - isolations_ended: isolations that stopped holding on `day` (ends_on reached, released
      early, lockdown lifted)
    - readings_due: due readings that day (schedule.py), readings_received: those answered
    - fever_alerts: fever alerts opened that day (self-report / worker readings and gate scans)

    Dated: a past day gives the same numbers later (starts, ends, readings and alerts all carry
    their own dates; extending an isolation only changes days not yet reached).
    """
    total = _empty()
    for counts in isolation_counts_by_grid(area, day).values():
        for key in COUNT_KEYS:
            total[key] += counts[key]
    return total
