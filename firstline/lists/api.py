"""/api/v1/ endpoints of the lists app: lists from above (核查), verifications, cases, tests."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from firstline.accounts.services import require_perm
from firstline.api.pagination import Paged
from firstline.apitypes import EventId, Id, Int, IsoDate, IsoDateTime, TemperatureIn, date_parse
from firstline.areas.models import subtree_q
from firstline.errors import InvalidInput, choice_check

from . import exports, selectors, services
from .models import CaseStatus, Result, Routing

router = Router()


def _bad_file(file, reason: str, code: str = "bad_file") -> InvalidInput:
    """A 422 naming the `file` field and the uploaded file's name, then why it is refused."""
    name = Path(file.name or "").name[:100]
    return InvalidInput(code, _("file %(name)s: %(reason)s")
                        % {"name": name, "reason": reason}, field="file")


# --- lists ------------------------------------------------------------------------------------

class ImportOut(Schema):
    id: int | None
    rows: int
    matched_by_id: int
    matched_by_name_phone: int
    matched_by_name_address: int
    unmatched: int
    created: bool


@router.post("/checklists", response={201: ImportOut, 200: ImportOut},
             summary="Import a list from above (核查名单), multipart")
def checklist_create(request, file: UploadedFile = File(...), source: str = Form(...),  # noqa: B008
                     deadline: str = Form(None), area: str = Form(None)):
    """CSV (UTF-8/GBK/GB18030/Big5) or xlsx in the sender's own columns, with at least a
    name and an ID number or phone. Each row is matched by ID number, else name + phone,
    else name + address. The same file from the same sender again adds nothing (200)."""
    require_perm(request.user, "lists.manage")
    due = date_parse(deadline, field="deadline")
    target = services.area_for_list(code=area, actor=request.user)
    suffix = Path(file.name or "").suffix.lower()
    if suffix not in (".csv", ".txt", ".xlsx"):
        raise _bad_file(file, _("Unsupported file type %(suffix)s: use .csv or .xlsx.")
                        % {"suffix": suffix or "?"})
    if file.size > settings.UPLOAD_MAX_MB * 2**20:  # said before it is copied and read
        raise _bad_file(file, _("The file is larger than %(mb)s MB: split it into several "
                                "files.") % {"mb": settings.UPLOAD_MAX_MB}, "too_large")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"list{suffix}"
        with open(path, "wb") as fh:
            for chunk in file.chunks():
                fh.write(chunk)
        result = services.checklist_import(path=path, source=source, deadline=due, area=target,
                                           actor=request.user, filename=file.name or "")
    if result.file_error:
        raise _bad_file(file, result.file_error, result.error_code or "bad_file")
    return (201 if result.created else 200), result.as_json()


class ChecklistItem(Schema):
    id: int
    source: str
    filename: str
    area: str
    deadline: IsoDate | None
    rows: int
    matched: int
    unmatched: int
    created_at: IsoDateTime

    @staticmethod
    def resolve_area(obj):
        return obj.area.code


@router.get("/checklists", response=list[ChecklistItem], summary="Lists from above")
@paginate(Paged)
def checklist_list(request, area: str | None = None):
    require_perm(request.user, "lists.manage")
    qs = selectors.checklists_visible_to(request.user).select_related("area")
    if area:
        target = selectors.area_for_user(request.user, area, "lists.manage")
        qs = qs.filter(subtree_q(target, "area"))
    return qs.order_by("-created_at", "-pk")


class AreaProgress(Schema):
    code: str
    name: str
    level: str
    matched: int
    done: int
    due: int
    overdue: int


class ChecklistOut(Schema):
    id: int
    source: str
    deadline: IsoDate | None
    columns: list[str]
    rows: int
    matched: int
    matched_by_id: int
    matched_by_name_phone: int
    matched_by_name_address: int
    unmatched: int
    done: int
    due: int
    overdue: int
    by_area: list[AreaProgress]


@router.get("/checklists/{checklist_id}", response=ChecklistOut,
            summary="Progress of one list: done / due / overdue by community and grid")
def checklist_detail(request, checklist_id: int):
    require_perm(request.user, "lists.manage")
    c = selectors.checklist_get_for_user(request.user, checklist_id)
    p = selectors.checklist_progress(request.user, c)
    return {"id": c.pk, "source": c.source, "deadline": c.deadline, "columns": c.columns,
            "rows": p["rows"], "matched": p["matched"], "matched_by_id": c.matched_by_id,
            "matched_by_name_phone": c.matched_by_name_phone,
            "matched_by_name_address": c.matched_by_name_address, "unmatched": c.unmatched,
            "done": p["done"], "due": p["due"], "overdue": p["overdue"],
            "by_area": p["by_area"]}


@router.get("/checklists/{checklist_id}/export",
            summary="The list in its own columns plus 核查结果, 核查时间, 核查人 (xlsx)")
def checklist_export(request, checklist_id: int, reason: str = "", reason_text: str = ""):
    """ID numbers and phones masked; unmasked with `?reason=` (one of verify_identity,
    contact, transfer, other — other with `reason_text`), which needs people.export_full
    and is audited with the reason."""
    require_perm(request.user, "lists.manage")
    c = selectors.checklist_get_for_user(request.user, checklist_id)
    why = exports.checklist_export_reason(actor=request.user, reason_code=reason,
                                          reason_text=reason_text)
    path = exports.checklist_xlsx(checklist=c, actor=request.user, reason=why)
    response = FileResponse(open(path, "rb"), as_attachment=True,
                            filename=exports.export_filename(c),
                            content_type="application/vnd.openxmlformats-officedocument."
                                         "spreadsheetml.sheet")
    path.unlink(missing_ok=True)  # the open handle keeps the data until it is sent
    return response


class RowOut(Schema):
    number: int
    name: str
    reason: str
    routing: str
    routed_to: str | None = Field(None, description="the street's code when it is in Firstline")
    routed_to_name: str = Field("", description="the street it was handed over to")
    route_note: str = Field("", description="why it was handed over")
    handed_over: int | None = Field(None, description="the list it joined in that street")

    @staticmethod
    def resolve_reason(obj):
        return obj.reason_shown  # in the request's language

    @staticmethod
    def resolve_routed_to(obj):
        return obj.routed_to.code if getattr(obj, "routed_to_id", None) else None

    @staticmethod
    def resolve_handed_over(obj):
        return obj.handed_over_id


@router.get("/checklists/{checklist_id}/unmatched", response=list[RowOut],
            summary="Rows that matched nobody, for the street to route")
@paginate(Paged)
def checklist_unmatched(request, checklist_id: int):
    require_perm(request.user, "lists.manage")
    c = selectors.checklist_get_for_user(request.user, checklist_id)
    if not services.in_scope(request.user, c.area, "lists.manage"):
        return []
    return selectors.unmatched_rows(c)


class RouteIn(Schema):
    routing: Routing
    to_area: str = Field("", max_length=30, description="other_street: the code of a street "
                         "in Firstline; the row joins a list there and is matched to its roster")
    to_name: str = Field("", max_length=100, description="other_street: the name of a street "
                         "outside Firstline (the row goes into the hand-over export)")
    note: str = Field("", max_length=200, description="why it is handed over")


@router.post("/checklists/{checklist_id}/rows/{number}/route", response=RowOut,
             summary="Route an unmatched row: not_ours, unknown, other_street (a hand-over)")
def checklist_row_route(request, checklist_id: int, number: int, payload: RouteIn):
    require_perm(request.user, "lists.manage")
    c = selectors.checklist_get_for_user(request.user, checklist_id)
    row = selectors.unmatched_rows(c).filter(number=number).first()
    if row is None:
        from django.http import Http404

        raise Http404
    return services.checklist_row_route(row=row, routing=payload.routing, actor=request.user,
                                        to_area=payload.to_area, to_name=payload.to_name,
                                        note=payload.note)


@router.get("/checklists/{checklist_id}/handover",
            summary="xlsx of the rows handed over to another street (转办清单)")
def checklist_handover_export(request, checklist_id: int, reason: str = "",
                              reason_text: str = ""):
    """The rows routed `other_street`, in the sender's columns plus 转至, 转办原因, 转办时间,
    转办人 and the list they joined in Firstline — the file for a street outside it. ID numbers
    and phones masked unless `?reason=` is given, as for the list's export."""
    require_perm(request.user, "lists.manage")
    c = selectors.checklist_get_for_user(request.user, checklist_id)
    if not services.in_scope(request.user, c.area, "lists.manage"):
        from django.http import Http404

        raise Http404
    why = exports.checklist_export_reason(actor=request.user, reason_code=reason,
                                          reason_text=reason_text)
    path = exports.handover_xlsx(checklist=c, actor=request.user, reason=why)
    response = FileResponse(open(path, "rb"), as_attachment=True,
                            filename=exports.handover_filename(c),
                            content_type="application/vnd.openxmlformats-officedocument."
                                         "spreadsheetml.sheet")
    path.unlink(missing_ok=True)
    return response


# --- verifications ----------------------------------------------------------------------------

class VerificationOut(Schema):
    id: int
    resident_id: int
    checklists: list[int]
    due: IsoDate | None
    status: str
    result: str


@router.get("/verifications", response=list[VerificationOut],
            summary="Verification items (one per person, naming all its lists)")
@paginate(Paged)
def verification_list(request, area: str | None = None, status: str = "open"):
    require_perm(request.user, "lists.verify")
    choice_check(status, ("open", "done", "overdue", "all"), "status", code="bad_status")
    target = selectors.area_for_user(request.user, area, "lists.verify") if area else None
    items = list(selectors.verification_list(request.user, area=target, status=status))
    lists = selectors.checklists_of(items)
    for v in items:
        v.checklists = lists.get(v.pk, [])
    return items


class OutcomeIn(Schema):
    result: Result
    temperature: TemperatureIn | None = None
    symptoms: str = Field("", max_length=200)
    from_province: str = Field("", max_length=30)
    from_city: str = Field("", max_length=30)
    returned_on: IsoDate | None = None
    note: str = Field("", max_length=200)


class OutcomeOut(Schema):
    id: int
    status: str
    result: str
    checklists: list[int]
    answered_at: IsoDateTime | None


@router.post("/verifications/{verification_id}/outcome", response=OutcomeOut,
             summary="Record the outcome: it answers every list the item names")
def verification_outcome(request, verification_id: int, payload: OutcomeIn):
    require_perm(request.user, "lists.verify")
    v = selectors.verification_get_for_user(request.user, verification_id)
    v = services.verification_answer(verification=v, actor=request.user, **payload.dict())
    return {"id": v.pk, "status": v.status, "result": v.result,
            "checklists": selectors.checklists_of([v]).get(v.pk, []),
            "answered_at": v.answered_at}


# --- cases and test results -------------------------------------------------------------------

class ContactIn(Schema):
    name: str = Field(..., max_length=50)
    id_number: str = Field("", max_length=30)
    phone: str = Field("", max_length=30)
    address: str = Field("", max_length=200)
    note: str = Field("", max_length=200)


class CaseIn(Schema):
    resident_id: Id
    status: CaseStatus
    on: IsoDate
    source: str = Field("", max_length=200)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=500)


class CaseOut(Schema):
    id: int
    resident_id: int
    status: str
    on: IsoDate
    source: str


def _resident(user, pk):
    return selectors.resident_for_user(user, pk, "lists.manage")


@router.post("/cases", response={200: CaseOut, 201: CaseOut},
             summary="Record a case on a resident (201), or the progress of their open one (200)")
def case_create(request, payload: CaseIn):
    """One open case per resident (any status but ruled_out): while one is open, this answers
    200 with that case, its status moved to the one sent (never back to suspected; ruled_out
    closes it) and new contacts added. A double tap records one case."""
    require_perm(request.user, "lists.manage")
    resident = _resident(request.user, payload.resident_id)
    case = services.case_record(resident=resident, status=payload.status, on=payload.on,
                                source=payload.source, actor=request.user,
                                contacts=[c.dict() for c in payload.contacts])
    return (201 if case.created else 200), case


@router.get("/cases", response=list[CaseOut], summary="Cases in an area")
@paginate(Paged)
def case_list(request, area: str | None = None):
    require_perm(request.user, "lists.manage")
    qs = selectors.cases_visible_to(request.user)
    if area:
        target = selectors.area_for_user(request.user, area, "lists.manage")
        qs = qs.filter(subtree_q(target, "grid"))
    return qs.order_by("-on", "-pk")


class ContactsListIn(Schema):
    deadline: IsoDate | None = None


@router.post("/cases/{case_id}/contacts-list", response={201: ImportOut, 200: ImportOut},
             summary="The case's household members and named contacts become a list")
def case_contacts_list(request, case_id: int, payload: ContactsListIn | None = None):
    require_perm(request.user, "lists.manage")
    case = selectors.case_get_for_user(request.user, case_id)
    result = services.case_contacts_list(case=case, actor=request.user,
                                         deadline=payload.deadline if payload else None)
    return (201 if result.created else 200), result.as_json()


class DaysIn(Schema):
    days: Int | None = Field(None, ge=1, le=60)


class CaseLockdownOut(Schema):
    id: int
    households: int
    isolations_started: int


@router.post("/cases/{case_id}/lockdown", response={201: CaseLockdownOut},
             summary="Lock down the case's building (or compound)")
def case_lockdown(request, case_id: int, payload: DaysIn | None = None):
    require_perm(request.user, "lists.manage")
    case = selectors.case_get_for_user(request.user, case_id)
    lockdown = services.case_lock_down(case=case, actor=request.user,
                                       days=payload.days if payload else None)
    return 201, lockdown


class CaseTransferOut(Schema):
    isolation_id: int
    kind: str
    ends_on: IsoDate


@router.post("/cases/{case_id}/transfer", response={201: CaseTransferOut},
             summary="Move the case from home to centralized isolation")
def case_transfer(request, case_id: int, payload: DaysIn | None = None):
    require_perm(request.user, "lists.manage")
    case = selectors.case_get_for_user(request.user, case_id)
    iso = services.case_transfer(case=case, actor=request.user,
                                 days=payload.days if payload else None)
    return 201, {"isolation_id": iso.pk, "kind": iso.kind, "ends_on": iso.ends_on}


class TestIn(Schema):
    resident_id: Id
    sampled_on: IsoDate
    result: str
    case: str | None = Field(None, description="with a positive result: make the case in "
                             "the same step, `confirmed` or `asymptomatic` (dated the sample "
                             "date, source `test N`); an open case is joined, never doubled")
    event_id: EventId = None


class TestOut(Schema):
    id: int
    resident_id: int
    sampled_on: IsoDate
    result: str
    prompt_case: bool = Field(description="positive and the person has no open case")
    case_id: int | None = Field(None, description="the open case this positive test belongs to")
    case_created: bool = Field(False, description="this request made the case")


@router.post("/test-results", response={200: TestOut, 201: TestOut},
             summary="A nucleic-acid test result; a positive one prompts or makes a case")
def test_result_create(request, payload: TestIn):
    require_perm(request.user, "lists.manage")
    resident = _resident(request.user, payload.resident_id)
    test = services.test_result_record(resident=resident, sampled_on=payload.sampled_on,
                                       result=payload.result, case_status=payload.case or None,
                                       actor=request.user, event_id=payload.event_id)
    return (200 if test.replayed else 201), test
