"""Closed management API (CONTRACT.md "Closed management"). Thin: parse, call, answer."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from firstline import clock
from firstline.accounts.services import require_perm
from firstline.api.pagination import Paged
from firstline.apitypes import Id, Int, IsoDate, IsoDateTime, TemperatureIn, TemperatureNumber
from firstline.areas.selectors import area_get_for_user
from firstline.errors import InvalidInput
from firstline.people.services import mask_phone

from . import selectors, services
from .models import Decision, Subject

router = Router()


# --- policies -------------------------------------------------------------------------------

class PolicyIn(Schema):
    closed: bool
    out_quota: Int = Field(..., ge=0, le=100)
    window_days: Int = Field(..., ge=1, le=366)
    starts_on: IsoDate


class PolicyChange(Schema):
    """A version saved for a later day: in force from `effective_at` (local midnight of
    `starts_on`)."""

    version: int
    closed: bool
    out_quota: int
    window_days: int
    starts_on: IsoDate
    effective_at: IsoDateTime


class PolicyOut(Schema):
    compound_id: int
    version: int | None
    closed: bool
    out_quota: int
    window_days: int
    starts_on: IsoDate
    # In force from: the moment it was saved, or local midnight of `starts_on` when later.
    effective_at: IsoDateTime | None
    source: str
    pending: bool = Field(False, description="Saved for a later day: not in force yet.")
    overridden_by: int | None = Field(
        None, description="The version, saved later, already in force by this one's "
                          "effective_at: this version never applies (the last saved wins).")
    next: PolicyChange | None = Field(
        None, description="GET and PUT: the next change of the compound's policy, when one "
                          "is saved for a later day (null in the history).")


def _policy_out(compound, policy, *, now, upcoming=None, overridden=None) -> dict:
    nxt = upcoming[0] if upcoming else None
    out = {"compound_id": compound.pk, "pending": False, "overridden_by": None,
           "next": None if nxt is None else {
               "version": nxt.version, "closed": nxt.closed, "out_quota": nxt.out_quota,
               "window_days": nxt.window_days, "starts_on": nxt.starts_on,
               "effective_at": nxt.effective_at}}
    if policy is None:
        q = services.quota_rule(compound.pk, now, clock.localdate(now))
        return {**out, "version": None, "closed": q.closed, "out_quota": q.quota,
                "window_days": q.window_days, "starts_on": q.starts_on, "effective_at": None,
                "source": "rules"}
    return {**out, "version": policy.version, "closed": policy.closed,
            "out_quota": policy.out_quota, "window_days": policy.window_days,
            "starts_on": policy.starts_on, "effective_at": policy.effective_at,
            "source": "policy", "pending": policy.effective_at > now,
            "overridden_by": (overridden or {}).get(policy.version)}


@router.put("/compounds/{compound_id}/policy", response=PolicyOut,
            summary="Set a compound's closed-management policy (a new version)",
            description="In force from the next scan, or from local midnight of `starts_on` "
                        "when that is a later day (`pending`, `effective_at`); until then the "
                        "version in force stays. Of the versions in force by a moment, the last "
                        "saved applies.")
def policy_put(request, compound_id: int, payload: PolicyIn):
    require_perm(request.user, "access.manage")
    compound = selectors.compound_get_for_user(request.user, compound_id)
    now = clock.now()
    policy = services.policy_set(compound=compound, actor=request.user, now=now,
                                 **payload.dict())
    return _policy_out(compound, policy, now=now,
                       upcoming=selectors.policy_upcoming(compound, now))


@router.get("/compounds/{compound_id}/policy", response=PolicyOut,
            summary="The policy in force now (rule defaults when none was set), and `next`: "
                    "a change saved for a later day")
def policy_get(request, compound_id: int):
    require_perm(request.user, "access.manage")
    compound = selectors.compound_get_for_user(request.user, compound_id)
    now = clock.now()
    return _policy_out(compound, selectors.policy_current(compound, now), now=now,
                       upcoming=selectors.policy_upcoming(compound, now))


@router.get("/compounds/{compound_id}/policy/history", response=list[PolicyOut],
            summary="Every version of the compound's policy, newest first")
@paginate(Paged)
def policy_history(request, compound_id: int):
    require_perm(request.user, "access.manage")
    compound = selectors.compound_get_for_user(request.user, compound_id)
    now = clock.now()
    versions = list(selectors.policy_history(compound))
    overridden = selectors.policy_overridden(versions)
    return [_policy_out(compound, p, now=now, overridden=overridden) for p in versions]


# --- checkpoints ----------------------------------------------------------------------------

class CheckpointIn(Schema):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field("", max_length=100)
    compound_id: Id


class CheckpointCreated(Schema):
    id: int
    code: str


class CheckpointOut(Schema):
    id: int
    code: str
    name: str
    compound_id: int
    is_open: bool


class CheckpointPatch(Schema):
    is_open: bool


@router.post("/checkpoints", response={201: CheckpointCreated}, summary="Add a checkpoint (卡口)")
def checkpoint_post(request, payload: CheckpointIn):
    require_perm(request.user, "access.manage")
    compound = selectors.compound_get_for_user(request.user, payload.compound_id)
    cp = services.checkpoint_create(compound=compound, code=payload.code, name=payload.name,
                                    actor=request.user)
    return 201, {"id": cp.pk, "code": cp.code}


@router.get("/checkpoints", response=list[CheckpointOut], summary="Checkpoints in scope")
@paginate(Paged)
def checkpoint_list(request, compound: int | None = None):
    require_perm(request.user, "access.scan")
    qs = selectors.checkpoints_for(request.user)
    if compound is not None:  # a compound outside the user's areas is a 404, not an empty list
        qs = qs.filter(compound=selectors.compound_get_for_user(request.user, compound,
                                                                "access.scan"))
    return qs.order_by("compound_id", "code")


@router.patch("/checkpoints/{checkpoint_id}", response=CheckpointOut,
              summary="Open or close a checkpoint")
def checkpoint_patch(request, checkpoint_id: int, payload: CheckpointPatch):
    require_perm(request.user, "access.manage")
    cp = selectors.checkpoint_get_for_user(request.user, checkpoint_id)
    return services.checkpoint_set_open(checkpoint=cp, is_open=payload.is_open,
                                        actor=request.user)


# --- passes ---------------------------------------------------------------------------------

class PassIssueIn(Schema):
    compound_id: Id | None = None
    household_id: Id | None = None


class Issued(Schema):
    household_id: int
    code: str


class IssueOut(Schema):
    issued: list[Issued]


class PassOut(Schema):
    code: str
    household_id: int
    issued_at: IsoDateTime
    revoked_at: IsoDateTime | None
    revoke_reason: str
    valid: bool

    @staticmethod
    def resolve_valid(obj):
        return obj["valid"] if isinstance(obj, dict) else obj.revoked_at is None


class RevokeIn(Schema):
    reason: str = Field("", max_length=100)


def _pass_out(p) -> dict:
    return {"code": p.code, "household_id": p.household_id, "issued_at": p.issued_at,
            "revoked_at": p.revoked_at, "revoke_reason": p.revoke_reason,
            "valid": p.revoked_at is None}


@router.post("/passes/issue", response=IssueOut,
             summary="Issue a pass (出入证) to every household of a compound, or to one household, "
                     "that lacks one")
def passes_issue(request, payload: PassIssueIn):
    require_perm(request.user, "access.manage")
    if (payload.compound_id is None) == (payload.household_id is None):
        raise InvalidInput("invalid", _("Give exactly one of compound_id and household_id."))
    if payload.compound_id is not None:
        compound = selectors.compound_get_for_user(request.user, payload.compound_id)
        households = list(compound.households.all().order_by("pk"))
    else:
        households = [selectors.household_get_for_user(request.user, payload.household_id)]
    new = services.pass_issue(households=households, actor=request.user,
                              began=getattr(request, "began_at", None))
    return {"issued": [{"household_id": p.household_id, "code": p.code} for p in new]}


@router.get("/passes", response=list[PassOut], summary="Passes of a household (or in scope)")
@paginate(Paged)
def passes_list(request, household: int | None = None, compound: int | None = None):
    require_perm(request.user, "access.manage")
    qs = selectors.passes_for(request.user)
    # A household or compound outside the user's areas is a 404, not an empty list.
    if household is not None:
        qs = qs.filter(household=selectors.household_get_for_user(request.user, household))
    if compound is not None:
        qs = qs.filter(household__compound=selectors.compound_get_for_user(request.user,
                                                                           compound))
    return qs.order_by("-issued_at", "-pk")


@router.post("/passes/{code}/revoke", response=PassOut, summary="Revoke a pass")
def passes_revoke(request, code: str, payload: RevokeIn | None = None):
    require_perm(request.user, "access.manage")
    p = selectors.pass_get_for_user(request.user, code)
    reason = payload.reason if payload else ""
    return _pass_out(services.pass_revoke(pass_obj=p, actor=request.user, reason=reason))


@router.post("/passes/{code}/reissue", response=Issued,
             summary="补办: revoke this pass (lost) and issue the household a new one")
def passes_reissue(request, code: str, payload: RevokeIn | None = None):
    require_perm(request.user, "access.manage")
    p = selectors.pass_get_for_user(request.user, code)
    new = services.pass_reissue(household=p.household, actor=request.user,
                                reason=(payload.reason if payload else "") or "lost")
    return {"household_id": new.household_id, "code": new.code}


# --- gate scans -----------------------------------------------------------------------------

class OfflineIn(Schema):
    decision: Literal["allow", "deny"]
    reason: str = Field(..., max_length=24)
    snapshot: str | None = Field(None, max_length=400,
                                 description="the signature of the snapshot it was decided from")


class ScanIn(Schema):
    event_id: UUID
    checkpoint: str = Field(..., max_length=40)
    pass_code: str = Field(..., max_length=200)
    direction: Literal["out", "in"]
    temperature: TemperatureNumber | None = None  # CONTRACT.md: number|null
    scanned_at: IsoDateTime
    offline: OfflineIn | None = Field(
        None, description="what the gate decided on its own while offline (the sync path)")


class HouseholdAtGate(Schema):
    id: int
    address: str
    compound: str
    building: str
    unit: str
    room: str
    members: int


class ScanOut(Schema):
    event_id: UUID
    decision: Literal["allow", "deny"]
    reason: str
    crossing_id: int
    remaining: int | None = Field(None, description="trips out left in the window; null: no quota")
    # Added for the guard (issue 16); the contract's fields above are unchanged.
    household: HouseholdAtGate | None = Field(
        None, description="the pass's household: address and members; null for an unknown pass")
    next_step: str = Field("", description="for a refusal: what the guard does next, in words")
    next_window: date | None = Field(
        None, description="quota_exhausted: the day the household's next period starts")
    notified: str | None = Field(
        None, description="fever: the grid worker the alert went to")
    offline_agrees: bool | None = Field(
        None, description="a scan decided offline: whether the server judged it the same")
    clock: Literal["ok", "corrected"] = Field(
        "ok", description='"corrected": scanned_at was more than 5 minutes ahead of the '
                          "server's time; the scan was judged and filed at the server's time")


class BatchIn(Schema):
    scans: list[ScanIn] = Field(..., max_length=500)


class BatchOut(Schema):
    results: list[ScanOut]


def _scan(request, s: ScanIn, via: str) -> "ScanOut":
    crossing = services.gate_scan(actor=request.user, event_id=s.event_id,
                                  checkpoint=s.checkpoint, pass_code=s.pass_code,
                                  direction=s.direction, temperature=s.temperature,
                                  scanned_at=s.scanned_at, via=via)
    answer = services.scan_verdict(crossing)
    if s.offline is not None:
        verdict = services.offline_verdict_record(
            crossing=crossing, decision=s.offline.decision, reason=s.offline.reason,
            snapshot=s.offline.snapshot)
        answer["offline_agrees"] = verdict.agrees
    return _scan_out(answer)


def _scan_out(answer: dict) -> ScanOut:
    """The answer as its schema, built without validating what the gate itself produced:
    ninja sends a schema instance as it is (validating the dict again cost a scan ~60 µs;
    the batch's answer is built the same way). The fields' types are the services' own;
    tests/access check the answer's shape."""
    household = answer.get("household")
    return ScanOut.model_construct(**{
        **answer, "household": household and HouseholdAtGate.model_construct(**household)})


@router.post("/gate/scans", response=ScanOut, url_name="gate_scan", summary="Judge one pass scan at a gate")
def gate_scan(request, payload: ScanIn):
    return _scan(request, payload, "api")


@router.post("/gate/scans/batch", response=BatchOut, url_name="gate_scan_batch",
             summary="Judge queued scans in order (the offline sync path)")
def gate_scan_batch(request, payload: BatchIn):
    require_perm(request.user, "access.scan")
    # Each scan is its own transaction: one scan's outcome never undoes another's.
    return BatchOut.model_construct(results=[_scan(request, s, "batch") for s in payload.scans])


@router.get("/gate/snapshot", response=dict, url_name="gate_snapshot",
            summary="A checkpoint's signed snapshot for deciding offline (hashed pass codes, "
                    "trips left, restrictions)")
def gate_snapshot(request, checkpoint: str):
    require_perm(request.user, "access.scan")
    cp = get_object_or_404(selectors.checkpoints_for(request.user, "access.scan").filter(is_open=True),
                           code=checkpoint.strip()[:40])
    return services.gate_snapshot(actor=request.user, checkpoint=cp)


class DisagreementOut(Schema):
    id: int
    event_id: UUID
    crossing_id: int
    checkpoint: str | None
    household_id: int | None
    address: str | None
    direction: str
    scanned_at: datetime
    offline_decision: str
    offline_reason: str
    decision: str
    reason: str
    snapshot_at: datetime | None
    reviewed_at: datetime | None
    reviewed_by: str | None


def _disagreement_out(v) -> dict:
    c = v.crossing
    return {"id": v.pk, "event_id": c.event_id, "crossing_id": c.pk,
            "checkpoint": c.checkpoint.code if c.checkpoint else None,
            "household_id": c.household_id,
            "address": c.household.address if c.household else None,
            "direction": c.direction, "scanned_at": c.scanned_at,
            "offline_decision": v.decision, "offline_reason": v.reason,
            "decision": c.decision, "reason": c.reason, "snapshot_at": v.snapshot_at,
            "reviewed_at": v.reviewed_at,
            "reviewed_by": str(v.reviewed_by) if v.reviewed_by else None}


@router.get("/gate/disagreements", response=list[DisagreementOut],
            summary="Decisions gates made offline that the server judged otherwise")
@paginate(Paged)
def gate_disagreements(request, area: str | None = None, reviewed: bool | None = False):
    require_perm(request.user, "access.duty")
    area_obj = area_get_for_user(request.user, area) if area else None
    return [_disagreement_out(v) for v in
            selectors.offline_disagreements(request.user, area=area_obj, reviewed=reviewed)[:1000]]


@router.post("/gate/disagreements/{verdict_id}/review", response=DisagreementOut,
             summary="Mark a disagreement as looked into")
def gate_disagreement_review(request, verdict_id: int):
    require_perm(request.user, "access.duty")
    v = get_object_or_404(selectors.offline_disagreements(request.user, reviewed=None),
                          pk=verdict_id)
    return _disagreement_out(services.offline_verdict_review(verdict=v, actor=request.user))


# --- visitors, vehicles, couriers -----------------------------------------------------------

class GateVisitIn(Schema):
    checkpoint_id: Id
    kind: Literal["visitor", "vehicle", "courier"]
    admitted: bool
    direction: Literal["out", "in"] = "in"
    name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    visiting: str = Field("", max_length=100)
    household_id: Id | None = None
    purpose: str = Field("", max_length=200)
    plate: str = Field("", max_length=12)
    origin: str = Field("", max_length=100)
    out_of_town: bool = False
    verified: str = Field("", max_length=100)
    turned_back_reason: str = Field("", max_length=200)
    event_id: UUID | None = None
    # 人员进出一律测温: required while rule gate.temperature_required is on (the default).
    temperature: TemperatureIn | None = None


class GateVisitOut(Schema):
    crossing_id: int
    kind: str
    # True iff the visitor, vehicle or courier was let in (a fever or a risk-area origin
    # turns them back whatever `admitted` the guard sent).
    admitted: bool
    decision: str
    reason: str
    name: str
    phone_masked: str
    plate: str
    origin: str
    out_of_town: bool
    temperature: float | None
    at: IsoDateTime


def _visit_out(c) -> dict:
    v = c.visit
    return {"crossing_id": c.pk, "kind": c.subject, "admitted": c.decision == Decision.ALLOW,
            "decision": c.decision, "reason": c.reason,
            "name": v.name, "phone_masked": mask_phone(v.phone), "plate": v.plate,
            "origin": v.origin, "out_of_town": v.out_of_town, "temperature": c.temperature,
            "at": c.scanned_at}


@router.post("/gate/visits", response={201: GateVisitOut},
             summary="Register a visitor, vehicle or courier, or turn them back (劝返)")
def visit_post(request, payload: GateVisitIn):
    require_perm(request.user, "access.visitors")
    cp = selectors.checkpoint_get_for_user(request.user, payload.checkpoint_id, "access.visitors")
    household = None
    if payload.household_id is not None:
        household = selectors.household_get_for_user(request.user, payload.household_id,
                                                     "access.visitors")
    data = payload.dict(exclude={"checkpoint_id", "kind", "household_id"})
    c = services.gate_visit_record(actor=request.user, checkpoint=cp, subject=payload.kind,
                              household=household, **data)
    return 201, _visit_out(c)


@router.get("/gate/visits", response=list[GateVisitOut], summary="Visits in scope, newest first")
@paginate(Paged)
def visit_list(request, checkpoint: int | None = None, day: IsoDate | None = None):
    require_perm(request.user, "access.visitors")
    qs = (selectors.crossings_for(request.user, "access.visitors")
          .exclude(subject=Subject.RESIDENT).select_related("visit"))
    if checkpoint is not None:  # a checkpoint outside the user's areas is a 404, not []
        qs = qs.filter(checkpoint=selectors.checkpoint_get_for_user(request.user, checkpoint,
                                                                    "access.visitors"))
    if day is not None:
        qs = qs.filter(day=day)
    return [_visit_out(c) for c in qs.order_by("-scanned_at")[:500]]


# --- duty -----------------------------------------------------------------------------------

class PlanIn(Schema):
    day: IsoDate
    shifts: Int = Field(3, ge=1, le=24)
    names: list[str] = Field(default_factory=list, max_length=24)


class ShiftOut(Schema):
    id: int
    checkpoint_id: int
    starts_at: IsoDateTime
    ends_at: IsoDateTime
    name: str
    user: str | None
    checked_in_at: IsoDateTime | None
    checked_out_at: IsoDateTime | None
    covering_for: str = Field(description="whom `user` stood in for (the name the shift was "
                                          "planned for); empty when they stood their own")


class ShiftCheckInIn(Schema):
    covering: bool = Field(False, description="checking in on a shift planned for someone else "
                                              "by name, as covering for them (顶班)")


def _shift_out(s) -> dict:
    return {"id": s.pk, "checkpoint_id": s.checkpoint_id, "starts_at": s.starts_at,
            "ends_at": s.ends_at, "name": s.name, "user": s.user.username if s.user else None,
            "checked_in_at": s.checked_in_at, "checked_out_at": s.checked_out_at,
            "covering_for": s.covering_for}


@router.post("/checkpoints/{checkpoint_id}/shifts/plan", response={201: list[ShiftOut]},
             summary="Cover a day with equal shifts (e.g. 24 h in 3 shifts)")
def shifts_plan(request, checkpoint_id: int, payload: PlanIn):
    require_perm(request.user, "access.manage")
    cp = selectors.checkpoint_get_for_user(request.user, checkpoint_id)
    made = services.shifts_plan(checkpoint=cp, day=payload.day, shifts=payload.shifts,
                                names=payload.names, actor=request.user)
    return 201, [_shift_out(s) for s in made]


@router.get("/shifts", response=list[ShiftOut], summary="Shifts in scope")
@paginate(Paged)
def shifts_list(request, checkpoint: int | None = None, day: IsoDate | None = None):
    require_perm(request.user, "access.duty")
    qs = selectors.shifts_for(request.user)
    if checkpoint is not None:  # a checkpoint outside the user's areas is a 404, not []
        qs = qs.filter(checkpoint=selectors.checkpoint_get_for_user(request.user, checkpoint,
                                                                    "access.duty"))
    if day is not None:
        qs = qs.filter(starts_at__date=day)
    return [_shift_out(s) for s in qs.order_by("starts_at")]


@router.post("/shifts/{shift_id}/check-in", response=ShiftOut, summary="Check in for a shift")
def shift_check_in(request, shift_id: int, payload: ShiftCheckInIn | None = None):
    require_perm(request.user, "access.duty")
    shift = get_object_or_404(selectors.shifts_for(request.user), pk=shift_id)
    with transaction.atomic():
        return _shift_out(services.shift_check_in(
            shift=shift, actor=request.user, covering=bool(payload and payload.covering)))


@router.post("/shifts/{shift_id}/check-out", response=ShiftOut, summary="Check out of a shift")
def shift_check_out(request, shift_id: int):
    require_perm(request.user, "access.duty")
    shift = get_object_or_404(selectors.shifts_for(request.user), pk=shift_id)
    return _shift_out(services.shift_check_out(shift=shift, actor=request.user))
