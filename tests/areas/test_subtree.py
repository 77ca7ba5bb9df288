"""Area.objects.subtree / areas.models.subtree_q: the one subtree predicate."""

import pytest

from firstline.areas.models import Area, subtree_q
from firstline.people.models import Compound

pytestmark = pytest.mark.django_db


def test_subtree_is_the_area_and_everything_under_it(areas):
    codes = set(Area.objects.subtree(areas.c1).values_list("code", flat=True))
    assert codes == {"C1", "G1a", "G1b"}
    assert set(Area.objects.subtree(areas.g2a).values_list("code", flat=True)) == {"G2a"}


def test_a_sibling_with_a_longer_id_is_not_under_the_shorter(areas):
    # /…/5/ must not match /…/50/: paths end with a separator.
    Area.objects.filter(pk=areas.g1a.pk).update(path="/9/5/")
    Area.objects.filter(pk=areas.g1b.pk).update(path="/9/50/")
    assert list(Area.objects.subtree("/9/5/").values_list("code", flat=True)) == ["G1a"]


def test_subtree_q_follows_a_relation(areas):
    Compound.objects.create(area=areas.c1, name="翰林华府")
    Compound.objects.create(area=areas.c2, name="惠利花园")
    names = set(Compound.objects.filter(subtree_q(areas.c1, "area"))
                .values_list("name", flat=True))
    assert names == {"翰林华府"}
    assert Compound.objects.filter(subtree_q(areas.street, "area")).count() == 2
