"""Operations 0013: issues written before as words ("九个一 → household 3", "Tip-off reward
T…", "更正") become data — the household, the tip, a correction; other text stays as typed."""

import pytest

BEFORE = [("operations", "0011_gate_target_names_compound")]


@pytest.mark.django_db(transaction=True)
def test_old_issue_words_become_the_household_the_tip_or_a_correction(areas, cast):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from firstline.operations.models import Item, Movement, Stock, Store
    from firstline.residents.services import tip_submit
    from tests.conftest import make_household

    home = make_household(areas.g1a)
    tip = tip_submit(community=areas.c1, what="有人未登记", where="阳光花园1栋", device="ip:t")
    store = Store.objects.create(code="S-C1", name="一社区仓库", kind="community", area=areas.c1)
    kit = Stock.objects.create(store=store, item=Item.objects.create(code="kit-1", name="九个一",
                                                                    unit="套"))
    masks = Stock.objects.create(store=store, item=Item.objects.create(code="mask", name="口罩",
                                                                      unit="个"))

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    OldMovement = executor.loader.project_state(BEFORE).apps.get_model("operations",
                                                                        "Movement")
    words = [(kit, f"九个一 → household {home.pk}"),
             (kit, f"care package 7 → household {home.pk}"),
             (kit, "九个一 → household 999999"),        # no such household: left alone
             (masks, f"Tip-off reward {tip.receipt}"),
             (masks, f"举报奖励 {tip.receipt}"),
             (masks, "举报奖励 T-NONE"),                # no such tip: left alone
             (kit, "更正"), (kit, "correction"),
             (masks, "更正"),                           # not a kit: typed by a user
             (masks, "北门卡口")]
    ids = [OldMovement.objects.create(stock_id=stock.pk, kind="issue", delta=-1, to=to).pk
           for stock, to in words]

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    got = {m.pk: (m.purpose, m.household_id, m.tip_id, m.to)
           for m in Movement.objects.filter(pk__in=ids)}
    assert [got[pk] for pk in ids] == [
        ("care_kit", home.pk, None, ""), ("care_kit", home.pk, None, ""),
        ("", None, None, "九个一 → household 999999"),
        ("tip_reward", None, tip.pk, ""), ("tip_reward", None, tip.pk, ""),
        ("", None, None, "举报奖励 T-NONE"),
        ("correction", None, None, ""), ("correction", None, None, ""),
        ("", None, None, "更正"), ("", None, None, "北门卡口")]
