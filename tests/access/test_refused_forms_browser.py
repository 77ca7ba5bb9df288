"""The policy form refused on a phone (390×844), zh-hans and en: the page again with what was
typed and each error under its field. Screens under /work/screens/forms/ to be looked at."""

import os

import pytest

from ..conftest import PHONE, browser_login

SHOTS = "/work/screens/forms"
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
SAYS = {"zh-hans": ("输入整数。", "输入一个有效的日期。"),
        "en": ("Enter a whole number.", "Enter a valid date.")}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_refused_policy_is_shown_again_with_its_errors_beside_the_fields(
        world, live_server, new_page, lang):
    from playwright.sync_api import expect

    page = new_page(viewport=PHONE, locale=LOCALES[lang])
    page.context.add_cookies([{"name": "django_language", "value": lang,
                               "url": live_server.url}])
    browser_login(page, live_server, "staff_c1")
    page.goto(f"{live_server.url}/access/compounds/{world.compound.pk}/#policy")
    # What a tester posts past the browser's own checks (a number box cannot hold "abc").
    page.evaluate("""() => {
        const form = document.getElementById('policy-form');
        form.noValidate = true;
        for (const name of ['out_quota', 'starts_on']) form.elements[name].type = 'text';
    }""")
    quota_box = page.locator("#policy-form input[name=out_quota]")
    starts_box = page.locator("#policy-form input[name=starts_on]")
    quota_box.fill("abc")
    starts_box.fill("2026-02-30")
    page.locator("#policy-form input[name=window_days]").fill("5")
    with page.expect_navigation():
        page.locator("#policy-form button[type=submit]").click()
    quota, starts = SAYS[lang]
    form = page.locator("#policy-form")
    expect(form.locator("label.field", has=page.locator("input[name=out_quota]"))
           .locator(".error")).to_contain_text(quota)
    expect(form.locator("label.field", has=page.locator("input[name=starts_on]"))
           .locator(".error")).to_contain_text(starts)
    # A number or date box shows nothing of "abc" or "2026-02-30" (the browser's rule; the
    # server sends them back, test_refused_forms.py); a valid value typed beside them stays.
    expect(page.locator("#policy-form input[name=window_days]")).to_have_value("5")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px"
    os.makedirs(SHOTS, exist_ok=True)
    page.locator("#policy").screenshot(path=f"{SHOTS}/policy-refused-{lang}.png")
