"""A test result sent again with its event_id (a phone retrying) is one test, one case."""

import uuid

import pytest

from firstline import clock
from firstline.accounts.models import AuditEntry
from firstline.lists import services
from firstline.lists.models import Case
from firstline.lists.models import TestResult as Result
from tests.conftest import event_id_in, race

EVENT = "3e9a6c1d-8b2f-4d7e-a1c5-9f0b2d4e6a81"


def _body(roster, **extra):
    return {"resident_id": roster.fang.pk, "sampled_on": clock.today().isoformat(),
            "result": "positive", "case": "confirmed", "event_id": EVENT, **extra}


def test_a_result_sent_again_answers_the_first_answer_and_writes_nothing(api, roster):
    first = api("staff_c1").post("/api/v1/test-results", _body(roster))
    audits = AuditEntry.objects.count()
    again = api("staff_c1").post("/api/v1/test-results", _body(roster))
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json() and first.json()["case_created"] is True
    assert Result.objects.count() == 1 and Case.objects.count() == 1
    assert AuditEntry.objects.count() == audits


def test_an_event_id_used_for_another_result_is_409(api, roster):
    assert api("staff_c1").post("/api/v1/test-results", _body(roster)).status_code == 201
    r = api("staff_c1").post("/api/v1/test-results", _body(roster, resident_id=roster.wang.pk))
    assert r.status_code == 409 and r.json()["error"] == "event_id_reused"
    assert Result.objects.count() == 1


def test_test_of_a_bad_event_id_is_422_naming_it(api, roster):
    r = api("staff_c1").post("/api/v1/test-results", _body(roster, event_id=12))
    assert r.status_code == 422 and "event_id" in r.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_same_result_sent_by_five_threads_at_once_is_one_test(file_database, roster):
    event = uuid.UUID(EVENT)

    def work(i):
        from firstline.accounts.models import User

        return services.test_result_record(
            resident=roster.fang, sampled_on=clock.today(), result="positive",
            case_status="confirmed", event_id=event, actor=User.objects.get(username="staff_c1"))

    results = race(5, work)
    assert all(isinstance(r, Result) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * 4
    assert Result.objects.count() == 1 and Case.objects.count() == 1


def test_the_test_result_form_sent_twice_is_one_test_and_a_normal_answer(web, roster):
    client = web("staff_c1")
    event = event_id_in(client.get("/lists/cases/").content.decode())
    form = {"id_number": roster.fang.id_number, "sampled_on": clock.today().isoformat(),
            "result": "positive", "case": "confirmed", "event_id": event}
    first = client.post("/lists/cases/test/", form, follow=True)
    again = client.post("/lists/cases/test/", form, follow=True)
    assert (first.status_code, again.status_code) == (200, 200)
    said = [[str(m) for m in r.context["messages"]] for r in (first, again)]
    assert said[0] == said[1] and len(said[0]) == 1
    assert Result.objects.count() == 1 and Case.objects.count() == 1
