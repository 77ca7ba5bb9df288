"""Sign-off (上报): a community, then the street, submits its daily report for a date.

The submitted report is frozen (its JSON is stored); the live report moves on as late facts
arrive, and a figure that differs from the submitted one is shown as a correction. A report
may be submitted again (a new version; the earlier ones are kept). The level above chases a
late area (催报) by hand, and `signoff_chase_due` reminds every late area at the rule's hour.
"""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.scope import in_scope, scope_paths
from firstline.accounts.services import audit, require_perm
from firstline.areas.models import Area, Level
from firstline.db import is_unique_violation, unique_or
from firstline.errors import InvalidInput, RuleViolation
from firstline.rules import rule

from .models import ReportChase, ReportSubmission
from .selectors import report_compute

# The levels that submit a report to the level above.
SUBMITTING_LEVELS = (Level.COMMUNITY, Level.STREET)


def report_submit(*, area, day: date, actor, now: datetime | None = None,
                  resubmit: bool = False, note: str = "") -> ReportSubmission:
    """Freeze the report of `area` for `day` as submitted. A second submission is a 409
    `already_submitted` unless `resubmit`: then it is version n+1 and the earlier are kept."""
    require_perm(actor, "reports.submit")
    if not in_scope(actor, area, "reports.submit"):
        raise RuleViolation("not_found", _("Not found."), status=404, field="area")
    note = (note or "").strip()
    if len(note) > 200:
        raise InvalidInput("invalid", _("Note (why): longer than 200 characters."),
                           field="note")
    now = now or clock.now()
    data = report_compute(area=area, day=day).as_json()
    # Someone else submitted the same version at the same moment: theirs stands.
    with unique_or(RuleViolation("already_submitted",
                                 _("The report of %(area)s for %(day)s was submitted by someone "
                                   "else at the same moment; look at it and submit again if "
                                   "needed.") % {"area": area.name, "day": day.isoformat()})):
        last = (ReportSubmission.objects.filter(area=area, day=day)
                .aggregate(v=Max("version"))["v"]) or 0
        if last and not resubmit:
            raise RuleViolation(
                "already_submitted",
                _("The report of %(area)s for %(day)s was already submitted; submit it "
                  "again to send a new version.")
                % {"area": area.name, "day": day.isoformat()})
        sub = ReportSubmission.objects.create(area=area, day=day, version=last + 1,
                                              data=data, note=note, submitted_at=now,
                                              submitted_by=actor)
        audit(actor=actor,
              action=AuditAction.REPORT_SUBMIT if last == 0 else AuditAction.REPORT_RESUBMIT,
              obj=sub, detail=f"{area.code} {day} v{sub.version}")
    return sub


def submissions_for(area_ids, day: date) -> dict[int, ReportSubmission]:
    """The latest version of each area's submission for `day`."""
    out = {}
    for s in ReportSubmission.objects.filter(area_id__in=list(area_ids), day=day) \
            .select_related("submitted_by").order_by("area_id", "version"):
        out[s.area_id] = s
    return out


def history_for(area_ids, day: date) -> dict[int, list[ReportSubmission]]:
    """Every version of each area's submission for `day`, oldest first."""
    out: dict[int, list[ReportSubmission]] = {}
    for s in ReportSubmission.objects.filter(area_id__in=list(area_ids), day=day) \
            .select_related("submitted_by").order_by("area_id", "version"):
        out.setdefault(s.area_id, []).append(s)
    return out


def corrections(submitted: dict, live: dict) -> dict[str, tuple]:
    """{figure: (as submitted, now)} for each figure that changed after submission."""
    out = {}
    for key, value in submitted.items():
        if key in ("area", "date", "children", "submitted_at", "version", "corrections"):
            continue
        now_value = live.get(key)
        if isinstance(value, dict):
            for k, v in value.items():
                if (now_value or {}).get(k, 0) != v:
                    out[f"{key}.{k}"] = (v, (now_value or {}).get(k, 0))
        elif now_value != value:
            out[key] = (value, now_value)
    return out


def corrections_json(sub: ReportSubmission, live: dict) -> list[dict]:
    """The corrections of one submission as the API gives them: figure, as submitted, now,
    and since when the submitted figure stands (the version's submission time)."""
    return [{"figure": figure, "submitted": old, "now": new, "version": sub.version,
             "submitted_at": _iso(sub.submitted_at)}
            for figure, (old, new) in corrections(sub.data, live).items()]


def _iso(moment: datetime) -> str:
    """A stored moment as local ISO 8601 with its offset (pages slice the local hour)."""
    return clock.localtime(moment).isoformat()


def _who(user) -> str | None:
    return user.username if user is not None else None


def _name(user) -> str | None:
    """Who, as people call them on a page: the display name (full name), else the login."""
    if user is None:
        return None
    return (getattr(user, "display_name", "") or "").strip() or user.username


def attach_submitted(report_json: dict, nodes_by_code: dict[str, int], day: date) -> dict:
    """Give each node of the contract's JSON its `submitted_at` (null until submitted), the
    `version` that counts and the `corrections` (figures that changed since)."""
    subs = submissions_for(nodes_by_code.values(), day)

    def walk(node):
        sub = subs.get(nodes_by_code.get(node["area"]))
        live = {k: v for k, v in node.items() if k != "children"}
        node["submitted_at"] = sub.submitted_at.isoformat() if sub else None
        node["version"] = sub.version if sub else None
        node["corrections"] = corrections_json(sub, live) if sub else []
        for child in node.get("children", []):
            walk(child)

    walk(report_json)
    return report_json


def signoff_status(*, area, day: date, report=None) -> dict:
    """The sign-off of `area` and its direct children for `day`: for each, the latest
    version and who sent it, the corrections since, every earlier version with what changed
    from the one before, the reminders, and (for the area itself) the children that
    submitted after it did."""
    report = report or report_compute(area=area, day=day)
    # The area itself and those of its sub-areas that submit (grids never do: their figures
    # reach the level above inside their community's report).
    nodes = [report.root, *(c for c in report.root.children if c.level in SUBMITTING_LEVELS)]
    ids = [n.id for n in nodes]
    history = history_for(ids, day)
    chases: dict[int, list[ReportChase]] = {}
    for c in ReportChase.objects.filter(area_id__in=ids, day=day).select_related("chased_by"):
        chases.setdefault(c.area_id, []).append(c)
    out = []
    for node in nodes:
        versions = history.get(node.id, [])
        latest = versions[-1] if versions else None
        live = report.as_json(node)
        live.pop("children", None)
        entries, before = [], None
        for v in versions:
            changes = corrections(before.data, v.data) if before else {}
            entries.append({"version": v.version, "submitted_at": _iso(v.submitted_at),
                            "submitted_by": _who(v.submitted_by),
                            "submitted_by_name": _name(v.submitted_by), "note": v.note,
                            "changes": [{"figure": f, "before": a, "after": b}
                                        for f, (a, b) in changes.items()]})
            before = v
        out.append({
            "area": node.code, "name": node.name, "own": node is report.root,
            "submits": node.level in SUBMITTING_LEVELS,
            "submitted_at": _iso(latest.submitted_at) if latest else None,
            "submitted_by": _who(latest.submitted_by) if latest else None,
            "submitted_by_name": _name(latest.submitted_by) if latest else None,
            "version": latest.version if latest else None,
            "corrections": corrections_json(latest, live) if latest else [],
            "history": entries,
            "chases": [{"chased_at": _iso(c.chased_at), "chased_by": _who(c.chased_by),
                        "chased_by_name": _name(c.chased_by), "automatic": c.automatic}
                       for c in chases.get(node.id, [])],
        })
    own = out[0]
    if own["submitted_at"]:
        mine = history[report.root.id][-1].submitted_at
        own["children_changed_since"] = [
            {"area": row["area"], "name": row["name"], "version": row["version"],
             "submitted_at": row["submitted_at"]}
            for row, node in zip(out[1:], nodes[1:], strict=True)
            if history.get(node.id) and history[node.id][-1].submitted_at > mine]
    else:
        own["children_changed_since"] = []
    return {"area": area.code, "date": day.isoformat(), "due": due_hhmm(day),
            "nodes": out}


def due_hhmm(day: date) -> str:
    return str(rule("reports.signoff_due", on=day).value)


def report_chase(*, area, day: date, actor, now: datetime | None = None) -> ReportChase:
    """The level above asks `area` for its report of `day` (催报): recorded with who and
    when, shown to the area's staff until they submit. Only an area below one's own."""
    require_perm(actor, "reports.submit")
    if not in_scope(actor, area, "reports.submit"):
        raise RuleViolation("not_found", _("Not found."), status=404, field="area")
    if area.level not in SUBMITTING_LEVELS:
        raise InvalidInput("not_submitting", _("%(area)s does not submit a daily report.")
                           % {"area": area.name}, field="area")
    parent = area.parent
    if parent is None or not in_scope(actor, parent, "reports.submit"):
        raise RuleViolation("not_below", _("Only the level above can chase %(area)s.")
                            % {"area": area.name}, status=403, field="area")
    now = now or clock.now()
    with transaction.atomic():
        if ReportSubmission.objects.filter(area=area, day=day).exists():
            raise RuleViolation("already_submitted",
                                _("%(area)s already submitted its report for %(day)s.")
                                % {"area": area.name, "day": day.isoformat()})
        chase = ReportChase.objects.create(area=area, day=day, chased_at=now, chased_by=actor)
        audit(actor=actor, action=AuditAction.REPORT_CHASE, obj=chase, detail=f"{area.code} {day}")
    return chase


def signoff_chase_due(now: datetime | None = None) -> int:
    """The scheduled reminder (run it every 15 minutes, or schedule it as a task): from the
    rule `reports.signoff_due` (16:00 local by default) on, every community and street that
    has not submitted today's report is reminded once (an automatic chase). Returns how many
    reminders it made; running it again makes none."""
    now = now or clock.now()
    day = clock.localdate(now)
    if now < clock.at(day, due_hhmm(day)):
        return 0
    late = (Area.objects.filter(level__in=SUBMITTING_LEVELS)
            .exclude(pk__in=ReportSubmission.objects.filter(day=day).values("area_id"))
            .exclude(pk__in=ReportChase.objects.filter(day=day, automatic=True)
                     .values("area_id")))
    made = 0
    for area_id in late.values_list("pk", flat=True).iterator():
        try:
            with transaction.atomic():
                ReportChase.objects.create(area_id=area_id, day=day, chased_at=now,
                                           automatic=True)
        except IntegrityError as exc:
            if not is_unique_violation(exc):
                raise
            continue  # another worker reminded it at the same moment
        made += 1
    return made


def chases_for_user(user, *, day: date | None = None) -> list[ReportChase]:
    """The reminders the user's own areas (not those below) received and have not answered
    by submitting — for `day`, or the last 7 days: what their dashboard, home page and
    sign-off page show. One per area and day, the latest."""
    own = scope_paths(user, "reports.submit")
    if not own:
        return []
    qs = ReportChase.objects.filter(area__path__in=own)
    qs = qs.filter(day=day) if day else qs.filter(day__gte=clock.today() - timedelta(days=7))
    answered = set(ReportSubmission.objects.filter(area__path__in=own, day__in=qs.values("day"))
                   .values_list("area_id", "day"))
    latest: dict[tuple, ReportChase] = {}
    for c in qs.select_related("area", "chased_by").order_by("chased_at"):
        if (c.area_id, c.day) not in answered:
            latest[(c.area_id, c.day)] = c
    return sorted(latest.values(), key=lambda c: (c.day, c.area.path))
