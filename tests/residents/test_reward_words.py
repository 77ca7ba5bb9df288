"""Marking a tip-off valid pays its reward from stock: the page says so before (the option
and a line beside the button) and after (what was issued, from which store, or that it is
owed)."""

from firstline.operations import services as ops
from firstline.operations.models import Item, Store
from firstline.residents import services


def _masks(cast, areas, quantity):
    item = Item.objects.create(code="mask", name="口罩", unit="个")
    store = Store.objects.create(code="C1-S", name="一社区仓库", kind="community", area=areas.c1)
    if quantity:
        ops.stock_receive(actor=cast.staff_c1, store=store, item=item, quantity=quantity)
    return store


def _tip(areas):
    return services.tip_submit(community=areas.c1, what="有人未登记", where="阳光花园1栋",
                               device="ip:test")


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def test_before_confirming_the_page_says_a_valid_tip_pays_a_reward_and_from_where(
        place, web, cast, areas):
    _masks(cast, areas, 100)
    t = _tip(areas)
    html = web("grid_a").get("/residents/tips/").content.decode()
    row = html[html.index(f'id="tip-{t.pk}"'):]
    assert "属实 · 将发放奖励" in row
    assert "核实属实将奖励 口罩 10 个，从一社区仓库发放。" in row


def test_the_verdict_says_the_reward_issued_and_from_which_store(place, web, cast, areas):
    _masks(cast, areas, 100)
    t = _tip(areas)
    r = web("grid_a").post(f"/residents/tips/{t.pk}/verify/", {"outcome": "valid"},
                           follow=True)
    assert f"举报 {t.receipt} 已核实属实，奖励 口罩 10 个 已从一社区仓库发放。" in _messages(r)


def test_the_verdict_says_the_reward_is_owed_when_the_store_holds_too_little(
        place, web, cast, areas):
    _masks(cast, areas, 3)
    t = _tip(areas)
    r = web("grid_a", "en").post(f"/residents/tips/{t.pk}/verify/", {"outcome": "valid"},
                                 follow=True)
    [said] = _messages(r)
    assert said.startswith(f"Tip-off {t.receipt} verified valid: reward 口罩 10 个 owed")


def test_an_invalid_tip_says_nothing_of_a_reward(place, web, cast, areas):
    _masks(cast, areas, 100)
    t = _tip(areas)
    r = web("grid_a", "en").post(f"/residents/tips/{t.pk}/verify/", {"outcome": "invalid"},
                                 follow=True)
    assert _messages(r) == [f"Tip-off {t.receipt} verified."]
