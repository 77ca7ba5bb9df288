"""On a phone: a refused answer or test result comes back with the error beside its field and
what was typed kept (FIRSTLINE_SCREENS=/some/dir saves screenshots, zh-hans and en)."""

from datetime import timedelta

import pytest

from firstline import clock
from firstline.lists.models import Verification
from firstline.lists.services import checklist_import
from tests.conftest import PHONE, browser_login

from .conftest import write_csv
from .test_browser import _lang, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_refused_answer_comes_back_beside_its_field(roster, cast, live_server, new_page,
                                                      tmp_path, lang):
    from playwright.sync_api import expect

    path = write_csv(tmp_path / "l.csv", ["姓名", "身份证号"], [["王芳", roster.fang.id_number]])
    checklist_import(path=path, source="铁路部门", deadline=clock.today())
    fang = Verification.objects.get(resident=roster.fang)
    page = new_page(viewport=PHONE, locale="zh-CN")
    _lang(page, live_server, lang)
    browser_login(page, live_server, "grid_a")
    page.goto(f"{live_server.url}/lists/items/")
    card = page.locator(f"#v-{fang.pk}")
    card.locator("input[name=temperature]").fill("36.5")
    card.locator("details.more summary").click()
    card.locator("input[name=from_province]").fill("湖北")
    card.locator("input[name=returned_on]").fill(
        (clock.today() + timedelta(days=2)).isoformat())
    card.locator("button.o-reached").click()
    card = page.locator(f"#v-{fang.pk}")
    expect(card.locator("label:has(input[name=returned_on]) .error")).to_have_text(
        {"zh-hans": "返回日期不能晚于今天。", "en": "The return date is in the future."}[lang])
    expect(card.locator("input[name=from_province]")).to_have_value("湖北")
    expect(card.locator("input[name=temperature]")).to_have_value("36.5")
    shot(page, f"items-refused-phone-{lang}")
    assert page.url == f"{live_server.url}/lists/items/"  # in place: a reload sends nothing
    assert Verification.objects.get(pk=fang.pk).status == "open"


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_refused_test_result_keeps_the_id_number(roster, cast, live_server, new_page, lang):
    from playwright.sync_api import expect

    page = new_page(viewport=PHONE, locale="zh-CN")
    _lang(page, live_server, lang)
    browser_login(page, live_server, "staff_c1")
    page.goto(f"{live_server.url}/lists/cases/")
    page.locator("#test-form summary").click()
    form = page.locator("#test-form form")
    form.locator("input[name=id_number]").fill(roster.fang.id_number)
    form.locator("input[name=sampled_on]").fill((clock.today() + timedelta(days=3)).isoformat())
    form.locator("button[type=submit]").click()
    form = page.locator("#test-form form")
    expect(form.locator("label:has(input[name=sampled_on]) .error")).to_have_text(
        {"zh-hans": "采样日期晚于今天。", "en": "The sample date is in the future."}[lang])
    expect(form.locator("input[name=id_number]")).to_have_value(roster.fang.id_number)
    shot(page, f"cases-refused-phone-{lang}")
