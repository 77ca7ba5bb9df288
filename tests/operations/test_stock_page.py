"""The supplies page: a receipt records its donation (donor, receipt number, consent to be
named) through stock_receive, says what was recorded, and the page lists recent receipts and
issues of the user's area; staff add an item to the catalogue."""

import re

from firstline.operations import services
from firstline.operations.models import Donation, Item, Movement, Stock


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_receipt_from_the_page_records_the_donation_and_says_what_was_recorded(
        web, cast, supplies):
    r = web("staff_c1").post("/operations/stock/", {
        "action": "receive", "store": "S-C1", "item": supplies.masks.pk, "quantity": "200",
        "donor": "某某公司", "donor_kind": "company", "receipt_no": "JZ-2020-001",
        "consent_named": "on"}, follow=True)
    d = Donation.objects.get()
    assert (d.donor, d.receipt_no, d.donor_kind, d.consent_named, d.area) == (
        "某某公司", "JZ-2020-001", "company", True, supplies.c1.area)
    assert Movement.objects.get(kind="receive").donation == d
    assert Stock.objects.get(store=supplies.c1, item=supplies.masks).quantity == 200
    assert "已入库（一社区仓库）：口罩 200 个（捐赠：某某公司）。" in _messages(r)


def test_a_donation_received_on_the_page_is_on_the_public_ledger(web, cast, areas, supplies):
    web("staff_c1").post("/operations/stock/", {
        "action": "receive", "store": "S-C1", "item": supplies.masks.pk, "quantity": "50",
        "donor": "张先生", "donor_kind": "person", "receipt_no": "R-7"})
    html = web("staff_c1").get("/operations/donations/99000101/").content.decode()
    assert "爱心人士" in html and "张先生" not in html  # no consent: not named


def test_a_donor_without_a_receipt_number_is_said_beside_it_and_nothing_is_received(
        web, cast, supplies):
    r = web("staff_c1", "en").post("/operations/stock/", {
        "action": "receive", "store": "S-C1", "item": supplies.masks.pk, "quantity": "20",
        "donor": "ACME", "donor_kind": "company", "receipt_no": ""})
    html = r.content.decode()
    assert r.status_code == 422
    assert re.search(r'<label class="field">Donation receipt number<[^>]*>.*?'
                     r'<span class="error"[^>]*>[^<]*required', html, re.S)
    assert 'value="ACME"' in html and 'id="receive" open' in html
    assert not Movement.objects.exists() and not Donation.objects.exists()


def test_a_plain_receipt_says_where_it_went_and_records_no_donation(web, cast, supplies):
    r = web("staff_c1", "en").post("/operations/stock/", {
        "action": "receive", "store": "S-C1", "item": supplies.suits.pk, "quantity": "30",
        "note": "区指挥部调拨"}, follow=True)
    assert "Received into 一社区仓库: 防护服 30 套." in _messages(r)
    m = Movement.objects.get()
    assert (m.donation, m.to) == (None, "区指挥部调拨")


def test_the_same_form_sent_twice_receives_once(web, cast, supplies):
    page = web("staff_c1", "en")
    form = {"action": "receive", "store": "S-C1", "item": supplies.masks.pk, "quantity": "10",
            "event_id": "6f1c2a4e-0000-4000-8000-000000000001"}
    page.post("/operations/stock/", form)
    r = page.post("/operations/stock/", form, follow=True)
    assert Stock.objects.get(store=supplies.c1, item=supplies.masks).quantity == 10
    assert "Already recorded: 口罩 10 个." in _messages(r)


def test_an_issue_says_what_went_to_whom(web, cast, supplies):
    services.stock_receive(actor=cast.staff_c1, store=supplies.c1, item=supplies.masks,
                           quantity=10)
    r = web("staff_c1").post("/operations/stock/", {
        "action": "issue", "store": "S-C1", "item": supplies.masks.pk, "quantity": "4",
        "to": "北门卡口"}, follow=True)
    assert "已从一社区仓库发放：口罩 4 个 → 北门卡口。" in _messages(r)


def test_the_history_lists_receipts_and_issues_of_the_users_area_only(web, cast, supplies):
    services.stock_receive(actor=cast.staff_c1, store=supplies.c1, item=supplies.masks,
                           quantity=10, donation={"donor": "某某公司", "receipt_no": "R-1",
                                                  "consent_named": False})
    services.stock_issue(actor=cast.staff_c1, store=supplies.c1, item=supplies.masks,
                         quantity=3, to="3号楼志愿者")
    services.stock_receive(actor=cast.staff_c2, store=supplies.c2, item=supplies.masks,
                           quantity=5)
    services.stock_issue(actor=cast.staff_c2, store=supplies.c2, item=supplies.masks,
                         quantity=2, to="二区南门")
    html = web("staff_c1").get("/operations/stock/").content.decode()
    history = html[html.index('id="history"'):]
    assert "3号楼志愿者" in history and "-3 个 口罩" in history and "+10 个 口罩" in history
    assert "某某公司" in history  # staff may read their donations
    assert "二区南门" not in history and "二社区仓库" not in history


def test_a_worker_sees_an_unconsenting_donor_only_as_anonymous(web, cast, areas, supplies):
    from firstline.operations.models import Store

    grid_store = Store.objects.create(code="S-G1a", name="一网格物资点", kind="community",
                                      area=areas.g1a)
    services.stock_receive(actor=cast.staff_c1, store=grid_store, item=supplies.masks,
                           quantity=10, donation={"donor": "某某公司", "receipt_no": "R-1"})
    html = web("grid_a").get("/operations/stock/").content.decode()
    history = html[html.index('id="history"'):]
    assert "一网格物资点" in history and "+10 个 口罩" in history
    assert "某某公司" not in history and "爱心人士" in history


def test_staff_add_an_item_to_the_catalogue(web, cast, supplies):
    r = web("staff_c1", "en").post("/operations/stock/", {
        "action": "item", "code": "goggles", "name": "护目镜", "unit": "副", "low_at": "5"},
        follow=True)
    item = Item.objects.get(code="goggles")
    assert (item.name, item.unit, item.low_at) == ("护目镜", "副", 5)
    assert "Added to the catalogue: 护目镜" in _messages(r)


def test_an_item_code_taken_is_said_beside_the_code(web, cast, supplies):
    r = web("staff_c1", "en").post("/operations/stock/", {
        "action": "item", "code": "mask", "name": "口罩2", "unit": "个", "low_at": "0"})
    assert r.status_code == 422
    assert re.search(r'<label class="field">Code<[^>]*>.*?<span class="error"[^>]*>'
                     r'An item with this code exists', r.content.decode(), re.S)
    assert Item.objects.filter(code="mask").count() == 1


def test_a_worker_without_operations_manage_cannot_add_an_item(web, cast, supplies):
    page = web("grid_a")
    assert "new-item" not in page.get("/operations/stock/").content.decode()
    r = page.post("/operations/stock/", {"action": "item", "code": "x", "name": "x",
                                         "low_at": "0"})
    assert r.status_code == 403
    assert not Item.objects.filter(code="x").exists()
