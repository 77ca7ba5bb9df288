"""On a phone: a volunteer's own login finds her errand from her delivery duty, sees what to
buy and where, and delivers it; a grid worker takes a new request (我来办).

Set FIRSTLINE_SCREENS=/some/dir to save screenshots (390 × 844, zh-hans and en)."""

from datetime import timedelta

import pytest

from firstline import clock
from firstline.assistance.services import service_request_assign, service_request_create
from firstline.operations import services as operations
from tests.conftest import PASSWORD, PHONE, browser_login

from .test_browser import _set_language, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_volunteer_delivers_her_errand_on_a_phone(world, cast, areas, live_server, new_page,
                                                   lang):
    person = operations.volunteer_create(actor=cast.staff_c1, area=areas.c1, name="王芳",
                                         phone="13905541237", kind="volunteer")
    user = operations.volunteer_login_create(actor=cast.staff_c1, volunteer=person,
                                             username="volunteer1", password=PASSWORD)
    start = clock.now() - timedelta(minutes=30)
    operations.assignment_create(actor=cast.staff_c1, volunteer=person, duty="delivery",
                                 starts_at=start, ends_at=start + timedelta(hours=3),
                                 target="隔离户代购送货")
    req = service_request_create(household=world.h1, kind="groceries",
                                 detail="大米10斤、食用油一桶", source="self_report")
    service_request_create(household=world.h2, kind="medicine", detail="降压药一盒",
                           source="self_report")
    page = new_page(viewport=PHONE, locale="zh-CN")
    errors = []
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    _set_language(page, live_server, lang)
    browser_login(page, live_server, "staff_c1")
    page.goto(f"{live_server.url}/assistance/requests/")
    card = page.locator(f"#req-{req.pk}")
    card.locator("select[name=volunteer]").select_option(str(user.pk))
    shot(page, f"errand-board-assign-volunteer-{lang}")
    card.locator("form[action$='/assign/'] button[type=submit]").click()
    page.locator(f"#req-{req.pk} .st-assigned").wait_for()

    phone = new_page(viewport=PHONE, locale="zh-CN")
    _set_language(phone, live_server, lang)
    browser_login(phone, live_server, "volunteer1")
    phone.goto(f"{live_server.url}/operations/mine/")
    shot(phone, f"errand-volunteer-duties-{lang}")
    phone.locator("a[href='/assistance/tasks/']").last.click()
    phone.wait_for_url(f"{live_server.url}/assistance/tasks/")
    task = phone.locator(f"#req-{req.pk}")
    text = task.inner_text()
    assert "大米10斤" in text and "138****5678" in text and "13812345678" not in text
    assert "降压药" not in phone.content()
    shot(phone, f"errand-volunteer-tasks-{lang}")
    # At the door: she taps the masked number, it becomes the full one to ring (audited).
    task.locator(f"#ph-{world.r1.pk} button").click()
    ring = phone.locator(f"a#ph-{world.r1.pk}[href='tel:13812345678']")
    ring.wait_for()
    assert _one_line(ring)
    shot(phone, f"errand-volunteer-tasks-revealed-{lang}")
    # Groceries: the amount first (bought), and only then delivered; each step is said.
    assert task.locator("button[value=delivered]").count() == 0
    task.locator("input[name=amount]").fill("88.6")
    task.locator("button[value=bought]").click()
    phone.locator(f"#req-{req.pk} .st-bought").wait_for()
    assert "88.60" in phone.locator(f"#req-{req.pk} .msg.success").inner_text()
    phone.locator(f"#req-{req.pk} button[value=delivered]").click()
    phone.locator(f"#req-{req.pk} .st-delivered").wait_for()
    assert phone.locator(f"#req-{req.pk} .msg.success").count() == 1
    shot(phone, f"errand-volunteer-delivered-{lang}")
    req.refresh_from_db()
    assert (req.status, req.volunteer, str(req.amount)) == ("delivered", user, "88.60")
    assert not errors, errors


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_grid_worker_files_then_takes_a_request(world, cast, live_server, new_page, lang):
    named = service_request_create(household=world.h1, kind="medicine", detail="降压药一盒",
                                   source="self_report")
    service_request_assign(request=named, actor=cast.staff_c1, volunteer_name="党员志愿者 周建国",
                           volunteer_phone="13905541234")
    page = new_page(viewport=PHONE, locale="zh-CN")
    _set_language(page, live_server, lang)
    browser_login(page, live_server, "grid_a")
    page.goto(f"{live_server.url}/assistance/requests/new/?household={world.h1.pk}")
    page.fill("textarea[name=detail]", "鸡蛋两盒")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/assistance/requests/")
    assert "13905541234" not in page.content() and "139****1234" in page.content()
    # The named volunteer's "☎ 139****1234" keeps to one line on a 390px phone.
    assert _one_line(page.locator(f"#req-{named.pk} .mono", has_text="139****1234"))
    card_id = page.locator(".req.s-new").first.get_attribute("id")
    page.locator(f"#{card_id} form[action$='/take/'] button").click()
    page.locator(f"#{card_id} .st-assigned").wait_for()
    assert page.locator(f"#{card_id} form[action$='/take/']").count() == 0
    shot(page, f"errand-board-taken-{lang}")
    page.goto(f"{live_server.url}/assistance/tasks/")
    assert "鸡蛋两盒" in page.content()
    shot(page, f"errand-grid-tasks-{lang}")


def _one_line(locator) -> bool:
    """The element's text sits on one line: its text's boxes all have the same top."""
    return locator.evaluate("e => { const r = document.createRange(); r.selectNodeContents(e);"
                            " return new Set([...r.getClientRects()]"
                            ".map(x => Math.round(x.top))).size === 1; }")


TAKEN = {"zh-hans": "已由您认领", "en": "is yours"}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_volunteer_takes_a_waiting_errand_on_a_phone(world, cast, areas, live_server,
                                                       new_page, lang):
    """Menu → Errands to take: masked (compound and building), 我来办, then My tasks."""
    person = operations.volunteer_create(actor=cast.staff_c1, area=areas.c1, name="王芳",
                                         phone="13905541237", kind="volunteer")
    operations.volunteer_login_create(actor=cast.staff_c1, volunteer=person,
                                      username="volunteer1", password=PASSWORD)
    req = service_request_create(household=world.h1, kind="groceries", detail="大米10斤",
                                 source="self_report")
    phone = new_page(viewport=PHONE, locale="zh-CN")
    errors = []
    phone.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
    _set_language(phone, live_server, lang)
    browser_login(phone, live_server, "volunteer1")
    phone.goto(f"{live_server.url}/assistance/requests/")
    card = phone.locator(f"#req-{req.pk}")
    assert "阳光花园 1栋" in card.inner_text() and "101" not in card.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, f"errand-volunteer-to-take-{lang}")
    card.locator("button[type=submit]").click()
    phone.wait_for_url(f"{live_server.url}/assistance/tasks/")
    assert TAKEN[lang] in phone.locator("ul.messages").inner_text()
    assert "101室" in phone.locator(f"#req-{req.pk}").inner_text()
    shot(phone, f"errand-volunteer-taken-{lang}")
    assert not errors, errors
