"""CONTRACT.md's stock calls as an outside caller makes them: `store: CODE-or-id` may be a
street's or a community's code (its own store, made on first receipt), and an item the
catalogue lacks is received as a new item, named as sent."""

from firstline.operations.models import Item, Stock, Store


def test_receiving_an_item_the_catalogue_lacks_adds_it(api, supplies):
    staff = api("staff_c1")
    r = staff.post("/api/v1/stock/receive", {"store": "S-C1", "item": "N95口罩", "quantity": 40})
    assert r.status_code == 201, r.content
    assert Item.objects.get(code="N95口罩").name == "N95口罩"
    r = staff.post("/api/v1/stock/issue", {"store": "S-C1", "item": "N95口罩", "quantity": 41,
                                           "to": "北门"})
    assert r.status_code == 409 and r.json()["error"] == "insufficient_stock"
    items = staff.get("/api/v1/stock", store="S-C1").json()["items"]
    assert ("N95口罩", 40) in [(i["item"], i["quantity"]) for i in items]


def test_a_refused_receipt_adds_no_item(api, supplies):
    r = api("staff_c1").post("/api/v1/stock/receive", {"store": "S-C1", "item": "酒精",
                                                       "quantity": 0})
    assert r.status_code == 422 and "quantity" in r.json()["detail"]
    assert not Item.objects.filter(name="酒精").exists()


def test_issuing_an_item_the_catalogue_lacks_is_422_naming_it(api, supplies):
    r = api("staff_c1").post("/api/v1/stock/issue", {"store": "S-C1", "item": "unicorn",
                                                     "quantity": 1, "to": "x"})
    assert r.status_code == 422 and "item" in r.json()["detail"]
    assert not Item.objects.filter(code="unicorn").exists()


def test_a_communitys_code_names_its_own_store(api, areas, supplies):
    Store.objects.filter(area=areas.c1).delete()
    staff = api("staff_c1")
    r = staff.post("/api/v1/stock/receive", {"store": areas.c1.code, "item": "mask",
                                             "quantity": 7})
    assert r.status_code == 201, r.content
    store = Store.objects.get(area=areas.c1)
    assert Stock.objects.get(store=store, item=supplies.masks).quantity == 7
    items = staff.get("/api/v1/stock", store=areas.c1.code).json()["items"]
    assert [(i["item"], i["quantity"]) for i in items] == [("mask", 7)]


def test_another_communitys_code_is_404_and_makes_no_store(api, areas, supplies):
    Store.objects.filter(area=areas.c2).delete()
    r = api("staff_c1").post("/api/v1/stock/receive", {"store": areas.c2.code, "item": "mask",
                                                       "quantity": 1})
    assert r.status_code == 404
    assert not Store.objects.filter(area=areas.c2).exists()
