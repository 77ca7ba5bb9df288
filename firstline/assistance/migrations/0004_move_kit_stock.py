# One stock model, step 2 of 3: care-kit stock becomes operations stock, nothing lost.
#
# Each kit kind becomes an item ("kit-<id>", unit 套). Each (kind, street-or-community) stock
# row becomes the (item, store) row of that area's own store — the community store of a
# community, the street store of a street, made when the area has none ("<area code>-S").
# Its history comes along as the store's ledger: every receipt/correction as a movement,
# every kit handed out as an issue movement, and, should the old rows not add up to the
# quantity held, one count movement carrying the difference over. Each issue points at the
# store it came from.

from django.db import migrations
from django.db.models import Sum



def _unique_code(Model, code):
    base, n = code[:36], 1
    while Model.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _store_of(Store, area):
    kind = "street" if area.level == "street" else "community"
    store = Store.objects.filter(area=area, kind=kind).order_by("code", "pk").first()
    if store is None:
        store = Store.objects.create(code=_unique_code(Store, f"{area.code}-S"),
                                     name=str(area.name)[:100], kind=kind, area=area)
    return store


def forward(apps, schema_editor):
    PackageKind = apps.get_model("assistance", "PackageKind")
    OldStock = apps.get_model("assistance", "Stock")
    OldMovement = apps.get_model("assistance", "StockMovement")
    PackageIssue = apps.get_model("assistance", "PackageIssue")
    Item = apps.get_model("operations", "Item")
    Store = apps.get_model("operations", "Store")
    Stock = apps.get_model("operations", "Stock")
    Movement = apps.get_model("operations", "Movement")

    for kind in PackageKind.objects.filter(item__isnull=True).order_by("pk"):
        kind.item = Item.objects.create(code=_unique_code(Item, f"kit-{kind.pk}"),
                                        name=kind.name[:100], unit="套")
        kind.save(update_fields=["item"])

    for old in OldStock.objects.select_related("kind", "area").order_by("pk"):
        item = PackageKind.objects.get(pk=old.kind_id).item
        store = _store_of(Store, old.area)
        row, _ = Stock.objects.get_or_create(store=store, item=item, defaults={"quantity": 0})
        booked = 0
        for m in OldMovement.objects.filter(stock=old).order_by("at", "pk"):
            Movement.objects.create(stock=row, kind="receive" if m.delta > 0 else "count",
                                    delta=m.delta, to=m.note[:200], actor_id=m.actor_id,
                                    at=m.at)
            booked += m.delta
        issues = PackageIssue.objects.filter(stock=old).order_by("issued_at", "pk")
        for issue in issues:
            Movement.objects.create(stock=row, kind="issue", delta=-1,
                                    to=f"care package {issue.pk} → household {issue.household_id}",
                                    actor_id=issue.issued_by_id, at=issue.issued_at)
            booked -= 1
        if booked != old.quantity:
            Movement.objects.create(stock=row, kind="count", delta=old.quantity - booked,
                                    to="care-kit stock carried over", at=old.updated_at)
        row.quantity = row.quantity + old.quantity
        row.save(update_fields=["quantity"])
        issues.update(store=store)
    # The ledger and the balance agree for every row touched.
    for row in Stock.objects.filter(item__package_kind__isnull=False):
        total = Movement.objects.filter(stock=row).aggregate(s=Sum("delta"))["s"] or 0
        assert total == row.quantity, (row.pk, total, row.quantity)


class Migration(migrations.Migration):

    dependencies = [
        ('assistance', '0003_kits_in_operations_stock'),
        ('areas', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
