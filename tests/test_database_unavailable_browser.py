"""Issue 17: the friendly 503 page in Chromium (phone, zh-hans and en), and its reload once
the database is back. PostgreSQL only: the live server's connections are pointed at a closed
port (on SQLite the live server shares the test's in-memory database, which must stay up)."""

import pytest
from django.db import connection

from .conftest import PHONE, browser_login
from .test_database_unavailable import database_down, terminate_app_connections


@pytest.mark.browser
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang,locale,title", [("zh-hans", "zh-CN", "请稍后再试"),
                                               ("en", "en-US", "Please try again in a moment")])
def test_the_503_page_explains_and_reloads_itself_when_the_database_is_back(
        cast, live_server, new_page, lang, locale, title):
    page = new_page(viewport=PHONE, locale=locale)
    browser_login(page, live_server, "hq")
    page.context.add_cookies([{"name": "django_language", "value": lang,
                               "url": live_server.url}])
    up = dict(connection.settings_dict)
    with database_down():
        # A connection a live-server thread still holds is dropped too, as in a restart.
        terminate_app_connections(settings_dict=up)
        # A live-server thread may finish one request on a connection it held before the
        # drop; the next ones find the database gone.
        for _ in range(5):
            response = page.goto(f"{live_server.url}/people/")
            if response.status == 503:
                break
            terminate_app_connections(settings_dict=up)
        assert response.status == 503
        assert page.locator("h1").inner_text() == title
        page.screenshot(path=f"/work/screens/faults/db-unavailable-phone-{lang}.png")
    # Back: the page's own reload (Retry-After seconds later) shows the real page.
    from playwright.sync_api import expect

    expect(page.locator("h1").first).not_to_have_text(title, timeout=15000)
    assert page.url.endswith("/people/")
