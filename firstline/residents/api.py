"""The residents' side API (CONTRACT.md "Residents"): two public endpoints (no login,
throttled, 201 {receipt} and nothing else) and the staff's declarations, tip-offs, notices
and newcomers. Thin: parse, call a selector or a service, answer."""

from datetime import date, datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from firstline import clock
from firstline.accounts.services import client_address, require_perm
from firstline.api.pagination import Paged
from firstline.apitypes import EventId, Id
from firstline.areas.selectors import area_get_for_user
from firstline.errors import InvalidInput, RuleViolation
from firstline.people.selectors import household_get_for_user
from firstline.people.services import (
    household_member_add,
    mask_id_number,
    mask_in_text,
    mask_phone,
)

from . import selectors as sel
from . import services

router = Router()

TEXT = 2000  # generous bounds for the parser; the services check the real lengths


class DeclarationIn(Schema):
    community: str = Field(..., max_length=TEXT)
    name: str = Field(..., max_length=TEXT)
    id_number: str = Field(..., max_length=TEXT)
    phone: str = Field(..., max_length=TEXT)
    compound: str = Field("", max_length=TEXT)
    building: str = Field("", max_length=TEXT)
    unit: str = Field("", max_length=TEXT)
    room: str = Field("", max_length=TEXT)
    from_province: str = Field(..., max_length=TEXT)
    from_city: str = Field("", max_length=TEXT)
    returned_on: str = Field(..., max_length=TEXT)
    transport: str = Field("", max_length=TEXT)
    transport_no: str = Field("", max_length=TEXT)
    symptoms: str = Field("", max_length=TEXT)


class TipIn(Schema):
    community: str = Field(..., max_length=TEXT)
    what: str = Field(..., max_length=TEXT)
    where: str = Field("", max_length=TEXT)
    contact: str | None = Field(None, max_length=TEXT)
    event_id: EventId = None


class Receipt(Schema):
    receipt: str


def _device(request) -> str:
    return f"ip:{client_address(request)}"


def _json_only(request) -> None:
    """A public endpoint takes JSON only: a cross-site form (text/plain, form-encoded) can
    then not post to it from a visitor's browser (JSON needs a CORS preflight we never grant)."""
    if request.content_type != "application/json":
        raise RuleViolation("unsupported_media_type",
                            _("Send the request as JSON (Content-Type: application/json)."),
                            status=415)


@router.post("/public/declarations", auth=None, response={201: Receipt, 415: dict},
             summary="返回登记: a resident declares a return (no login, throttled)")
def public_declaration(request, payload: DeclarationIn):
    _json_only(request)
    community = services.community_get(payload.community)
    d = services.declaration_submit(community=community, device=_device(request),
                                    **payload.dict(exclude={"community"}))
    return 201, {"receipt": d.receipt}


@router.post("/public/tips", auth=None, response={200: Receipt, 201: Receipt, 415: dict},
             summary="举报: a tip-off (no login, throttled)")
def public_tip(request, payload: TipIn):
    _json_only(request)
    community = services.community_get(payload.community)
    tip = services.tip_submit(community=community, what=payload.what, where=payload.where,
                              contact=payload.contact or "", device=_device(request),
                              event_id=payload.event_id)
    return (200 if tip.replayed else 201), {"receipt": tip.receipt}


# --- declarations ---------------------------------------------------------------------------

class DeclarationItem(Schema):
    id: int
    receipt: str
    resident_id: int | None
    name: str
    id_number_masked: str
    phone_masked: str
    returned_on: date
    from_province: str
    from_city: str
    address: str
    household_id: int | None
    status: str
    submissions: int
    created_at: datetime


def _declaration(d) -> dict:
    address = " ".join(x for x in [d.compound, d.building and f"{d.building}栋",
                                   d.unit and f"{d.unit}单元", d.room and f"{d.room}室"] if x)
    resident_id = d.resident_id if d.status == "confirmed" else getattr(d, "on_roster", None)
    return {"id": d.pk, "receipt": d.receipt, "resident_id": resident_id, "name": d.name,
            "id_number_masked": mask_id_number(d.id_number),
            "phone_masked": mask_phone(d.phone), "returned_on": d.returned_on,
            "from_province": d.from_province, "from_city": d.from_city, "address": address,
            "household_id": d.household_id, "status": d.status,
            "submissions": d.submissions, "created_at": d.created_at}


class _Mapped:
    def __init__(self, qs, fn):
        self.qs, self.fn = qs, fn

    def __getitem__(self, s):
        return [self.fn(x) for x in self.qs[s]]

    def count(self):
        return self.qs.count()


@router.get("/declarations", response=list[DeclarationItem],
            summary="Return declarations for the grid worker (scoped)")
@paginate(Paged)
def declarations(request, area: str | None = None, status: str = "pending"):
    require_perm(request.user, "people.screen")
    if status not in ("pending", "confirmed", ""):
        raise InvalidInput("bad_status", _("status: pending or confirmed."), field="status")
    qs = sel.declarations_in(sel.declarations_visible_to(request.user),
                             area=area_get_for_user(request.user, area) if area else None,
                             status=status)
    return _Mapped(qs.order_by("created_at", "pk"), _declaration)


class ConfirmIn(Schema):
    household_id: Id | None = Field(None, ge=1, le=2**31 - 1)
    residency: str = Field("", max_length=16)


class ConfirmedResident(Schema):
    id: int
    name: str
    id_number_masked: str
    phone_masked: str
    household: int
    grid: str


class ConfirmOut(Schema):
    id: int
    status: str
    resident_id: int
    household_id: int
    visit_id: int
    resident: ConfirmedResident
    created: bool = Field(description="a newcomer added to the roster by this confirmation")
    moved: bool = Field(description="on the roster at another address before: moved here")


@router.post("/declarations/{declaration_id}/confirm", response=ConfirmOut,
             summary="Confirm a declaration: the resident matched or added, the return recorded")
def declaration_confirm(request, declaration_id: int, payload: ConfirmIn | None = None):
    require_perm(request.user, "people.screen")
    d = sel.declaration_get_for_user(request.user, declaration_id)
    household = (household_get_for_user(request.user, payload.household_id)
                 if payload and payload.household_id else None)
    d = services.declaration_confirm(actor=request.user, declaration=d, household=household,
                                     residency=payload.residency if payload else "")
    r = d.resident
    return {"id": d.pk, "status": d.status, "resident_id": r.pk,
            "household_id": d.household_id, "visit_id": d.visit_id,
            "resident": {"id": r.pk, "name": r.name,
                         "id_number_masked": mask_id_number(r.id_number),
                         "phone_masked": mask_phone(r.phone), "household": r.household_id,
                         "grid": r.grid.code},
            "created": d.added, "moved": d.moved}


# --- newcomers at the door ------------------------------------------------------------------

class MemberIn(Schema):
    name: str = Field(..., max_length=TEXT)
    id_number: str = Field(..., max_length=TEXT)
    phone: str = Field("", max_length=TEXT)
    residency: str = Field("", max_length=TEXT)


class MemberOut(Schema):
    resident_id: int
    household_id: int
    created: bool
    moved: bool
    moved_from: str


@router.post("/households/{household_id}/members", response={201: MemberOut, 200: MemberOut},
             summary="A newcomer found at the door; an ID on the roster elsewhere is a move")
def household_member(request, household_id: int, payload: MemberIn):
    require_perm(request.user, "people.screen")
    household = household_get_for_user(request.user, household_id)
    added = household_member_add(actor=request.user, household=household, name=payload.name,
                                 id_number=payload.id_number, phone=payload.phone,
                                 residency=payload.residency)
    return (201 if added.created else 200), {
        "resident_id": added.resident.pk, "household_id": household.pk,
        "created": added.created, "moved": not added.created, "moved_from": added.moved_from}


# --- tip-offs -------------------------------------------------------------------------------

class TipItem(Schema):
    id: int
    receipt: str
    what: str
    where: str
    area: str
    contact_masked: str
    status: str
    note: str
    source: str
    created_at: datetime
    due_at: datetime
    overdue: bool
    reward: dict | None


def _tip(t, now) -> dict:
    reward = getattr(t, "reward", None) if hasattr(t, "reward") else None
    # free text as the page shows it: an ID number or mobile typed in is masked
    return {"id": t.pk, "receipt": t.receipt, "what": mask_in_text(t.what),
            "where": mask_in_text(t.where),
            "area": t.area.code, "contact_masked": services.tip_contact_masked(t),
            "status": t.status, "note": mask_in_text(t.note), "source": t.source, "created_at": t.created_at,
            "due_at": t.due_at, "overdue": t.status == "open" and t.due_at < now,
            "reward": ({"item": reward.item, "quantity": reward.quantity,
                        "status": reward.status, "how": reward.how,
                        "store": reward.store.code if reward.store_id else None}
                       if reward else None)}


@router.get("/tips", response=list[TipItem], summary="Tip-offs to verify (scoped)")
@paginate(Paged)
def tips(request, area: str | None = None, status: str = "open"):
    require_perm(request.user, "people.screen")
    if status not in ("open", "overdue", "valid", "invalid", "duplicate", ""):
        raise InvalidInput("bad_status", _("status: open, overdue, valid, invalid or "
                                           "duplicate."), field="status")
    now = clock.now()
    qs = sel.tips_in(sel.tips_visible_to(request.user),
                     area=area_get_for_user(request.user, area) if area else None,
                     status=status, now=now)
    return _Mapped(qs.select_related("area", "reward__store").order_by("due_at", "pk"),
                   lambda t: _tip(t, now))


@router.get("/tips/{tip_id}", response=TipItem, summary="One tip-off (contact masked)")
def tip_detail(request, tip_id: int):
    require_perm(request.user, "people.screen")
    return _tip(sel.tip_get_for_user(request.user, tip_id), clock.now())


class ContactOut(Schema):
    contact: str


@router.get("/tips/{tip_id}/contact", response=ContactOut,
            summary="The tipster's full contact (people.view_full; audited)")
def tip_contact(request, tip_id: int, reason: str = ""):
    require_perm(request.user, "people.view_full")
    tip = sel.tip_get_for_user(request.user, tip_id)
    return {"contact": services.tip_contact_read(actor=request.user, tip=tip, reason=reason,
                                                 via="api")}


class VerifyIn(Schema):
    valid: bool | None = None
    outcome: str = Field("", max_length=16, description="valid|invalid|duplicate; or `valid`")
    note: str = Field("", max_length=TEXT)


@router.post("/tips/{tip_id}/verify", response=TipItem,
             summary="Verify a tip-off; a valid one records one reward (rule tips.reward)")
def tip_verify(request, tip_id: int, payload: VerifyIn):
    require_perm(request.user, "people.screen")
    tip = sel.tip_get_for_user(request.user, tip_id)
    outcome = payload.outcome or ("" if payload.valid is None
                                  else "valid" if payload.valid else "invalid")
    tip = services.tip_verify(actor=request.user, tip=tip, outcome=outcome, note=payload.note)
    return _tip(sel.tip_get_for_user(request.user, tip.pk), clock.now())


# --- notices --------------------------------------------------------------------------------

NOTICE_TITLE = 200  # as the service (residents.services.notice_publish) and the page say
NOTICE_BODY = 20000  # as the model's body and the service say


class NoticeVersion(Schema):
    title: str = Field("", max_length=NOTICE_TITLE)
    body: str = Field("", max_length=NOTICE_BODY)


class NoticeIn(Schema):
    title: str = Field(..., max_length=NOTICE_TITLE)
    body: str = Field(..., max_length=NOTICE_BODY)
    areas: list[str] = Field(..., max_length=200)
    translations: dict[str, NoticeVersion] = Field(
        default_factory=dict, description='optional: {"zh-hant": {title, body}, "en": {...}}')
    event_id: EventId = None


class NoticeCreated(Schema):
    id: int
    url: str


class BuildingReach(Schema):
    compound: str
    building: str
    households: int
    acknowledged: int


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class NoticeOut(Schema):
    id: int
    title: str
    url: str
    households: int
    acknowledged: int
    created_at: datetime
    buildings: list[BuildingReach]
    attachments: list[AttachmentOut]


def _attachment_out(request, notice, a) -> dict:
    return {"id": a.pk, "name": a.name, "content_type": a.content_type, "size": a.size,
            "url": request.build_absolute_uri(reverse("residents:notice_attachment",
                                                      args=[notice.token, a.pk]))}


def _notice_url(request, notice) -> str:
    return request.build_absolute_uri(reverse("residents:notice_public", args=[notice.token]))


@router.post("/notices", response={200: NoticeCreated, 201: NoticeCreated},
             summary="Publish a notice to the households of some areas")
def notice_create(request, payload: NoticeIn):
    require_perm(request.user, "people.manage")
    areas = [area_get_for_user(request.user, code) for code in payload.areas]
    notice = services.notice_publish(
        actor=request.user, title=payload.title, body=payload.body, areas=areas,
        translations={k: v.dict() for k, v in payload.translations.items()},
        event_id=payload.event_id)
    return (200 if notice.replayed else 201), {"id": notice.pk, "url": _notice_url(request, notice)}


@router.get("/notices/{notice_id}", response=NoticeOut,
            summary="A notice's reach: households, and those that acknowledged (once each)")
def notice_detail(request, notice_id: int):
    require_perm(request.user, "people.view")
    notice = sel.notice_get_for_user(request.user, notice_id)
    return {"id": notice.pk, "title": notice.title, "url": _notice_url(request, notice),
            "created_at": notice.created_at, **services.notice_reach(notice),
            "buildings": services.notice_reach_by_building(notice),
            "attachments": [_attachment_out(request, notice, a)
                            for a in notice.attachments.all()]}


@router.post("/notices/{notice_id}/attachments", response={201: AttachmentOut},
             summary="Attach a file (multipart `file`: PDF or image, checked by content; "
                     "413 too large, 415 not a PDF/image)")
def notice_attachment_create(request, notice_id: int, file: File[UploadedFile]):
    require_perm(request.user, "people.manage")
    notice = sel.notice_get_for_user(request.user, notice_id, "people.manage")
    a = services.notice_attach(actor=request.user, notice=notice, file=file)
    return 201, _attachment_out(request, notice, a)
