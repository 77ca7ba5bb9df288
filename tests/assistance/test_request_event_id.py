"""A service request sent again with its event_id (a phone retrying) is one request."""

import uuid

import pytest

from firstline.accounts.models import AuditEntry
from firstline.assistance.models import ServiceRequest
from firstline.assistance.services import service_request_create
from tests.conftest import event_id_in, race

EVENT = "7d1b9e0c-2f4a-4c8e-9b1d-3a5e6f708192"


def _body(world, **extra):
    return {"household_id": world.h1.pk, "kind": "bills", "detail": "燃气费", "event_id": EVENT,
            **extra}


def test_a_request_sent_again_answers_the_first_and_writes_nothing(api, world):
    first = api("grid_a").post("/api/v1/service-requests", _body(world))
    audits = AuditEntry.objects.count()
    again = api("grid_a").post("/api/v1/service-requests", _body(world))
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json()["id"] == first.json()["id"]
    assert ServiceRequest.objects.count() == 1 and AuditEntry.objects.count() == audits


def test_an_event_id_used_for_another_request_is_409(api, world):
    assert api("grid_a").post("/api/v1/service-requests", _body(world)).status_code == 201
    r = api("grid_a").post("/api/v1/service-requests", _body(world, detail="买药"))
    assert r.status_code == 409 and r.json()["error"] == "event_id_reused"
    r = api("staff_c1").post("/api/v1/service-requests", _body(world))  # another sender
    assert r.status_code == 409
    assert ServiceRequest.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_request_sent_by_five_threads_at_once_is_one_row(file_database, world):
    event = uuid.UUID(EVENT)

    def work(i):
        from firstline.accounts.models import User

        return service_request_create(household=world.h1, kind="bills", detail="燃气费",
                                      source="worker", event_id=event,
                                      actor=User.objects.get(username="grid_a"))

    results = race(5, work)
    assert all(isinstance(r, ServiceRequest) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert sorted(r.replayed for r in results) == [False] + [True] * 4
    assert ServiceRequest.objects.count() == 1


def test_the_request_form_sent_twice_is_one_request_and_a_normal_answer(web, world):
    client = web("grid_a")
    event = event_id_in(client.get("/assistance/requests/new/").content.decode())
    form = {"household": world.h1.pk, "kind": "medicine", "detail": "降压药", "source": "phone",
            "event_id": event}
    first = client.post("/assistance/requests/new/", form)
    again = client.post("/assistance/requests/new/", form)
    assert (first.status_code, again.status_code) == (302, 302)
    assert again["Location"] == first["Location"]
    assert ServiceRequest.objects.count() == 1


def test_a_refused_request_form_keeps_its_event_id(web, world):
    client = web("grid_a")
    r = client.post("/assistance/requests/new/", {"household": world.h1.pk, "kind": "medicine",
                                                  "detail": "", "event_id": EVENT})
    assert r.status_code == 422 and event_id_in(r.content.decode()) == EVENT


def test_the_self_report_help_form_sent_twice_is_one_request_and_a_normal_page(cast, world):
    from django.test import Client

    from firstline.isolation.services import isolation_reissue_link

    token = isolation_reissue_link(isolation=world.i1, actor=cast.grid_a)
    client = Client()
    event = event_id_in(client.get(f"/isolation/r/{token}/").content.decode(), form="/help/")
    form = {"kind": "groceries", "detail": "大米5斤", "event_id": event}
    first = client.post(f"/assistance/r/{token}/help/", form)
    again = client.post(f"/assistance/r/{token}/help/", form)
    assert (first.status_code, again.status_code) == (302, 302)
    assert again["Location"] == first["Location"] == f"/isolation/r/{token}/?sent=help"
    assert ServiceRequest.objects.count() == 1


def test_the_help_form_sent_again_does_not_use_up_the_links_hourly_reports(
        within_one_clock_hour, cast, world):
    """A replay writes nothing: it is not a report for the link's flood guard (12 an hour)."""
    from django.test import Client

    from firstline.isolation.services import SELF_REPORTS_PER_HOUR, isolation_reissue_link

    token = isolation_reissue_link(isolation=world.i1, actor=cast.grid_a)
    client = Client()
    event = event_id_in(client.get(f"/isolation/r/{token}/").content.decode(), form="/help/")
    form = {"kind": "groceries", "detail": "大米5斤", "event_id": event}
    answers = [client.post(f"/assistance/r/{token}/help/", form).status_code
               for _ in range(SELF_REPORTS_PER_HOUR + 1)]
    assert answers == [302] * (SELF_REPORTS_PER_HOUR + 1)
    reading = client.post(f"/isolation/r/{token}/", {"action": "reading", "temperature": "36.5"})
    assert reading.status_code == 302
    assert ServiceRequest.objects.count() == 1


def test_a_new_help_request_past_the_links_hourly_reports_is_refused_on_its_form(
        within_one_clock_hour, cast, world):
    from django.test import Client

    from firstline.isolation.services import SELF_REPORTS_PER_HOUR, isolation_reissue_link

    token = isolation_reissue_link(isolation=world.i1, actor=cast.grid_a)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(SELF_REPORTS_PER_HOUR):
        client.post(f"/isolation/r/{token}/", {"action": "reading", "temperature": "36.5"})
    r = client.post(f"/assistance/r/{token}/help/", {"kind": "groceries", "detail": "大米5斤"})
    assert r.status_code == 429
    assert "Too many reports from this link in the last hour." in r.content.decode()
    assert "大米5斤</textarea>" in r.content.decode()
    assert not ServiceRequest.objects.exists()
