"""Quarantine sites (集中隔离点): rooms, stays and transfers."""

from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.services import audit, require_perm
from firstline.db import SentMeanwhile, create_once, is_unique_violation, sent_meanwhile, unique_or
from firstline.errors import InvalidInput, RuleViolation, choice_check

from ..models import (
    Isolation,
    Kind,
    QuarantineSite,
    Room,
    RoomStatus,
    RoomStay,
    Transfer,
    TransferStatus,
)
from .common import ROOM_NUMBER_MAX, ROOM_NUMBER_RE, _now, _stay_end, text_field
from .isolations import _require_active

# --- quarantine sites (集中隔离点) -------------------------------------------------------------

@transaction.atomic
def site_create(*, area, name: str, address: str = "", phone: str = "", actor) -> QuarantineSite:
    require_perm(actor, "isolation.manage")
    name = text_field(name, field="name", label=pgettext("isolation", "Name"), limit=100)
    address = text_field(address, field="address", label=_("Address"), limit=200)
    phone = text_field(phone, field="phone", label=pgettext("isolation", "Phone"), limit=20)
    if not name:
        raise InvalidInput("name_required", _("Give the site a name."), field="name")
    duplicate = RuleViolation("duplicate", _("A site with this name exists already."))
    if QuarantineSite.objects.filter(area=area, name=name).exists():
        raise duplicate
    with unique_or(duplicate):  # the same site added at the same instant: one row (site_unique)
        site = QuarantineSite.objects.create(area=area, name=name, address=address,
                                             phone=phone)
    audit(actor=actor, action=AuditAction.SITE_CREATE, obj=site)
    return site


class RoomsAdded(list):
    """The rooms created; `existing` names the numbers that were there already."""

    existing: list[str] = []


@transaction.atomic
def rooms_add(*, site: QuarantineSite, numbers: list[str], beds: int = 1, floor: str = "",
              actor) -> RoomsAdded:
    """Add rooms by number; numbers already there are left as they are (and named in
    `.existing` of the result). A number that does not look like a room refuses them all."""
    require_perm(actor, "isolation.manage")
    numbers = [str(n).strip() for n in numbers if str(n).strip()]
    if not numbers:
        raise InvalidInput("numbers_required", _("Give at least one room number."),
                           field="numbers")
    for n in numbers:
        if len(n) > ROOM_NUMBER_MAX:
            raise InvalidInput("bad_room_number",
                               _("Room number %(n)s… is too long: at most %(max)d characters.")
                               % {"n": n[:10], "max": ROOM_NUMBER_MAX}, field="numbers")
        if not ROOM_NUMBER_RE.match(n):
            raise InvalidInput("bad_room_number",
                               _("%(n)s is not a room number (digits, e.g. 301, A301 or 301B).")
                               % {"n": n}, field="numbers")
    floor = text_field(floor, field="floor", label=_("Floor"), limit=10)
    if not isinstance(beds, int) or isinstance(beds, bool) or not 1 <= beds <= 6:
        raise InvalidInput("bad_beds", _("beds must be from 1 to 6."), field="beds")
    numbers = list(dict.fromkeys(numbers))
    # The same rooms added at the same instant (a double tap, two workers): the unique
    # (site, number) refuses the loser's rows; it reads the rooms again and adds only those
    # still missing, as a request sent after the first would. Each retry finds at least one
    # more number taken, so it ends.
    for attempt in range(len(numbers) + 1):
        have = set(site.rooms.values_list("number", flat=True))
        new = RoomsAdded(Room(site=site, number=n, beds=beds, floor=floor)
                         for n in numbers if n not in have)
        new.existing = [n for n in numbers if n in have]
        try:
            with transaction.atomic():
                Room.objects.bulk_create(new)
            break
        except IntegrityError as exc:
            if not is_unique_violation(exc) or attempt == len(numbers):
                raise
    audit(actor=actor, action=AuditAction.SITE_ROOMS, obj=site, detail=f"+{len(new)}")
    return new


@transaction.atomic
def room_assign(*, room: Room, isolation: Isolation, family_reason: str = "", actor,
                now: datetime | None = None) -> RoomStay:
    """一人一间: put a person in quarantine into a room. A second person may share the room only
    if they are of the first occupant's household and a reason is given (a child with a
    parent, a carer); never two unrelated people, never more people than beds."""
    require_perm(actor, "isolation.manage")
    now = _now(now)
    room = Room.objects.select_for_update().select_related("site").get(pk=room.pk)
    iso = Isolation.objects.select_for_update().get(pk=isolation.pk)
    _require_active(iso, clock.localdate(now))
    if iso.kind != Kind.CENTRALIZED:
        raise RuleViolation("not_centralized",
                            _("Only people in centralized quarantine are given a room."))
    if RoomStay.objects.filter(isolation=iso, ended_at__isnull=True).exists():
        raise RuleViolation("already_in_room", _("This person already has a room."))
    if room.status == RoomStatus.CLEANING:
        raise RuleViolation("room_needs_cleaning",
                            _("This room must be cleaned before the next stay."))
    if room.status == RoomStatus.CLOSED:
        raise RuleViolation("room_closed", _("This room is out of service."))
    current = list(RoomStay.objects.filter(room=room, ended_at__isnull=True))
    lead = next((s for s in current if s.lead), None)
    family_reason = text_field(family_reason, field="family_reason",
                               label=_("Why together (family only)"), limit=200)
    if lead is not None:
        if lead.household_id != iso.household_id:
            raise RuleViolation("room_taken", _("This room is taken by someone of another "
                                                "household; one person per room."))
        if not family_reason:
            raise InvalidInput("family_reason_required",
                               _("Say why these family members share a room."),
                               field="family_reason")
        if len(current) >= room.beds:
            raise RuleViolation("room_full", _("This room has no free bed."))
    # Two people put in one free room at the same instant both find no lead; the partial
    # unique constraints (one lead a room, one open stay a person) keep one.
    with unique_or(RuleViolation("room_taken", _("This room was just taken; pick another."))):
        stay = RoomStay.objects.create(
            room=room, isolation=iso, resident_id=iso.resident_id,
            household_id=iso.household_id, lead=lead is None,
            family_reason=family_reason if lead is not None else "",
            started_at=now, created_by=actor)
    room.status = RoomStatus.OCCUPIED
    room.save(update_fields=["status"])
    if iso.site_id != room.site_id:
        iso.site = room.site
        iso.save(update_fields=["site"])
    audit(actor=actor, action=AuditAction.ROOM_ASSIGN, obj=stay, detail=f"room {room.pk}")
    return stay


@transaction.atomic
def room_vacate(*, room: Room, actor, now: datetime | None = None) -> Room:
    """Everyone leaves the room (moved elsewhere); it then waits for cleaning."""
    require_perm(actor, "isolation.manage")
    now = _now(now)
    room = Room.objects.select_for_update().get(pk=room.pk)
    for stay in RoomStay.objects.filter(room=room, ended_at__isnull=True):
        _stay_end(stay, at=now)
    room.refresh_from_db()
    audit(actor=actor, action=AuditAction.ROOM_VACATE, obj=room)
    return room


@transaction.atomic
def room_mark_cleaned(*, room: Room, actor, now: datetime | None = None) -> Room:
    """终末消毒 done: a room waiting for cleaning becomes available again."""
    require_perm(actor, "isolation.record")
    room = Room.objects.select_for_update().get(pk=room.pk)
    if room.status != RoomStatus.CLEANING:
        raise RuleViolation("not_waiting_for_cleaning", _("This room is not waiting for cleaning."))
    room.status = RoomStatus.AVAILABLE
    room.cleaned_at = _now(now)
    room.save(update_fields=["status", "cleaned_at"])
    audit(actor=actor, action=AuditAction.ROOM_CLEANED, obj=room)
    return room


@transaction.atomic
def room_set_closed(*, room: Room, closed: bool, actor) -> Room:
    """Take a free room out of service (broken heating...) or put it back."""
    require_perm(actor, "isolation.manage")
    room = Room.objects.select_for_update().get(pk=room.pk)
    if closed and room.status != RoomStatus.AVAILABLE:
        raise RuleViolation("room_not_free", _("Only a free room can be taken out of service."))
    if not closed and room.status != RoomStatus.CLOSED:
        raise RuleViolation("room_not_closed", _("This room is not out of service."))
    room.status = RoomStatus.CLOSED if closed else RoomStatus.AVAILABLE
    room.save(update_fields=["status"])
    audit(actor=actor, action=AuditAction.ROOM_CLOSE if closed else AuditAction.ROOM_REOPEN,
          obj=room)
    return room


def _open_transfer(iso: Isolation) -> Transfer | None:
    return Transfer.objects.open().filter(isolation=iso).select_related("to_site").first()


def _transfer_open(planned: Transfer | None) -> RuleViolation | None:
    """409 transfer_open naming the person's open transfer (None: there is none)."""
    if planned is None:
        return None
    return RuleViolation("transfer_open", _(
        "This person already has a transfer %(status)s (to %(to)s, pick-up %(time)s). "
        "Cancel it, or record the arrival, before planning another.") % {
        "status": planned.get_status_display(),
        "to": planned.to_site or planned.to_place,
        "time": f"{clock.localtime(planned.pickup_at):%m-%d %H:%M}"})


@transaction.atomic
def transfer_create(*, isolation: Isolation, from_place: str, pickup_at: datetime,
                    to_site: QuarantineSite | None = None, to_place: str = "",
                    vehicle: str = "", escort: str = "", actor,
                    now: datetime | None = None, event_id=None) -> Transfer:
    """转运: plan taking a person to a quarantine site (or elsewhere: hospital, home).
    One open transfer (planned or on the way) per person: a second is 409 `transfer_open`.
    Once per `event_id` (firstline.db.create_once): a retry answers the first transfer,
    `replayed` True."""
    require_perm(actor, "isolation.manage")
    now = _now(now)
    from_place = text_field(from_place, field="from_place", label=_("Pick up at"), limit=200)
    to_place = text_field(to_place, field="to_place", label=_("Destination"), limit=200)
    vehicle = text_field(vehicle, field="vehicle", label=_("Vehicle"), limit=50)
    escort = text_field(escort, field="escort", label=_("Escort"), limit=100)
    if not from_place:
        raise InvalidInput("from_required", _("Say where the pick-up is."), field="from_place")
    if to_site is None and not to_place.strip():
        raise InvalidInput("to_required", _("Give a site or a destination."), field="to_site_id")
    # Stored in UTC: the first answer then reads as a replay's (and a list's) does.
    pickup_at = pickup_at.astimezone(UTC)

    def same(first: Transfer) -> bool:
        return ((first.isolation_id, first.from_place, first.to_site_id, first.to_place,
                 first.pickup_at, first.vehicle, first.escort, first.created_by_id)
                == (isolation.pk, from_place, getattr(to_site, "pk", None), to_place,
                    pickup_at, vehicle, escort, actor.pk))

    def create() -> Transfer:
        # The person's row is the lock: two plans for one person at once are taken in turn,
        # and the second finds the first open (SQLite's IMMEDIATE transactions: in turn too).
        # NO KEY UPDATE: a transfer row written by another means takes KEY SHARE on this row
        # when its (deferred) foreign key is checked at commit; FOR UPDATE would deadlock with
        # it while this insert waits on that row's place in the constraint.
        iso = Isolation.objects.select_for_update(no_key=True).get(pk=isolation.pk)
        _require_active(iso, clock.localdate(now))
        if sent_meanwhile(Transfer, event_id):  # while we waited for the lock
            raise SentMeanwhile
        planned = _open_transfer(iso)
        if planned is not None:
            raise _transfer_open(planned)
        # A writer that skipped the lock (one_open_transfer_per_isolation): the sequential
        # answer, naming the transfer that won. The same event_id written meanwhile is
        # create_once's to answer (the first transfer), so that conflict stands.
        def lost() -> RuleViolation | None:
            if sent_meanwhile(Transfer, event_id):
                return None
            return _transfer_open(_open_transfer(iso))

        with unique_or(lost):
            transfer = Transfer.objects.create(
                isolation=isolation, from_place=from_place, to_site=to_site,
                to_place=to_place, pickup_at=pickup_at, vehicle=vehicle,
                escort=escort, created_by=actor, created_at=now, event_id=event_id)
        audit(actor=actor, action=AuditAction.TRANSFER_CREATE, obj=transfer)
        return transfer

    transfer, replayed = create_once(Transfer, event_id, same=same, create=create)
    transfer.replayed = replayed
    return transfer


TRANSFER_NEXT = {
    TransferStatus.PLANNED: {TransferStatus.EN_ROUTE, TransferStatus.ARRIVED,
                             TransferStatus.CANCELLED},
    TransferStatus.EN_ROUTE: {TransferStatus.ARRIVED, TransferStatus.CANCELLED},
}


@transaction.atomic
def transfer_set_status(*, transfer: Transfer, status: str, actor, room: Room | None = None,
                        family_reason: str = "", now: datetime | None = None) -> Transfer:
    """Move a transfer on. Arrived at a site: the site is recorded on the isolation and, with
    `room` (one of that site's), the person takes it at once (room_assign, same rules; a
    refused room leaves the arrival unrecorded too). Arrived elsewhere (home, hospital): the
    person's room at the site, if any, is left and waits for cleaning, and the isolation is
    no longer at a site."""
    require_perm(actor, "isolation.record")
    now = _now(now)
    # The person's row first, as the isolation's end takes it (then cancels this transfer):
    # one waits for the other, never each for the other's row.
    list(Isolation.objects.select_for_update(no_key=True).filter(pk=transfer.isolation_id)
         .values_list("pk", flat=True))
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    choice_check(status, TransferStatus.values, "status", code="bad_status")
    if room is not None and (status != TransferStatus.ARRIVED
                             or room.site_id != transfer.to_site_id):
        raise InvalidInput("bad_room", _("Pick a room of the site the person arrives at."),
                           field="room")
    if status not in TRANSFER_NEXT.get(transfer.status, set()):
        raise RuleViolation("bad_transition", _("A transfer that is %(now)s cannot become %(new)s.")
                            % {"now": transfer.get_status_display(),
                               "new": TransferStatus(status).label})
    transfer.status = status
    transfer.status_at = now
    transfer.save(update_fields=["status", "status_at"])
    if status == TransferStatus.ARRIVED and transfer.to_site_id:
        Isolation.objects.filter(pk=transfer.isolation_id).update(site_id=transfer.to_site_id)
    elif status == TransferStatus.ARRIVED:
        for stay in RoomStay.objects.filter(isolation_id=transfer.isolation_id,
                                            ended_at__isnull=True):
            _stay_end(stay, at=now)
        # No longer at the site: off its board's leaving list, and the person's page no longer
        # names it (Isolation.site is where the person is, arrived or in a room).
        Isolation.objects.filter(pk=transfer.isolation_id).update(site=None)
    audit(actor=actor, action=AuditAction.TRANSFER_STATUS, obj=transfer, detail=status)
    if room is not None:
        room_assign(room=room, isolation=transfer.isolation, family_reason=family_reason,
                    actor=actor, now=now)
    return transfer
