"""Writes for help to isolated households: requests (代购/代办), care calls, care packages.

Every function is keyword-only, one transaction, checks the role and the scope (outside the
actor's scope is a 404, as for reads), refuses with RuleViolation/InvalidInput and audits.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.scope import has_perm, in_scope
from firstline.accounts.services import audit, require_perm
from firstline.areas.models import Area, Level
from firstline.db import SentMeanwhile, create_once, is_unique_violation, sent_meanwhile, unique_or
from firstline.errors import InvalidInput, RuleViolation
from firstline.isolation.models import Isolation
from firstline.isolation.models import Kind as IsolationKind
from firstline.isolation.services import self_report_flood_check, text_field
from firstline.people.models import Household
from firstline.people.services import FULL_READ_REASONS, phone_normalize, pii_read
from firstline.rules import rule
from firstline.texts import N_, message, word

from .models import (
    CallOutcome,
    CareCall,
    PackageIssue,
    PackageKind,
    RequestKind,
    RequestSource,
    RequestStatus,
    ServiceRequest,
)

MAX_AMOUNT = Decimal("100000")
MAX_STOCK_MOVE = 1_000_000  # kits in one delivery or correction: a typo guard, not a rule


def _require_scope(user, area, perm: str) -> None:
    """Same answer for "missing" and "not yours"."""
    if not in_scope(user, area, perm):
        raise Http404


def _via(actor) -> str:
    return "self_report" if actor is None else "web"


# --- service requests (代购/代办) -----------------------------------------------------------

def _active_isolations(household, day):
    return Isolation.objects.current(day).filter(household=household)


@transaction.atomic
def service_request_create(*, household, kind: str, detail: str, source: str, actor=None,
                           isolation=None, now: datetime | None = None,
                           event_id=None, flood_guard=None) -> ServiceRequest:
    """A request for groceries, medicine, bills, a parcel or other help.

    actor=None is the resident on their self-report page (no login): source must then be
    "self_report" and the household must be under an active isolation; the number of open
    self-reported requests per household is capped by rule "assistance.self_report_open_max",
    and `flood_guard` (the self-report link's: isolation's self_report_allowed) is asked,
    and counts, only when a new request is to be written (False: 429 `throttled`).
    Once per `event_id` (firstline.db.create_once): a retry answers the first request,
    `replayed` True.
    """
    now = now or clock.now()
    day = clock.localdate(now)
    if kind not in RequestKind.values:
        raise InvalidInput("bad_kind", _("Unknown request kind %(kind)s. Kinds: %(kinds)s")
                           % {"kind": kind, "kinds": ", ".join(RequestKind.values)}, field="kind")
    if source not in RequestSource.values:
        raise InvalidInput("bad_source", _("Unknown source %(source)s.") % {"source": source},
                           field="source")
    detail = text_field(detail, field="detail", label=pgettext("assistance", "What is needed"),
                        limit=500)
    if not detail:
        raise InvalidInput("detail_required", _("Say what is needed."), field="detail")
    if actor is not None:
        require_perm(actor, "assistance.work")
        _require_scope(actor, household.grid, "assistance.work")

    def same(first: ServiceRequest) -> bool:
        return ((first.household_id, first.kind, first.detail, first.source, first.created_by_id)
                == (household.pk, kind, detail, source, getattr(actor, "pk", None)))

    def create() -> ServiceRequest:
        nonlocal isolation
        if isolation is not None and isolation.household_id != household.pk:
            raise InvalidInput("isolation_mismatch",
                               _("That isolation is not of this household."), field="isolation")
        if actor is None:
            if source != RequestSource.SELF_REPORT:
                raise InvalidInput("bad_source", _("Without a login the source is the "
                                                   "self-report page."), field="source")
            active = _active_isolations(household, day)
            if isolation is not None:
                active = active.filter(pk=isolation.pk)
            isolation = active.first()
            if isolation is None:
                raise RuleViolation("not_isolated",
                                    _("This household is not under an active isolation."))
            # Counted only for what would be written: a replay (the same form sent again) is
            # answered by create_once without reaching here.
            self_report_flood_check(flood_guard)
            cap = rule("assistance.self_report_open_max", on=day)
            # Lock the household so simultaneous taps count one after the other
            # (PostgreSQL; on SQLite the IMMEDIATE transaction already serializes writers).
            Household.objects.select_for_update().filter(pk=household.pk).first()
            open_count = ServiceRequest.objects.filter(
                household=household, source=RequestSource.SELF_REPORT,
                status__in=[RequestStatus.NEW, RequestStatus.ASSIGNED, RequestStatus.BOUGHT],
            ).count()
            if open_count >= cap.value:
                raise RuleViolation("too_many_open_requests",
                                    _("You already have %(n)s open requests; the community "
                                      "will call you.") % {"n": open_count}, status=429)
        elif isolation is None:
            isolation = _active_isolations(household, day).first()
        req = ServiceRequest.objects.create(
            household=household, isolation=isolation, grid_id=household.grid_id, kind=kind,
            detail=detail, source=source, created_by=actor, created_at=now,
            event_id=event_id,
        )
        audit(actor=actor, action=AuditAction.ASSISTANCE_REQUEST_CREATE, obj=req,
              detail=f"kind={kind} source={source}", via=_via(actor))
        return req

    req, replayed = create_once(ServiceRequest, event_id, same=same, create=create)
    req.replayed = replayed
    return req


# Which statuses a request may move to, and from where.
TRANSITIONS = {
    RequestStatus.ASSIGNED: (RequestStatus.NEW, RequestStatus.ASSIGNED),
    RequestStatus.BOUGHT: (RequestStatus.ASSIGNED,),
    RequestStatus.DELIVERED: (RequestStatus.ASSIGNED, RequestStatus.BOUGHT),
    RequestStatus.CANCELLED: (RequestStatus.NEW, RequestStatus.ASSIGNED, RequestStatus.BOUGHT),
}


def _move(req: ServiceRequest, to: str, *, where: Q | None = None, **fields) -> ServiceRequest:
    """Conditional UPDATE: two people tapping at once cannot both move the same request.
    `where`: a further condition (the errand still the volunteer's own)."""
    allowed = TRANSITIONS[to]
    moved = (ServiceRequest.objects.filter(where or Q(), pk=req.pk, status__in=allowed)
             .update(status=to, **fields))
    if not moved:
        req.refresh_from_db(fields=["status", "volunteer"])
        if where is not None and not ServiceRequest.objects.filter(where, pk=req.pk).exists():
            raise Http404  # re-assigned to someone else meanwhile: no longer theirs to see
        raise RuleViolation(
            "bad_transition",
            _("A %(from)s request cannot become %(to)s.")
            % {"from": req.get_status_display(), "to": RequestStatus(to).label})
    req.refresh_from_db()
    return req


def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise InvalidInput("bad_amount", _("The amount must be a number of yuan."),
                           field="amount") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise InvalidInput("bad_amount", _("The amount must be between 0 and 100000 yuan."),
                           field="amount")
    return amount


def _may_run_errands(user, grid) -> bool:
    """Who may be given an errand of `grid`: someone working there (assistance.work), or a
    confirmed volunteer with a login of their own in its community (assistance.own)."""
    from firstline.operations.models import Volunteer

    if in_scope(user, grid, "assistance.work"):
        return True
    return (in_scope(user, grid, "assistance.own")
            and Volunteer.objects.filter(user=user, confirmed_at__isnull=False).exists())


def _errand_hand(actor, request: ServiceRequest) -> Q | None:
    """May `actor` mark the errand bought, delivered or paid back? Anyone working in its area
    (None: no further condition); else the volunteer it is assigned to, in the areas where
    they hold assistance.own (the condition that it is still theirs). 403 without either
    permission, 404 outside scope — as for reads."""
    if has_perm(actor, "assistance.work") and in_scope(actor, request.grid, "assistance.work"):
        require_perm(actor, "assistance.work")
        return None
    if (has_perm(actor, "assistance.own") and request.volunteer_id == actor.pk
            and in_scope(actor, request.grid, "assistance.own")):
        require_perm(actor, "assistance.own")
        return Q(volunteer_id=actor.pk)
    if not (has_perm(actor, "assistance.work") or has_perm(actor, "assistance.own")):
        require_perm(actor, "assistance.work")  # 403
    raise Http404


@transaction.atomic
def service_request_assign(*, request: ServiceRequest, actor, volunteer=None,
                           volunteer_name: str = "", volunteer_phone: str = "",
                           now: datetime | None = None) -> ServiceRequest:
    """Give the request to a volunteer: a user who can see it, or a name and phone (a
    party-member volunteer without an account). Re-assigning an assigned request is allowed."""
    require_perm(actor, "assistance.manage")
    _require_scope(actor, request.grid, "assistance.manage")
    volunteer_name = text_field(volunteer_name, field="volunteer_name",
                                label=pgettext("assistance", "Volunteer"), limit=50)
    volunteer_phone = phone_normalize(volunteer_phone, field="volunteer_phone")
    if volunteer is None and not volunteer_name:
        raise InvalidInput("volunteer_required",
                           _("Choose a volunteer or type their name."), field="volunteer")
    if volunteer is not None and not _may_run_errands(volunteer, request.grid):
        raise InvalidInput("volunteer_out_of_scope",
                           _("That volunteer cannot see this household's area."),
                           field="volunteer")
    req = _move(request, RequestStatus.ASSIGNED, volunteer=volunteer,
                volunteer_name=volunteer_name, volunteer_phone=volunteer_phone,
                assigned_at=now or clock.now())
    audit(actor=actor, action=AuditAction.ASSISTANCE_REQUEST_ASSIGN, obj=req,
          detail=f"volunteer={getattr(volunteer, 'pk', '') or 'name'}")
    return req


def _require_taker(actor, grid) -> None:
    """Who may take a new errand of `grid` themself: someone working there (assistance.work),
    or a confirmed volunteer's login whose volunteer role covers it (assistance.take: the
    areas of the role that grants it). 403 without either permission, 404 outside scope."""
    from firstline.operations.models import Volunteer

    if has_perm(actor, "assistance.work") and in_scope(actor, grid, "assistance.work"):
        require_perm(actor, "assistance.work")
        return
    if has_perm(actor, "assistance.take"):
        require_perm(actor, "assistance.take")
        _require_scope(actor, grid, "assistance.take")
        if not Volunteer.objects.filter(user=actor, confirmed_at__isnull=False).exists():
            raise RuleViolation("not_confirmed",
                                _("Your sign-up as a volunteer is not confirmed yet: the "
                                  "community confirms it before you take errands."),
                                status=403)
        return
    require_perm(actor, "assistance.work")  # 403
    raise Http404


@transaction.atomic
def service_request_take(*, request: ServiceRequest, actor,
                         now: datetime | None = None) -> ServiceRequest:
    """我来办: someone takes a new request themself, without waiting for staff to assign it:
    a grid worker in their own grid, or a confirmed volunteer in the area of their volunteer
    role. Only a new one: an assigned request is re-assigned by staff. Two people taking it
    at once: one gets it (one conditional UPDATE), the other a 409 `bad_transition` saying
    someone else took it."""
    _require_taker(actor, request.grid)
    moved = ServiceRequest.objects.filter(pk=request.pk, status=RequestStatus.NEW).update(
        status=RequestStatus.ASSIGNED, volunteer=actor, volunteer_name="", volunteer_phone="",
        assigned_at=now or clock.now())
    if not moved:
        request.refresh_from_db()
        if request.status == RequestStatus.ASSIGNED and request.volunteer_id == actor.pk:
            raise RuleViolation("bad_transition", _("Errand #%(n)s is yours already.")
                                % {"n": request.pk})
        if request.status == RequestStatus.ASSIGNED:
            raise RuleViolation(
                "bad_transition",
                _("Someone else has just taken errand #%(n)s; choose another.")
                % {"n": request.pk})
        raise RuleViolation(
            "bad_transition",
            _("Only a new request can be taken; this one is %(status)s already.")
            % {"status": request.get_status_display()})
    request.refresh_from_db()
    audit(actor=actor, action=AuditAction.ASSISTANCE_REQUEST_ASSIGN, obj=request,
          detail=f"volunteer={actor.pk} taken")
    return request


def _unpriced(request: ServiceRequest, where: Q | None) -> bool:
    """Could the errand be delivered now, but has no amount yet? Read afresh: `request` may
    be stale, and refusals that came first (no longer theirs: 404; not deliverable: 409) stay
    `_move`'s to say."""
    row = (ServiceRequest.objects.filter(where or Q(), pk=request.pk)
           .values("status", "amount").first())
    return (row is not None and row["amount"] is None
            and row["status"] in TRANSITIONS[RequestStatus.DELIVERED])


@transaction.atomic
def service_request_transition(*, request: ServiceRequest, to: str, actor, amount=None,
                               receipt_no: str = "", receipt_note: str = "", reason: str = "",
                               now: datetime | None = None) -> ServiceRequest:
    """Move a request along new → assigned → bought → delivered, or cancel it.

    bought/delivered: anyone working in the area (staff for a volunteer without an account),
    or the volunteer it is assigned to, on their phone (their own errands only: a volunteer's
    login holds assistance.own); cancelling needs assistance.manage and a reason. An errand
    with something to pay for (`buys`) is delivered only with its amount, recorded when it
    was bought or sent with delivered (422 naming `amount`).
    """
    now = now or clock.now()
    if to == RequestStatus.ASSIGNED:
        raise InvalidInput("use_assign", _("Assign a request with a volunteer."), field="status")
    if to not in TRANSITIONS:
        raise InvalidInput("bad_status", _("Unknown status %(status)s.") % {"status": to},
                           field="status")
    where = None
    if to == RequestStatus.CANCELLED:
        require_perm(actor, "assistance.manage")
        _require_scope(actor, request.grid, "assistance.manage")
    else:
        where = _errand_hand(actor, request)
    fields = {}
    if to == RequestStatus.CANCELLED:
        reason = text_field(reason, field="reason", label=pgettext("assistance", "Reason"),
                            limit=200)
        if not reason:
            raise InvalidInput("reason_required", _("Give a reason for cancelling."),
                               field="reason")
        fields.update(cancel_reason=reason, cancelled_at=now)
    else:
        value = _amount(amount)
        if value is not None:
            fields["amount"] = value
        elif to == RequestStatus.DELIVERED and request.buys and _unpriced(request, where):
            # Something was paid for (groceries, medicine, bills): without the amount it
            # cannot be paid back. On the page and in the API alike; 0 if nothing was paid.
            raise InvalidInput("amount_required",
                               _("Type the amount paid (0 if nothing) before marking it "
                                 "delivered, so that the household can pay it back."),
                               field="amount")
        if receipt_no:
            fields["receipt_no"] = text_field(receipt_no, field="receipt_no", limit=64,
                                              label=pgettext("assistance", "Receipt number"))
        if receipt_note:
            fields["receipt_note"] = text_field(receipt_note, field="receipt_note", limit=200,
                                                label=pgettext("assistance", "Note"))
        fields["bought_at" if to == RequestStatus.BOUGHT else "delivered_at"] = now
    req = _move(request, to, where=where, **fields)
    audit(actor=actor, action=AuditAction(f"assistance.request_{to}"), obj=req)
    return req


@transaction.atomic
def service_request_paid_back(*, request: ServiceRequest, actor,
                              now: datetime | None = None) -> ServiceRequest:
    """The household paid the volunteer back for what was bought (staff, a worker, or the
    volunteer whose errand it is)."""
    where = _errand_hand(actor, request)
    moved = ServiceRequest.objects.filter(
        where or Q(), pk=request.pk, paid_back=False, amount__isnull=False,
        status__in=[RequestStatus.BOUGHT, RequestStatus.DELIVERED],
    ).update(paid_back=True, paid_back_at=now or clock.now())
    if not moved:
        raise RuleViolation("not_payable",
                            _("Only a bought or delivered request with an amount, not yet paid "
                              "back, can be marked paid back."))
    request.refresh_from_db()
    audit(actor=actor, action=AuditAction.ASSISTANCE_REQUEST_PAID_BACK, obj=request)
    return request


# --- care calls (暖心电话) ---------------------------------------------------------------------

def call_slots(day) -> tuple[list[tuple[str, str]], str]:
    """[(slot name, "HH:MM" start)] of local day `day`, and the rule version."""
    value = rule("care.call_slots", on=day)
    return [(str(name), str(start)) for name, start in value.value], value.version


def slot_at(at: datetime) -> str:
    """The slot a call made at `at` counts for: the last one started (the first before it)."""
    local = clock.localtime(at)
    slots, _version = call_slots(local.date())
    current = slots[0][0]
    hhmm = local.strftime("%H:%M")
    for name, start in slots:
        if start <= hhmm:
            current = name
    return current


@transaction.atomic
def care_call_log(*, household, outcome: str, actor, note: str = "", slot: str | None = None,
                  at: datetime | None = None) -> CareCall:
    """Log the outcome of a care call in one tap. Calling again in the same slot (after no
    answer) updates the row and counts the attempt. "needs help" and "symptoms" open an alert."""
    at = at or clock.now()
    day = clock.localdate(at)
    require_perm(actor, "assistance.work")
    _require_scope(actor, household.grid, "assistance.work")
    if outcome not in CallOutcome.values:
        raise InvalidInput("bad_outcome", _("Unknown outcome %(outcome)s.") % {"outcome": outcome},
                           field="outcome")
    slots, version = call_slots(day)
    names = [name for name, _start in slots]
    slot = slot or slot_at(at)
    if slot not in names:
        raise InvalidInput("bad_slot", _("Unknown call slot %(slot)s. Slots: %(slots)s")
                           % {"slot": slot, "slots": ", ".join(names)}, field="slot")
    isolation = (_active_isolations(household, day).filter(kind=IsolationKind.HOME)
                 .select_related("resident").first())
    if isolation is None:
        raise RuleViolation("not_isolated",
                            _("This household has no active home isolation on %(day)s.")
                            % {"day": day.isoformat()})
    note = text_field(note, field="note", label=pgettext("assistance", "Note"), limit=200)
    call = CareCall.objects.select_for_update().filter(household=household, day=day,
                                                       slot=slot).first()
    if call is None:
        try:
            with transaction.atomic():
                call = CareCall.objects.create(
                    household=household, grid_id=household.grid_id, day=day, slot=slot,
                    worker=actor, outcome=outcome, note=note, at=at, rule_version=version)
        except IntegrityError as exc:  # the same call recorded at the same instant
            if not is_unique_violation(exc):
                raise
            call = CareCall.objects.select_for_update().get(household=household, day=day,
                                                            slot=slot)
            call = _call_update(call, actor=actor, outcome=outcome, note=note, at=at)
    else:
        call = _call_update(call, actor=actor, outcome=outcome, note=note, at=at)
    if outcome in (CallOutcome.NEEDS_HELP, CallOutcome.SYMPTOMS):
        _open_alert(call, isolation)
    audit(actor=actor, action=AuditAction.ASSISTANCE_CARE_CALL, obj=call,
          detail=f"outcome={outcome}")
    return call


def _call_update(call, *, actor, outcome, note, at):
    CareCall.objects.filter(pk=call.pk).update(outcome=outcome, note=note or call.note, at=at,
                                               worker=actor, attempts=F("attempts") + 1)
    call.refresh_from_db()
    return call


def _open_alert(call: CareCall, isolation: Isolation) -> None:
    """One alert per call row and outcome (idempotent through the alert's due_key)."""
    from firstline.isolation.models import Alert, AlertKind

    kind = AlertKind.SYMPTOMS if call.outcome == CallOutcome.SYMPTOMS else AlertKind.HELP
    Alert.objects.get_or_create(
        due_key=f"care_call:{call.pk}:{call.outcome}",
        defaults={"kind": kind, "resident_id": isolation.resident_id,
                  "household_id": call.household_id, "isolation": isolation,
                  "area_id": call.grid_id, "detail": call.note[:200],
                  "source": f"care_call:{call.pk}", "opened_at": call.at,
                  "owner": call.worker},  # the worker who heard it is already on it
    )


# --- care packages (九个一), from operations' stock -----------------------------------------
#
# One stock model: a kit kind is an operations item (made with the kind), its stock is held in
# operations' stores (a community's or the street's own store) and every receipt and issue is
# a movement of that store's ledger. Assistance depends on operations, never the reverse.

def _kit_item(kind: PackageKind, *, actor):
    """The operations item of a kit kind (made on first use for kinds older than the link)."""
    if kind.item_id is None:
        kind.refresh_from_db(fields=["item"])
    if kind.item_id is None:
        from firstline.operations.services import item_create

        code = f"kit-{kind.pk}"
        item = item_create(actor=actor, code=code, name=kind.name[:100], unit="套",
                           perm="assistance.manage")
        PackageKind.objects.filter(pk=kind.pk, item__isnull=True).update(item=item)
        kind.refresh_from_db(fields=["item"])
    return kind.item


@transaction.atomic
def package_kind_create(*, name: str, contents: str = "", actor) -> PackageKind:
    require_perm(actor, "assistance.manage")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("bad_name", _("Give the kit a name (up to 100 characters)."),
                           field="name")
    duplicate = RuleViolation("duplicate", _("A kit with this name exists."), field="name")
    if PackageKind.objects.filter(name=name).exists():
        raise duplicate
    with unique_or(duplicate):  # the same kit added at the same instant: one kind
        kind = PackageKind.objects.create(name=name, contents=(contents or "").strip())
    _kit_item(kind, actor=actor)
    audit(actor=actor, action=AuditAction.ASSISTANCE_PACKAGE_KIND_CREATE, obj=kind)
    return kind


@transaction.atomic
def stock_receive(*, kind: PackageKind, area: Area, quantity: int, actor, note: str = "",
                  now: datetime | None = None):
    """Add kits to (or, with a negative quantity, correct down) the stock of a street's or a
    community's own store in operations (made on first use). A correction never takes the
    stock below zero. Returns the operations Stock row."""
    from firstline.operations import services as operations

    require_perm(actor, "assistance.manage")
    _require_scope(actor, area, "assistance.manage")
    if area.level not in (Level.STREET, Level.COMMUNITY):
        raise InvalidInput("bad_area", _("Stock is held by a street or a community."),
                           field="area")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity == 0:
        raise InvalidInput("bad_quantity", _("The quantity must be a whole number, not zero."),
                           field="quantity")
    if abs(quantity) > MAX_STOCK_MOVE:
        raise InvalidInput("quantity_too_large",
                           _("The quantity is too large: at most %(max)s kits at a time "
                             "(got %(n)s).") % {"max": MAX_STOCK_MOVE, "n": quantity},
                           field="quantity")
    note = text_field(note, field="note", label=pgettext("assistance", "Note"), limit=200)
    now = now or clock.now()
    item = _kit_item(kind, actor=actor)
    store = operations.store_of_area(area, create=True)
    if quantity > 0:
        row = operations.stock_receive(actor=actor, store=store, item=item, quantity=quantity,
                                       note=note, now=now, perm="assistance.manage")
    else:
        try:
            with transaction.atomic():
                row = operations.stock_issue(actor=actor, store=store, item=item,
                                             quantity=-quantity, to=note, correction=True,
                                             now=now, perm="assistance.manage")
        except RuleViolation as e:
            if e.code != "insufficient_stock":
                raise
            raise RuleViolation("stock_negative", _("The stock cannot go below zero."),
                                field="quantity") from None
    audit(actor=actor, action=AuditAction.ASSISTANCE_STOCK_RECEIVE, obj=row,
          detail=f"delta={quantity}")
    return row


def _take_one(kind: PackageKind, household, *, actor, now):
    """Issue one kit from the nearest store holding it: the community's, then the street's.

    operations.stock_issue takes it with one conditional UPDATE (quantity >= 1), exact under
    concurrency on SQLite and PostgreSQL: of N issuers racing for the last kit, one gets it.
    """
    from firstline.operations import services as operations

    if kind.item_id is None:
        raise RuleViolation("insufficient_stock",
                            _("No %(kit)s left in stock for this household's community or "
                              "street.") % {"kit": kind.name}, field="kind")
    areas = {a.level: a for a in Area.objects.filter(
        pk__in=[int(p) for p in household.grid.path.strip("/").split("/") if p])}
    for level in (Level.COMMUNITY, Level.STREET):
        store = operations.store_of_area(areas[level]) if level in areas else None
        if store is None:
            continue
        try:
            with transaction.atomic():
                operations.stock_issue(actor=actor, store=store, item=kind.item, quantity=1,
                                       household=household, now=now,
                                       perm="assistance.work")
            return store
        except RuleViolation as e:
            if e.code != "insufficient_stock":
                raise
    raise RuleViolation("insufficient_stock",
                        _("No %(kit)s left in stock for this household's community or street.")
                        % {"kit": kind.name}, field="kind")


@transaction.atomic
def package_issue(*, kind: PackageKind, household, actor, override_reason: str = "",
                  now: datetime | None = None, event_id=None) -> PackageIssue:
    """Hand one kit to a household. Once per kind per household, unless staff (assistance.manage)
    give a reason for another.
    Once per `event_id` (firstline.db.create_once): a retry answers the first issue, `replayed`
    True, and takes no second kit — also a retried override, which no other rule stops."""
    now = now or clock.now()
    require_perm(actor, "assistance.work")
    _require_scope(actor, household.grid, "assistance.work")
    override_reason = text_field(override_reason, field="override_reason", limit=200,
                                 label=pgettext("assistance", "Reason"))

    def same(first: PackageIssue) -> bool:
        # A first issue keeps no reason, whatever was typed: kind, household and issuer say it.
        return ((first.kind_id, first.household_id, first.issued_by_id)
                == (kind.pk, household.pk, actor.pk)
                and first.override_reason in ("", override_reason))

    def create() -> PackageIssue:
        nonlocal override_reason
        if not kind.active:
            raise RuleViolation("kind_inactive", _("This kit is no longer issued."))
        already = PackageIssue.objects.filter(kind=kind, household=household).exists()
        if already and sent_meanwhile(PackageIssue, event_id):
            raise SentMeanwhile  # this very issue, sent again, committed since create_once looked
        if already and not override_reason:
            raise RuleViolation("already_issued",
                                _("This household already received %(kit)s. Staff may issue "
                                  "another with a reason.") % {"kit": kind.name})
        if already and not has_perm(actor, "assistance.manage"):
            require_perm(actor, "assistance.manage")
        if not already:
            override_reason = ""  # a first issue is a normal one, whatever was typed
        store = _take_one(kind, household, actor=actor, now=now)

        def taken():
            if sent_meanwhile(PackageIssue, event_id):
                return None  # the same issue sent at the same instant: create_once answers it
            # Another issuer won the race for this household's first kit; our issue rolls back.
            return RuleViolation("already_issued",
                                 _("This household already received %(kit)s.") % {"kit": kind.name})

        with unique_or(taken):
            issue = PackageIssue.objects.create(
                kind=kind, household=household, grid_id=household.grid_id, store=store,
                override_reason=override_reason, issued_by=actor, issued_at=now,
                event_id=event_id)
        audit(actor=actor, action=AuditAction.ASSISTANCE_PACKAGE_ISSUE, obj=issue,
              detail="override" if override_reason else "")
        return issue

    issue, replayed = create_once(PackageIssue, event_id, same=same, create=create)
    issue.replayed = replayed
    return issue


# --- retention --------------------------------------------------------------------------------

@transaction.atomic
def assistance_deidentify(*, now: datetime | None = None) -> dict:
    """Blank the free text of closed requests and care calls older than rule "retention.days"
    (what was bought, notes, volunteer names and phones); the counts stay for the reports.
    Idempotent: already blank rows are not touched again. Meant for a nightly job."""
    from datetime import timedelta

    now = now or clock.now()
    days = rule("retention.days", on=clock.localdate(now)).value
    cutoff = now - timedelta(days=days)
    requests = (ServiceRequest.objects
                .filter(status__in=[RequestStatus.DELIVERED, RequestStatus.CANCELLED])
                .filter(Q(delivered_at__lt=cutoff) | Q(cancelled_at__lt=cutoff))
                .exclude(detail="", receipt_note="", volunteer_name="", volunteer_phone="",
                         cancel_reason="")
                .update(detail="", receipt_note="", volunteer_name="", volunteer_phone="",
                        cancel_reason=""))
    calls = (CareCall.objects.filter(day__lt=clock.localdate(cutoff)).exclude(note="")
             .update(note=""))
    audit(actor=None, action=AuditAction.ASSISTANCE_DEIDENTIFY, object_type="assistance",
          detail=f"requests={requests} calls={calls}", via="job")
    return {"requests": requests, "calls": calls}


# --- phones to ring -------------------------------------------------------------------------

# Why a phone is revealed: the full read's reasons (people FULL_READ_REASONS, the same short
# select), but "other", whose free text a one-tap reveal has no room for. "contact" is the
# default, preselected on the pages and taken by the API when no reason is sent.
PHONE_REVEAL_REASONS = [(code, label) for code, label in FULL_READ_REASONS if code != "other"]
PHONE_REVEAL_DEFAULT = "contact"


def phone_reveal_reason(code: str, task: dict) -> dict:
    """The audit row's why of a phone reveal: the chosen reason and the task, as a message
    said in the auditor's language ("Contact the person · errand 12"). An unknown code is a
    422 naming `reason`; an empty one is the default."""
    code = (code or "").strip() or PHONE_REVEAL_DEFAULT
    labels = dict(PHONE_REVEAL_REASONS)
    if code not in labels:
        raise InvalidInput("bad_reason", _("Reason: choose one of the listed reasons."),
                           field="reason")
    return message(N_("%(reason)s · %(task)s"), reason=word(labels[code]), task=task)


def care_call_phone(*, actor, resident_id, via: str = "web", reason: str = ""):
    """(resident, full phone) of an isolated resident of the caller's scope, to ring for the
    care call: a full read through pii_read (people.view_full), audited with the chosen
    reason (PHONE_REVEAL_REASONS, "contact" when none) and the call."""
    from . import selectors  # (selectors reads this module's call slots)

    require_perm(actor, "assistance.work")
    require_perm(actor, "people.view_full")
    why = phone_reveal_reason(reason, message("care call", context="audit detail"))
    resident = selectors.isolated_resident_get_for_user(actor, resident_id)
    return resident, pii_read(actor, resident, ["phone"], why, via,
                              action=AuditAction.PHONE_READ)["phone"]


def errand_phone(*, actor, request_id, resident_id, via: str = "web", reason: str = ""):
    """(resident, full phone) of an isolated resident of an errand's household, to ring from
    My tasks: audited with the chosen reason and "errand N"; a volunteer's login only while
    the errand is assigned to it and open (pii_read's "errand" grant), and never the ID
    number."""
    from . import selectors

    req = selectors.service_request_get_for_user(actor, request_id)
    resident = selectors.errand_contact_get(req, resident_id)
    why = phone_reveal_reason(reason, message(N_("errand %(n)s"), n=req.pk))
    return resident, pii_read(actor, resident, ["phone"], why, via,
                              action=AuditAction.PHONE_READ, grant=("errand", req.pk))["phone"]
