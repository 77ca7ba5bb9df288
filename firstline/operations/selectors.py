"""Reads for operations, always through the acting user's scope for the permission in play
(outside it: 404, the same answer as missing)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import pgettext

from firstline import clock
from firstline.accounts.scope import area_scope, path_within, scope_paths
from firstline.areas.models import Area, subtree_q
from firstline.forms import typed_id
from firstline.people.models import Household
from firstline.rules import rule

from .models import (
    Assignment,
    Donation,
    Item,
    MoveKind,
    Movement,
    MovePurpose,
    Place,
    PlaceKind,
    Round,
    Stock,
    Store,
    Task,
    Volunteer,
    WorkingGroup,
)


def area_for_user(user, code: str, perm: str) -> Area:
    """The area `code` inside the user's scope for `perm` (404 otherwise)."""
    return get_object_or_404(Area.objects.filter(area_scope(user, None, perm)), code=str(code))


# --- people on duty ---------------------------------------------------------------------------

def on_duty_q(moment: datetime | None = None, prefix: str = "") -> Q:
    """Checked in (before `moment`, default now), not checked out by then, and not past the
    check-in's end (the assignment's end + grace: someone who never checks out does not stay
    on duty forever). One predicate for lists, counts and the daily report."""
    moment = moment or clock.now()
    return (Q(**{f"{prefix}checked_in_at__lte": moment})
            & (Q(**{f"{prefix}checked_out_at__isnull": True})
               | Q(**{f"{prefix}checked_out_at__gt": moment}))
            & Q(**{f"{prefix}check_in_until__gt": moment}))


def volunteers_visible_to(user, perm: str = "operations.work") -> QuerySet[Volunteer]:
    on = Assignment.objects.filter(on_duty_q(), volunteer=OuterRef("pk"))
    return (Volunteer.objects.filter(area_scope(user, "area", perm)).select_related("area")
            .annotate(on_duty=Exists(on)))


def volunteer_get_for_user(user, volunteer_id, perm: str = "operations.work") -> Volunteer:
    return get_object_or_404(volunteers_visible_to(user, perm), pk=volunteer_id)


def volunteers_list(user, *, area: Area | None = None, on_duty: bool | None = None,
                    confirmed: bool | None = None, kind: str | None = None):
    qs = volunteers_visible_to(user)
    if area is not None:
        qs = qs.filter(subtree_q(area, "area"))
    if on_duty is not None:
        qs = qs.filter(on_duty=on_duty)
    if confirmed is not None:
        qs = qs.filter(confirmed_at__isnull=not confirmed)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("area__path", "name", "pk")


def assignments_visible_to(user) -> QuerySet[Assignment]:
    """Staff see their areas' assignments; a volunteer login sees only its own."""
    mine = Q(volunteer__user=user) if getattr(user, "pk", None) else Q(pk__in=[])
    return (Assignment.objects.filter(area_scope(user, "area", "operations.work") | mine)
            .select_related("volunteer", "area"))


def assignment_get_for_user(user, assignment_id) -> Assignment:
    return get_object_or_404(assignments_visible_to(user), pk=assignment_id)


def assignment_volunteer_get_for_user(user, volunteer_id) -> Volunteer:
    """The person `?volunteer=` names, as assignments_visible_to sees them: staff's areas, or
    a volunteer login's own record; anything else is the same 404."""
    mine = Q(user=user) if getattr(user, "pk", None) else Q(pk__in=[])
    return get_object_or_404(Volunteer.objects.filter(
        area_scope(user, "area", "operations.work") | mine), pk=volunteer_id)


def assignments_list(user, *, area: Area | None = None, volunteer_id: int | None = None,
                     day: date | None = None, mine: bool = False):
    qs = assignments_visible_to(user)
    if mine:
        qs = qs.filter(volunteer__user=user)
    if area is not None:
        qs = qs.filter(subtree_q(area, "area"))
    if volunteer_id is not None:
        qs = qs.filter(volunteer_id=volunteer_id)
    if day is not None:
        qs = qs.filter(starts_at__lt=clock.day_start(day + timedelta(days=1)),
                       ends_at__gt=clock.day_start(day))
    return qs.order_by("starts_at", "pk")


def hours_by_volunteer(assignments, *, now: datetime) -> dict[int, float]:
    """Hours on duty per person: from check-in to check-out, or to the assignment's end when
    there was no check-out within the grace, or to now while still on duty."""
    out: dict[int, float] = defaultdict(float)
    for a in assignments:
        end = a.counted_end(now)
        if end is None:
            continue
        out[a.volunteer_id] += max((end - a.checked_in_at).total_seconds(), 0) / 3600
    return dict(out)


def honour_roll(user, *, area: Area, now: datetime | None = None, limit: int = 50) -> list:
    """光荣榜: people of the area by hours on duty, most first (confirmed people only)."""
    now = now or clock.now()
    people = {v.pk: v for v in volunteers_visible_to(user).filter(
        subtree_q(area, "area"), confirmed_at__isnull=False)}
    hours = hours_by_volunteer(
        Assignment.objects.filter(volunteer_id__in=list(people), checked_in_at__isnull=False)
        .only("volunteer_id", "checked_in_at", "checked_out_at", "ends_at", "check_in_until"),
        now=now)
    rows = [(people[pk], round(h, 1)) for pk, h in hours.items() if h > 0]
    rows.sort(key=lambda r: (-r[1], r[0].name))
    return rows[:limit]


# --- disinfection -----------------------------------------------------------------------------

def derived_place_rows(area: Area, *, on: date, upcoming: bool = False) -> list[Place]:
    """Unsaved Place rows for what other apps' data call for in the subtree of `area` on
    local day `on` (with upcoming=True also isolations and lockdowns that start later, so a
    refresh can make their places ahead of time):
    - every compound's common areas (公共区域);
    - every home under an active home isolation (居家隔离户);
    - every building of a lockdown in force (its building, or all of a locked compound's);
    - every quarantine room waiting for cleaning after it was vacated (终末消毒).
    Isolation does not know about operations; this reads its data. Nothing is written here:
    services.places_refresh makes the rows (on those events, and on a schedule)."""
    from firstline.people.models import Compound

    rows = [Place(area_id=c.area_id, kind=PlaceKind.COMMON_AREAS, key=f"common:{c.pk}",
                  name=f"{c.name} 公共区域", compound_id=c.pk,
                  created_at=c.created_at or clock.now())
            for c in Compound.objects.filter(subtree_q(area, "area")).only(
                "pk", "name", "area_id", "created_at")]
    return rows + _home_rows(area, on, upcoming) + _lockdown_rows(area, on, upcoming) \
        + _room_rows(area)


def _isolated_homes(area: Area, on: date, upcoming: bool = False):
    from firstline.isolation.models import Isolation, Kind, Status

    homes = (Isolation.objects.current(on) if not upcoming else  # or starting later
             Isolation.objects.filter(status=Status.ACTIVE, ends_on__gt=on))
    return homes.filter(subtree_q(area, "grid"), kind=Kind.HOME)


def _home_rows(area: Area, on: date, upcoming: bool) -> list[Place]:
    from firstline.people.models import Household

    first_day: dict[int, date] = {}
    for household_id, starts_on in (_isolated_homes(area, on, upcoming)
                                    .order_by("household_id", "starts_on")
                                    .values_list("household_id", "starts_on")):
        first_day.setdefault(household_id, starts_on)
    # A home hangs on its grid (the grid worker's scope), as every household fact does.
    return [Place(area_id=h.grid_id, kind=PlaceKind.ISOLATED_HOME, key=f"home:{h.pk}",
                  name=h.address, compound_id=h.compound_id, household_id=h.pk,
                  created_at=clock.day_start(first_day[h.pk]))
            for h in Household.objects.filter(pk__in=list(first_day)).select_related("compound")]


def _lockdown_rows(area: Area, on: date, upcoming: bool) -> list[Place]:
    from firstline.isolation.models import Lockdown
    from firstline.people.models import Building

    locks = (Lockdown.objects.in_force(on) if not upcoming else
             Lockdown.objects.filter(ends_on__gt=on, lifted_at__isnull=True))
    rows = []
    for lock in (locks.filter(subtree_q(area, "compound__area"))
                 .select_related("compound", "building")):
        buildings = [lock.building] if lock.building_id else list(
            Building.objects.filter(compound=lock.compound))
        rows += [Place(area_id=lock.compound.area_id, kind=PlaceKind.BUILDING,
                       key=f"lockdown:{lock.pk}:{b.pk}",
                       name=f"{lock.compound.name} {b.name}栋", compound_id=lock.compound_id,
                       building_id=b.pk, created_at=clock.day_start(lock.starts_on))
                 for b in buildings]
    return rows


def _room_rows(area: Area) -> list[Place]:
    from firstline.isolation.models import Room, RoomStatus

    rows = []
    for room in Room.objects.filter(subtree_q(area, "site__area"),
                                    status=RoomStatus.CLEANING).select_related("site"):
        # The key must not change between the refresh that makes the place and the reads
        # that find it: a room marked for cleaning without any stay gets a fixed one.
        ended = room.stays.aggregate(m=Max("ended_at"))["m"]
        vacated = ended or clock.now()
        rows.append(Place(area_id=room.site.area_id, kind=PlaceKind.QUARANTINE_ROOM,
                          key=f"room:{room.pk}:{int(ended.timestamp()) if ended else 0}",
                          name=f"{room.site.name} {room.number}", room_id=room.pk,
                          created_at=vacated))
    return rows


def derived_places(area: Area, *, on: date) -> QuerySet[Place]:
    """The derived places in force in the subtree of `area` on local day `on`: a read, it
    writes nothing (services.places_refresh made the rows). Common areas and isolated homes
    are selected by subqueries, not by lists of keys (thousands of homes at 1M residents)."""
    few = [p.key for p in _lockdown_rows(area, on, False) + _room_rows(area)]
    commons = Q(key__startswith="common:") & subtree_q(area, "compound__area")
    homes = Q(key__startswith="home:",
              household_id__in=_isolated_homes(area, on).values("household_id"))
    return Place.objects.filter(commons | homes | Q(key__in=few))


def places_in_force(area: Area, *, on: date) -> QuerySet[Place]:
    derived = derived_places(area, on=on)
    staff = Place.objects.filter(subtree_q(area, "area"), key__isnull=True,
                                 active=True)
    return (Place.objects.filter(Q(pk__in=derived.values("pk")) | Q(pk__in=staff.values("pk")))
            .select_related("area", "compound", "room__site"))


def due_by_compound(items: list[Due]) -> list[tuple[str, list[Due]]]:
    """The due list (most urgent first) in groups of one compound each — a worker does one
    compound's lifts, rubbish points and bins in one round — the group holding the most
    urgent place first; places of no compound (a quarantine site's rooms) under their
    site, else under "" (other places)."""
    groups: dict[str, list[Due]] = {}
    for d in items:
        p = d.place
        name = p.compound.name if p.compound_id else (p.room.site.name if p.room_id else "")
        groups.setdefault(name, []).append(d)
    return list(groups.items())


def compounds_of(area: Area):
    """The compounds of a community (which the caller checked is in scope), for a form."""
    from firstline.people.models import Compound

    return Compound.objects.filter(area=area).order_by("name", "pk")


@dataclass(frozen=True)
class Due:
    place: Place
    due_at: datetime
    overdue: bool
    last_done_at: datetime | None


def _rule_reader():
    """rule(key, on=day), read once per (key, day) for a whole list of places (a due list of
    thousands of places read the rule once a place: 6,694 queries for a street at 1M)."""
    seen = {}

    def read(key: str, on: date):
        if (key, on) not in seen:
            seen[key, on] = rule(key, on=on)
        return seen[key, on]

    return read


def _periods(kind: str, on: date, read=None) -> int | None:
    """Rounds a day a place of `kind` needs (None: once, after it is vacated)."""
    if kind == PlaceKind.QUARANTINE_ROOM:
        return None
    table = (read or _rule_reader())("disinfection.per_day", on).value
    return max(int(table.get(kind, table.get("other", 1))), 1)


def due_of(place: Place, last: datetime | None, moment: datetime, *,
           read=None) -> Due | None:
    """When `place` is next due as of `moment`, in local time.

    A place needing n rounds a day splits each local day into n equal periods from local
    midnight (twice a day: 00:00–12:00 and 12:00–24:00). A round in the current period takes
    it off the list until the next period. Without one it is due by the end of the current
    period — or overdue since the start of it when the previous period (which may be
    yesterday's last, across midnight) passed without a round while the place existed.
    A vacated quarantine room is due once, `disinfection.vacated_room_hours` after it was
    vacated."""
    read = read or _rule_reader()
    local = clock.localtime(moment)
    day = local.date()
    n = _periods(place.kind, day, read)
    if n is None:
        if last is not None and last >= place.created_at:
            return None
        due_at = place.created_at + timedelta(
            hours=read("disinfection.vacated_room_hours", day).value)
        return Due(place, due_at, moment >= due_at, last)
    midnight = clock.day_start(day)
    length = timedelta(hours=24) / n
    k = int((local - midnight) / length)
    start = midnight + k * length
    if last is not None and last >= start:
        return None
    if place.created_at < start and (last is None or last < start - length):
        return Due(place, start, True, last)
    return Due(place, start + length, False, last)


@dataclass(frozen=True)
class _Kind:
    """What due_of reads of a place."""

    kind: str
    created_at: datetime


def due_list(places, *, moment: datetime) -> list[Due]:
    places = list(places)
    last = dict(Round.objects.filter(place__in=[p.pk for p in places], done_at__lte=moment)
                .order_by().values("place_id").annotate(m=Max("done_at"))
                .values_list("place_id", "m"))
    read = _rule_reader()
    out = [d for p in places
           if (d := due_of(p, last.get(p.pk), moment, read=read)) is not None]
    out.sort(key=lambda d: (not d.overdue, d.due_at, d.place.name))
    return out


def disinfection_due(user, *, area: Area, moment: datetime | None = None,
                     overdue_only: bool = False) -> list[Due]:
    """The due/overdue list of places in `area` (which the caller checked is in scope)."""
    moment = moment or clock.now()
    items = due_list(places_in_force(area, on=clock.localdate(moment)), moment=moment)
    return [d for d in items if d.overdue] if overdue_only else items


def places_visible_to(user, perm: str = "operations.work") -> QuerySet[Place]:
    return Place.objects.filter(area_scope(user, "area", perm)).select_related("area", "room")


def place_get_for_user(user, place_id, perm: str = "operations.work") -> Place:
    return get_object_or_404(places_visible_to(user, perm), pk=place_id)


def rounds_list(user, *, area: Area | None = None, place_id: int | None = None):
    qs = Round.objects.filter(area_scope(user, "area", "operations.work")).select_related(
        "place", "by")
    if area is not None:
        qs = qs.filter(subtree_q(area, "area"))
    if place_id is not None:
        qs = qs.filter(place_id=place_id)
    return qs.order_by("-done_at", "-pk")


# --- supplies ---------------------------------------------------------------------------------

def stores_visible_to(user, perm: str = "operations.work") -> QuerySet[Store]:
    return Store.objects.filter(area_scope(user, "area", perm)).select_related("area")


def store_get_for_user(user, ref, perm: str = "operations.work") -> Store:
    """A store by code or id, in scope (404 otherwise): an int is an id only (a JSON number);
    text is a code, else the id it spells."""
    qs = stores_visible_to(user, perm)
    if isinstance(ref, int):
        found = qs.filter(pk=ref).first() if ref < 10**11 else None
    else:
        text = str(ref).strip()
        found = qs.filter(code=text).first()
        if found is None and (pk := typed_id(text)) is not None and len(text) < 12:
            found = qs.filter(pk=pk).first()
    if found is None:
        from django.http import Http404

        raise Http404
    return found


def item_by_ref(ref) -> Item | None:
    text = str(ref).strip()
    found = Item.objects.filter(code=text).first()
    if found is None and (pk := typed_id(text)) is not None and len(text) < 12:
        found = Item.objects.filter(pk=pk).first()
    if found is None:
        found = Item.objects.filter(name=text).first()
    return found


def store_labels(codes) -> dict[str, str]:
    """{code: the store as a person reads it}: its name (城北社区物资点), with its code after
    it only where another store bears the same name (names are not unique, codes are). A code
    no store has any more is shown as it is. Two queries, whatever the number of codes."""
    codes = {c for c in codes if c}
    if not codes:
        return {}
    names = dict(Store.objects.filter(code__in=codes).values_list("code", "name"))
    shared = set(Store.objects.filter(name__in=set(names.values())).values("name")
                 .annotate(n=Count("pk")).filter(n__gt=1).values_list("name", flat=True))
    return {code: (pgettext("store", "%(name)s (%(code)s)") % {"name": names[code], "code": code}
                   if names.get(code) in shared else names.get(code, code))
            for code in codes}


def store_label(store: Store) -> str:
    """One store as a person reads it (see store_labels)."""
    return store_labels([store.code])[store.code]


def stock_list(user, *, store: Store | None = None, area: Area | None = None):
    qs = Stock.objects.filter(area_scope(user, "store__area", "operations.work")).select_related(
        "store", "item")
    if store is not None:
        qs = qs.filter(store=store)
    if area is not None:
        qs = qs.filter(subtree_q(area, "store__area"))
    return qs.order_by("store__code", "item__code")


def movements_recent(user, *, limit: int = 20) -> list[Movement]:
    """The latest receipts, issues and moves of the stores the user sees (operations.work in
    their area), newest first: what, how many, to or from whom, when, by whom. A donor is
    named to those who may read donations (operations.manage) or when they consented."""
    rows = list(Movement.objects.filter(area_scope(user, "stock__store__area", "operations.work"))
                .exclude(kind=MoveKind.COUNT)
                .select_related("stock__store", "stock__item", "donation", "actor",
                                "household__compound", "household__grid", "tip")
                .order_by("-at", "-pk")[:limit])
    ids = {m.donation_id for m in rows if m.donation_id}
    readable = set(Donation.objects.filter(area_scope(user, "area", "operations.manage"),
                                           pk__in=ids).values_list("pk", flat=True))
    people_paths = scope_paths(user, "people.view")
    # A move's other store is kept as its code (`to`): read as the store's name.
    labels = store_labels({m.stock.store.code for m in rows}
                          | {m.to for m in rows if m.kind in (MoveKind.MOVE_OUT, MoveKind.MOVE_IN)})
    for m in rows:
        m.store_label = labels[m.stock.store.code]
        m.other_store = (labels.get(m.to, m.to)
                         if m.kind in (MoveKind.MOVE_OUT, MoveKind.MOVE_IN) else "")
        d = m.donation
        m.donor_shown = d.donor if d and (d.consent_named or d.pk in readable) else None
        m.went_to = movement_to_words(m, people_paths=people_paths)
    return rows


def movement_to_words(m: Movement, *, people_paths: list[str]) -> str:
    """Where an issue went, worded now in the reader's language (never words stored when it
    was written): a care kit's household as its address — the full one to those who may see
    the household's residents (people.view over its grid, `people_paths`), else its compound
    and building only, as a volunteer sees an errand; a tip-off reward as the tip's number; a
    correction as such, with its note as typed. A hand-typed issue: `to` as typed."""
    if m.purpose == MovePurpose.CARE_KIT:
        h = m.household
        if h is None:
            return pgettext("stock history", "a household")
        if path_within(h.grid.path, people_paths):
            return h.address
        return Household.address_of(h.compound.name, h.building_name, "", "")
    if m.purpose == MovePurpose.TIP_REWARD:
        if m.tip is None:
            return pgettext("stock history", "a tip-off reward")
        return pgettext("stock history", "tip-off reward %(receipt)s") % {
            "receipt": m.tip.receipt}
    if m.purpose == MovePurpose.CORRECTION:
        if m.to:
            return pgettext("stock history", "correction: %(note)s") % {
                "note": m.to}
        return pgettext("stock history", "correction")
    return m.to


def donations_public(street: Area) -> QuerySet[Donation]:
    """The public ledger of a street: every donation received in it (names only with
    consent)."""
    return (Donation.objects.filter(subtree_q(street, "area"))
            .prefetch_related("movements__stock__item").order_by("-received_at", "-pk"))


def donations_list(user, *, area: Area | None = None):
    qs = Donation.objects.filter(area_scope(user, "area", "operations.manage"))
    if area is not None:
        qs = qs.filter(subtree_q(area, "area"))
    return qs.order_by("-received_at", "-pk")


# --- HQ tasks ---------------------------------------------------------------------------------

TASK_PERM = "operations.manage"


def task_status_q(status: str, moment: datetime) -> Q:
    if status == "done":
        return Q(done_at__isnull=False)
    if status == "overdue":
        return Q(done_at__isnull=True, due_at__lte=moment)
    if status == "open":
        return Q(done_at__isnull=True, due_at__gt=moment)
    return Q()


def tasks_visible_to(user) -> QuerySet[Task]:
    """A receiving area's staff see its tasks; HQ sees every task of the areas below it."""
    return Task.objects.filter(area_scope(user, "area", TASK_PERM)).select_related(
        "area", "working_group")


def working_groups_visible_to(user) -> QuerySet[WorkingGroup]:
    return (WorkingGroup.objects.filter(area_scope(user, "area", TASK_PERM))
            .select_related("area").prefetch_related("members"))


def working_group_candidates(area: Area):
    """Who may be a member of a working group of street `area`: active users holding a role
    that sees its tasks (operations.manage), assigned to the street or above it."""
    from firstline.accounts.models import User
    from firstline.accounts.roles import ROLE_PERMS

    roles = [role for role, perms in ROLE_PERMS.items() if TASK_PERM in perms]
    return (User.objects.filter(is_active=True, assignments__role__in=roles,
                                assignments__area__in=area.ancestors())
            .distinct().order_by("username"))


def task_get_for_user(user, task_id) -> Task:
    return get_object_or_404(tasks_visible_to(user), pk=task_id)


def tasks_list(user, *, area: Area | None = None, status: str | None = None,
               moment: datetime | None = None):
    moment = moment or clock.now()
    qs = tasks_visible_to(user)
    if area is not None:
        qs = qs.filter(subtree_q(area, "area"))
    if status:
        qs = qs.filter(task_status_q(status, moment))
    return qs.order_by("done_at", "due_at", "pk")


def tasks_by_area(user, *, moment: datetime | None = None) -> list[dict]:
    """Open and overdue tasks per receiving area, for the dashboard."""
    moment = moment or clock.now()
    rows: dict[int, dict] = {}
    for t in tasks_visible_to(user).filter(done_at__isnull=True):
        row = rows.setdefault(t.area_id, {"area": t.area, "open": 0, "overdue": 0})
        row["overdue" if t.due_at <= moment else "open"] += 1
    return sorted(rows.values(), key=lambda r: (-r["overdue"], r["area"].path))


def user_may_dispatch(user) -> bool:
    return bool(scope_paths(user, "operations.dispatch"))


# --- the daily report's figures ---------------------------------------------------------------

def report_rows(area_ids, windows) -> list[tuple[int, str, int, int]]:
    """(area_id, figure, window index, n) for the daily report (reports.sources):
    - disinfection_rounds: rounds done during the day, in the place's area;
    - disinfection_overdue: places overdue at the end of the day (now, for today);
    - volunteers_on_duty: people checked in and not out at the end of the day (now, today);
    - tasks_overdue: tasks past their due time and not done at the end of the day (now)."""
    from django.db.models import Count

    out = []
    ids = list(area_ids) if isinstance(area_ids, list) else list(
        area_ids.values_list("id", flat=True))
    if not ids:
        return out
    now = clock.now()
    root = Area.objects.filter(pk__in=ids).order_by("depth", "path").first()
    read = _rule_reader()
    for index, w in enumerate(windows):
        moment = min(w.end, now)
        if moment < w.start:
            continue
        for row in (Round.objects.filter(area_id__in=ids, done_at__gte=w.start,
                                         done_at__lt=w.end)
                    .order_by().values("area_id").annotate(n=Count("id"))):
            out.append((row["area_id"], "disinfection_rounds", index, row["n"]))
        for row in (Assignment.objects.filter(on_duty_q(moment), area_id__in=ids)
                    .order_by().values("area_id")
                    .annotate(n=Count("volunteer_id", distinct=True))):
            out.append((row["area_id"], "volunteers_on_duty", index, row["n"]))
        for row in (Task.objects.filter(Q(done_at__isnull=True) | Q(done_at__gt=moment),
                                        area_id__in=ids, due_at__lte=moment)
                    .order_by().values("area_id").annotate(n=Count("id"))):
            out.append((row["area_id"], "tasks_overdue", index, row["n"]))
        # Plain values, not model instances (thousands of isolated homes at 1M residents);
        # the same due_of as the due list.
        overdue: dict[int, int] = defaultdict(int)
        places = places_in_force(root, on=w.day).filter(created_at__lt=moment)
        rows = [(pk, _Kind(kind, created_at), area_id) for pk, kind, created_at, area_id
                in places.values_list("pk", "kind", "created_at", "area_id")]
        last = dict(Round.objects.filter(place_id__in=places.values("pk"), done_at__lte=moment)
                    .order_by().values("place_id").annotate(m=Max("done_at"))
                    .values_list("place_id", "m"))
        # due_of depends only on (kind, created_at, last round) at this moment: asked once
        # per distinct triple (isolated homes share their first day's midnight).
        verdicts: dict[tuple, bool] = {}
        for pk, place, area_id in rows:
            key = (place, last.get(pk))
            if key not in verdicts:
                d = due_of(place, key[1], moment, read=read)
                verdicts[key] = d is not None and d.overdue
            if verdicts[key] and area_id in ids:
                overdue[area_id] += 1
        out.extend((area_id, "disinfection_overdue", index, n) for area_id, n in overdue.items())
    return out
