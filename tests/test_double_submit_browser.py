"""A form posted twice by a double tap is posted once (app.js): a tired finger on a slow
network must not record a tip-off, a grocery order or a stock receipt twice."""

import pytest

from firstline.residents.models import Tip
from tests.conftest import PHONE, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_second_tap_while_the_first_is_on_its_way_sends_nothing(cast, areas, live_server,
                                                                   new_page):
    page = new_page(viewport=PHONE)
    browser_login(page, live_server, "grid_a")
    page.goto(f"{live_server.url}/residents/tips/")
    page.click("details.card summary")
    page.fill("textarea[name=what]", "3栋有人聚集打牌")
    # What the browser would send: each submit that app.js lets through. The page keeps the
    # POST itself (a network slow to answer), so the second tap lands while the first is out.
    page.evaluate("""() => {
        window.sent = [];
        window.addEventListener("submit", ev => {
            window.sent.push(!ev.defaultPrevented);
            ev.preventDefault();
        });
    }""")
    button = "form[action$='/tips/new/'] button[type=submit]"
    page.click(button)
    page.wait_for_timeout(300)  # the tired finger, a moment later
    page.click(button)
    assert page.evaluate("window.sent") == [True, False]
    assert page.locator("form[action$='/tips/new/']").get_attribute("aria-busy") == "true"
    assert not Tip.objects.exists()


def test_the_next_page_posts_again(cast, areas, live_server, new_page):
    page = new_page(viewport=PHONE)
    browser_login(page, live_server, "grid_a")
    for n in (1, 2):
        page.goto(f"{live_server.url}/residents/tips/")
        page.click("details.card summary")
        page.fill("textarea[name=what]", f"第{n}条")
        page.click("form[action$='/tips/new/'] button[type=submit]")
        page.wait_for_load_state("networkidle")
    assert Tip.objects.filter(what__startswith="第").count() == 2
