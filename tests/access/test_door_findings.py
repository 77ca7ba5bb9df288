"""Findings reach someone (CONTRACT.md second wave): a fever or a risk-area return found at
the door opens an alert, the household's "out" is held while a fever alert of a member is open,
every crossing is measured, visitors with fever or from a listed risk area are turned back."""

import uuid
from datetime import date

import pytest

from firstline.access import services
from firstline.access.models import Crossing
from firstline.isolation.models import Alert, AlertKind
from firstline.isolation.services import alert_resolve
from firstline.people.models import RiskArea
from firstline.people.services import screening_visit_record
from firstline.rules.models import Rule

from ..people.conftest import make_resident
from .conftest import local


@pytest.fixture
def shao(world):
    return make_resident(world.h1, name="邵兰", phone="13800001111")


@pytest.fixture
def wuhan(db):
    return RiskArea.objects.create(province="湖北省", city="武汉市", since=date(2020, 1, 1))


def door_visit(cast, household, resident, at, **facts):
    return screening_visit_record(actor=cast.grid_a, household=household, visited_at=at,
                        people=[{"resident": resident, **facts}])


def test_a_fever_at_the_door_opens_a_door_fever_alert_with_the_household(world, cast, shao):
    door_visit(cast, world.h1, shao, local(2020, 2, 5, 8), temperature="37.8")
    alert = Alert.objects.get(kind=AlertKind.DOOR_FEVER)
    assert (alert.resident, alert.household, alert.area) == (shao, world.h1, world.h1.grid)
    assert alert.resolved_at is None and "37.8" in alert.detail


def test_a_normal_temperature_at_the_door_opens_nothing(world, cast, shao):
    door_visit(cast, world.h1, shao, local(2020, 2, 5, 8), temperature="36.6")
    assert not Alert.objects.exists()


def test_door_fever_holds_the_household_out_until_resolved_then_allows(world, cast, shao, scan):
    """The issue's chain: visit 37.8 → door_fever → "out" is fever_hold → resolved → allowed."""
    door_visit(cast, world.h1, shao, local(2020, 2, 5, 8), temperature="37.8")
    held = scan(world.pass1, "out", local(2020, 2, 5, 8, 3), temperature=36.4)
    assert (held.decision, held.reason) == ("deny", "fever_hold")
    assert scan(world.pass1, "in", local(2020, 2, 5, 8, 4)).decision == "allow"
    alert = Alert.objects.get(kind=AlertKind.DOOR_FEVER)
    alert_resolve(alert=alert, outcome="复测 36.5", actor=cast.staff_c1,
                  now=local(2020, 2, 5, 9))
    assert scan(world.pass1, "out", local(2020, 2, 5, 9, 5)).reason == "ok"


def test_the_fever_hold_rule_can_be_turned_off_from_a_date(world, cast, shao, scan):
    Rule.objects.create(key="gate.fever_hold", value=False, effective_from=date(2020, 2, 6),
                        source="test")
    door_visit(cast, world.h1, shao, local(2020, 2, 5, 8), temperature="37.8")
    assert scan(world.pass1, "out", local(2020, 2, 5, 9)).reason == "fever_hold"
    assert scan(world.pass1, "out", local(2020, 2, 6, 9)).reason == "ok"


def test_a_return_from_a_risk_area_within_the_period_opens_risk_return(world, cast, shao, wuhan):
    door_visit(cast, world.h1, shao, local(2020, 2, 5, 8), from_province="湖北",
               from_city="武汉", returned_on=date(2020, 2, 1))
    alert = Alert.objects.get(kind=AlertKind.RISK_RETURN)
    assert (alert.resident, alert.household) == (shao, world.h1)


def test_a_return_older_than_the_isolation_period_opens_nothing(world, cast, shao, wuhan):
    door_visit(cast, world.h1, shao, local(2020, 2, 20, 8), from_province="湖北",
               from_city="武汉", returned_on=date(2020, 2, 1))
    assert not Alert.objects.filter(kind=AlertKind.RISK_RETURN).exists()


def test_door_alerts_are_listed_for_staff_and_grid_worker_not_other_areas(world, cast, shao,
                                                                           wuhan, api):
    door_visit(cast, world.h1, shao, local(2020, 2, 5, 8), temperature="37.8",
               from_province="湖北", from_city="武汉", returned_on=date(2020, 2, 1))
    for user, area in (("staff_c1", "C1"), ("grid_a", "G1a")):
        items = api(user).get("/api/v1/alerts", status="open", area=area).json()["items"]
        assert {(i["kind"], i["resident_id"]) for i in items} == {
            ("door_fever", shao.pk), ("risk_return", shao.pk)}
    assert api("staff_c2").get("/api/v1/alerts", status="open", area="C1").status_code == 404


def test_a_door_fever_via_the_api_opens_the_alert(world, api, shao):
    r = api("grid_a").post("/api/v1/visits", {
        "household_id": world.h1.pk, "visited_at": "2020-02-05T08:00:00+08:00",
        "people": [{"resident_id": shao.pk, "temperature": 37.8}]})
    assert r.status_code in (200, 201), r.content
    assert Alert.objects.filter(kind="door_fever", resident=shao).count() == 1


# --- visitors ---------------------------------------------------------------------------------

def visitor(**kw):
    return {"kind": "visitor", "admitted": True, "name": "王五", "origin": "合肥", **kw}


def test_a_visitor_without_temperature_is_422_naming_the_field(world, api):
    r = api("gate_c1").post("/api/v1/gate/visits", visitor(checkpoint_id=world.gate.pk))
    assert r.status_code == 422 and r.json()["error"] == "temperature_required"
    assert not Crossing.objects.exists()


def test_a_visitor_with_fever_is_turned_back_and_alerted(world, api):
    r = api("gate_c1").post("/api/v1/gate/visits",
                            visitor(checkpoint_id=world.gate.pk, temperature=38.9))
    assert r.status_code == 201
    assert (r.json()["decision"], r.json()["reason"], r.json()["temperature"]) == (
        "deny", "fever", 38.9)
    alert = Alert.objects.get(kind=AlertKind.GATE_FEVER)
    assert alert.area == world.compound.area and "王五" not in alert.detail


def test_two_feverish_visitors_are_two_alerts(world, api):
    for _ in range(2):
        api("gate_c1").post("/api/v1/gate/visits",
                            visitor(checkpoint_id=world.gate.pk, temperature=38.9))
    assert Alert.objects.filter(kind=AlertKind.GATE_FEVER).count() == 2


def test_a_visitor_from_a_listed_risk_area_is_turned_back(world, api, wuhan):
    r = api("gate_c1").post("/api/v1/gate/visits", visitor(
        checkpoint_id=world.gate.pk, temperature=36.5, origin="湖北武汉"))
    assert (r.json()["decision"], r.json()["reason"]) == ("deny", "risk_area")


def test_risk_visitors_admitted_when_the_rule_is_off(world, api, wuhan):
    Rule.objects.create(key="gate.turn_back_risk_visitors", value=False,
                        effective_from=date(2000, 1, 1), source="test")
    r = api("gate_c1").post("/api/v1/gate/visits", visitor(
        checkpoint_id=world.gate.pk, temperature=36.5, origin="湖北武汉"))
    assert r.json()["decision"] == "allow"


def test_a_visit_reusing_a_scans_event_id_is_409_not_500(world, api, scan):
    c = scan(world.pass1, "out")
    r = api("gate_c1").post("/api/v1/gate/visits", visitor(
        checkpoint_id=world.gate.pk, temperature=36.5, event_id=str(c.event_id)))
    assert r.status_code == 409 and r.json()["error"] == "event_id_reused"


def test_a_visit_reusing_a_scans_event_id_is_told_so_and_nothing_else(world, api, scan):
    c = scan(world.pass1, "out")
    r = api("gate_c1").post("/api/v1/gate/visits", visitor(
        checkpoint_id=world.gate.pk, temperature=36.5, event_id=str(c.event_id)))
    assert r.json() == {"error": "event_id_reused", "detail": "该 event_id 已用于另一条出入记录。"}


def test_a_visit_reusing_another_gates_event_id_shows_nothing_of_it(world, api, cast):
    event = uuid.uuid4()
    services.gate_visit_record(actor=cast.staff_c2, checkpoint=world.gate_other, subject="visitor",
                          admitted=True, name="陈静", temperature=36.5, event_id=event)
    r = api("gate_c1").post("/api/v1/gate/visits", visitor(
        checkpoint_id=world.gate.pk, temperature=36.5, event_id=str(event)))
    assert r.status_code == 409 and "陈静" not in r.content.decode()


# --- the daily report: 劝返 is visitors, crossings_denied is refused pass scans -------------

def test_visitors_turned_back_and_refused_scans_are_two_figures(world, cast, scan, api, wuhan):
    from firstline.reports.selectors import daily_report

    at = local(2020, 2, 5, 9)
    for origin in ("湖北武汉", "合肥"):  # one by rule, one by the guard
        services.gate_visit_record(actor=cast.gate_c1, checkpoint=world.gate, subject="visitor",
                              admitted=False, name="王五", origin=origin, temperature=36.5,
                              turned_back_reason="走亲访友", at=at)
    services.gate_visit_record(actor=cast.gate_c1, checkpoint=world.gate, subject="visitor",
                          admitted=True, name="赵六", temperature=36.5, at=at)
    scan(world.pass1, "out", at)                       # ok
    scan(world.pass1, "out", at)                       # quota_exhausted: refused
    scan(world.pass1, "out", at, temperature=None)     # temperature_required: not counted
    scan("NOPE", "out", at)                            # pass_unknown: refused
    node = daily_report(area=world.compound.area, day=date(2020, 2, 5))
    assert node["visitors_turned_back"] == 2
    assert node["crossings_denied"] == 2
    assert node["crossings_in"] == 1 and node["crossings_out"] == 1


def test_a_door_fever_counts_in_fever_alerts(world, cast, shao):
    from firstline.reports.selectors import daily_report

    door_visit(cast, world.h1, shao, local(2020, 2, 5, 8), temperature="37.8")
    assert daily_report(area=world.compound.area, day=date(2020, 2, 5))["fever_alerts"] == 1


def test_a_visitors_temperature_typed_as_text_is_read_by_the_one_parser(world, api):
    r = api("gate_c1").post("/api/v1/gate/visits",
                            visitor(checkpoint_id=world.gate.pk, temperature="38,9℃"))
    assert r.status_code == 201
    assert (r.json()["reason"], r.json()["temperature"]) == ("fever", 38.9)
    r = api("gate_c1").post("/api/v1/gate/visits",
                            visitor(checkpoint_id=world.gate.pk, temperature="365"))
    assert r.status_code == 422 and r.json()["error"] == "bad_temperature"


# --- `admitted` in the answer (CONTRACT.md: a fever answers `admitted: false`) ---------------

def test_a_courier_with_fever_answers_admitted_false(world, api):
    r = api("gate_c1").post("/api/v1/gate/visits", {
        "checkpoint_id": world.gate.pk, "kind": "courier", "admitted": True, "temperature": 38.0})
    assert r.status_code == 201
    assert (r.json()["admitted"], r.json()["reason"]) == (False, "fever")


def test_an_admitted_visitor_answers_admitted_true(world, api):
    r = api("gate_c1").post("/api/v1/gate/visits",
                            visitor(checkpoint_id=world.gate.pk, temperature=36.5))
    assert r.json()["admitted"] is True


def test_a_replayed_visit_answers_admitted_as_the_first(world, api):
    body = visitor(checkpoint_id=world.gate.pk, temperature=38.0, event_id=str(uuid.uuid4()))
    api("gate_c1").post("/api/v1/gate/visits", body)
    assert api("gate_c1").post("/api/v1/gate/visits", body).json()["admitted"] is False


def test_the_visit_list_says_who_was_admitted(world, api):
    api("gate_c1").post("/api/v1/gate/visits", visitor(checkpoint_id=world.gate.pk, temperature=38.0))
    api("gate_c1").post("/api/v1/gate/visits", visitor(checkpoint_id=world.gate.pk, temperature=36.5))
    items = api("gate_c1").get("/api/v1/gate/visits").json()["items"]
    assert sorted(i["admitted"] for i in items) == [False, True]


def test_the_openapi_visit_answer_has_admitted(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["GateVisitOut"]
    assert schema["properties"]["admitted"]["type"] == "boolean"
    assert "admitted" in schema["required"]
