"""On a phone in zh-hans: from the returnee's alert card to a started isolation in one form
already filled from the door, and the alert no longer waiting on the home page; the
self-report page on a desktop screen."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from firstline.isolation import services
from firstline.people.services import risk_area_add, screening_visit_record
from tests.conftest import DESKTOP, PHONE, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_start_isolation_from_the_returnee_card_filled_from_the_door(cast, roster, live_server,
                                                                     new_page):
    back = timezone.localdate() - timedelta(days=4)
    risk_area_add(actor=cast.hq, province="湖北", city="武汉", since=date(2020, 1, 20))
    screening_visit_record(actor=cast.grid_a, household=roster.h1, people=[{
        "resident": roster.a1, "present": True, "from_province": "湖北", "from_city": "武汉",
        "returned_on": back, "transport": "train", "transport_no": "G1722",
        "temperature": "36.5"}])
    page = new_page(viewport=PHONE, locale="zh-CN")
    browser_login(page, live_server, "staff_c1")
    page.goto(f"{live_server.url}/isolation/alerts/")
    card = page.locator("li.alert.k-risk_return")
    card.get_by_role("link", name="登记隔离").click()
    page.wait_for_load_state()
    assert page.locator("input[name=starts_on]").input_value() == back.isoformat()
    assert page.locator("input[name=reason_note]").input_value() == \
        f"自湖北武汉返回，{back.isoformat()}，火车 G1722"
    assert page.locator("select[name=reason]").input_value() == "risk_area"
    page.get_by_role("button", name="开始隔离").click()
    page.wait_for_load_state()
    assert "/isolation/r/" in page.locator(".link-box").inner_text()
    page.goto(f"{live_server.url}/")
    page.locator("text=待处理预警").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator("li.alert.k-risk_return").count() == 0


def test_the_self_report_page_shows_on_a_desktop_screen(cast, roster, live_server, new_page):
    # isolation.css hid every ".narrow" above 600 px: the page's <main class="page narrow">.
    iso = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    page = new_page(viewport=DESKTOP, locale="zh-CN")
    page.goto(f"{live_server.url}/isolation/r/{iso.report_token}/")
    assert page.locator("main").is_visible()
    assert page.get_by_role("button", name="上报体温").is_visible()
