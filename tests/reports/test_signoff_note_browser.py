"""A resubmission's note over 200 characters on a phone (390×844), zh-hans and en: the form
again, open, the note as typed and the error under it. Screens under /work/screens/forms/."""

import os

import pytest

from firstline.reports.submissions import report_submit
from tests.conftest import PHONE, browser_login

from .conftest import D

SHOTS = "/work/screens/forms"
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
SAYS = {"zh-hans": "原因：超过 200 个字符。", "en": "Note (why): longer than 200 characters."}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_too_long_note_is_kept_with_its_error_beside_it(facts, cast, live_server, new_page,
                                                          lang):
    from playwright.sync_api import expect

    report_submit(area=facts.areas.c1, day=D, actor=cast.staff_c1)
    page = new_page(viewport=PHONE, locale=LOCALES[lang])
    page.context.add_cookies([{"name": "django_language", "value": lang,
                               "url": live_server.url}])
    browser_login(page, live_server, "staff_c1")
    page.goto(f"{live_server.url}/reports/signoff/?area=C1&date={D.isoformat()}")
    page.locator("#resubmit summary").click()
    note = page.locator("#resubmit input[name=note]")
    note.evaluate("el => el.removeAttribute('maxlength')")  # what a tester posts past it
    typed = "补报" * 150
    note.fill(typed)
    with page.expect_navigation():
        page.locator("#resubmit button[type=submit]").click()
    expect(page.locator("#resubmit")).to_have_attribute("open", "")
    expect(note).to_have_value(typed)
    expect(page.locator("#resubmit label.field .error")).to_have_text(SAYS[lang])
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"
    os.makedirs(SHOTS, exist_ok=True)
    page.locator("#resubmit").screenshot(path=f"{SHOTS}/signoff-note-refused-{lang}.png")
