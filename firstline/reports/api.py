from __future__ import annotations

from ninja import Field, Router, Schema

from firstline.accounts.services import require_perm

from .selectors import parse_day, report_area_for_user, report_compute

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
    return report_compute(area=target, day=day).as_json()
