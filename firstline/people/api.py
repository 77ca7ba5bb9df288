"""The roster API (CONTRACT.md): /residents, /residents/{id}, /compounds, /households.

Every list is scoped and paginated; ID numbers and phones are masked in lists; a read of one
resident is audited, and unmasked only with people.view_full."""

from typing import Literal
from uuid import UUID

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from firstline.accounts.services import require_perm
from firstline.api.pagination import Paged
from firstline.apitypes import Id, IsoDate, IsoDateTime, TemperatureIn
from firstline.areas.models import subtree_q
from firstline.areas.selectors import area_get_for_user
from firstline.errors import InvalidInput, choice_check

from . import selectors as sel
from .models import KeyPersonCategory
from .services import (
    API_NO_REASON,
    FULL_READ_REASONS,
    full_read_reason,
    mask_id_number,
    mask_in_text,
    mask_phone,
    resident_read,
    screening_visit_record,
)

router = Router()


class ResidentItem(Schema):
    id: int
    name: str
    id_number_masked: str
    phone_masked: str
    household: int
    grid: str


class ResidentFull(Schema):
    id: int
    name: str
    id_number: str
    id_number_masked: str
    masked: bool
    sex: str
    birth_date: IsoDate
    phone: str
    phone_masked: str
    residency: str
    grid: str
    household: int
    household_address: str
    compound_id: int
    note: str
    key_persons: list[str]
    created_at: IsoDateTime
    updated_at: IsoDateTime


class CompoundItem(Schema):
    id: int
    name: str
    area: str


class HouseholdItem(Schema):
    id: int
    compound_id: int
    building: str
    building_id: int | None  # for POST /lockdowns {building_id}; None when the address has none
    unit: str
    room: str
    members: int


class HouseholdDetail(HouseholdItem):
    address: str
    grid: str
    residents: list[ResidentItem]


def _item(r) -> dict:
    return {"id": r.pk, "name": r.name, "id_number_masked": mask_id_number(r.id_number),
            "phone_masked": mask_phone(r.phone), "household": r.household_id,
            "grid": r.grid.code}


def _household(h) -> dict:
    return {"id": h.pk, "compound_id": h.compound_id, "building": h.building_name,
            "building_id": h.building_id,
            "unit": h.unit, "room": h.room, "members": h.members}


@router.get("/residents", response=list[ResidentItem], summary="Residents (masked), scoped")
@paginate(Paged)
def residents(request, area: str | None = None, q: str = "", compound: int | None = None,
              household: int | None = None):
    """`q` matches the name, the phone's tail or the ID number's tail."""
    require_perm(request.user, "people.view")
    qs = sel.residents_visible_to(request.user)
    qs = sel.residents_in(
        qs,
        area=area_get_for_user(request.user, area) if area else None,
        compound=(sel.compound_get_for_user(request.user, compound)
                  if compound is not None else None),
        household=(sel.household_get_for_user(request.user, household)
                   if household is not None else None))
    qs = sel.resident_search(qs, q).select_related("grid").order_by("id")
    return _Lazy(qs, _item)


@router.get("/residents/{resident_id}", response=ResidentFull,
            summary="One resident's record (audited; unmasked with people.view_full)")
def resident_detail(request, resident_id: int, reason: str = Query("", description=(
        "Optional: why the full record is read, stored as the reason of the audit row this "
        "read writes. A code (`verify_identity`, `contact`, `transfer`) or free text of up "
        "to 100 characters (trimmed, inner blanks collapsed). Too long or holding a control "
        "character: 422 `bad_reason`; a NUL character: 422 `invalid` naming `reason`. "
        "Without it the answer is the same and the audit row says 未说明原因（API 读取）."))):
    """Unmasked for people.view_full holders (CONTRACT: this read answers the full record),
    who should say why: `reason` (a code of FULL_READ_REASONS or up to 100 characters of
    text) is stored as the why of the audit row. The contract fixes this read's answer, so
    a reader who gives no reason still gets it, and the audit row says so in words
    (API_NO_REASON) for the auditor to find. Others get the masked record."""
    require_perm(request.user, "people.view")
    r = sel.resident_get_for_user(request.user, resident_id)
    codes = dict(FULL_READ_REASONS)
    why = (full_read_reason(code=reason.strip()) if reason.strip() in codes
           else full_read_reason(text=reason, required=False)) or API_NO_REASON
    pii = resident_read(actor=request.user, resident=r, via="api", reason=why)
    full = pii is not None
    open_codes = sorted(r.key_facts.current()
                        .values_list("category__code", flat=True).distinct())
    return {
        "id": r.pk, "name": r.name,
        "id_number": pii["id_number"] if full else mask_id_number(r.id_number),
        "id_number_masked": mask_id_number(r.id_number), "masked": not full,
        "sex": r.sex, "birth_date": r.birth_date,
        "phone": pii["phone"] if full else mask_phone(r.phone), "phone_masked": mask_phone(r.phone),
        "residency": r.residency, "grid": r.grid.code, "household": r.household_id,
        "household_address": r.household.address, "compound_id": r.household.compound_id,
        "note": r.note if full else mask_in_text(r.note), "key_persons": open_codes,
        "created_at": r.created_at, "updated_at": r.updated_at,
    }


@router.get("/compounds", response=list[CompoundItem], summary="Compounds (小区), scoped")
@paginate(Paged)
def compounds(request, area: str | None = None):
    require_perm(request.user, "people.view")
    qs = sel.compounds_visible_to(request.user)
    if area:
        a = area_get_for_user(request.user, area)
        qs = sel.compounds_in_area(qs, a)
    qs = qs.select_related("area").order_by("id")
    return _Lazy(qs, lambda c: {"id": c.pk, "name": c.name, "area": c.area.code})


@router.get("/households", response=list[HouseholdItem], summary="Households, scoped")
@paginate(Paged)
def households(request, area: str | None = None, compound: int | None = None):
    """`members` is the number of current residents."""
    require_perm(request.user, "people.view")
    qs = sel.households_visible_to(request.user)
    if area:
        qs = qs.filter(subtree_q(area_get_for_user(request.user, area), "grid"))
    if compound is not None:  # ?compound=0 names no compound: a 404, not every household
        qs = qs.filter(compound=sel.compound_get_for_user(request.user, compound))
    qs = qs.annotate(members=Count("residents")).order_by("id")
    return _Lazy(qs, _household)


@router.get("/households/{household_id}", response=HouseholdDetail,
            summary="One household and its current members (masked)")
def household_detail(request, household_id: int):
    require_perm(request.user, "people.view")
    h = sel.household_get_for_user(request.user, household_id)
    members = list(h.residents.select_related("grid").order_by("id"))
    h.members = len(members)
    return {**_household(h), "address": h.address, "grid": h.grid.code,
            "residents": [_item(r) for r in members]}


class VisitPersonIn(Schema):
    resident_id: Id
    present: bool = True
    from_province: str = Field("", max_length=30)
    from_city: str = Field("", max_length=30)
    returned_on: IsoDate | None = Field(
        None, description="the day they came back: not after the day of the visit")
    transport: str = ""
    transport_no: str = Field("", max_length=30)
    symptoms: list[str] = Field([], max_length=20)
    temperature: TemperatureIn | None = None
    categories: list[str] = []


class VisitIn(Schema):
    event_id: UUID | None = None
    household_id: Id
    visited_at: IsoDateTime | None = None
    nobody_home: bool = False
    by_phone: bool = False
    note: str = Field("", max_length=200)
    people: list[VisitPersonIn] = []


class VisitOut(Schema):
    id: int
    event_id: UUID | None
    household_id: int
    visited_at: IsoDateTime
    nobody_home: bool
    source: Literal["screening", "declaration"] = Field(
        "screening", description='"screening": a visit to the door (or a call); "declaration": '
                                 "recorded when a return declaration was confirmed")
    screened: bool = Field(
        True, description="Counts the household as screened: a screening visit where someone "
                          "answered (not nobody_home, not a declaration's record)")
    key_persons: dict[str, list[str]]
    clock: Literal["ok", "corrected"] = Field(
        "ok", description='"corrected": visited_at was more than 5 minutes ahead of the '
                          "server's time; the visit was filed at the server's time")


def _visit_out(v) -> dict:
    facts = {}
    for rid, code in (v.people.filter(resident__key_facts__until__isnull=True,
                                      resident__key_facts__source="visit")
                      .values_list("resident_id", "resident__key_facts__category__code")):
        facts.setdefault(str(rid), []).append(code)
    return {"id": v.pk, "event_id": v.event_id, "household_id": v.household_id,
            "visited_at": v.visited_at, "nobody_home": v.nobody_home, "clock": v.clock,
            "source": v.source,
            "screened": v.screened,
            "key_persons": {k: sorted(set(c)) for k, c in facts.items()}}


@router.post("/visits", response={200: VisitOut, 201: VisitOut},
             summary="Record a screening visit (入户摸排); event_id makes a retry harmless")
def visit_create(request, payload: VisitIn):
    """One visit of a household; `key_persons` lists each member's open visit-derived
    categories afterwards. Sending the same `event_id` again returns the first visit (200)."""
    require_perm(request.user, "people.screen")
    household = sel.household_get_for_user(request.user, payload.household_id)
    members = {r.pk: r for r in household.residents.all()}
    people = []
    for p in payload.people:
        if p.resident_id not in members:
            raise InvalidInput("not_member", _("Resident %(id)s is not in this household.")
                               % {"id": p.resident_id}, field="people")
        people.append({**p.dict(exclude={"resident_id"}), "resident": members[p.resident_id],
                       "temperature": p.temperature})
    v = screening_visit_record(actor=request.user, household=household, people=people,
                     visited_at=payload.visited_at, nobody_home=payload.nobody_home,
                     by_phone=payload.by_phone, note=payload.note, event_id=payload.event_id)
    return (200 if v.replayed else 201), _visit_out(v)


@router.get("/visits/{visit_id}", response=VisitOut, summary="One screening visit")
def visit_detail(request, visit_id: int):
    require_perm(request.user, "people.view")
    return _visit_out(get_object_or_404(sel.visits_visible_to(request.user), pk=visit_id))


class KeyPersonItem(Schema):
    id: int
    resident_id: int
    name: str
    phone_masked: str
    category: str
    grid: str
    household: int
    since: IsoDateTime


@router.get("/key-persons", response=list[KeyPersonItem],
            summary="The key-person ledger (open facts), scoped and masked")
@paginate(Paged)
def key_persons(request, area: str | None = None, category: str | None = None):
    require_perm(request.user, "people.view")
    qs = sel.key_persons_open(request.user)
    if area:
        qs = qs.filter(subtree_q(area_get_for_user(request.user, area), "resident__grid"))
    if category:
        choice_check(category, list(KeyPersonCategory.objects.order_by("code")
                                    .values_list("code", flat=True)), "category")
        qs = qs.filter(category__code=category)
    return _Lazy(qs.order_by("id"), lambda k: {
        "id": k.pk, "resident_id": k.resident_id, "name": k.resident.name,
        "phone_masked": mask_phone(k.resident.phone), "category": k.category.code,
        "grid": k.resident.grid.code, "household": k.resident.household_id, "since": k.since})


class _Lazy:
    """A queryset mapped row by row after slicing, so the paginator's count stays one query."""

    def __init__(self, qs, fn):
        self.qs, self.fn = qs, fn

    def __getitem__(self, s):
        return [self.fn(x) for x in self.qs[s]]

    def count(self):
        return self.qs.count()

