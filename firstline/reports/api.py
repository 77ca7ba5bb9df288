from __future__ import annotations

from ninja import Field, Router, Schema

from firstline.accounts.services import require_perm

from .selectors import parse_day, report_area_for_user, report_compute
from .submissions import attach_submitted, report_chase, report_submit, signoff_status

router = Router()


class CorrectionOut(Schema):
    figure: str = Field(description="the figure, `key_persons.<category>` for a category")
    submitted: int | None = Field(description="as submitted (in the version that counts)")
    now: int | None = Field(description="as computed now from the facts")
    version: int
    submitted_at: str = Field(description="when the version that counts was submitted: "
                              "the figure changed after that")


class DailyReportOut(Schema):
    area: str
    date: str
    residents: int
    households: int
    key_persons: dict[str, int]
    home_isolation: int
    centralized_isolation: int
    isolations_by_reason: dict[str, int] = Field(
        default_factory=dict, description="extension: the people of home_isolation + "
        "centralized_isolation by the reason they are isolated (risk_area, close_contact, "
        "secondary_contact, fever, lockdown, other); every reason listed, 0 too. Not the "
        "key-person ledger (key_persons)")
    isolations_started: int
    isolations_ended: int
    readings_due: int
    readings_received: int
    fever_alerts: int
    crossings_out: int
    crossings_in: int
    crossings_denied: int
    visitors_turned_back: int
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
    version: int | None = Field(None, description="the submitted version that counts (the "
                                "latest; a report may be submitted again); null until then")
    corrections: list[CorrectionOut] = Field(
        default_factory=list, description="figures that changed after the submission")
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
    resubmit: bool = Field(False, description="submit again: a new version, the earlier "
                           "kept; without it a second submission is a 409")
    note: str = Field("", description="why it is submitted again (at most 200 characters)")


@router.post("/reports/daily/submit", response={201: DailyReportOut},
             summary="Submit (sign off) the daily report of an area for a date: frozen")
def report_daily_submit(request, payload: SubmitIn):
    """Perm `reports.submit` (community and street staff). Answers the report as submitted;
    a second submission for the same area and date is a 409 `already_submitted`."""
    require_perm(request.user, "reports.submit")
    day = parse_day(payload.date)
    target = report_area_for_user(request.user, payload.area, "reports.submit")
    sub = report_submit(area=target, day=day, actor=request.user, resubmit=payload.resubmit,
                        note=payload.note)
    return 201, {**sub.data, "submitted_at": sub.submitted_at.isoformat(),
                 "version": sub.version}


class ChangeOut(Schema):
    figure: str
    before: int | None
    after: int | None


class VersionOut(Schema):
    version: int
    submitted_at: str
    submitted_by: str | None
    note: str
    changes: list[ChangeOut] = Field(description="figures that differ from the version "
                                     "before (empty for version 1)")

    @staticmethod
    def resolve_note(obj):  # free text as the page shows it: a typed ID or mobile masked
        from firstline.people.services import mask_in_text

        return mask_in_text(obj["note"] if isinstance(obj, dict) else obj.note)


class ChaseOut(Schema):
    chased_at: str
    chased_by: str | None = Field(description="who asked; null for the automatic reminder")
    automatic: bool


class ChildChangedOut(Schema):
    area: str
    name: str
    version: int | None
    submitted_at: str | None


class SignoffNodeOut(Schema):
    area: str
    name: str
    own: bool = Field(description="the area asked for (the others are its direct children)")
    submits: bool = Field(description="a community or street: it submits a report (a grid "
                          "does not, and is not chased)")
    submitted_at: str | None
    submitted_by: str | None
    version: int | None
    corrections: list[CorrectionOut]
    history: list[VersionOut]
    chases: list[ChaseOut]
    children_changed_since: list[ChildChangedOut] = Field(
        default_factory=list, description="(own area) children that submitted after it did")


class SignoffOut(Schema):
    area: str
    date: str
    due: str = Field(description="the local hour the report is due (rule reports.signoff_due)")
    nodes: list[SignoffNodeOut]


@router.get("/reports/daily/signoff", response=SignoffOut,
            summary="Sign-off of an area and its children: versions, corrections, reminders")
def report_daily_signoff(request, area: str, date: str | None = None):
    """Perm `reports.submit`. For the area and each direct child: the version that counts,
    who submitted it and when, the figures changed since (corrections), every version with
    what changed from the one before, and the reminders (催报) it received."""
    require_perm(request.user, "reports.submit")
    day = parse_day(date)
    target = report_area_for_user(request.user, area, "reports.submit")
    return signoff_status(area=target, day=day)


class ChaseIn(Schema):
    area: str
    date: str


@router.post("/reports/daily/chase", response={201: ChaseOut},
             summary="Chase (催报) an area below one's own that has not submitted")
def report_daily_chase(request, payload: ChaseIn):
    """Perm `reports.submit` on the area's parent. The area's staff see the reminder on
    their dashboard and sign-off page until they submit; 409 `already_submitted`."""
    require_perm(request.user, "reports.submit")
    day = parse_day(payload.date)
    target = report_area_for_user(request.user, payload.area, "reports.submit")
    chase = report_chase(area=target, day=day, actor=request.user)
    return 201, {"chased_at": chase.chased_at.isoformat(),
                 "chased_by": request.user.username, "automatic": False}
