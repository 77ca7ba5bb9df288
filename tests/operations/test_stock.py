"""Supplies and donations: receive, issue, move, count; never negative, under any
concurrency; low stock opens an alert; donations with sane bounds and a public ledger."""

import pytest

from firstline.isolation.models import Alert
from firstline.operations import services
from firstline.operations.models import Donation, Movement, Stock, Store
from tests.conftest import race


def _qty(store, item):
    return Stock.objects.get(store=store, item=item).quantity


def test_receive_then_issue(api, supplies):
    staff = api("staff_c1")
    r = staff.post("/api/v1/stock/receive", {"store": "S-C1", "item": "mask", "quantity": 100})
    assert r.status_code == 201, r.content
    r = staff.post("/api/v1/stock/issue", {"store": "S-C1", "item": "mask", "quantity": 30,
                                           "to": "北门卡口"})
    assert r.status_code == 201
    items = staff.get("/api/v1/stock", store="S-C1").json()["items"]
    assert [(i["item"], i["quantity"]) for i in items] == [("mask", 70)]


def test_a_store_may_be_named_by_id(api, supplies):
    r = api("staff_c1").post("/api/v1/stock/receive", {"store": str(supplies.c1.pk),
                                                       "item": "mask", "quantity": 5})
    assert r.status_code == 201


def test_issuing_more_than_held_is_409_and_changes_nothing(api, supplies):
    staff = api("staff_c1")
    staff.post("/api/v1/stock/receive", {"store": "S-C1", "item": "mask", "quantity": 5})
    r = staff.post("/api/v1/stock/issue", {"store": "S-C1", "item": "mask", "quantity": 6,
                                           "to": "x"})
    assert r.status_code == 409 and r.json()["error"] == "insufficient_stock"
    assert _qty(supplies.c1, supplies.masks) == 5
    assert Movement.objects.filter(kind="issue").count() == 0


def test_issuing_an_item_never_received_is_409(api, supplies):
    r = api("staff_c1").post("/api/v1/stock/issue", {"store": "S-C1", "item": "suit",
                                                     "quantity": 1, "to": "x"})
    assert r.status_code == 409 and r.json()["error"] == "insufficient_stock"


@pytest.mark.parametrize("quantity", [-5, 0, 10**12])
def test_a_bad_quantity_is_422_naming_it(api, supplies, quantity):
    r = api("staff_c1").post("/api/v1/stock/receive", {"store": "S-C1", "item": "mask",
                                                       "quantity": quantity})
    assert r.status_code == 422 and "quantity" in r.json()["detail"]
    assert not Stock.objects.filter(quantity__gt=0).exists()


def test_a_negative_issue_is_422_not_a_receipt(api, supplies):
    api("staff_c1").post("/api/v1/stock/receive", {"store": "S-C1", "item": "mask",
                                                   "quantity": 5})
    r = api("staff_c1").post("/api/v1/stock/issue", {"store": "S-C1", "item": "mask",
                                                     "quantity": -5, "to": "x"})
    assert r.status_code == 422 and "quantity" in r.json()["detail"]
    assert _qty(supplies.c1, supplies.masks) == 5


def test_an_unknown_item_is_422_naming_it(api, supplies):
    r = api("staff_c1").post("/api/v1/stock/receive", {"store": "S-C1", "item": "12345",
                                                       "quantity": 1})
    assert r.status_code == 422 and "item" in r.json()["detail"]


def test_another_communitys_store_is_404(api, supplies):
    staff = api("staff_c1")
    assert staff.post("/api/v1/stock/receive", {"store": "S-C2", "item": "mask",
                                                "quantity": 1}).status_code == 404
    assert staff.get("/api/v1/stock", store="S-C2").status_code == 404
    assert staff.post("/api/v1/stock/issue", {"store": "S-C2", "item": "mask", "quantity": 1,
                                              "to": "x"}).status_code == 404
    assert [s["code"] for s in staff.get("/api/v1/stores").json()["items"]] == ["S-C1"]


def test_receiving_needs_operations_manage(api, supplies):
    r = api("grid_a").post("/api/v1/stock/receive", {"store": "S-C1", "item": "mask",
                                                     "quantity": 1})
    assert r.status_code == 403
    assert api("gate_c1").get("/api/v1/stock").status_code == 403


def test_move_between_stores(api, supplies, areas):
    from firstline.operations.models import Store

    Store.objects.create(code="S-ST", name="街道仓库", kind="street", area=areas.street)
    hq = api("hq")
    hq.post("/api/v1/stock/receive", {"store": "S-ST", "item": "mask", "quantity": 50})
    r = hq.post("/api/v1/stock/move", {"store": "S-ST", "to_store": "S-C1", "item": "mask",
                                       "quantity": 20})
    assert r.status_code == 201
    assert _qty(supplies.c1, supplies.masks) == 20
    assert Stock.objects.get(store__code="S-ST", item=supplies.masks).quantity == 30


def test_a_count_replaces_the_book_quantity(api, supplies):
    staff = api("staff_c1")
    staff.post("/api/v1/stock/receive", {"store": "S-C1", "item": "mask", "quantity": 10})
    r = staff.post("/api/v1/stock/count", {"store": "S-C1", "item": "mask", "quantity": 8})
    assert r.status_code == 201 and r.json()["quantity"] == 8
    assert Movement.objects.get(kind="count").delta == -2


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_issues_take_exactly_what_is_there(file_database, cast, areas):
    """8 threads issue 1 each from a stock of 5: exactly 5 succeed, 3 are refused, 0 left."""
    from firstline.operations.models import Item, Store

    item = Item.objects.create(code="mask", name="口罩")
    store = Store.objects.create(code="S-C1", name="一社区仓库", kind="community", area=areas.c1)
    services.stock_receive(actor=cast.staff_c1, store=store, item=item, quantity=5)

    def work(i):
        from firstline.accounts.models import User

        actor = User.objects.get(username="staff_c1")
        return services.stock_issue(actor=actor, store=store, item=item, quantity=1,
                                    to=f"卡口{i}")

    results = race(8, work)
    ok = [r for r in results if isinstance(r, Stock)]
    refused = [r for r in results if getattr(r, "code", "") == "insufficient_stock"]
    assert (len(ok), len(refused)) == (5, 3), results
    assert Stock.objects.get(store=store, item=item).quantity == 0
    assert Movement.objects.filter(kind="issue").count() == 5


# --- a retry or a double tap moves stock once (event_id) ------------------------------------

EVENT = "5f0c8a8e-3b7e-4d0b-9a53-2f1f2b1f0a11"


def test_a_receipt_sent_twice_with_its_event_id_is_counted_once(api, supplies):
    staff = api("staff_c1")
    body = {"store": "S-C1", "item": "mask", "quantity": 100, "event_id": EVENT}
    first = staff.post("/api/v1/stock/receive", body)
    again = staff.post("/api/v1/stock/receive", body)
    assert (first.status_code, again.status_code) == (201, 200), again.content
    assert again.json()["quantity"] == 100 == _qty(supplies.c1, supplies.masks)
    assert Movement.objects.filter(kind="receive").count() == 1


def test_an_issue_sent_twice_with_its_event_id_takes_once(api, supplies):
    staff = api("staff_c1")
    staff.post("/api/v1/stock/receive", {"store": "S-C1", "item": "mask", "quantity": 10})
    body = {"store": "S-C1", "item": "mask", "quantity": 3, "to": "北门", "event_id": EVENT}
    assert staff.post("/api/v1/stock/issue", body).status_code == 201
    again = staff.post("/api/v1/stock/issue", body)
    assert again.status_code == 200 and again.json()["quantity"] == 7
    assert _qty(supplies.c1, supplies.masks) == 7


def test_a_move_sent_twice_with_its_event_id_moves_once(api, supplies, areas):
    from firstline.operations.models import Store

    Store.objects.create(code="S-ST", name="街道仓库", kind="street", area=areas.street)
    hq = api("hq")
    hq.post("/api/v1/stock/receive", {"store": "S-ST", "item": "mask", "quantity": 50})
    body = {"store": "S-ST", "to_store": "S-C1", "item": "mask", "quantity": 20,
            "event_id": EVENT}
    assert hq.post("/api/v1/stock/move", body).status_code == 201
    again = hq.post("/api/v1/stock/move", body)
    assert again.status_code == 200 and again.json()["store"] == "S-C1"
    assert (_qty(supplies.c1, supplies.masks),
            Stock.objects.get(store__code="S-ST", item=supplies.masks).quantity) == (20, 30)


def test_an_event_id_used_for_another_movement_is_409_and_moves_nothing(api, supplies):
    staff = api("staff_c1")
    staff.post("/api/v1/stock/receive", {"store": "S-C1", "item": "mask", "quantity": 10,
                                         "event_id": EVENT})
    r = staff.post("/api/v1/stock/issue", {"store": "S-C1", "item": "mask", "quantity": 3,
                                           "to": "北门", "event_id": EVENT})
    assert r.status_code == 409 and r.json()["error"] == "event_id_reused"
    assert _qty(supplies.c1, supplies.masks) == 10
    r = staff.post("/api/v1/stock/receive", {"store": "S-C1", "item": "mask", "quantity": 11,
                                             "event_id": EVENT})
    assert r.status_code == 409 and _qty(supplies.c1, supplies.masks) == 10


def test_without_an_event_id_each_receipt_counts(api, supplies):
    staff = api("staff_c1")
    for _ in range(2):
        assert staff.post("/api/v1/stock/receive", {"store": "S-C1", "item": "mask",
                                                    "quantity": 5}).status_code == 201
    assert _qty(supplies.c1, supplies.masks) == 10


@pytest.mark.django_db(transaction=True)
def test_the_same_receipt_sent_by_six_threads_at_once_is_counted_once(file_database, cast,
                                                                       areas):
    import uuid

    from firstline.operations.models import Item, Store

    item = Item.objects.create(code="mask", name="口罩")
    store = Store.objects.create(code="S-C1", name="一社区仓库", kind="community", area=areas.c1)
    event = uuid.UUID(EVENT)

    def work(i):
        from firstline.accounts.models import User

        actor = User.objects.get(username="staff_c1")
        return services.stock_receive(actor=actor, store=store, item=item, quantity=40,
                                      event_id=event)

    results = race(6, work)
    assert all(isinstance(r, Stock) and r.quantity == 40 for r in results), results
    assert sorted(r.replayed for r in results) == [False] + [True] * 5
    assert Stock.objects.get(store=store, item=item).quantity == 40
    assert Movement.objects.filter(kind="receive").count() == 1


def test_low_stock_opens_one_alert(api, supplies):
    staff = api("staff_c1")
    staff.post("/api/v1/stock/receive", {"store": "S-C1", "item": "mask", "quantity": 5})
    staff.post("/api/v1/stock/issue", {"store": "S-C1", "item": "mask", "quantity": 3,
                                       "to": "x"})
    staff.post("/api/v1/stock/issue", {"store": "S-C1", "item": "mask", "quantity": 1,
                                       "to": "x"})
    alert = Alert.objects.get(kind="low_stock")
    assert alert.status == "open" and alert.area.code == "C1"
    assert "口罩" in alert.display_detail


def test_stock_above_the_threshold_opens_no_alert(api, supplies):
    staff = api("staff_c1")
    staff.post("/api/v1/stock/receive", {"store": "S-C1", "item": "mask", "quantity": 10})
    staff.post("/api/v1/stock/issue", {"store": "S-C1", "item": "mask", "quantity": 3,
                                       "to": "x"})
    assert not Alert.objects.filter(kind="low_stock").exists()


def test_a_donation_of_items_arrives_with_its_receipt(api, supplies):
    r = api("staff_c1").post("/api/v1/stock/receive", {
        "store": "S-C1", "item": "mask", "quantity": 20000,
        "donation": {"donor": "某某科技有限公司", "receipt_no": "JZ-001",
                     "donor_kind": "company", "consent_named": True}})
    assert r.status_code == 201, r.content
    d = Donation.objects.get()
    assert (d.donor, d.receipt_no, d.area.code) == ("某某科技有限公司", "JZ-001", "C1")
    assert d.movements.get().delta == 20000


def test_a_donation_with_an_empty_donor_is_422_and_nothing_is_received(api, supplies):
    r = api("staff_c1").post("/api/v1/stock/receive", {
        "store": "S-C1", "item": "mask", "quantity": 100,
        "donation": {"donor": "", "receipt_no": "JZ-001"}})
    assert r.status_code == 422 and "donor" in r.json()["detail"]
    assert not Stock.objects.filter(quantity__gt=0).exists()
    assert not Donation.objects.exists()


def test_cash_of_a_trillion_yuan_is_422_naming_cash(api):
    r = api("staff_c1").post("/api/v1/donations", {"area": "C1", "donor": "张三",
                                                   "receipt_no": "JZ-9", "cash": 10**12})
    assert r.status_code == 422 and "cash" in r.json()["detail"]
    assert not Donation.objects.exists()


@pytest.mark.parametrize("cash", [-1, 0, "0.001", "abc"])
def test_bad_cash_is_4xx(api, cash):
    r = api("staff_c1").post("/api/v1/donations", {"area": "C1", "donor": "张三",
                                                   "receipt_no": "JZ-9", "cash": cash})
    assert r.status_code == 422 and "cash" in r.json()["detail"]


def test_a_cash_donation_is_recorded(api):
    r = api("staff_c1").post("/api/v1/donations", {"area": "C1", "donor": "张三",
                                                   "receipt_no": "JZ-9", "cash": "5000.50"})
    assert r.status_code == 201
    [d] = api("staff_c1").get("/api/v1/donations", area="C1").json()["items"]
    assert d["cash"] in ("5000.50", 5000.5)


def test_the_same_receipt_twice_is_409(api):
    body = {"area": "C1", "donor": "张三", "receipt_no": "JZ-9", "cash": 10}
    assert api("staff_c1").post("/api/v1/donations", body).status_code == 201
    assert api("staff_c1").post("/api/v1/donations", body).status_code == 409


def test_the_public_ledger_names_only_consenting_donors(client, api, supplies):
    staff = api("staff_c1")
    staff.post("/api/v1/donations", {"area": "C1", "donor": "张三", "receipt_no": "JZ-1",
                                     "cash": 100, "consent_named": True})
    staff.post("/api/v1/donations", {"area": "C1", "donor": "李四", "receipt_no": "JZ-2",
                                     "cash": 200})
    page = client.get("/operations/donations/99000101/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "张三" in html and "李四" not in html and "JZ-2" in html


def test_the_public_ledger_of_an_unknown_street_is_404(client, areas):
    assert client.get("/operations/donations/C1/").status_code == 404


# --- a store named by its id as a JSON integer (CONTRACT.md: `store: CODE-or-id`) -------------

def test_a_store_may_be_named_by_its_id_as_a_json_integer_on_receive(api, supplies):
    r = api("staff_c1").post("/api/v1/stock/receive", {"store": supplies.c1.pk,
                                                       "item": "mask", "quantity": 5})
    assert r.status_code == 201, r.content
    assert _qty(supplies.c1, supplies.masks) == 5


def test_a_store_may_be_named_by_its_id_as_a_json_integer_on_issue(api, supplies, cast):
    services.stock_receive(actor=cast.hq, store=supplies.c1, item=supplies.masks, quantity=5)
    r = api("staff_c1").post("/api/v1/stock/issue", {"store": supplies.c1.pk, "item": "mask",
                                                     "quantity": 2, "to": "x"})
    assert r.status_code == 201, r.content
    assert _qty(supplies.c1, supplies.masks) == 3


def test_both_stores_of_a_move_may_be_json_integers(api, supplies, cast):
    services.stock_receive(actor=cast.hq, store=supplies.c1, item=supplies.masks, quantity=5)
    r = api("hq").post("/api/v1/stock/move", {"store": supplies.c1.pk, "to_store": supplies.c2.pk,
                                              "item": "mask", "quantity": 2})
    assert r.status_code == 201, r.content
    assert _qty(supplies.c2, supplies.masks) == 2


def test_a_count_may_name_its_store_by_a_json_integer(api, supplies):
    r = api("staff_c1").post("/api/v1/stock/count", {"store": supplies.c1.pk, "item": "mask",
                                                     "quantity": 8})
    assert r.status_code == 201, r.content


def test_a_json_integer_is_an_id_never_another_stores_code(api, supplies, areas):
    """A store coded "5" beside the store whose id is 5: the number 5 names the id."""
    Store.objects.create(code=str(supplies.c1.pk), name="编号像id的仓库", kind="community",
                         area=areas.c1)
    r = api("staff_c1").post("/api/v1/stock/receive", {"store": supplies.c1.pk,
                                                       "item": "mask", "quantity": 5})
    assert r.status_code == 201, r.content
    assert _qty(supplies.c1, supplies.masks) == 5


def test_an_id_too_large_for_any_row_is_404_not_an_error(api, supplies):
    r = api("staff_c1").post("/api/v1/stock/receive", {"store": 10**30, "item": "mask",
                                                       "quantity": 5})
    assert r.status_code == 404


def test_the_stock_list_takes_a_stores_id(api, supplies, cast):
    services.stock_receive(actor=cast.hq, store=supplies.c1, item=supplies.masks, quantity=5)
    items = api("staff_c1").get("/api/v1/stock", store=str(supplies.c1.pk)).json()["items"]
    assert [(i["store"], i["quantity"]) for i in items] == [("S-C1", 5)]


@pytest.mark.parametrize("store", [True, False, 1.0, 0, -1, None, [1]])
def test_a_store_neither_code_nor_id_is_422_naming_it(api, supplies, store):
    r = api("staff_c1").post("/api/v1/stock/receive", {"store": store, "item": "mask",
                                                       "quantity": 5})
    assert r.status_code == 422 and r.json()["detail"].startswith("store: ")
    assert not Stock.objects.exists()


def test_another_communitys_store_by_json_integer_is_404(api, supplies):
    r = api("staff_c1").post("/api/v1/stock/receive", {"store": supplies.c2.pk, "item": "mask",
                                                       "quantity": 1})
    assert r.status_code == 404


def test_the_openapi_store_is_a_code_or_an_id(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["ReceiveIn"]
    assert {"type": "integer", "minimum": 1} in schema["properties"]["store"]["anyOf"]
