"""Reads for assistance, always through the acting user's scope (outside it: 404)."""

from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from firstline import clock
from firstline.accounts.models import User
from firstline.accounts.roles import Role
from firstline.accounts.scope import area_scope, in_scope
from firstline.areas.models import subtree_q
from firstline.isolation.models import Isolation
from firstline.isolation.models import Kind as IsolationKind
from firstline.people.models import Household

from .models import (
    OPEN_STATUSES,
    CareCall,
    PackageIssue,
    PackageKind,
    RequestStatus,
    ServiceRequest,
)
from .services import call_slots, slot_at

# --- service requests -------------------------------------------------------------------------

def own_errands_q(user) -> Q:
    """The errands assigned to the user themself, in the areas where they hold assistance.own
    (a volunteer's login sees these and nothing else of assistance)."""
    if not getattr(user, "pk", None):
        return Q(pk__in=[])
    return area_scope(user, "grid", "assistance.own") & Q(volunteer_id=user.pk)


def service_requests_visible_to(user, perm: str = "assistance.work"):
    """Requests in the areas where the user holds `perm`; for assistance.work also the
    errands assigned to them (all a volunteer's login sees)."""
    q = area_scope(user, "grid", perm)
    if perm == "assistance.work":
        q |= own_errands_q(user)
    return (ServiceRequest.objects.filter(q)
            .select_related("household__compound", "grid", "volunteer"))


def service_request_get_for_user(user, request_id, perm: str = "assistance.work"):
    return get_object_or_404(service_requests_visible_to(user, perm), pk=request_id)


def service_requests_list(user, *, status: str | None = None, kind: str | None = None,
                          area=None, open_only: bool = False, mine: bool = False):
    qs = service_requests_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if kind:
        qs = qs.filter(kind=kind)
    if area is not None:
        qs = qs.filter(subtree_q(area, "grid"))
    if mine:
        qs = qs.filter(volunteer=user)
    return qs.order_by("-created_at", "-pk")


def errands_to_take(user, perm: str = "assistance.take"):
    """The new errands nobody runs yet in the areas where the user holds `perm` (a
    volunteer's login: assistance.take, the area of its volunteer role), longest waiting
    first. For the list a volunteer chooses from, on the page and in the API: what is needed
    and where roughly (compound and building), no room and no phone until they take one."""
    return (ServiceRequest.objects.filter(area_scope(user, "grid", perm),
                                          status=RequestStatus.NEW)
            .select_related("household__compound").order_by("created_at", "pk"))


def volunteers_for(user):
    """Users who may take a task in the staff member's areas: workers and staff (they hold
    assistance.work somewhere inside the staff member's scope) and confirmed volunteers with
    a login of their own (the `volunteer` role) there."""
    workers = Q(assignments__role__in=("grid_worker", "community_staff", "street_staff"))
    volunteers = Q(assignments__role=Role.VOLUNTEER, volunteer__confirmed_at__isnull=False)
    return (User.objects.filter(area_scope(user, "assignments__area", "assistance.manage"),
                                workers | volunteers, is_active=True)
            .distinct().order_by("username"))


def errand_contacts(user, requests, *, day: date | None = None) -> None:
    """Give each of `requests` (already in the user's scope) `contacts`: the residents under
    isolation today in its household who have a phone, as light objects (pk, phone) — no
    name, no ID: a volunteer needs only a number to ring — and `can_reveal`: whether the user
    may see a full number (the care-call reveal: assistance.work and people.view_full over
    the household's grid, audited); the page masks it otherwise."""
    day = day or clock.today()
    requests = list(requests)
    by_household: dict[int, list] = {}
    rows = (Isolation.objects.current(day)
            .filter(household_id__in={r.household_id for r in requests})
            .exclude(resident__phone="").order_by("resident__name", "pk")
            .values_list("household_id", "resident_id", "resident__phone"))
    for household_id, resident_id, phone in rows:
        by_household.setdefault(household_id, []).append(
            SimpleNamespace(pk=resident_id, phone=phone))
    for r in requests:
        r.contacts, r.contacts_shown = by_household.get(r.household_id, []), True
        r.can_reveal = ((in_scope(user, r.grid, "assistance.work")
                         and in_scope(user, r.grid, "people.view_full"))
                        or (r.volunteer_id == user.pk and r.is_open
                            and in_scope(user, r.grid, "assistance.own")))


def errand_contact_get(request: ServiceRequest, resident_id, day: date | None = None):
    """One of `request`'s contacts (errand_contacts): a resident under isolation today in its
    household who has a phone; 404 for anyone else."""
    iso = (Isolation.objects.current(day or clock.today())
           .filter(household_id=request.household_id, resident_id=resident_id)
           .exclude(resident__phone="").select_related("resident__grid").first())
    if iso is None:
        raise Http404
    return iso.resident


def errand_phone_granted(*, actor, resident, key, day: date | None = None) -> bool:
    """people.pii_read's "errand" grant: the volunteer's login (assistance.own) that errand
    `key` is assigned to may read the phone of a resident isolated today in its household,
    while the errand is open (OPEN_STATUSES: assigned or bought, for one with a volunteer);
    delivered, cancelled or re-assigned, no more."""
    return (ServiceRequest.objects.filter(own_errands_q(actor), pk=key,
                                          status__in=OPEN_STATUSES,
                                          household_id=resident.household_id).exists()
            and Isolation.objects.current(day or clock.today())
            .filter(household_id=resident.household_id, resident_id=resident.pk).exists())


def households_isolated(user, day: date, perm: str = "assistance.work"):
    """Households with an active isolation on `day` in the user's scope."""
    iso = Isolation.objects.current(day).filter(area_scope(user, "grid", perm))
    return (Household.objects.filter(pk__in=iso.values("household_id"))
            .select_related("compound").order_by("compound__name", "building_name", "unit",
                                                 "room"))


def household_get_for_user(user, household_id, perm: str = "assistance.work") -> Household:
    qs = Household.objects.filter(area_scope(user, "grid", perm)).select_related("compound",
                                                                                  "grid")
    return get_object_or_404(qs, pk=household_id)


def isolated_resident_get_for_user(user, resident_id, day: date | None = None):
    """A resident under active isolation today in the user's scope (404 otherwise)."""
    day = day or clock.today()
    iso = (Isolation.objects.current(day)
           .filter(area_scope(user, "grid", "assistance.work"), resident_id=resident_id)
           .select_related("resident").first())
    if iso is None:
        raise Http404
    return iso.resident


# --- care calls -------------------------------------------------------------------------------

@dataclass
class CallRow:
    household: Household
    residents: list = field(default_factory=list)   # [(resident, isolation)], light objects
    calls: dict = field(default_factory=dict)       # slot -> CareCall
    slots: list = field(default_factory=list)       # [(slot, CareCall | None)]


class CallList:
    """The call list of one user for one local day, computed in the database and paged by
    household: `len()`/`count()` and the counts are single queries; slicing fetches the
    isolated residents and calls of that page only (a street has thousands of households)."""

    def __init__(self, user, *, day: date | None = None, at: datetime | None = None,
                 area=None):
        at = at or clock.now()
        today = clock.localdate(at)
        self.day = day or today
        slots, _version = call_slots(self.day)
        self.slots = [n for n, _s in slots]
        self.is_today = self.day == today
        if self.is_today:
            self.current = slot_at(at)
            self.started = self.slots[: self.slots.index(self.current) + 1]
        else:
            self.current = self.slots[0]
            self.started = self.slots if self.day < today else []
        self.isolations = Isolation.objects.current(self.day).filter(
            area_scope(user, "grid", "assistance.work"), kind=IsolationKind.HOME)
        if area is not None:  # one area of the user's scope (its subtree)
            self.isolations = self.isolations.filter(subtree_q(area, "grid"))
        households = Household.objects.filter(pk__in=self.isolations.values("household_id"))
        address = ("compound__name", "building_name", "unit", "room", "pk")
        if self.is_today:  # still to call in this slot first, then address order
            households = households.annotate(done=Exists(
                CareCall.objects.filter(household=OuterRef("pk"), day=self.day,
                                        slot=self.current).exclude(outcome="no_answer")))
            households = households.order_by("done", *address)
        else:
            households = households.order_by(*address)
        self.households = households
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.households.count()
        return self._count

    __len__ = count

    @property
    def remaining(self) -> int:
        """Households still to call in the current slot (a "no answer" needs a call back)."""
        return self.households.filter(done=False).count() if self.is_today else 0

    @property
    def missed(self) -> int:
        """Earlier slots of the day in which a household got no call at all."""
        earlier = [n for n in self.started if not (self.is_today and n == self.current)]
        return sum(self.households.exclude(Exists(CareCall.objects.filter(
            household=OuterRef("pk"), day=self.day, slot=n))).count() for n in earlier)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.rows(self.households[index])
        return self.rows(self.households[index : index + 1])[0]

    def rows(self, households) -> list[CallRow]:
        households = list(households.select_related("compound").only(
            "building_name", "unit", "room", "grid_id", "compound__name"))
        rows = {h.pk: CallRow(household=h) for h in households}
        isolated = (self.isolations.filter(household_id__in=list(rows))
                    .order_by("resident__name", "pk")
                    .values_list("household_id", "pk", "ends_on", "resident_id",
                                 "resident__name", "resident__phone"))
        for household_id, iso_id, ends_on, resident_id, name, phone in isolated:
            rows[household_id].residents.append(
                (SimpleNamespace(pk=resident_id, id=resident_id, name=name, phone=phone),
                 SimpleNamespace(pk=iso_id, id=iso_id, ends_on=ends_on)))
        for call in CareCall.objects.filter(household_id__in=list(rows), day=self.day):
            rows[call.household_id].calls[call.slot] = call
        for row in rows.values():
            row.slots = [(n, row.calls.get(n)) for n in self.slots]
        return list(rows.values())

    def row_for(self, household) -> CallRow | None:
        found = self.rows(self.households.filter(pk=household.pk))
        return found[0] if found else None


def care_call_list(user, *, day: date | None = None, at: datetime | None = None,
                   offset: int = 0, limit: int | None = None, household=None) -> dict:
    """Today's call list: households under active home isolation in the worker's areas, each
    with the residents isolated and the outcome logged per slot.

    Returns {"day", "slots": [names], "current": slot, "rows": [CallRow], "total",
    "remaining", "missed", "list": CallList}: rows are `offset`..`offset+limit` (all when
    limit is None; only `household`'s when given, for re-rendering one card); `remaining` =
    households still to call in the current slot (a "no answer" still needs a call back);
    `missed` = earlier slots of the day with no call logged at all.
    """
    calls = CallList(user, day=day, at=at)
    if household is not None:
        row = calls.row_for(household)
        rows = [row] if row else []
    elif limit is None:
        rows = calls[offset:]
    else:
        rows = calls[offset : offset + limit]
    return {"day": calls.day, "slots": calls.slots, "current": calls.current, "rows": rows,
            "total": calls.count(), "remaining": calls.remaining, "missed": calls.missed,
            "list": calls}


def care_calls_logged(user, *, day: date):
    return (CareCall.objects.filter(area_scope(user, "grid", "assistance.work"), day=day)
            .select_related("household__compound", "worker").order_by("-at"))


# --- care packages ----------------------------------------------------------------------------

def stock_visible_to(user):
    """Care-kit stock: operations' stock rows of kit items, in stores of the user's areas."""
    from firstline.operations.models import Stock

    return (Stock.objects.filter(area_scope(user, "store__area", "assistance.work"),
                                 item__package_kind__isnull=False)
            .select_related("item__package_kind", "store__area")
            .order_by("store__area__path", "item__package_kind__name"))


def package_kinds():
    return PackageKind.objects.filter(active=True).order_by("name")


def package_issues_visible_to(user):
    return (PackageIssue.objects.filter(area_scope(user, "grid", "assistance.work"))
            .select_related("kind", "household__compound", "issued_by").order_by("-issued_at"))
