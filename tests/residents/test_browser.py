"""On a 390×844 phone without login: declare a return, file a tip-off, acknowledge a notice;
then as grid_a: confirm the declaration and verify the tip. Screenshots go to
/work/screens/res/ when that folder exists. Real time (a browser drops cookies that expired
by its own clock, so no time travel here)."""

import os
from datetime import timedelta

import pytest

from firstline import clock
from firstline.people.models import KeyPerson, Resident
from firstline.residents import services
from firstline.residents.models import Declaration, NoticeAck, Reward, Tip
from tests.conftest import PHONE, browser_login

from .conftest import id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENS = "/work/screens/res"


def shot(page, name):
    if os.path.isdir(SCREENS):
        page.screenshot(path=f"{SCREENS}/{name}.png", full_page=True)


def test_resident_declares_tips_and_reads_then_grid_worker_confirms_and_verifies(
        cast, roster_place, live_server, new_page):
    errors = []
    phone = new_page(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # 1. Declare a return (no JavaScript at all on this phone).
    phone.goto(f"{live_server.url}/residents/p/C1/declare/")
    assert phone.locator("html").get_attribute("lang") == "zh-hans"
    shot(phone, "declare-phone-zh-hans")
    phone.get_by_label("姓名").fill("李娜")
    phone.get_by_label("身份证号").fill(id_number(10))
    phone.get_by_label("手机号").fill("13800138000")
    phone.select_option("select[name=compound]", "阳光花园")
    phone.fill("input[name=building]", "1")
    phone.fill("input[name=unit]", "1")
    phone.fill("input[name=room]", "102")
    phone.fill("input[name=from_province]", "湖北省")
    phone.fill("input[name=from_city]", "武汉市")
    phone.fill("input[name=returned_on]", (clock.today() - timedelta(days=1)).isoformat())
    phone.select_option("select[name=transport]", "train")
    phone.fill("input[name=transport_no]", "G1234")
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_load_state()
    receipt = phone.locator("#receipt").inner_text()
    assert receipt == Declaration.objects.get().receipt
    assert id_number(10) not in phone.content()
    shot(phone, "declare-done-phone-zh-hans")

    # 2. File a tip-off.
    phone.goto(f"{live_server.url}/residents/p/C1/tip/")
    phone.get_by_label("您看到了什么？").fill("1栋有人从外地回来没有登记")
    phone.select_option("select[name=compound]", label="阳光花园")
    phone.fill("input[name=building]", "1")
    phone.fill("input[name=contact]", "13912345678")
    shot(phone, "tip-phone-zh-hans")
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_load_state()
    assert phone.locator("#receipt").inner_text() == Tip.objects.get().receipt

    # 3. Acknowledge a notice from the link on the building door's poster.
    notice = services.notice_publish(actor=cast.staff_c1, title="致全体居民的一封公开信",
                                     body="请大家减少外出，不聚集。\n出门请戴口罩。",
                                     areas=[roster_place.h101.grid.parent])
    building = roster_place.h101.building_id
    phone.goto(f"{live_server.url}/residents/n/{notice.token}/?b={building}")
    assert phone.locator("input[name=building]").input_value() == "1"
    phone.fill("input[name=unit]", "1")
    phone.fill("input[name=room]", "101")
    shot(phone, "notice-phone-zh-hans")
    phone.get_by_role("button", name="我家已读").click()
    phone.wait_for_load_state()
    assert phone.locator("#acked").is_visible()
    assert NoticeAck.objects.filter(notice=notice, household=roster_place.h101).count() == 1
    shot(phone, "notice-acked-phone-zh-hans")

    # The same pages in Traditional Chinese and English, switched on the page.
    for lang, title in [("zh-hant", "返回登記"), ("en", "Declare your return")]:
        phone.goto(f"{live_server.url}/residents/p/C1/declare/")
        phone.click(f"button.lang-btn[value={lang}]")
        phone.wait_for_load_state()
        assert title in phone.locator("h1").inner_text()
        shot(phone, f"declare-phone-{lang}")
        phone.goto(f"{live_server.url}/residents/p/C1/tip/")
        shot(phone, f"tip-phone-{lang}")
        phone.goto(f"{live_server.url}/residents/n/{notice.token}/?b={building}")
        shot(phone, f"notice-phone-{lang}")

    # 4. The grid worker confirms the declaration and verifies the tip, on a phone.
    worker = new_page(viewport=PHONE, locale="zh-CN")
    worker.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser_login(worker, live_server, "grid_a")
    worker.goto(f"{live_server.url}/residents/declarations/")
    item = worker.locator("li[id^=declaration-]")
    assert "李娜" in item.inner_text() and "新来人员" in item.inner_text()
    shot(worker, "declarations-grid-worker-phone-zh-hans")
    item.get_by_role("button", name="确认").click()
    worker.wait_for_load_state()
    assert "已确认" in worker.locator(".messages").inner_text()
    shot(worker, "declaration-confirmed-phone-zh-hans")
    newcomer = Resident.objects.get(id_number=id_number(10))
    assert newcomer.household == roster_place.h102
    assert KeyPerson.objects.filter(resident=newcomer, category__code="risk_area").exists()

    worker.goto(f"{live_server.url}/residents/tips/")
    tip = worker.locator("li[id^=tip-]")
    assert "139****5678" in tip.inner_text() and "13912345678" not in worker.content()
    tip.locator("input[name=note]").fill("已核实，属实")
    shot(worker, "tips-grid-worker-phone-zh-hans")
    # No outcome is chosen for the worker: valid is final and pays a reward.
    assert tip.locator("select[name=outcome]").input_value() == ""
    tip.get_by_role("button", name="记录核实结果").click()
    assert not Reward.objects.exists()
    tip.locator("select[name=outcome]").select_option("valid")
    tip.get_by_role("button", name="记录核实结果").click()
    worker.wait_for_load_state()
    assert Reward.objects.get().quantity == 10
    worker.goto(f"{live_server.url}/residents/tips/?status=valid")
    assert "待发奖励" in worker.locator("li[id^=tip-]").inner_text()
    shot(worker, "tip-valid-phone-zh-hans")
    for lang in ("zh-hant",):
        worker.click(f"button.lang-btn[value={lang}]")
        worker.wait_for_load_state()
        shot(worker, f"tip-valid-phone-{lang}")
    assert not [e for e in errors if "Content Security Policy" in e]


def test_posters_visit_button_and_dashboard_reach(cast, roster_place, live_server, new_page):
    from tests.conftest import DESKTOP

    notice = services.notice_publish(actor=cast.staff_c1, title="致全体居民的一封公开信",
                                     body="请大家减少外出，不聚集。", areas=[roster_place.h101.grid.parent])
    household = roster_place.h101
    services.notice_acknowledge(notice=notice, household=household)
    staff = new_page(viewport=DESKTOP, locale="zh-CN")
    browser_login(staff, live_server, "staff_c1")
    staff.goto(f"{live_server.url}/residents/posters/C1/")
    assert staff.locator("img").count() == 2
    shot(staff, "poster-community-zh-hans")
    staff.goto(f"{live_server.url}/residents/notices/{notice.pk}/poster/"
               f"?building={household.building_id}")
    shot(staff, "poster-notice-building-zh-hans")
    staff.goto(f"{live_server.url}/reports/?area=C1")
    staff.locator("#reach").wait_for()
    staff.locator("details.reach-notice summary").click()
    assert "1 / 2" in staff.locator("details.reach-notice").inner_text()
    shot(staff, "dashboard-reach-zh-hans")

    worker = new_page(viewport=PHONE, locale="zh-CN")
    browser_login(worker, live_server, "grid_a")
    worker.goto(f"{live_server.url}/people/screening/{roster_place.h102.pk}/")
    worker.get_by_label("备注").fill("敲门两次")
    worker.get_by_role("button", name="＋ 新增不在花名册中的人员").click()
    worker.wait_for_url("**/members/new/")
    shot(worker, "member-add-phone-zh-hans")
    worker.get_by_label("姓名").fill("王伟")
    worker.get_by_label("身份证号").fill(roster_place.wang.id_number)
    worker.get_by_role("button", name="加入本户").click()
    worker.wait_for_load_state()
    assert "迁入" in worker.locator(".messages").inner_text()
    assert worker.get_by_label("备注").input_value() == "敲门两次"  # kept while adding
    shot(worker, "visit-newcomer-moved-phone-zh-hans")
