"""A quarantine site or its rooms added twice at the same instant (a double tap, two workers):
one row each; the loser gets the answer a sequential duplicate gets, never a 500."""

import pytest

from firstline.isolation import services
from firstline.isolation.models import QuarantineSite, Room

from ..conftest import race, race_create


@pytest.mark.django_db(transaction=True)
def test_a_site_added_at_once_is_one_site_and_409_for_the_rest(file_database, areas, cast):
    def add(i):
        return services.site_create(area=areas.c1, name="凤台宾馆", actor=cast.staff_c1)

    _, answer = race_create(4, add, QuarantineSite)
    assert (answer.code, answer.status) == ("duplicate", 409)
    assert QuarantineSite.objects.filter(area=areas.c1, name="凤台宾馆").count() == 1


@pytest.mark.django_db(transaction=True)
def test_rooms_added_at_once_are_made_once_and_named_existing_for_the_rest(file_database,
                                                                          areas, cast):
    site = services.site_create(area=areas.c1, name="凤台宾馆", actor=cast.staff_c1)
    services.rooms_add(site=site, numbers=["101"], actor=cast.staff_c1)
    # Overlapping lists: every request adds what no other request added before it.
    lists = [["101", "301", "302"], ["302", "303"], ["301", "303", "304"], ["304"]]

    results = race(len(lists), lambda i: services.rooms_add(site=site, numbers=lists[i],
                                                            actor=cast.staff_c1))
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    made = [room.number for r in results for room in r]
    assert sorted(made) == ["301", "302", "303", "304"]  # each made by exactly one request
    for numbers, r in zip(lists, results, strict=True):
        # What a request sent after the others would say: the rest were there already.
        assert sorted([room.number for room in r] + r.existing) == sorted(numbers)
    assert sorted(Room.objects.filter(site=site).values_list("number", flat=True)) == [
        "101", "301", "302", "303", "304"]
