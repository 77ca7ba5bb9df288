"""Operations fixtures: people registered in C1 (and one in C2), a compound in each
community, a store with masks."""

import pytest

from firstline.operations import services
from firstline.operations.models import Item, Store
from tests.conftest import make_household


@pytest.fixture
def people(cast, areas):
    """Two confirmed people of C1 and one of C2, registered by their staff."""
    w = type("People", (), {})()
    w.li = services.volunteer_create(actor=cast.staff_c1, area=areas.c1, name="李四",
                                     phone="13800138001", kind="party_member")
    w.zhao = services.volunteer_create(actor=cast.staff_c1, area=areas.c1, name="赵六",
                                       phone="13800138002", kind="volunteer")
    w.wang = services.volunteer_create(actor=cast.staff_c2, area=areas.c2, name="王五",
                                       phone="13800138003", kind="volunteer")
    return w


@pytest.fixture
def homes(areas):
    """One household in a compound of C1 (阳光花园) and one in C2 (二区花园)."""
    w = type("Homes", (), {})()
    w.c1 = make_household(areas.g1a)
    w.c2 = make_household(areas.g2a, compound_name="二区花园")
    # Made through the ORM (no import, so no event): the scheduled refresh makes their places.
    from firstline.operations.services import places_refresh

    places_refresh()
    return w


@pytest.fixture
def supplies(cast, areas):
    w = type("Supplies", (), {})()
    w.masks = Item.objects.create(code="mask", name="口罩", unit="个", low_at=2)
    w.suits = Item.objects.create(code="suit", name="防护服", unit="套")
    w.c1 = Store.objects.create(code="S-C1", name="一社区仓库", kind="community", area=areas.c1)
    w.c2 = Store.objects.create(code="S-C2", name="二社区仓库", kind="community", area=areas.c2)
    return w
