import pytest

from firstline.demo import build
from firstline.isolation import demo
from firstline.isolation.models import (
    Alert,
    Isolation,
    Lockdown,
    QuarantineSite,
    Reading,
    RoomStay,
    Transfer,
)

from .conftest import make_household, make_resident

pytestmark = pytest.mark.django_db


def test_demo_populates_once(db):
    ctx = build(residents_per_grid=0)
    for g, grid in enumerate(ctx.grids[:4]):
        for h in range(8):
            household = make_household(grid, compound_name=f"小区{g}", building=str(h % 3 + 1),
                                       room=f"{h + 1}01")
            for k in range(2):
                make_resident(household, f"居民{g}{h}{k}")
    demo.populate(ctx)
    models = (Isolation, Reading, Alert, QuarantineSite, RoomStay, Transfer, Lockdown)
    counts = [m.objects.count() for m in models]
    assert Isolation.objects.filter(kind="home", lockdown__isnull=True).count() == 6
    assert Alert.objects.filter(kind="fever").count() == 1
    assert Alert.objects.filter(kind="missed_report").exists()
    assert RoomStay.objects.filter(lead=False).count() == 1
    assert Lockdown.objects.count() == 1 and Transfer.objects.count() == 1
    assert any("/isolation/r/" in line for line in ctx.log)
    demo.populate(ctx)
    assert [m.objects.count() for m in models] == counts
