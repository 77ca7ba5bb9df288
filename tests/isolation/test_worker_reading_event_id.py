"""The worker's reading form on the isolation's page carries an event_id (OnceForm): the
browser sending it again (back and submit, "confirm form resubmission", a slow network) is
one reading, with at most its one alert, and lands on the same page."""

import pytest
from django.test import Client
from django.utils import timezone

from firstline.isolation import services
from firstline.isolation.models import Alert, Reading
from tests.conftest import PASSWORD, event_id_in

pytestmark = pytest.mark.django_db

EVENT = "7c1d9e52-4a3b-4f6e-9b20-5e8d7c6a1f03"
READING_FORM = 'value="reading"'  # the reading form's markup (the page has several forms)


@pytest.fixture
def url(cast, roster):
    iso = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    return f"/isolation/{iso.pk}/"


@pytest.fixture
def worker(cast):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username="grid_a", password=PASSWORD)
    return client


def _form(page, **extra):
    return {"action": "reading", "temperature": "36.5",
            "event_id": event_id_in(page.content.decode(), form=READING_FORM), **extra}


def test_the_detail_page_draws_the_reading_form_with_an_event_id(worker, url):
    assert event_id_in(worker.get(url).content.decode(), form=READING_FORM)


def test_the_reading_form_sent_twice_is_one_reading_and_the_same_page(worker, url):
    form = _form(worker.get(url))
    first = worker.post(url, form)
    again = worker.post(url, form, follow=True)
    assert again.redirect_chain == [(first["Location"], 302)]
    assert again.status_code == 200
    assert Reading.objects.count() == 1


def test_a_fever_sent_twice_is_one_reading_with_its_one_alert(worker, url):
    form = _form(worker.get(url), temperature="38.4")
    worker.post(url, form)
    worker.post(url, form)
    reading = Reading.objects.get()
    assert list(Alert.objects.values_list("kind", "source")) == [("fever",
                                                                  f"reading:{reading.pk}")]


def test_a_refused_reading_form_keeps_its_event_id(worker, url):
    r = worker.post(url, {"action": "reading", "temperature": "365", "event_id": EVENT})
    assert r.status_code == 422
    assert event_id_in(r.content.decode(), form=READING_FORM) == EVENT


def test_the_same_event_id_with_another_temperature_is_said_and_gets_a_new_one(worker, url):
    worker.post(url, {"action": "reading", "temperature": "36.5", "event_id": EVENT})
    r = worker.post(url, {"action": "reading", "temperature": "37.0", "event_id": EVENT})
    assert r.status_code == 409
    page = r.content.decode()
    assert "This form was already sent once with other content" in page
    renewed = event_id_in(page, form=READING_FORM)
    assert renewed != EVENT
    assert worker.post(url, {"action": "reading", "temperature": "37.0",
                             "event_id": renewed}).status_code == 302
    assert sorted(str(t) for t in Reading.objects.values_list("temperature", flat=True)) \
        == ["36.5", "37.0"]
