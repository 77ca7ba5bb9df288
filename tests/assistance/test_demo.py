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
    assert counts[0] == 7 and counts[1] == 3 and counts[2] == 3  # 6 + volunteer1's errand
    assert set(ServiceRequest.objects.values_list("status", flat=True)) == {
        "new", "assigned", "bought", "delivered"}
    demo.populate(ctx)
    assert counts == (ServiceRequest.objects.count(), CareCall.objects.count(),
                      PackageIssue.objects.count(),
                      sum(Stock.objects.values_list("quantity", flat=True)))


def test_demo_gives_volunteer1_an_errand_she_can_ring_about_once(db):
    from django.test import Client

    from firstline.accounts.models import User

    ctx = build(residents_per_grid=0)  # operations' demo (run before) makes her login
    compound = Compound.objects.create(area=ctx.communities[0], name="阳光花园")
    household = make_household(ctx.grids[0], compound, "101")
    resident = make_resident(household, "住户101", phone="13812345678")
    isolate(resident)
    demo.populate(ctx)
    demo.populate(ctx)
    volunteer1 = User.objects.get(username="volunteer1")
    errand = ServiceRequest.objects.get(volunteer=volunteer1)  # one, however many runs
    assert (errand.status, errand.household) == ("assigned", household)
    c = Client()
    c.force_login(volunteer1)
    html = c.get("/assistance/tasks/").content.decode()
    assert errand.detail in html and "138****5678" in html and "13812345678" not in html
    assert f"/assistance/requests/{errand.pk}/phone/{resident.pk}/" in html
