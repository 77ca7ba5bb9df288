import re

import pytest

from tests.conftest import PHONE, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_login_and_language_switch(cast, live_server, new_page):
    page = new_page(viewport=PHONE, locale="zh-CN")
    page.goto(f"{live_server.url}/login/")
    assert page.locator("button.primary").inner_text() == "登录"
    browser_login(page, live_server, "hq")
    assert "您好" in page.locator("h1").inner_text()

    page.click("button.lang-btn[value=en]")
    page.wait_for_load_state()
    assert re.match(r"Hello", page.locator("h1").inner_text())
    page.locator("details.menu summary").click()
    assert page.get_by_role("button", name="Log out").is_visible()

    page.click("button.lang-btn[value=zh-hant]")
    page.wait_for_load_state()
    assert "登出" in page.content()


def test_no_console_errors_from_csp(cast, live_server, new_page):
    page = new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    browser_login(page, live_server, "grid_a")
    page.goto(f"{live_server.url}/")
    page.wait_for_load_state("networkidle")
    assert not [e for e in errors if "Content Security Policy" in e]
    assert not errors  # not even a missing favicon


def test_favicon_for_pages_that_name_none(cast, client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response.url.endswith("favicon.svg")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_menu_button_shows_a_long_name_whole_on_a_phone(cast, live_server, new_page, lang):
    """"☰ 城北社…" cut the user's name at 390 px: it wraps inside the button instead, at its
    space, on the top bar's one row, beside the brand and the language buttons."""
    cast.grid_a.display_name = "城北社区 李书记"
    cast.grid_a.save(update_fields=["display_name"])
    page = new_page(viewport=PHONE)
    page.context.add_cookies([{"name": "django_language", "value": lang,
                               "url": live_server.url}])
    browser_login(page, live_server, "grid_a")
    who = page.locator("summary .who")
    assert who.inner_text().split() == ["城北社区", "李书记"]
    # each character's line: wrapped at the space, not inside the name ("李书 / 记")
    lines = who.evaluate("""e => { const t = e.firstChild, r = document.createRange();
        return [...t.data].map((c, i) => { r.setStart(t, i); r.setEnd(t, i + 1);
                                           return Math.round(r.getBoundingClientRect().top); }); }""")
    assert len(set(lines[:4])) == 1 and len(set(lines[5:])) == 1, lines
    cut = who.evaluate("e => e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight"
                       " || getComputedStyle(e).textOverflow === 'ellipsis'")
    assert not cut
    tops = page.evaluate("() => ['.brand', '.topbar .lang', '.menu'].map(s =>"
                         " document.querySelector(s).getBoundingClientRect().top)")
    assert max(tops) < 20, tops  # one row: the menu has not dropped under the brand
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator("details.menu summary").bounding_box()
    assert box["height"] >= 44  # still a thumb-sized target
