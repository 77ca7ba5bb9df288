"""Read side of isolation: the gate's restriction check, scoped lists, today's status. (The
daily report's isolation figures live in reports.selectors.isolations_source.)"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from firstline import clock
from firstline.accounts.scope import area_scope, perm_or
from firstline.areas.models import subtree_q
from firstline.people.services import building_name_normalize

from . import schedule
from .models import (
    Alert,
    AlertKind,
    Isolation,
    Kind,
    Lockdown,
    QuarantineSite,
    Reading,
    Room,
    RoomStay,
    Status,
    Transfer,
    TransferStatus,
)

VIEW = "isolation.view"  # what a selector scopes by when no permission is named or in play


def household_restriction(household, at: datetime, *, fever_hold: bool | None = None) -> str | None:
    """Why this household may not go out at `at`: one of RESTRICTIONS, or None.

    Judged as of `at` (an offline gate syncing later gets the answer of the moment of the scan).
    "lockdown": its building or compound is locked down (封控); "isolation": one of its members
    is under home isolation (居家隔离). Centralized quarantine does not restrict the household.
    "fever_hold": a member has an open fever alert of any kind (at home, at the gate, at a
    screening visit) while rule "gate.fever_hold" is on (the default) — until staff resolve it
    (a re-measure below the threshold, a referral to the fever clinic). `fever_hold` is the
    rule's value when the caller has read it already (the gate reads every rule at once).
    Each answer is the owning model's `restricting(household, at)`; the gate's pre-filter and
    its offline snapshot are tested against this (tests/access/test_gate_vocabulary.py).
    """
    if Lockdown.objects.restricting(household, at).exists():
        return "lockdown"
    if Isolation.objects.restricting(household, at).exists():
        return "isolation"
    if fever_hold is None:
        from firstline.rules import rule

        fever_hold = bool(rule("gate.fever_hold", on=clock.localdate(at)).value)
    if fever_hold and fever_open_at(household, at):
        return "fever_hold"
    return None


def fever_open_at(household, at: datetime) -> bool:
    """Was a fever alert (any kind: FEVER_KINDS) of a member of this household open at `at`?
    Scanning again without a temperature, or with a lower one, is not a way round it."""
    return Alert.objects.restricting(household, at).exists()


# --- scoped reads --------------------------------------------------------------------------

def isolations_visible_to(user, perm: str | None = None) -> QuerySet[Isolation]:
    return (Isolation.objects.filter(area_scope(user, "grid", perm_or(user, perm, VIEW)))
            .select_related("resident", "household__compound", "grid", "site"))


def isolation_get_for_user(user, isolation_id) -> Isolation:
    return get_object_or_404(isolations_visible_to(user), pk=isolation_id)


def isolation_list(user, *, area=None, status: str | None = None, kind: str | None = None,
                   q: str = "") -> QuerySet[Isolation]:
    qs = isolations_visible_to(user)
    if area is not None:
        qs = qs.filter(subtree_q(area, "grid"))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(resident__name__icontains=q) | Q(household__compound__name__icontains=q))
    return qs.order_by("-starts_on", "-id")


def alerts_visible_to(user, perm: str | None = None) -> QuerySet[Alert]:
    return (Alert.objects.filter(area_scope(user, "area", perm_or(user, perm, VIEW)))
            .select_related("resident", "household__compound", "area", "owner", "isolation"))


def alert_get_for_user(user, alert_id) -> Alert:
    return get_object_or_404(alerts_visible_to(user), pk=alert_id)


def residents_isolated(resident_ids, *, day=None) -> set[int]:
    """Which of these residents hold an isolation now (one query for a list of alert cards:
    no "start isolation" link for someone already isolated)."""
    day = day or clock.today()
    return set(Isolation.objects.holding(day).filter(resident_id__in=set(resident_ids))
               .values_list("resident_id", flat=True))


def reading_alert(user, reading: Reading) -> Alert | None:
    """The open alert a worker's reading raised or updated (fever, else symptoms), for the
    warning on the isolation's page; None when it raised none or it is out of the user's sight."""
    if not (reading.fever or reading.symptoms):
        return None
    kind = AlertKind.FEVER if reading.fever else AlertKind.SYMPTOMS
    return (alerts_visible_to(user).open().filter(isolation_id=reading.isolation_id, kind=kind)
            .order_by("-opened_at", "-pk").first())


def alert_list(user, *, area=None, status: str | None = None,
               kind: str | None = None) -> QuerySet[Alert]:
    qs = alerts_visible_to(user)
    if area is not None:
        qs = qs.filter(subtree_q(area, "area"))
    if status == "unresolved":
        qs = qs.open()
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-opened_at", "-id")


def lockdowns_visible_to(user, perm: str | None = None) -> QuerySet[Lockdown]:
    return (Lockdown.objects.filter(area_scope(user, "compound__area", perm_or(user, perm, VIEW)))
            .select_related("compound", "building"))


def lockdown_get_for_user(user, lockdown_id) -> Lockdown:
    return get_object_or_404(lockdowns_visible_to(user), pk=lockdown_id)


def lockdowns_in_force(qs: QuerySet[Lockdown], at: datetime | None = None) -> QuerySet[Lockdown]:
    return qs.in_force(clock.localdate(at or clock.now()))


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


def sites_visible_to(user, perm: str | None = None) -> QuerySet[QuarantineSite]:
    return (QuarantineSite.objects.filter(area_scope(user, "area", perm_or(user, perm, VIEW)))
            .select_related("area"))


def site_get_for_user(user, site_id) -> QuarantineSite:
    return get_object_or_404(sites_visible_to(user), pk=site_id)


def room_get_for_user(user, room_id) -> Room:
    qs = (Room.objects.filter(area_scope(user, "site__area", perm_or(user, None, VIEW)))
          .select_related("site"))
    return get_object_or_404(qs, pk=room_id)


def transfers_visible_to(user, perm: str | None = None) -> QuerySet[Transfer]:
    return (Transfer.objects.filter(area_scope(user, "isolation__grid",
                                               perm_or(user, perm, VIEW)))
            .select_related("isolation__resident", "to_site"))


def transfers_leaving_site(user, site) -> QuerySet[Transfer]:
    """Open transfers (planned or on the way) away from `site`: of people whose isolation is
    at the site (a room there, or arrived there), to home, to hospital or to another site;
    soonest pick-up first. The site board lists them beside those coming in."""
    return (transfers_visible_to(user).open().filter(isolation__site=site)
            .exclude(to_site=site).order_by("pickup_at", "pk"))


def transfer_get_for_user(user, transfer_id) -> Transfer:
    return get_object_or_404(transfers_visible_to(user), pk=transfer_id)


def centralized_awaiting_room(user):
    """People in centralized quarantine, in scope, with no room now and no transfer open
    (planned or on the way): those the board offers to plan a transfer for or to put in a
    room. Someone on the way is offered a room on arrival (已到达), not before — nor sent twice.
    Nor someone whose last arrival was away from any site (home to finish there, a hospital):
    they are not waiting for a room; brought back, their transfer to a site makes them so."""
    arrivals = Transfer.objects.filter(isolation=OuterRef("pk"), status=TransferStatus.ARRIVED)
    return (isolations_visible_to(user)
            .filter(kind=Kind.CENTRALIZED, status=Status.ACTIVE)
            # Not in a room now. (exclude(stays__ended_at__isnull=True) also dropped everyone
            # never given a room: its outer join reads "no stay" as an open one.)
            .exclude(pk__in=RoomStay.objects.filter(ended_at__isnull=True)
                     .values("isolation_id"))
            .exclude(pk__in=Transfer.objects.open().values("isolation_id"))
            .alias(arrived=Exists(arrivals),
                   last_to_site=Subquery(arrivals.order_by("-status_at", "-pk")
                                         .values("to_site_id")[:1]))
            .exclude(arrived=True, last_to_site__isnull=True))


def last_arrival_away(iso: Isolation) -> Transfer | None:
    """The transfer that last brought `iso`'s person somewhere other than a site (home, a
    hospital), when that is where they are now (no arrival after it); else None."""
    last = (iso.transfers.filter(status=TransferStatus.ARRIVED)
            .order_by("-status_at", "-pk").first())
    return last if last is not None and last.to_site_id is None else None


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


def visit_alerts_read(*, visit, user) -> list:
    """What the screening follow-up page (people) says about alerts: the door_fever and
    risk_return alerts carrying `visit`'s findings — opened by it, or open when it was recorded
    (alert_open then updated them instead of opening another) — for the members it recorded.
    `user` has the visit in scope; the link is given when they may see the alert."""
    from django.urls import reverse

    from firstline.accounts.scope import in_scope
    from firstline.people.services import VisitAlert
    from firstline.rules import rule

    from .models import AlertKind

    findings = {AlertKind.DOOR_FEVER: "fever", AlertKind.RISK_RETURN: "risk_area"}
    at = visit.created_at
    members = list(visit.people.values_list("resident_id", flat=True))
    mine = Alert.objects.filter(kind__in=findings, resident_id__in=members)
    alerts = list((mine.filter(source=f"visit:{visit.pk}") | mine.open_at(at))
                  .order_by("resident_id", "kind", "pk"))
    if not alerts:
        return []
    grid = visit.grid
    staff = community_staff_cover(grid)
    holds = bool(rule("gate.fever_hold", on=clock.today()).value)
    seeing = in_scope(user, grid, VIEW)
    out, seen = [], set()
    for a in alerts:
        if (a.resident_id, a.kind) in seen:
            continue
        seen.add((a.resident_id, a.kind))
        tab = "resolved" if a.status == "resolved" else "unresolved"
        out.append(VisitAlert(
            resident_id=a.resident_id, finding=findings[a.kind], label=a.get_kind_display(),
            url=f"{reverse('isolation:alerts')}?status={tab}#alert-{a.pk}" if seeing else "",
            holds_household=holds and a.kind == AlertKind.DOOR_FEVER and a.status != "resolved",
            staff_notified=staff))
    return out


def community_staff_cover(area) -> bool:
    """Some active community staff account is assigned to `area` or above it: the alerts of
    `area` are in their list (and they may start an isolation there)."""
    from firstline.accounts.models import RoleAssignment
    from firstline.accounts.roles import Role

    ids = [int(p) for p in area.path.strip("/").split("/") if p]
    return RoleAssignment.objects.filter(area_id__in=ids, role=Role.COMMUNITY_STAFF,
                                         user__is_active=True).exists()
