"""Visitors, vehicles and couriers at the gate, and their de-identification."""

import uuid
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.services import audit, require_perm
from firstline.db import create_once
from firstline.errors import InvalidInput
from firstline.isolation.models import AlertKind
from firstline.isolation.services import alert_open
from firstline.people.services import phone_normalize
from firstline.rules.temperature import is_fever, temperature_parse
from firstline.texts import N_, message, word

from ..models import Checkpoint, Crossing, Decision, Direction, GateVisit, Subject
from .gate import _checkpoint_label, rule_on

# --- visitors, vehicles, couriers -----------------------------------------------------------

@transaction.atomic
def gate_visit_record(*, actor, checkpoint: Checkpoint, subject: str, admitted: bool,
                 direction: str = Direction.IN, name: str = "", phone: str = "",
                 visiting: str = "", household=None, purpose: str = "", plate: str = "",
                 origin: str = "", out_of_town: bool = False, verified: str = "",
                 turned_back_reason: str = "", at: datetime | None = None,
                 event_id: uuid.UUID | None = None, temperature=None) -> Crossing:
    """Register a visitor (来访登记), a vehicle or a courier; or turn them back (劝返).

    Each is a Crossing (subject visitor/vehicle/courier), so the daily report counts it:
    admitted → "in"/"out", turned back or sent to the parcel point → "denied".
    人员进出一律测温: `temperature` is required while rule "gate.temperature_required" is on;
    a fever turns them back (reason "fever") and opens an alert; someone coming from a
    listed risk area is turned back (reason "risk_area") while rule
    "gate.turn_back_risk_visitors" is on."""
    require_perm(actor, "access.visitors")
    if subject not in (Subject.VISITOR, Subject.VEHICLE, Subject.COURIER):
        raise InvalidInput("invalid", _("Unknown kind of visit."), field="subject")
    if direction not in Direction.values:
        raise InvalidInput("invalid", _("direction must be \"out\" or \"in\"."), field="direction")
    at = at or clock.now()
    day = clock.localdate(at)

    def same(done: Crossing) -> bool:
        # A retry of this visit returns it; an event_id of a pass scan or of another gate's
        # visit is someone else's: refuse, and show nothing of it.
        return done.subject != Subject.RESIDENT and done.checkpoint_id == checkpoint.pk

    def create() -> Crossing:
        nonlocal admitted, turned_back_reason, phone, plate
        phone = phone_normalize(phone)
        plate = "".join((plate or "").split()).upper()
        if subject == Subject.VEHICLE and not plate:
            raise InvalidInput("bad_plate", _("A vehicle needs its plate number."), field="plate")
        if subject == Subject.VISITOR and not (name or "").strip():
            raise InvalidInput("bad_name", _("A visitor's name is required."), field="name")
        t = _visit_temperature(temperature, day)
        if household is not None and household.compound_id != checkpoint.compound_id:
            raise InvalidInput("wrong_compound", _("That household is not in this compound."),
                               field="household")
        reason = None
        fever = is_fever(t, on=day)
        by_rule = visit_turn_back_by_rule(temperature=t, origin=origin, day=day)
        if by_rule is not None:
            reason = by_rule[0]
            turned_back_reason = turned_back_reason or by_rule[1]
        if reason is not None:
            admitted = False
        if not admitted and subject != Subject.COURIER and not (turned_back_reason or "").strip():
            raise InvalidInput("bad_reason", _("Say why they were turned back."),
                               field="turned_back_reason")
        if reason is None:
            reason = "ok" if admitted else ("parcel_point" if subject == Subject.COURIER
                                            else "turned_back")
        crossing = Crossing.objects.create(
            event_id=event_id or uuid.uuid4(), subject=subject, checkpoint=checkpoint,
            compound_id=checkpoint.compound_id, area_id=checkpoint.compound.area_id,
            household=household, direction=direction, scanned_at=at, day=day, temperature=t,
            decision=Decision.ALLOW if admitted else Decision.DENY, reason=reason,
            actor=actor if getattr(actor, "pk", None) else None, via="web")
        GateVisit.objects.create(
            crossing=crossing, name=(name or "").strip()[:50], phone=phone,
            visiting=(visiting or "")[:100], household=household, purpose=(purpose or "")[:200],
            plate=plate[:12], origin=(origin or "")[:100], out_of_town=out_of_town,
            verified=(verified or "")[:100], turned_back_reason=(turned_back_reason or "")[:200])
        if fever:
            # No personal data in the alert: the gate, the kind of visit and the temperature.
            label = _checkpoint_label(checkpoint.pk, checkpoint.code)
            grid = household.grid if household is not None else checkpoint.compound.area
            alert_open(kind=AlertKind.GATE_FEVER, area=grid, household=household,
                       detail=message(N_("%(gate)s · %(subject)s %(t)s °C"), gate=label,
                                      subject=word(Subject(subject).label), t=f"{t:.1f}"),
                       source=f"crossing:{crossing.pk}",
                       opened_at=at, dedupe=household is not None)
        audit(actor=actor,
              action=AuditAction(f"access.{subject}_{'admit' if admitted else 'turn_back'}"),
              obj=crossing)
        return crossing

    # A gate on a bad network sends the visit again, also at the same instant: one crossing
    # (firstline.db.create_once).
    crossing, _replayed = create_once(Crossing, event_id, same=same, create=create,
                                      reused=_("This event_id was used for another crossing."))
    return crossing


def visit_turn_back_by_rule(*, temperature, origin: str, day: date) -> tuple[str, str] | None:
    """(reason, words) when a rule turns a visitor back whatever the gate chose: a fever, or
    "coming from" naming a listed risk area while rule "gate.turn_back_risk_visitors" is on.
    None otherwise. The visitor form asks for a reason of its own only when this is None."""
    from firstline.people.services import risk_area_in_text
    from firstline.rules import rule

    if is_fever(temperature, on=day):
        return "fever", _("Fever %(t).1f °C") % {"t": temperature}
    if rule_on(rule("gate.turn_back_risk_visitors", on=day).value):
        risk = risk_area_in_text(origin, on=day)
        if risk is not None:
            return "risk_area", (_("Coming from a risk area: %(place)s")
                                 % {"place": f"{risk.province}{risk.city}"})
    return None


def _visit_temperature(value, day: date) -> float | None:
    """A visitor's temperature: required under rule "gate.temperature_required"; read by the
    one parser (firstline.rules.temperature: "36,6℃" is 36.6, 365 is refused)."""
    from firstline.rules import rule

    t = temperature_parse(value, on=day)
    if t is None and rule_on(rule("gate.temperature_required", on=day).value):
        raise InvalidInput("temperature_required",
                           _("Measure the temperature first (everyone crossing is measured)."),
                           field="temperature")
    return None if t is None else float(t)


# --- retention ------------------------------------------------------------------------------

@transaction.atomic
def visits_deidentify(*, now: datetime | None = None) -> int:
    """Blank visitors' names, phones and whom they visited once older than rule
    "retention.days"; the crossings (counts, plates' origin) stay for the reports. Idempotent.
    Meant for a nightly job."""
    from firstline.rules import rule

    now = now or clock.now()
    days = rule("retention.days", on=clock.localdate(now)).value
    cutoff = now - timedelta(days=days)
    n = (GateVisit.objects.filter(crossing__scanned_at__lt=cutoff)
         .exclude(name="", phone="", visiting="")
         .update(name="", phone="", visiting=""))
    audit(actor=None, action=AuditAction.ACCESS_DEIDENTIFY, object_type="access.gatevisit",
          detail=f"visits={n}", via="job")
    return n
