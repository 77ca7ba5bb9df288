"""The gate page's recent scans on a phone (390 px): the code's end stays on one line beside
the time and the verdict, and a long reason reads in full on the line under them (it once
squeezed the code into "…" over "JXPK"). Screens under /work/screens/gate/."""

import os

import pytest

from ..conftest import PHONE, browser_login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_refused_scan_with_a_long_reason_is_listed_on_two_clean_lines(world, live_server,
                                                                         new_page):
    page = new_page(viewport=PHONE, locale="zh-CN")
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans",
                               "url": live_server.url}])
    browser_login(page, live_server, "gate_c1")
    page.goto(f"{live_server.url}/access/gate/?checkpoint=HL-N")
    page.fill("#gate-temp", "38.4")  # fever: the longest reason there is
    page.fill("#gate-code", world.pass1.code)
    page.press("#gate-code", "Enter")
    li = page.locator("#gate-log li.deny")
    li.wait_for()
    box = {part: li.locator(part).bounding_box() for part in ("time", "code", ".state", ".why")}
    line = box["time"]["height"]
    assert box["code"]["height"] < 1.5 * line, "the code broke over two lines"
    assert box[".state"]["height"] < 1.5 * line, "the verdict broke over two lines"
    assert abs(box["code"]["y"] - box["time"]["y"]) < line / 2  # one line: time, code, verdict
    assert abs(box[".state"]["y"] - box["time"]["y"]) < line / 2
    assert box[".why"]["y"] >= box["time"]["y"] + box["time"]["height"] - 1  # the reason under
    assert "发热" in li.locator(".why").inner_text()
    assert li.locator("code").inner_text() == "…" + world.pass1.code[-4:]
    os.makedirs("/work/screens/gate", exist_ok=True)
    page.screenshot(path="/work/screens/gate/recent-scans-fever-zh-hans.png")
