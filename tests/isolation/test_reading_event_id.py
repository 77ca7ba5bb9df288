"""A reading sent again with its event_id (a phone at a door retrying) is one reading, one
alert."""

import uuid

import pytest
from django.utils import timezone

from firstline.accounts.models import AuditEntry
from firstline.isolation import services
from firstline.isolation.models import Alert, Reading
from tests.conftest import race

EVENT = "5f2e8a41-3c6d-4b9e-8a7f-0d1c2b3a4e5f"


@pytest.fixture
def iso(cast, roster):
    return services.isolation_start(resident=roster.a1, kind="home", reason="close_contact",
                                    starts_on=timezone.localdate(), actor=cast.staff_c1)


def _post(api, iso, **extra):
    return api("grid_a").post(f"/api/v1/isolations/{iso.pk}/readings",
                              {"temperature": 38.1, "symptoms": ["cough"], "event_id": EVENT,
                               **extra})


def test_a_reading_sent_again_answers_the_first_and_writes_nothing(api, iso):
    first = _post(api, iso)
    audits = AuditEntry.objects.count()
    again = _post(api, iso)
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json() == first.json()
    assert Reading.objects.count() == 1 and Alert.objects.filter(kind="fever").count() == 1
    assert AuditEntry.objects.count() == audits


def test_an_event_id_used_for_another_reading_is_409(api, iso):
    assert _post(api, iso).status_code == 201
    r = _post(api, iso, temperature=36.5)
    assert r.status_code == 409 and r.json()["error"] == "event_id_reused"
    assert Reading.objects.count() == 1


def test_a_bad_event_id_is_422_naming_it(api, iso):
    r = _post(api, iso, event_id="not-a-uuid")
    assert r.status_code == 422 and "event_id" in r.content.decode()
    assert not Reading.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_reading_sent_by_five_threads_at_once_is_one_reading(file_database, cast,
                                                                       roster):
    iso = services.isolation_start(resident=roster.a1, kind="home", reason="close_contact",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    event = uuid.UUID(EVENT)

    def work(i):
        from firstline.accounts.models import User

        return services.reading_record(isolation=iso, temperature=38.1, taken_at=None,
                                       actor=User.objects.get(username="grid_a"),
                                       event_id=event)

    results = race(5, work)
    assert all(isinstance(r, Reading) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * 4
    assert Reading.objects.count() == 1 and Alert.objects.filter(kind="fever").count() == 1
