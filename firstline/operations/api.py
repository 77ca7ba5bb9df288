"""/api/v1/ endpoints for operations (运行保障): people on duty, disinfection, supplies and
donations, HQ tasks. Thin: parse, check the permission, find in scope, call a service."""

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from firstline import clock
from firstline.accounts.services import require_perm
from firstline.api.pagination import Paged
from firstline.apitypes import CodeOrId, EventId, Id, Int, IsoDate, IsoDateTime
from firstline.areas.models import Level, subtree_q
from firstline.errors import InvalidInput
from firstline.people.services import mask_in_text, mask_phone

from . import selectors, services
from .models import Duty, PlaceKind, StoreKind, VolunteerKind

router = Router()


def _client_address(request) -> str:
    """The same client address as the login throttle's (right-most untrusted address of
    X-Forwarded-For with FIRSTLINE_TRUST_X_FORWARDED_FOR, else REMOTE_ADDR)."""
    from firstline.accounts.services import client_address

    return client_address(request)


def _device(value: IsoDateTime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=clock.zone())
    return value


# --- people on duty ---------------------------------------------------------------------------

class VolunteerIn(Schema):
    name: str = Field(..., max_length=50)
    phone: str = Field(..., max_length=20)
    kind: VolunteerKind
    area: str = Field(..., max_length=32)
    skills: str = Field("", max_length=200)
    availability: str = Field("", max_length=200)


class IdOut(Schema):
    id: int


class VolunteerOut(Schema):
    id: int
    name: str
    phone_masked: str
    kind: str
    area: str
    on_duty: bool
    confirmed: bool
    skills: str
    availability: str

    @staticmethod
    def resolve_phone_masked(obj):
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_area(obj):
        return obj.area.code

    @staticmethod
    def resolve_confirmed(obj):
        return obj.confirmed_at is not None

    @staticmethod
    def resolve_on_duty(obj):
        return bool(getattr(obj, "on_duty", False))


@router.post("/volunteers", response={201: IdOut}, summary="Register a person on duty")
def volunteer_create(request, payload: VolunteerIn):
    require_perm(request.user, "operations.manage")
    area = selectors.area_for_user(request.user, payload.area, "operations.manage")
    v = services.volunteer_create(actor=request.user, area=area, name=payload.name,
                                  phone=payload.phone, kind=payload.kind, skills=payload.skills,
                                  availability=payload.availability)
    return 201, {"id": v.pk}


@router.get("/volunteers", response=list[VolunteerOut],
            summary="People on duty (party members, volunteers, staff) in my areas")
@paginate(Paged)
def volunteer_index(request, area: str | None = None, on_duty: bool | None = None,
                    confirmed: bool | None = None, kind: VolunteerKind | None = None):
    require_perm(request.user, "operations.work")
    area_obj = selectors.area_for_user(request.user, area, "operations.work") if area else None
    return selectors.volunteers_list(request.user, area=area_obj, on_duty=on_duty,
                                     confirmed=confirmed, kind=kind)


@router.get("/volunteers/{volunteer_id}", response=VolunteerOut, summary="One person on duty")
def volunteer_detail(request, volunteer_id: int):
    require_perm(request.user, "operations.work")
    return selectors.volunteer_get_for_user(request.user, volunteer_id)


@router.post("/volunteers/{volunteer_id}/confirm", response=VolunteerOut,
             summary="Confirm a self sign-up (once)")
def volunteer_confirm(request, volunteer_id: int):
    require_perm(request.user, "operations.manage")
    v = selectors.volunteer_get_for_user(request.user, volunteer_id, "operations.manage")
    services.volunteer_confirm(actor=request.user, volunteer=v)
    return selectors.volunteer_get_for_user(request.user, volunteer_id, "operations.manage")


class LoginIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=8, max_length=128)


class LoginOut(Schema):
    user_id: int
    username: str


@router.post("/volunteers/{volunteer_id}/login", response={201: LoginOut},
             summary="Give a person a login with the volunteer role (own assignments only)")
def volunteer_login(request, volunteer_id: int, payload: LoginIn):
    require_perm(request.user, "operations.manage")
    v = selectors.volunteer_get_for_user(request.user, volunteer_id, "operations.manage")
    user = services.volunteer_login_create(actor=request.user, volunteer=v,
                                           username=payload.username, password=payload.password)
    return 201, {"user_id": user.pk, "username": user.username}


class SignupLinkOut(Schema):
    area: str
    url: str


@router.get("/volunteers/signup-link/{area}", response=SignupLinkOut,
            summary="The community's public sign-up link (报到); its QR code carries it")
def signup_link(request, area: str):
    require_perm(request.user, "operations.manage")
    area_obj = selectors.area_for_user(request.user, area, "operations.manage")
    link = services.signup_link_get(actor=request.user, area=area_obj)
    url = request.build_absolute_uri(reverse("operations:signup", args=[link.token]))
    return {"area": area_obj.code, "url": url}


class SignupIn(Schema):
    token: str = Field(..., max_length=64)
    name: str = Field(..., max_length=50)
    phone: str = Field(..., max_length=20)
    kind: str = Field("volunteer", max_length=16)
    skills: str = Field("", max_length=200)
    availability: str = Field("", max_length=200)


class ReceivedOut(Schema):
    received: bool


@router.post("/public/volunteer-signups", response={201: ReceivedOut}, auth=None,
             summary="Public self sign-up (报到): no login, throttled, nothing shown back")
def volunteer_signup(request, payload: SignupIn):
    services.volunteer_sign_up(token=payload.token, name=payload.name, phone=payload.phone,
                               kind=payload.kind, skills=payload.skills,
                               availability=payload.availability,
                               address=_client_address(request))
    return 201, {"received": True}


class HonourOut(Schema):
    volunteer_id: int
    name: str
    kind: str
    hours: float


@router.get("/honour-roll", response=list[HonourOut],
            summary="光荣榜: hours on duty per person in an area")
@paginate(Paged)
def honour_roll(request, area: str):
    require_perm(request.user, "operations.work")
    area_obj = selectors.area_for_user(request.user, area, "operations.work")
    return [{"volunteer_id": v.pk, "name": v.name, "kind": v.kind, "hours": h}
            for v, h in selectors.honour_roll(request.user, area=area_obj)]


class AssignmentIn(Schema):
    volunteer_id: Id
    duty: Duty
    target_id: Id | None = None
    shift_id: Id | None = None
    target: str = Field("", max_length=100)
    starts_at: IsoDateTime | None = None
    ends_at: IsoDateTime | None = None


class AssignmentOut(Schema):
    id: int
    volunteer_id: int
    volunteer: str
    duty: str
    target_id: int | None
    target: str
    shift_id: int | None
    area: str
    starts_at: IsoDateTime
    ends_at: IsoDateTime
    checked_in_at: IsoDateTime | None
    checked_out_at: IsoDateTime | None
    on_duty: bool
    no_checkout: bool = Field(False, description="checked in, never checked out within the "
                              "grace: the duty ended by itself, hours count to ends_at")

    @staticmethod
    def resolve_volunteer(obj):
        return obj.volunteer.name

    @staticmethod
    def resolve_area(obj):
        return obj.area.code


@router.post("/assignments", response={201: IdOut},
             summary="Put a person on duty (409 overlap with another of theirs)")
def assignment_create(request, payload: AssignmentIn):
    require_perm(request.user, "operations.manage")
    v = selectors.volunteer_get_for_user(request.user, payload.volunteer_id,
                                         "operations.manage")
    shift = None
    if payload.shift_id is not None:
        from firstline.access.models import Shift

        shift = Shift.objects.filter(pk=payload.shift_id,
                                     checkpoint__compound__area=v.area).first()
        if shift is None:
            raise InvalidInput("unknown_shift", _("shift_id: no such shift in this person's "
                                                  "community."), field="shift_id")
    a = services.assignment_create(actor=request.user, volunteer=v, duty=payload.duty,
                                   target_id=payload.target_id, shift=shift,
                                   target=payload.target, starts_at=payload.starts_at,
                                   ends_at=payload.ends_at)
    return 201, {"id": a.pk}


@router.get("/assignments", response=list[AssignmentOut],
            summary="Assignments in my areas (a volunteer login: its own)")
@paginate(Paged)
def assignment_index(request, area: str | None = None, volunteer: int | None = None,
                     day: IsoDate | None = None, mine: bool = False):
    area_obj = selectors.area_for_user(request.user, area, "operations.work") if area else None
    if volunteer is not None:  # a person outside what the user sees is a 404, not []
        volunteer = selectors.assignment_volunteer_get_for_user(request.user, volunteer).pk
    return selectors.assignments_list(request.user, area=area_obj, volunteer_id=volunteer,
                                      day=day, mine=mine)


@router.post("/assignments/{assignment_id}/check-in", response=AssignmentOut,
             summary="Check in (on duty from now)")
def assignment_check_in(request, assignment_id: int):
    a = selectors.assignment_get_for_user(request.user, assignment_id)
    return services.assignment_check_in(actor=request.user, assignment=a)


@router.post("/assignments/{assignment_id}/check-out", response=AssignmentOut,
             summary="Check out")
def assignment_check_out(request, assignment_id: int):
    a = selectors.assignment_get_for_user(request.user, assignment_id)
    return services.assignment_check_out(actor=request.user, assignment=a)


# --- disinfection -----------------------------------------------------------------------------

class DueOut(Schema):
    place_id: int
    place: str
    kind: str
    area: str
    due_at: IsoDateTime
    overdue: bool
    last_done_at: IsoDateTime | None


def _due_row(d):
    return {"place_id": d.place.pk, "place": d.place.name, "kind": d.place.kind,
            "area": d.place.area.code, "due_at": clock.localtime(d.due_at),
            "overdue": d.overdue,
            "last_done_at": clock.localtime(d.last_done_at) if d.last_done_at else None}


@router.get("/disinfection/due", response=list[DueOut],
            summary="Places due or overdue for disinfection (local time)")
@paginate(Paged)
def disinfection_due(request, area: str, overdue: bool | None = None):
    require_perm(request.user, "operations.work")
    area_obj = selectors.area_for_user(request.user, area, "operations.work")
    return [_due_row(d) for d in selectors.disinfection_due(request.user, area=area_obj,
                                                             overdue_only=bool(overdue))]


class PlaceIn(Schema):
    area: str = Field(..., max_length=32)
    kind: PlaceKind
    name: str = Field(..., max_length=100)
    compound_id: Id | None = None


class PlaceOut(Schema):
    id: int
    name: str
    kind: str
    area: str
    compound_id: int | None
    active: bool

    @staticmethod
    def resolve_area(obj):
        return obj.area.code


@router.post("/disinfection/places", response={201: IdOut},
             summary="Add a place (lift, rubbish point, used-mask bin...)")
def place_create(request, payload: PlaceIn):
    require_perm(request.user, "operations.manage")
    area = selectors.area_for_user(request.user, payload.area, "operations.manage")
    compound = None
    if payload.compound_id is not None:
        from firstline.people.models import Compound

        compound = Compound.objects.filter(pk=payload.compound_id, area=area).first()
        if compound is None:
            raise InvalidInput("unknown_compound", _("compound_id: no such compound in this "
                                                     "community."), field="compound_id")
    p = services.place_create(actor=request.user, area=area, kind=payload.kind,
                              name=payload.name, compound=compound)
    return 201, {"id": p.pk}


@router.get("/disinfection/places", response=list[PlaceOut],
            summary="Places in force in an area (derived ones included)")
@paginate(Paged)
def place_index(request, area: str):
    require_perm(request.user, "operations.work")
    area_obj = selectors.area_for_user(request.user, area, "operations.work")
    return list(selectors.places_in_force(area_obj, on=clock.today()).order_by("name", "pk"))


class RoundIn(Schema):
    place_id: Id
    done_at: IsoDateTime | None = None
    agent: str = Field(..., max_length=100)
    volunteer_id: Id | None = None
    event_id: EventId = None


class RoundOut(Schema):
    id: int
    place_id: int
    place: str
    done_at: IsoDateTime
    agent: str
    by: str
    clock: str | None = None

    @staticmethod
    def resolve_place(obj):
        return obj.place.name

    @staticmethod
    def resolve_by(obj):
        return str(obj.by) if obj.by_id else ""


@router.post("/disinfection/rounds", response={200: RoundOut, 201: RoundOut},
             summary="Record a round: the place leaves the due list until next due")
def round_record(request, payload: RoundIn):
    require_perm(request.user, "operations.work")
    place = selectors.place_get_for_user(request.user, payload.place_id)
    volunteer = None
    if payload.volunteer_id is not None:
        volunteer = selectors.volunteer_get_for_user(request.user, payload.volunteer_id)
    now = clock.now()
    sent = _device(payload.done_at)
    r = services.round_record(actor=request.user, place=place, agent=payload.agent,
                              done_at=sent, volunteer=volunteer, now=now,
                              event_id=payload.event_id)
    if sent is not None and clock.device_time(sent, now=now).corrected:
        r.clock = "corrected"
    return (200 if r.replayed else 201), r


@router.get("/disinfection/rounds", response=list[RoundOut], summary="Rounds recorded")
@paginate(Paged)
def round_index(request, area: str | None = None, place: int | None = None):
    require_perm(request.user, "operations.work")
    area_obj = selectors.area_for_user(request.user, area, "operations.work") if area else None
    if place is not None:  # a place outside the user's areas is a 404, not []
        place = selectors.place_get_for_user(request.user, place).pk
    return selectors.rounds_list(request.user, area=area_obj, place_id=place)


# --- supplies and donations -------------------------------------------------------------------

class ItemIn(Schema):
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=100)
    unit: str = Field("", max_length=20)
    low_at: Int = Field(0, ge=0, le=1_000_000_000)


class ItemOut(Schema):
    id: int
    code: str
    name: str
    unit: str
    low_at: int


@router.get("/items", response=list[ItemOut], summary="The catalogue of supplies")
@paginate(Paged)
def item_index(request):
    require_perm(request.user, "operations.work")
    from .models import Item

    return Item.objects.order_by("code")


@router.post("/items", response={201: IdOut}, summary="Add an item to the catalogue")
def item_create(request, payload: ItemIn):
    item = services.item_create(actor=request.user, code=payload.code, name=payload.name,
                                unit=payload.unit, low_at=payload.low_at)
    return 201, {"id": item.pk}


class StoreIn(Schema):
    code: str = Field(..., max_length=40)
    name: str = Field(..., max_length=100)
    kind: StoreKind
    area: str = Field(..., max_length=32)


class StoreOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    area: str

    @staticmethod
    def resolve_area(obj):
        return obj.area.code


@router.post("/stores", response={201: IdOut}, summary="Add a store")
def store_create(request, payload: StoreIn):
    require_perm(request.user, "operations.manage")
    area = selectors.area_for_user(request.user, payload.area, "operations.manage")
    s = services.store_create(actor=request.user, code=payload.code, name=payload.name,
                              kind=payload.kind, area=area)
    return 201, {"id": s.pk}


@router.get("/stores", response=list[StoreOut], summary="Stores in my areas")
@paginate(Paged)
def store_index(request, area: str | None = None):
    require_perm(request.user, "operations.work")
    qs = selectors.stores_visible_to(request.user)
    if area:
        qs = qs.filter(subtree_q(selectors.area_for_user(request.user, area, "operations.work"),
                                 "area"))
    return qs.order_by("code")


def _item(ref) -> object:
    item = selectors.item_by_ref(ref)
    if item is None:
        raise InvalidInput("unknown_item", _("item: no such item."), field="item")
    return item


def _received_item(request, ref) -> object:
    """The item goods are received as: one of the catalogue (code, id or name), else a new
    item of the catalogue named as sent (its code the same text): a donation of something the
    catalogue lacks is received, not refused (CONTRACT.md names no catalogue)."""
    item = selectors.item_by_ref(ref)
    if item is not None:
        return item
    text = str(ref).strip()
    if not text or len(text) > 40 or text.isdigit():
        raise InvalidInput("unknown_item", _("item: no such item."), field="item")
    return services.item_create(actor=request.user, code=text, name=text)


def _store(request, ref, perm: str = "operations.work"):
    """A store by its code or id (selectors.store_get_for_user), else — a street's or a
    community's code — that area's own store, made on first receipt (services.store_of_area):
    "store: CODE-or-id" in CONTRACT.md. 404 outside the user's scope for `perm`."""
    from django.http import Http404

    try:
        return selectors.store_get_for_user(request.user, ref, perm)
    except Http404:
        if isinstance(ref, int):
            raise
        area = selectors.area_for_user(request.user, str(ref).strip(), perm)
        if area.level not in (Level.STREET, Level.COMMUNITY):
            raise
        store = services.store_of_area(area, create=perm == "operations.manage")
        if store is None:
            raise
        return store


# A store named by its code or its id, as text or a JSON integer (CONTRACT.md `store: CODE-or-id`).
StoreRef = CodeOrId(40)


class DonationRef(Schema):
    donor: str = Field(..., max_length=100)
    receipt_no: str = Field(..., max_length=64)
    donor_kind: str = Field("person", max_length=16)
    consent_named: bool = False
    purpose: str = Field("", max_length=200)


class ReceiveIn(Schema):
    store: StoreRef
    item: str = Field(..., max_length=100)
    quantity: Int
    donation: DonationRef | None = None
    note: str = Field("", max_length=200)
    event_id: UUID | None = Field(None, description="the device's id of this movement: sent "
                                  "again (a retry, a double tap) it moves nothing and answers "
                                  "200 with the stock as it stands")


class IssueIn(Schema):
    store: StoreRef
    item: str = Field(..., max_length=100)
    quantity: Int
    to: str = Field(..., max_length=200)
    event_id: UUID | None = Field(None, description="the device's id of this movement: sent "
                                  "again (a retry, a double tap) it moves nothing and answers "
                                  "200 with the stock as it stands")


class MoveIn(Schema):
    store: StoreRef
    to_store: StoreRef
    item: str = Field(..., max_length=100)
    quantity: Int
    event_id: UUID | None = Field(None, description="the device's id of this movement: sent "
                                  "again (a retry, a double tap) it moves nothing and answers "
                                  "200 with the stock as it stands")


class CountIn(Schema):
    store: StoreRef
    item: str = Field(..., max_length=100)
    quantity: Int


class StockOut(Schema):
    store: str
    item: str
    item_name: str
    quantity: int
    low: bool
    area: str

    @staticmethod
    def resolve_area(obj):
        return obj.store.area.code

    @staticmethod
    def resolve_store(obj):
        return obj.store.code

    @staticmethod
    def resolve_item(obj):
        return obj.item.code

    @staticmethod
    def resolve_item_name(obj):
        return obj.item.name

    @staticmethod
    def resolve_low(obj):
        threshold = obj.low_at if obj.low_at is not None else obj.item.low_at
        return bool(threshold) and obj.quantity <= threshold


@router.post("/stock/receive", response={200: StockOut, 201: StockOut}, summary="Goods received (bought, "
             "allocated or donated)")
def stock_receive(request, payload: ReceiveIn):
    require_perm(request.user, "operations.manage")
    # One transaction: a receipt refused (its quantity, its donation) leaves no store or
    # catalogue item made for it behind.
    with transaction.atomic():
        store = _store(request, payload.store, "operations.manage")
        item = _received_item(request, payload.item)
        row = services.stock_receive(actor=request.user, store=store, item=item,
                                     quantity=payload.quantity, note=payload.note,
                                     donation=payload.donation.dict() if payload.donation
                                     else None, event_id=payload.event_id)
    return (200 if row.replayed else 201), row


@router.post("/stock/issue", response={200: StockOut, 201: StockOut},
             summary="Hand out supplies (409 insufficient_stock, never negative)")
def stock_issue(request, payload: IssueIn):
    require_perm(request.user, "operations.work")
    store = _store(request, payload.store)
    item = _item(payload.item)
    row = services.stock_issue(actor=request.user, store=store, item=item,
                               quantity=payload.quantity, to=payload.to,
                               event_id=payload.event_id)
    return (200 if row.replayed else 201), row


@router.post("/stock/move", response={200: StockOut, 201: StockOut}, summary="Move between stores")
def stock_move(request, payload: MoveIn):
    require_perm(request.user, "operations.manage")
    store = _store(request, payload.store, "operations.manage")
    to_store = _store(request, payload.to_store, "operations.manage")
    item = _item(payload.item)
    row = services.stock_move(actor=request.user, store=store, to_store=to_store, item=item,
                              quantity=payload.quantity, event_id=payload.event_id)
    return (200 if row.replayed else 201), row


@router.post("/stock/count", response={201: StockOut}, summary="Stock count (盘点)")
def stock_count(request, payload: CountIn):
    require_perm(request.user, "operations.manage")
    store = selectors.store_get_for_user(request.user, payload.store, "operations.manage")
    item = _item(payload.item)
    row = services.stock_count(actor=request.user, store=store, item=item,
                               quantity=payload.quantity)
    return 201, row


class StockListOut(Schema):
    """A stock row: what one store holds of one item. Care kits (九个一) are items too (code
    "kit-<id>"): one stock model, one list."""

    item: str
    quantity: int
    store: str | None = None
    item_name: str | None = None
    low: bool | None = None
    area: str | None = None


@router.get("/stock", response=list[StockListOut],
            summary="What stores hold (?store=CODE-or-id, ?area=CODE), care kits included")
@paginate(Paged)
def stock_index(request, store: str | None = None, area: str | None = None):
    require_perm(request.user, "operations.work")
    store_obj = _store(request, store) if store else None
    area_obj = selectors.area_for_user(request.user, area, "operations.work") if area else None
    return [StockOut.from_orm(s).dict()
            for s in selectors.stock_list(request.user, store=store_obj, area=area_obj)]


# POST /api/v1/stock (care kits received into a street's or community's store, by kit kind) is
# added to this router by firstline.assistance.api: assistance depends on operations.


class DonationIn(Schema):
    area: str = Field(..., max_length=32)
    donor: str = Field(..., max_length=100)
    donor_kind: str = Field("person", max_length=16)
    receipt_no: str = Field(..., max_length=64)
    cash: Decimal | None = None
    consent_named: bool = False
    purpose: str = Field("", max_length=200)


class DonationOut(Schema):
    id: int
    area: str
    donor: str
    donor_kind: str
    receipt_no: str
    cash: Decimal | None
    consent_named: bool
    purpose: str
    received_at: IsoDateTime

    @staticmethod
    def resolve_area(obj):
        return obj.area.code


@router.post("/donations", response={201: IdOut}, summary="Record a donation (cash in yuan)")
def donation_create(request, payload: DonationIn):
    require_perm(request.user, "operations.manage")
    area = selectors.area_for_user(request.user, payload.area, "operations.manage")
    d = services.donation_record(actor=request.user, area=area, donor=payload.donor,
                                 donor_kind=payload.donor_kind, receipt_no=payload.receipt_no,
                                 cash=payload.cash, consent_named=payload.consent_named,
                                 purpose=payload.purpose)
    return 201, {"id": d.pk}


@router.get("/donations", response=list[DonationOut], summary="Donations in my areas")
@paginate(Paged)
def donation_index(request, area: str | None = None):
    require_perm(request.user, "operations.manage")
    area_obj = selectors.area_for_user(request.user, area, "operations.manage") if area else None
    return selectors.donations_list(request.user, area=area_obj)


# --- HQ tasks ---------------------------------------------------------------------------------

class TaskIn(Schema):
    title: str = Field(..., max_length=100)
    detail: str = Field("", max_length=2000)
    areas: list[str] = Field(default_factory=list, max_length=200)
    due_at: IsoDateTime
    group: str = Field("", max_length=50)
    groups: list[Id] = Field(default_factory=list, max_length=50,
                              description="working-group ids: one task per group")
    event_id: EventId = None


class TaskIdsOut(Schema):
    ids: list[int]


class TaskDoneIn(Schema):
    note: str = Field("", max_length=500)


class TaskOut(Schema):
    id: int
    batch: str
    title: str
    detail: str
    area: str
    group: str
    due_at: IsoDateTime
    status: str
    acknowledged_at: IsoDateTime | None
    done_at: IsoDateTime | None
    note: str
    file_name: str = ""
    file_type: str = ""
    working_group_id: int | None = None

    @staticmethod
    def resolve_area(obj):
        return obj.area.code

    @staticmethod
    def resolve_status(obj):
        return obj.status_at(clock.now())

    @staticmethod
    def resolve_detail(obj):  # free text as the page shows it: a typed ID or mobile masked
        return mask_in_text(obj.detail)

    @staticmethod
    def resolve_note(obj):
        return mask_in_text(obj.note)


@router.post("/tasks", response={200: TaskIdsOut, 201: TaskIdsOut},
             summary="任务下达: send a task to areas (one per area)")
def task_create(request, payload: TaskIn):
    require_perm(request.user, "operations.dispatch")
    areas = [selectors.area_for_user(request.user, code, "operations.dispatch")
             for code in payload.areas]
    groups = [get_object_or_404(selectors.working_groups_visible_to(request.user), pk=pk)
              for pk in payload.groups]
    tasks = services.task_send(actor=request.user, title=payload.title, detail=payload.detail,
                               areas=areas, due_at=_device(payload.due_at),
                               group=payload.group, groups=groups, event_id=payload.event_id)
    return (200 if tasks[0].replayed else 201), {"ids": [t.pk for t in tasks]}


class WorkingGroupIn(Schema):
    area: str = Field(..., max_length=32, description="the street's code")
    name: str = Field(..., max_length=50)
    members: list[str] = Field(default_factory=list, max_length=200, description="usernames")


class WorkingGroupOut(Schema):
    id: int
    area: str
    name: str
    members: list[str]


def _group_out(g) -> dict:
    return {"id": g.pk, "area": g.area.code, "name": g.name,
            "members": sorted(u.get_username() for u in g.members.all())}


@router.post("/working-groups", response={201: WorkingGroupOut},
             summary="One of HQ's working groups (指挥部工作组) with its members")
def working_group_create(request, payload: WorkingGroupIn):
    from firstline.accounts.models import User

    area = selectors.area_for_user(request.user, payload.area, "operations.dispatch")
    members = []
    for username in payload.members:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise InvalidInput("bad_member", _("members: unknown user %(user)s.")
                               % {"user": username[:50]}, field="members")
        members.append(user)
    g = services.working_group_create(actor=request.user, area=area, name=payload.name,
                                      members=members)
    return 201, _group_out(g)


@router.get("/working-groups", response=list[WorkingGroupOut], summary="HQ's working groups")
@paginate(Paged)
def working_group_index(request, area: str | None = None):
    require_perm(request.user, "operations.manage")
    qs = selectors.working_groups_visible_to(request.user)
    if area:
        qs = qs.filter(area=selectors.area_for_user(request.user, area, "operations.manage"))
    return [_group_out(g) for g in qs]


@router.get("/tasks", response=list[TaskOut], summary="Tasks of my areas")
@paginate(Paged)
def task_index(request, area: str | None = None, status: str | None = None):
    require_perm(request.user, "operations.manage")
    if status not in (None, "", "open", "overdue", "done"):
        raise InvalidInput("bad_status", _("status: open, overdue or done."), field="status")
    area_obj = selectors.area_for_user(request.user, area, "operations.manage") if area else None
    return selectors.tasks_list(request.user, area=area_obj, status=status)


@router.get("/tasks/{task_id}", response=TaskOut, summary="One task")
def task_detail(request, task_id: int):
    require_perm(request.user, "operations.manage")
    return selectors.task_get_for_user(request.user, task_id)


@router.post("/tasks/{task_id}/acknowledge", response=TaskOut, summary="Acknowledge a task")
def task_acknowledge(request, task_id: int):
    require_perm(request.user, "operations.manage")
    task = selectors.task_get_for_user(request.user, task_id)
    return services.task_acknowledge(actor=request.user, task=task)


@router.post("/tasks/{task_id}/done", response=TaskOut, summary="Report a task done, with a note")
def task_done(request, task_id: int, payload: TaskDoneIn):
    require_perm(request.user, "operations.manage")
    task = selectors.task_get_for_user(request.user, task_id)
    return services.task_done(actor=request.user, task=task, note=payload.note)


@router.post("/tasks/{task_id}/file", response={201: TaskOut},
             summary="Attach the file of a task's report (multipart `file`: PDF or image, "
                     "checked by content as on the page; 413 too large, 415 not a PDF/image, "
                     "409 file_exists)")
def task_file_attach(request, task_id: int, file: File[UploadedFile]):
    require_perm(request.user, "operations.manage")
    task = selectors.task_get_for_user(request.user, task_id)
    return 201, services.task_file_attach(actor=request.user, task=task, file=file)


@router.get("/tasks/{task_id}/file", summary="The file of a task's report",
            response={200: None})
def task_file_get(request, task_id: int):
    from django.http import FileResponse, Http404

    require_perm(request.user, "operations.manage")
    task = selectors.task_get_for_user(request.user, task_id)
    if not task.file:
        raise Http404
    response = FileResponse(task.file.open("rb"), content_type=task.file_type,
                            filename=task.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
