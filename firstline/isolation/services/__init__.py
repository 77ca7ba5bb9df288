"""Writes of the isolation app: isolations, readings, alerts, lockdowns, quarantine sites.

Every function is keyword-only, runs in one transaction, checks the actor's role, refuses with
RuleViolation (409) / InvalidInput (422), writes an audit row, and takes `now=` so tests pin
the clock. Numbers (days, fever threshold, reading times, grace) come from firstline.rules.
"""

import hashlib
import re
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from firstline import clock, events, shared_cache
from firstline.accounts.models import RoleAssignment
from firstline.accounts.roles import Role
from firstline.accounts.services import audit, require_perm
from firstline.db import facts_changed
from firstline.errors import InvalidInput, RuleViolation
from firstline.rules import rule
from firstline.rules.temperature import is_fever, temperature_parse

from .. import schedule
from ..models import (
    Alert,
    AlertKind,
    AlertStatus,
    Isolation,
    Kind,
    Lockdown,
    QuarantineSite,
    Reading,
    ReadingSource,
    Reason,
    Room,
    RoomStatus,
    RoomStay,
    Status,
    Symptom,
    Transfer,
    TransferStatus,
)

TOKEN_BYTES = 24            # 192 random bits in the self-report link
MAX_DAYS = 60               # longer than any rule ever used; a typo guard, not a rule
SELF_REPORTS_PER_HOUR = 12  # per link; a resident reports twice a day, this only stops floods
MISSED_LOOKBACK_DAYS = 2    # the missed-report job looks this far back (a job that did not run)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> tuple[str, str]:
    plain = secrets.token_urlsafe(TOKEN_BYTES)
    return plain, token_digest(plain)


def _now(now: datetime | None) -> datetime:
    return now or clock.now()


def text_field(value, *, field: str, label, limit: int) -> str:
    """The stripped text, or InvalidInput naming the field and the limit: never cut silently."""
    value = str(value or "").strip()
    if len(value) > limit:
        raise InvalidInput("too_long", _("%(field)s is too long: at most %(max)d characters "
                                         "(got %(n)d).")
                           % {"field": label, "max": limit, "n": len(value)}, field=field)
    return value


ROOM_NUMBER_RE = re.compile(r"^[A-Za-z]{0,2}-?\d{1,6}[A-Za-z]?$")
ROOM_NUMBER_MAX = 20


# --- isolations -----------------------------------------------------------------------------

def _expire_for(resident_id, today: date) -> None:
    """Close isolations of a resident that reached their end (so a new one may start)."""
    for iso in Isolation.objects.filter(resident_id=resident_id, status=Status.ACTIVE,
                                        ends_on__lte=today):
        _finish(iso, status=Status.ENDED, ended_on=iso.ends_on, ended_at=None, reason="")


def _finish(iso: Isolation, *, status: str, ended_on: date, ended_at: datetime | None,
            reason: str) -> None:
    iso.status = status
    iso.ended_on = ended_on
    iso.ended_at = ended_at
    iso.end_reason = reason[:200]
    iso.report_digest = None  # the self-report link stops working
    iso.save(update_fields=["status", "ended_on", "ended_at", "end_reason", "report_digest"])
    at = ended_at or schedule.day_bounds(ended_on)[0]
    for stay in RoomStay.objects.filter(isolation=iso, ended_at__isnull=True):
        _stay_end(stay, at=at)


def _days(days, on: date) -> tuple[int, str]:
    if days is None:
        r = rule("isolation.days", on=on)
        return int(r.value), r.version
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput("bad_days", _("days must be a whole number from 1 to %(max)d.")
                           % {"max": MAX_DAYS}, field="days")
    return days, "given"


def _reason(reason: str, note: str) -> tuple[str, str]:
    """A reason code, or the words a caller used: "close_contact", "密切接触者" and "close
    contact" are the code; anything else is "other" with the words kept in the note (the API
    takes `reason` as text)."""
    words = " ".join(str(reason or "").split())
    if not words:
        raise InvalidInput("bad_reason", _("Give the reason for the isolation, e.g. %(v)s.")
                           % {"v": ", ".join(Reason.values)}, field="reason")
    if len(words) > 200:
        raise InvalidInput("too_long", _("At most %(n)s characters.") % {"n": 200}, field="reason")
    if words in Reason.values:
        return words, note
    folded = words.casefold()
    for code, label in Reason.choices:
        names = {str(label)}
        for lang in ("zh-hans", "zh-hant", "en"):
            with translation.override(lang):
                names.add(str(label))
        if folded in {n.casefold() for n in names}:
            return code, note
    return Reason.OTHER, " · ".join(x for x in (words, (note or "").strip()) if x)


@transaction.atomic
def isolation_start(*, resident, kind: str, reason: str, starts_on: date, days: int | None = None,
                    reason_note: str = "", actor, now: datetime | None = None,
                    reading_times: list[str] | None = None) -> Isolation:
    """居家隔离/集中隔离: one active isolation per resident; ends after `days` local days.

    `ends_on` is the first local day no longer isolated (starts_on + days). The returned object
    carries `report_token`, the plain self-report token, shown once (only its digest is kept).
    """
    require_perm(actor, "isolation.manage")
    now = _now(now)
    today = clock.localdate(now)
    if kind not in Kind.values:
        raise InvalidInput("bad_kind", _("kind must be one of: %(v)s.") % {"v": ", ".join(Kind.values)},
                           field="kind")
    reason, reason_note = _reason(reason, reason_note)
    if abs((starts_on - today).days) > MAX_DAYS:
        raise InvalidInput("bad_date", _("starts_on is too far from today."), field="starts_on")
    days, version = _days(days, starts_on)
    ends_on = starts_on + timedelta(days=days)
    if ends_on <= today:
        raise InvalidInput("already_over", _("An isolation starting %(start)s for %(days)d days "
                                             "would already be over.")
                           % {"start": starts_on, "days": days}, field="starts_on")
    times = _check_times(reading_times)
    reason_note = text_field(reason_note, field="reason_note", label=_("Note"), limit=200)
    _expire_for(resident.pk, today)
    if Isolation.objects.filter(resident=resident, status=Status.ACTIVE).exists():
        raise RuleViolation("already_isolated",
                            _("This resident already has an active isolation."))
    plain, digest = _new_token()
    try:
        with transaction.atomic():
            iso = Isolation.objects.create(
                resident=resident, household=resident.household, grid=resident.grid, kind=kind,
                reason=reason, reason_note=reason_note, starts_on=starts_on,
                ends_on=ends_on, report_digest=digest, rule_version=version,
                reading_times=times, created_by=actor, created_at=now,
            )
    except IntegrityError:
        raise RuleViolation("already_isolated",
                            _("This resident already has an active isolation.")) from None
    iso.report_token = plain
    events.announce("isolation_started", area=resident.grid)
    audit(actor=actor, action="isolation.start", obj=iso,
          detail=f"{kind} {reason} {starts_on}..{ends_on} ({version})")
    return iso


def _check_times(values) -> list[str]:
    if not values:
        return []
    try:
        return [t.strftime("%H:%M") for t in schedule.parse_times(values)]
    except (ValueError, TypeError):
        raise InvalidInput("bad_times", _("Reading times must be distinct HH:MM values, "
                                          "e.g. 09:00, 15:00."), field="reading_times") from None


def _require_active(iso: Isolation, today: date) -> None:
    if iso.status != Status.ACTIVE or iso.ends_on <= today:
        raise RuleViolation("not_active", _("This isolation is no longer active."))


@transaction.atomic
def isolation_extend(*, isolation: Isolation, days: int, reason: str, actor,
                     now: datetime | None = None) -> Isolation:
    """Extend by `days` (e.g. a positive test of a contact). Only future days change."""
    require_perm(actor, "isolation.manage")
    now = _now(now)
    iso = Isolation.objects.select_for_update().get(pk=isolation.pk)
    _require_active(iso, clock.localdate(now))
    days, _v = _days(days, iso.ends_on)
    reason = text_field(reason, field="reason", label=pgettext("isolation", "Reason"), limit=200)
    if not reason:
        raise InvalidInput("reason_required", _("Give a reason for the extension."), field="reason")
    old = iso.ends_on
    iso.ends_on = old + timedelta(days=days)
    iso.save(update_fields=["ends_on"])
    audit(actor=actor, action="isolation.extend", obj=iso,
          detail=f"{old} -> {iso.ends_on}: {reason.strip()}")
    return iso


@transaction.atomic
def isolation_release(*, isolation: Isolation, reason: str, actor,
                      now: datetime | None = None) -> Isolation:
    """Early release (提前解除), with a reason. Before the start day it is a cancellation."""
    require_perm(actor, "isolation.manage")
    now = _now(now)
    today = clock.localdate(now)
    iso = Isolation.objects.select_for_update().get(pk=isolation.pk)
    _require_active(iso, today)
    reason = text_field(reason, field="reason", label=pgettext("isolation", "Reason"), limit=200)
    if not reason:
        raise InvalidInput("reason_required", _("Give a reason for the early release."),
                           field="reason")
    if today < iso.starts_on:
        _finish(iso, status=Status.CANCELLED, ended_on=iso.starts_on, ended_at=now, reason=reason)
    else:
        _finish(iso, status=Status.RELEASED, ended_on=today, ended_at=now, reason=reason)
    audit(actor=actor, action="isolation.release", obj=iso, detail=reason)
    return iso


@transaction.atomic
def isolation_reissue_link(*, isolation: Isolation, actor, now: datetime | None = None) -> str:
    """A new self-report token (the old link stops working). Returns the plain token."""
    require_perm(actor, "isolation.record")
    iso = Isolation.objects.select_for_update().get(pk=isolation.pk)
    _require_active(iso, clock.localdate(_now(now)))
    plain, iso.report_digest = _new_token()
    iso.save(update_fields=["report_digest"])
    audit(actor=actor, action="isolation.link", obj=iso)
    return plain


def isolations_expire(*, now: datetime | None = None) -> int:
    """Mark isolations that reached ends_on as ended (their links stop, their rooms free up)."""
    today = clock.localdate(_now(now))
    done = 0
    for iso in Isolation.objects.filter(status=Status.ACTIVE, ends_on__lte=today):
        with transaction.atomic():
            _finish(iso, status=Status.ENDED, ended_on=iso.ends_on, ended_at=None, reason="")
        done += 1
    return done


def isolation_for_token(token: str, *, now: datetime | None = None) -> Isolation | None:
    """The isolation a self-report token opens, or None: unknown, wrong, or ended (one answer)."""
    if not token or len(token) > 100:
        return None
    today = clock.localdate(_now(now))
    return (Isolation.objects.select_related("resident", "household__compound")
            .filter(report_digest=token_digest(token), status=Status.ACTIVE, ends_on__gt=today)
            .first())


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
               detail: str = "", source: str = "", opened_at: datetime | None = None,
               due_key: str | None = None, owner=_NO_OWNER, dedupe: bool = True) -> Alert:
    """The one writer of alerts, for every app. One alert not yet resolved per subject and
    kind (the resident when given, else the household): a second finding updates its detail
    and keeps it open instead of filling the worker's list with copies (the finding itself
    stays in its own table). `area` is the grid (scope); the owner defaults to the grid's
    worker. `dedupe=False` for kinds keyed otherwise (missed reports carry a `due_key`)."""
    opened_at = opened_at or clock.now()
    detail = (detail or "")[:200]
    subject = {"resident_id": resident.pk} if resident is not None else \
        {"household_id": household.pk if household is not None else None}
    if dedupe:
        current = _open_alert_update(kind=kind, subject=subject, detail=detail)
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
                area_id=grid, detail=detail, source=source[:64], due_key=due_key,
                owner=owner, opened_at=opened_at,
            )
    except IntegrityError:
        current = _open_alert_update(kind=kind, subject=subject, detail=detail) \
            if dedupe else None
        if current is None:
            raise
        return current


def _open_alert_update(*, kind: str, subject: dict, detail: str) -> Alert | None:
    """The subject's alert of this kind not yet resolved, with the latest detail, or None."""
    current = Alert.objects.open().filter(kind=kind, **subject).order_by("pk").first()
    if current is not None and detail:
        Alert.objects.filter(pk=current.pk).update(detail=detail)
        current.detail = detail
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
                   now: datetime | None = None) -> Reading:
    """Record a reading; fever (rule "fever.threshold_c") opens an alert, symptoms too.

    A fever while a fever alert of the same isolation is still unresolved updates that alert
    rather than opening another (the worker is already on it). A reading that answers a due
    time resolves the missed-report alerts of that isolation still open.
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
    unknown = [s for s in symptoms if s not in Symptom.values]
    if unknown:
        raise InvalidInput("bad_symptom", _("Unknown symptom %(s)s. Known: %(known)s.")
                           % {"s": unknown[0], "known": ", ".join(Symptom.values)},
                           field="symptoms")
    iso = Isolation.objects.select_for_update().get(pk=isolation.pk)
    if iso.status == Status.CANCELLED or not (iso.starts_on <= day < schedule.end_day(iso)):
        # A wrong time for a live isolation is bad input (422); a reading for one that is
        # over is a refusal (409).
        raise RuleViolation("not_in_isolation",
                            _("taken_at is outside the isolation (%(start)s to %(end)s).")
                            % {"start": iso.starts_on, "end": schedule.end_day(iso)},
                            status=422 if iso.status == Status.ACTIVE else 409,
                            field="taken_at")
    threshold = rule("fever.threshold_c", on=day)
    fever = is_fever(t, threshold=threshold.value)
    reading = Reading.objects.create(
        isolation=iso, taken_at=taken_at, temperature=t, symptoms=symptoms, fever=fever,
        source=source, recorded_by=actor if getattr(actor, "pk", None) else None,
        rule_version=threshold.version, created_at=now,
        device_at=when.sent if when.sent != when.at else None,
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
        status=AlertStatus.RESOLVED, resolved_at=now, outcome=_("a reading came in"))
    if source == ReadingSource.WORKER:
        audit(actor=actor, action="isolation.reading", obj=reading, detail=f"{t}")
    return reading


def self_report_allowed(isolation: Isolation, *, now: datetime | None = None) -> bool:
    """Per-link flood guard (in the shared cache: Redis when there are several processes;
    without a cache the resident's report goes through)."""
    now = _now(now)
    key = f"isolation:selfreport:{(isolation.report_digest or str(isolation.pk))[:24]}:{now:%Y%m%d%H}"
    count = shared_cache.count(key, timeout=3700)
    return count is None or count <= SELF_REPORTS_PER_HOUR


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
        audit(actor=actor, action="alert.acknowledge", obj=alert)
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
    audit(actor=actor, action="alert.assign", obj=alert, detail=owner.username)
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
    audit(actor=actor, action="alert.resolve", obj=alert, detail=outcome)
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


# --- lockdowns ------------------------------------------------------------------------------

@transaction.atomic
def lockdown_create(*, compound=None, building=None, starts_on: date, days: int | None = None,
                    reason: str = "", actor, now: datetime | None = None) -> Lockdown:
    """封控 a building or a whole compound: every current resident of every household in it goes
    under home isolation until the lockdown ends; their passes deny "out" (reason lockdown).

    The returned lockdown carries `households` and `isolations_started` counts.
    """
    require_perm(actor, "isolation.manage")
    now = _now(now)
    today = clock.localdate(now)
    if (compound is None) == (building is None):
        raise InvalidInput("target_required", _("Give either building_id or compound_id."),
                           field="building_id")
    if building is not None:
        compound = building.compound
    if abs((starts_on - today).days) > MAX_DAYS:
        raise InvalidInput("bad_date", _("starts_on is too far from today."), field="starts_on")
    days, version = _days(days, starts_on)
    ends_on = starts_on + timedelta(days=days)
    if ends_on <= today:
        raise InvalidInput("already_over", _("This lockdown would already be over."),
                           field="starts_on")
    same = Lockdown.objects.filter(compound=compound, lifted_at__isnull=True, ends_on__gt=today,
                                   starts_on__lt=ends_on)
    same = same.filter(building=building) if building else same.filter(building__isnull=True)
    if same.exists():
        raise RuleViolation("already_locked_down", _("This place is already locked down."))
    reason = text_field(reason, field="reason", label=pgettext("isolation", "Reason"), limit=200)
    lockdown = Lockdown.objects.create(compound=compound, building=building, starts_on=starts_on,
                                       ends_on=ends_on, reason=reason, created_by=actor,
                                       created_at=now)
    from firstline.people.models import Household, Resident

    households = Household.objects.filter(compound=compound)
    if building is not None:
        households = households.filter(building=building)
    residents = list(Resident.objects.filter(household__in=households))
    for r in residents:
        _expire_for(r.pk, today)
    busy = set(Isolation.objects.filter(resident__in=residents, status=Status.ACTIVE)
               .values_list("resident_id", flat=True))
    rows = [Isolation(resident=r, household_id=r.household_id, grid_id=r.grid_id, kind=Kind.HOME,
                      reason=Reason.LOCKDOWN, starts_on=starts_on, ends_on=ends_on,
                      lockdown=lockdown, rule_version=version, created_by=actor, created_at=now)
            for r in residents if r.pk not in busy]
    try:
        with transaction.atomic():
            Isolation.objects.bulk_create(rows, batch_size=500)
            if rows:  # bulk_create sends no post_save: stored figures of closed days
                facts_changed.send(sender=Isolation, areas={r.grid_id for r in rows},
                                   since=starts_on)
    except IntegrityError:
        raise RuleViolation("retry", _("Someone started an isolation in this place at the same "
                                       "moment; try again.")) from None
    lockdown.households = households.count()
    lockdown.isolations_started = len(rows)
    events.announce("lockdown_started", area=compound.area)
    audit(actor=actor, action="lockdown.create", obj=lockdown,
          detail=f"{starts_on}..{ends_on} households={lockdown.households} "
                 f"isolations={len(rows)} ({version})")
    return lockdown


@transaction.atomic
def lockdown_lift(*, lockdown: Lockdown, actor, reason: str = "",
                  now: datetime | None = None) -> Lockdown:
    """解封: the lockdown and the home isolations it started end now."""
    require_perm(actor, "isolation.manage")
    now = _now(now)
    lockdown = Lockdown.objects.select_for_update().get(pk=lockdown.pk)
    if lockdown.lifted_at is not None:
        raise RuleViolation("already_lifted", _("This lockdown is already lifted."))
    lockdown.lifted_at = now
    lockdown.save(update_fields=["lifted_at"])
    today = clock.localdate(now)
    text = (text_field(reason, field="reason", label=pgettext("isolation", "Reason"), limit=200)
            or _("lockdown lifted"))
    # An isolation extended on its own beyond the lockdown (a contact tested positive) goes on.
    for iso in lockdown.isolations.filter(status=Status.ACTIVE, ends_on__lte=lockdown.ends_on):
        if today < iso.starts_on:
            _finish(iso, status=Status.CANCELLED, ended_on=iso.starts_on, ended_at=now, reason=text)
        else:
            _finish(iso, status=Status.RELEASED, ended_on=today, ended_at=now, reason=text)
    audit(actor=actor, action="lockdown.lift", obj=lockdown, detail=text)
    return lockdown


# --- quarantine sites (集中隔离点) -------------------------------------------------------------

@transaction.atomic
def site_create(*, area, name: str, address: str = "", phone: str = "", actor) -> QuarantineSite:
    require_perm(actor, "isolation.manage")
    name = text_field(name, field="name", label=pgettext("isolation", "Name"), limit=100)
    address = text_field(address, field="address", label=_("Address"), limit=200)
    phone = text_field(phone, field="phone", label=pgettext("isolation", "Phone"), limit=20)
    if not name:
        raise InvalidInput("name_required", _("Give the site a name."), field="name")
    if QuarantineSite.objects.filter(area=area, name=name).exists():
        raise RuleViolation("duplicate", _("A site with this name exists already."))
    site = QuarantineSite.objects.create(area=area, name=name, address=address,
                                         phone=phone)
    audit(actor=actor, action="site.create", obj=site)
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
    have = set(site.rooms.values_list("number", flat=True))
    numbers = list(dict.fromkeys(numbers))
    new = RoomsAdded(Room(site=site, number=n, beds=beds, floor=floor)
                     for n in numbers if n not in have)
    new.existing = [n for n in numbers if n in have]
    Room.objects.bulk_create(new)
    audit(actor=actor, action="site.rooms", obj=site, detail=f"+{len(new)}")
    return new


def _stay_end(stay: RoomStay, *, at: datetime) -> None:
    stay.ended_at = at
    stay.save(update_fields=["ended_at"])
    if not RoomStay.objects.filter(room_id=stay.room_id, ended_at__isnull=True).exists():
        Room.objects.filter(pk=stay.room_id).update(status=RoomStatus.CLEANING)
        events.announce("room_vacated", area=Room.objects.select_related("site__area").get(
            pk=stay.room_id).site.area)


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
    try:
        with transaction.atomic():
            stay = RoomStay.objects.create(
                room=room, isolation=iso, resident_id=iso.resident_id,
                household_id=iso.household_id, lead=lead is None,
                family_reason=family_reason if lead is not None else "",
                started_at=now, created_by=actor)
    except IntegrityError:
        raise RuleViolation("room_taken", _("This room was just taken; pick another.")) from None
    room.status = RoomStatus.OCCUPIED
    room.save(update_fields=["status"])
    if iso.site_id != room.site_id:
        iso.site = room.site
        iso.save(update_fields=["site"])
    audit(actor=actor, action="room.assign", obj=stay, detail=f"room {room.pk}")
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
    audit(actor=actor, action="room.vacate", obj=room)
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
    audit(actor=actor, action="room.cleaned", obj=room)
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
    audit(actor=actor, action="room.close" if closed else "room.reopen", obj=room)
    return room


@transaction.atomic
def transfer_create(*, isolation: Isolation, from_place: str, pickup_at: datetime,
                    to_site: QuarantineSite | None = None, to_place: str = "",
                    vehicle: str = "", escort: str = "", actor,
                    now: datetime | None = None) -> Transfer:
    """转运: plan taking a person to a quarantine site (or elsewhere: hospital, home)."""
    require_perm(actor, "isolation.manage")
    now = _now(now)
    _require_active(isolation, clock.localdate(now))
    from_place = text_field(from_place, field="from_place", label=_("Pick up at"), limit=200)
    to_place = text_field(to_place, field="to_place", label=_("Destination"), limit=200)
    vehicle = text_field(vehicle, field="vehicle", label=_("Vehicle"), limit=50)
    escort = text_field(escort, field="escort", label=_("Escort"), limit=100)
    if not from_place:
        raise InvalidInput("from_required", _("Say where the pick-up is."), field="from_place")
    if to_site is None and not to_place.strip():
        raise InvalidInput("to_required", _("Give a site or a destination."), field="to_site_id")
    transfer = Transfer.objects.create(
        isolation=isolation, from_place=from_place, to_site=to_site,
        to_place=to_place, pickup_at=pickup_at, vehicle=vehicle,
        escort=escort, created_by=actor, created_at=now)
    audit(actor=actor, action="transfer.create", obj=transfer)
    return transfer


TRANSFER_NEXT = {
    TransferStatus.PLANNED: {TransferStatus.EN_ROUTE, TransferStatus.ARRIVED,
                             TransferStatus.CANCELLED},
    TransferStatus.EN_ROUTE: {TransferStatus.ARRIVED, TransferStatus.CANCELLED},
}


@transaction.atomic
def transfer_set_status(*, transfer: Transfer, status: str, actor,
                        now: datetime | None = None) -> Transfer:
    require_perm(actor, "isolation.record")
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if status not in TransferStatus.values:
        raise InvalidInput("bad_status", _("status must be one of: %(v)s.")
                           % {"v": ", ".join(TransferStatus.values)}, field="status")
    if status not in TRANSFER_NEXT.get(transfer.status, set()):
        raise RuleViolation("bad_transition", _("A transfer that is %(now)s cannot become %(new)s.")
                            % {"now": transfer.get_status_display(),
                               "new": TransferStatus(status).label})
    transfer.status = status
    transfer.status_at = _now(now)
    transfer.save(update_fields=["status", "status_at"])
    if status == TransferStatus.ARRIVED and transfer.to_site_id:
        Isolation.objects.filter(pk=transfer.isolation_id).update(site_id=transfer.to_site_id)
    audit(actor=actor, action="transfer.status", obj=transfer, detail=status)
    return transfer
