"""HQ's working groups (指挥部工作组): a name and members, a task sent to the group rather than
a label."""

from datetime import timedelta

from firstline import clock
from firstline.operations.models import Task, WorkingGroup

STREET = "99000101"


def _due():
    return (clock.now() + timedelta(hours=6)).isoformat()


def test_hq_sends_a_task_to_a_working_group(api):
    hq = api("hq")
    r = hq.post("/api/v1/working-groups", {"area": STREET, "name": "物资保障组",
                                           "members": ["hq"]})
    assert r.status_code == 201, r.content
    group = r.json()
    assert (group["name"], group["members"]) == ("物资保障组", ["hq"])
    r = hq.post("/api/v1/tasks", {"title": "清点口罩库存", "groups": [group["id"]],
                                  "areas": ["C1"], "due_at": _due()})
    assert r.status_code == 201, r.content
    to_group = Task.objects.get(working_group_id=group["id"])
    assert (to_group.area.code, to_group.group) == (STREET, "物资保障组")
    assert Task.objects.filter(area__code="C1", working_group__isnull=True).count() == 1
    item = hq.get(f"/api/v1/tasks/{to_group.pk}").json()
    assert item["working_group_id"] == group["id"]
    assert [g["name"] for g in hq.get("/api/v1/working-groups").json()["items"]] == [
        "物资保障组"]


def test_a_group_is_set_up_by_hq_of_its_street_only(api):
    r = api("staff_c1").post("/api/v1/working-groups", {"area": STREET, "name": "宣传组"})
    assert r.status_code == 404
    assert api("hq").post("/api/v1/working-groups", {"area": "C1", "name": "宣传组"}
                          ).status_code == 422  # a street's, not a community's
    assert not WorkingGroup.objects.exists()


def test_bad_groups_and_members_are_refused_naming_the_field(api):
    hq = api("hq")
    hq.post("/api/v1/working-groups", {"area": STREET, "name": "综合协调组"})
    r = hq.post("/api/v1/working-groups", {"area": STREET, "name": "综合协调组"})
    assert (r.status_code, r.json()["error"]) == (409, "duplicate")
    r = hq.post("/api/v1/working-groups", {"area": STREET, "name": "宣传组",
                                           "members": ["nobody"]})
    assert (r.status_code, r.json()["error"]) == (422, "bad_member")
    r = hq.post("/api/v1/working-groups", {"area": STREET, "name": "防疫组",
                                           "members": ["staff_c1"]})  # cannot see the street
    assert (r.status_code, r.json()["error"]) == (422, "bad_member")
    r = hq.post("/api/v1/tasks", {"title": "x", "groups": [99999], "due_at": _due()})
    assert r.status_code == 404
    assert not Task.objects.exists()


def test_another_streets_group_is_404(api, areas):
    from firstline.accounts.services import user_assign
    from firstline.areas.services import area_upsert
    from tests.conftest import ApiClient

    other, _ = area_upsert(code="99000102", name="别的街道", level="street",
                           parent=areas.district)
    other_hq, _ = user_assign(username="hq2", role="street_staff", area=other)
    group = api("hq").post("/api/v1/working-groups", {"area": STREET, "name": "物资保障组"}
                           ).json()
    r = ApiClient(other_hq).post("/api/v1/tasks", {"title": "x", "groups": [group["id"]],
                                                   "due_at": _due()})
    assert r.status_code == 404
    assert ApiClient(other_hq).get("/api/v1/working-groups").json()["count"] == 0


def test_hq_sets_up_a_group_on_the_tasks_page_and_sends_it_a_task(web, cast):
    hq = web("hq")
    page = hq.get("/operations/tasks/").content.decode()
    assert 'name="members"' in page  # HQ's staff offered as members
    r = hq.post("/operations/tasks/", {"action": "group", "area": STREET, "name": "宣传组",
                                       "members": [cast.hq.pk]})
    assert r.status_code == 302
    group = WorkingGroup.objects.get(name="宣传组")
    assert list(group.members.all()) == [cast.hq]
    due = clock.localtime(clock.now() + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M")
    r = hq.post("/operations/tasks/", {"action": "send", "title": "张贴通告", "due_at": due,
                                       "groups": [group.pk]})
    assert r.status_code == 302
    assert Task.objects.get(working_group=group).title == "张贴通告"


def test_a_member_from_outside_the_street_is_not_taken_from_the_page(web, cast):
    """A community's staff cannot see the street's tasks: offered no place, and a forged
    member id is dropped rather than joined."""
    hq = web("hq")
    assert f'value="{cast.staff_c1.pk}"' not in hq.get("/operations/tasks/").content.decode()
    hq.post("/operations/tasks/", {"action": "group", "area": STREET, "name": "宣传组",
                                   "members": [cast.staff_c1.pk]})
    assert not WorkingGroup.objects.get(name="宣传组").members.exists()


def test_a_group_without_a_name_is_refused_on_the_page(web):
    r = web("hq").post("/operations/tasks/", {"action": "group", "area": STREET, "name": " "},
                       follow=True)
    assert "name" in r.content.decode() or "名称" in r.content.decode()
    assert not WorkingGroup.objects.exists()
