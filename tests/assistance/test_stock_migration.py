"""One stock model: the migration that moves care-kit stock onto operations' stores."""

from datetime import UTC, datetime

import pytest

BEFORE = [("assistance", "0002_clock_now_default")]
AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_care_kit_stock_becomes_operations_stock_with_its_history(world, cast, areas):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from firstline.assistance.models import PackageIssue, PackageKind
    from firstline.operations.models import Movement, Stock, Store

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Kind, OldStock = old.get_model("assistance", "PackageKind"), old.get_model("assistance", "Stock")
    OldMove = old.get_model("assistance", "StockMovement")
    OldIssue = old.get_model("assistance", "PackageIssue")
    nine = Kind.objects.create(name="九个一", contents="联系卡、体温计、口罩")
    veg = Kind.objects.create(name="爱心蔬菜包")
    # C1 already has a community store in operations: the kits must land there.
    c1_store = Store.objects.create(code="C1-MAIN", name="C1 物资点", kind="community",
                                    area=areas.c1)
    c1 = OldStock.objects.create(kind=nine, area_id=areas.c1.pk, quantity=7, updated_at=AT)
    OldMove.objects.create(stock=c1, delta=10, note="区民政局调拨", actor_id=cast.staff_c1.pk,
                           at=AT)
    OldMove.objects.create(stock=c1, delta=-1, note="盘点少一套", actor_id=cast.staff_c1.pk,
                           at=AT)
    for household in (world.h1, world.h2):
        OldIssue.objects.create(kind=nine, household_id=household.pk, grid_id=household.grid_id,
                                stock=c1, issued_by_id=cast.grid_a.pk, issued_at=AT)
    # The street's stock has no recorded history (older data): carried over by a count.
    OldStock.objects.create(kind=veg, area_id=areas.street.pk, quantity=4,
                           updated_at=AT)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    nine, veg = PackageKind.objects.get(pk=nine.pk), PackageKind.objects.get(pk=veg.pk)
    assert (nine.item.code, nine.item.name, veg.item.code) == (f"kit-{nine.pk}", "九个一",
                                                               f"kit-{veg.pk}")
    row = Stock.objects.get(item=nine.item)
    assert (row.store, row.quantity) == (c1_store, 7)
    # The issues' old words ("care package N → household M") became the household itself
    # (operations 0013), worded when read.
    assert list(row.movements.order_by("pk").values_list("kind", "delta", "to", "household")) == [
        ("receive", 10, "区民政局调拨", None), ("count", -1, "盘点少一套", None),
        ("issue", -1, "", world.h1.pk), ("issue", -1, "", world.h2.pk)]
    assert set(PackageIssue.objects.values_list("store", flat=True)) == {c1_store.pk}
    street_row = Stock.objects.get(item=veg.item)
    assert (street_row.store.area, street_row.store.kind, street_row.quantity) == (
        areas.street, "street", 4)
    assert list(Movement.objects.filter(stock=street_row).values_list("kind", "delta")) == [
        ("count", 4)]
    assert sum(Stock.objects.values_list("quantity", flat=True)) == 7 + 4
