"""The dashboard in a real browser, on a phone and on a desktop / big screen.

Set FIRSTLINE_SCREENS=/some/dir to save screenshots (phone and desktop, zh-hans and en)."""

import os

import pytest

from tests.conftest import DESKTOP, PHONE, browser_login

from .conftest import D

SCREENS = os.environ.get("FIRSTLINE_SCREENS", "")
BIG = {"width": 1920, "height": 1080}


def shot(page, name):
    if SCREENS:
        os.makedirs(SCREENS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENS, f"{name}.png"), full_page=True)


def set_language(page, live_server, lang):
    page.goto(f"{live_server.url}/")
    button = page.locator(f"button[name=language][value={lang}]")
    if button.count():
        with page.expect_navigation():
            button.first.click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
def test_dashboard_on_a_phone_fits_the_screen(new_page, live_server, facts, lang):
    page = new_page(viewport=PHONE)
    browser_login(page, live_server, "hq")
    set_language(page, live_server, lang)
    page.goto(f"{live_server.url}/reports/?area=99000101&date={D.isoformat()}")
    assert page.locator("#fig-residents .value").inner_text() == "8"
    assert page.locator("svg.trend").count() >= 13
    # Nothing but the sub-area table (in its own scroller) may be wider than the phone.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shot(page, f"dashboard-phone-{lang}")
    page.click("table.subareas a:text('一社区')")
    page.wait_for_url("**area=C1**")
    assert page.locator("#fig-residents .value").inner_text() == "5"
    shot(page, f"dashboard-community-phone-{lang}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_desktop_sort_and_big_screen(new_page, live_server, facts):
    page = new_page(viewport=DESKTOP)
    browser_login(page, live_server, "hq")
    page.goto(f"{live_server.url}/reports/?area=99000101&date={D.isoformat()}")
    shot(page, "dashboard-desktop-zh-hans")
    page.click("table.subareas thead a >> nth=0")  # sort by residents, descending
    page.wait_for_url("**sort=residents**")
    first = page.locator("table.subareas tbody tr >> nth=0 >> th").inner_text()
    assert first == "一社区"
    page.set_viewport_size(BIG)
    page.goto(f"{live_server.url}/reports/?area=99000101&date={D.isoformat()}&view=big")
    assert "bigscreen" in page.locator("body").get_attribute("class")
    shot(page, "dashboard-bigscreen")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/")
    page.wait_for_selector(".report-panel")
    shot(page, "home-panel-desktop")
    page.goto(f"{live_server.url}/reports/exports/")
    assert page.locator("form[action$='isolations.xlsx']").count() == 1
    shot(page, "exports-desktop")
