"""A refused operations form is shown again (422, as every other page does) with what was
typed, each error beside its translated label; a service's refusal sits on the field it names."""

import re

from firstline.operations import services
from firstline.operations.models import Assignment, Movement, Volunteer


def _beside(html, label, error):
    """`error` is shown inside the <label> that starts with `label`."""
    return re.search(rf'<label class="field">{re.escape(label)}<[^>]*>.*?'
                     rf'<span class="error"[^>]*>[^<]*{re.escape(error)}', html, re.S)


def test_a_bad_phone_keeps_the_form_and_says_so_beside_the_phone(web, cast, areas):
    page = web("staff_c1")
    r = page.post("/operations/volunteers/?area=C1", {
        "action": "register", "area": "C1", "name": "孙七", "phone": "123",
        "kind": "volunteer", "skills": "会开车"})
    html = r.content.decode()
    assert r.status_code == 422
    assert 'value="孙七"' in html and 'value="会开车"' in html and 'value="123"' in html
    assert _beside(html, "手机号", "手机号：")
    assert "phone：" not in html
    assert not Volunteer.objects.filter(name="孙七").exists()


def test_an_end_before_the_start_is_said_on_the_until_field_in_words(web, cast, people):
    page = web("staff_c1", "en")
    r = page.post("/operations/volunteers/?area=C1", {
        "action": "assign", "area": "C1", "volunteer": people.li.pk, "duty": "patrol",
        "starts_at": "2026-03-01T16:00", "ends_at": "2026-03-01T08:00", "target": "3号楼"})
    html = r.content.decode()
    assert r.status_code == 422
    assert _beside(html, "Until", "“Until” must be after “From”.")
    assert "ends_at must" not in html
    assert 'value="2026-03-01T16:00"' in html and 'value="3号楼"' in html
    assert not Assignment.objects.exists()


def test_an_overlap_from_the_service_is_shown_on_the_form_as_typed(web, cast, people):
    services.assignment_create(actor=cast.staff_c1, volunteer=people.li, duty="patrol",
                               starts_at=_at("2026-03-01T08:00"),
                               ends_at=_at("2026-03-01T12:00"))
    r = web("staff_c1", "en").post("/operations/volunteers/?area=C1", {
        "action": "assign", "area": "C1", "volunteer": people.li.pk, "duty": "gate",
        "starts_at": "2026-03-01T10:00", "ends_at": "2026-03-01T14:00"})
    html = r.content.decode()
    assert r.status_code == 422 and "already has a duty" in html
    assert 'value="2026-03-01T10:00"' in html
    assert Assignment.objects.count() == 1


def test_a_quantity_that_is_not_a_number_is_said_beside_the_quantity(web, cast, supplies):
    r = web("staff_c1").post("/operations/stock/", {
        "action": "issue", "store": "S-C1", "item": supplies.masks.pk, "quantity": "五",
        "to": "3号楼"})
    html = r.content.decode()
    assert r.status_code == 422
    assert _beside(html, "数量", "整数")
    assert 'value="3号楼"' in html and "quantity：" not in html


def test_insufficient_stock_is_shown_beside_the_quantity(web, cast, supplies):
    r = web("staff_c1", "en").post("/operations/stock/", {
        "action": "issue", "store": "S-C1", "item": supplies.masks.pk, "quantity": "5",
        "to": "Building 3"})
    html = r.content.decode()
    assert r.status_code == 422
    assert _beside(html, "Quantity", "holds 0")
    assert 'value="Building 3"' in html
    assert not Movement.objects.exists()


def _at(text):
    from firstline import clock

    return clock.parse_moment(text)


def test_a_service_message_names_the_fields_by_their_labels(people):
    """A service's "ends_at must be after starts_at" names fields as the API does; on the
    page they are the labels."""
    from django.utils import translation

    from firstline.errors import InvalidInput, form_refuse
    from firstline.operations.forms import AssignForm

    with translation.override("en"):
        form = AssignForm({}, people=[people.li])
        form.is_valid()
        form_refuse(form, InvalidInput("bad_times", "ends_at must be after starts_at.",
                                       field="ends_at"))
        form_refuse(form, InvalidInput("bad", "target_id: no such checkpoint.", field="target_id"),
                    fields={"target_id": "target"})
        assert "Until must be after From." in form.errors["ends_at"]
        assert "Where (building, route...): no such checkpoint." in form.errors["target"]


def test_a_task_due_in_the_past_comes_back_with_the_reason_beside_due(web, cast, areas):
    from datetime import timedelta

    from firstline import clock
    from firstline.operations.models import Task

    past = clock.localtime(clock.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    r = web("hq").post("/operations/tasks/", {"action": "send", "title": "排查返乡人员",
                                              "areas": ["C1"], "due_at": past})
    html = r.content.decode()
    assert r.status_code == 422
    assert 'value="排查返乡人员"' in html and f'value="{past}"' in html
    assert "截止时间须晚于现在" in html and "due_at：" not in html
    assert re.search(r'value="C1"[^>]*checked|checked[^>]*value="C1"', html)
    assert not Task.objects.exists()


def test_a_round_with_an_overlong_agent_is_said_on_that_place(web, cast, homes):
    from firstline.operations.models import Place, Round

    place = Place.objects.filter(area__code="C1").first()
    r = web("staff_c1", "en").post("/operations/disinfection/?area=C1",
                                   {"place": place.pk, "agent": "消" * 101})
    html = r.content.decode()
    assert r.status_code == 422
    assert _beside(html, "Agent", "longer than 100 characters")
    assert "agent is longer" not in html
    assert not Round.objects.exists()


def _task_for_c1(api):
    from datetime import timedelta

    from firstline import clock

    r = api("hq").post("/api/v1/tasks", {"title": "排查返乡人员", "areas": ["C1"],
                                         "due_at": (clock.now() + timedelta(hours=6))
                                         .isoformat()})
    return r.json()["ids"][0]


def test_a_refused_task_report_keeps_the_note_and_says_why_beside_the_file(
        api, web, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from firstline.operations.models import Task

    settings.MEDIA_ROOT = tmp_path / "media"
    task_id = _task_for_c1(api)
    r = web("staff_c1", "en").post("/operations/tasks/", {
        "action": "done", "task": task_id, "note": "已排查 12 户",
        "file": SimpleUploadedFile("r.pdf", b"<html><script>alert(1)</script></html>")})
    html = r.content.decode()
    assert r.status_code == 422
    assert 'value="已排查 12 户"' in html
    assert _beside(html, "File (optional)", "only PDF or images")
    assert Task.objects.get(pk=task_id).done_at is None


def test_a_refused_working_group_keeps_its_name_and_members_with_the_error_beside_the_name(
        web, cast):
    from firstline.operations.models import WorkingGroup

    hq = web("hq", "en")
    assert hq.post("/operations/tasks/", {"action": "group", "area": "99000101",
                                          "name": "宣传组"}).status_code == 302
    r = hq.post("/operations/tasks/", {"action": "group", "area": "99000101",
                                       "name": "宣传组", "members": [cast.hq.pk]})
    html = r.content.decode()
    assert r.status_code == 422
    assert 'value="宣传组"' in html
    assert re.search(rf'value="{cast.hq.pk}"[^>]*checked', html)
    assert _beside(html, "Name", "already has a working group of that name")
    assert WorkingGroup.objects.count() == 1


def test_the_public_sign_up_says_every_error_beside_its_field_at_once(cast, areas, client):
    token = services.signup_link_get(actor=cast.staff_c1, area=areas.c1).token
    client.cookies["django_language"] = "en"
    r = client.post(f"/operations/signup/{token}/", {
        "name": " ", "phone": "123", "kind": "volunteer", "skills": "会开车"})
    html = r.content.decode()
    assert r.status_code == 422
    assert _beside(html, "Name", "Name is required.")
    assert _beside(html, "Mobile phone", "Mobile phone: use a mainland mobile number")
    assert 'value="123"' in html and 'value="会开车"' in html
    assert not Volunteer.objects.exists()


def test_the_sign_up_api_still_answers_the_first_error(client, cast, areas):
    token = services.signup_link_get(actor=cast.staff_c1, area=areas.c1).token
    r = client.post("/api/v1/public/volunteer-signups",
                    {"token": token, "name": "", "phone": "123"},
                    content_type="application/json")
    assert (r.status_code, r.json()["error"]) == (422, "required")
    assert r.json()["detail"].startswith("name")
