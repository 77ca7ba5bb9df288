"""Scope, table-driven: every API operation, tried by community staff of C1 on objects that
belong to community C2, answers 404 (or an empty list) — exactly as for a missing object.

The world in C2 is built through the public API by C2's own staff. A new endpoint must join
the table: `test_every_operation_is_in_the_table` fails until it does (or it is listed in
NOT_AREA_SCOPED with the reason)."""

import csv
import re
import uuid

import pytest
from django.utils import timezone

from firstline.api import api as ninja_api
from firstline.people.services import residents_import
from firstline.rules import rule

# Operations whose data belongs to no area: (method, path) -> why.
NOT_AREA_SCOPED = {
    ("post", "/api/v1/auth/token"): "anonymous login",
    ("post", "/api/v1/notices/{notice_id}/attachments"): "a multipart upload (this table posts "
        "JSON): its other-area 404 is tests/residents/test_notice_attachments.py",
    ("post", "/api/v1/tasks/{task_id}/file"): "a multipart upload (this table posts JSON): "
        "its other-area 404 is tests/operations/test_task_files.py",
    ("get", "/api/v1/package-kinds"): "the catalogue of kit kinds is shared by everyone",
    ("post", "/api/v1/checklists"): "a multipart upload (this table posts JSON): its "
                                    "other-area 404 is tests/lists/test_api.py",
    ("post", "/api/v1/package-kinds"): "the catalogue of kit kinds is shared by everyone",
    ("post", "/api/v1/public/volunteer-signups"): "public sign-up (报到) by a community's link",
    ("get", "/api/v1/items"): "the catalogue of supplies is shared by everyone",
    ("post", "/api/v1/items"): "the catalogue of supplies is shared by everyone",
    ("post", "/api/v1/tasks"): "HQ only: community staff get a 403; an area outside HQ's own "
                               "scope is a 404 in tests/operations/test_tasks.py",
    ("post", "/api/v1/public/declarations"): "a resident's own return declaration, no login",
    ("post", "/api/v1/public/tips"): "a resident's tip-off, no login",
}


def ok(response, *statuses):
    assert response.status_code in (statuses or (200, 201)), response.content[:300]
    return response.json()


@pytest.fixture
def world(api, areas, tmp_path, cast):
    """Objects of C2, created by C2's community staff through the API."""
    path = tmp_path / "roster.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["姓名", "身份证号", "手机号", "网格", "小区", "楼栋", "单元", "房号"])
        writer.writerow(["王二", "11010519491231002X", "13800138000", "G2a", "二区花园", "3",
                         "1", "101"])
        writer.writerow(["李二", "110105195001010039", "13900139000", "G2a", "二区花园", "3",
                         "1", "102"])
    assert residents_import(path).rejected == 0

    c2 = api("staff_c2")
    w = type("World", (), {})()
    [compound] = ok(c2.get("/api/v1/compounds", area="C2"))["items"]
    w.compound = compound["id"]
    residents = ok(c2.get("/api/v1/residents", area="C2"))["items"]
    w.resident, w.resident_b = residents[0]["id"], residents[1]["id"]
    households = ok(c2.get("/api/v1/households", compound=w.compound))["items"]
    w.household, w.household_b = households[0]["id"], households[1]["id"]
    today = timezone.localdate().isoformat()
    ok(c2.put(f"/api/v1/compounds/{w.compound}/policy",
              {"closed": True, "out_quota": 1, "window_days": 2, "starts_on": today}))
    w.checkpoint = ok(c2.post("/api/v1/checkpoints", {"code": "C2-N", "name": "北门",
                                                      "compound_id": w.compound}))["id"]
    issued = ok(c2.post("/api/v1/passes/issue", {"compound_id": w.compound}))["issued"]
    w.pass_code = issued[0]["code"]
    ok(c2.post("/api/v1/gate/scans", {"event_id": str(uuid.uuid4()), "checkpoint": "C2-N",
                                      "pass_code": w.pass_code, "direction": "out",
                                      "temperature": 38.5,
                                      "scanned_at": timezone.now().isoformat(),
                                      # decided otherwise offline: a disagreement of C2's
                                      "offline": {"decision": "allow", "reason": "ok"}}))
    [w.disagreement] = [d["id"] for d in ok(c2.get("/api/v1/gate/disagreements"))["items"]]
    ok(c2.post("/api/v1/gate/visits", {"checkpoint_id": w.checkpoint, "kind": "visitor",
                                       "admitted": False, "name": "访客", "temperature": 36.5,
                                       "turned_back_reason": "非本小区"}))
    w.visit = ok(c2.post("/api/v1/visits", {
        "household_id": w.household,
        "people": [{"resident_id": w.resident, "from_province": "湖北省", "from_city": "武汉市",
                    "returned_on": today}]}))["id"]
    ok(c2.post(f"/api/v1/checkpoints/{w.checkpoint}/shifts/plan", {"day": today, "shifts": 3}))
    w.shift = ok(c2.get("/api/v1/shifts", checkpoint=w.checkpoint, day=today))["items"][0]["id"]
    iso = ok(c2.post("/api/v1/isolations", {"resident_id": w.resident, "kind": "home",
                                           "reason": "close_contact", "starts_on": today}))
    w.isolation = iso["id"]
    ok(c2.post(f"/api/v1/isolations/{w.isolation}/readings",
               {"temperature": 38.2, "symptoms": [], "taken_at": timezone.now().isoformat()}))
    w.alert = ok(c2.get("/api/v1/alerts", area="C2"))["items"][0]["id"]
    w.lockdown = ok(c2.post("/api/v1/lockdowns", {"compound_id": w.compound,
                                                  "starts_on": today, "days": 3}))["id"]
    w.site = ok(c2.post("/api/v1/quarantine-sites", {"area": "C2", "name": "二区隔离点"}))["id"]
    ok(c2.post(f"/api/v1/quarantine-sites/{w.site}/rooms", {"numbers": ["201"]}))
    w.room = ok(c2.get(f"/api/v1/quarantine-sites/{w.site}/rooms"))
    w.room = (w.room["items"] if isinstance(w.room, dict) else w.room)[0]["id"]
    w.transfer = ok(c2.post("/api/v1/transfers", {
        "isolation_id": w.isolation, "from_place": "二区花园", "to_site_id": w.site,
        "pickup_at": timezone.now().isoformat(), "vehicle": "皖D12345"}))["id"]
    w.request = ok(c2.post("/api/v1/service-requests", {"household_id": w.household,
                                                       "kind": "groceries",
                                                       "detail": "大米 5 斤"}))["id"]
    ok(c2.post("/api/v1/care-calls", {"household_id": w.household, "outcome": "ok"}))
    kind = ok(api("hq").post("/api/v1/package-kinds", {"name": "九个一", "contents": "..."}))
    w.kind = kind["id"]
    ok(c2.post("/api/v1/stock", {"kind_id": w.kind, "area": "C2", "quantity": 5}))
    ok(c2.post("/api/v1/care-packages", {"household_id": w.household, "kind_id": w.kind}))
    # operations (运行保障)
    w.volunteer = ok(c2.post("/api/v1/volunteers", {"name": "王五", "phone": "13800138009",
                                                    "kind": "volunteer", "area": "C2"}))["id"]
    start = timezone.now()
    w.assignment = ok(c2.post("/api/v1/assignments", {
        "volunteer_id": w.volunteer, "duty": "patrol", "starts_at": start.isoformat(),
        "ends_at": (start + timezone.timedelta(hours=2)).isoformat()}))["id"]
    from firstline.operations.services import places_refresh

    places_refresh()  # the scheduled job: the compounds here were made through the ORM
    w.place = ok(c2.get("/api/v1/disinfection/due", area="C2"))["items"][0]["place_id"]
    ok(c2.post("/api/v1/disinfection/rounds", {"place_id": w.place, "agent": "84消毒液"}))
    ok(c2.post("/api/v1/items", {"code": "mask", "name": "口罩"}))
    ok(c2.post("/api/v1/stores", {"code": "S-C2", "name": "二社区仓库", "kind": "community",
                                  "area": "C2"}))
    ok(c2.post("/api/v1/stock/receive", {"store": "S-C2", "item": "mask", "quantity": 9}))
    ok(c2.post("/api/v1/donations", {"area": "C2", "donor": "张三", "receipt_no": "R1",
                                     "cash": 10}))
    w.task = ok(api("hq").post("/api/v1/tasks", {
        "title": "排查", "areas": ["C2"],
        "due_at": (start + timezone.timedelta(days=1)).isoformat()}))["ids"][0]
    # The residents' side: a declaration and a tip-off from the public, a notice by C2's staff.
    from django.test import Client

    ok(Client().post("/api/v1/public/declarations", {
        "community": "C2", "name": "王二", "id_number": "11010519491231002X",
        "phone": "13800138000", "compound": "二区花园", "building": "3", "unit": "1",
        "room": "101", "from_province": "湖北省", "from_city": "武汉市", "returned_on": today},
        content_type="application/json"))
    w.declaration = ok(c2.get("/api/v1/declarations"))["items"][0]["id"]
    ok(Client().post("/api/v1/public/tips", {"community": "C2", "what": "有人未登记",
                                             "where": "二区花园3栋", "contact": "13900139000"},
                     content_type="application/json"))
    w.tip = ok(c2.get("/api/v1/tips"))["items"][0]["id"]
    w.notice = ok(c2.post("/api/v1/notices", {"title": "公开信", "body": "少出门",
                                              "areas": ["C2"]}))["id"]
    assert rule("fever.threshold_c").value == 37.3
    # 核查: a list of C2's, its verification item, a case (built by C2's staff)
    from firstline.lists.models import Verification
    from firstline.lists.services import case_record, checklist_import

    listed = tmp_path / "list.csv"
    with open(listed, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["姓名", "身份证号"], ["王二", "11010519491231002X"],
                                  ["无名", "110105195001010047"]])
    w.checklist = checklist_import(path=listed, source="卫健委", actor=cast.staff_c2).checklist.pk
    w.verification = Verification.objects.get(resident_id=w.resident
                                              if residents[0]["name"] == "王二"
                                              else w.resident_b).pk
    from firstline.people.models import Resident

    w.case = case_record(resident=Resident.objects.get(pk=w.resident), status="suspected",
                         on=timezone.localdate(), actor=cast.staff_c2).pk
    return w


# (method, path template, how to fill it from the world, payload, expectation)
# expectation "404": the status is 404; "empty": a 200 list with no items, or a 404 (C1 holds
# no objects, so anything listed would be C2's); "denied": the gate answers but never allows.
def TABLE(w):
    today = timezone.localdate().isoformat()
    now = timezone.now().isoformat()
    return [
        ("get", "/api/v1/areas/{code}", {"code": "C2"}, None, "404"),
        ("get", "/api/v1/residents", {}, {"area": "C2"}, "empty"),
        ("get", "/api/v1/residents/{resident_id}", {"resident_id": w.resident}, None, "404"),
        ("get", "/api/v1/residents/{resident_id}", {"resident_id": w.resident},
         {"reason": "contact"}, "404"),
        ("get", "/api/v1/compounds", {}, {"area": "C2"}, "empty"),
        ("get", "/api/v1/households", {}, {"compound": w.compound}, "empty"),
        ("get", "/api/v1/households", {}, {"area": "C2"}, "empty"),
        ("get", "/api/v1/households/{household_id}", {"household_id": w.household}, None, "404"),
        ("post", "/api/v1/visits", {}, {"household_id": w.household}, "404"),
        ("get", "/api/v1/visits/{visit_id}", {"visit_id": w.visit}, None, "404"),
        ("get", "/api/v1/key-persons", {}, {"area": "C2"}, "empty"),
        ("get", "/api/v1/compounds/{compound_id}/policy", {"compound_id": w.compound}, None, "404"),
        ("get", "/api/v1/compounds/{compound_id}/policy/history", {"compound_id": w.compound},
         None, "404"),
        ("put", "/api/v1/compounds/{compound_id}/policy", {"compound_id": w.compound},
         {"closed": False, "out_quota": 9, "window_days": 1, "starts_on": today}, "404"),
        ("get", "/api/v1/checkpoints", {}, {"compound": w.compound}, "empty"),
        ("post", "/api/v1/checkpoints", {}, {"code": "X", "name": "x", "compound_id": w.compound},
         "404"),
        ("patch", "/api/v1/checkpoints/{checkpoint_id}", {"checkpoint_id": w.checkpoint},
         {"is_open": False}, "404"),
        ("get", "/api/v1/passes", {}, {"household": w.household}, "empty"),
        ("post", "/api/v1/passes/issue", {}, {"compound_id": w.compound}, "404"),
        ("post", "/api/v1/passes/{code}/revoke", {"code": w.pass_code}, {}, "404"),
        ("post", "/api/v1/passes/{code}/reissue", {"code": w.pass_code}, {}, "404"),
        ("get", "/api/v1/gate/visits", {}, {"checkpoint": w.checkpoint}, "empty"),
        ("post", "/api/v1/gate/visits", {}, {"checkpoint_id": w.checkpoint, "kind": "visitor",
                                             "admitted": True, "name": "x",
                                             "temperature": 36.5}, "404"),
        ("post", "/api/v1/checkpoints/{checkpoint_id}/shifts/plan",
         {"checkpoint_id": w.checkpoint}, {"day": today, "shifts": 3}, "404"),
        ("get", "/api/v1/shifts", {}, {"checkpoint": w.checkpoint, "day": today}, "empty"),
        ("post", "/api/v1/shifts/{shift_id}/check-in", {"shift_id": w.shift}, {}, "404"),
        ("post", "/api/v1/shifts/{shift_id}/check-out", {"shift_id": w.shift}, {}, "404"),
        ("post", "/api/v1/isolations", {}, {"resident_id": w.resident_b, "kind": "home",
                                            "reason": "close_contact", "starts_on": today},
         "404"),
        ("get", "/api/v1/isolations", {}, {"area": "C2"}, "empty"),
        ("get", "/api/v1/isolations/{isolation_id}", {"isolation_id": w.isolation}, None, "404"),
        ("post", "/api/v1/isolations/{isolation_id}/extend", {"isolation_id": w.isolation},
         {"days": 3, "reason": "x"}, "404"),
        ("post", "/api/v1/isolations/{isolation_id}/release", {"isolation_id": w.isolation},
         {"reason": "x"}, "404"),
        ("post", "/api/v1/isolations/{isolation_id}/report-link", {"isolation_id": w.isolation},
         {}, "404"),
        ("get", "/api/v1/isolations/{isolation_id}/report-link", {"isolation_id": w.isolation},
         None, "404"),
        ("post", "/api/v1/isolations/{isolation_id}/readings", {"isolation_id": w.isolation},
         {"temperature": 36.5, "symptoms": [], "taken_at": now}, "404"),
        ("get", "/api/v1/isolations/{isolation_id}/readings", {"isolation_id": w.isolation},
         None, "404"),
        ("get", "/api/v1/alerts", {}, {"area": "C2"}, "empty"),
        ("post", "/api/v1/alerts/{alert_id}/acknowledge", {"alert_id": w.alert}, {}, "404"),
        ("post", "/api/v1/alerts/{alert_id}/assign", {"alert_id": w.alert},
         {"owner": "staff_c1"}, "404"),
        ("post", "/api/v1/alerts/{alert_id}/resolve", {"alert_id": w.alert}, {"outcome": "x"},
         "404"),
        ("post", "/api/v1/lockdowns", {}, {"compound_id": w.compound, "starts_on": today}, "404"),
        ("get", "/api/v1/lockdowns", {}, {"compound": w.compound}, "empty"),
        ("post", "/api/v1/lockdowns/{lockdown_id}/lift", {"lockdown_id": w.lockdown}, {}, "404"),
        ("post", "/api/v1/quarantine-sites", {}, {"area": "C2", "name": "x"}, "404"),
        ("get", "/api/v1/quarantine-sites", {}, {}, "empty"),
        ("post", "/api/v1/quarantine-sites/{site_id}/rooms", {"site_id": w.site},
         {"numbers": ["9"]}, "404"),
        ("get", "/api/v1/quarantine-sites/{site_id}/rooms", {"site_id": w.site}, None, "404"),
        ("post", "/api/v1/rooms/{room_id}/assign", {"room_id": w.room},
         {"isolation_id": w.isolation}, "404"),
        ("post", "/api/v1/rooms/{room_id}/vacate", {"room_id": w.room}, {}, "404"),
        ("post", "/api/v1/rooms/{room_id}/service", {"room_id": w.room}, {"closed": True},
         "404"),
        ("post", "/api/v1/rooms/{room_id}/cleaned", {"room_id": w.room}, {}, "404"),
        ("post", "/api/v1/transfers", {}, {"isolation_id": w.isolation, "from_place": "x",
                                           "pickup_at": now}, "404"),
        ("get", "/api/v1/transfers", {}, {}, "empty"),
        ("get", "/api/v1/transfers", {}, {"area": "C2"}, "empty"),
        ("post", "/api/v1/transfers/{transfer_id}/status", {"transfer_id": w.transfer},
         {"status": "cancelled"}, "404"),
        ("get", "/api/v1/service-requests", {}, {"area": "C2"}, "empty"),
        ("post", "/api/v1/service-requests", {}, {"household_id": w.household,
                                                  "kind": "groceries", "detail": "x"}, "404"),
        ("get", "/api/v1/service-requests/to-take", {}, None, "empty"),
        ("get", "/api/v1/service-requests/{request_id}", {"request_id": w.request}, None, "404"),
        ("post", "/api/v1/service-requests/{request_id}/assign", {"request_id": w.request},
         {"volunteer_name": "x"}, "404"),
        ("post", "/api/v1/service-requests/{request_id}/take", {"request_id": w.request},
         {}, "404"),
        ("post", "/api/v1/service-requests/{request_id}/status", {"request_id": w.request},
         {"status": "cancelled", "reason": "x"}, "404"),
        ("post", "/api/v1/service-requests/{request_id}/paid-back", {"request_id": w.request},
         {}, "404"),
        ("post", "/api/v1/service-requests/{request_id}/contacts/{resident_id}/phone",
         {"request_id": w.request, "resident_id": w.resident}, {}, "404"),
        ("get", "/api/v1/care-calls", {}, {}, "empty"),
        ("get", "/api/v1/care-calls", {}, {"area": "C2"}, "empty"),
        ("post", "/api/v1/care-calls/residents/{resident_id}/phone", {"resident_id": w.resident},
         {}, "404"),
        ("post", "/api/v1/care-calls", {}, {"household_id": w.household, "outcome": "ok"}, "404"),
        ("get", "/api/v1/care-packages", {}, {"area": "C2"}, "empty"),
        ("post", "/api/v1/care-packages", {}, {"household_id": w.household_b,
                                               "kind_id": w.kind}, "404"),
        ("get", "/api/v1/stock", {}, {}, "empty"),
        ("post", "/api/v1/stock", {}, {"kind_id": w.kind, "area": "C2", "quantity": 5}, "404"),
        ("get", "/api/v1/reports/daily", {}, {"area": "C2", "date": today}, "404"),
        ("post", "/api/v1/reports/daily/submit", {}, {"area": "C2", "date": today}, "404"),
        ("get", "/api/v1/reports/daily/signoff", {}, {"area": "C2", "date": today}, "404"),
        ("post", "/api/v1/reports/daily/chase", {}, {"area": "C2", "date": today}, "404"),
        ("get", "/api/v1/checklists", {}, {}, "empty"),
        ("get", "/api/v1/checklists/{checklist_id}", {"checklist_id": w.checklist}, None, "404"),
        ("get", "/api/v1/checklists/{checklist_id}/export", {"checklist_id": w.checklist},
         None, "404"),
        ("get", "/api/v1/checklists/{checklist_id}/unmatched", {"checklist_id": w.checklist},
         None, "404"),
        ("get", "/api/v1/checklists/{checklist_id}/handover", {"checklist_id": w.checklist},
         None, "404"),
        ("post", "/api/v1/checklists/{checklist_id}/rows/{number}/route",
         {"checklist_id": w.checklist, "number": 2}, {"routing": "not_ours"}, "404"),
        ("get", "/api/v1/verifications", {}, {}, "empty"),
        ("post", "/api/v1/verifications/{verification_id}/outcome",
         {"verification_id": w.verification}, {"result": "reached"}, "404"),
        ("post", "/api/v1/cases", {}, {"resident_id": w.resident, "status": "confirmed",
                                       "on": today}, "404"),
        ("get", "/api/v1/cases", {}, {}, "empty"),
        ("post", "/api/v1/cases/{case_id}/contacts-list", {"case_id": w.case}, {}, "404"),
        ("post", "/api/v1/cases/{case_id}/lockdown", {"case_id": w.case}, {}, "404"),
        ("post", "/api/v1/cases/{case_id}/transfer", {"case_id": w.case}, {}, "404"),
        ("post", "/api/v1/test-results", {}, {"resident_id": w.resident, "result": "positive",
                                              "sampled_on": today}, "404"),
        # operations (运行保障)
        ("post", "/api/v1/volunteers", {}, {"name": "x", "phone": "13800138000",
                                            "kind": "volunteer", "area": "C2"}, "404"),
        ("get", "/api/v1/volunteers", {}, {}, "empty"),
        ("get", "/api/v1/volunteers/{volunteer_id}", {"volunteer_id": w.volunteer}, None, "404"),
        ("post", "/api/v1/volunteers/{volunteer_id}/confirm", {"volunteer_id": w.volunteer},
         {}, "404"),
        ("post", "/api/v1/volunteers/{volunteer_id}/login", {"volunteer_id": w.volunteer},
         {"username": "wang5", "password": "pw-Firstline-1"}, "404"),
        ("get", "/api/v1/volunteers/signup-link/{area}", {"area": "C2"}, None, "404"),
        ("get", "/api/v1/honour-roll", {}, {"area": "C2"}, "404"),
        ("post", "/api/v1/assignments", {}, {"volunteer_id": w.volunteer, "duty": "patrol",
                                             "starts_at": now, "ends_at": now}, "404"),
        ("get", "/api/v1/assignments", {}, {}, "empty"),
        ("post", "/api/v1/assignments/{assignment_id}/check-in",
         {"assignment_id": w.assignment}, {}, "404"),
        ("post", "/api/v1/assignments/{assignment_id}/check-out",
         {"assignment_id": w.assignment}, {}, "404"),
        ("get", "/api/v1/disinfection/due", {}, {"area": "C2"}, "404"),
        ("get", "/api/v1/disinfection/places", {}, {"area": "C2"}, "404"),
        ("post", "/api/v1/disinfection/places", {}, {"area": "C2", "kind": "lift",
                                                     "name": "电梯"}, "404"),
        ("post", "/api/v1/disinfection/rounds", {}, {"place_id": w.place, "agent": "84"}, "404"),
        ("get", "/api/v1/disinfection/rounds", {}, {}, "empty"),
        ("post", "/api/v1/stores", {}, {"code": "S-X", "name": "x", "kind": "community",
                                        "area": "C2"}, "404"),
        ("get", "/api/v1/stores", {}, {}, "empty"),
        ("post", "/api/v1/stock/receive", {}, {"store": "S-C2", "item": "mask",
                                               "quantity": 1}, "404"),
        ("post", "/api/v1/stock/issue", {}, {"store": "S-C2", "item": "mask", "quantity": 1,
                                             "to": "x"}, "404"),
        ("post", "/api/v1/stock/move", {}, {"store": "S-C2", "to_store": "S-C2",
                                            "item": "mask", "quantity": 1}, "404"),
        ("post", "/api/v1/stock/count", {}, {"store": "S-C2", "item": "mask",
                                             "quantity": 1}, "404"),
        ("post", "/api/v1/donations", {}, {"area": "C2", "donor": "x", "receipt_no": "R2",
                                           "cash": 1}, "404"),
        ("get", "/api/v1/donations", {}, {}, "empty"),
        ("get", "/api/v1/tasks", {}, {}, "empty"),
        ("get", "/api/v1/tasks/{task_id}", {"task_id": w.task}, None, "404"),
        ("post", "/api/v1/tasks/{task_id}/acknowledge", {"task_id": w.task}, {}, "404"),
        ("post", "/api/v1/tasks/{task_id}/done", {"task_id": w.task}, {"note": "x"}, "404"),
        ("get", "/api/v1/tasks/{task_id}/file", {"task_id": w.task}, None, "404"),
        ("get", "/api/v1/working-groups", {}, {"area": "C2"}, "404"),
        ("post", "/api/v1/working-groups", {}, {"area": "C2", "name": "x"}, "404"),
        ("get", "/api/v1/declarations", {}, {"area": "C2"}, "empty"),
        ("post", "/api/v1/declarations/{declaration_id}/confirm",
         {"declaration_id": w.declaration}, {}, "404"),
        ("post", "/api/v1/households/{household_id}/members", {"household_id": w.household},
         {"name": "x", "id_number": "110105195001010039"}, "404"),
        ("get", "/api/v1/tips", {}, {"area": "C2"}, "empty"),
        ("get", "/api/v1/tips/{tip_id}", {"tip_id": w.tip}, None, "404"),
        ("get", "/api/v1/tips/{tip_id}/contact", {"tip_id": w.tip}, None, "404"),
        ("post", "/api/v1/tips/{tip_id}/verify", {"tip_id": w.tip}, {"valid": True}, "404"),
        ("post", "/api/v1/notices", {}, {"title": "x", "body": "x", "areas": ["C2"]}, "404"),
        ("get", "/api/v1/notices/{notice_id}", {"notice_id": w.notice}, None, "404"),
        ("post", "/api/v1/gate/scans", {}, {"event_id": str(uuid.uuid4()), "checkpoint": "C2-N",
                                            "pass_code": w.pass_code, "direction": "in",
                                            "temperature": None, "scanned_at": now}, "denied"),
        ("get", "/api/v1/gate/snapshot", {}, {"checkpoint": "C2-N"}, "404"),
        ("get", "/api/v1/gate/disagreements", {}, {}, "empty"),
        ("post", "/api/v1/gate/disagreements/{verdict_id}/review",
         {"verdict_id": w.disagreement}, None, "404"),
        ("post", "/api/v1/gate/scans/batch", {}, {"scans": [
            {"event_id": str(uuid.uuid4()), "checkpoint": "C2-N", "pass_code": w.pass_code,
             "direction": "in", "temperature": None, "scanned_at": now}]}, "denied"),
    ]


def _operations():
    for path, ops in ninja_api.get_openapi_schema()["paths"].items():
        for method in ops:
            yield method, path


def test_every_operation_is_in_the_table():
    dummy = type("W", (), {"__getattr__": lambda self, name: 1})()
    covered = {(m, p) for m, p, *_ in TABLE(dummy)} | set(NOT_AREA_SCOPED)
    missing = sorted(set(_operations()) - covered)
    assert not missing, f"add these operations to tests/test_scope_table.py: {missing}"


def test_outside_scope_is_not_found(api, world):
    assert _leaks(api("staff_c1"), TABLE(world)) == []


# --- users holding two roles in different areas ---------------------------------------------
# Each permission is checked against the areas of the role that GRANTS it, never the union of
# the user's areas. The world is C2's; each user below holds one role there that grants only
# gate work (gate duty of C2) and a second, wider role elsewhere (C1 or G1a). Everything but
# the gate work of C2 must stay out of reach: 404/empty as for a stranger, or 403 where the
# wider role grants nothing of the kind.

# What gate duty of C2 may do there (the first role's own permissions): not leaks.
GATE_WORK = {("get", "/api/v1/areas/{code}"), ("get", "/api/v1/checkpoints"),
             ("get", "/api/v1/gate/visits"), ("post", "/api/v1/gate/visits"),
             ("get", "/api/v1/shifts"), ("post", "/api/v1/shifts/{shift_id}/check-in"),
             ("post", "/api/v1/shifts/{shift_id}/check-out"),
             ("post", "/api/v1/gate/scans"), ("post", "/api/v1/gate/scans/batch"),
             # C2's gate decides offline from its snapshot; its duty staff review disagreements
             ("get", "/api/v1/gate/snapshot"), ("get", "/api/v1/gate/disagreements"),
             ("post", "/api/v1/gate/disagreements/{verdict_id}/review")}


@pytest.mark.parametrize("second_role, second_area", [
    ("grid_worker", "G1a"), ("community_staff", "C1"), ("street_staff", None)])
def test_a_second_role_elsewhere_does_not_widen_the_first(api, world, areas, second_role,
                                                            second_area):
    from firstline.accounts.services import user_assign
    from tests.conftest import ApiClient

    if second_area is None:  # HQ of another street: a street of its own
        from firstline.areas.services import area_upsert

        other, _ = area_upsert(code="99000102", name="另一街道", level="street",
                               parent=areas.district)
        second_area = other.code
    from firstline.areas.models import Area

    user, _ = user_assign(username="two_roles", role="gate_duty", area=areas.c2)
    user_assign(username="two_roles", role=second_role,
                area=Area.objects.get(code=second_area))
    table = [row for row in TABLE(world) if (row[0], row[1]) not in GATE_WORK]
    assert _leaks(ApiClient(user), table, forbidden_ok=True) == []


def test_gate_duty_with_a_second_role_still_does_its_gate_work(api, world, areas):
    """The table above would pass trivially if the gate role were lost too."""
    from firstline.accounts.services import user_assign
    from tests.conftest import ApiClient

    user, _ = user_assign(username="two_roles", role="gate_duty", area=areas.c2)
    user_assign(username="two_roles", role="community_staff", area=areas.c1)
    client = ApiClient(user)
    assert client.get("/api/v1/gate/visits", checkpoint=world.checkpoint).json()["count"] >= 1
    r = client.post("/api/v1/gate/scans", {"event_id": str(uuid.uuid4()), "checkpoint": "C2-N",
                                           "pass_code": world.pass_code, "direction": "in",
                                           "temperature": 36.5,
                                           "scanned_at": timezone.now().isoformat()})
    assert r.json()["reason"] != "checkpoint_unknown"


def test_resident_read_unmasks_only_where_view_full_is_granted(api, world, areas):
    """Grid worker of G1a (people.view_full there) + auditor of the street (people.view
    everywhere, no view_full): C2's residents are listed masked and read masked."""
    from firstline.accounts.services import user_assign
    from tests.conftest import ApiClient

    user, _ = user_assign(username="two_roles", role="grid_worker", area=areas.g1a)
    user_assign(username="two_roles", role="auditor", area=areas.street)
    body = ApiClient(user).get(f"/api/v1/residents/{world.resident}")
    assert body.status_code == 200
    assert "*" in body.json()["id_number"], body.json()


def _leaks(client, table, *, forbidden_ok=False):
    problems = []
    for method, template, fill, data, expect in table:
        url = template.format(**fill)
        if method == "get":
            response = client.get(url, **(data or {}))
        else:
            response = getattr(client, method)(url, data)
        status = response.status_code
        if forbidden_ok and status == 403:
            continue
        if expect == "404" and status != 404:
            problems.append((method, url, status, response.content[:160]))
        elif expect == "empty":
            if status == 404:
                continue
            body = response.json() if status == 200 else {}
            items = body.get("items", body if isinstance(body, list) else None)
            if status != 200 or items is None:
                problems.append((method, url, status, response.content[:160]))
                continue
            if items:  # C1 holds no objects at all in this world: anything listed is C2's
                problems.append((method, url, "leaked", items[:2]))
        elif expect == "denied":
            # The gate answers every scan (an offline device must not retry forever): the
            # pass of another community's household is never allowed through C1's staff.
            body = response.json()
            results = body.get("results", [body])
            if status not in (200, 201, 404) or any(r.get("decision") == "allow"
                                                    for r in results if isinstance(r, dict)):
                problems.append((method, url, status, response.content[:160]))
    return problems


def test_the_world_is_visible_to_its_own_staff(api, world):
    """The table above would pass trivially if the objects did not exist: C2's staff see them."""
    c2 = api("staff_c2")
    assert c2.get(f"/api/v1/residents/{world.resident}", reason="contact").status_code == 200
    assert c2.get(f"/api/v1/isolations/{world.isolation}").status_code == 200
    assert c2.get(f"/api/v1/service-requests/{world.request}").status_code == 200
    assert c2.get("/api/v1/alerts", area="C2").json()["count"] >= 1


def test_template_paths_match_the_schema():
    for _method, path in _operations():
        assert re.fullmatch(r"/api/v1/[\w\-/{}.]+", path), path


def test_web_pages_of_the_first_roles_area_stay_closed_to_a_second_role(web, world, areas):
    """The same on the pages: gate duty of C2 + grid worker of G1a opens nothing of C2's
    residents, households, isolations or alerts (404, or 403 for pages of no role it holds
    there), and the lists show none of them."""
    from firstline.accounts.services import user_assign
    from tests.conftest import PASSWORD

    user, _ = user_assign(username="two_roles", role="gate_duty", area=areas.c2,
                          password=PASSWORD)
    user_assign(username="two_roles", role="grid_worker", area=areas.g1a)
    c = web("two_roles")
    for url in (f"/people/residents/{world.resident}/", f"/people/households/{world.household}/",
                f"/people/screening/{world.household}/", f"/isolation/{world.isolation}/",
                f"/isolation/sites/{world.site}/", f"/people/responsibility/{world.resident}/"):
        assert c.get(url).status_code in (403, 404), url
    for url in ("/people/", "/people/?area=C2", "/isolation/", "/isolation/alerts/",
                "/people/key-persons/", "/people/screening/"):
        r = c.get(url)
        assert r.status_code in (200, 403, 404), url
        assert "王二" not in r.content.decode() and "李二" not in r.content.decode(), url


def test_an_out_of_area_id_as_a_list_filter_is_404_not_an_empty_list(api, world):
    """CONTRACT.md: a resource outside the user's areas is a 404 — as a filter too."""
    c1 = api("staff_c1")
    for path, params in (("/api/v1/gate/visits", {"checkpoint": world.checkpoint}),
                         ("/api/v1/shifts", {"checkpoint": world.checkpoint}),
                         ("/api/v1/passes", {"household": world.household}),
                         ("/api/v1/checkpoints", {"compound": world.compound}),
                         ("/api/v1/lockdowns", {"compound": world.compound}),
                         ("/api/v1/care-packages", {"household": world.household}),
                         ("/api/v1/households", {"compound": world.compound})):
        assert c1.get(path, **params).status_code == 404, path
