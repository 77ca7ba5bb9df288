"""The visitor form on a phone (390×844): a car turned back (劝返) is logged in one go —
choosing "vehicle" shows the plate, "turn back" asks for its reason before the page is sent —
and a form refused by the server says what to correct at the top of the page. Screens under
/work/screens/visitors/ to be looked at."""

import os

import pytest

from firstline.access.models import Crossing

from ..conftest import PHONE, browser_login

SHOTS = "/work/screens/visitors"
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
NEED_REASON = {"zh-hans": "请填写劝返原因。", "en": "Say why they were turned back."}


def _open(page, live_server, lang):
    page.context.add_cookies([{"name": "django_language", "value": lang,
                               "url": live_server.url}])
    browser_login(page, live_server, "gate_c1")
    page.goto(f"{live_server.url}/access/visitors/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_turned_back_car_is_logged_in_one_go(world, live_server, new_page, lang):
    from playwright.sync_api import expect

    page = new_page(viewport=PHONE, locale=LOCALES[lang])
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    _open(page, live_server, lang)
    plate = page.locator("input[name=plate]")
    expect(plate).to_be_hidden()  # a person on foot sees no plate
    page.select_option("select[name=subject]", "vehicle")
    expect(plate).to_be_visible()
    page.fill("input[name=temperature]", "36.7")
    plate.fill("鄂A 88888")
    page.check("input[name=out_of_town]")
    login_posts = len(posts)
    page.click("button[value=turn_back]")
    # Asked for the reason on the spot, nothing sent.
    reason = page.locator("input[name=turned_back_reason]")
    expect(reason).to_be_focused()
    expect(page.locator("label.field", has=reason).locator(".error")).to_have_text(
        NEED_REASON[lang])
    assert len(posts) == login_posts
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/turn-back-asks-reason-{lang}.png")
    reason.fill("外地车辆一律劝返")
    with page.expect_navigation():
        page.click("button[value=turn_back]")
    assert len(posts) == login_posts + 1  # one submit
    c = Crossing.objects.get()
    assert (c.subject, c.decision, c.reason) == ("vehicle", "deny", "turned_back")
    assert (c.visit.plate, c.visit.out_of_town, c.visit.turned_back_reason) == (
        "鄂A88888", True, "外地车辆一律劝返")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_refused_form_says_what_to_correct_where_the_phone_shows_it(world, live_server,
                                                                     new_page, lang):
    from playwright.sync_api import expect

    page = new_page(viewport=PHONE, locale=LOCALES[lang])
    _open(page, live_server, lang)
    page.select_option("select[name=subject]", "vehicle")
    with page.expect_navigation():  # "let in" without a temperature or a plate
        page.click("button[value=admit]")
    summary = page.locator("#visit-errors")
    expect(summary).to_be_in_viewport()
    expect(summary.locator("li")).to_have_count(2)
    summary.locator("a[href='#id_plate']").click()
    expect(page.locator("input[name=plate]")).to_be_focused()
    expect(page.locator("input[name=plate]")).to_be_in_viewport()
    page.screenshot(path=f"{SHOTS}/refused-{lang}.png")
    assert not Crossing.objects.exists()
