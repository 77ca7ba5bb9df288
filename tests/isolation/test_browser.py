"""The resident's self-report page on a phone in zh-hans: a fever reading reaches the grid
worker's home page. Screenshots go to /work/screens/isolation/ when that folder exists."""

import os

import pytest
from django.utils import timezone

from firstline.isolation import services
from tests.conftest import DESKTOP, PHONE, browser_login, htmx_settled

from .conftest import make_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENS = "/work/screens/isolation"


def shot(page, name):
    if os.path.isdir(SCREENS):
        page.screenshot(path=f"{SCREENS}/{name}.png", full_page=True)


def test_phone_self_report_fever_shows_on_worker_home(cast, roster, live_server, new_page):
    iso = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    errors = []
    page = new_page(viewport=PHONE, locale="zh-CN")
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/isolation/r/{iso.report_token}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "今日体温" in page.content()
    shot(page, "selfreport-phone-zh-hans")
    page.fill("input[name=temperature]", "38.4")
    page.get_by_label("咳嗽").check()
    page.get_by_role("button", name="上报体温").click()
    page.wait_for_load_state()
    assert "您的体温偏高" in page.locator("p.sent").inner_text()
    shot(page, "selfreport-phone-zh-hans-fever")

    worker = new_page(viewport=PHONE, locale="zh-CN")
    browser_login(worker, live_server, "grid_a")
    alert = worker.locator("li.alert.k-fever")
    alert.wait_for()
    htmx_settled(worker)
    assert roster.a1.name in alert.inner_text() and "38.4" in alert.inner_text()
    shot(worker, "worker-home-alert-phone-zh-hans")
    alert.get_by_role("button", name="接手").click()
    worker.locator("li.alert.s-acknowledged").wait_for()
    assert not [e for e in errors if "Content Security Policy" in e]

    # The resident switches the page to English; the link keeps working.
    page.click("button.lang-btn[value=en]")
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Send temperature").is_visible()


def test_wrong_link_page_on_phone(live_server, new_page):
    page = new_page(viewport=PHONE, locale="zh-CN")
    response = page.goto(f"{live_server.url}/isolation/r/not-a-real-token-at-all/")
    assert response.status == 404 and "此链接无效" in page.content()
    shot(page, "selfreport-invalid-phone-zh-hans")


def test_occupancy_board_desktop(cast, roster, areas, live_server, new_page):
    site = services.site_create(area=areas.c1, name="凤台宾馆", address="淮河路8号",
                                actor=cast.staff_c1)
    services.rooms_add(site=site, numbers=[str(n) for n in range(301, 313)], floor="3",
                       actor=cast.staff_c1)
    services.rooms_add(site=site, numbers=["401", "402"], beds=2, floor="4", actor=cast.staff_c1)
    rooms = {r.number: r for r in site.rooms.all()}
    people = [roster.a1, roster.b1, roster.c1] + [make_resident(roster.h2, f"隔离{i}")
                                                   for i in range(3)]
    for number, person in zip(["301", "302", "305", "306", "308", "401"], people,
                              strict=True):
        iso = services.isolation_start(resident=person, kind="centralized",
                                       reason="close_contact", starts_on=timezone.localdate(),
                                       actor=cast.staff_c1)
        services.room_assign(room=rooms[number], isolation=iso, actor=cast.staff_c1)
    services.isolation_start(resident=roster.a2, kind="centralized", reason="close_contact",
                             starts_on=timezone.localdate(), actor=cast.staff_c1)  # waiting
    services.room_vacate(room=rooms["306"], actor=cast.staff_c1)
    page = new_page(viewport=DESKTOP, locale="zh-CN")
    browser_login(page, live_server, "staff_c1")
    page.goto(f"{live_server.url}/isolation/sites/{site.pk}/")
    assert page.locator(".room.occupied").count() == 5
    assert page.locator(".room.cleaning").count() == 1
    shot(page, "site-board-desktop-zh-hans")
    phone = new_page(viewport=PHONE, locale="en-US")
    browser_login(phone, live_server, "staff_c1")
    phone.goto(f"{live_server.url}/isolation/sites/{site.pk}/")
    shot(phone, "site-board-phone-en")


def test_a_refused_outcome_shows_its_message_on_the_alert_card(cast, roster, live_server,
                                                               new_page):
    """The server refuses a too-long outcome with a 422; htmx (responseHandling in base.html)
    swaps that answer into the card, so the worker sees why instead of nothing."""
    iso = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    services.reading_record(isolation=iso, temperature=38.6, taken_at=None, actor=cast.grid_a)
    worker = new_page(viewport=PHONE, locale="zh-CN")
    browser_login(worker, live_server, "grid_a")
    card = worker.locator("li.alert.k-fever")
    card.wait_for()
    htmx_settled(worker)
    card.locator("input[name=outcome]").fill("复测" * 101)
    card.get_by_role("button", name="处理完毕").click()
    worker.locator("li.alert.k-fever [role=alert]").wait_for()
    assert "200" in worker.locator("li.alert.k-fever [role=alert]").inner_text()
    assert iso.alerts.get().status != "resolved"
    # A blank outcome gets the app's own message in the app's language, not the browser's
    # validation bubble in the phone's language.
    card.locator("input[name=outcome]").fill("   ")
    card.get_by_role("button", name="处理完毕").click()
    worker.locator("li.alert.k-fever [role=alert]:has-text('处理结果')").wait_for()


@pytest.mark.parametrize("lang, locale", [("zh-hans", "zh-CN"), ("en", "en-US")])
def test_detail_action_cards_stack_on_a_phone(cast, roster, live_server, new_page, lang,
                                              locale):
    """At 390px the new-link, extend and release cards each take the full width, one under
    the other (side by side they were squeezed into narrow columns); on a desktop they sit
    side by side."""
    iso = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    page = new_page(viewport=PHONE, locale=locale)
    browser_login(page, live_server, "staff_c1")
    page.goto(f"{live_server.url}/isolation/{iso.pk}/")
    cards = page.locator(".iso-actions > .card")
    assert cards.count() == 3
    boxes = [cards.nth(i).bounding_box() for i in range(3)]
    width = page.locator(".iso-actions").bounding_box()["width"]
    assert all(b["width"] >= width - 1 for b in boxes)
    assert boxes[0]["y"] + boxes[0]["height"] <= boxes[1]["y"]
    assert boxes[1]["y"] + boxes[1]["height"] <= boxes[2]["y"]
    shot(page, f"detail-actions-phone-{lang}")
    wide = new_page(viewport=DESKTOP, locale=locale)
    browser_login(wide, live_server, "staff_c1")
    wide.goto(f"{live_server.url}/isolation/{iso.pk}/")
    row = [wide.locator(".iso-actions > .card").nth(i).bounding_box() for i in range(2)]
    assert row[0]["y"] == row[1]["y"]


def test_resolving_an_alert_takes_it_out_of_the_list_and_the_count_on_a_phone(
        cast, roster, live_server, new_page):
    """处理完毕 through htmx: the card leaves 待处理 and "N 条预警" counts one fewer, without a
    reload; on the home panel the badge follows the same way."""
    for resident in (roster.a1, roster.b1, roster.c1):
        iso = services.isolation_start(resident=resident, kind="home", reason="risk_area",
                                       starts_on=timezone.localdate(), actor=cast.staff_c1)
        services.reading_record(isolation=iso, temperature=38.6, taken_at=None,
                                actor=cast.grid_a)
    errors = []
    page = new_page(viewport=PHONE, locale="zh-CN")
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser_login(page, live_server, "grid_a")
    page.goto(f"{live_server.url}/isolation/alerts/")
    assert page.locator("#alert-count").inner_text() == "3 条预警"
    card = page.locator("li.alert").first
    card_id = card.get_attribute("id")
    card.locator("input[name=outcome]").fill("复测 36.8")
    card.get_by_role("button", name="处理完毕").click()
    page.locator(f"#{card_id}.alert-gone").wait_for()
    assert page.locator("#alert-count").inner_text() == "2 条预警"
    assert page.locator("li.alert").count() == 2
    assert "已处理" in page.locator(f"#{card_id}").inner_text()
    shot(page, "alerts-resolved-phone-zh-hans")

    page.goto(f"{live_server.url}/")
    badge = page.locator(".panel #alert-count")
    badge.wait_for()
    htmx_settled(page)
    assert badge.inner_text() == "2"
    card = page.locator("li.alert").first
    card.locator("input[name=outcome]").fill("已送发热门诊")
    card.get_by_role("button", name="处理完毕").click()
    page.locator("li.alert-gone").wait_for()
    assert badge.inner_text() == "1" and page.locator("li.alert").count() == 1
    assert not [e for e in errors if "Content Security Policy" in e or "oob" in e.lower()]


def test_phone_arrival_takes_the_room_picked_beside_arrived(cast, roster, areas, live_server,
                                                            new_page):
    """已到达 on the site board with a room picked: one tap, the person is in the room."""
    site = services.site_create(area=areas.c1, name="凤台宾馆集中隔离点", actor=cast.staff_c1)
    services.rooms_add(site=site, numbers=["301", "302"], actor=cast.staff_c1)
    iso = services.isolation_start(resident=roster.a1, kind="centralized",
                                   reason="close_contact", starts_on=timezone.localdate(),
                                   actor=cast.staff_c1)
    services.transfer_create(isolation=iso, from_place="阳光花园1栋", to_site=site,
                             pickup_at=timezone.now(), actor=cast.staff_c1)
    page = new_page(viewport=PHONE, locale="zh-CN")
    browser_login(page, live_server, "staff_c1")
    page.goto(f"{live_server.url}/isolation/sites/{site.pk}/")
    row = page.locator("tr", has=page.locator("input[value=transfer_status]"))
    row.get_by_label("到达后入住房间").select_option(label="302")
    row.get_by_role("button", name="已到达").click()
    page.wait_for_load_state()
    assert "王伟 的转运：已到达；已入住 302 房间。" in page.content()
    assert "王伟" in page.locator("#room-302").inner_text()
    shot(page, "site-arrival-room-phone-zh-hans")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_home_panels_alert_buttons_are_the_alerts_pages(cast, roster, live_server, new_page,
                                                            lang):
    """接手 / 处理完毕 on the home panel were in smaller type and 接手 a 36 px target: another
    panel's stylesheet (the gates') sized every `.actions .btn` on the page. They are the alerts
    page's buttons, a 44 px target, wherever the card is shown."""
    iso = services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                   starts_on=timezone.localdate(), actor=cast.staff_c1)
    services.reading_record(isolation=iso, temperature=38.6, taken_at=None, actor=cast.grid_a)
    page = new_page(viewport=PHONE)
    page.context.add_cookies([{"name": "django_language", "value": lang,
                               "url": live_server.url}])
    browser_login(page, live_server, "staff_c1")
    measure = ("els => els.map(e => [e.textContent.trim(), getComputedStyle(e).fontSize, "
               "e.getBoundingClientRect().height >= 44])")
    page.goto(f"{live_server.url}/isolation/alerts/")
    on_page = page.locator("li.alert button[type=submit]").evaluate_all(measure)
    page.goto(f"{live_server.url}/")
    page.locator(".panel li.alert").first.wait_for()
    htmx_settled(page)
    shot(page, f"home-alert-buttons-phone-{lang}")
    assert page.locator(".panel li.alert button[type=submit]").evaluate_all(measure) == on_page
    assert len(on_page) == 2 and all(big for _, _, big in on_page), on_page
