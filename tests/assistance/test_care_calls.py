from datetime import timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from firstline.assistance.models import CareCall
from firstline.assistance.selectors import care_call_list
from firstline.assistance.services import care_call_log, slot_at
from firstline.errors import InvalidInput, RuleViolation
from firstline.isolation.models import Alert
from firstline.rules.models import Rule

from .conftest import DAY, isolate, local, make_household, make_resident


def test_slot_follows_the_local_clock(db):
    assert slot_at(local(7)) == "morning"     # before the first slot counts for it
    assert slot_at(local(9)) == "morning"
    assert slot_at(local(14)) == "afternoon"
    assert slot_at(local(23, 59)) == "afternoon"


def test_call_list_groups_isolated_residents_by_household_in_the_workers_grid(world, cast):
    data = care_call_list(cast.grid_a, day=DAY, at=local(9))
    assert [row.household for row in data["rows"]] == [world.h1]
    assert {r.name for r, _i in data["rows"][0].residents} == {"张三", "李四"}
    assert data["slots"] == ["morning", "afternoon"]


def test_community_staff_sees_every_grid_of_the_community(world, cast):
    data = care_call_list(cast.staff_c1, day=DAY, at=local(9))
    assert {row.household for row in data["rows"]} == {world.h1, world.h2}


def test_centralized_and_ended_isolations_are_not_called(world, cast):
    r = make_resident(world.h4, "孙八")
    isolate(r, kind="centralized")
    old = make_resident(world.h4, "周九")
    isolate(old, starts_on=DAY - timedelta(days=20), days=14)
    data = care_call_list(cast.grid_a, day=DAY, at=local(9))
    assert world.h4 not in [row.household for row in data["rows"]]


def test_remaining_counts_households_to_call_in_the_current_slot(world, cast):
    assert care_call_list(cast.grid_a, day=DAY, at=local(9))["remaining"] == 1
    care_call_log(household=world.h1, outcome="ok", actor=cast.grid_a, at=local(9))
    assert care_call_list(cast.grid_a, day=DAY, at=local(10))["remaining"] == 0
    assert care_call_list(cast.grid_a, day=DAY, at=local(15))["remaining"] == 1


def test_an_earlier_slot_without_any_call_counts_as_missed(world, cast):
    data = care_call_list(cast.grid_a, day=DAY, at=local(15))
    assert (data["remaining"], data["missed"]) == (1, 1)
    care_call_log(household=world.h1, outcome="no_answer", actor=cast.grid_a, at=local(9))
    assert care_call_list(cast.grid_a, day=DAY, at=local(15))["missed"] == 0


def test_one_tap_logs_the_outcome_for_the_current_slot(world, cast):
    call = care_call_log(household=world.h1, outcome="ok", actor=cast.grid_a, at=local(15))
    assert (call.day, call.slot, call.outcome, call.worker) == (DAY, "afternoon", "ok",
                                                                cast.grid_a)


def test_calling_back_after_no_answer_updates_the_same_slot(world, cast):
    care_call_log(household=world.h1, outcome="no_answer", actor=cast.grid_a, at=local(9))
    call = care_call_log(household=world.h1, outcome="ok", actor=cast.grid_a, at=local(9, 30))
    assert CareCall.objects.count() == 1
    assert (call.outcome, call.attempts) == ("ok", 2)
    assert care_call_list(cast.grid_a, day=DAY, at=local(10))["remaining"] == 0


def test_symptoms_open_one_alert(world, cast):
    care_call_log(household=world.h1, outcome="symptoms", actor=cast.grid_a, note="咳嗽",
                  at=local(9))
    care_call_log(household=world.h1, outcome="symptoms", actor=cast.grid_a, at=local(9, 5))
    alert = Alert.objects.get()
    assert (alert.kind, alert.household, alert.area) == ("symptoms", world.h1, world.h1.grid)
    assert alert.owner == cast.grid_a


def test_needs_help_opens_a_help_alert(world, cast):
    care_call_log(household=world.h1, outcome="needs_help", actor=cast.grid_a, at=local(9))
    assert Alert.objects.get().kind == "help"


def test_a_household_not_isolated_cannot_be_logged(world, cast):
    with pytest.raises(RuleViolation):
        care_call_log(household=world.h4, outcome="ok", actor=cast.grid_a, at=local(9))


def test_unknown_outcome_and_slot_are_invalid(world, cast):
    with pytest.raises(InvalidInput):
        care_call_log(household=world.h1, outcome="fine", actor=cast.grid_a, at=local(9))
    with pytest.raises(InvalidInput):
        care_call_log(household=world.h1, outcome="ok", slot="night", actor=cast.grid_a,
                      at=local(9))


def test_worker_cannot_log_a_household_of_another_grid(world, cast):
    with pytest.raises(Http404):
        care_call_log(household=world.h2, outcome="ok", actor=cast.grid_a, at=local(9))


def test_slots_come_from_the_rule_in_force(world, cast):
    Rule.objects.create(key="care.call_slots", value=[["morning", "08:00"], ["noon", "12:00"],
                                                      ["evening", "18:00"]],
                        effective_from=DAY, source="test notice")
    data = care_call_list(cast.grid_a, day=DAY, at=local(19))
    assert data["slots"] == ["morning", "noon", "evening"]
    call = care_call_log(household=world.h1, outcome="ok", actor=cast.grid_a, at=local(19))
    assert call.slot == "evening"
    assert call.rule_version.startswith("rule:")


def test_call_list_queries_do_not_grow_with_households(world, cast, areas):
    def queries():
        cast.grid_a.__dict__.pop("_scope_cache", None)
        with CaptureQueriesContext(connection) as ctx:
            care_call_list(cast.grid_a, day=DAY, at=local(9))
        return len(ctx.captured_queries)

    before = queries()
    for i in range(10):
        household = make_household(areas.g1a, world.compound1, f"5{i:02d}")
        isolate(make_resident(household, f"住户{i}"))
        care_call_log(household=household, outcome="ok", actor=cast.grid_a, at=local(9))
    assert queries() == before


def test_households_still_to_call_come_first(world, cast):
    data = care_call_list(cast.staff_c1, day=DAY, at=local(9))
    assert [r.household for r in data["rows"]] == [world.h1, world.h2]
    care_call_log(household=world.h1, outcome="ok", actor=cast.staff_c1, at=local(9))
    data = care_call_list(cast.staff_c1, day=DAY, at=local(9, 5))
    assert [r.household for r in data["rows"]] == [world.h2, world.h1]
