"""/api/v1/ endpoints for services to the isolated: requests, care calls, care packages."""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from firstline.accounts.models import User
from firstline.accounts.scope import has_perm
from firstline.accounts.services import require_perm
from firstline.api.pagination import Paged
from firstline.apitypes import EventId, Id, Int, IsoDate, IsoDateTime
from firstline.areas.models import subtree_q
from firstline.areas.selectors import area_get_for_user
from firstline.errors import InvalidInput
from firstline.operations.api import router as operations_router
from firstline.people.services import mask_in_text, mask_phone

from . import selectors, services
from .models import CallOutcome, PackageKind, RequestKind, RequestSource, RequestStatus

router = Router()


# --- service requests -------------------------------------------------------------------------

class RequestIn(Schema):
    household_id: Id
    kind: RequestKind
    detail: str = Field(..., max_length=500)
    source: RequestSource = RequestSource.WORKER
    event_id: EventId = None


class RequestAssignIn(Schema):
    volunteer_id: Id | None = None
    volunteer_name: str = Field("", max_length=50)
    volunteer_phone: str = Field("", max_length=20)


class StatusIn(Schema):
    status: RequestStatus
    amount: Decimal | None = Field(None, ge=0, le=100000)
    receipt_no: str = Field("", max_length=64)
    receipt_note: str = Field("", max_length=200)
    reason: str = Field("", max_length=200)


class RequestOut(Schema):
    id: int
    household_id: int
    address: str
    grid: str
    isolation_id: int | None
    kind: str
    detail: str
    source: str
    status: str
    volunteer_id: int | None
    volunteer: str
    volunteer_phone_masked: str
    amount: Decimal | None
    receipt_no: str
    receipt_note: str
    paid_back: bool
    cancel_reason: str
    created_at: IsoDateTime
    assigned_at: IsoDateTime | None
    bought_at: IsoDateTime | None
    delivered_at: IsoDateTime | None
    cancelled_at: IsoDateTime | None


    @staticmethod
    def resolve_address(obj):
        return obj.household.address

    @staticmethod
    def resolve_grid(obj):
        return obj.grid.code

    @staticmethod
    def resolve_volunteer(obj):
        return obj.volunteer_label

    @staticmethod
    def resolve_volunteer_phone_masked(obj):
        return mask_phone(obj.volunteer_phone)

    @staticmethod
    def resolve_detail(obj):  # free text as the page shows it: a typed ID or mobile masked
        return mask_in_text(obj.detail)

    @staticmethod
    def resolve_receipt_note(obj):
        return mask_in_text(obj.receipt_note)


class ErrandContactOut(Schema):
    resident_id: int
    phone_masked: str


class RequestDetailOut(RequestOut):
    volunteer_phone: str
    contacts: list[ErrandContactOut] = Field(
        [], description="The household's residents under isolation today who have a phone, "
                        "masked; POST .../contacts/{resident_id}/phone reveals one (audited)")

    @staticmethod
    def resolve_contacts(obj):
        return [{"resident_id": c.pk, "phone_masked": mask_phone(c.phone)}
                for c in getattr(obj, "contacts", ())]


class PhoneOut(Schema):
    resident_id: int
    phone: str


def _require_errands(user) -> None:
    """assistance.work, or assistance.own: a volunteer's login reads and moves only the
    errands assigned to it (the selectors add them to the areas one works in)."""
    require_perm(user, "assistance.work" if has_perm(user, "assistance.work")
                 else "assistance.own")


@router.get("/service-requests", response=list[RequestOut],
            summary="Service requests (代购/代办) in my areas")
@paginate(Paged)
def service_requests(request, status: RequestStatus | None = None,
                     kind: RequestKind | None = None, area: str | None = None,
                     mine: bool = False, open: bool = False):
    _require_errands(request.user)
    area_obj = area_get_for_user(request.user, area) if area else None
    return selectors.service_requests_list(request.user, status=status, kind=kind, area=area_obj,
                                           mine=mine, open_only=open)


class ErrandToTakeOut(Schema):
    """A new errand waiting for someone, as a volunteer's list shows it before they take one:
    what is needed and where roughly. No household, unit, room, name or phone."""
    id: int
    kind: str
    detail: str
    compound: str
    building: str
    created_at: IsoDateTime

    @staticmethod
    def resolve_compound(obj):
        return obj.household.compound.name

    @staticmethod
    def resolve_detail(obj):
        return mask_in_text(obj.detail)

    @staticmethod
    def resolve_building(obj):
        return obj.household.building_name


def _taker_perm(user) -> str:
    """Whose errands one may take (我来办): a grid worker's in their grid (assistance.work),
    else a volunteer's login in the area of its volunteer role (assistance.take); 403
    without either. The list and the take use the same one."""
    perm = "assistance.work" if has_perm(user, "assistance.work") else "assistance.take"
    require_perm(user, perm)
    return perm


# Before /service-requests/{request_id}, which would otherwise match "to-take".
@router.get("/service-requests/to-take", response=list[ErrandToTakeOut],
            summary="New errands waiting for someone to take them (我来办), masked")
@paginate(Paged)
def service_requests_to_take(request):
    """The new errands nobody runs yet where the caller may take one: for a volunteer's login
    the area of its volunteer role (the role that grants assistance.take), for a grid worker
    their grid. Longest waiting first; compound and building only — the full address and the
    household's phone come once taken (`POST /service-requests/{id}/take`)."""
    return selectors.errands_to_take(request.user, _taker_perm(request.user))


@router.post("/service-requests", response={200: RequestDetailOut, 201: RequestDetailOut},
             summary="Open a request for an isolated household")
def service_request_create(request, payload: RequestIn):
    require_perm(request.user, "assistance.work")
    household = selectors.household_get_for_user(request.user, payload.household_id)
    if payload.source == RequestSource.SELF_REPORT:
        raise InvalidInput("bad_source", _("self_report is for the resident's own page."),
                           field="source")
    req = services.service_request_create(household=household, kind=payload.kind,
                                          detail=payload.detail, source=payload.source,
                                          actor=request.user, event_id=payload.event_id)
    return (200 if req.replayed else 201), req


@router.get("/service-requests/{request_id}", response=RequestDetailOut,
            summary="One service request")
def service_request_detail(request, request_id: int):
    _require_errands(request.user)
    req = selectors.service_request_get_for_user(request.user, request_id)
    selectors.errand_contacts(request.user, [req])
    return req


@router.post("/service-requests/{request_id}/contacts/{resident_id}/phone", response=PhoneOut,
             summary="Reveal a contact's phone to ring them (a full read, audited as the errand)",
             description="For the errand's household's isolated residents (`contacts` of the "
                         "request): staff with people.view_full over the grid, or the "
                         "volunteer the open errand is assigned to. Never the ID number. "
                         "`reason` (query): verify_identity, contact (default) or transfer, "
                         "audited with the errand.")
def service_request_contact_phone(request, request_id: int, resident_id: int,
                                  reason: str = "contact"):
    _require_errands(request.user)
    resident, phone = services.errand_phone(actor=request.user, request_id=request_id,
                                            resident_id=resident_id, via="api", reason=reason)
    return {"resident_id": resident.pk, "phone": phone}


@router.post("/service-requests/{request_id}/assign", response=RequestDetailOut,
             summary="Assign to a volunteer (a user, or a name and phone)")
def service_request_assign(request, request_id: int, payload: RequestAssignIn):
    require_perm(request.user, "assistance.manage")
    req = selectors.service_request_get_for_user(request.user, request_id, "assistance.manage")
    volunteer = None
    if payload.volunteer_id is not None:
        volunteer = User.objects.filter(pk=payload.volunteer_id, is_active=True).first()
        if volunteer is None:
            raise InvalidInput("volunteer_unknown", _("No such volunteer."), field="volunteer_id")
    req = services.service_request_assign(request=req, actor=request.user, volunteer=volunteer,
                                          volunteer_name=payload.volunteer_name,
                                          volunteer_phone=payload.volunteer_phone)
    return req


@router.post("/service-requests/{request_id}/take", response=RequestDetailOut,
             summary="Take a new request myself (我来办)")
def service_request_take(request, request_id: int):
    """A grid worker in their grid (assistance.work), or a confirmed volunteer's login in the
    area of its volunteer role (assistance.take). 409 `bad_transition` unless new (someone
    else took it first)."""
    perm = _taker_perm(request.user)
    req = selectors.service_request_get_for_user(request.user, request_id, perm)
    return services.service_request_take(request=req, actor=request.user)


@router.post("/service-requests/{request_id}/status", response=RequestDetailOut,
             summary="Move to bought, delivered or cancelled")
def service_request_status(request, request_id: int, payload: StatusIn):
    _require_errands(request.user)
    req = selectors.service_request_get_for_user(request.user, request_id)
    req = services.service_request_transition(
        request=req, to=payload.status, actor=request.user, amount=payload.amount,
        receipt_no=payload.receipt_no, receipt_note=payload.receipt_note, reason=payload.reason)
    return req


@router.post("/service-requests/{request_id}/paid-back", response=RequestDetailOut,
             summary="The household paid the volunteer back")
def service_request_paid_back(request, request_id: int):
    _require_errands(request.user)
    req = selectors.service_request_get_for_user(request.user, request_id)
    req = services.service_request_paid_back(request=req, actor=request.user)
    return req


# --- care calls -------------------------------------------------------------------------------

class CallResidentOut(Schema):
    resident_id: int
    name: str
    phone_masked: str
    isolation_id: int
    ends_on: IsoDate


class CallSlotOut(Schema):
    slot: str
    outcome: str | None
    attempts: int
    at: IsoDateTime | None


class CallRowOut(Schema):
    household_id: int
    address: str
    residents: list[CallResidentOut]
    slots: list[CallSlotOut]


class CallIn(Schema):
    household_id: Id
    outcome: CallOutcome
    note: str = Field("", max_length=200)
    slot: str | None = Field(None, max_length=16)


class CallOut(Schema):
    id: int
    household_id: int
    day: IsoDate
    slot: str
    outcome: str
    note: str
    attempts: int
    at: IsoDateTime
    worker: str


def _row_out(row) -> dict:
    return {
        "household_id": row.household.pk, "address": row.household.address,
        "residents": [{"resident_id": r.pk, "name": r.name,
                       "phone_masked": mask_phone(r.phone), "isolation_id": i.pk,
                       "ends_on": i.ends_on} for r, i in row.residents],
        "slots": [{"slot": s, "outcome": c.outcome if c else None,
                   "attempts": c.attempts if c else 0, "at": c.at if c else None}
                  for s, c in row.slots],
    }


class _CallPages:
    """The call list as the paginator sees it: a page fetches only its households."""

    def __init__(self, calls):
        self.calls = calls

    def __getitem__(self, index: slice):
        return [_row_out(r) for r in self.calls[index]]

    def count(self) -> int:
        return self.calls.count()


@router.get("/care-calls", response=list[CallRowOut],
            summary="My call list for a day (today by default): isolated households and outcomes")
@paginate(Paged)
def care_calls(request, day: IsoDate | None = None, area: str | None = None):
    require_perm(request.user, "assistance.work")
    target = area_get_for_user(request.user, area) if area else None
    return _CallPages(selectors.CallList(request.user, day=day, area=target))


@router.post("/care-calls/residents/{resident_id}/phone", response=PhoneOut,
             summary="Reveal an isolated resident's phone for the care call (audited)",
             description="`reason` (query): verify_identity, contact (default) or transfer, "
                         "audited with the care call.")
def care_call_phone(request, resident_id: int,
                    reason: str = "contact"):
    resident, phone = services.care_call_phone(actor=request.user, resident_id=resident_id,
                                               via="api", reason=reason)
    return {"resident_id": resident.pk, "phone": phone}


@router.post("/care-calls", response={201: CallOut}, summary="Log a care call's outcome")
def care_call_log(request, payload: CallIn):
    require_perm(request.user, "assistance.work")
    household = selectors.household_get_for_user(request.user, payload.household_id)
    call = services.care_call_log(household=household, outcome=payload.outcome,
                                  actor=request.user, note=payload.note, slot=payload.slot)
    return 201, {"id": call.pk, "household_id": call.household_id, "day": call.day,
                 "slot": call.slot, "outcome": call.outcome, "note": call.note,
                 "attempts": call.attempts, "at": call.at, "worker": str(call.worker)}


# --- care packages and stock ------------------------------------------------------------------

class PackageIn(Schema):
    household_id: Id
    kind_id: Id
    override_reason: str = Field("", max_length=200)
    event_id: EventId = None


class PackageOut(Schema):
    id: int
    kind_id: int
    kind: str
    household_id: int
    address: str
    stock_area: str
    override_reason: str
    issued_at: IsoDateTime


class KindIn(Schema):
    name: str = Field(..., max_length=100)
    contents: str = Field("", max_length=2000)


class KindOut(Schema):
    id: int
    name: str
    contents: str


class StockIn(Schema):
    kind_id: Id
    area: str = Field(..., max_length=32)
    quantity: Int = Field(..., ge=-1_000_000, le=1_000_000)
    note: str = Field("", max_length=200)


class KitStockOut(Schema):
    id: int
    kind_id: int
    kind: str
    area: str
    quantity: int


def _package_out(issue) -> dict:
    return {"id": issue.pk, "kind_id": issue.kind_id, "kind": issue.kind.name,
            "household_id": issue.household_id, "address": issue.household.address,
            "stock_area": issue.store.area.code, "override_reason": issue.override_reason,
            "issued_at": issue.issued_at}


def _stock_out(stock, kind) -> dict:
    return {"id": stock.pk, "kind_id": kind.pk, "kind": kind.name,
            "area": stock.store.area.code, "quantity": stock.quantity}


def _kind(kind_id: int) -> PackageKind:
    return get_object_or_404(PackageKind, pk=kind_id)


@router.post("/care-packages", response={200: PackageOut, 201: PackageOut},
             summary="Issue a care package (e.g. 九个一) to a household; stock is decremented")
def care_package_issue(request, payload: PackageIn):
    require_perm(request.user, "assistance.work")
    household = selectors.household_get_for_user(request.user, payload.household_id)
    issue = services.package_issue(kind=_kind(payload.kind_id), household=household,
                                   actor=request.user, override_reason=payload.override_reason,
                                   event_id=payload.event_id)
    return (200 if issue.replayed else 201), _package_out(issue)


@router.get("/care-packages", response=list[PackageOut], summary="Care packages issued")
@paginate(Paged)
def care_packages(request, household: int | None = None, area: str | None = None):
    require_perm(request.user, "assistance.work")
    qs = selectors.package_issues_visible_to(request.user).select_related("store__area")
    if household is not None:  # a household outside the user's areas is a 404, not []
        qs = qs.filter(household=selectors.household_get_for_user(request.user, household))
    if area:
        qs = qs.filter(subtree_q(area_get_for_user(request.user, area), "grid"))
    return [_package_out(i) for i in qs]


@router.get("/package-kinds", response=list[KindOut], summary="Care-package kinds")
@paginate(Paged)
def package_kinds(request):
    require_perm(request.user, "assistance.work")
    return [{"id": k.pk, "name": k.name, "contents": k.contents}
            for k in selectors.package_kinds()]


@router.post("/package-kinds", response={201: KindOut}, summary="Define a care-package kind")
def package_kind_create(request, payload: KindIn):
    kind = services.package_kind_create(name=payload.name, contents=payload.contents,
                                        actor=request.user)
    return 201, {"id": kind.pk, "name": kind.name, "contents": kind.contents}


# GET /api/v1/stock is operations' (one stock model: kits are items there); POST /api/v1/stock
# receives kits by kind into an area's own store. It sits on operations' router because one
# path has one router; assistance depends on operations, never the reverse.

@operations_router.post("/stock", response={200: KitStockOut},
                        summary="Receive care kits into a street's or community's store "
                                "(negative: correction)")
def stock_receive(request, payload: StockIn):
    require_perm(request.user, "assistance.manage")
    area = area_get_for_user(request.user, payload.area)
    kind = _kind(payload.kind_id)
    s = services.stock_receive(kind=kind, area=area, quantity=payload.quantity,
                               actor=request.user, note=payload.note)
    return _stock_out(s, kind)
