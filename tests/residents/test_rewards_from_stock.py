"""A valid tip-off's reward (rule tips.reward, 10 masks) is issued from the operations stock
of the community's store when it holds enough; else owed, and issued when stock arrives or by
the button; the ledger says which."""

import pytest
from django.utils import translation

from firstline.operations import services as ops
from firstline.operations.models import Item, Movement, Stock, Store
from firstline.residents import services
from firstline.residents.models import Reward, Tip

from ..conftest import race


def masks(cast, areas, quantity=0):
    item = Item.objects.create(code="mask", name="医用口罩", unit="个")
    store = Store.objects.create(code="C1-S", name="C1 物资点", kind="community", area=areas.c1)
    if quantity:
        ops.stock_receive(actor=cast.staff_c1, store=store, item=item, quantity=quantity)
    return item, store


def a_tip(areas):
    return services.tip_submit(community=areas.c1, what="有人未登记", where="阳光花园1栋",
                               device="ip:test")


def held(store, item):
    return Stock.objects.get(store=store, item=item).quantity


def test_a_valid_tip_is_paid_from_the_community_store(place, areas, cast, api):
    item, store = masks(cast, areas, quantity=100)
    t = a_tip(areas)
    r = api("grid_a").post(f"/api/v1/tips/{t.pk}/verify", {"valid": True})
    assert r.json()["reward"] == {"item": "masks", "quantity": 10, "status": "issued",
                                  "how": "stock", "store": "C1-S"}
    assert held(store, item) == 90
    issue = Movement.objects.get(kind="issue")
    assert (issue.delta, issue.actor, issue.purpose, issue.tip, issue.to) == (
        -10, cast.grid_a, "tip_reward", t, "")  # the tip as data, worded when read


def test_without_enough_stock_the_reward_is_owed_and_nothing_taken(place, areas, cast):
    item, store = masks(cast, areas, quantity=5)
    t = services.tip_verify(actor=cast.grid_a, tip=a_tip(areas), outcome="valid")
    reward = Reward.objects.get(tip=t)
    assert (reward.status, reward.how, reward.store) == ("owed", "", None)
    assert held(store, item) == 5
    with translation.override("en"):
        assert services.reward_text(reward) == "Reward owed: 10 masks"


def test_an_owed_reward_is_issued_when_stock_arrives(place, areas, cast):
    item, store = masks(cast, areas)
    first = services.tip_verify(actor=cast.grid_a, tip=a_tip(areas), outcome="valid")
    second = services.tip_verify(actor=cast.grid_a, tip=a_tip(areas), outcome="valid")
    ops.stock_receive(actor=cast.staff_c1, store=store, item=item, quantity=15)
    # Oldest first, while the store holds enough: the first is paid, the second still owed.
    assert Reward.objects.get(tip=first).how == "stock"
    assert Reward.objects.get(tip=second).status == "owed"
    assert held(store, item) == 5
    ops.stock_receive(actor=cast.staff_c1, store=store, item=item, quantity=5)
    assert Reward.objects.get(tip=second).how == "stock"
    assert held(store, item) == 0


def test_stock_of_another_item_or_community_pays_nothing(place, areas, cast):
    item, store = masks(cast, areas)
    suit = Item.objects.create(code="suit", name="防护服")
    other = Store.objects.create(code="C2-S", name="C2", kind="community", area=areas.c2)
    t = services.tip_verify(actor=cast.grid_a, tip=a_tip(areas), outcome="valid")
    ops.stock_receive(actor=cast.staff_c1, store=store, item=suit, quantity=50)
    ops.stock_receive(actor=cast.staff_c2, store=other, item=item, quantity=50)
    assert Reward.objects.get(tip=t).status == "owed"


def test_the_button_issues_from_stock_else_by_hand(place, areas, cast, web):
    item, store = masks(cast, areas)
    paid, by_hand = (services.tip_verify(actor=cast.grid_a, tip=a_tip(areas), outcome="valid")
                     for _ in range(2))
    # Stock moved in from the street arrives: settle pays the oldest owed reward at once.
    street = Store.objects.create(code="ST", name="街道", kind="street", area=areas.street)
    ops.stock_receive(actor=cast.hq, store=street, item=item, quantity=10)
    ops.stock_move(actor=cast.hq, store=street, to_store=store, item=item, quantity=10)
    assert Reward.objects.get(tip=paid).how == "stock"
    assert web("grid_a").post(f"/residents/tips/{by_hand.pk}/reward-issued/").status_code == 302
    reward = Reward.objects.get(tip=by_hand)
    assert (reward.status, reward.how, reward.store) == ("issued", "by_hand", None)
    with translation.override("en"):
        assert services.reward_text(Reward.objects.get(tip=paid)) == (
            "Reward issued from stock of C1 物资点: 10 masks")
        assert services.reward_text(reward) == "Reward handed over by hand: 10 masks"
    page = web("grid_a").get("/residents/tips/?status=valid").content.decode()
    assert "C1 物资点" in page  # the ledger names the store a reward came from


@pytest.mark.django_db(transaction=True)
def test_concurrent_verifications_issue_the_reward_once(file_database, areas, cast):
    from ..conftest import make_household

    make_household(areas.g1a, building="1", unit="1", room="101")
    item, store = masks(cast, areas, quantity=100)
    t = a_tip(areas)
    results = race(6, lambda i: services.tip_verify(actor=cast.grid_a,
                                                    tip=Tip.objects.get(pk=t.pk),
                                                    outcome="valid"))
    assert len([r for r in results if isinstance(r, Tip)]) == 1, results
    assert held(store, item) == 90
    assert Movement.objects.filter(kind="issue").count() == 1
    assert Reward.objects.get(tip_id=t.pk).how == "stock"


@pytest.mark.django_db(transaction=True)
def test_concurrent_arrivals_issue_an_owed_reward_once(file_database, areas, cast):
    from ..conftest import make_household

    make_household(areas.g1a, building="1", unit="1", room="101")
    item, store = masks(cast, areas)
    t = services.tip_verify(actor=cast.grid_a, tip=a_tip(areas), outcome="valid")
    results = race(6, lambda i: ops.stock_receive(actor=cast.staff_c1, store=store, item=item,
                                                  quantity=10))
    assert all(isinstance(r, Stock) for r in results), results
    assert held(store, item) == 50
    assert Movement.objects.filter(kind="issue").count() == 1
    assert Reward.objects.get(tip_id=t.pk).how == "stock"
