"""Sign-off: a community submits its daily report (frozen); the street sees who submitted
and when; the live report moves on and a change shows as a correction."""

from datetime import timedelta

import pytest

from firstline import clock
from firstline.reports.models import ReportSubmission
from firstline.reports.submissions import corrections

from ..people.conftest import make_resident

pytestmark = pytest.mark.time_sensitive  # today's date, deadlines, overdue


def _yesterday():
    return (clock.today() - timedelta(days=1)).isoformat()


def test_community_submits_and_the_report_is_frozen(api, roster):
    day = _yesterday()
    r = api("staff_c1").post("/api/v1/reports/daily/submit", {"area": "C1", "date": day})
    assert r.status_code == 201, r.content
    frozen = r.json()
    assert frozen["area"] == "C1" and frozen["residents"] == 5 and frozen["submitted_at"]
    # a late fact: a newcomer back-dated into that day moves the live report on
    make_resident(roster.h2, name="新来", phone="",
                  since=clock.day_start(clock.today() - timedelta(days=1)))
    live = api("staff_c1").get("/api/v1/reports/daily", area="C1", date=day).json()
    assert live["residents"] == 6
    stored = ReportSubmission.objects.get(area__code="C1").data
    assert stored["residents"] == 5
    assert corrections(stored, live)["residents"] == (5, 6)


def test_a_second_submission_is_409(api, roster):
    day = _yesterday()
    api("staff_c1").post("/api/v1/reports/daily/submit", {"area": "C1", "date": day})
    r = api("staff_c1").post("/api/v1/reports/daily/submit", {"area": "C1", "date": day})
    assert r.status_code == 409 and r.json()["error"] == "already_submitted"


def test_the_street_sees_which_children_submitted(api, roster):
    day = _yesterday()
    api("staff_c1").post("/api/v1/reports/daily/submit", {"area": "C1", "date": day})
    body = api("hq").get("/api/v1/reports/daily", area="99000101", date=day).json()
    assert body["submitted_at"] is None
    children = {c["area"]: c for c in body["children"]}
    assert children["C1"]["submitted_at"] is not None
    assert children["C2"]["submitted_at"] is None
    assert all(g["submitted_at"] is None for g in children["C1"]["children"])
    r = api("hq").post("/api/v1/reports/daily/submit", {"area": "99000101", "date": day})
    assert r.status_code == 201


def test_submitting_another_community_is_404_and_a_grid_worker_403(api, roster):
    day = _yesterday()
    assert api("staff_c1").post("/api/v1/reports/daily/submit",
                                {"area": "C2", "date": day}).status_code == 404
    assert api("grid_a").post("/api/v1/reports/daily/submit",
                              {"area": "G1a", "date": day}).status_code == 403
    bad = api("staff_c1").post("/api/v1/reports/daily/submit", {"area": "C1", "date": "x"})
    assert bad.status_code == 422


def test_the_command_line_report_carries_submitted_at_too(api, roster, capsys):
    import json

    from django.core.management import call_command

    day = _yesterday()
    api("staff_c1").post("/api/v1/reports/daily/submit", {"area": "C1", "date": day})
    call_command("report_daily", "--area", "99000101", "--date", day, "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["submitted_at"] is None
    assert {c["area"]: bool(c["submitted_at"]) for c in data["children"]} == \
        {"C1": True, "C2": False}
