"""Readings and alerts: self-reports, door findings, missed reports, the alert's life."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from firstline import clock, shared_cache
from firstline.accounts.actions import AuditAction
from firstline.accounts.models import RoleAssignment
from firstline.accounts.roles import Role
from firstline.accounts.services import audit, require_perm
from firstline.db import create_once, is_unique_violation
from firstline.errors import InvalidInput, RuleViolation
from firstline.people.vocab import symptoms_check
from firstline.rules import rule
from firstline.rules.temperature import is_fever, temperature_parse
from firstline.texts import N_, is_message, message

from .. import schedule
from ..models import (
    Alert,
    AlertKind,
    AlertStatus,
    Isolation,
    Reading,
    ReadingSource,
    Status,
)
from .common import MISSED_LOOKBACK_DAYS, SELF_REPORTS_PER_HOUR, _now, text_field
from .isolations import isolations_expire

# --- readings and alerts --------------------------------------------------------------------

def default_owner(grid):
    """Who an alert goes to first: the grid's worker (the one assigned longest)."""
    return default_owners([grid.pk]).get(grid.pk)


def default_owners(grid_ids) -> dict:
    """{grid id: its first grid worker} in one query (grids without one are absent)."""
    out = {}
    for row in (RoleAssignment.objects.filter(area_id__in=grid_ids, role=Role.GRID_WORKER,
                                              user__is_active=True)
                .order_by("-created_at", "-pk").select_related("user")):
        out[row.area_id] = row.user  # the earliest assignment is written last and wins
    return out


_NO_OWNER = object()


def alert_open(*, kind: str, area, resident=None, household=None, isolation=None,
               detail: str | dict = "", source: str = "", opened_at: datetime | None = None,
               due_key: str | None = None, owner=_NO_OWNER, dedupe: bool = True) -> Alert:
    """The one writer of alerts, for every app. One alert not yet resolved per subject and
    kind (the resident when given, else the household): a second finding updates its detail
    and keeps it open instead of filling the worker's list with copies (the finding itself
    stays in its own table). `area` is the grid (scope); the owner defaults to the grid's
    worker. `dedupe=False` for kinds keyed otherwise (missed reports carry a `due_key`).
    `detail` is language-free text (numbers, times, names) or, when it has words, a message
    (firstline.texts.message) kept as facts and said in each reader's language."""
    opened_at = opened_at or clock.now()
    facts = detail if is_message(detail) else {}
    detail = "" if facts else (detail or "")[:200]
    subject = {"resident_id": resident.pk} if resident is not None else \
        {"household_id": household.pk if household is not None else None}
    if dedupe:
        current = _open_alert_update(kind=kind, subject=subject, detail=detail, facts=facts)
        if current is not None:
            return current
    grid = getattr(area, "pk", area)
    if owner is _NO_OWNER:
        owner = default_owner(area) if hasattr(area, "pk") else None
    try:
        # A savepoint: two gates (or a gate and a reading) finding the same subject at the
        # same instant both miss the other's uncommitted alert; the partial unique
        # constraints (one_open_alert_per_resident/household) let one insert win and the
        # other update the winner, without undoing the caller's own writes.
        with transaction.atomic():
            return Alert.objects.create(
                kind=kind, resident=resident, household=household, isolation=isolation,
                area_id=grid, detail=detail, detail_facts=facts, source=source[:64],
                due_key=due_key,
                owner=owner, opened_at=opened_at,
            )
    except IntegrityError as exc:
        current = _open_alert_update(kind=kind, subject=subject, detail=detail, facts=facts) \
            if dedupe and is_unique_violation(exc) else None
        if current is None:
            raise
        return current


def _open_alert_update(*, kind: str, subject: dict, detail: str,
                       facts: dict | None = None) -> Alert | None:
    """The subject's alert of this kind not yet resolved, with the latest detail, or None."""
    current = Alert.objects.open().filter(kind=kind, **subject).order_by("pk").first()
    if current is not None and (detail or facts):
        facts = facts or {}
        Alert.objects.filter(pk=current.pk).update(detail=detail, detail_facts=facts)
        current.detail, current.detail_facts = detail, facts
    return current


def door_findings_open(*, visit, resident, temperature, fever: Decimal, risk, returned_on,
                         day: date) -> None:
    """What a screening visit finds reaches someone: a temperature at or over the fever rule
    opens a `door_fever` alert, a return from a listed risk area within the isolation period
    (rule "isolation.days") a `risk_return` alert — for the household's grid (its worker and
    the community staff above it), with the resident and household. One open alert per
    resident and kind (alert_open): a second visit updates it."""
    household = visit.household
    if is_fever(temperature, threshold=fever):
        alert_open(kind=AlertKind.DOOR_FEVER, area=household.grid, resident=resident,
                   household=household, detail=f"{temperature} °C",
                   source=f"visit:{visit.pk}", opened_at=visit.visited_at)
    if risk is not None:
        days = int(rule("isolation.days", on=day).value)
        if returned_on is None or (returned_on <= day and (day - returned_on).days < days):
            place = f"{risk.province}{risk.city}"
            detail = f"{place} {returned_on.isoformat()}" if returned_on else place
            alert_open(kind=AlertKind.RISK_RETURN, area=household.grid, resident=resident,
                       household=household, detail=detail, source=f"visit:{visit.pk}",
                       opened_at=visit.visited_at)


def _open_alert(*, iso: Isolation, kind: str, detail: str, source: str, now: datetime,
                due_key: str | None = None, owner=_NO_OWNER, dedupe: bool = True) -> Alert:
    return alert_open(kind=kind, area=iso.grid, resident=iso.resident, household=iso.household,
                      isolation=iso, detail=detail, source=source, opened_at=now,
                      due_key=due_key, owner=owner, dedupe=dedupe)


@transaction.atomic
def reading_record(*, isolation: Isolation, temperature, symptoms=(), taken_at: datetime | None,
                   source: str = ReadingSource.WORKER, actor=None,
                   now: datetime | None = None, event_id=None, flood_guard=None) -> Reading:
    """Record a reading; fever (rule "fever.threshold_c") opens an alert, symptoms too.

    A fever while a fever alert of the same isolation is still unresolved updates that alert
    rather than opening another (the worker is already on it). A reading that answers a due
    time resolves the missed-report alerts of that isolation still open.
    Once per `event_id` (firstline.db.create_once): a retry answers the first reading,
    `replayed` True, and opens or resolves nothing again.
    `flood_guard` (the self-report link's: self_report_allowed) is asked, and counts, only
    when a new reading is to be written (False: 429 `throttled`).
    """
    if source == ReadingSource.WORKER:
        require_perm(actor, "isolation.record")
    now = _now(now)
    # A phone's clock running ahead is filed at the server's time (CONTRACT.md "Time").
    when = clock.device_time(taken_at, now=now)
    taken_at = when.at
    day = clock.localdate(taken_at)
    t = temperature_parse(temperature, on=day, required=True)
    symptoms = list(dict.fromkeys(symptoms or ()))
    symptoms_check(symptoms, field="symptoms")
    recorder = actor if getattr(actor, "pk", None) else None

    def same(first: Reading) -> bool:
        return ((first.isolation_id, first.temperature, first.symptoms, first.recorded_by_id)
                == (isolation.pk, t, symptoms, getattr(recorder, "pk", None)))

    def create() -> Reading:
        iso = Isolation.objects.select_for_update().get(pk=isolation.pk)
        if iso.status == Status.CANCELLED or not (iso.starts_on <= day < schedule.end_day(iso)):
            # A wrong time for a live isolation is bad input (422); a reading for one that is
            # over is a refusal (409).
            raise RuleViolation("not_in_isolation",
                                _("taken_at is outside the isolation (%(start)s to %(end)s).")
                                % {"start": iso.starts_on, "end": schedule.end_day(iso)},
                                status=422 if iso.status == Status.ACTIVE else 409,
                                field="taken_at")
        # Counted only for what would be written: a replay (the same form sent again) is
        # answered by create_once without reaching here.
        self_report_flood_check(flood_guard)
        threshold = rule("fever.threshold_c", on=day)
        fever = is_fever(t, threshold=threshold.value)
        reading = Reading.objects.create(
            isolation=iso, taken_at=taken_at, temperature=t, symptoms=symptoms, fever=fever,
            source=source, recorded_by=recorder,
            rule_version=threshold.version, created_at=now,
            device_at=when.sent if when.sent != when.at else None, event_id=event_id,
        )
        if fever:
            # Stored without words (the reader's language is not known yet): "38.4 °C · 03-01 09:00"
            _open_alert(iso=iso, kind=AlertKind.FEVER,
                        detail=f"{t} °C · {clock.localtime(taken_at):%m-%d %H:%M}",
                        source=f"reading:{reading.pk}", now=now)
        elif symptoms and not Alert.objects.filter(isolation=iso, kind=AlertKind.SYMPTOMS).exclude(
                status=AlertStatus.RESOLVED).exists():
            _open_alert(iso=iso, kind=AlertKind.SYMPTOMS, detail=",".join(symptoms),
                        source=f"reading:{reading.pk}", now=now)
        Alert.objects.filter(isolation=iso, kind=AlertKind.MISSED_REPORT,
                             status=AlertStatus.OPEN).update(
            status=AlertStatus.RESOLVED, resolved_at=now, outcome="",
            outcome_facts=message(N_("a reading came in")))
        if source == ReadingSource.WORKER:
            audit(actor=actor, action=AuditAction.ISOLATION_READING, obj=reading, detail=f"{t}")
        return reading

    reading, replayed = create_once(Reading, event_id, same=same, create=create)
    reading.replayed = replayed
    return reading


def self_report_allowed(isolation: Isolation, *, now: datetime | None = None) -> bool:
    """Per-link flood guard (in the shared cache: Redis when there are several processes;
    without a cache the resident's report goes through)."""
    now = _now(now)
    key = f"isolation:selfreport:{(isolation.report_digest or str(isolation.pk))[:24]}:{now:%Y%m%d%H}"
    count = shared_cache.count(key, timeout=3700)
    return count is None or count <= SELF_REPORTS_PER_HOUR


def self_report_flood_check(flood_guard) -> None:
    """Ask the self-report link's flood guard (`flood_guard`: a callable such as
    `lambda: self_report_allowed(iso)`, or None for none) for a row about to be written:
    429 `throttled` when the link sent too many this hour."""
    if flood_guard is not None and not flood_guard():
        raise RuleViolation("throttled", _("Too many reports from this link in the last hour. "
                                           "Please try again later or call your grid worker."),
                            status=429)


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor, now: datetime | None = None) -> Alert:
    """The worker has seen it and takes it (becomes the owner if it had none)."""
    require_perm(actor, "alerts.handle")
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.RESOLVED:
        raise RuleViolation("already_resolved", _("This alert is already resolved."))
    if alert.status == AlertStatus.OPEN:
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_at = _now(now)
        alert.owner = alert.owner or actor
        alert.save(update_fields=["status", "acknowledged_at", "owner"])
        audit(actor=actor, action=AuditAction.ALERT_ACKNOWLEDGE, obj=alert)
    return alert


@transaction.atomic
def alert_assign(*, alert: Alert, owner, actor) -> Alert:
    """Give an alert to a named worker (who must be able to handle alerts in its area)."""
    from firstline.accounts.scope import in_scope

    require_perm(actor, "alerts.handle")
    if owner is None or not in_scope(owner, alert.area, "alerts.handle"):
        raise InvalidInput("bad_owner", _("That user cannot handle alerts of this area."),
                           field="owner")
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.RESOLVED:
        raise RuleViolation("already_resolved", _("This alert is already resolved."))
    alert.owner = owner
    alert.save(update_fields=["owner"])
    audit(actor=actor, action=AuditAction.ALERT_ASSIGN, obj=alert, detail=owner.username)
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, outcome: str, actor, now: datetime | None = None) -> Alert:
    """Close an alert with what happened (re-measured normal, sent to the fever clinic...)."""
    require_perm(actor, "alerts.handle")
    outcome = text_field(outcome, field="outcome", label=pgettext("isolation", "Outcome"),
                         limit=200)
    if not outcome:
        raise InvalidInput("outcome_required", _("Say what happened (the outcome)."),
                           field="outcome")
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.RESOLVED:
        raise RuleViolation("already_resolved", _("This alert is already resolved."))
    now = _now(now)
    alert.status = AlertStatus.RESOLVED
    alert.acknowledged_at = alert.acknowledged_at or now
    alert.resolved_at = now
    alert.outcome = outcome
    alert.owner = alert.owner or actor
    alert.save(update_fields=["status", "acknowledged_at", "resolved_at", "outcome", "owner"])
    audit(actor=actor, action=AuditAction.ALERT_RESOLVE, obj=alert, detail=outcome)
    return alert


def check_missed_reports(*, now: datetime | None = None) -> dict:
    """The scheduled job: expire finished isolations, then open a missed_report alert for every
    due reading whose deadline has passed without a reading. Idempotent (Alert.due_key)."""
    now = _now(now)
    today = clock.localdate(now)
    expired = isolations_expire(now=now)
    first = today - timedelta(days=MISSED_LOOKBACK_DAYS)
    in_window = (Q(status=Status.ACTIVE) | Q(ended_on__gt=first)) & Q(starts_on__lte=today)
    live = Isolation.objects.exclude(status=Status.CANCELLED).filter(in_window)
    candidates = list(live.select_related("grid"))
    since = schedule.day_bounds(first)[0]
    readings: dict[int, list] = {}
    # Joins rather than IN (...thousands of ids...): one pass over each table.
    for iso_id, at in (Reading.objects.filter(isolation__in=live.values("pk"), taken_at__gte=since)
                       .values_list("isolation_id", "taken_at")):
        readings.setdefault(iso_id, []).append(at)
    # The keys already opened, in one query (the job runs every 15 minutes over every
    # isolation in force); the unique index still settles a race with a concurrent run.
    done = set(Alert.objects.filter(kind=AlertKind.MISSED_REPORT,
                                    isolation__in=live.values("pk"), due_key__isnull=False)
               .values_list("due_key", flat=True))
    rules, new = {}, []
    tz_name = clock.zone().key
    owners = default_owners({iso.grid_id for iso in candidates})
    checked = 0
    for iso in candidates:
        day = max(first, iso.starts_on)
        while day <= today:
            if day not in rules:
                rules[day] = (schedule.grace_for(day), schedule.rule_times(day))
            grace, times = rules[day]
            for slot in schedule.slots(iso, day, grace=grace, default_times=times,
                                       tz_name=tz_name):
                if slot.deadline > now:
                    continue
                checked += 1
                if schedule.answered(slot, readings.get(iso.pk, [])):
                    continue
                key = slot.key(iso.pk)
                if key in done:
                    continue
                due = clock.localtime(slot.due_at).strftime("%m-%d %H:%M")
                new.append(Alert(kind=AlertKind.MISSED_REPORT, resident_id=iso.resident_id,
                                 household_id=iso.household_id, isolation=iso,
                                 area_id=iso.grid_id,
                                 detail=due,
                                 source="job:missed", due_key=key, owner=owners.get(iso.grid_id),
                                 opened_at=now))
            day += timedelta(days=1)
    # A concurrent run may have opened some of these since: those rows are skipped.
    Alert.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    opened = len(new)
    return {"expired": expired, "checked": checked, "opened": opened}
