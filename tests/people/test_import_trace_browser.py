"""Issue 17: a command-line import that was killed shows as interrupted in the importer's
job list (phone, zh-hans and en)."""

from datetime import timedelta

import pytest

from firstline import clock
from firstline.people.models import ImportJob

from ..conftest import PHONE, browser_login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang,locale,word", [("zh-hans", "zh-CN", "已中断"),
                                              ("en", "en-US", "interrupted")])
def test_a_killed_command_line_import_shows_as_interrupted(cast, areas, live_server, new_page,
                                                           lang, locale, word):
    # What `kill -9` leaves behind (tests/people/test_import_trace.py kills a real run):
    # running, 20,000 rows committed, not heard from since its lease ran out.
    ImportJob.objects.create(source="cli", created_by=cast.staff_c1, filename="花名册.csv",
                             path="/tmp/花名册.csv", state=ImportJob.State.RUNNING,
                             imported=20000, next_row=20000,
                             lease_until=clock.now() - timedelta(minutes=1))
    page = new_page(viewport=PHONE, locale=locale)
    browser_login(page, live_server, "staff_c1")
    page.context.add_cookies([{"name": "django_language", "value": lang,
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/people/import/")
    item = page.locator("li", has_text="花名册.csv")
    assert word in item.inner_text()
    page.screenshot(path=f"/work/screens/faults/import-interrupted-phone-{lang}.png",
                    full_page=True)
