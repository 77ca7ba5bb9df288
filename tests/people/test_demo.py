import random

from firstline.demo import DemoContext, build_areas, build_users
from firstline.people import demo
from firstline.people.models import Household, KeyPerson, Placement, Resident, ScreeningVisit


def _ctx(n):
    ctx = DemoContext(rng=random.Random(1), residents_per_grid=n)
    build_areas(ctx)
    build_users(ctx)
    return ctx


def test_demo_roster_is_complete_and_idempotent(db):
    ctx = _ctx(12)
    demo.populate(ctx)
    assert Resident.objects.count() == 12 * len(ctx.grids)
    assert Placement.objects.count() == Resident.objects.count()
    assert ScreeningVisit.objects.exists() and KeyPerson.objects.filter(until__isnull=True).exists()
    sizes = [h.residents.count() for h in Household.objects.all()[:50]]
    assert 1 <= min(sizes) and max(sizes) <= 5
    assert any("residents" in line for line in ctx.log)
    counts = (Resident.objects.count(), Household.objects.count(), ScreeningVisit.objects.count(),
              KeyPerson.objects.count())
    demo.populate(_ctx(12))
    assert counts == (Resident.objects.count(), Household.objects.count(),
                      ScreeningVisit.objects.count(), KeyPerson.objects.count())
