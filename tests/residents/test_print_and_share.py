"""Posters and the notice page on a phone: the A4 rule is in a static file (the CSP refuses
inline styles), a Print button and a way back (not printed), and the notice's long link wraps
and can be copied."""

import os
import re
from pathlib import Path

import pytest

from firstline.residents import services

SCREENS = "/work/screens/res"


@pytest.fixture
def notice(cast, roster_place):
    return services.notice_publish(actor=cast.staff_c1, title="关于核酸检测的通知",
                                   body="请各位居民明早8点到北门排队检测。",
                                   areas=[roster_place.h101.grid.parent])


def test_the_poster_has_no_inline_style_and_its_a4_rule_is_in_a_static_file(notice, web):
    html = web("staff_c1").get(f"/residents/notices/{notice.pk}/poster/").content.decode()
    assert "<style" not in html and " style=" not in html
    assert "/static/residents/poster.css" in html
    css = Path("firstline/residents/static/residents/poster.css").read_text()
    assert re.search(r"@page\s*\{\s*size:\s*A4", css)


def test_the_posters_have_a_print_button_and_a_way_back(notice, web):
    c = web("staff_c1")
    html = c.get(f"/residents/notices/{notice.pk}/poster/").content.decode()
    assert re.search(r'<div class="no-print print-bar">.*data-print', html, re.S)
    assert f'href="/residents/notices/{notice.pk}/"' in html
    assert "Ctrl+P）" not in html and "另存为 PDF" in html
    html = c.get("/residents/posters/C1/").content.decode()
    assert "data-print" in html and 'href="/residents/declarations/"' in html


def test_the_notice_link_wraps_and_has_a_copy_button(notice, web):
    html = web("staff_c1").get(f"/residents/notices/{notice.pk}/").content.decode()
    link = re.search(r'<p class="share-link">.*?<code>([^<]+)</code>\s*<button[^>]*'
                     r'data-copy="([^"]+)"', html, re.S)
    assert link and link.group(1) == link.group(2) and f"/residents/n/{notice.token}/" in link[1]
    assert "/static/residents/residents.js" in html
    css = Path("firstline/residents/static/residents/residents.css").read_text()
    assert re.search(r"\.share-link code\s*\{[^}]*overflow-wrap:\s*anywhere", css)


# --- in a browser, on a 390×844 phone ----------------------------------------------------------


def _shot(page, name):
    if os.path.isdir(SCREENS):
        page.screenshot(path=f"{SCREENS}/{name}.png", full_page=True)


def _csp_errors(page):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text
            else None)
    return errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang,locale", [("zh-hans", "zh-CN"), ("en", "en-US")])
def test_on_a_phone_the_notice_fits_the_link_copies_and_the_poster_prints(
        cast, roster_place, live_server, new_page, lang, locale):
    from playwright.sync_api import expect

    from tests.conftest import PHONE, browser_login

    n = services.notice_publish(actor=cast.staff_c1, title="关于核酸检测的通知",
                                body="请各位居民明早8点到北门排队检测。",
                                areas=[roster_place.h101.grid.parent])
    page = new_page(viewport=PHONE, locale=locale, permissions=["clipboard-read",
                                                                "clipboard-write"])
    errors = _csp_errors(page)
    browser_login(page, live_server, "staff_c1")
    page.context.add_cookies([{"name": "django_language", "value": lang,
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/residents/notices/{n.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    copy = page.locator("button[data-copy]")
    assert copy.is_visible()
    copy.click()
    # The clipboard answers asynchronously: wait for the button to say so (it says it 2.5 s).
    expect(copy).to_have_text(re.compile(r"^(已复制|Copied)$"))
    _shot(page, f"notice-phone-{lang}")

    page.get_by_role("link", name=re.compile("A4")).click()
    page.wait_for_url("**/poster/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The A4 page rule applies (it did not while inline: refused by the CSP).
    assert page.evaluate("""Array.from(document.styleSheets).some(s => {
        try { return Array.from(s.cssRules).some(r => r.type === CSSRule.PAGE_RULE); }
        catch (e) { return false; } })""")
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.locator("button[data-print]").click()
    assert page.evaluate("window.__printed") == 1
    _shot(page, f"poster-phone-{lang}")
    page.emulate_media(media="print")
    assert not page.locator(".print-bar").is_visible()
    page.emulate_media(media="screen")
    page.locator(".print-bar a").click()
    page.wait_for_url(f"**/residents/notices/{n.pk}/")
    assert not errors
