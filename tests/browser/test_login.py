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
