from __future__ import annotations

from ninja import Field, Router, Schema

from firstline.accounts.services import require_perm

from .selectors import parse_day, report_area_for_user, report_compute
from .submissions import attach_submitted, report_submit

router = Router()


class DailyReportOut(Schema):
    area: str
    date: str
    residents: int
    households: int
    key_persons: dict[str, int]
    home_isolation: int
    centralized_isolation: int
    isolations_started: int
    isolations_ended: int
    readings_due: int
    readings_received: int
    fever_alerts: int
    crossings_out: int
    crossings_in: int
    crossings_denied: int
    households_visited: int
    disinfection_rounds: int
    disinfection_overdue: int
    volunteers_on_duty: int
    tasks_overdue: int
    households_informed: int = Field(
        0, description="households that acknowledged a notice by the end of the day "
                       "(宣传覆盖; reach = households_informed / households)")
    submitted_at: str | None = Field(None, description="when this area's report for the "
                                     "date was submitted (frozen); null until then")
    children: list[DailyReportOut] = Field(
        default_factory=list, description="one direct sub-area each, in the same shape")


DailyReportOut.model_rebuild()


@router.get("/reports/daily", response=DailyReportOut,
            summary="The daily report (一日一报) of an area and its sub-areas")
def report_daily(request, area: str, date: str | None = None):
    """Every figure is computed from recorded facts for the local day `date` (default today);
    a parent's counts are the sums of its children's plus its own. Perm `reports.view`;
    an area outside the caller's scope is a 404; a malformed date a 422."""
    require_perm(request.user, "reports.view")
    day = parse_day(date)
    target = report_area_for_user(request.user, area, "reports.view")
    report = report_compute(area=target, day=day)
    return attach_submitted(report.as_json(), {n.code: n.id for n in report.nodes.values()},
                            day)


class SubmitIn(Schema):
    area: str
    date: str


@router.post("/reports/daily/submit", response={201: DailyReportOut},
             summary="Submit (sign off) the daily report of an area for a date: frozen")
def report_daily_submit(request, payload: SubmitIn):
    """Perm `reports.submit` (community and street staff). Answers the report as submitted;
    a second submission for the same area and date is a 409 `already_submitted`."""
    require_perm(request.user, "reports.submit")
    day = parse_day(payload.date)
    target = report_area_for_user(request.user, payload.area, "reports.submit")
    sub = report_submit(area=target, day=day, actor=request.user)
    return 201, {**sub.data, "submitted_at": sub.submitted_at.isoformat()}
