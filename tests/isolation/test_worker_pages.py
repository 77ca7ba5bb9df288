"""What the workers' isolation pages say: a fever entered for a resident is a warning with
the way to its alert, not "recorded"; the list's cards say the address once."""

import re

import pytest
from django.utils import timezone

from firstline.isolation import services
from firstline.isolation.models import Alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(cast, roster):
    return services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                    starts_on=timezone.localdate(), actor=cast.staff_c1)


def _messages(html):
    return re.findall(r'<li class="msg ([^"]*)">(.*?)</li>', html, re.S)


def test_a_fever_entered_for_the_resident_warns_and_links_to_its_alert(web, live):
    c = web("grid_a")
    r = c.post(f"/isolation/{live.pk}/", {"action": "reading", "temperature": "37.6",
                                          "symptoms": ["cough"]}, follow=True)
    alert = Alert.objects.get(kind="fever")
    (tags, text), = _messages(r.content.decode())
    assert "error" in tags
    assert "37.6\u00a0°C 属于发热：已为该居民发出发热预警。请复测" in text
    assert f'href="/isolation/alerts/#alert-{alert.pk}"' in text
    assert "体温已登记" not in text


def test_a_normal_reading_is_simply_recorded(web, live):
    r = web("grid_a").post(f"/isolation/{live.pk}/", {"action": "reading",
                                                      "temperature": "36.6"}, follow=True)
    (tags, text), = _messages(r.content.decode())
    assert "success" in tags and text == "体温已登记。"


def test_symptoms_without_fever_say_an_alert_was_raised(web, live):
    r = web("grid_a", "en").post(f"/isolation/{live.pk}/", {
        "action": "reading", "temperature": "36.6", "symptoms": ["cough"]}, follow=True)
    (tags, text), = _messages(r.content.decode())
    alert = Alert.objects.get(kind="symptoms")
    assert "Symptoms recorded: an alert was raised" in text
    assert f"#alert-{alert.pk}" in text


def test_the_list_says_each_address_once(web, live):
    html = web("grid_a").get("/isolation/").content.decode()
    assert html.count(live.household.address) == 1
