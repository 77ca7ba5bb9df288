"""Door-to-door screening visits (入户排查) and the follow-ups they find."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.scope import in_scope
from firstline.accounts.services import audit, require_perm
from firstline.db import create_once
from firstline.errors import InvalidInput, RuleViolation
from firstline.rules import rule
from firstline.rules.temperature import is_fever, temperature_parse

from ..models import KeyPersonCategory, ScreeningVisit, Transport, VisitPerson, VisitSource
from ..vocab import symptoms_check
from .key_persons import _derive_key_facts
from .risk_areas import risk_area_match


@transaction.atomic
def screening_visit_record(*, actor, household, people: list[dict], visited_at: datetime | None = None,
                 nobody_home: bool = False, by_phone: bool = False, note: str = "",
                 source: str = VisitSource.SCREENING, event_id=None,
                 now: datetime | None = None) -> ScreeningVisit:
    """入户摸排: record one visit of `household` and derive its members' key-person facts.

    `people` holds one dict per member reached: resident, present, from_province, from_city,
    returned_on, transport, transport_no, symptoms, temperature, categories (codes chosen by
    the worker). Categories with `auto` are added from the facts (came from a listed risk
    area; temperature at or over the fever rule). For each member reached, the visit-derived
    facts now found are opened and those no longer found are closed — unless a later visit
    of that member is already recorded (a back-filled offline visit changes nothing then).
    `symptoms`: Symptom codes, a list or comma-separated, any other refused (422 `bad_symptom`,
    people.vocab.symptoms_check) before anything is written; a declaration's are the
    resident's own words, kept as they are.
    `source` DECLARATION: the record of one member's confirmed return declaration, which does
    not count as screening the household (ScreeningVisit.objects.screened()).
    """
    require_perm(actor, "people.screen")
    if not in_scope(actor, household.grid, "people.screen"):
        raise RuleViolation("not_found", _("Not found."), status=404)
    if source != VisitSource.DECLARATION:  # one vocabulary with the isolation readings
        for entry in people:
            symptoms_check(entry.get("symptoms") or (), field="symptoms")
    now = now or clock.now()
    # A phone's clock running ahead is filed at the server's time (CONTRACT.md "Time").
    when = clock.device_time(visited_at, now=now)
    visited_at = when.at
    day = clock.localdate(visited_at)
    fever = rule("fever.threshold_c", on=day)

    def same(first: ScreeningVisit) -> bool:
        return first.household_id == household.pk

    note = visit_text(note, field="note", limit=200)

    def create() -> ScreeningVisit:
        if nobody_home and people:
            raise InvalidInput("nobody_home", _("Nobody was home: record no members."))
        return ScreeningVisit.objects.create(
            household=household, grid=household.grid, worker=actor, visited_at=visited_at,
            nobody_home=nobody_home, by_phone=by_phone, source=source, note=note,
            event_id=event_id,
            rule_version=f"fever:{fever.version}", created_at=now,
            device_at=when.sent if when.sent != when.at else None)

    # A phone syncing offline may send the same visit twice, also at the same instant: the
    # first one stands (firstline.db.create_once).
    visit, replayed = create_once(
        ScreeningVisit, event_id, same=same, create=create,
        reused=_("This event_id was used for another household."))
    visit.replayed = replayed
    if replayed:
        return visit
    categories = {c.code: c for c in KeyPersonCategory.objects.filter(active=True)}
    member_ids = set(household.residents.values_list("pk", flat=True))
    for index, entry in enumerate(people):
        where = f"people.{index}."  # the API's name of the entry's fields (people.0.from_city)
        resident = entry["resident"]
        if resident.pk not in member_ids:
            raise InvalidInput("not_member", _("%(name)s does not live in this household.")
                               % {"name": resident.name})
        temperature = temperature_parse(entry.get("temperature"), on=day)
        transport = entry.get("transport") or ""
        if transport not in Transport.values:
            raise InvalidInput("bad_transport", _("Unknown transport."),
                               field=where + "transport")
        province = visit_text(entry.get("from_province"), field=where + "from_province", limit=30)
        city = visit_text(entry.get("from_city"), field=where + "from_city", limit=30)
        returned_on = returned_on_check(entry.get("returned_on"), field=where + "returned_on",
                                        visit_day=day)
        risk = risk_area_match(province=province, city=city, on=day)
        record = VisitPerson.objects.create(
            visit=visit, resident=resident, present=entry.get("present", True),
            from_province=province, from_city=city, from_risk_area=risk is not None,
            returned_on=returned_on, transport=transport,
            transport_no=visit_text(entry.get("transport_no"), field=where + "transport_no",
                                    limit=30),
            symptoms=visit_text(_symptoms_text(entry.get("symptoms")), field=where + "symptoms",
                                limit=200),
            temperature=temperature)
        found = set()
        for code in entry.get("categories") or []:
            if code not in categories:
                raise InvalidInput("bad_category", _("Unknown key-person category %(code)s.")
                                   % {"code": code})
            found.add(code)
        for code, category in categories.items():
            if category.auto == "risk_area" and risk is not None:
                found.add(code)
            if category.auto == "fever" and is_fever(temperature, threshold=fever.value):
                found.add(code)
        record.categories.set([categories[c] for c in found])
        for handler in VISIT_FINDING_HANDLERS:
            handler(visit=visit, resident=resident, temperature=temperature,
                    fever=Decimal(str(fever.value)), risk=risk,
                    returned_on=returned_on, day=day)
        later = VisitPerson.objects.filter(resident=resident,
                                           visit__visited_at__gt=visited_at).exists()
        if not later:
            _derive_key_facts(resident=resident, found=found, categories=categories,
                              visit=visit, at=visited_at)
    audit(actor=actor, action=AuditAction.VISIT_RECORD, obj=visit)
    return visit


def _symptoms_text(symptoms) -> str:
    """What a visit stores: a list of codes joined, each once ("cough,fatigue"); text as sent."""
    if symptoms is None or isinstance(symptoms, str):
        return symptoms or ""
    return ",".join(dict.fromkeys(symptoms))


def visit_text(value, *, field: str, limit: int) -> str:
    """A visit's text as given (blanks at the ends dropped), or 422 `too_long` naming the field
    as the API does (`people.0.from_city`; a page says its label instead): never cut."""
    value = str(value or "").strip()
    if len(value) > limit:
        raise InvalidInput("too_long", _("%(field)s: at most %(n)d characters.")
                           % {"field": field, "n": limit}, field=field)
    return value


def returned_on_check(value, *, field: str, visit_day: date):
    """A return date recorded at the door has already happened: a day after the visit's own
    (local) day is 422 `returned_on_future`, as the resident's own declaration refuses a day
    after the day it is sent. Nothing here speaks of an expected return."""
    if value is not None and value > visit_day:
        raise InvalidInput("returned_on_future",
                           _("%(field)s: the return date %(day)s is after the day of the "
                             "visit (%(visit)s).")
                           % {"field": field, "day": value.isoformat(),
                              "visit": visit_day.isoformat()}, field=field)
    return value


# What a screening visit finds must reach someone (CONTRACT.md "Findings reach someone"), but
# people sits below isolation, which owns alerts: the isolation app subscribes here in its
# AppConfig.ready (isolation.services.door_findings_open) and people never imports it.
VISIT_FINDING_HANDLERS: list = []


# Panels other apps add to the resident page (isolation: current isolation and open alerts).
RESIDENT_PANELS: list = []


def resident_panels_subscribe(panel) -> None:
    """`panel(resident=, user=)` returns HTML (safe) for the top of the resident page."""
    if panel not in RESIDENT_PANELS:
        RESIDENT_PANELS.append(panel)


def visit_findings_subscribe(handler) -> None:
    """`handler(visit=, resident=, temperature=, fever=, risk=, returned_on=, day=)` is
    called, inside the visit's transaction, for each member recorded on a visit."""
    if handler not in VISIT_FINDING_HANDLERS:
        VISIT_FINDING_HANDLERS.append(handler)


# What the follow-up page says about alerts comes from the isolation app, which owns them:
# `reader(visit=, user=)` returns the VisitAlerts of that visit's findings.
VISIT_ALERT_READERS: list = []


def visit_alerts_subscribe(reader) -> None:
    if reader not in VISIT_ALERT_READERS:
        VISIT_ALERT_READERS.append(reader)


@dataclass(frozen=True)
class VisitAlert:
    """An alert that carries one finding of a visit about one member: opened by the visit, or
    already open and updated by it (one open alert per resident and kind)."""

    resident_id: int
    finding: str  # "fever" or "risk_area": the FollowUp reason it carries
    label: str  # the alert's kind, in the reader's language
    url: str  # where the reader sees it ("" when they may not see alerts there)
    holds_household: bool  # while it is open the household does not go out (gate.fever_hold)
    staff_notified: bool  # community staff (who start isolations) see it in their area


def visit_alerts(*, visit: ScreeningVisit, user) -> list[VisitAlert]:
    """The alerts carrying `visit`'s findings, as the subscribed readers tell them."""
    return [a for reader in VISIT_ALERT_READERS for a in reader(visit=visit, user=user)]


@dataclass(frozen=True)
class FollowUp:
    """A member a visit found in need of follow-up, and why (either or both)."""

    resident: object
    temperature: Decimal | None  # at or over the fever rule
    risk_place: str  # where they came back from, as typed, when it is a listed risk area


def visit_followups(*, visit: ScreeningVisit) -> list[FollowUp]:
    """The members of `visit` to consider for isolation: a temperature at or over the fever
    rule in force on the visit's local day, or back from a listed risk area (as matched when
    the visit was recorded). Empty when nobody needs follow-up."""
    fever = Decimal(str(rule("fever.threshold_c",
                             on=clock.localdate(visit.visited_at)).value))
    found = []
    for record in visit.people.select_related("resident").order_by("resident_id"):
        hot = record.temperature if is_fever(record.temperature, threshold=fever) else None
        place = f"{record.from_province}{record.from_city}" if record.from_risk_area else ""
        if hot is not None or place:
            found.append(FollowUp(resident=record.resident, temperature=hot, risk_place=place))
    return found
