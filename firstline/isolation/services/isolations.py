"""Isolations: start, extend, release, expire, and the self-report link."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from firstline import clock, events
from firstline.accounts.actions import AuditAction
from firstline.accounts.services import audit, require_perm
from firstline.db import unique_or
from firstline.errors import InvalidInput, RuleViolation, choice_check
from firstline.rules import rule
from firstline.texts import N_, message

from .. import schedule
from ..models import Alert, AlertKind, AlertStatus, Isolation, Kind, Reason, RoomStay, Status
from .common import (
    MAX_DAYS,
    _new_token,
    _now,
    _stay_end,
    _transfers_cancel,
    link_token,
    text_field,
    token_digest,
)

# --- isolations -----------------------------------------------------------------------------

def _expire_for(resident_id, today: date) -> None:
    """Close isolations of a resident that reached their end (so a new one may start)."""
    for iso in Isolation.objects.filter(resident_id=resident_id, status=Status.ACTIVE,
                                        ends_on__lte=today):
        _finish(iso, status=Status.ENDED, ended_on=iso.ends_on, ended_at=None, reason="")


def _finish(iso: Isolation, *, status: str, ended_on: date, ended_at: datetime | None,
            reason: str, actor=None) -> None:
    iso.status = status
    iso.ended_on = ended_on
    iso.ended_at = ended_at
    iso.end_reason = reason[:200]
    iso.report_digest = None  # the self-report link stops working
    iso.save(update_fields=["status", "ended_on", "ended_at", "end_reason", "report_digest"])
    at = ended_at or schedule.day_bounds(ended_on)[0]
    for stay in RoomStay.objects.filter(isolation=iso, ended_at__isnull=True):
        _stay_end(stay, at=at)
    _transfers_cancel(iso, actor=actor, at=at)


def _end_early(iso: Isolation, *, today: date, now: datetime, reason: str,
               actor=None) -> None:
    """Released today (released early, or its lockdown lifted); one that had not started yet
    is cancelled instead, ending on its first day."""
    if today < iso.starts_on:
        _finish(iso, status=Status.CANCELLED, ended_on=iso.starts_on, ended_at=now, reason=reason,
                actor=actor)
    else:
        _finish(iso, status=Status.RELEASED, ended_on=today, ended_at=now, reason=reason,
                actor=actor)


def _days(days, on: date) -> tuple[int, str]:
    if days is None:
        r = rule("isolation.days", on=on)
        return int(r.value), r.version
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput("bad_days", _("days must be a whole number from 1 to %(max)d.")
                           % {"max": MAX_DAYS}, field="days")
    return days, "given"


def _reason(reason: str, note: str, *, other_needs_note: bool = True) -> tuple[str, str]:
    """A reason code, or the words a caller used: "close_contact", "密切接触者" and "close
    contact" are the code; anything else is "other" with the words kept in the note (the API
    takes `reason` as text). "Other" itself says nothing: the note must say what it is."""
    code, note = _reason_code(reason, note)
    if code == Reason.OTHER and other_needs_note and not str(note or "").strip():
        raise InvalidInput("note_required", _("The reason is “other”: say what it is in the "
                                              "note."), field="reason_note")
    return code, note


def _reason_code(reason: str, note: str) -> tuple[str, str]:
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
                    reading_times: list[str] | None = None,
                    other_needs_note: bool = True) -> Isolation:
    """居家隔离/集中隔离: one active isolation per resident; ends after `days` local days.

    Reason "other" needs a note saying what it is, except where `other_needs_note` is off: the
    API, whose contracted call (CONTRACT.md, POST /isolations) has no note to give.

    `ends_on` is the first local day no longer isolated (starts_on + days). The returned object
    carries `report_token`, the plain self-report token, shown once (only its digest is kept).
    """
    require_perm(actor, "isolation.manage")
    now = _now(now)
    today = clock.localdate(now)
    choice_check(kind, Kind.values, "kind", code="bad_kind")
    reason, reason_note = _reason(reason, reason_note, other_needs_note=other_needs_note)
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
    plain, digest, key = _new_token()
    # The same isolation started twice at once: one active isolation a person (constraint).
    with unique_or(RuleViolation("already_isolated",
                                 _("This resident already has an active isolation."))):
        iso = Isolation.objects.create(
            resident=resident, household=resident.household, grid=resident.grid, kind=kind,
            reason=reason, reason_note=reason_note, starts_on=starts_on,
            ends_on=ends_on, report_digest=digest, report_key=key, rule_version=version,
            reading_times=times, created_by=actor, created_at=now,
        )
    iso.report_token = plain
    events.announce("isolation_started", area=resident.grid)
    audit(actor=actor, action=AuditAction.ISOLATION_START, obj=iso,
          detail=f"{kind} {reason} {starts_on}..{ends_on} ({version})")
    returnee_alerts_resolve([iso], actor=actor, now=now)
    return iso


# The outcome written on a returnee alert the isolation answers, said in the reader's language.
_ISOLATED_OUTCOME = {Kind.HOME: N_("home isolation registered"),
                     Kind.CENTRALIZED: N_("centralized quarantine registered")}


def returnee_alerts_resolve(isolations, *, actor, now: datetime) -> None:
    """Isolations answer their residents' open "back from a risk area" alerts (what that
    alert asks for): resolved with "已登记居家隔离", audited as a worker's resolution is, so
    no home page keeps showing it as not taken. One isolation started by hand, or every one a
    lockdown starts (one query for them all). Fever alerts stay: a fever is answered by a
    re-measure or the fever clinic, not by an isolation."""
    kinds = {iso.resident_id: iso.kind for iso in isolations}
    if not kinds:
        return
    for alert in (Alert.objects.open().select_for_update().order_by("pk")
                  .filter(resident_id__in=list(kinds), kind=AlertKind.RISK_RETURN)):
        outcome = message(_ISOLATED_OUTCOME[kinds[alert.resident_id]])
        alert.status = AlertStatus.RESOLVED
        alert.acknowledged_at = alert.acknowledged_at or now
        alert.resolved_at = now
        alert.outcome, alert.outcome_facts = "", outcome
        alert.owner = alert.owner or actor
        alert.save(update_fields=["status", "acknowledged_at", "resolved_at", "outcome",
                                  "outcome_facts", "owner"])
        audit(actor=actor, action=AuditAction.ALERT_RESOLVE, obj=alert, detail=outcome)


@dataclass(frozen=True)
class StartDefaults:
    """What the start form is filled with for a resident: from the latest return the door
    (or a confirmed return declaration) recorded, else today and nothing."""
    starts_on: date
    reason: str = ""
    reason_note: str = ""
    returned_on: date | None = None
    recorded_at: datetime | None = None  # the visit that recorded the return


def return_start(*, today: date, returned_on: date | None, origin: str = "",
                 extra: str = "") -> tuple[date | None, str]:
    """The start day and note of an isolation for someone back from `origin` on `returned_on`,
    as of local day `today`. The days count from the return (rule "isolation.days"): a return
    within that many days starts the isolation on the return day, else None (an older one, or
    none: the caller starts it today). The note says where from, when and `extra` ("自湖北武汉
    返回，2026-03-01，火车 G1722"), at most 200 characters. The one rule for the start form's
    defaults and for the link a verification answer offers."""
    starts_on = None
    if returned_on is not None and returned_on <= today:
        days = int(rule("isolation.days", on=today).value)
        if (today - returned_on).days < days:
            starts_on = returned_on
    parts = [_("returned from %(origin)s") % {"origin": origin} if origin else "",
             returned_on.isoformat() if returned_on else "", extra]
    note = pgettext("clauses", ", ").join(p for p in parts if p)
    return starts_on, note[:200]


def isolation_defaults(*, resident, now: datetime | None = None) -> StartDefaults:
    """The start form's values for `resident`. The days count from the return (rule
    "isolation.days"): a return within that many days starts the isolation on the return
    day; an older one (or none) starts it today. The note says where from, when and how
    ("自湖北武汉返回，2026-03-01，火车 G1722"), so nobody types again what the door recorded."""
    from firstline.people.models import VisitPerson

    now = _now(now)
    today = clock.localdate(now)
    record = (VisitPerson.objects.filter(resident=resident)
              .filter(~Q(from_province="") | ~Q(from_city="") | Q(returned_on__isnull=False))
              .select_related("visit").order_by("-visit__visited_at", "-pk").first())
    if record is None:
        return StartDefaults(starts_on=today)
    returned_on = record.returned_on
    transport = " ".join(x for x in (record.get_transport_display() if record.transport else "",
                                     record.transport_no) if x)
    starts_on, note = return_start(today=today, returned_on=returned_on,
                                   origin=f"{record.from_province}{record.from_city}",
                                   extra=transport)
    return StartDefaults(starts_on=starts_on or today,
                         reason=Reason.RISK_AREA if record.from_risk_area else "",
                         reason_note=note, returned_on=returned_on,
                         recorded_at=record.visit.visited_at)


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
    audit(actor=actor, action=AuditAction.ISOLATION_EXTEND, obj=iso,
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
    _end_early(iso, today=today, now=now, reason=reason, actor=actor)
    audit(actor=actor, action=AuditAction.ISOLATION_RELEASE, obj=iso, detail=reason)
    return iso


@transaction.atomic
def isolation_reissue_link(*, isolation: Isolation, actor, now: datetime | None = None) -> str:
    """A new self-report token (the old link stops working: a lost phone). Returns the plain
    token."""
    require_perm(actor, "isolation.record")
    iso = Isolation.objects.select_for_update().get(pk=isolation.pk)
    _require_active(iso, clock.localdate(_now(now)))
    plain, iso.report_digest, iso.report_key = _new_token()
    iso.save(update_fields=["report_digest", "report_key"])
    audit(actor=actor, action=AuditAction.ISOLATION_LINK, obj=iso)
    return plain


def isolation_show_link(*, isolation: Isolation, actor, via: str = "web",
                        now: datetime | None = None) -> str:
    """The self-report token the resident has now, shown again (to send it once more):
    nothing changes, and the link keeps working. It opens the resident's page, so the read is
    audited as a full read is (who, which isolation, when). A link made before links could be
    shown again, or under another SECRET_KEY, cannot be: 409 `link_not_recoverable` (make a
    new one)."""
    require_perm(actor, "isolation.record")
    iso = Isolation.objects.get(pk=isolation.pk)
    _require_active(iso, clock.localdate(_now(now)))
    plain = link_token(iso.report_key) if iso.report_key else ""
    if not plain or token_digest(plain) != iso.report_digest:
        raise RuleViolation("link_not_recoverable",
                            _("This link cannot be shown again (it was made before links could "
                              "be). Make a new link; the old one then stops working."))
    audit(actor=actor, action=AuditAction.ISOLATION_LINK_SHOW, obj=iso, via=via)
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
