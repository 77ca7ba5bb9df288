"""A tip-off reward paid out of stock records its tip, worded on the stock page in the
reader's language as the tip's number — not in the language of the process that paid it."""

from django.utils import translation

from firstline.operations import services as ops
from firstline.operations.models import Item, Movement, Store
from firstline.residents import services


def test_a_reward_paid_from_stock_reads_as_the_tips_number_in_each_language(
        place, areas, cast, web):
    item = Item.objects.create(code="mask", name="医用口罩", unit="个")
    store = Store.objects.create(code="C1-S", name="C1 物资点", kind="community", area=areas.c1)
    ops.stock_receive(actor=cast.staff_c1, store=store, item=item, quantity=100)
    tip = services.tip_submit(community=areas.c1, what="有人未登记", where="阳光花园1栋",
                              device="ip:test")
    with translation.override("en"):  # paid by a process speaking English
        services.tip_verify(actor=cast.grid_a, tip=tip, outcome="valid")
    assert Movement.objects.get(kind="issue").tip == tip
    zh = web("staff_c1", "zh-hans").get("/operations/stock/").content.decode()
    en = web("staff_c1", "en").get("/operations/stock/").content.decode()
    assert f"发给 举报奖励 {tip.receipt}" in zh and "Tip-off" not in zh
    assert f"to tip-off reward {tip.receipt}" in en
