"""Gate duty as a street office runs it: a shift planned for a named person with no login is
theirs — someone else checks in on it only as covering for them (顶班), said before the tap
and kept on the shift; and nobody checks in hours before a shift starts (rule
gate.duty_check_in_early_minutes, 30 minutes by default)."""

from datetime import date, timedelta

import time_machine

from firstline.access import services
from firstline.access.models import Shift
from firstline.accounts.models import AuditEntry
from firstline.rules.models import Rule

from .conftest import local

NINE = local(2020, 2, 5, 9)


EIGHT = local(2020, 2, 5, 8)


def _named(world, cast, name="张三"):
    return services.shift_create(checkpoint=world.gate, starts_at=EIGHT,
                                 ends_at=EIGHT + timedelta(hours=8), actor=cast.staff_c1,
                                 name=name)


# --- covering for a named shift -----------------------------------------------------------

def test_a_named_shift_is_not_taken_by_a_plain_check_in(world, api, cast):
    shift = _named(world, cast)
    with time_machine.travel(NINE, tick=False):
        r = api("gate_c1").post(f"/api/v1/shifts/{shift.pk}/check-in")
    assert r.status_code == 409 and r.json()["error"] == "covering_required"
    assert "本班次排给了张三" in r.json()["detail"]
    shift.refresh_from_db()
    assert shift.user is None and shift.checked_in_at is None


def test_covering_for_a_named_shift_is_recorded_on_it_and_audited(world, api, cast):
    shift = _named(world, cast)
    with time_machine.travel(NINE, tick=False):
        r = api("gate_c1").post(f"/api/v1/shifts/{shift.pk}/check-in", {"covering": True})
    assert r.status_code == 200
    body = r.json()
    assert (body["user"], body["name"], body["covering_for"]) == ("gate_c1", "张三", "张三")
    entry = AuditEntry.objects.filter(action="access.shift_check_in", object_id=str(shift.pk)).get()
    assert entry.actor == cast.gate_c1 and entry.detail_facts["p"] == {"name": "张三"}


def test_the_named_person_needs_no_covering_on_their_own_shift(world, api, cast):
    shift = _named(world, cast, name=str(cast.gate_c1))
    with time_machine.travel(NINE, tick=False):
        r = api("gate_c1").post(f"/api/v1/shifts/{shift.pk}/check-in")
    assert r.status_code == 200 and r.json()["covering_for"] == ""


def test_the_roster_button_says_covering_before_the_tap_and_the_row_after(world, web, cast):
    shift = _named(world, cast)
    page = web("gate_c1", "en")
    with time_machine.travel(NINE, tick=False):
        html = page.get("/access/duty/?day=2020-02-05").content.decode()
        assert "Check in covering for 张三" in html
        assert 'name="covering" value="1"' in html
        page.post(f"/access/duty/shifts/{shift.pk}/", {"action": "in", "covering": "1"})
        html = page.get("/access/duty/?day=2020-02-05").content.decode()
    shift.refresh_from_db()
    assert shift.user == cast.gate_c1 and shift.covering_for == "张三"
    assert "covering for 张三" in html and "Check in covering" not in html


def test_the_page_without_covering_says_why_and_takes_nothing(world, web, cast):
    shift = _named(world, cast)
    with time_machine.travel(NINE, tick=False):
        r = web("gate_c1").post(f"/access/duty/shifts/{shift.pk}/", {"action": "in"},
                                follow=True)
    assert "本班次排给了张三" in r.content.decode()
    shift.refresh_from_db()
    assert shift.user is None and shift.checked_in_at is None


# --- the earliest check-in ----------------------------------------------------------------

def _shift(world, cast, starts):
    return services.shift_create(checkpoint=world.gate, starts_at=starts,
                                 ends_at=starts + timedelta(hours=8), actor=cast.staff_c1)


def test_31_minutes_before_the_start_is_refused_with_409(world, api, cast):
    shift = _shift(world, cast, local(2020, 2, 5, 8))
    with time_machine.travel(local(2020, 2, 5, 7, 29), tick=False):
        r = api("gate_c1").post(f"/api/v1/shifts/{shift.pk}/check-in")
    assert r.status_code == 409 and r.json()["error"] == "shift_not_started"
    assert r.json()["detail"] == "本班次 02-05 08:00 开始：02-05 07:30 起才能签到。"
    shift.refresh_from_db()
    assert shift.user is None and shift.checked_in_at is None


def test_30_minutes_before_the_start_is_allowed(world, api, cast):
    shift = _shift(world, cast, local(2020, 2, 5, 8))
    with time_machine.travel(local(2020, 2, 5, 7, 30), tick=False):
        r = api("gate_c1").post(f"/api/v1/shifts/{shift.pk}/check-in")
    assert r.status_code == 200 and r.json()["user"] == "gate_c1"


def test_a_shift_from_midnight_opens_the_evening_before(world, api, cast):
    shift = _shift(world, cast, local(2020, 2, 6, 0))
    with time_machine.travel(local(2020, 2, 5, 23, 29), tick=False):
        r = api("gate_c1").post(f"/api/v1/shifts/{shift.pk}/check-in")
        assert r.status_code == 409 and r.json()["error"] == "shift_not_started"
    with time_machine.travel(local(2020, 2, 5, 23, 30), tick=False):
        assert api("gate_c1").post(f"/api/v1/shifts/{shift.pk}/check-in").status_code == 200


def test_a_night_shift_over_midnight_is_checked_in_at_its_edge(world, api, cast):
    shift = _shift(world, cast, local(2020, 2, 5, 22))  # 22:00–06:00
    with time_machine.travel(local(2020, 2, 5, 21, 29), tick=False):
        assert api("gate_c1").post(f"/api/v1/shifts/{shift.pk}/check-in").status_code == 409
    with time_machine.travel(local(2020, 2, 6, 1), tick=False):  # after midnight: still on
        assert api("gate_c1").post(f"/api/v1/shifts/{shift.pk}/check-in").status_code == 200


def test_the_rule_sets_how_early(world, api, cast):
    Rule.objects.create(key="gate.duty_check_in_early_minutes", value=60,
                        effective_from=date(2020, 1, 1), source="街道值班规定")
    shift = _shift(world, cast, local(2020, 2, 5, 8))
    with time_machine.travel(local(2020, 2, 5, 7), tick=False):
        assert api("gate_c1").post(f"/api/v1/shifts/{shift.pk}/check-in").status_code == 200


def test_the_roster_says_when_check_in_opens_instead_of_a_button(world, web, cast):
    shift = _shift(world, cast, local(2020, 2, 5, 16))
    with time_machine.travel(NINE, tick=False):
        html = web("gate_c1", "en").get("/access/duty/?day=2020-02-05").content.decode()
    assert "Check-in from 15:30" in html
    assert f"/access/duty/shifts/{shift.pk}/" not in html


def test_the_page_refuses_an_early_tap_in_words(world, web, cast):
    shift = _shift(world, cast, local(2020, 2, 5, 16))
    with time_machine.travel(NINE, tick=False):
        r = web("gate_c1").post(f"/access/duty/shifts/{shift.pk}/", {"action": "in"},
                                follow=True)
    assert "本班次 02-05 16:00 开始：02-05 15:30 起才能签到。" in r.content.decode()
    assert Shift.objects.get(pk=shift.pk).checked_in_at is None


def test_a_pages_shifts_read_the_rule_once_per_day_and_open_as_one_shift_alone(
        world, cast, django_assert_num_queries):
    Rule.objects.create(key="gate.duty_check_in_early_minutes", value=60,
                        effective_from=date(2020, 2, 6), source="街道值班规定")
    shifts = [_shift(world, cast, local(2020, 2, 5, 8)), _shift(world, cast, local(2020, 2, 5, 16)),
              _shift(world, cast, local(2020, 2, 6, 8))]
    alone = [services.check_in_opens(s) for s in shifts]
    early = {}
    with django_assert_num_queries(2):  # one rule read for 02-05, one for 02-06
        paged = [services.check_in_opens(s, early=early) for s in shifts]
    assert paged == alone == [local(2020, 2, 5, 7, 30), local(2020, 2, 5, 15, 30),
                              local(2020, 2, 6, 7)]
    assert early == {date(2020, 2, 5): 30, date(2020, 2, 6): 60}


def test_another_days_roster_does_not_say_nobody_is_on_duty_now(world, web, cast):
    """Tomorrow's roster, looked at while a guard stands today's shift, said "On duty now:
    nobody"; today's still says who is there."""
    _named(world, cast)
    page = web("gate_c1", "en")
    with time_machine.travel(NINE, tick=False):
        today = page.get("/access/duty/?day=2020-02-05").content.decode()
        tomorrow = page.get("/access/duty/?day=2020-02-06").content.decode()
    assert "On duty now:" in today
    assert "On duty now:" not in tomorrow
