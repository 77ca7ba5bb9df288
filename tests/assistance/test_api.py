"""Every endpoint: allowed, wrong role (403), other area (404), bad input (4xx)."""

import pytest

from firstline.assistance.models import PackageKind, ServiceRequest
from firstline.assistance.services import (
    service_request_assign,
    service_request_create,
    stock_receive,
)


@pytest.fixture
def req(world):
    return service_request_create(household=world.h1, kind="medicine", detail="布洛芬",
                                  source="self_report")


@pytest.fixture
def kit(db):
    return PackageKind.objects.create(name="九个一", contents="联系卡、体温计、口罩、米、油…")


# --- /service-requests ------------------------------------------------------------------------

def test_list_is_scoped_and_paginated(api, world, req):
    service_request_create(household=world.h3, kind="parcel", detail="快递",
                           source="self_report")
    body = api("staff_c1").get("/api/v1/service-requests").json()
    assert body["count"] == 1
    assert body["items"][0]["id"] == req.pk
    assert body["items"][0]["address"] == world.h1.address
    assert api("hq").get("/api/v1/service-requests").json()["count"] == 2


def test_list_filters_by_status_and_area(api, world, req):
    assert api("hq").get("/api/v1/service-requests", status="delivered").json()["count"] == 0
    assert api("hq").get("/api/v1/service-requests", area="C1").json()["count"] == 1
    assert api("staff_c1").get("/api/v1/service-requests", area="C2").status_code == 404
    assert api("hq").get("/api/v1/service-requests", status="bogus").status_code == 422


def test_list_wrong_role_is_403(api, req):
    assert api("gate_c1").get("/api/v1/service-requests").status_code == 403


def test_list_masks_the_volunteer_phone(api, req, cast):
    service_request_assign(request=req, actor=cast.staff_c1, volunteer_name="老周",
                           volunteer_phone="13900001111")
    item = api("staff_c1").get("/api/v1/service-requests").json()["items"][0]
    assert item["volunteer_phone_masked"] == "139****1111"
    assert "volunteer_phone" not in item


def test_worker_creates_a_request(api, world):
    r = api("grid_a").post("/api/v1/service-requests",
                           {"household_id": world.h1.pk, "kind": "bills", "detail": "燃气费"})
    assert r.status_code == 201, r.json()
    assert r.json()["source"] == "worker"
    assert ServiceRequest.objects.get().created_by.username == "grid_a"


def test_create_for_another_grid_is_404(api, world):
    r = api("grid_a").post("/api/v1/service-requests",
                           {"household_id": world.h2.pk, "kind": "bills", "detail": "x"})
    assert r.status_code == 404


def test_create_wrong_role_is_403(api, world):
    r = api("gate_c1").post("/api/v1/service-requests",
                            {"household_id": world.h1.pk, "kind": "bills", "detail": "x"})
    assert r.status_code == 403


@pytest.mark.parametrize("payload", [
    {"kind": "pizza", "detail": "x"},
    {"kind": "bills", "detail": ""},
    {"kind": "bills", "detail": "x" * 501},
    {"kind": "bills"},
    {"kind": "bills", "detail": "x", "source": "self_report"},
    {"kind": "bills", "detail": "x", "household_id": "abc"},
])
def test_create_bad_input_is_422(api, world, payload):
    payload = {"household_id": world.h1.pk, **payload}
    r = api("grid_a").post("/api/v1/service-requests", payload)
    assert r.status_code == 422, r.json()
    assert set(r.json()) == {"error", "detail"}


def test_detail_allowed_404_and_403(api, req):
    assert api("grid_a").get(f"/api/v1/service-requests/{req.pk}").json()["kind"] == "medicine"
    assert api("staff_c2").get(f"/api/v1/service-requests/{req.pk}").status_code == 404
    assert api("gate_c1").get(f"/api/v1/service-requests/{req.pk}").status_code == 403
    assert api("hq").get("/api/v1/service-requests/999999").status_code == 404


def test_assign_to_a_user_then_volunteer_sees_it_as_mine(api, req, cast):
    r = api("staff_c1").post(f"/api/v1/service-requests/{req.pk}/assign",
                             {"volunteer_id": cast.grid_a.pk})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "assigned"
    mine = api("grid_a").get("/api/v1/service-requests", mine="true").json()
    assert [i["id"] for i in mine["items"]] == [req.pk]


def test_assign_to_a_named_volunteer(api, req):
    r = api("staff_c1").post(f"/api/v1/service-requests/{req.pk}/assign",
                             {"volunteer_name": "党员 老周", "volunteer_phone": "13900001111"})
    assert (r.status_code, r.json()["volunteer"], r.json()["volunteer_phone"]) == (
        200, "党员 老周", "13900001111")


def test_assign_wrong_role_other_area_bad_input(api, req, cast):
    url = f"/api/v1/service-requests/{req.pk}/assign"
    assert api("grid_a").post(url, {"volunteer_name": "x"}).status_code == 403
    assert api("staff_c2").post(url, {"volunteer_name": "x"}).status_code == 404
    assert api("staff_c1").post(url, {}).status_code == 422
    assert api("staff_c1").post(url, {"volunteer_id": 999999}).status_code == 422
    assert api("staff_c1").post(url, {"volunteer_id": cast.staff_c2.pk}).status_code == 422


def test_status_path_with_amount_and_receipt(api, req, cast):
    service_request_assign(request=req, actor=cast.staff_c1, volunteer=cast.grid_a)
    url = f"/api/v1/service-requests/{req.pk}/status"
    r = api("grid_a").post(url, {"status": "bought", "amount": "23.80", "receipt_no": "A-1"})
    assert r.status_code == 200, r.json()
    assert (r.json()["amount"], r.json()["receipt_no"]) == ("23.80", "A-1")
    r = api("grid_a").post(url, {"status": "delivered"})
    assert r.json()["status"] == "delivered"
    r = api("grid_a").post(f"/api/v1/service-requests/{req.pk}/paid-back")
    assert r.json()["paid_back"] is True
    again = api("grid_a").post(f"/api/v1/service-requests/{req.pk}/paid-back")
    assert again.status_code == 409


def test_status_bad_transition_is_409_and_bad_values_422(api, req):
    url = f"/api/v1/service-requests/{req.pk}/status"
    r = api("grid_a").post(url, {"status": "delivered"})
    assert (r.status_code, r.json()["error"]) == (409, "bad_transition")
    assert api("grid_a").post(url, {"status": "eaten"}).status_code == 422
    assert api("grid_a").post(url, {"status": "bought", "amount": -3}).status_code == 422
    assert api("grid_a").post(url, {"status": "assigned"}).status_code == 422
    assert api("staff_c1").post(url, {"status": "cancelled"}).status_code == 422


def test_status_wrong_role_and_other_area(api, req):
    url = f"/api/v1/service-requests/{req.pk}/status"
    assert api("gate_c1").post(url, {"status": "delivered"}).status_code == 403
    assert api("staff_c2").post(url, {"status": "delivered"}).status_code == 404
    assert api("grid_a").post(url, {"status": "cancelled", "reason": "x"}).status_code == 403


def test_paid_back_wrong_role_and_other_area(api, req):
    url = f"/api/v1/service-requests/{req.pk}/paid-back"
    assert api("gate_c1").post(url).status_code == 403
    assert api("staff_c2").post(url).status_code == 404


# --- /care-calls ------------------------------------------------------------------------------

def test_call_list_for_me(api, world):
    body = api("grid_a").get("/api/v1/care-calls").json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["household_id"] == world.h1.pk
    assert {r["phone_masked"] for r in row["residents"]} == {"138****5678", ""}
    assert [s["slot"] for s in row["slots"]] == ["morning", "afternoon"]


def test_call_list_honours_area(api, world):
    """?area= narrows the call list to that area's subtree (street staff: both communities)."""
    def ids(**q):
        return {r["household_id"]
                for r in api("hq").get("/api/v1/care-calls", **q).json()["items"]}

    assert ids() == {world.h1.pk, world.h2.pk, world.h3.pk}
    assert ids(area="G1b") == {world.h2.pk}
    assert ids(area="C2") == {world.h3.pk}


def test_call_list_of_an_area_outside_scope_is_404(api, world):
    assert api("staff_c1").get("/api/v1/care-calls", area="C2").status_code == 404
    assert api("grid_a").get("/api/v1/care-calls", area="G1b").status_code == 404


def test_call_list_wrong_role_and_bad_day(api, world):
    assert api("gate_c1").get("/api/v1/care-calls").status_code == 403
    assert api("grid_a").get("/api/v1/care-calls", day="yesterday").status_code == 422


def test_log_a_call(api, world):
    r = api("grid_a").post("/api/v1/care-calls", {"household_id": world.h1.pk, "outcome": "ok",
                                                  "slot": "morning"})
    assert r.status_code == 201, r.json()
    assert (r.json()["slot"], r.json()["outcome"], r.json()["attempts"]) == ("morning", "ok", 1)
    row = api("grid_a").get("/api/v1/care-calls").json()["items"][0]
    assert row["slots"][0]["outcome"] == "ok"


def test_log_a_call_errors(api, world):
    post = api("grid_a").post
    assert post("/api/v1/care-calls", {"household_id": world.h2.pk,
                                       "outcome": "ok"}).status_code == 404
    assert api("gate_c1").post("/api/v1/care-calls", {"household_id": world.h1.pk,
                                                      "outcome": "ok"}).status_code == 403
    assert post("/api/v1/care-calls", {"household_id": world.h1.pk,
                                       "outcome": "meh"}).status_code == 422
    assert post("/api/v1/care-calls", {"household_id": world.h1.pk, "outcome": "ok",
                                       "slot": "midnight"}).status_code == 422
    assert post("/api/v1/care-calls", {"household_id": world.h4.pk,
                                       "outcome": "ok"}).status_code == 409


# --- /care-packages, /stock, /package-kinds ---------------------------------------------------

def test_issue_a_package_and_list_it(api, world, kit, areas, cast):
    stock_receive(kind=kit, area=areas.c1, quantity=2, actor=cast.staff_c1)
    r = api("grid_a").post("/api/v1/care-packages", {"household_id": world.h1.pk,
                                                     "kind_id": kit.pk})
    assert r.status_code == 201, r.json()
    assert r.json()["stock_area"] == "C1"
    again = api("grid_a").post("/api/v1/care-packages", {"household_id": world.h1.pk,
                                                         "kind_id": kit.pk})
    assert (again.status_code, again.json()["error"]) == (409, "already_issued")
    listed = api("staff_c1").get("/api/v1/care-packages", household=world.h1.pk).json()
    assert listed["count"] == 1
    assert api("staff_c2").get("/api/v1/care-packages").json()["count"] == 0
    stock = api("staff_c1").get("/api/v1/stock").json()["items"]
    assert [(s["area"], s["item"], s["quantity"]) for s in stock] == [("C1", f"kit-{kit.pk}", 1)]


def test_issue_errors(api, world, kit, areas, cast):
    stock_receive(kind=kit, area=areas.c1, quantity=2, actor=cast.staff_c1)
    post = api("grid_a").post
    assert post("/api/v1/care-packages", {"household_id": world.h2.pk,
                                          "kind_id": kit.pk}).status_code == 404
    assert post("/api/v1/care-packages", {"household_id": world.h1.pk,
                                          "kind_id": 99999}).status_code == 404
    assert api("gate_c1").post("/api/v1/care-packages", {"household_id": world.h1.pk,
                                                         "kind_id": kit.pk}).status_code == 403
    assert post("/api/v1/care-packages", {"household_id": world.h1.pk}).status_code == 422


def test_out_of_stock_is_409(api, world, kit):
    r = api("grid_a").post("/api/v1/care-packages", {"household_id": world.h1.pk,
                                                     "kind_id": kit.pk})
    assert (r.status_code, r.json()["error"]) == (409, "insufficient_stock")


def test_stock_receive_endpoint(api, kit):
    r = api("staff_c1").post("/api/v1/stock", {"kind_id": kit.pk, "area": "C1", "quantity": 50})
    assert (r.status_code, r.json()["quantity"]) == (200, 50)
    assert api("staff_c1").post("/api/v1/stock", {"kind_id": kit.pk, "area": "C2",
                                                  "quantity": 5}).status_code == 404
    assert api("grid_a").post("/api/v1/stock", {"kind_id": kit.pk, "area": "C1",
                                                "quantity": 5}).status_code == 403
    assert api("staff_c1").post("/api/v1/stock", {"kind_id": kit.pk, "area": "C1",
                                                  "quantity": 0}).status_code == 422
    assert api("staff_c1").post("/api/v1/stock", {"kind_id": kit.pk, "area": "G1a",
                                                  "quantity": 5}).status_code == 422
    assert api("staff_c1").post("/api/v1/stock", {"kind_id": kit.pk, "area": "C1",
                                                  "quantity": -60}).status_code == 409
    assert api("gate_c1").get("/api/v1/stock").status_code == 403


def test_package_kinds(api, kit):
    assert api("grid_a").get("/api/v1/package-kinds").json()["items"][0]["name"] == "九个一"
    r = api("staff_c1").post("/api/v1/package-kinds", {"name": "爱心菜包", "contents": "蔬菜 5斤"})
    assert r.status_code == 201
    assert api("staff_c1").post("/api/v1/package-kinds", {"name": "爱心菜包"}).status_code == 409
    assert api("grid_a").post("/api/v1/package-kinds", {"name": "x"}).status_code == 403
    assert api("staff_c1").post("/api/v1/package-kinds", {"name": ""}).status_code == 422
    assert api("gate_c1").get("/api/v1/package-kinds").status_code == 403


def test_call_list_pages_by_household(api, world):
    first = api("staff_c1").get("/api/v1/care-calls", page_size=1).json()
    second = api("staff_c1").get("/api/v1/care-calls", page_size=1, page=2).json()
    assert first["count"] == second["count"] == 2
    assert {first["items"][0]["household_id"], second["items"][0]["household_id"]} == {
        world.h1.pk, world.h2.pk}
    assert api("staff_c1").get("/api/v1/care-calls", page_size=0).status_code == 422


# --- amount before delivered (the page's rule, in the service) -------------------------------

@pytest.mark.parametrize("lang, words", [("zh-hans", "金额"), ("en", "amount")])
def test_something_paid_for_is_not_delivered_without_its_amount(api, req, cast, lang, words):
    from django.test import Client

    from firstline.accounts.services import token_create

    service_request_assign(request=req, actor=cast.staff_c1, volunteer=cast.grid_a)
    token, _ = token_create(user=cast.grid_a, label="test")
    r = Client().post(f"/api/v1/service-requests/{req.pk}/status", {"status": "delivered"},
                      content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
                      HTTP_ACCEPT_LANGUAGE=lang)
    assert (r.status_code, r.json()["error"]) == (422, "amount_required")
    assert words in r.json()["detail"]
    assert ServiceRequest.objects.get(pk=req.pk).status == "assigned"


def test_delivered_with_its_amount_is_accepted(api, req, cast):
    service_request_assign(request=req, actor=cast.staff_c1, volunteer=cast.grid_a)
    r = api("grid_a").post(f"/api/v1/service-requests/{req.pk}/status",
                           {"status": "delivered", "amount": "12.5"})
    assert r.status_code == 200, r.json()
    assert (r.json()["status"], r.json()["amount"]) == ("delivered", "12.50")


def test_a_parcel_is_delivered_without_an_amount(api, world, cast):
    parcel = service_request_create(household=world.h1, kind="parcel", detail="快递",
                                    source="self_report")
    service_request_assign(request=parcel, actor=cast.staff_c1, volunteer=cast.grid_a)
    r = api("grid_a").post(f"/api/v1/service-requests/{parcel.pk}/status",
                           {"status": "delivered"})
    assert (r.status_code, r.json()["status"]) == (200, "delivered")
