"""On a phone: grid1 works through its verification items; hq uploads a list, maps its
columns, sees progress and downloads the answered list.

Set FIRSTLINE_SCREENS=/some/dir to save screenshots (phone 390×844, zh-hans and en)."""

import io
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from firstline import clock
from firstline.lists.models import Checklist, Verification
from firstline.lists.services import checklist_import
from tests.conftest import PHONE, browser_login

from .conftest import write_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = os.environ.get("FIRSTLINE_SCREENS")


def shot(page, name):
    if SCREENS:
        Path(SCREENS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENS) / f"{name}.png"), full_page=True)


def _lang(page, live_server, lang):
    page.context.add_cookies([{"name": "django_language", "value": lang,
                               "url": live_server.url}])


def _two_lists(roster, tmp_path):
    rail = write_csv(tmp_path / "rail.csv", ["姓名", "身份证号", "车次"],
                     [["王芳", roster.fang.id_number, "G1234"],
                      ["王伟", roster.wang.id_number, "G1234"],
                      ["李强", roster.li.id_number, "D88"]])
    health = write_csv(tmp_path / "health.csv", ["姓名", "手机号"], [["王芳", "13900002222"]])
    checklist_import(path=rail, source="铁路部门", deadline=clock.today())
    checklist_import(path=health, source="卫健委", deadline=clock.today())


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_grid_worker_works_through_items_on_a_phone(ten_oclock, roster, cast, live_server,
                                                    new_page, tmp_path, lang):
    from firstline.people.services import screening_visit_record

    _two_lists(roster, tmp_path)
    screening_visit_record(actor=cast.grid_a, household=roster.h2,
                 people=[{"resident": roster.li, "temperature": "36.6"}])
    page = new_page(viewport=PHONE, locale="zh-CN")
    errors = []
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    _lang(page, live_server, lang)
    browser_login(page, live_server, "grid_a")
    page.goto(f"{live_server.url}/lists/items/")
    fang = Verification.objects.get(resident=roster.fang)
    card = page.locator(f"#v-{fang.pk}")
    assert "铁路部门" in card.inner_text() and "卫健委" in card.inner_text()
    assert page.locator("article.vitem").count() == 3  # 王芳 once, however many lists
    count = page.locator("#items-count")
    assert ("待联系 3 人" if lang == "zh-hans" else "3 people to reach") in count.inner_text()
    shot(page, f"items-phone-{lang}")
    card.locator("input[name=temperature]").fill("36.5")
    card.locator("button.o-reached").click()
    page.locator(f"#v-{fang.pk}.answered").wait_for()  # answered in place (htmx)
    assert page.url == f"{live_server.url}/lists/items/"
    assert Verification.objects.get(pk=fang.pk).result == "reached"
    # the count at the top follows (out of band, no reload)
    assert ("待联系 2 人" if lang == "zh-hans" else "2 people to reach") in count.inner_text()
    # 李强 was seen on a screening visit: that fact answers without another call
    li = Verification.objects.get(resident=roster.li)
    reading = page.locator(f"#v-{li.pk} form.fact .reading").last
    assert reading.inner_text().replace("\xa0", " ") == "36.6 °C"
    assert reading.evaluate("e => e.getClientRects().length") == 1  # °C never on its own line
    page.locator(f"#v-{li.pk} form.fact button").click()
    page.locator(f"#v-{li.pk}.answered").wait_for()
    done = Verification.objects.get(pk=li.pk)
    assert done.status == "done" and str(done.temperature) == "36.6"
    assert page.locator("article.vitem").count() == 1
    shot(page, f"items-phone-{lang}-after")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not errors, errors


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_hq_uploads_maps_sees_progress_and_downloads(ten_oclock, roster, cast, live_server,
                                                     new_page, tmp_path, lang):
    path = write_csv(tmp_path / "flight.csv", ["序号", "旅客", "证件", "电话", "航班"],
                     [["1", "王芳", roster.fang.id_number, "", "CA1234"],
                      ["2", "刘洋", "", "136 0000 3333", "CA1234"],
                      ["3", "陈静", "", "150-0000-4444", "=1+1"],
                      ["4", "查无此人", "", "13111112222", "CA1234"]])
    page = new_page(viewport=PHONE, locale="zh-CN")
    errors = []
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    _lang(page, live_server, lang)
    browser_login(page, live_server, "hq")
    page.goto(f"{live_server.url}/lists/upload/")
    page.set_input_files("input[name=file]", str(path))
    page.fill("input[name=source]", "机场")
    page.fill("input[name=deadline]", clock.today().isoformat())
    shot(page, f"upload-phone-{lang}")
    page.click("button.primary")
    page.locator("#map-name").wait_for()
    page.select_option("#map-name", "1")
    page.select_option("#map-id_number", "2")
    page.select_option("#map-phone", "3")
    shot(page, f"map-phone-{lang}")
    page.click("button[name=confirm]")
    page.locator("#export").wait_for()
    c = Checklist.objects.get()
    assert (c.matched_by_id, c.matched_by_name_phone, c.unmatched) == (1, 2, 1)
    item = Verification.objects.get(resident=roster.fang)
    from firstline.lists.services import verification_answer

    verification_answer(verification=item, result="reached", actor=cast.grid_a)
    page.reload()
    assert "1" in page.locator("strong").first.inner_text()
    shot(page, f"progress-phone-{lang}")
    with page.expect_download() as info:
        page.click("#export")
    data = Path(info.value.path()).read_bytes()
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    # the sender's columns as sent; ours in the asking user's language
    ours = {"zh-hans": ("核查结果", "核查时间", "核查人", "已联系上"),
            "en": ("Verification result", "Verified at", "Verified by", "Reached")}[lang]
    assert rows[0] == ("序号", "旅客", "证件", "电话", "航班", *ours[:3])
    assert rows[1][5] == ours[3] and rows[3][4] == "'=1+1"
    page.goto(f"{live_server.url}/reports/")
    page.locator("#lists-progress table").wait_for()
    shot(page, f"dashboard-phone-{lang}")
    from datetime import timedelta

    day = (clock.today() - timedelta(days=1)).isoformat()
    page.goto(f"{live_server.url}/reports/signoff/?area=C1&date={day}")
    page.check("input[name=confirm]")  # submitting asks: 我已核对以上数字
    page.click("form[method=post] button.primary")
    page.goto(f"{live_server.url}/reports/signoff/?area=99000101&date={day}")
    assert page.locator("#so-C1 .badge.ok").count() == 1
    assert page.locator("#so-C2 .badge.warn").count() == 1
    shot(page, f"signoff-phone-{lang}")
    from firstline.lists.services import case_record

    case_record(resident=roster.wang, status="confirmed", on=clock.today(), source="县疾控",
                contacts=[{"name": "刘洋", "phone": "13600003333"}], actor=cast.hq)
    page.goto(f"{live_server.url}/lists/cases/")
    page.click("#case-1 form:first-child button, article.card form:first-child button")
    page.locator("#export").wait_for()
    shot(page, f"case-contacts-phone-{lang}")
    page.goto(f"{live_server.url}/lists/cases/")
    shot(page, f"cases-phone-{lang}")
    assert not errors, errors
