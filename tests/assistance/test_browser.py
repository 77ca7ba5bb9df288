"""On a phone: the worker logs a care call with one tap; staff assign a request.

Set FIRSTLINE_SCREENS=/some/dir to save screenshots of each page (phone and desktop)."""

import os
from pathlib import Path

import pytest

from firstline.assistance.models import CareCall, PackageKind
from firstline.assistance.services import (
    care_call_log,
    service_request_assign,
    service_request_create,
    service_request_transition,
    stock_receive,
)
from tests.conftest import DESKTOP, PHONE, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = os.environ.get("FIRSTLINE_SCREENS")


def shot(page, name):
    if SCREENS:
        Path(SCREENS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENS) / f"{name}.png"), full_page=True)


def _set_language(page, live_server, lang):
    page.context.add_cookies([{"name": "django_language", "value": lang,
                               "url": live_server.url}])


@pytest.mark.time_sensitive
def test_worker_logs_a_call_with_one_tap_on_a_phone(ten_oclock, world, live_server, new_page):
    # At 10:00, in the morning slot: a page shown at 13:59:59 posts its call for the morning,
    # and after 14:00 the count is of the afternoon's calls still to make (1, not 0).
    page = new_page(viewport=PHONE, locale="zh-CN")
    errors = []
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    browser_login(page, live_server, "grid_a")
    shot(page, "home-phone-zh-hans")
    page.goto(f"{live_server.url}/assistance/calls/")
    card = page.locator(f"#hh-{world.h1.pk}")
    assert "张三" in card.inner_text()
    shot(page, "calls-phone-zh-hans")
    card.get_by_role("button", name="一切正常").click()
    page.locator(f"#hh-{world.h1.pk} .badge.o-ok").wait_for()
    assert CareCall.objects.get().outcome == "ok"
    assert "0" in page.locator("#callhead strong").inner_text()  # the count, out of band
    page.locator(f"#ph-{world.r1.pk} button").click()
    page.locator(f"a#ph-{world.r1.pk}").wait_for()
    assert page.locator(f"a#ph-{world.r1.pk}").get_attribute("href") == "tel:13812345678"
    shot(page, "calls-phone-zh-hans-logged")
    assert not errors, errors


def test_staff_assigns_and_worker_delivers(world, cast, areas, live_server, new_page):
    req = service_request_create(household=world.h1, kind="groceries",
                                 detail="大米10斤、食用油一桶", source="self_report")
    other = service_request_create(household=world.h2, kind="medicine", detail="降压药一盒",
                                   source="self_report")
    service_request_assign(request=other, actor=cast.staff_c1, volunteer_name="党员 周建国",
                           volunteer_phone="13905541234")
    service_request_transition(request=other, to="bought", actor=cast.staff_c1, amount="36.5",
                               receipt_no="A-0021")
    page = new_page(viewport=PHONE, locale="zh-CN")
    browser_login(page, live_server, "staff_c1")
    page.goto(f"{live_server.url}/assistance/requests/")
    shot(page, "board-phone-zh-hans")
    card = page.locator(f"#req-{req.pk}")
    card.locator("select[name=volunteer]").select_option(str(cast.grid_a.pk))
    card.get_by_role("button", name="分派", exact=True).click()
    page.locator(f"#req-{req.pk} .st-assigned").wait_for()

    worker = new_page(viewport=PHONE, locale="zh-CN")
    browser_login(worker, live_server, "grid_a")
    worker.goto(f"{live_server.url}/assistance/tasks/")
    shot(worker, "tasks-phone-zh-hans")
    task = worker.locator(f"#req-{req.pk}")
    task.locator("input[name=amount]").fill("88.6")
    task.get_by_role("button", name="已购买/已办理").click()  # groceries: the amount first
    worker.locator(f"#req-{req.pk} .st-bought").wait_for()
    worker.locator(f"#req-{req.pk}").get_by_role("button", name="已送达").click()
    worker.locator(f"#req-{req.pk} .st-delivered").wait_for()
    req.refresh_from_db()
    assert (req.status, str(req.amount)) == ("delivered", "88.60")


def test_screens_in_other_languages_and_desktop(world, cast, areas, live_server, new_page):
    kit = PackageKind.objects.create(name="九个一", contents="联系卡、倡议书、慰问信、体温计、"
                                     "消毒液、口罩、米、油、蔬菜")
    stock_receive(kind=kit, area=areas.c1, quantity=40, actor=cast.staff_c1)
    care_call_log(household=world.h1, outcome="no_answer", actor=cast.grid_a, slot="morning")
    service_request_create(household=world.h1, kind="bills", detail="代缴燃气费100元",
                           source="self_report")
    for lang in ("en", "zh-hant"):
        page = new_page(viewport=PHONE, locale="en-US")
        _set_language(page, live_server, lang)
        browser_login(page, live_server, "grid_a")
        page.goto(f"{live_server.url}/assistance/calls/")
        shot(page, f"calls-phone-{lang}")
        assert page.locator(f"#hh-{world.h1.pk}").is_visible()
    desk = new_page(viewport=DESKTOP, locale="zh-CN")
    browser_login(desk, live_server, "staff_c1")
    shot(desk, "home-desktop-zh-hans")
    desk.goto(f"{live_server.url}/assistance/requests/")
    shot(desk, "board-desktop-zh-hans")
    desk.goto(f"{live_server.url}/assistance/stock/")
    shot(desk, "stock-desktop-zh-hans")
    phone = new_page(viewport=PHONE, locale="zh-CN")
    browser_login(phone, live_server, "staff_c1")
    phone.goto(f"{live_server.url}/assistance/stock/")
    shot(phone, "stock-phone-zh-hans")
    phone.goto(f"{live_server.url}/assistance/requests/new/?household={world.h1.pk}")
    shot(phone, "request-new-phone-zh-hans")


def test_a_pasted_link_does_not_widen_the_board_on_a_phone(world, live_server, new_page):
    service_request_create(household=world.h1, kind="groceries", source="self_report",
                           detail="https://shop.example/item?" + "x" * 300)
    page = new_page(viewport=PHONE, locale="zh-CN")
    browser_login(page, live_server, "staff_c1")
    page.goto(f"{live_server.url}/assistance/requests/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1


@pytest.mark.time_sensitive
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_reveal_reason_is_a_thumb_sized_control_on_a_phone(ten_oclock, world, live_server,
                                                               new_page, lang):
    """The phone reveal's "why" was a 25 px select in small type beside a 36 px button: it is
    as large as any other form control (text as big, a 44 px target), and fits the card."""
    page = new_page(viewport=PHONE)
    _set_language(page, live_server, lang)
    browser_login(page, live_server, "grid_a")
    page.goto(f"{live_server.url}/assistance/calls/")
    select = page.locator(f"#ph-{world.r1.pk} select.reveal-reason")
    box = select.bounding_box()
    size = select.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    page.goto(f"{live_server.url}/assistance/requests/new/")
    control = page.locator("main input[type=text], main select, main textarea").first
    other = control.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert box["height"] >= 44 and size >= other, (box, size, other)
    page.goto(f"{live_server.url}/assistance/calls/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.time_sensitive
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_phone_button_beside_the_reason_is_a_thumb_sized_target(ten_oclock, world,
                                                                    live_server, new_page, lang):
    """The ☎ button beside the reveal's reason was 36 px tall beside a 44 px select: it is a
    44 px target like the select, centred beside it where both fit on the line (zh-hans; the
    longer English reason puts it above)."""
    page = new_page(viewport=PHONE)
    _set_language(page, live_server, lang)
    browser_login(page, live_server, "grid_a")
    page.goto(f"{live_server.url}/assistance/calls/")
    form = page.locator(f"#ph-{world.r1.pk}")
    select = form.locator("select.reveal-reason").bounding_box()
    button = form.locator("button[type=submit]").bounding_box()
    assert button["height"] >= 44 and select["height"] >= 44, (button, select)
    if button["y"] < select["y"] + select["height"]:  # on the select's line
        assert abs(button["y"] + button["height"] / 2 - select["y"] - select["height"] / 2) < 2
    else:
        assert lang == "en"
