"""On a 390×844 phone: a volunteer signs up by the public link; staff confirm and assign
them to a gate shift; a disinfection round is recorded from the board; a task sent by HQ is
done by a community. Screenshots in zh-hans and en go to FIRSTLINE_SCREENS (if set)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest

from firstline import clock
from firstline.access.models import Checkpoint, Shift
from firstline.operations import services
from firstline.operations.models import Assignment, Round, Task, Volunteer
from tests.conftest import PHONE, browser_login, make_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = os.environ.get("FIRSTLINE_SCREENS")


def shot(page, name):
    if SCREENS:
        Path(SCREENS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENS) / f"{name}.png"), full_page=True)


def _lang(page, live_server, lang):
    page.context.add_cookies([{"name": "django_language", "value": lang,
                               "url": live_server.url}])


def _errors(page):
    errors = []
    page.on("response", lambda r: errors.append((r.status, r.url)) if r.status >= 400 else None)
    return errors


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_sign_up_confirm_and_assign_to_a_gate_shift(cast, areas, live_server, new_page, lang):
    household = make_household(areas.g1a)
    cp = Checkpoint.objects.create(compound=household.compound, code="C1-N", name="北门")
    start = clock.now() + timedelta(hours=1)
    shift = Shift.objects.create(checkpoint=cp, starts_at=start,
                                 ends_at=start + timedelta(hours=8))
    token = services.signup_link_get(actor=cast.staff_c1, area=areas.c1).token

    public = new_page(viewport=PHONE)
    _lang(public, live_server, lang)
    errors = _errors(public)
    public.goto(f"{live_server.url}/operations/signup/{token}/")
    shot(public, f"ops-signup-phone-{lang}")
    public.fill("input[name=name]", "孙七")
    public.fill("input[name=phone]", "13900139000")
    public.fill("input[name=skills]", "驾驶")
    public.click("main button[type=submit]")
    public.locator("#signup-done").wait_for()
    assert "13900139000" not in public.content()
    shot(public, f"ops-signup-done-phone-{lang}")
    assert not errors, errors

    page = new_page(viewport=PHONE)
    _lang(page, live_server, lang)
    errors = _errors(page)
    browser_login(page, live_server, "staff_c1")
    page.goto(f"{live_server.url}/operations/volunteers/")
    pending = page.locator("#pending")
    assert "139****9000" in pending.inner_text()
    shot(page, f"ops-volunteers-pending-phone-{lang}")
    pending.locator("button[type=submit]").click()
    page.locator("#assign").wait_for()
    assert Volunteer.objects.get(phone="13900139000").confirmed_at is not None
    page.select_option("#assign select[name=duty]", "gate")
    page.select_option("#assign select[name=shift]", str(shift.pk))
    page.click("#assign button[type=submit]")
    page.locator(".msg").first.wait_for()
    a = Assignment.objects.get()
    assert a.shift_id == shift.pk and a.volunteer.name == "孙七"
    shift.refresh_from_db()
    assert shift.name == "孙七"
    shot(page, f"ops-volunteers-assigned-phone-{lang}")
    assert not errors, errors


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.time_sensitive
def test_a_round_recorded_from_the_board(ten_oclock, cast, areas, live_server, new_page, lang):
    # At 10:00, mid-period: a lift is done twice a day, 00:00-12:00 and 12:00-24:00; a round
    # at 11:59:59 leaves it due again on the board shown at 12:00.
    make_household(areas.g1a)
    services.places_refresh()  # the compound came through the ORM: the scheduled job's part
    services.place_create(actor=cast.staff_c1, area=areas.c1, kind="lift", name="1栋电梯")
    page = new_page(viewport=PHONE)
    _lang(page, live_server, lang)
    errors = _errors(page)
    browser_login(page, live_server, "staff_c1")
    page.goto(f"{live_server.url}/operations/disinfection/")
    cards = page.locator("section.place")
    assert cards.count() == 2
    shot(page, f"ops-board-phone-{lang}")
    card = cards.filter(has_text="1栋电梯")
    card.locator("button[type=submit]").click()
    page.locator(".msg").first.wait_for()
    assert Round.objects.get().place.name == "1栋电梯"
    assert page.locator("section.place").count() == 1
    shot(page, f"ops-board-after-round-phone-{lang}")
    assert not errors, errors


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_an_hq_task_done_by_a_community(cast, areas, live_server, new_page, lang):
    hq = new_page(viewport=PHONE)
    _lang(hq, live_server, lang)
    errors = _errors(hq)
    browser_login(hq, live_server, "hq")
    hq.goto(f"{live_server.url}/operations/tasks/")
    hq.click("#groups summary")  # HQ sets up a working group first
    hq.fill("#groups input[name=name]", "宣传组")
    hq.check(f"#groups input[name=members][value='{cast.hq.pk}']")
    shot(hq, f"ops-groups-phone-{lang}")
    hq.click("#groups button[type=submit]")
    hq.wait_for_load_state()
    hq.fill("#send input[name=title]", "排查本社区返乡人员")
    hq.fill("#send textarea[name=detail]", "今晚 18 时前上报名单")
    hq.check("#send input[value=C1]")
    hq.check("#send input[value=C2]")
    hq.check("#send input[name=groups]")
    due = (clock.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    hq.fill("#send input[name=due_at]", due)
    shot(hq, f"ops-tasks-send-phone-{lang}")
    hq.click("#send button[type=submit]")
    hq.locator("section.task").first.wait_for()
    assert Task.objects.count() == 3
    assert Task.objects.get(working_group__name="宣传组").area == areas.street
    shot(hq, f"ops-tasks-sent-phone-{lang}")

    page = new_page(viewport=PHONE)
    _lang(page, live_server, lang)
    errors += _errors(page)
    browser_login(page, live_server, "staff_c1")
    page.goto(f"{live_server.url}/operations/tasks/")
    task = page.locator("section.task")
    assert task.count() == 1
    task.locator("input[name=note]").fill("已排查 12 户，无异常")
    task.locator("form[enctype] button[type=submit]").click()
    page.locator("section.task.done").wait_for()
    assert Task.objects.get(area=areas.c1).note == "已排查 12 户，无异常"
    shot(page, f"ops-tasks-done-phone-{lang}")
    hq.goto(f"{live_server.url}/operations/tasks/")
    assert hq.locator("section.task.done").count() == 1
    shot(hq, f"ops-tasks-hq-after-phone-{lang}")
    assert not errors, errors


def test_the_boards_filters_apply_on_change(cast, areas, live_server, new_page):
    """The area picker and "overdue only" apply as soon as they change (data-autosubmit; an
    inline onchange was refused by the CSP, and the street's staff could not see another
    community's board)."""
    page = new_page(viewport=PHONE)
    errors = _errors(page)
    browser_login(page, live_server, "hq")
    page.goto(f"{live_server.url}/operations/disinfection/")
    with page.expect_navigation():
        page.select_option("select[name=area]", areas.c2.code)
    assert f"area={areas.c2.code}" in page.url
    with page.expect_navigation():
        page.check("input[name=overdue]")
    assert "overdue=1" in page.url and f"area={areas.c2.code}" in page.url
    page.goto(f"{live_server.url}/operations/volunteers/")
    with page.expect_navigation():
        page.select_option("select[name=area]", areas.c2.code)
    assert f"area={areas.c2.code}" in page.url
    assert not errors, errors
