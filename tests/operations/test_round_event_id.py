"""一次消杀 sent again with its event_id (a phone retrying, a form sent twice) is one round."""

import re
import uuid

import pytest

from firstline.accounts.models import AuditEntry
from firstline.operations import services
from firstline.operations.models import Place, Round
from tests.conftest import race

EVENT = "2a6f1c8e-9d3b-4e7a-b5c2-8f0e1d2c3b4a"


def _post(api, place, **extra):
    return api("staff_c1").post("/api/v1/disinfection/rounds",
                                {"place_id": place.pk, "agent": "84消毒液", "event_id": EVENT,
                                 **extra})


def test_a_round_sent_again_answers_the_first_and_writes_nothing(api, homes):
    place = Place.objects.filter(area__code="C1").first()
    first = _post(api, place)
    audits = AuditEntry.objects.count()
    again = _post(api, place)
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json()
    assert Round.objects.count() == 1 and AuditEntry.objects.count() == audits


def test_an_event_id_used_for_another_round_is_409(api, homes):
    place = Place.objects.filter(area__code="C1").first()
    assert _post(api, place).status_code == 201
    r = _post(api, place, agent="酒精")
    assert r.status_code == 409 and r.json()["error"] == "event_id_reused"
    assert Round.objects.count() == 1


def test_a_bad_event_id_is_422_naming_it(api, homes):
    place = Place.objects.filter(area__code="C1").first()
    r = _post(api, place, event_id="not-a-uuid")
    assert r.status_code == 422 and "event_id" in r.content.decode()
    assert not Round.objects.exists()


def test_the_board_form_sent_twice_is_one_round_and_a_normal_answer(web, homes):
    place = Place.objects.filter(area__code="C1").first()
    client = web("staff_c1")
    page = client.get("/operations/disinfection/?area=C1").content.decode()
    events = re.findall(r'<input type="hidden" name="event_id" value="([0-9a-f-]{36})"', page)
    assert len(events) == len(set(events)) >= 1
    form = {"place": place.pk, "agent": "84消毒液", "event_id": events[0]}
    first = client.post("/operations/disinfection/?area=C1", form)
    again = client.post("/operations/disinfection/?area=C1", form)
    assert (first.status_code, again.status_code) == (302, 302)
    assert Round.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_round_sent_by_five_threads_at_once_is_one_round(file_database, cast, homes):
    place = Place.objects.filter(area__code="C1").first()
    event = uuid.UUID(EVENT)

    def work(i):
        from firstline.accounts.models import User

        return services.round_record(actor=User.objects.get(username="staff_c1"), place=place,
                                     agent="84消毒液", event_id=event)

    results = race(5, work)
    assert all(isinstance(r, Round) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * 4
    assert Round.objects.count() == 1
