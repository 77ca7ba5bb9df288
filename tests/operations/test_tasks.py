"""HQ tasks (任务下达): one per area; acknowledged, done once with a note; overdue at the due
time in local time; each side sees only its own."""

from datetime import timedelta

import pytest
import time_machine

from firstline import clock
from firstline.operations.models import Task
from tests.conftest import local


def _send(api, areas=("C1", "C2"), due=None, title="排查返乡人员"):
    due = due or clock.now() + timedelta(hours=6)
    r = api("hq").post("/api/v1/tasks", {"title": title, "detail": "今日 18 时前上报",
                                         "areas": list(areas), "due_at": due.isoformat()})
    assert r.status_code == 201, r.content
    return r.json()["ids"]


def test_a_task_to_two_areas_is_one_task_per_area(api):
    ids = _send(api)
    assert len(ids) == 2
    assert sorted(Task.objects.values_list("area__code", flat=True)) == ["C1", "C2"]


def test_each_area_sees_only_its_own_task(api):
    c1_task, c2_task = _send(api)
    items = api("staff_c1").get("/api/v1/tasks").json()["items"]
    assert [t["id"] for t in items] == [c1_task]
    assert api("staff_c1").get(f"/api/v1/tasks/{c2_task}").status_code == 404
    assert api("staff_c1").post(f"/api/v1/tasks/{c2_task}/done", {"note": "x"}).status_code \
        == 404
    assert api("staff_c1").get("/api/v1/tasks", area="C2").status_code == 404


def test_hq_sees_every_area_it_sent_to(api):
    _send(api)
    assert api("hq").get("/api/v1/tasks").json()["count"] == 2


def test_community_staff_cannot_send_tasks(api):
    r = api("staff_c1").post("/api/v1/tasks", {"title": "x", "areas": ["C1"],
                                               "due_at": (clock.now() + timedelta(hours=1))
                                               .isoformat()})
    assert r.status_code == 403


def test_a_task_to_an_area_outside_hqs_scope_is_404(api, areas):
    from firstline.areas.models import Level
    from firstline.areas.services import area_upsert

    area_upsert(code="99000102", name="别的街道", level=Level.STREET, parent=areas.district)
    r = api("hq").post("/api/v1/tasks", {"title": "x", "areas": ["C1", "99000102"],
                                         "due_at": (clock.now() + timedelta(hours=1))
                                         .isoformat()})
    assert r.status_code == 404
    assert not Task.objects.exists()


def test_a_grid_worker_does_not_see_tasks(api):
    _send(api)
    assert api("grid_a").get("/api/v1/tasks").status_code == 403


def test_done_with_a_note_once(api):
    c1_task, _ = _send(api)
    staff = api("staff_c1")
    assert staff.post(f"/api/v1/tasks/{c1_task}/acknowledge").json()["acknowledged_at"]
    r = staff.post(f"/api/v1/tasks/{c1_task}/done", {"note": "已排查 12 户"})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["note"]) == ("done", "已排查 12 户")
    again = staff.post(f"/api/v1/tasks/{c1_task}/done", {"note": "again"})
    assert (again.status_code, again.json()["error"]) == (409, "already_done")
    assert [t["id"] for t in api("hq").get("/api/v1/tasks", status="done").json()["items"]] \
        == [c1_task]


def test_a_due_time_in_the_past_is_422_naming_due_at(api):
    r = api("hq").post("/api/v1/tasks", {"title": "x", "areas": ["C1"],
                                         "due_at": (clock.now() - timedelta(minutes=1))
                                         .isoformat()})
    assert r.status_code == 422 and "due_at" in r.json()["detail"]


def test_an_empty_title_is_422_naming_it(api):
    r = api("hq").post("/api/v1/tasks", {"title": " ", "areas": ["C1"],
                                         "due_at": (clock.now() + timedelta(hours=1))
                                         .isoformat()})
    assert r.status_code == 422 and "title" in r.json()["detail"]


def test_a_bad_status_filter_is_422(api):
    assert api("hq").get("/api/v1/tasks", status="late").status_code == 422


@pytest.mark.time_sensitive
def test_a_task_is_overdue_at_its_due_time_in_local_time(api):
    """Due at local midnight: still open at 23:59 the day before, overdue from 00:00."""
    with time_machine.travel(local(2026, 3, 1, 9), tick=False):
        [c1_task] = _send(api, areas=["C1"], due=local(2026, 3, 2, 0, 0))
    with time_machine.travel(local(2026, 3, 1, 23, 59), tick=False):
        assert api("staff_c1").get(f"/api/v1/tasks/{c1_task}").json()["status"] == "open"
        assert api("staff_c1").get("/api/v1/tasks", status="overdue").json()["count"] == 0
    with time_machine.travel(local(2026, 3, 2, 0, 0), tick=False):
        assert api("staff_c1").get(f"/api/v1/tasks/{c1_task}").json()["status"] == "overdue"
        overdue = api("hq").get("/api/v1/tasks", status="overdue").json()["items"]
        assert [t["id"] for t in overdue] == [c1_task]


def test_a_task_done_late_stays_done(api):
    with time_machine.travel(local(2026, 3, 1, 9), tick=False):
        [c1_task] = _send(api, areas=["C1"], due=local(2026, 3, 1, 12))
    with time_machine.travel(local(2026, 3, 1, 13), tick=False):
        api("staff_c1").post(f"/api/v1/tasks/{c1_task}/done", {"note": "迟了"})
        assert api("staff_c1").get(f"/api/v1/tasks/{c1_task}").json()["status"] == "done"


def test_a_task_for_an_hq_working_group(api):
    r = api("hq").post("/api/v1/tasks", {"title": "统计物资缺口", "areas": ["99000101"],
                                         "group": "物资保障组",
                                         "due_at": (clock.now() + timedelta(hours=2))
                                         .isoformat()})
    assert r.status_code == 201
    [task] = api("hq").get("/api/v1/tasks", area="99000101").json()["items"]
    assert (task["group"], task["area"]) == ("物资保障组", "99000101")
    assert api("staff_c1").get("/api/v1/tasks").json()["count"] == 0
