"""Cases and contacts: a case on a resident; its household and named contacts become a list
(source "case N") in one step; its building locked down; the case moved to centralized
isolation; a positive test prompts a case."""

from datetime import timedelta

import pytest

from firstline import clock
from firstline.isolation.models import Isolation, Lockdown
from firstline.lists.models import Case, Checklist, Verification

pytestmark = pytest.mark.time_sensitive  # today's date, deadlines, overdue


def _case(api, roster, **extra):
    body = {"resident_id": roster.wang.pk, "status": "confirmed",
            "on": clock.today().isoformat(), "source": "市疾控",
            "contacts": [{"name": "李强", "phone": "", "address": "阳光花园1栋1单元102室"},
                         {"name": "刘洋", "phone": "136 0000 3333"},
                         {"name": "外地人", "phone": "13122223333"}], **extra}
    r = api("staff_c1").post("/api/v1/cases", body)
    assert r.status_code == 201, r.content
    return r.json()["id"]


def test_a_case_is_recorded_on_a_resident(api, roster):
    case = Case.objects.get(pk=_case(api, roster))
    assert (case.resident, case.status, case.source) == (roster.wang, "confirmed", "市疾控")
    assert case.contacts.count() == 3


def test_case_contacts_list_becomes_items(api, roster, cast):
    case_id = _case(api, roster)
    r = api("staff_c1").post(f"/api/v1/cases/{case_id}/contacts-list", {})
    assert r.status_code == 201, r.content
    body = r.json()
    # household: 王芳 (by ID); contacts: 李强 (name+address), 刘洋 (name+phone), 外地人 (none)
    assert (body["rows"], body["matched_by_id"], body["matched_by_name_phone"],
            body["matched_by_name_address"], body["unmatched"]) == (4, 1, 1, 1, 1)
    checklist = Checklist.objects.get(pk=body["id"])
    assert checklist.source == f"case {case_id}"
    assert set(Verification.objects.values_list("resident__name", flat=True)) == \
        {"王芳", "李强", "刘洋"}
    again = api("staff_c1").post(f"/api/v1/cases/{case_id}/contacts-list", {})
    assert again.status_code == 200 and again.json()["id"] == body["id"]


def test_case_of_another_community_is_404(api, roster):
    case_id = _case(api, roster)
    assert api("staff_c2").post(f"/api/v1/cases/{case_id}/contacts-list", {}).status_code == 404
    assert api("staff_c2").post("/api/v1/cases", {
        "resident_id": roster.wang.pk, "status": "suspected",
        "on": clock.today().isoformat()}).status_code == 404
    assert api("grid_a").post("/api/v1/cases", {
        "resident_id": roster.wang.pk, "status": "suspected",
        "on": clock.today().isoformat()}).status_code == 403


def test_case_bad_status_and_future_date_are_422(api, roster):
    r = api("staff_c1").post("/api/v1/cases", {"resident_id": roster.wang.pk,
                                               "status": "sick", "on": "2020-01-01"})
    assert r.status_code == 422
    r = api("staff_c1").post("/api/v1/cases", {
        "resident_id": roster.wang.pk, "status": "confirmed",
        "on": (clock.today() + timedelta(days=2)).isoformat()})
    assert r.status_code == 422 and r.json()["error"] == "bad_date"


def test_a_future_case_date_on_the_page_says_today_and_what_to_give(web, roster):
    """"日期晚于今天。" left the officer guessing which day the server calls today (local,
    past midnight): the refusal names the day typed, today and what to give."""
    day = clock.today() + timedelta(days=2)
    r = web("staff_c1").post("/lists/cases/", {"id_number": roster.wang.id_number,
                                              "status": "suspected", "on": day.isoformat()})
    assert r.status_code == 422
    assert (f"日期 {day.isoformat()} 晚于今天（{clock.today().isoformat()}）："
            "请填写今天或更早的日期。") in r.content.decode()


def test_a_case_status_refusal_names_the_field_and_its_choices(cast, roster):
    """The shared choice_check: the field as the API names it, every choice, the code kept
    (a service caller such as a page; the API's schema refuses an unknown status first)."""
    from django.utils import translation

    from firstline.errors import InvalidInput
    from firstline.lists.services import case_record

    for lang, detail in [
            ("zh-hans", "status 必须是以下之一：suspected, confirmed, asymptomatic, ruled_out。"),
            ("en", "status must be one of: suspected, confirmed, asymptomatic, ruled_out.")]:
        with translation.override(lang), pytest.raises(InvalidInput) as exc:
            case_record(resident=roster.wang, status="sick", on=clock.today(),
                        actor=cast.staff_c1)
        assert (exc.value.code, exc.value.field, exc.value.detail) == ("bad_status", "status",
                                                                       detail)
    assert not Case.objects.exists()


def test_case_building_locked_down_in_one_step(api, roster):
    case_id = _case(api, roster)
    r = api("staff_c1").post(f"/api/v1/cases/{case_id}/lockdown", {"days": 14})
    assert r.status_code == 201, r.content
    lockdown = Lockdown.objects.get()
    assert lockdown.building == roster.h1.building
    # 王伟, 王芳 (1-1-101) and 李强 (1-1-102) live in building 1: all under home isolation
    assert Isolation.objects.filter(lockdown=lockdown).count() == 3


def test_case_moved_from_home_to_centralized(api, roster):
    case_id = _case(api, roster)
    api("staff_c1").post(f"/api/v1/cases/{case_id}/lockdown", {})
    r = api("staff_c1").post(f"/api/v1/cases/{case_id}/transfer", {})
    assert r.status_code == 201, r.content
    active = Isolation.objects.get(resident=roster.wang, status="active")
    assert active.kind == "centralized"
    again = api("staff_c1").post(f"/api/v1/cases/{case_id}/transfer", {})
    assert again.status_code == 409


def test_a_positive_test_prompts_a_case(api, roster):
    r = api("staff_c1").post("/api/v1/test-results", {
        "resident_id": roster.fang.pk, "sampled_on": clock.today().isoformat(),
        "result": "positive"})
    assert r.status_code == 201 and r.json()["prompt_case"] is True
    r = api("staff_c1").post("/api/v1/test-results", {
        "resident_id": roster.li.pk, "sampled_on": clock.today().isoformat(),
        "result": "negative"})
    assert r.json()["prompt_case"] is False
    assert api("staff_c2").post("/api/v1/test-results", {
        "resident_id": roster.li.pk, "sampled_on": clock.today().isoformat(),
        "result": "negative"}).status_code == 404
    bad = api("staff_c1").post("/api/v1/test-results", {
        "resident_id": roster.li.pk, "sampled_on": clock.today().isoformat(), "result": "?"})
    assert bad.status_code == 422


def _positive(api, resident, who="staff_c1", **extra):
    return api(who).post("/api/v1/test-results", {
        "resident_id": resident.pk, "sampled_on": (clock.today() - timedelta(days=1)).isoformat(),
        "result": "positive", **extra})


def test_a_positive_test_makes_the_case_in_one_step_once(api, roster):
    from firstline.accounts.models import AuditEntry
    from firstline.lists.models import TestResult

    r = _positive(api, roster.fang, case="asymptomatic")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["case_created"] is True and body["prompt_case"] is False
    case = Case.objects.get(resident=roster.fang)
    test = TestResult.objects.get(pk=body["id"])
    assert (case.status, case.on, case.source) == (
        "asymptomatic", clock.today() - timedelta(days=1), f"test {test.pk}")
    assert body["case_id"] == case.pk and test.case == case
    assert AuditEntry.objects.filter(action="case.record", object_id=str(case.pk)).exists()
    # a second positive joins the open case: no second case
    again = _positive(api, roster.fang, case="confirmed").json()
    assert again["case_created"] is False and again["case_id"] == case.pk
    assert Case.objects.filter(resident=roster.fang).count() == 1


def test_a_positive_test_confirms_a_suspected_case(api, roster):
    case_id = api("staff_c1").post("/api/v1/cases", {
        "resident_id": roster.li.pk, "status": "suspected",
        "on": clock.today().isoformat()}).json()["id"]
    body = _positive(api, roster.li, case="confirmed").json()
    assert body["case_id"] == case_id and body["case_created"] is False
    assert Case.objects.get(pk=case_id).status == "confirmed"
    assert Case.objects.filter(resident=roster.li).count() == 1


def test_a_case_from_a_test_refuses_bad_input_and_other_areas(api, roster):
    assert _positive(api, roster.fang, case="ruled_out").status_code == 422
    neg = api("staff_c1").post("/api/v1/test-results", {
        "resident_id": roster.fang.pk, "sampled_on": clock.today().isoformat(),
        "result": "negative", "case": "confirmed"})
    assert neg.status_code == 422
    assert _positive(api, roster.chen, case="confirmed").status_code == 404  # C2's resident
    assert Case.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_positives_at_once_make_one_case(file_database, roster, cast):
    from firstline.lists.services import test_result_record

    from ..conftest import race

    def work(i):
        return test_result_record(resident=roster.wang, sampled_on=clock.today(),
                                  result="positive", case_status="confirmed",
                                  actor=cast.staff_c1).case_created

    made = race(4, work)
    assert sorted(made, key=str) == [False, False, False, True], made
    assert Case.objects.filter(resident=roster.wang).count() == 1


def test_the_cases_page_records_a_positive_test_as_a_case(web, roster):
    client = web("staff_c1")
    r = client.post("/lists/cases/test/", {"id_number": roster.fang.id_number,
                                           "sampled_on": clock.today().isoformat(),
                                           "result": "positive", "case": "confirmed"})
    assert r.status_code == 302
    case = Case.objects.get(resident=roster.fang)
    assert case.status == "confirmed" and case.source.startswith("test ")
    page = client.get("/lists/cases/").content.decode()
    assert f'id="case-{case.pk}"' in page
    r = client.post("/lists/cases/test/", {"id_number": roster.fang.id_number,
                                           "sampled_on": "not-a-date", "result": "positive"})
    assert r.status_code == 422 and Case.objects.count() == 1  # the form again, as typed


# --- one open case per resident: a double tap records one case ------------------------------

def test_the_same_case_posted_twice_is_one_case(api, roster):
    first = _case(api, roster)
    body = {"resident_id": roster.wang.pk, "status": "confirmed",
            "on": clock.today().isoformat(), "source": "市疾控",
            "contacts": [{"name": "李强", "phone": "", "address": "阳光花园1栋1单元102室"},
                         {"name": "刘洋", "phone": "136 0000 3333"},
                         {"name": "外地人", "phone": "13122223333"}]}
    again = api("staff_c1").post("/api/v1/cases", body)
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first
    assert Case.objects.filter(resident=roster.wang).count() == 1
    assert Case.objects.get(pk=first).contacts.count() == 3


def test_a_later_status_is_the_open_cases_progress(api, roster):
    from firstline.accounts.models import AuditEntry

    r = api("staff_c1").post("/api/v1/cases", {"resident_id": roster.li.pk,
                                               "status": "suspected",
                                               "on": clock.today().isoformat()})
    assert r.status_code == 201
    later = api("staff_c1").post("/api/v1/cases", {
        "resident_id": roster.li.pk, "status": "confirmed", "on": clock.today().isoformat(),
        "contacts": [{"name": "新密接", "phone": "13122224444"}]})
    assert later.status_code == 200 and later.json()["id"] == r.json()["id"]
    case = Case.objects.get(resident=roster.li)
    assert case.status == "confirmed" and case.contacts.count() == 1
    assert AuditEntry.objects.filter(action="case.status", object_id=str(case.pk)).exists()


def test_a_late_retry_never_takes_a_case_back_to_suspected(api, roster):
    on = clock.today().isoformat()
    staff = api("staff_c1")
    first = staff.post("/api/v1/cases", {"resident_id": roster.li.pk, "status": "confirmed",
                                         "on": on}).json()["id"]
    r = staff.post("/api/v1/cases", {"resident_id": roster.li.pk, "status": "suspected",
                                     "on": on})
    assert r.status_code == 200 and r.json() == {**r.json(), "id": first, "status": "confirmed"}


def test_a_ruled_out_case_closes_and_a_later_one_is_new(api, roster):
    on = clock.today().isoformat()
    staff = api("staff_c1")
    first = staff.post("/api/v1/cases", {"resident_id": roster.li.pk, "status": "suspected",
                                         "on": on}).json()["id"]
    out = staff.post("/api/v1/cases", {"resident_id": roster.li.pk, "status": "ruled_out",
                                       "on": on})
    assert out.status_code == 200 and out.json()["status"] == "ruled_out"
    retry = staff.post("/api/v1/cases", {"resident_id": roster.li.pk, "status": "ruled_out",
                                         "on": on})
    assert retry.status_code == 200 and retry.json()["id"] == first  # the closing record again
    second = staff.post("/api/v1/cases", {"resident_id": roster.li.pk, "status": "suspected",
                                          "on": on})
    assert second.status_code == 201 and second.json()["id"] != first
    assert Case.objects.filter(resident=roster.li).count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_same_case_at_once_is_one_case(file_database, roster, cast):
    from firstline.lists.services import case_record

    from ..conftest import race

    def work(i):
        return case_record(resident=roster.wang, status="confirmed", on=clock.today(),
                           actor=cast.staff_c1).created

    made = race(4, work)
    assert sorted(made, key=str) == [False, False, False, True], made
    assert Case.objects.filter(resident=roster.wang).count() == 1
