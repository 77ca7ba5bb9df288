"""Isolation API: isolations, readings, alerts, lockdowns, quarantine sites (CONTRACT.md)."""

from typing import Literal

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from firstline.accounts.services import require_perm
from firstline.api.pagination import Paged
from firstline.apitypes import EventId, Id, Int, IsoDate, IsoDateTime, TemperatureIn
from firstline.areas.models import subtree_q
from firstline.areas.selectors import area_get_for_user
from firstline.errors import InvalidInput, choice_check
from firstline.people.models import Building
from firstline.people.selectors import (
    compound_get_for_user,
    compounds_visible_to,
    resident_get_for_user,
)

from . import selectors, services
from .models import AlertKind, AlertStatus, Kind, ReadingSource, Status, TransferStatus

router = Router()


def report_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("isolation:report", args=[token]))


# --- isolations -----------------------------------------------------------------------------

class IsolationIn(Schema):
    resident_id: Id
    kind: str = Field(..., description="home | centralized")
    reason: str = Field(..., max_length=200,
                        description="risk_area | close_contact | secondary_contact | fever | "
                                    "lockdown | other, or its label (密切接触者), or words: "
                                    "anything else is recorded as other, the words kept")
    starts_on: IsoDate
    days: Int | None = Field(None, description='default: rule "isolation.days" (14)')
    reason_note: str = ""
    reading_times: list[str] | None = Field(
        None, description='local "HH:MM" times a reading is due; default: rule '
                          '"isolation.reading_times" (09:00, 15:00)')


class IsolationCreated(Schema):
    id: int
    ends_on: IsoDate
    report_url: str
    rule_version: str


class IsolationOut(Schema):
    id: int
    resident_id: int
    household_id: int
    grid: str
    kind: str
    reason: str
    starts_on: IsoDate
    ends_on: IsoDate
    status: str
    ended_on: IsoDate | None
    end_reason: str
    lockdown_id: int | None
    site_id: int | None
    rule_version: str

    @staticmethod
    def resolve_grid(obj):
        return obj.grid.code


class DayOut(Schema):
    day: IsoDate
    status: str
    due: int
    received: int
    max: float | None


class IsolationDetail(IsolationOut):
    days: list[DayOut]


@router.post("/isolations", response={201: IsolationCreated},
             summary="Start a home isolation or centralized quarantine")
def isolation_create(request, payload: IsolationIn):
    """`ends_on` is the first local day no longer isolated (starts_on + days). `report_url` is
    the resident's self-report page (shown again with GET .../report-link; a new one, the old
    stopping, with POST .../report-link).
    One active isolation per resident: a second one is a 409."""
    require_perm(request.user, "isolation.manage")
    choice_check(payload.kind, Kind.values, "kind")
    resident = resident_get_for_user(request.user, payload.resident_id)
    iso = services.isolation_start(
        resident=resident, kind=payload.kind, reason=payload.reason, starts_on=payload.starts_on,
        days=payload.days, reason_note=payload.reason_note, actor=request.user,
        reading_times=payload.reading_times,
        # CONTRACT.md's call is {resident_id, kind, reason, starts_on, days}: no note, so a
        # bare "other" stays accepted here (the pages require the note).
        other_needs_note=False)
    return 201, {"id": iso.pk, "ends_on": iso.ends_on, "rule_version": iso.rule_version,
                 "report_url": report_url(request, iso.report_token)}


@router.get("/isolations", response=list[IsolationOut], summary="Isolations in scope")
@paginate(Paged)
def isolation_index(request, area: str | None = None, status: str | None = None,
                    kind: str | None = None):
    require_perm(request.user, "isolation.view")
    if status:
        choice_check(status, Status.values, "status")
    if kind:
        choice_check(kind, Kind.values, "kind")
    target = area_get_for_user(request.user, area) if area else None
    return selectors.isolation_list(request.user, area=target, status=status, kind=kind)


@router.get("/isolations/{isolation_id}", response=IsolationDetail,
            summary="One isolation with its status per day")
def isolation_detail(request, isolation_id: int):
    require_perm(request.user, "isolation.view")
    iso = selectors.isolation_get_for_user(request.user, isolation_id)
    iso.days = selectors.day_status(iso)
    return iso


class ExtendIn(Schema):
    days: Int
    reason: str


class ReleaseIn(Schema):
    reason: str


@router.post("/isolations/{isolation_id}/extend", response=IsolationOut,
             summary="Extend an active isolation by some days, with a reason")
def isolation_extend(request, isolation_id: int, payload: ExtendIn):
    require_perm(request.user, "isolation.manage")
    iso = selectors.isolation_get_for_user(request.user, isolation_id)
    return services.isolation_extend(isolation=iso, days=payload.days, reason=payload.reason,
                                     actor=request.user)


@router.post("/isolations/{isolation_id}/release", response=IsolationOut,
             summary="Release early (with a reason); the self-report link stops working")
def isolation_release(request, isolation_id: int, payload: ReleaseIn):
    require_perm(request.user, "isolation.manage")
    iso = selectors.isolation_get_for_user(request.user, isolation_id)
    return services.isolation_release(isolation=iso, reason=payload.reason, actor=request.user)


class LinkOut(Schema):
    report_url: str


@router.get("/isolations/{isolation_id}/report-link", response=LinkOut,
            summary="The resident's current self-report link, shown again (audited; it keeps "
                    "working)")
def isolation_link_show(request, isolation_id: int):
    require_perm(request.user, "isolation.record")
    iso = selectors.isolation_get_for_user(request.user, isolation_id)
    return {"report_url": report_url(request, services.isolation_show_link(
        isolation=iso, actor=request.user, via="api"))}


@router.post("/isolations/{isolation_id}/report-link", response=LinkOut,
             summary="A new self-report link (the old one stops working)")
def isolation_link(request, isolation_id: int):
    require_perm(request.user, "isolation.record")
    iso = selectors.isolation_get_for_user(request.user, isolation_id)
    return {"report_url": report_url(request, services.isolation_reissue_link(
        isolation=iso, actor=request.user))}


class ReadingIn(Schema):
    temperature: TemperatureIn
    symptoms: list[str] = []
    taken_at: IsoDateTime | None = None
    event_id: EventId = None


class ReadingOut(Schema):
    id: int
    isolation_id: int
    taken_at: IsoDateTime
    temperature: float
    symptoms: list[str]
    fever: bool
    source: str
    clock: Literal["ok", "corrected"] = Field(
        "ok", description='"corrected": taken_at was more than 5 minutes ahead of the '
                          "server's time; the reading was filed at the server's time")


@router.post("/isolations/{isolation_id}/readings",
             response={200: ReadingOut, 201: ReadingOut},
             summary="Record a reading on the resident's behalf; fever opens an alert")
def reading_create(request, isolation_id: int, payload: ReadingIn):
    """Temperature outside 34.0–43.0 °C is a 422 (a typo such as 365). Fever is the rule
    "fever.threshold_c" (≥ 37.3 °C) and opens an alert."""
    require_perm(request.user, "isolation.record")
    iso = selectors.isolation_get_for_user(request.user, isolation_id)
    reading = services.reading_record(
        isolation=iso, temperature=payload.temperature, symptoms=payload.symptoms,
        taken_at=payload.taken_at, source=ReadingSource.WORKER, actor=request.user,
        event_id=payload.event_id)
    return (200 if reading.replayed else 201), reading


@router.get("/isolations/{isolation_id}/readings", response=list[ReadingOut],
            summary="Readings of one isolation, newest first")
@paginate(Paged)
def reading_index(request, isolation_id: int):
    require_perm(request.user, "isolation.view")
    iso = selectors.isolation_get_for_user(request.user, isolation_id)
    return iso.readings.order_by("-taken_at", "-id")


# --- alerts ---------------------------------------------------------------------------------

class AlertOut(Schema):
    id: int
    kind: str
    status: str
    resident_id: int | None
    household_id: int | None
    isolation_id: int | None
    area: str
    detail: str
    owner: str | None
    opened_at: IsoDateTime
    acknowledged_at: IsoDateTime | None
    resolved_at: IsoDateTime | None
    outcome: str

    @staticmethod
    def resolve_area(obj):
        return obj.area.code

    @staticmethod
    def resolve_detail(obj):
        return obj.display_detail  # in the request's language

    @staticmethod
    def resolve_outcome(obj):
        return obj.display_outcome

    @staticmethod
    def resolve_owner(obj):
        return obj.owner.username if obj.owner_id else None


@router.get("/alerts", response=list[AlertOut], summary="Alerts in scope")
@paginate(Paged)
def alert_index(request, status: str | None = None, area: str | None = None,
                kind: str | None = None):
    """`status`: open | acknowledged | resolved | unresolved (open or acknowledged)."""
    require_perm(request.user, "isolation.view")
    if status:
        choice_check(status, [*AlertStatus.values, "unresolved"], "status")
    if kind:
        choice_check(kind, AlertKind.values, "kind")
    target = area_get_for_user(request.user, area) if area else None
    return selectors.alert_list(request.user, area=target, status=status, kind=kind)


class ResolveIn(Schema):
    outcome: str


@router.post("/alerts/{alert_id}/acknowledge", response=AlertOut,
             summary="Acknowledge an alert (take it, if it has no owner)")
def alert_ack(request, alert_id: int):
    require_perm(request.user, "alerts.handle")
    alert = selectors.alert_get_for_user(request.user, alert_id)
    return services.alert_acknowledge(alert=alert, actor=request.user)


class AssignOwnerIn(Schema):
    owner: str = Field(..., description="username of a worker who handles alerts there")


@router.post("/alerts/{alert_id}/assign", response=AlertOut,
             summary="Give an alert to a named worker")
def alert_owner(request, alert_id: int, payload: AssignOwnerIn):
    from firstline.accounts.models import User

    require_perm(request.user, "alerts.handle")
    alert = selectors.alert_get_for_user(request.user, alert_id)
    owner = User.objects.filter(username=payload.owner, is_active=True).first()
    return services.alert_assign(alert=alert, owner=owner, actor=request.user)


@router.post("/alerts/{alert_id}/resolve", response=AlertOut,
             summary="Resolve an alert with its outcome")
def alert_res(request, alert_id: int, payload: ResolveIn):
    require_perm(request.user, "alerts.handle")
    alert = selectors.alert_get_for_user(request.user, alert_id)
    return services.alert_resolve(alert=alert, outcome=payload.outcome, actor=request.user)


# --- lockdowns ------------------------------------------------------------------------------

class LockdownIn(Schema):
    building_id: Id | None = None
    compound_id: Id | None = None
    starts_on: IsoDate
    days: Int | None = Field(None, description='default: rule "isolation.days" (14)')
    reason: str = ""


class LockdownOut(Schema):
    id: int
    compound_id: int
    building_id: int | None
    starts_on: IsoDate
    ends_on: IsoDate
    lifted_at: IsoDateTime | None
    reason: str


class LockdownCreated(LockdownOut):
    households: int
    isolations_started: int
    already_isolated: int = Field(0, description="residents of the place who keep an "
                                  "isolation of their own (centralized, or home for another "
                                  "reason): not among isolations_started")


class LiftIn(Schema):
    reason: str = ""


@router.post("/lockdowns", response={201: LockdownCreated},
             summary="Lock down a building or a compound (封控)")
def lockdown_create(request, payload: LockdownIn):
    """Every current resident of every household in it goes under home isolation; their
    passes stop allowing "out" (reason `lockdown`). Give exactly one of building_id and
    compound_id."""
    require_perm(request.user, "isolation.manage")
    if (payload.building_id is None) == (payload.compound_id is None):
        raise InvalidInput("target_required", _("Give either building_id or compound_id."),
                           field="building_id")
    building = compound = None
    if payload.building_id is not None:
        building = get_object_or_404(
            Building.objects.filter(compound__in=compounds_visible_to(request.user))
            .select_related("compound"), pk=payload.building_id)
    else:
        compound = compound_get_for_user(request.user, payload.compound_id)
    lockdown = services.lockdown_create(compound=compound, building=building,
                                        starts_on=payload.starts_on, days=payload.days,
                                        reason=payload.reason, actor=request.user)
    return 201, lockdown


@router.get("/lockdowns", response=list[LockdownOut], summary="Lockdowns in scope")
@paginate(Paged)
def lockdown_index(request, compound: int | None = None, active: bool | None = None):
    require_perm(request.user, "isolation.view")
    qs = selectors.lockdowns_visible_to(request.user)
    if compound is not None:  # a compound outside the user's areas is a 404, not []
        qs = qs.filter(compound=compound_get_for_user(request.user, compound))
    if active:
        qs = selectors.lockdowns_in_force(qs)
    return qs.order_by("-starts_on", "-id")


@router.post("/lockdowns/{lockdown_id}/lift", response=LockdownOut,
             summary="Lift a lockdown: its isolations end and passes allow out again")
def lockdown_lift(request, lockdown_id: int, payload: LiftIn | None = None):
    require_perm(request.user, "isolation.manage")
    lockdown = selectors.lockdown_get_for_user(request.user, lockdown_id)
    return services.lockdown_lift(lockdown=lockdown, actor=request.user,
                                  reason=payload.reason if payload else "")


# --- quarantine sites -----------------------------------------------------------------------

class SiteIn(Schema):
    area: str = Field(..., description="code of the area that runs the site")
    name: str
    address: str = ""
    phone: str = ""


class SiteOut(Schema):
    id: int
    area: str
    name: str
    address: str
    phone: str
    active: bool

    @staticmethod
    def resolve_area(obj):
        return obj.area.code


class RoomsIn(Schema):
    numbers: list[str]
    beds: Int = 1
    floor: str = ""


class StayOut(Schema):
    isolation_id: int
    resident_id: int
    lead: bool
    family_reason: str
    started_at: IsoDateTime


class RoomOut(Schema):
    id: int
    number: str
    floor: str
    beds: int
    status: str
    cleaned_at: IsoDateTime | None
    stays: list[StayOut] = []


@router.post("/quarantine-sites", response={201: SiteOut}, summary="Add a quarantine site")
def site_create(request, payload: SiteIn):
    require_perm(request.user, "isolation.manage")
    area = area_get_for_user(request.user, payload.area)
    return 201, services.site_create(area=area, name=payload.name, address=payload.address,
                                     phone=payload.phone, actor=request.user)


@router.get("/quarantine-sites", response=list[SiteOut], summary="Quarantine sites in scope")
@paginate(Paged)
def site_index(request):
    require_perm(request.user, "isolation.view")
    return selectors.sites_visible_to(request.user).order_by("name")


@router.post("/quarantine-sites/{site_id}/rooms", response={201: list[RoomOut]},
             summary="Add rooms to a site")
def site_rooms_add(request, site_id: int, payload: RoomsIn):
    require_perm(request.user, "isolation.manage")
    site = selectors.site_get_for_user(request.user, site_id)
    return 201, services.rooms_add(site=site, numbers=payload.numbers, beds=payload.beds,
                                   floor=payload.floor, actor=request.user)


@router.get("/quarantine-sites/{site_id}/rooms", response=list[RoomOut],
            summary="The occupancy board: every room with its current occupants")
@paginate(Paged)
def site_rooms(request, site_id: int):
    require_perm(request.user, "isolation.view")
    site = selectors.site_get_for_user(request.user, site_id)
    return [{"id": r["room"].pk, "number": r["room"].number, "floor": r["room"].floor,
             "beds": r["room"].beds, "status": r["room"].status,
             "cleaned_at": r["room"].cleaned_at, "stays": r["stays"]}
            for r in selectors.occupancy_board(site)]


class RoomAssignIn(Schema):
    isolation_id: Id
    family_reason: str = ""


@router.post("/rooms/{room_id}/assign", response={201: StayOut},
             summary="Put a person in centralized quarantine into a room")
def room_assign(request, room_id: int, payload: RoomAssignIn):
    """One person per room; a member of the occupant's household may share it only with a
    reason (family_reason), and never beyond the room's beds. A room waiting for cleaning
    takes nobody (409)."""
    require_perm(request.user, "isolation.manage")
    room = selectors.room_get_for_user(request.user, room_id)
    iso = selectors.isolation_get_for_user(request.user, payload.isolation_id)
    return 201, services.room_assign(room=room, isolation=iso,
                                     family_reason=payload.family_reason, actor=request.user)


@router.post("/rooms/{room_id}/vacate", response=RoomOut, summary="Everyone leaves the room")
def room_vacate(request, room_id: int):
    require_perm(request.user, "isolation.manage")
    room = selectors.room_get_for_user(request.user, room_id)
    return services.room_vacate(room=room, actor=request.user)


@router.post("/rooms/{room_id}/cleaned", response=RoomOut,
             summary="Cleaning (终末消毒) done: the room is available again")
def room_cleaned(request, room_id: int):
    require_perm(request.user, "isolation.record")
    room = selectors.room_get_for_user(request.user, room_id)
    return services.room_mark_cleaned(room=room, actor=request.user)


class ClosedIn(Schema):
    closed: bool


@router.post("/rooms/{room_id}/service", response=RoomOut,
             summary="Take a free room out of service (closed: true) or put it back")
def room_service(request, room_id: int, payload: ClosedIn):
    require_perm(request.user, "isolation.manage")
    room = selectors.room_get_for_user(request.user, room_id)
    return services.room_set_closed(room=room, closed=payload.closed, actor=request.user)


class TransferIn(Schema):
    isolation_id: Id
    from_place: str
    pickup_at: IsoDateTime
    to_site_id: Id | None = None
    to_place: str = ""
    vehicle: str = ""
    escort: str = ""
    event_id: EventId = None


class TransferOut(Schema):
    id: int
    isolation_id: int
    from_place: str
    to_site_id: int | None
    to_place: str
    pickup_at: IsoDateTime
    vehicle: str
    escort: str
    status: str
    cancel_reason: str = Field("", description="Cancelled by the system: why "
                               "(`isolation_ended`); empty otherwise.")


class TransferStatusIn(Schema):
    status: str


@router.post("/transfers", response={200: TransferOut, 201: TransferOut},
             summary="Plan a transfer (转运)")
def transfer_create(request, payload: TransferIn):
    require_perm(request.user, "isolation.manage")
    iso = selectors.isolation_get_for_user(request.user, payload.isolation_id)
    site = (selectors.site_get_for_user(request.user, payload.to_site_id)
            if payload.to_site_id is not None else None)
    transfer = services.transfer_create(
        isolation=iso, from_place=payload.from_place, pickup_at=payload.pickup_at, to_site=site,
        to_place=payload.to_place, vehicle=payload.vehicle, escort=payload.escort,
        actor=request.user, event_id=payload.event_id)
    return (200 if transfer.replayed else 201), transfer


@router.get("/transfers", response=list[TransferOut], summary="Transfers in scope")
@paginate(Paged)
def transfer_index(request, status: str | None = None, area: str | None = None):
    require_perm(request.user, "isolation.view")
    qs = selectors.transfers_visible_to(request.user)
    if area:
        qs = qs.filter(subtree_q(area_get_for_user(request.user, area), "isolation__grid"))
    if status:
        choice_check(status, TransferStatus.values, "status")
        qs = qs.filter(status=status)
    return qs.order_by("pickup_at", "id")


@router.post("/transfers/{transfer_id}/status", response=TransferOut,
             summary="Move a transfer on: en_route, arrived, cancelled")
def transfer_status(request, transfer_id: int, payload: TransferStatusIn):
    require_perm(request.user, "isolation.record")
    transfer = selectors.transfer_get_for_user(request.user, transfer_id)
    return services.transfer_set_status(transfer=transfer, status=payload.status,
                                        actor=request.user)
