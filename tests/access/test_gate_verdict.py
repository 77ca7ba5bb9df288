"""The gate's answer is a verdict a guard can act on: whose household (address in its parts,
members), trips left, what to do next after a refusal, and who was told of a fever."""

import uuid

import pytest

from firstline.isolation.models import Alert, AlertKind

from ..isolation.conftest import make_resident


def body(code, **kw):
    b = {"event_id": str(uuid.uuid4()), "checkpoint": "HL-N", "pass_code": code,
         "direction": "out", "temperature": 36.4, "scanned_at": "2020-02-05T09:00:00+08:00"}
    b.update(kw)
    return b


@pytest.fixture
def members(world):
    return [make_resident(world.h1, "张三"), make_resident(world.h1, "李四")]


def test_an_allowed_scan_names_the_household_address_and_members(world, members, api):
    r = api("gate_c1").post("/api/v1/gate/scans", body(world.pass1.code)).json()
    assert (r["decision"], r["reason"], r["remaining"]) == ("allow", "ok", 0)
    assert r["household"] == {"id": world.h1.pk, "address": "翰林华府 28栋 1单元 101室",
                              "compound": "翰林华府", "building": "28", "unit": "1",
                              "room": "101", "members": 2}
    assert r["next_step"] == ""


def test_the_contract_fields_are_kept(world, api):
    r = api("gate_c1").post("/api/v1/gate/scans", body(world.pass1.code)).json()
    assert {"event_id", "decision", "reason", "crossing_id"} <= set(r)


def test_quota_exhausted_says_what_next_and_when_the_next_period_starts(world, api):
    api("gate_c1").post("/api/v1/gate/scans", body(world.pass1.code))
    r = api("gate_c1").post("/api/v1/gate/scans", body(world.pass1.code)).json()
    assert r["reason"] == "quota_exhausted"
    assert "网格员" in r["next_step"]  # zh-hans, the default language
    # windows of 2 days from 2020-02-04: the next one starts on the 6th
    assert r["next_window"] == "2020-02-06"


def test_a_refusal_next_step_is_in_the_users_language(world, api):
    client = api("gate_c1")
    client.client.cookies["django_language"] = "zh-hans"
    r = client.post("/api/v1/gate/scans", body("NOSUCHCODE0000000000000")).json()
    assert r["reason"] == "pass_unknown" and r["household"] is None
    assert "社区" in r["next_step"]


def test_a_fever_names_the_household_and_the_grid_worker_told(world, cast, api):
    r = api("gate_c1").post("/api/v1/gate/scans", body(world.pass1.code, temperature=38.2)).json()
    assert r["reason"] == "fever"
    assert r["household"]["address"] == "翰林华府 28栋 1单元 101室"
    assert r["notified"] == str(cast.grid_a)
    alert = Alert.objects.get(kind=AlertKind.GATE_FEVER)
    assert alert.owner == cast.grid_a and alert.household_id == world.h1.pk


def test_a_fever_in_a_grid_without_a_worker_notifies_no_one_by_name(world, api):
    r = api("gate_c1").post("/api/v1/gate/scans", body(world.pass2.code, temperature=38.2)).json()
    assert r["reason"] == "fever" and r["notified"] is None  # G1b has no grid worker


def test_the_batch_answers_carry_the_verdict_too(world, api):
    r = api("gate_c1").post("/api/v1/gate/scans/batch",
                            {"scans": [body(world.pass1.code), body(world.pass2.code)]}).json()
    assert [x["household"]["room"] for x in r["results"]] == ["101", "102"]


def test_the_verdict_of_a_scan_judged_now_costs_no_query_for_the_household(
        world, members, scan, django_assert_num_queries):
    """The household (address, members) comes with the judgement's own statement."""
    from firstline.access import services

    crossing = scan(world.pass1, "out")
    assert crossing.decision == "allow"
    with django_assert_num_queries(0):
        verdict = services.scan_verdict(crossing)
    assert verdict["household"]["members"] == 2
    assert verdict["household"]["address"] == "翰林华府 28栋 1单元 101室"


def test_the_verdict_of_a_trip_refused_now_asks_no_query_for_the_next_window(
        world, scan, django_assert_num_queries):
    """The quota rule (its window length), the version in force and when a later version
    takes over come with the judgement's own statement: the verdict asks nothing more. A
    repeat of the same event_id, answered from the stored crossing, asks for all of it and
    names the same day."""
    import uuid

    from firstline.access import services

    scan(world.pass1, "out")
    event_id = uuid.uuid4()
    refused = scan(world.pass1, "out", event_id=event_id)
    assert refused.reason == "quota_exhausted"
    with django_assert_num_queries(0):
        verdict = services.scan_verdict(refused)
    assert str(verdict["next_window"]) == "2020-02-06"
    stored = scan(world.pass1, "out", event_id=event_id)
    assert stored.pk == refused.pk
    assert services.scan_verdict(stored)["next_window"] == verdict["next_window"]


def test_a_late_crossing_recorded_by_the_gate_is_reflected_in_stored_figures(
        world, scan, areas):
    """An offline gate syncing a day later: the gate's own INSERT (no post_save) still
    invalidates the figures stored for that day."""
    from datetime import date

    from firstline.reports.selectors import daily_report, report_compute

    from .conftest import local

    days = [date(2020, 2, 4), date(2020, 2, 5), date(2020, 2, 6)]
    before = report_compute(area=areas.street, days=days, cache_before=days[-1])
    assert before.as_json(index=1)["crossings_out"] == 0
    scan(world.pass1, "out", local(2020, 2, 5, 9))
    after = report_compute(area=areas.street, days=days, cache_before=days[-1])
    assert after.as_json(index=1)["crossings_out"] == 1
    assert after.as_json(index=1) == daily_report(area=areas.street, day=days[1])
