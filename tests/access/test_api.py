"""The closed-management API as CONTRACT.md writes it: allowed, wrong role (403), other area
(404), bad input (4xx, never 5xx)."""

import uuid

import pytest

from firstline.access.models import Crossing, Pass, Policy
from firstline.people.models import Household

POLICY = {"closed": True, "out_quota": 1, "window_days": 2, "starts_on": "2020-02-04"}


def scan_body(code, **kw):
    body = {"event_id": str(uuid.uuid4()), "checkpoint": "HL-N", "pass_code": code,
            "direction": "out", "temperature": 36.4, "scanned_at": "2020-02-05T09:00:00+08:00"}
    body.update(kw)
    return body


# --- policy ---------------------------------------------------------------------------------

def test_put_policy_creates_a_new_version(world, api):
    r = api("staff_c1").put(f"/api/v1/compounds/{world.compound.pk}/policy",
                            {**POLICY, "out_quota": 2})
    assert r.status_code == 200, r.content
    assert r.json()["version"] == 2 and r.json()["out_quota"] == 2
    assert Policy.objects.filter(compound=world.compound).count() == 2
    history = api("staff_c1").get(f"/api/v1/compounds/{world.compound.pk}/policy/history")
    assert history.json()["count"] == 2  # a list: paginated like every list (CONTRACT)
    assert [p["version"] for p in history.json()["items"]] == [2, 1]


def test_put_policy_wrong_role_is_403(world, api):
    r = api("gate_c1").put(f"/api/v1/compounds/{world.compound.pk}/policy", POLICY)
    assert r.status_code == 403


def test_put_policy_other_area_is_404(world, api):
    r = api("staff_c2").put(f"/api/v1/compounds/{world.compound.pk}/policy", POLICY)
    assert r.status_code == 404


@pytest.mark.parametrize("bad", [{"window_days": 0}, {"out_quota": -1}, {"starts_on": "soon"},
                                 {"closed": "maybe"}])
def test_put_policy_bad_values_are_422(world, api, bad):
    r = api("staff_c1").put(f"/api/v1/compounds/{world.compound.pk}/policy", {**POLICY, **bad})
    assert r.status_code == 422 and r.json()["error"] == "invalid"


def test_get_policy_of_a_compound_without_one_gives_the_rule_defaults(world, api):
    r = api("staff_c2").get(f"/api/v1/compounds/{world.other.pk}/policy")
    assert r.json()["source"] == "rules" and r.json()["out_quota"] == 1
    assert r.json()["window_days"] == 2


# --- checkpoints ----------------------------------------------------------------------------

def test_post_checkpoint(world, api):
    r = api("staff_c1").post("/api/v1/checkpoints",
                             {"code": "HL-S", "name": "南门", "compound_id": world.compound.pk})
    assert r.status_code == 201 and set(r.json()) == {"id", "code"}


def test_post_checkpoint_duplicate_code_is_409(world, api):
    r = api("staff_c1").post("/api/v1/checkpoints",
                             {"code": "HL-N", "name": "x", "compound_id": world.compound.pk})
    assert r.status_code == 409


def test_post_checkpoint_with_a_name_the_compound_uses_is_409(world, api):
    r = api("staff_c1").post("/api/v1/checkpoints",
                             {"code": "HL-N2", "name": " 北门 ", "compound_id": world.compound.pk})
    assert r.status_code == 409 and "北门" in r.json()["detail"]
    from firstline.people.models import Compound

    second = Compound.objects.create(area=world.compound.area, name="新区")
    other = api("staff_c1").post("/api/v1/checkpoints",
                                 {"code": "HL-N3", "name": "北门", "compound_id": second.pk})
    assert other.status_code == 201  # another compound may have its own 北门


def test_post_checkpoint_wrong_role_and_other_area(world, api):
    body = {"code": "HL-S", "name": "南门", "compound_id": world.compound.pk}
    assert api("gate_c1").post("/api/v1/checkpoints", body).status_code == 403
    assert api("staff_c2").post("/api/v1/checkpoints", body).status_code == 404


def test_close_a_checkpoint(world, api):
    r = api("staff_c1").client.patch(
        f"/api/v1/checkpoints/{world.gate.pk}", {"is_open": False},
        content_type="application/json", **api("staff_c1")._headers())
    assert r.status_code == 200 and r.json()["is_open"] is False


def test_list_checkpoints_is_scoped(world, api):
    codes = [c["code"] for c in api("gate_c1").get("/api/v1/checkpoints").json()["items"]]
    assert codes == ["HL-N"]


# --- passes ---------------------------------------------------------------------------------

def test_issue_passes_for_a_compound_only_to_households_without_one(world, api):
    h3 = Household.objects.create(compound=world.compound, building_name="28", unit="1",
                                  room="103", grid=world.h1.grid)
    r = api("staff_c1").post("/api/v1/passes/issue", {"compound_id": world.compound.pk})
    assert r.status_code == 200
    issued = r.json()["issued"]
    assert [i["household_id"] for i in issued] == [h3.pk]
    again = api("staff_c1").post("/api/v1/passes/issue", {"compound_id": world.compound.pk})
    assert again.json()["issued"] == []


def test_pass_codes_are_url_safe_and_long(world, api):
    h3 = Household.objects.create(compound=world.compound, building_name="28", unit="1",
                                  room="103", grid=world.h1.grid)
    code = api("staff_c1").post("/api/v1/passes/issue",
                                {"household_id": h3.pk}).json()["issued"][0]["code"]
    assert len(code) >= 16 and code.isalnum()  # base32: 5 bits a character, 24 characters


def test_issue_needs_exactly_one_target(world, api):
    r = api("staff_c1").post("/api/v1/passes/issue", {})
    assert r.status_code == 422


def test_issue_wrong_role_and_other_area(world, api):
    assert api("gate_c1").post("/api/v1/passes/issue",
                               {"compound_id": world.compound.pk}).status_code == 403
    assert api("staff_c2").post("/api/v1/passes/issue",
                                {"household_id": world.h1.pk}).status_code == 404


def test_list_passes_of_a_household(world, api):
    r = api("staff_c1").get("/api/v1/passes", household=world.h1.pk)
    assert r.json()["count"] == 1
    assert r.json()["items"][0]["code"] == world.pass1.code
    assert r.json()["items"][0]["valid"] is True
    # Another area's household or compound is a 404 (as /households?compound= is), not [].
    assert api("staff_c2").get("/api/v1/passes", household=world.h1.pk).status_code == 404
    assert api("staff_c2").get("/api/v1/passes", compound=world.compound.pk).status_code == 404
    assert api("staff_c2").get("/api/v1/checkpoints",
                               compound=world.compound.pk).status_code == 404
    assert api("staff_c1").get("/api/v1/checkpoints",
                               compound=world.compound.pk).status_code == 200


def test_revoke_and_reissue(world, api):
    r = api("staff_c1").post(f"/api/v1/passes/{world.pass1.code}/revoke", {"reason": "lost"})
    assert r.status_code == 200 and r.json()["valid"] is False
    assert api("staff_c1").post("/api/v1/passes/issue",
                                {"household_id": world.h1.pk}).json()["issued"][0]["code"]
    assert Pass.objects.filter(household=world.h1, revoked_at__isnull=True).count() == 1


def test_reissue_after_loss(world, api):
    r = api("staff_c1").post(f"/api/v1/passes/{world.pass1.code}/reissue")
    assert r.status_code == 200 and r.json()["code"] != world.pass1.code
    world.pass1.refresh_from_db()
    assert world.pass1.revoked_at is not None


def test_revoke_other_area_is_404(world, api):
    assert api("staff_c2").post(f"/api/v1/passes/{world.pass1.code}/revoke").status_code == 404


# --- gate scans -----------------------------------------------------------------------------

def test_scan_allow(world, api):
    r = api("gate_c1").post("/api/v1/gate/scans", scan_body(world.pass1.code))
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["decision"], body["reason"]) == ("allow", "ok")
    assert Crossing.objects.filter(pk=body["crossing_id"]).exists()


def test_scan_same_event_id_twice_identical_answer_one_crossing(world, api):
    body = scan_body(world.pass1.code)
    a = api("gate_c1").post("/api/v1/gate/scans", body)
    b = api("gate_c1").post("/api/v1/gate/scans", body)
    assert a.status_code == b.status_code == 200
    assert a.json() == b.json()
    assert Crossing.objects.count() == 1


@pytest.mark.parametrize("temperature", [365, 3.65, -1])
def test_scan_out_of_range_temperature_is_bad_temperature(world, api, temperature):
    r = api("gate_c1").post("/api/v1/gate/scans",
                            scan_body(world.pass1.code, temperature=temperature))
    assert r.status_code == 200
    assert (r.json()["decision"], r.json()["reason"]) == ("deny", "bad_temperature")


@pytest.mark.parametrize("temperature", ["abc", [36.5], {"c": 36}])
def test_scan_non_number_temperature_is_422(world, api, temperature):
    r = api("gate_c1").post("/api/v1/gate/scans",
                            scan_body(world.pass1.code, temperature=temperature))
    assert r.status_code == 422 and r.json()["error"] == "invalid"
    assert "temperature" in r.json()["detail"]
    assert not Crossing.objects.exists()


def test_scan_temperature_null_is_accepted_as_temperature_required(world, api):
    r = api("gate_c1").post("/api/v1/gate/scans", scan_body(world.pass1.code, temperature=None))
    assert r.status_code == 200
    assert (r.json()["decision"], r.json()["reason"]) == ("deny", "temperature_required")


@pytest.mark.parametrize("bad", [{"event_id": "not-a-uuid"}, {"direction": "sideways"},
                                 {"scanned_at": "yesterday"}, {"pass_code": "x" * 300}])
def test_scan_malformed_fields_are_422(world, api, bad):
    r = api("gate_c1").post("/api/v1/gate/scans", scan_body(world.pass1.code, **bad))
    assert r.status_code == 422


def test_scan_wrong_role_is_403(world, api):
    assert api("auditor").post("/api/v1/gate/scans",
                               scan_body(world.pass1.code)).status_code == 403


def test_scan_at_a_gate_of_another_area_is_checkpoint_unknown(world, api):
    r = api("gate_c1").post("/api/v1/gate/scans",
                            scan_body(world.pass_other.code, checkpoint="HY-1"))
    assert r.json()["reason"] == "checkpoint_unknown"


def test_scan_without_token_is_401(world, client):
    r = client.post("/api/v1/gate/scans", scan_body(world.pass1.code),
                    content_type="application/json")
    assert r.status_code == 401


def test_batch_results_in_order_each_judged_as_of_its_time(world, api):
    scans = [scan_body(world.pass1.code, scanned_at="2020-02-05T09:00:00+08:00"),
             scan_body(world.pass1.code, scanned_at="2020-02-05T10:00:00+08:00"),
             scan_body(world.pass1.code, scanned_at="2020-02-06T09:00:00+08:00"),
             scan_body("UNKNOWN")]
    r = api("gate_c1").post("/api/v1/gate/scans/batch", {"scans": scans})
    assert r.status_code == 200
    assert [x["reason"] for x in r.json()["results"]] == \
        ["ok", "quota_exhausted", "ok", "pass_unknown"]
    assert [x["event_id"] for x in r.json()["results"]] == [s["event_id"] for s in scans]


def test_batch_replayed_twice_records_nothing_new(world, api):
    scans = [scan_body(world.pass1.code), scan_body(world.pass2.code, direction="in")]
    first = api("gate_c1").post("/api/v1/gate/scans/batch", {"scans": scans}).json()
    count = Crossing.objects.count()
    second = api("gate_c1").post("/api/v1/gate/scans/batch", {"scans": scans}).json()
    assert first == second and Crossing.objects.count() == count == 2


def test_batch_with_a_nul_in_its_second_scan_is_422_naming_it_and_records_nothing(world, api):
    """Refused before any scan is judged, with the same words on SQLite (which would store the
    NUL) and PostgreSQL (which refuses it in text): the gate then sends the scans one by one."""
    scans = [scan_body(world.pass1.code), scan_body("A\x00B")]
    r = api("gate_c1").post("/api/v1/gate/scans/batch", {"scans": scans})
    assert r.status_code == 422, r.content
    assert r.json() == {"error": "invalid",
                        "detail": "scans.1.pass_code: 含有 NUL 字符（\\x00），无法保存：请删除"}
    assert not Crossing.objects.exists()


def test_batch_with_a_bad_item_is_422_and_records_nothing(world, api):
    scans = [scan_body(world.pass1.code), scan_body(world.pass1.code, temperature="abc")]
    r = api("gate_c1").post("/api/v1/gate/scans/batch", {"scans": scans})
    assert r.status_code == 422 and "scans.1.temperature" in r.json()["detail"]
    assert not Crossing.objects.exists()


def test_batch_wrong_role_is_403(world, api):
    r = api("auditor").post("/api/v1/gate/scans/batch", {"scans": [scan_body("X")]})
    assert r.status_code == 403


# --- visitors, vehicles, couriers -----------------------------------------------------------

def test_register_a_visitor(world, api):
    r = api("gate_c1").post("/api/v1/gate/visits", {
        "checkpoint_id": world.gate.pk, "kind": "visitor", "temperature": 36.5, "admitted": True, "name": "王五",
        "phone": "13812345678", "visiting": "28-1-101", "household_id": world.h1.pk,
        "purpose": "送药"})
    assert r.status_code == 201, r.content
    assert r.json()["phone_masked"] == "138****5678" and r.json()["decision"] == "allow"


def test_turn_back_needs_a_reason(world, api):
    body = {"checkpoint_id": world.gate.pk, "kind": "visitor", "temperature": 36.5, "admitted": False, "name": "赵六"}
    assert api("gate_c1").post("/api/v1/gate/visits", body).status_code == 422
    r = api("gate_c1").post("/api/v1/gate/visits", {**body, "turned_back_reason": "走亲访友"})
    assert r.status_code == 201 and r.json()["reason"] == "turned_back"


def test_vehicle_needs_a_plate(world, api):
    body = {"checkpoint_id": world.gate.pk, "kind": "vehicle", "temperature": 36.5, "admitted": True}
    assert api("gate_c1").post("/api/v1/gate/visits", body).status_code == 422
    r = api("gate_c1").post("/api/v1/gate/visits", {**body, "plate": "皖d 12345",
                                                     "origin": "合肥", "out_of_town": True,
                                                     "verified": "单位证明"})
    assert r.json()["plate"] == "皖D12345"


def test_visits_wrong_role_and_other_area(world, api):
    body = {"checkpoint_id": world.gate.pk, "kind": "courier", "temperature": 36.5, "admitted": False}
    assert api("auditor").post("/api/v1/gate/visits", body).status_code == 403
    assert api("staff_c2").post("/api/v1/gate/visits", body).status_code == 404


def test_visit_list_masks_phones_and_is_scoped(world, api):
    api("gate_c1").post("/api/v1/gate/visits", {
        "checkpoint_id": world.gate.pk, "kind": "visitor", "temperature": 36.5, "admitted": True, "name": "王五",
        "phone": "13812345678"})
    items = api("gate_c1").get("/api/v1/gate/visits").json()["items"]
    assert items[0]["phone_masked"] == "138****5678" and "13812345678" not in str(items)
    assert api("staff_c2").get("/api/v1/gate/visits").json()["count"] == 0


# --- duty -----------------------------------------------------------------------------------

def test_plan_three_shifts_and_check_in(world, api):
    r = api("staff_c1").post(f"/api/v1/checkpoints/{world.gate.pk}/shifts/plan",
                             {"day": "2020-02-05", "shifts": 3})
    assert r.status_code == 201 and len(r.json()) == 3
    again = api("staff_c1").post(f"/api/v1/checkpoints/{world.gate.pk}/shifts/plan",
                                 {"day": "2020-02-05", "shifts": 3})
    assert again.json() == []
    shift_id = r.json()[0]["id"]
    import time_machine

    from .conftest import local
    with time_machine.travel(local(2020, 2, 5, 9), tick=False):  # while the shift is on
        c = api("gate_c1").post(f"/api/v1/shifts/{shift_id}/check-in")
        assert c.status_code == 200 and c.json()["user"] == "gate_c1"
        o = api("gate_c1").post(f"/api/v1/shifts/{shift_id}/check-out")
    assert o.json()["checked_out_at"] is not None


def test_plan_shifts_wrong_role_and_other_area(world, api):
    body = {"day": "2020-02-05", "shifts": 3}
    assert api("gate_c1").post(f"/api/v1/checkpoints/{world.gate.pk}/shifts/plan",
                               body).status_code == 403
    assert api("staff_c2").post(f"/api/v1/checkpoints/{world.gate.pk}/shifts/plan",
                                body).status_code == 404


def test_shifts_that_do_not_divide_a_day_are_422(world, api):
    r = api("staff_c1").post(f"/api/v1/checkpoints/{world.gate.pk}/shifts/plan",
                             {"day": "2020-02-05", "shifts": 5})
    assert r.status_code == 422


def test_same_event_twice_in_one_batch_is_recorded_once(world, api):
    body = scan_body(world.pass1.code)
    r = api("gate_c1").post("/api/v1/gate/scans/batch", {"scans": [body, body]})
    first, second = r.json()["results"]
    assert first == second and Crossing.objects.count() == 1


def test_visit_with_an_event_id_is_recorded_once(world, api):
    body = {"checkpoint_id": world.gate.pk, "kind": "courier", "temperature": 36.5, "admitted": False,
            "event_id": str(uuid.uuid4())}
    a = api("gate_c1").post("/api/v1/gate/visits", body)
    b = api("gate_c1").post("/api/v1/gate/visits", body)
    assert a.json()["crossing_id"] == b.json()["crossing_id"]
    assert Crossing.objects.count() == 1


def test_get_policy_wrong_role_and_other_area(world, api):
    assert api("gate_c1").get(f"/api/v1/compounds/{world.compound.pk}/policy").status_code == 403
    assert api("staff_c2").get(f"/api/v1/compounds/{world.compound.pk}/policy").status_code == 404


def test_patch_checkpoint_wrong_role_and_other_area(world, api):
    for user, status in (("gate_c1", 403), ("staff_c2", 404)):
        c = api(user)
        r = c.client.patch(f"/api/v1/checkpoints/{world.gate.pk}", {"is_open": False},
                           content_type="application/json", **c._headers())
        assert r.status_code == status


def test_list_passes_wrong_role_is_403(world, api):
    assert api("gate_c1").get("/api/v1/passes", household=world.h1.pk).status_code == 403


def test_someone_elses_shift_cannot_be_checked_into(world, api, cast):
    from django.utils import timezone

    from firstline.access import services

    now = timezone.now()
    shift = services.shift_create(checkpoint=world.gate, starts_at=now, ends_at=now.replace(
        year=now.year + 1), actor=cast.staff_c1, user=cast.staff_c1)
    r = api("gate_c1").post(f"/api/v1/shifts/{shift.pk}/check-in")
    assert r.status_code == 409 and r.json()["error"] == "not_your_shift"
    assert api("staff_c2").post(f"/api/v1/shifts/{shift.pk}/check-in").status_code == 404


def test_old_visitor_particulars_are_deidentified(world, cast):
    from datetime import timedelta

    from django.utils import timezone

    from firstline.access import services
    from firstline.access.models import GateVisit

    now = timezone.now()
    old = services.gate_visit_record(actor=cast.gate_c1, checkpoint=world.gate, subject="visitor",
                                temperature=36.5, admitted=True, name="王五", phone="13812345678",
                                visiting="28-1-101", at=now - timedelta(days=200))
    new = services.gate_visit_record(actor=cast.gate_c1, checkpoint=world.gate, subject="visitor",
                                temperature=36.5, admitted=True, name="赵六", at=now - timedelta(days=2))
    assert services.visits_deidentify(now=now) == 1
    assert services.visits_deidentify(now=now) == 0
    assert GateVisit.objects.get(crossing=old).phone == "" and GateVisit.objects.get(crossing=new).name
    assert Crossing.objects.count() == 2
