"""On a phone: the street chases a late community, the community sees the reminder and
submits, then submits again (a new version); the street hands an unmatched row over to
another street. zh-hans and en.

Set FIRSTLINE_SCREENS=/some/dir to save screenshots (phone 390×844)."""

from datetime import timedelta

import pytest

from firstline import clock
from firstline.reports.models import ReportChase, ReportSubmission
from tests.conftest import PHONE, browser_login

from ..people.conftest import make_resident
from .test_browser import _lang, shot
from .test_routing import _list

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


RESIDENTS = {"zh-hans": "实有人口", "en": "Residents"}


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_chase_then_submit_and_resubmit_on_a_phone(roster, cast, live_server, new_page, lang):
    day = (clock.today() - timedelta(days=1)).isoformat()
    errors = []
    hq = new_page(viewport=PHONE, locale="zh-CN")
    hq.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    _lang(hq, live_server, lang)
    browser_login(hq, live_server, "hq")
    hq.goto(f"{live_server.url}/reports/signoff/?area=99000101&date={day}")
    hq.locator("#so-C2 button.chase").click()
    hq.wait_for_load_state()
    assert ReportChase.objects.get().area.code == "C2"
    assert hq.locator("#so-C2 .chased").count() == 1
    _fits(hq)
    shot(hq, f"signoff-chase-{lang}")

    c2 = new_page(viewport=PHONE, locale="zh-CN")
    c2.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    _lang(c2, live_server, lang)
    browser_login(c2, live_server, "staff_c2")
    c2.goto(f"{live_server.url}/reports/?area=C2")
    reminder = c2.locator(f"#reminder-C2-{day}")
    assert reminder.count() == 1
    _fits(c2)
    shot(c2, f"dashboard-reminder-{lang}")
    reminder.locator("a.btn").click()
    c2.wait_for_load_state()
    c2.locator("#submit input[name=confirm]").check()
    c2.locator("#submit button.primary").click()
    c2.wait_for_load_state()
    assert ReportSubmission.objects.filter(area__code="C2").count() == 1
    # a late fact, then the community submits again with a reason
    make_resident(roster.h4, name="新来", phone="",
                  since=clock.day_start(clock.today() - timedelta(days=1)))
    c2.reload()
    # the correction since the submission opens the "submit again" part by itself
    assert c2.locator("#resubmit").get_attribute("open") is not None
    assert RESIDENTS[lang] + ": 1 → 2" in c2.locator("#so-C2").inner_text()
    c2.locator("form.resubmit input[name=note]").fill("补录新来人员")
    c2.locator("form.resubmit button").click()
    c2.wait_for_load_state()
    assert list(ReportSubmission.objects.filter(area__code="C2")
                .values_list("version", flat=True).order_by("version")) == [1, 2]
    assert c2.locator("#so-C2 ol.history li").count() == 2
    _fits(c2)
    shot(c2, f"signoff-resubmitted-{lang}")
    hq.reload()
    assert "补录新来人员" in hq.locator("#so-C2").inner_text()
    shot(hq, f"signoff-street-sees-versions-{lang}")
    assert not errors, errors


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_hand_a_row_over_to_another_street_on_a_phone(roster, areas, other, cast,
                                                      live_server, new_page, tmp_path, lang):
    c = _list(roster, tmp_path, areas)
    errors = []
    page = new_page(viewport=PHONE, locale="zh-CN")
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    _lang(page, live_server, lang)
    browser_login(page, live_server, "hq")
    page.goto(f"{live_server.url}/lists/{c.pk}/")
    row = page.locator("#row-2")
    row.locator("select[name=routing]").select_option("other_street")
    row.locator("input[name=to]").fill("99000102")
    row.locator("input[name=note]").fill("住东苑808")
    shot(page, f"route-form-{lang}")
    row.locator("button").click()
    page.wait_for_load_state()
    assert page.locator("#row-2 .handed").count() == 1
    assert c.entries.get(number=2).handed_over is not None
    _fits(page)
    shot(page, f"route-handed-{lang}")
    with page.expect_download() as dl:
        page.locator(f"a[href='/lists/{c.pk}/handover/']").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    assert not errors, errors
