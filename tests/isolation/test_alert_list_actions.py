"""The alerts list after an action through htmx: an alert that leaves the list it was shown in
(resolved from 待处理, acknowledged from 未接手) leaves it in the same answer, and the list's
count follows; a fever card says the reading's time once."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from firstline.isolation import services
from firstline.isolation.models import Alert
from tests.conftest import PASSWORD

from .conftest import local, start


@pytest.fixture
def two_alerts(cast, roster):
    """Two fever alerts of the grid worker's grid, the later one first in the list."""
    found = []
    for resident in (roster.a1, roster.b1):
        iso = services.isolation_start(resident=resident, kind="home", reason="risk_area",
                                       starts_on=timezone.localdate(), actor=cast.staff_c1)
        services.reading_record(isolation=iso, temperature=38.6, taken_at=None,
                                actor=cast.grid_a)
        found.append(Alert.objects.get(isolation=iso))
    return found


def login(username):
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    c.cookies["django_language"] = "zh-hans"
    return c


def resolve(c, alert, listed):
    return c.post(f"/isolation/alerts/{alert.pk}/resolve/",
                  {"outcome": "复测 36.8", "list": listed}, HTTP_HX_REQUEST="true")


def count_element(html):
    return re.search(r'<[^>]*id="alert-count"[^>]*>.*?</(p|span)>', html, re.S).group(0)


def test_the_list_carries_which_list_each_card_is_in(two_alerts):
    html = login("grid_a").get("/isolation/alerts/?status=open").content.decode()
    assert html.count('name="list" value="open"') == 4  # ack and resolve, two cards
    panel = login("grid_a").get("/isolation/alerts/panel/", HTTP_HX_REQUEST="true")
    assert 'name="list" value="panel"' in panel.content.decode()


def test_resolving_in_the_to_handle_list_takes_the_card_out_and_counts_again(two_alerts):
    c = login("grid_a")
    assert "2 条预警" in c.get("/isolation/alerts/").content.decode()
    r = resolve(c, two_alerts[0], "unresolved")
    html = r.content.decode()
    assert r.status_code == 200
    assert 'class="alert-gone"' in html and f'id="alert-{two_alerts[0].pk}"' in html
    assert "处理完毕" not in html and 'name="outcome"' not in html  # no card left to act on
    count = count_element(html)
    assert 'hx-swap-oob="true"' in count and "1 条预警" in count
    assert Alert.objects.get(pk=two_alerts[0].pk).status == "resolved"


def test_resolving_on_the_home_panel_updates_its_badge(two_alerts):
    html = resolve(login("grid_a"), two_alerts[0], "panel").content.decode()
    count = count_element(html)
    assert 'hx-swap-oob="true"' in count and ">1</span>" in count and "badge bad" in count
    html = resolve(login("grid_a"), two_alerts[1], "panel").content.decode()
    assert ">0</span>" in count_element(html) and "badge ok" in count_element(html)


def test_acknowledging_in_the_open_list_takes_the_card_out(two_alerts):
    r = login("grid_a").post(f"/isolation/alerts/{two_alerts[0].pk}/ack/", {"list": "open"},
                             HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert 'class="alert-gone"' in html and "已接手" in html
    assert "1 条预警" in count_element(html)


def test_acknowledging_in_the_to_handle_list_keeps_the_card(two_alerts):
    # Acknowledged is still to handle: the card stays, with its resolve box, and no count.
    r = login("grid_a").post(f"/isolation/alerts/{two_alerts[0].pk}/ack/",
                             {"list": "unresolved"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert "s-acknowledged" in html and 'name="outcome"' in html
    assert 'name="list" value="unresolved"' in html and "alert-count" not in html


def test_a_refused_resolution_keeps_the_card_with_its_message(two_alerts):
    r = login("grid_a").post(f"/isolation/alerts/{two_alerts[0].pk}/resolve/",
                             {"outcome": "  ", "list": "unresolved"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 422 and 'role="alert"' in html and "alert-gone" not in html


def test_a_fever_card_says_the_reading_time_once(cast, roster):
    iso = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    services.reading_record(isolation=iso, temperature=37.6, taken_at=None, actor=cast.grid_a)
    alert = Alert.objects.get()
    html = login("grid_a").get("/isolation/alerts/").content.decode()
    card = html.split(f'id="alert-{alert.pk}"', 1)[1].split("</li>", 1)[0]
    when = timezone.localtime(alert.opened_at).strftime("%m-%d %H:%M")
    assert card.count(when) == 1 and "37.6\u00a0°C" in card


def test_a_reading_taken_earlier_than_its_alert_keeps_its_own_time(cast, roster):
    # Sent later from a phone that was offline: the reading's time is news, not a repeat.
    iso = start(cast, roster.a1)
    services.reading_record(isolation=iso, temperature=37.9, taken_at=local(2026, 3, 1, 8, 30),
                            actor=cast.grid_a, now=local(2026, 3, 1, 10, 0))
    alert = Alert.objects.get()
    assert alert.display_detail_beside_time == "37.9 °C · 03-01 08:30"
    services.reading_record(isolation=iso, temperature=37.2, taken_at=local(2026, 3, 1, 11, 0),
                            actor=cast.grid_a, now=local(2026, 3, 1, 11, 0))
    services.reading_record(isolation=iso, temperature=38.1, taken_at=local(2026, 3, 1, 12, 0),
                            actor=cast.grid_a, now=local(2026, 3, 1, 12, 0))
    assert alert.__class__.objects.get().display_detail_beside_time == "38.1 °C · 03-01 12:00"


def test_the_isolation_page_says_a_fever_reading_time_once(cast, roster):
    iso = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    services.reading_record(isolation=iso, temperature=37.6, taken_at=None, actor=cast.grid_a)
    alert = Alert.objects.get()
    html = login("grid_a").get(f"/isolation/{iso.pk}/").content.decode()
    alerts = html.split('class="alert-list"', 1)[1].split("</ul>", 1)[0]
    when = timezone.localtime(alert.opened_at).strftime("%m-%d %H:%M")
    assert alerts.count(when) == 1 and "37.6\u00a0°C" in alerts


@pytest.mark.parametrize(("lang", "words"), [("en", 'placeholder="e.g. re-measured 36.8"'),
                                             ("zh-hant", 'placeholder="結果，如：複測 36.8"')])
def test_the_outcome_placeholder_is_short_enough_for_a_phone(cast, roster, web, lang, words):
    iso = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    services.reading_record(isolation=iso, temperature=37.6, taken_at=None, actor=cast.grid_a)
    assert words in web("grid_a", lang).get("/isolation/alerts/").content.decode()
