from firstline.assistance import demo
from firstline.assistance.models import CareCall, PackageIssue, ServiceRequest
from firstline.demo import build
from firstline.operations.models import Stock
from firstline.people.models import Compound

from .conftest import isolate, make_household, make_resident


def test_demo_populates_once(db):
    ctx = build(residents_per_grid=0)
    compound = Compound.objects.create(area=ctx.communities[0], name="阳光花园")
    for room in ("101", "102", "103"):
        household = make_household(ctx.grids[0], compound, room)
        isolate(make_resident(household, f"住户{room}"))
    demo.populate(ctx)
    counts = (ServiceRequest.objects.count(), CareCall.objects.count(),
              PackageIssue.objects.count(), sum(Stock.objects.values_list("quantity", flat=True)))
    assert counts[0] == 6 and counts[1] == 3 and counts[2] == 3
    assert set(ServiceRequest.objects.values_list("status", flat=True)) == {
        "new", "assigned", "bought", "delivered"}
    demo.populate(ctx)
    assert counts == (ServiceRequest.objects.count(), CareCall.objects.count(),
                      PackageIssue.objects.count(),
                      sum(Stock.objects.values_list("quantity", flat=True)))
