"""The resident's temperature form on the self-report link carries an event_id (OnceForm): the
browser sending it again (back and submit, "confirm form resubmission", a slow network) is
one reading, answered with the first one's confirmation, and not counted by the link's flood
guard (12 reports an hour)."""

import pytest
from django.test import Client
from django.utils import timezone

from firstline.errors import RuleViolation
from firstline.isolation import services
from firstline.isolation.models import Alert, Reading
from tests.conftest import event_id_in

pytestmark = pytest.mark.django_db

EVENT = "0b6f3c2e-9d41-4e7a-8c55-2a1f0e9d8c7b"
READING_FORM = 'value="reading"'  # the temperature form's markup (the page has two forms)



@pytest.fixture
def live(cast, roster):
    iso = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    return iso, f"/isolation/r/{iso.report_token}/"


def _form(page, **extra):
    return {"action": "reading", "temperature": "36.5",
            "event_id": event_id_in(page.content.decode(), form=READING_FORM), **extra}


def test_the_page_draws_the_temperature_form_with_an_event_id(live):
    _, url = live
    assert event_id_in(Client().get(url).content.decode(), form=READING_FORM)


def test_the_temperature_form_sent_twice_is_one_reading_and_the_same_confirmation(live):
    _, url = live
    client = Client()
    form = _form(client.get(url))
    first = client.post(url, form)
    again = client.post(url, form)
    assert (first.status_code, again.status_code) == (302, 302)
    assert again["Location"] == first["Location"] == f"{url}?sent=reading"
    assert Reading.objects.count() == 1


def test_a_fever_sent_twice_is_one_reading_with_its_one_alert(live):
    _, url = live
    client = Client()
    form = _form(client.get(url), temperature="38.4")
    client.post(url, form)
    again = client.post(url, form)
    assert again["Location"] == f"{url}?sent=fever"
    reading = Reading.objects.get()
    assert list(Alert.objects.values_list("kind", "source")) == [("fever",
                                                                  f"reading:{reading.pk}")]


def test_thirteen_resends_of_one_form_are_not_throttled(within_one_clock_hour, live):
    _, url = live
    client = Client()
    form = _form(client.get(url))
    answers = [client.post(url, form).status_code
               for _ in range(services.SELF_REPORTS_PER_HOUR + 1)]
    assert answers == [302] * (services.SELF_REPORTS_PER_HOUR + 1)
    assert Reading.objects.count() == 1


def test_resends_leave_the_links_hourly_reports_for_new_readings(within_one_clock_hour, live):
    _, url = live
    client = Client()
    form = _form(client.get(url))
    for _ in range(services.SELF_REPORTS_PER_HOUR):
        client.post(url, form)
    fresh = _form(client.get(url), temperature="36.7")
    assert client.post(url, fresh).status_code == 302
    assert Reading.objects.count() == 2


def test_a_refused_temperature_form_keeps_its_event_id(live):
    _, url = live
    r = Client().post(url, {"action": "reading", "temperature": "365", "event_id": EVENT})
    assert r.status_code == 422
    assert event_id_in(r.content.decode(), form=READING_FORM) == EVENT


def test_a_throttled_new_reading_is_said_on_its_form_keeping_its_event_id(
        within_one_clock_hour, live):
    _, url = live
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(services.SELF_REPORTS_PER_HOUR):
        client.post(url, _form(client.get(url)))
    r = client.post(url, {"action": "reading", "temperature": "36.6", "event_id": EVENT})
    assert r.status_code == 429
    page = r.content.decode()
    assert "Too many reports from this link in the last hour." in page
    assert event_id_in(page, form=READING_FORM) == EVENT
    assert Reading.objects.count() == services.SELF_REPORTS_PER_HOUR


def test_the_same_event_id_with_another_temperature_is_said_and_gets_a_new_one(live):
    _, url = live
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post(url, {"action": "reading", "temperature": "36.5", "event_id": EVENT})
    r = client.post(url, {"action": "reading", "temperature": "37.0", "event_id": EVENT})
    assert r.status_code == 409
    page = r.content.decode()
    assert "This form was already sent once with other content" in page
    renewed = event_id_in(page, form=READING_FORM)
    assert renewed != EVENT
    assert client.post(url, {"action": "reading", "temperature": "37.0",
                             "event_id": renewed}).status_code == 302
    assert sorted(str(t) for t in Reading.objects.values_list("temperature", flat=True)) \
        == ["36.5", "37.0"]


def test_the_flood_guard_is_asked_only_for_a_reading_to_be_written(live):
    iso, _ = live
    asked = []

    def guard():
        asked.append(1)
        return len(asked) == 1  # the first new reading is allowed, any other refused

    first = services.reading_record(isolation=iso, temperature="36.5", taken_at=None,
                                    source="self", event_id=EVENT, flood_guard=guard)
    again = services.reading_record(isolation=iso, temperature="36.5", taken_at=None,
                                    source="self", event_id=EVENT, flood_guard=guard)
    assert (again.pk, again.replayed, len(asked)) == (first.pk, True, 1)
    with pytest.raises(RuleViolation) as refused:
        services.reading_record(isolation=iso, temperature="36.5", taken_at=None,
                                source="self", flood_guard=guard)
    assert (refused.value.code, refused.value.status) == ("throttled", 429)
    assert Reading.objects.count() == 1
