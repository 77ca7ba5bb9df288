"""The offline gate: a signed snapshot per checkpoint, decisions made offline kept beside the
server's (the judge of record), and every disagreement listed for duty staff."""

import json
import uuid
from datetime import date

import pytest
import time_machine

from firstline.access import services
from firstline.access.models import OfflineVerdict
from firstline.isolation.models import Isolation, Lockdown

from ..isolation.conftest import make_resident
from .conftest import local

NOON = local(2020, 2, 5, 12)


def snapshot(api, user="gate_c1", checkpoint="HL-N"):
    client = api(user)  # its token is made now, not in 2020
    with time_machine.travel(NOON, tick=False):
        return client.get("/api/v1/gate/snapshot", checkpoint=checkpoint)


def scan(code, *, checkpoint="HL-N", offline=None, event_id=None, at="2020-02-05T12:30:00+08:00"):
    body = {"event_id": event_id or str(uuid.uuid4()), "checkpoint": checkpoint,
            "pass_code": code, "direction": "out", "temperature": 36.4, "scanned_at": at}
    if offline:
        body["offline"] = offline
    return body


# --- the snapshot ---------------------------------------------------------------------------

def test_the_snapshot_holds_hashed_codes_never_the_codes(world, api):
    r = snapshot(api)
    assert r.status_code == 200
    data = r.json()
    assert world.pass1.code not in r.content.decode()
    digest = services.pass_code_digest(data["salt"], world.pass1.code.lower())
    assert data["passes"][digest] == [world.h1.pk, 0]


def test_the_snapshot_marks_a_revoked_pass(world, cast, api):
    services.pass_revoke(pass_obj=world.pass2, actor=cast.staff_c1, now=local(2020, 2, 5, 8))
    data = snapshot(api).json()
    assert data["passes"][services.pass_code_digest(data["salt"], world.pass2.code)] == \
        [world.h2.pk, 1]


def test_the_snapshot_counts_trips_left_in_the_current_window(world, api):
    api("gate_c1").post("/api/v1/gate/scans", scan(world.pass1.code, at="2020-02-05T09:00:00+08:00"))
    data = snapshot(api).json()
    assert data["quota"] == {"closed": True, "quota": 1, "window_days": 2,
                             "starts_on": "2020-02-04", "window_start": "2020-02-04"}
    assert data["households"][str(world.h1.pk)]["left"] == 0
    assert data["households"][str(world.h2.pk)]["left"] == 1
    assert data["households"][str(world.h2.pk)]["address"] == "翰林华府 28栋 1单元 102室"


def test_the_snapshot_carries_isolation_and_lockdown(world, api):
    r = make_resident(world.h1)
    Isolation.objects.create(resident=r, household=world.h1, grid=world.h1.grid, kind="home",
                             reason="close_contact", starts_on=date(2020, 2, 1),
                             ends_on=date(2020, 2, 15))
    data = snapshot(api).json()
    assert data["households"][str(world.h1.pk)]["restriction"] == "isolation"
    assert data["households"][str(world.h2.pk)]["restriction"] is None
    Lockdown.objects.create(compound=world.compound, starts_on=date(2020, 2, 5),
                            ends_on=date(2020, 2, 19))
    data = snapshot(api).json()
    assert {h["restriction"] for h in data["households"].values()} == {"lockdown"}


def test_the_snapshot_is_signed_by_the_server(world, api):
    data = snapshot(api).json()
    cp_id = world.gate.pk
    assert services.snapshot_moment(data["signature"], cp_id) == NOON
    assert services.snapshot_moment(data["signature"] + "x", cp_id) is None
    assert services.snapshot_moment(data["signature"], world.gate_other.pk) is None


def test_snapshot_wrong_role_is_403(world, api):
    assert snapshot(api, "auditor").status_code == 403


def test_snapshot_of_another_areas_checkpoint_is_404(world, api):
    assert snapshot(api, checkpoint="HY-1").status_code == 404


def test_snapshot_of_a_closed_checkpoint_is_404(world, cast, api):
    services.checkpoint_set_open(checkpoint=world.gate, is_open=False, actor=cast.staff_c1)
    assert snapshot(api).status_code == 404


# --- decisions made offline -----------------------------------------------------------------

@pytest.fixture
def south(world, cast):
    return services.checkpoint_create(compound=world.compound, code="HL-S", name="南门",
                                      actor=cast.staff_c1)


def test_one_household_let_out_at_two_offline_gates_is_listed(world, south, api):
    # Both gates took their snapshot at noon (one trip left), then lost the network.
    north, south_sig = (snapshot(api, checkpoint=cp).json()["signature"] for cp in ("HL-N", "HL-S"))
    gate = api("gate_c1")
    a = gate.post("/api/v1/gate/scans/batch", {"scans": [scan(world.pass1.code, offline={
        "decision": "allow", "reason": "ok", "snapshot": north})]})
    b = gate.post("/api/v1/gate/scans/batch", {"scans": [
        scan(world.pass1.code, checkpoint="HL-S", at="2020-02-05T12:31:00+08:00", offline={
            "decision": "allow", "reason": "ok", "snapshot": south_sig})]})
    assert a.json()["results"][0]["offline_agrees"] is True
    assert (b.json()["results"][0]["reason"], b.json()["results"][0]["offline_agrees"]) == \
        ("quota_exhausted", False)
    listed = api("staff_c1").get("/api/v1/gate/disagreements", area="C1").json()["items"]
    assert len(listed) == 1
    item = listed[0]
    assert (item["checkpoint"], item["offline_decision"], item["decision"], item["reason"]) == \
        ("HL-S", "allow", "deny", "quota_exhausted")
    assert item["address"] == "翰林华府 28栋 1单元 101室"
    assert item["snapshot_at"].startswith("2020-02-05T04:00:00")  # NOON in UTC


def test_a_second_sync_of_an_offline_decision_records_it_once(world, api):
    body = scan(world.pass1.code, offline={"decision": "deny", "reason": "quota_exhausted"})
    api("gate_c1").post("/api/v1/gate/scans/batch", {"scans": [body]})
    r = api("gate_c1").post("/api/v1/gate/scans/batch", {"scans": [body]})
    assert r.json()["results"][0]["offline_agrees"] is False
    assert OfflineVerdict.objects.count() == 1


def test_an_offline_decision_without_a_valid_signature_is_kept_and_marked(world, api):
    api("gate_c1").post("/api/v1/gate/scans", scan(world.pass1.code, offline={
        "decision": "deny", "reason": "pass_unknown", "snapshot": "forged"}))
    v = OfflineVerdict.objects.get()
    assert v.snapshot_at is None and v.agrees is False


def test_a_malformed_offline_decision_is_422_and_nothing_recorded(world, api):
    r = api("gate_c1").post("/api/v1/gate/scans", scan(world.pass1.code, offline={
        "decision": "maybe", "reason": "ok"}))
    assert r.status_code == 422 and "offline" in json.dumps(r.json())
    assert not OfflineVerdict.objects.exists()


def test_disagreements_wrong_role_is_403(world, api):
    assert api("grid_a").get("/api/v1/gate/disagreements").status_code == 403


def test_disagreements_of_another_area_are_404_and_not_listed(world, api):
    api("gate_c1").post("/api/v1/gate/scans", scan(world.pass1.code, offline={
        "decision": "deny", "reason": "pass_unknown"}))
    assert api("staff_c2").get("/api/v1/gate/disagreements", area="C1").status_code == 404
    assert api("staff_c2").get("/api/v1/gate/disagreements").json()["items"] == []
    assert len(api("gate_c1").get("/api/v1/gate/disagreements").json()["items"]) == 1


def test_a_reviewed_disagreement_leaves_the_open_list(world, cast, api):
    api("gate_c1").post("/api/v1/gate/scans", scan(world.pass1.code, offline={
        "decision": "deny", "reason": "pass_unknown"}))
    vid = api("gate_c1").get("/api/v1/gate/disagreements").json()["items"][0]["id"]
    assert api("staff_c2").post(f"/api/v1/gate/disagreements/{vid}/review").status_code == 404
    r = api("gate_c1").post(f"/api/v1/gate/disagreements/{vid}/review")
    assert r.status_code == 200 and r.json()["reviewed_by"] == str(cast.gate_c1)
    assert api("gate_c1").get("/api/v1/gate/disagreements").json()["items"] == []
    assert len(api("gate_c1").get("/api/v1/gate/disagreements", reviewed="true")
               .json()["items"]) == 1
