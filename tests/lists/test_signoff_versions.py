"""Sign-off, second part: resubmission (versions kept), corrections in the API, chasing a
late community by hand and the automatic reminder at the rule's hour."""

from datetime import timedelta

import pytest
import time_machine

from firstline import clock
from firstline.accounts.models import AuditEntry
from firstline.errors import RuleViolation
from firstline.reports.models import ReportChase, ReportSubmission
from firstline.reports.submissions import chases_for_user, report_submit, signoff_chase_due

from ..conftest import race
from ..people.conftest import make_resident

pytestmark = pytest.mark.time_sensitive


def _yesterday():
    return (clock.today() - timedelta(days=1)).isoformat()


def _late_fact(roster):
    make_resident(roster.h2, name="新来", phone="",
                  since=clock.day_start(clock.today() - timedelta(days=1)))


def _submit(api, who, area, day, **extra):
    return api(who).post("/api/v1/reports/daily/submit", {"area": area, "date": day, **extra})


def test_the_api_report_shows_a_correction_with_old_new_and_when(api, roster):
    day = _yesterday()
    assert _submit(api, "staff_c1", "C1", day).status_code == 201
    _late_fact(roster)
    body = api("hq").get("/api/v1/reports/daily", area="99000101", date=day).json()
    c1 = {c["area"]: c for c in body["children"]}["C1"]
    assert c1["version"] == 1
    fixes = {c["figure"]: c for c in c1["corrections"]}
    assert fixes["residents"]["submitted"] == 5 and fixes["residents"]["now"] == 6
    assert fixes["residents"]["submitted_at"] == clock.localtime(
        ReportSubmission.objects.get(area__code="C1").submitted_at).isoformat()
    assert body["corrections"] == [] and body["version"] is None  # the street: not submitted
    status = api("hq").get("/api/v1/reports/daily/signoff", area="99000101", date=day).json()
    node = {n["area"]: n for n in status["nodes"]}["C1"]
    assert {c["figure"]: (c["submitted"], c["now"]) for c in node["corrections"]}[
        "residents"] == (5, 6)


def test_a_resubmission_is_a_new_frozen_version_and_the_first_is_kept(api, roster):
    day = _yesterday()
    _submit(api, "staff_c1", "C1", day)
    _late_fact(roster)
    plain = _submit(api, "staff_c1", "C1", day)
    assert plain.status_code == 409 and plain.json()["error"] == "already_submitted"
    r = _submit(api, "staff_c1", "C1", day, resubmit=True, note="补录新来人员")
    assert r.status_code == 201, r.content
    assert r.json()["version"] == 2 and r.json()["residents"] == 6
    versions = list(ReportSubmission.objects.filter(area__code="C1").order_by("version"))
    assert [(v.version, v.data["residents"]) for v in versions] == [(1, 5), (2, 6)]
    status = api("hq").get("/api/v1/reports/daily/signoff", area="99000101", date=day).json()
    c1 = {n["area"]: n for n in status["nodes"]}["C1"]
    assert c1["version"] == 2 and c1["corrections"] == []  # the latest is the one that counts
    assert [h["version"] for h in c1["history"]] == [1, 2]
    assert c1["history"][1]["note"] == "补录新来人员"
    assert c1["history"][1]["submitted_by"] == "staff_c1"
    assert {"figure": "residents", "before": 5, "after": 6} in c1["history"][1]["changes"]
    live = api("hq").get("/api/v1/reports/daily", area="99000101", date=day).json()
    assert {c["area"]: c["version"] for c in live["children"]} == {"C1": 2, "C2": None}
    assert AuditEntry.objects.filter(action="report.resubmit").count() == 1


def test_the_street_sees_a_child_that_changed_after_its_own_submission(api, roster):
    day = _yesterday()
    _submit(api, "staff_c1", "C1", day)
    _submit(api, "hq", "99000101", day)
    status = api("hq").get("/api/v1/reports/daily/signoff", area="99000101", date=day).json()
    assert status["nodes"][0]["children_changed_since"] == []
    _late_fact(roster)
    _submit(api, "staff_c1", "C1", day, resubmit=True)
    status = api("hq").get("/api/v1/reports/daily/signoff", area="99000101", date=day).json()
    changed = status["nodes"][0]["children_changed_since"]
    assert [(c["area"], c["version"]) for c in changed] == [("C1", 2)]


def test_a_long_note_is_422_naming_note(api, roster):
    day = _yesterday()
    _submit(api, "staff_c1", "C1", day)
    r = _submit(api, "staff_c1", "C1", day, resubmit=True, note="x" * 201)
    assert r.status_code == 422 and "200" in r.json()["detail"]
    assert ReportSubmission.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_resubmissions_make_distinct_versions_or_a_409(file_database, roster, cast):
    day = clock.today() - timedelta(days=1)
    report_submit(area=roster.h1.grid.parent, day=day, actor=cast.staff_c1)

    def work(i):
        try:
            return report_submit(area=roster.h1.grid.parent, day=day, resubmit=True,
                                 actor=[cast.staff_c1, cast.hq][i % 2]).version
        except RuleViolation as exc:
            return exc.code

    answers = race(4, work)
    versions = sorted(ReportSubmission.objects.filter(area__code="C1")
                      .values_list("version", flat=True))
    made = [a for a in answers if isinstance(a, int)]
    assert all(a == "already_submitted" for a in answers if not isinstance(a, int)), answers
    assert versions == [1, *sorted(made)] == list(range(1, len(made) + 2))


def test_the_street_chases_a_late_community_and_its_staff_see_it(api, roster, cast):
    day = _yesterday()
    r = api("hq").post("/api/v1/reports/daily/chase", {"area": "C2", "date": day})
    assert r.status_code == 201, r.content
    assert r.json()["chased_by"] == "hq" and r.json()["automatic"] is False
    chase = ReportChase.objects.get(area__code="C2")
    assert chase.chased_by == cast.hq
    assert AuditEntry.objects.filter(action="report.chase", actor=cast.hq).exists()
    assert [c.area.code for c in chases_for_user(cast.staff_c2)] == ["C2"]
    assert chases_for_user(cast.staff_c1) == [] and chases_for_user(cast.hq) == []
    status = api("hq").get("/api/v1/reports/daily/signoff", area="99000101", date=day).json()
    c2 = {n["area"]: n for n in status["nodes"]}["C2"]
    assert c2["chases"][0]["chased_by"] == "hq"
    # submitting answers the reminder
    _submit(api, "staff_c2", "C2", day)
    assert chases_for_user(cast.staff_c2) == []


def test_chasing_is_for_the_level_above_and_not_once_submitted(api, roster):
    day = _yesterday()
    assert api("staff_c1").post("/api/v1/reports/daily/chase",
                                {"area": "C1", "date": day}).status_code == 403
    assert api("staff_c1").post("/api/v1/reports/daily/chase",
                                {"area": "C2", "date": day}).status_code == 404
    assert api("grid_a").post("/api/v1/reports/daily/chase",
                              {"area": "G1a", "date": day}).status_code == 403
    grid = api("staff_c1").post("/api/v1/reports/daily/chase", {"area": "G1a", "date": day})
    assert grid.status_code == 422  # a grid submits no report
    _submit(api, "staff_c1", "C1", day)
    r = api("hq").post("/api/v1/reports/daily/chase", {"area": "C1", "date": day})
    assert r.status_code == 409 and r.json()["error"] == "already_submitted"
    assert api("hq").post("/api/v1/reports/daily/chase",
                          {"area": "C2", "date": "x"}).status_code == 422
    assert ReportChase.objects.count() == 0


def test_the_automatic_reminder_comes_at_the_rule_hour_once(api, roster, cast):
    today = clock.today()
    before = clock.at(today, "15:59")
    after = clock.at(today, "16:00")
    with time_machine.travel(before, tick=False):
        assert signoff_chase_due(before) == 0
    with time_machine.travel(after, tick=False):
        api("staff_c1").post("/api/v1/reports/daily/submit",
                             {"area": "C1", "date": today.isoformat()})
        made = signoff_chase_due(after)
        # the street and C2 are late; C1 submitted; grids and the district do not submit
        assert made == 2
        assert set(ReportChase.objects.values_list("area__code", flat=True)) == \
            {"99000101", "C2"}
        assert signoff_chase_due(after + timedelta(minutes=15)) == 0  # once
        [c] = chases_for_user(cast.staff_c2)
        assert c.automatic and c.chased_by is None


def test_the_reminder_hour_is_a_rule(roster):
    from firstline.rules.models import Rule

    today = clock.today()
    Rule.objects.create(key="reports.signoff_due", value="18:00",
                        effective_from=today - timedelta(days=1), source="区指挥部通知")
    at = clock.at(today, "17:00")
    with time_machine.travel(at, tick=False):
        assert signoff_chase_due(at) == 0
    at = clock.at(today, "18:00")
    with time_machine.travel(at, tick=False):
        assert signoff_chase_due(at) == 3  # the street, C1 and C2


def test_the_pages_chase_resubmit_and_show_the_reminder(web, roster):
    day = _yesterday()
    hq = web("hq")
    r = hq.post("/reports/signoff/", {"area": "99000101", "date": day, "action": "chase",
                                      "child": "C2"})
    assert r.status_code == 302
    assert ReportChase.objects.get().area.code == "C2"
    page = hq.get("/reports/signoff/", {"area": "99000101", "date": day}).content.decode()
    assert 'class="muted chased"' in page
    # C2's staff see the reminder on the dashboard and the sign-off page, then submit
    c2 = web("staff_c2")
    assert 'id="reminder-C2-' in c2.get("/reports/", {"area": "C2"}).content.decode()
    assert 'id="reminder-C2-' in c2.get("/reports/signoff/", {"date": day}).content.decode()
    c2.post("/reports/signoff/", {"area": "C2", "date": day, "action": "submit",
                                  "confirm": "1"})
    assert 'id="reminder-C2-' not in c2.get("/reports/", {"area": "C2"}).content.decode()
    c1 = web("staff_c1")
    c1.post("/reports/signoff/", {"area": "C1", "date": day, "confirm": "1"})
    _late_fact(roster)
    c1.post("/reports/signoff/", {"area": "C1", "date": day, "action": "resubmit",
                                  "note": "补录"})
    assert list(ReportSubmission.objects.filter(area__code="C1")
                .values_list("version", flat=True).order_by("version")) == [1, 2]
    page = hq.get("/reports/signoff/", {"area": "99000101", "date": day}).content.decode()
    assert "补录" in page and "实有人口: 5 → 6" in page
    # a chase across the street (C1 staff → C2) changes nothing
    c1.post("/reports/signoff/", {"area": "C1", "date": day, "action": "chase", "child": "C2"})
    assert ReportChase.objects.count() == 1


def test_the_scheduled_command_reminds_the_late(roster, capsys):
    from django.core.management import call_command

    today = clock.today().isoformat()
    call_command("report_chase_due", "--now", f"{today}T16:05")
    assert "3 made" in capsys.readouterr().out
    call_command("report_chase_due", "--now", f"{today}T16:20")
    assert "0 made" in capsys.readouterr().out


def test_the_worker_schedules_the_reminder_and_its_task_reminds(roster):
    from firstline.reports.tasks import chase_due_task
    from firstline.worker import SCHEDULE

    assert "firstline.reports.tasks.chase_due_task" in {p.task for p in SCHEDULE}
    at = clock.at(clock.today(), "16:00")
    with time_machine.travel(at, tick=False):
        assert chase_due_task.call() == 3  # the street, C1 and C2, as the function does
        assert chase_due_task.call() == 0
