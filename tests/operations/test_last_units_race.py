"""The last units of an item taken at the same instant through the API, on PostgreSQL with
real threads (each with its own connection): the stock never goes below zero, exactly what is
there is handed out, and each request that finds too little gets 409 `insufficient_stock`
naming what is left — never a 500.

So that the requests really overlap, a holder keeps the stock row locked for a moment while
they start: every request is at its conditional update when the first may write."""


import pytest
from django.db import connection

from firstline.operations import services
from firstline.operations.models import Movement, Stock, Store

from ..conftest import ApiClient, race_while_locked

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="real threads need PostgreSQL")


def _lock(row):
    Stock.objects.select_for_update().get(pk=row.pk)


def _issued_at_once(row, clients, bodies):
    """clients[i] issues bodies[i], all at once, while a holder keeps the stock row locked."""
    return race_while_locked(
        lambda: _lock(row),
        [lambda i=i: clients[i].post("/api/v1/stock/issue", bodies[i])
         for i in range(len(clients))])


@pytest.fixture
def last_five(cast, supplies):
    return services.stock_receive(actor=cast.staff_c1, store=supplies.c1, item=supplies.suits,
                                  quantity=5)


@pytest.mark.django_db(transaction=True)
def test_two_takes_of_the_last_units_at_once_one_gets_them_one_is_refused(cast, supplies,
                                                                          last_five):
    clients = [ApiClient(cast.staff_c1), ApiClient(cast.hq)]
    bodies = [{"store": "S-C1", "item": "suit", "quantity": 4, "to": "北门"},
              {"store": "S-C1", "item": "suit", "quantity": 3, "to": "南门"}]
    results = _issued_at_once(last_five, clients, bodies)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(status for status, _ in results) == [201, 409], results
    won = next(i for i, (status, _) in enumerate(results) if status == 201)
    left = 5 - bodies[won]["quantity"]
    assert Stock.objects.get(pk=last_five.pk).quantity == left
    assert results[won][1]["quantity"] == left
    refused = results[1 - won][1]
    want = bodies[1 - won]["quantity"]
    assert refused == {"error": "insufficient_stock",
                       "detail": f"一社区仓库 的防护服库存为 {left}，申领 {want}。"}, refused
    assert Movement.objects.filter(kind="issue").count() == 1


@pytest.mark.django_db(transaction=True)
def test_six_takes_of_two_each_from_five_hand_out_four_never_below_zero(cast, supplies,
                                                                        last_five):
    clients = [ApiClient(cast.staff_c1) for _ in range(6)]
    body = {"store": "S-C1", "item": "suit", "quantity": 2, "to": "卡口"}
    results = _issued_at_once(last_five, clients, [body] * 6)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(status for status, _ in results) == [201, 201, 409, 409, 409, 409], results
    assert Stock.objects.get(pk=last_five.pk).quantity == 1
    assert {answer["error"] for status, answer in results if status == 409} == {
        "insufficient_stock"}
    assert Movement.objects.filter(kind="issue").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_move_and_an_issue_of_the_last_units_at_once_one_takes_them(cast, supplies, areas,
                                                                      last_five):
    Store.objects.create(code="S-ST", name="街道仓库", kind="street", area=areas.street)
    hq, staff = ApiClient(cast.hq), ApiClient(cast.staff_c1)
    posts = [lambda: hq.post("/api/v1/stock/move", {"store": "S-C1", "to_store": "S-ST",
                                                    "item": "suit", "quantity": 5}),
             lambda: staff.post("/api/v1/stock/issue", {"store": "S-C1", "item": "suit",
                                                        "quantity": 5, "to": "北门"})]
    results = race_while_locked(lambda: _lock(last_five), posts)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(status for status, _ in results) == [201, 409], results
    assert Stock.objects.get(pk=last_five.pk).quantity == 0
    moved = Stock.objects.filter(store__code="S-ST", item=supplies.suits).values_list(
        "quantity", flat=True).first() or 0
    issued = Movement.objects.filter(kind="issue").count()
    assert (moved, issued) in {(5, 0), (0, 1)}
    assert next(a for s, a in results if s == 409)["error"] == "insufficient_stock"
