"""Writes for operations (运行保障). Keyword-only, one transaction each, audited.

People on duty: volunteer_create, volunteer_sign_up (public 报到), volunteer_confirm,
volunteer_login_create, assignment_create, assignment_check_in / _check_out.
Disinfection: place_create, round_record. Supplies: item_create, store_create,
stock_receive, stock_issue, stock_move, stock_count, donation_record. HQ tasks: task_send,
task_acknowledge, task_done.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.roles import Role
from firstline.accounts.scope import in_scope
from firstline.accounts.services import audit, require_perm, user_assign
from firstline.areas.models import Level
from firstline.db import create_once, is_unique_violation, unique_or
from firstline.errors import InvalidInput, RuleViolation, check_all
from firstline.people.services import phone_normalize
from firstline.rules import rule

from .models import (
    DERIVED_KINDS,
    Assignment,
    Donation,
    DonorKind,
    Duty,
    Item,
    MoveKind,
    Movement,
    MovePurpose,
    Place,
    PlaceKind,
    Round,
    SignupLink,
    Stock,
    Store,
    StoreKind,
    Task,
    Volunteer,
    VolunteerKind,
    WorkingGroup,
)
from .selectors import store_label


def _now(now: datetime | None) -> datetime:
    return now or clock.now()


def _text(value, *, field: str, max_length: int, required: bool = True) -> str:
    text = " ".join(str(value or "").split())
    if "\x00" in text:
        raise InvalidInput("invalid", _("%(field)s contains a NUL character (\\x00): remove it.")
                           % {"field": field}, field=field)
    if required and not text:
        raise InvalidInput("required", _("%(field)s is required.") % {"field": field},
                           field=field)
    if len(text) > max_length:
        raise InvalidInput("too_long", _("%(field)s is longer than %(n)d characters.")
                           % {"field": field, "n": max_length}, field=field)
    return text


def _community(area, *, field: str = "area"):
    if area.level != Level.COMMUNITY:
        raise InvalidInput("not_a_community", _("%(field)s must be a community.")
                           % {"field": field}, field=field)
    return area


# --- people on duty ---------------------------------------------------------------------------

@transaction.atomic
def volunteer_create(*, actor, area, name: str, phone: str, kind: str, skills: str = "",
                     availability: str = "", now: datetime | None = None) -> Volunteer:
    """Staff register a person on duty; they are confirmed at once. `area` is their community,
    or a grid of it (grid workers recruit in their grid): the person is then kept at the
    grid's community — phones are once per community, sign-up links and gate duty are the
    community's — and listed and counted there; so only for a user who manages that community
    (one scoped to the grid alone could not see the person made, nor be told of phones
    outside the grid): for them a grid stays "not a community"."""
    require_perm(actor, "operations.manage")
    if area.level == Level.GRID and in_scope(actor, area.parent, "operations.manage"):
        area = area.parent
    _community(area)
    if kind not in VolunteerKind.values:
        raise InvalidInput("bad_kind", _("kind: one of %(kinds)s.")
                           % {"kinds": ", ".join(VolunteerKind.values)}, field="kind")
    now = _now(now)
    name = _text(name, field="name", max_length=50)
    phone = phone_normalize(phone, landline=True, required=True)
    duplicate = RuleViolation("duplicate", _("This phone is already registered in this "
                                             "community."), field="phone")
    if Volunteer.objects.filter(area=area, phone=phone).exists():
        raise duplicate
    with unique_or(duplicate):  # the same phone registered at the same instant: one person
        v = Volunteer.objects.create(
            area=area, name=name, phone=phone, kind=kind,
            skills=_text(skills, field="skills", max_length=200, required=False),
            availability=_text(availability, field="availability", max_length=200,
                               required=False),
            confirmed_at=now, confirmed_by=actor, created_at=now)
    audit(actor=actor, action=AuditAction.OPERATIONS_VOLUNTEER_CREATE, obj=v, via="api")
    return v


def signup_link_get(*, actor, area) -> SignupLink:
    """The community's public sign-up link (made the first time it is asked for)."""
    require_perm(actor, "operations.manage")
    _community(area)
    link = SignupLink.objects.filter(area=area).first()
    if link is None:
        try:
            with transaction.atomic():
                link = SignupLink.objects.create(area=area, token=secrets.token_urlsafe(16))
        except IntegrityError as exc:  # made at the same instant by another request
            if not is_unique_violation(exc):
                raise
            link = SignupLink.objects.get(area=area)
    return link


def _digest(address: str) -> str:
    return hashlib.sha256(f"signup:{address}".encode()).hexdigest()


@transaction.atomic
def volunteer_sign_up(*, token: str, name: str, phone: str, kind: str, skills: str = "",
                      availability: str = "", address: str = "",
                      now: datetime | None = None) -> None:
    """报到 by the public link: no login, nothing shown back. A phone already registered in
    the community changes nothing (and the answer is the same: it gives nothing away)."""
    link = SignupLink.objects.select_related("area").filter(token=str(token)[:64]).first()
    if link is None:
        raise RuleViolation("not_found", _("This sign-up link is not valid."), status=404)
    now = _now(now)
    digest = _digest(address)
    limit = rule("volunteers.signups_per_hour", on=clock.localdate(now)).value
    recent = Volunteer.objects.filter(signup_digest=digest,
                                      created_at__gt=now - timedelta(hours=1)).count()
    if recent >= limit:
        raise RuleViolation("throttled", _("Too many sign-ups from here; try again later."),
                            status=429)
    # Every field is checked (the page shows each error beside its field at once); the API
    # answers the first, in this order.
    def kind_check():
        if kind not in (VolunteerKind.PARTY_MEMBER, VolunteerKind.VOLUNTEER):
            raise InvalidInput("bad_kind", _("kind: party_member or volunteer."), field="kind")
        return kind

    values = check_all(
        kind=kind_check,
        name=lambda: _text(name, field="name", max_length=50),
        phone=lambda: phone_normalize(phone, landline=True, required=True),
        skills=lambda: _text(skills, field="skills", max_length=200, required=False),
        availability=lambda: _text(availability, field="availability", max_length=200,
                                   required=False))
    name, phone = values["name"], values["phone"]
    skills, availability = values["skills"], values["availability"]
    if Volunteer.objects.filter(area=link.area, phone=phone).exists():
        return
    try:
        with transaction.atomic():
            Volunteer.objects.create(area=link.area, name=name, phone=phone, kind=kind,
                                     skills=skills, availability=availability,
                                     self_signed_up=True, signup_digest=digest, created_at=now)
    except IntegrityError as exc:  # the same phone signed up at the same instant: one person
        if not is_unique_violation(exc):
            raise


@transaction.atomic
def volunteer_confirm(*, actor, volunteer: Volunteer, now: datetime | None = None) -> Volunteer:
    """Community staff confirm a self sign-up, once: a second confirmation is a 409."""
    require_perm(actor, "operations.manage")
    now = _now(now)
    n = Volunteer.objects.filter(pk=volunteer.pk, confirmed_at__isnull=True).update(
        confirmed_at=now, confirmed_by=actor)
    if n == 0:
        raise RuleViolation("already_confirmed", _("This person is already confirmed."))
    volunteer.refresh_from_db()
    audit(actor=actor, action=AuditAction.OPERATIONS_VOLUNTEER_CONFIRM, obj=volunteer)
    return volunteer


@transaction.atomic
def volunteer_login_create(*, actor, volunteer: Volunteer, username: str, password: str):
    """Give a confirmed person a login with the `volunteer` role: it sees only their own
    assignments."""
    require_perm(actor, "operations.manage")
    if volunteer.confirmed_at is None:
        raise RuleViolation("not_confirmed", _("Confirm this person first."))
    if volunteer.user_id:
        raise RuleViolation("has_login", _("This person already has a login."))
    username = _text(username, field="username", max_length=150)
    from firstline.accounts.models import User

    if User.objects.filter(username=username).exists():
        raise RuleViolation("username_taken", _("This username is taken."), field="username")
    user, _created = user_assign(username=username, role=Role.VOLUNTEER, area=volunteer.area,
                                 password=password, display_name=volunteer.name)
    volunteer.user = user
    volunteer.save(update_fields=["user"])
    audit(actor=actor, action=AuditAction.OPERATIONS_VOLUNTEER_LOGIN, obj=volunteer)
    return user


def gate_label(checkpoint) -> str:
    """A gate as people tell it apart: "compound · gate" (every compound has its 北门), as the
    gate page names it; cut to fit an assignment's `target`."""
    label = f"{checkpoint.compound.name} · {checkpoint.name}"
    return label if len(label) <= 100 else label[:99] + "…"


def _lock_volunteer(volunteer: Volunteer) -> None:
    """Serialise writes of one person's assignments on both databases: the first statement
    of the transaction is a write to the person's row (PostgreSQL: a row lock held to the
    end; SQLite: the database write lock)."""
    Volunteer.objects.filter(pk=volunteer.pk).update(revision=F("revision") + 1)


@transaction.atomic
def assignment_create(*, actor, volunteer: Volunteer, duty: str, starts_at: datetime,
                      ends_at: datetime, target_id: int | None = None, shift=None,
                      target: str = "") -> Assignment:
    """Put a confirmed person on duty. Overlapping another assignment of theirs is a 409
    `overlap`, however many staff assign them at once. A gate assignment names a shift
    (or a checkpoint, and a shift is planned for it): the shift then links to the person
    instead of a typed name."""
    require_perm(actor, "operations.manage")
    if duty not in Duty.values:
        raise InvalidInput("bad_duty", _("duty: one of %(duties)s.")
                           % {"duties": ", ".join(Duty.values)}, field="duty")
    if volunteer.confirmed_at is None:
        raise RuleViolation("not_confirmed", _("Confirm this person before assigning them."))
    if shift is not None:
        starts_at, ends_at = shift.starts_at, shift.ends_at
        target_id = shift.checkpoint_id
        target = target or gate_label(shift.checkpoint)
    if starts_at is None or ends_at is None:
        raise InvalidInput("required", _("starts_at and ends_at are required."),
                           field="starts_at" if starts_at is None else "ends_at")
    if ends_at <= starts_at:
        raise InvalidInput("bad_times", _("ends_at must be after starts_at."), field="ends_at")
    if ends_at - starts_at > timedelta(hours=24):
        raise InvalidInput("too_long", _("An assignment lasts at most 24 hours."),
                           field="ends_at")
    _lock_volunteer(volunteer)
    clash = Assignment.objects.filter(volunteer=volunteer, starts_at__lt=ends_at,
                                      ends_at__gt=starts_at).first()
    if clash is not None:
        raise RuleViolation("overlap", _("%(name)s already has a duty from %(start)s to "
                                         "%(end)s.") % {
            "name": volunteer.name,
            "start": clock.localtime(clash.starts_at).strftime("%m-%d %H:%M"),
            "end": clock.localtime(clash.ends_at).strftime("%m-%d %H:%M")})
    if duty == Duty.GATE and shift is None and target_id is not None:
        from firstline.access.models import Checkpoint
        from firstline.access.services import shift_create

        checkpoint = Checkpoint.objects.filter(pk=target_id,
                                               compound__area=volunteer.area).first()
        if checkpoint is None:
            raise InvalidInput("unknown_target", _("target_id: no such checkpoint in this "
                                                   "community."), field="target_id")
        shift = shift_create(checkpoint=checkpoint, starts_at=starts_at, ends_at=ends_at,
                             actor=actor, name=volunteer.name)
        target = target or gate_label(checkpoint)
    if shift is not None:
        from firstline.access.services import shift_name_set

        # The shift names the registered person (the typed name stays for older shifts).
        shift_name_set(shift=shift, name=volunteer.name, actor=actor)
    a = Assignment.objects.create(
        volunteer=volunteer, area=volunteer.area, duty=duty, target_id=target_id,
        target=_text(target, field="target", max_length=100, required=False), shift=shift,
        starts_at=starts_at, ends_at=ends_at, created_by=actor)
    audit(actor=actor, action=AuditAction.OPERATIONS_ASSIGNMENT_CREATE, obj=a)
    return a


def _may_act_on(actor, assignment: Assignment) -> bool:
    from firstline.accounts.scope import has_perm

    if assignment.volunteer.user_id == actor.pk:
        return True
    return has_perm(actor, "operations.work") and in_scope(actor, assignment.area,
                                                           "operations.work")


@transaction.atomic
def assignment_check_in(*, actor, assignment: Assignment,
                        now: datetime | None = None) -> Assignment:
    if not _may_act_on(actor, assignment):
        raise RuleViolation("not_found", _("Not found."), status=404)
    now = _now(now)
    grace = rule("volunteers.checkout_grace_minutes", on=clock.localdate(now)).value
    Assignment.objects.filter(pk=assignment.pk, checked_in_at__isnull=True).update(
        checked_in_at=now,
        check_in_until=max(assignment.ends_at, now) + timedelta(minutes=int(grace)))
    assignment.refresh_from_db()
    _shift_follows(assignment, actor=actor)
    return assignment


def _shift_follows(assignment: Assignment, *, actor) -> None:
    """A gate assignment's shift shows the same check-in/out on the gate's duty page."""
    if assignment.shift_id:
        from firstline.access.services import shift_attendance_record

        shift_attendance_record(shift=assignment.shift, actor=actor,
                                checked_in_at=assignment.checked_in_at,
                                checked_out_at=assignment.checked_out_at)


@transaction.atomic
def assignment_check_out(*, actor, assignment: Assignment,
                         now: datetime | None = None) -> Assignment:
    if not _may_act_on(actor, assignment):
        raise RuleViolation("not_found", _("Not found."), status=404)
    if assignment.checked_in_at is None:
        raise RuleViolation("not_checked_in", _("Check in first."))
    now = max(_now(now), assignment.checked_in_at)
    Assignment.objects.filter(pk=assignment.pk, checked_out_at__isnull=True).update(
        checked_out_at=now)
    assignment.refresh_from_db()
    _shift_follows(assignment, actor=actor)
    return assignment


# --- disinfection -----------------------------------------------------------------------------

def places_refresh(*, area=None, on=None) -> int:
    """Make the derived places (a compound's common areas, an isolated home, a locked-down
    building, a vacated room) that other apps' data call for in the subtree of `area` (every
    top area when None), including isolations and lockdowns that start later. Idempotent:
    the unique key settles concurrent refreshes. Called on the events that make places
    (firstline.events: compounds created, isolation started, lockdown, room vacated), by the
    scheduled `manage.py disinfection_refresh`, never by a read. Returns the rows made."""
    from firstline.areas.models import Area

    from .selectors import derived_place_rows

    on = on or clock.today()
    roots = [area] if area is not None else list(Area.objects.filter(parent__isnull=True))
    made = 0
    for root in roots:
        rows = derived_place_rows(root, on=on, upcoming=True)
        have = set(Place.objects.filter(key__in=[p.key for p in rows])
                   .values_list("key", flat=True))
        missing = [p for p in rows if p.key not in have]
        if missing:
            with transaction.atomic():
                Place.objects.bulk_create(missing, ignore_conflicts=True)
            made += len(missing)
    return made


def places_follow(*, area, **_data) -> None:
    """The follower of firstline.events' place events (see apps.py)."""
    places_refresh(area=area)


@transaction.atomic
def place_create(*, actor, area, kind: str, name: str, compound=None,
                 building=None) -> Place:
    """Staff add a place (a lift, a rubbish point, a used-mask bin...)."""
    require_perm(actor, "operations.manage")
    _community(area)
    if kind not in PlaceKind.values or kind in DERIVED_KINDS:
        raise InvalidInput("bad_kind", _("kind: one of %(kinds)s.") % {
            "kinds": ", ".join(k for k in PlaceKind.values if k not in DERIVED_KINDS)},
            field="kind")
    name = _text(name, field="name", max_length=100)
    # One place per name in a community: a second tap of "add" on a bad network, or a second
    # worker adding the same lift, would split its rounds between two rows. The database
    # holds the rule for staff places (operations_place_staff_name); derived places count too.
    duplicate = RuleViolation("duplicate", _("name: this community already has a place "
                                             "named %(name)s.") % {"name": name}, field="name")
    if Place.objects.filter(area=area, name=name).exists():
        raise duplicate
    with unique_or(duplicate):  # a concurrent request inserted it first
        p = Place.objects.create(area=area, kind=kind, name=name, compound=compound,
                                 building=building, created_by=actor)
    audit(actor=actor, action=AuditAction.OPERATIONS_PLACE_CREATE, obj=p)
    return p


@transaction.atomic
def round_record(*, actor, place: Place, agent: str, done_at: datetime | None = None,
                 volunteer: Volunteer | None = None, now: datetime | None = None,
                 event_id=None) -> Round:
    """一次消杀: the place leaves the due list until its next due time. A vacated quarantine
    room's round is its 终末消毒: the room becomes available again.
    Once per `event_id` (firstline.db.create_once): a retry answers the first round,
    `replayed` True."""
    require_perm(actor, "operations.work")
    now = _now(now)
    done = clock.device_time(done_at, now=now).at if done_at is not None else now
    agent = _text(agent, field="agent", max_length=100)

    def same(first: Round) -> bool:
        return ((first.place_id, first.agent, first.by_id, first.volunteer_id)
                == (place.pk, agent, actor.pk, getattr(volunteer, "pk", None)))

    def create() -> Round:
        r = Round.objects.create(place=place, area=place.area, done_at=done, agent=agent,
                                 by=actor, volunteer=volunteer, created_at=now,
                                 event_id=event_id)
        if place.kind == PlaceKind.QUARANTINE_ROOM and place.room_id:
            from firstline.isolation.models import RoomStatus
            from firstline.isolation.services import room_mark_cleaned

            if place.room.status == RoomStatus.CLEANING:
                room_mark_cleaned(room=place.room, actor=actor, now=done)
        audit(actor=actor, action=AuditAction.OPERATIONS_ROUND_RECORD, obj=r)
        return r

    r, replayed = create_once(Round, event_id, same=same, create=create)
    r.replayed = replayed
    return r


# --- supplies and donations -------------------------------------------------------------------

def _quantity(value, *, field: str = "quantity", on=None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except (TypeError, ValueError):
            raise InvalidInput("bad_quantity", _("quantity: a whole number is required."),
                               field=field) from None
    top = rule("stock.quantity_max", on=on).value
    if value <= 0 or value > top:
        raise InvalidInput("bad_quantity", _("quantity must be between 1 and %(top)d.")
                           % {"top": top}, field=field)
    return value


@transaction.atomic
def item_create(*, actor, code: str, name: str, unit: str = "", low_at: int = 0,
                perm: str = "operations.manage") -> Item:
    """A kind of supply. Other apps define theirs through here too (a care kit is an item;
    assistance passes perm="assistance.manage")."""
    require_perm(actor, perm)
    code = _text(code, field="code", max_length=40)
    duplicate = RuleViolation("duplicate", _("An item with this code exists."), field="code")
    if Item.objects.filter(code=code).exists():
        raise duplicate
    if low_at < 0 or low_at > 10**9:
        raise InvalidInput("bad_low_at", _("low_at must be 0 or more."), field="low_at")
    name = _text(name, field="name", max_length=100)
    unit = _text(unit, field="unit", max_length=20, required=False)
    with unique_or(duplicate):  # the same code added at the same instant: one item
        item = Item.objects.create(code=code, name=name, unit=unit, low_at=low_at)
    audit(actor=actor, action=AuditAction.OPERATIONS_ITEM_CREATE, obj=item)
    return item


@transaction.atomic
def store_create(*, actor, code: str, name: str, kind: str, area) -> Store:
    require_perm(actor, "operations.manage")
    if kind not in StoreKind.values:
        raise InvalidInput("bad_kind", _("kind: one of %(kinds)s.")
                           % {"kinds": ", ".join(StoreKind.values)}, field="kind")
    if area.level not in (Level.STREET, Level.COMMUNITY, Level.GRID):
        raise InvalidInput("bad_area", _("area: a street or a community."), field="area")
    code = _text(code, field="code", max_length=40)
    duplicate = RuleViolation("duplicate", _("A store with this code exists."), field="code")
    if Store.objects.filter(code=code).exists():
        raise duplicate
    name = _text(name, field="name", max_length=100)
    with unique_or(duplicate):  # the same code added at the same instant: one store
        s = Store.objects.create(code=code, name=name, kind=kind, area=area)
    audit(actor=actor, action=AuditAction.OPERATIONS_STORE_CREATE, obj=s)
    return s


def _stock_row(store: Store, item: Item) -> Stock:
    """The (store, item) row, made on first use; the unique key settles a race."""
    row = Stock.objects.filter(store=store, item=item).first()
    if row is None:
        try:
            with transaction.atomic():
                row = Stock.objects.create(store=store, item=item, quantity=0)
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            row = Stock.objects.get(store=store, item=item)
    return row


def _cash(value, *, on) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        cash = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput("bad_cash", _("cash: an amount in yuan is required."),
                           field="cash") from None
    top = Decimal(rule("donation.cash_max_yuan", on=on).value)
    if not cash.is_finite() or cash <= 0 or cash > top or cash != cash.quantize(Decimal("0.01")):
        raise InvalidInput("bad_cash", _("cash must be between 0.01 and %(top)s yuan, in fen "
                                         "at most.") % {"top": top}, field="cash")
    return cash


@transaction.atomic
def donation_record(*, actor, area, donor: str, receipt_no: str, donor_kind: str = "person",
                    consent_named: bool = False, cash=None, purpose: str = "",
                    received_at: datetime | None = None,
                    now: datetime | None = None) -> Donation:
    """A donation received (items arrive with stock_receive(donation=...), cash here)."""
    require_perm(actor, "operations.manage")
    now = _now(now)
    donor = _text(donor, field="donor", max_length=100)
    receipt_no = _text(receipt_no, field="receipt_no", max_length=64)
    if donor_kind not in DonorKind.values:
        raise InvalidInput("bad_donor_kind", _("donor_kind: person or company."),
                           field="donor_kind")
    cash = _cash(cash, on=clock.localdate(now))
    duplicate = RuleViolation("duplicate", _("This receipt number is already recorded."),
                              field="receipt_no")
    if Donation.objects.filter(area=area, receipt_no=receipt_no).exists():
        raise duplicate
    purpose = _text(purpose, field="purpose", max_length=200, required=False)
    with unique_or(duplicate):  # the same receipt recorded at the same instant: one donation
        d = Donation.objects.create(
            area=area, donor=donor, donor_kind=donor_kind, consent_named=bool(consent_named),
            receipt_no=receipt_no, cash=cash, purpose=purpose,
            received_at=received_at or now, created_by=actor)
    audit(actor=actor, action=AuditAction.OPERATIONS_DONATION_RECORD, obj=d)
    return d


# Follow-ups other apps register (in their AppConfig.ready) for goods arriving in a store —
# residents issues owed tip-off rewards from them. Called inside the receiving transaction as
# follow_up(store=, item=, actor=, now=, perm=); operations imports none of those apps.
STOCK_ARRIVED: list = []


def _stock_arrived(*, store: Store, item: Item, actor, now: datetime, perm: str) -> None:
    for follow_up in STOCK_ARRIVED:
        follow_up(store=store, item=item, actor=actor, now=now, perm=perm)


def store_of_area(area, *, create: bool = False) -> Store | None:
    """The area's own store: a community's community store, a street's street store (the
    first by code when there are several). With create=True one is made on first use
    (code "<area code>-S"); the unique code settles a race."""
    kind = StoreKind.STREET if area.level == Level.STREET else StoreKind.COMMUNITY
    store = Store.objects.filter(area=area, kind=kind).order_by("code", "pk").first()
    if store is None and create:
        try:
            with transaction.atomic():
                store = Store.objects.create(code=f"{area.code}-S",
                                             name=(_("%(area)s store") % {"area": area.name})[:100],
                                             kind=kind, area=area)
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            store = Store.objects.filter(code=f"{area.code}-S").first()
            if store is None or store.area_id != area.pk:
                raise RuleViolation("store_code_taken", _(
                    "The store code %(code)s belongs to another area; create the store of "
                    "%(area)s by hand.") % {"code": f"{area.code}-S", "area": area.name},
                    field="area") from None
    return store


def _movement_once(event_id, *, kind: str, store: Store, item: Item, quantity, answer_store,
                   write) -> Stock:
    """`write()` in its own transaction, once per `event_id` (firstline.db.create_once; None:
    every call writes).

    A phone on a bad network retries, a worker taps twice: the same event_id answers the
    stock row as it stands, moving nothing again (`replayed` True), also when both arrive at
    the same instant. The id sent again for another movement is 409 `event_id_reused`."""
    def same(first: Movement) -> bool:
        return ((first.kind, first.stock.store_id, first.stock.item_id, abs(first.delta))
                == (kind, store.pk, item.pk, quantity))

    row, replayed = create_once(
        Movement.objects.select_related("stock"), event_id, same=same, create=write,
        reused=_("This event_id was already used for another stock movement; send a new one."))
    if replayed:
        row = Stock.objects.select_related("store", "item").get(store=answer_store, item=item)
    row.replayed = replayed
    return row


def stock_receive(*, actor, store: Store, item: Item, quantity, donation: dict | None = None,
                  note: str = "", now: datetime | None = None,
                  perm: str = "operations.manage", event_id=None) -> Stock:
    """Goods arrive (bought, allocated from above, or donated). Other apps receive their
    goods through here with their own permission (care kits: assistance.manage). Once per
    `event_id` (see _movement_once)."""
    require_perm(actor, perm)
    now = _now(now)
    quantity = _quantity(quantity, on=clock.localdate(now))

    def write() -> Stock:
        gift = None
        if donation is not None:
            gift = donation_record(actor=actor, area=store.area, now=now, **donation)
        row = _stock_row(store, item)
        Stock.objects.filter(pk=row.pk).update(quantity=F("quantity") + quantity)
        Movement.objects.create(stock=row, kind=MoveKind.RECEIVE, delta=quantity, donation=gift,
                                to=_text(note, field="note", max_length=200, required=False),
                                actor=actor, at=now, event_id=event_id)
        _stock_arrived(store=store, item=item, actor=actor, now=now, perm=perm)
        row.refresh_from_db()
        return row

    return _movement_once(event_id, kind=MoveKind.RECEIVE, store=store, item=item,
                          quantity=quantity, answer_store=store, write=write)


def quantity_words(item: Item, quantity: int) -> str:
    """口罩 200 个: an item and how many, as the supplies pages say it."""
    return (_("%(item)s %(quantity)d %(unit)s") % {
        "item": item.name, "quantity": quantity, "unit": item.unit}).strip()


def stock_words(*, item: Item, quantity: int, store: Store, receiving: bool, to: str = "",
                donor: str = "", replayed: bool = False) -> str:
    """What a receipt or an issue recorded, in words for the one who recorded it:
    已入库：口罩 200 个（捐赠：某某公司）, 已发放：口罩 4 个 → 北门."""
    what = quantity_words(item, quantity)
    store_name = store_label(store)  # as the stock page names it
    if replayed:  # the form sent twice: the first one did it
        return _("Already recorded: %(what)s.") % {"what": what}
    if not receiving:
        return _("Issued from %(store)s: %(what)s to %(to)s.") % {
            "store": store_name, "what": what, "to": to}
    if donor:
        return _("Received into %(store)s: %(what)s (donation: %(donor)s).") % {
            "store": store_name, "what": what, "donor": " ".join(donor.split())}
    return _("Received into %(store)s: %(what)s.") % {"store": store_name, "what": what}


def _take(*, store: Store, item: Item, quantity: int) -> Stock:
    """Take `quantity` with one conditional UPDATE: exact under any concurrency, never
    negative (the check constraint backs it)."""
    n = (Stock.objects.filter(store=store, item=item, quantity__gte=quantity)
         .update(quantity=F("quantity") - quantity))
    if n == 0:
        have = Stock.objects.filter(store=store, item=item).values_list("quantity",
                                                                        flat=True).first() or 0
        raise RuleViolation("insufficient_stock", _("%(store)s holds %(have)d of %(item)s; "
                                                     "%(want)d asked for.") % {
            "store": store.name, "have": have, "item": item.name, "want": quantity},
            field="quantity")
    return Stock.objects.get(store=store, item=item)


def _low_stock_check(row: Stock, *, now: datetime) -> None:
    threshold = row.low_at if row.low_at is not None else row.item.low_at
    if threshold and row.quantity <= threshold:
        from firstline.isolation.models import Alert, AlertStatus
        from firstline.isolation.services import alert_open

        source = f"stock:{row.pk}"
        if Alert.objects.filter(kind="low_stock", source=source).exclude(
                status=AlertStatus.RESOLVED).exists():
            return
        from firstline.texts import N_, message

        alert_open(kind="low_stock", area=row.store.area, detail=message(N_(
            "%(store)s: %(item)s down to %(n)d (threshold %(t)d)"), store=row.store.name,
            item=row.item.name, n=row.quantity, t=threshold),
            source=source, opened_at=now, dedupe=False, owner=None)


def stock_issue(*, actor, store: Store, item: Item, quantity, to: str = "",
                now: datetime | None = None, perm: str = "operations.work",
                event_id=None, household=None, tip=None, correction: bool = False) -> Stock:
    """Hand out supplies. Never below zero: 409 `insufficient_stock`, however many issue at
    once. A callable for other apps too (e.g. a tip-off reward paid in masks). Once per
    `event_id` (see _movement_once).

    Where it went is data, worded when read (selectors.movement_to_words): a care kit names
    its `household`, a tip-off reward its `tip`, a correction says so (`correction`); `to` is
    what a user typed (required for a hand-typed issue, a note otherwise) — never our words."""
    require_perm(actor, perm)
    now = _now(now)
    quantity = _quantity(quantity, on=clock.localdate(now))
    purpose = (MovePurpose.CARE_KIT if household is not None
               else MovePurpose.TIP_REWARD if tip is not None
               else MovePurpose.CORRECTION if correction else MovePurpose.TYPED)
    to = _text(to, field="to", max_length=200, required=purpose == MovePurpose.TYPED)

    def write() -> Stock:
        row = _take(store=store, item=item, quantity=quantity)
        Movement.objects.create(stock=row, kind=MoveKind.ISSUE, delta=-quantity, to=to,
                                purpose=purpose, household=household, tip=tip,
                                actor=actor, at=now, event_id=event_id)
        row.item = item
        row.store = store
        _low_stock_check(row, now=now)
        return row

    return _movement_once(event_id, kind=MoveKind.ISSUE, store=store, item=item,
                          quantity=quantity, answer_store=store, write=write)


def stock_move(*, actor, store: Store, to_store: Store, item: Item, quantity,
               now: datetime | None = None, event_id=None) -> Stock:
    """From one store to another (street → community → checkpoint), in one transaction;
    once per `event_id` (held by the outgoing half; see _movement_once)."""
    require_perm(actor, "operations.manage")
    if store.pk == to_store.pk:
        raise InvalidInput("same_store", _("to_store must differ from store."), field="to_store")
    now = _now(now)
    quantity = _quantity(quantity, on=clock.localdate(now))

    def write() -> Stock:
        row = _take(store=store, item=item, quantity=quantity)
        Movement.objects.create(stock=row, kind=MoveKind.MOVE_OUT, delta=-quantity,
                                to=to_store.code, actor=actor, at=now, event_id=event_id)
        dest = _stock_row(to_store, item)
        Stock.objects.filter(pk=dest.pk).update(quantity=F("quantity") + quantity)
        Movement.objects.create(stock=dest, kind=MoveKind.MOVE_IN, delta=quantity,
                                to=store.code, actor=actor, at=now)
        _stock_arrived(store=to_store, item=item, actor=actor, now=now,
                       perm="operations.manage")
        row.item, row.store = item, store
        _low_stock_check(row, now=now)
        dest.refresh_from_db()
        return dest

    return _movement_once(event_id, kind=MoveKind.MOVE_OUT, store=store, item=item,
                          quantity=quantity, answer_store=to_store, write=write)


@transaction.atomic
def stock_count(*, actor, store: Store, item: Item, quantity: int,
                now: datetime | None = None, perm: str = "operations.manage") -> Stock:
    """盘点: the counted quantity replaces the book one; the difference is a movement."""
    require_perm(actor, perm)
    now = _now(now)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0 \
            or quantity > rule("stock.quantity_max", on=clock.localdate(now)).value:
        raise InvalidInput("bad_quantity", _("quantity: a count of 0 or more."),
                           field="quantity")
    row = _stock_row(store, item)
    Stock.objects.filter(pk=row.pk).update(quantity=F("quantity"))  # take the write lock first
    row = Stock.objects.select_for_update().get(pk=row.pk)
    delta = quantity - row.quantity
    Stock.objects.filter(pk=row.pk).update(quantity=quantity)
    Movement.objects.create(stock=row, kind=MoveKind.COUNT, delta=delta, actor=actor, at=now)
    row.refresh_from_db()
    _low_stock_check(row, now=now)
    return row


# --- HQ tasks ---------------------------------------------------------------------------------

@transaction.atomic
def working_group_create(*, actor, area, name: str, members=()) -> WorkingGroup:
    """One of HQ's working groups (综合协调组...) in a street of the actor's dispatch scope,
    with its members (users who can see that street)."""
    require_perm(actor, "operations.dispatch")
    if not in_scope(actor, area, "operations.dispatch"):
        raise RuleViolation("not_found", _("Not found."), status=404)
    if area.level != Level.STREET:
        raise InvalidInput("not_a_street", _("area: a working group belongs to a street."),
                           field="area")
    name = _text(name, field="name", max_length=50)
    duplicate = RuleViolation("duplicate", _("This street already has a working group of "
                                             "that name."), field="name")
    if WorkingGroup.objects.filter(area=area, name=name).exists():
        raise duplicate
    members = list(members)
    for user in members:
        if not in_scope(user, area, "operations.manage"):
            raise InvalidInput("bad_member", _("members: %(user)s cannot see this street's "
                                               "tasks.") % {"user": user.get_username()},
                               field="members")
    with unique_or(duplicate):  # the same group added at the same instant: one group
        group = WorkingGroup.objects.create(area=area, name=name, created_by=actor)
    group.members.set(members)
    audit(actor=actor, action=AuditAction.OPERATIONS_WORKING_GROUP_CREATE, obj=group)
    return group


@transaction.atomic
def task_send(*, actor, title: str, detail: str = "", areas: list = (), due_at: datetime,
              group: str = "", groups: list = (), now: datetime | None = None,
              event_id=None) -> list[Task]:
    """任务下达: one task per receiving area and per working group (`groups`, each in the
    actor's dispatch scope), sharing a batch. `group` is the older free-text label.

    Once per `event_id` (held by the batch's first task; see firstline.db.create_once): a
    retry answers the batch sent first, each task's `replayed` True."""
    require_perm(actor, "operations.dispatch")
    now = _now(now)
    title = _text(title, field="title", max_length=100)
    group = _text(group, field="group", max_length=50, required=False)
    detail = str(detail or "").strip()

    def same(head: Task) -> bool:
        return (head.created_by_id, head.title, head.detail) == (actor.pk, title, detail)

    def create() -> list[Task]:
        if len(detail) > 2000 or "\x00" in detail:
            raise InvalidInput("bad_detail", _("detail: at most 2000 characters."),
                               field="detail")
        if not areas and not groups:
            raise InvalidInput("required", _("areas: name at least one area."), field="areas")
        if due_at <= now:
            raise InvalidInput("past_due", _("due_at must be in the future."), field="due_at")
        batch = uuid.uuid4().hex
        seen, tasks = set(), []
        for area in areas:
            if area.pk in seen:
                continue
            seen.add(area.pk)
            tasks.append(Task.objects.create(batch=batch, area=area, title=title,
                                             detail=detail, group=group, due_at=due_at,
                                             created_by=actor, created_at=now,
                                             event_id=None if tasks else event_id))
        for wg in dict.fromkeys(groups):
            if not in_scope(actor, wg.area, "operations.dispatch"):
                raise RuleViolation("not_found", _("Not found."), status=404)
            tasks.append(Task.objects.create(batch=batch, area=wg.area, title=title,
                                             detail=detail, group=wg.name, working_group=wg,
                                             due_at=due_at, created_by=actor, created_at=now,
                                             event_id=None if tasks else event_id))
        audit(actor=actor, action=AuditAction.OPERATIONS_TASK_SEND,
              object_type="operations.task", object_id=batch,
              detail=f"{len(tasks)} receivers")
        return tasks

    tasks, replayed = create_once(Task, event_id, same=same, create=create)
    if replayed:
        tasks = list(Task.objects.filter(batch=tasks.batch).order_by("pk"))
    for t in tasks:
        t.replayed = replayed
    return tasks


@transaction.atomic
def task_acknowledge(*, actor, task: Task, now: datetime | None = None) -> Task:
    require_perm(actor, "operations.manage")
    Task.objects.filter(pk=task.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=_now(now), acknowledged_by=actor)
    task.refresh_from_db()
    return task


def _task_file_save(task: Task, checked) -> None:
    task.file.save(checked.stored_name, checked.file, save=False)
    task.file_name, task.file_type = checked.shown_name, checked.content_type
    task.save(update_fields=["file", "file_name", "file_type"])


@transaction.atomic
def task_done(*, actor, task: Task, note: str = "", file=None,
              now: datetime | None = None) -> Task:
    """The receiving area reports the task done, once, with a note and optionally a file (PDF
    or image, checked by content and size — the same check on the page and in the API; a bad
    file refuses the whole report)."""
    from firstline.uploads import upload_check

    require_perm(actor, "operations.manage")
    now = _now(now)
    note = _text(note, field="note", max_length=500, required=False)
    checked = upload_check(file, on=clock.localdate(now)) if file is not None else None
    n = Task.objects.filter(pk=task.pk, done_at__isnull=True).update(
        done_at=now, done_by=actor, note=note,
        acknowledged_at=task.acknowledged_at or now,
        acknowledged_by=task.acknowledged_by or actor)
    if n == 0:
        raise RuleViolation("already_done", _("This task is already reported done."))
    task.refresh_from_db()
    if checked is not None:
        _task_file_save(task, checked)
    audit(actor=actor, action=AuditAction.OPERATIONS_TASK_DONE, obj=task)
    return task


@transaction.atomic
def task_file_attach(*, actor, task: Task, file, now: datetime | None = None) -> Task:
    """Attach the file of a task's report (the API's multipart call; the page sends it with
    "Done"). One file per task: a second is 409 `file_exists`."""
    from firstline.uploads import upload_check

    require_perm(actor, "operations.manage")
    now = _now(now)
    checked = upload_check(file, on=clock.localdate(now))
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.file:
        raise RuleViolation("file_exists", _("This task already has a file."), field="file")
    _task_file_save(task, checked)
    audit(actor=actor, action=AuditAction.OPERATIONS_TASK_FILE, obj=task,
          detail=checked.content_type)
    return task
