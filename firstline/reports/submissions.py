"""Sign-off (上报): a community, then the street, submits its daily report for a date.

The submitted report is frozen (its JSON is stored); the live report moves on as late facts
arrive, and a figure that differs from the submitted one is shown as a correction.
"""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from firstline import clock
from firstline.accounts.scope import in_scope
from firstline.accounts.services import audit, require_perm
from firstline.errors import RuleViolation

from .models import ReportSubmission
from .selectors import report_compute


def report_submit(*, area, day: date, actor, now: datetime | None = None) -> ReportSubmission:
    """Freeze the report of `area` for `day` as submitted; a second submission is a 409."""
    require_perm(actor, "reports.submit")
    if not in_scope(actor, area, "reports.submit"):
        raise RuleViolation("not_found", _("Not found."), status=404, field="area")
    now = now or clock.now()
    data = report_compute(area=area, day=day).as_json()
    try:
        with transaction.atomic():
            sub = ReportSubmission.objects.create(area=area, day=day, data=data,
                                                  submitted_at=now, submitted_by=actor)
            audit(actor=actor, action="report.submit", obj=sub, detail=f"{area.code} {day}")
    except IntegrityError:
        raise RuleViolation("already_submitted",
                            _("The report of %(area)s for %(day)s was already submitted.")
                            % {"area": area.name, "day": day.isoformat()}) from None
    return sub


def submissions_for(area_ids, day: date) -> dict[int, ReportSubmission]:
    return {s.area_id: s for s in ReportSubmission.objects.filter(area_id__in=list(area_ids),
                                                                   day=day)}


def attach_submitted(report_json: dict, nodes_by_code: dict[str, int], day: date) -> dict:
    """Give each node of the contract's JSON its `submitted_at` (null until submitted)."""
    subs = submissions_for(nodes_by_code.values(), day)

    def walk(node):
        sub = subs.get(nodes_by_code.get(node["area"]))
        node["submitted_at"] = sub.submitted_at.isoformat() if sub else None
        for child in node.get("children", []):
            walk(child)

    walk(report_json)
    return report_json


def corrections(submitted: dict, live: dict) -> dict[str, tuple]:
    """{figure: (as submitted, now)} for each figure that changed after submission."""
    out = {}
    for key, value in submitted.items():
        if key in ("area", "date", "children"):
            continue
        now_value = live.get(key)
        if isinstance(value, dict):
            for k, v in value.items():
                if (now_value or {}).get(k, 0) != v:
                    out[f"{key}.{k}"] = (v, (now_value or {}).get(k, 0))
        elif now_value != value:
            out[key] = (value, now_value)
    return out
