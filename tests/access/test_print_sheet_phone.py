"""The pass sheet (出入证) from a phone: a Print button (no Ctrl+P on a phone), hidden when
printing, beside the way back."""

import os
import re

import pytest

SCREENS = "/work/screens/res"


def test_the_pass_sheet_has_a_print_button_and_says_how_on_a_phone(world, web):
    html = web("staff_c1").get(
        f"/access/compounds/{world.compound.pk}/passes/print/").content.decode()
    help_block = re.search(r'<div class="no-print print-help">(.*?)</div>', html, re.S).group(1)
    assert "data-print" in help_block and "另存为 PDF" in help_block
    assert "<style" not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_on_a_phone_print_opens_the_print_dialogue(world, live_server, new_page, lang):
    from tests.conftest import PHONE, browser_login

    page = new_page(viewport=PHONE)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text
            else None)
    browser_login(page, live_server, "staff_c1")
    page.context.add_cookies([{"name": "django_language", "value": lang,
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/access/compounds/{world.compound.pk}/passes/print/")
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.locator("button[data-print]").click()
    assert page.evaluate("window.__printed") == 1
    if os.path.isdir(SCREENS):
        page.screenshot(path=f"{SCREENS}/pass-sheet-phone-{lang}.png", full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("button[data-print]").is_visible()
    assert not errors
