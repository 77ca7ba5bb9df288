"""The read functions the daily report builds on: local days, placement history."""

from datetime import date

from firstline.people.models import (
    KeyPerson,
    KeyPersonCategory,
    Placement,
    ScreeningVisit,
    VisitSource,
)
from firstline.people.selectors import (
    households_in_area_on,
    households_visited,
    key_person_counts,
    residents_in_area_on,
)

from .conftest import local, make_household


def test_residents_and_households_count_by_subtree(areas, roster):
    day = date(2020, 2, 1)
    assert residents_in_area_on(areas.g1a, day) == 3
    assert residents_in_area_on(areas.c1, day) == 4
    assert residents_in_area_on(areas.street, day) == 5
    assert households_in_area_on(areas.c1, day) == 3


def test_nobody_counted_before_their_placement_began(areas, roster):
    assert residents_in_area_on(areas.street, date(2019, 12, 31)) == 0


def test_a_move_keeps_past_days_unchanged(areas, roster):
    moved_at = local(2020, 3, 1, 10)
    Placement.objects.filter(resident=roster.a3, until__isnull=True).update(until=moved_at)
    Placement.objects.create(resident=roster.a3, household=roster.h4, grid=areas.g2a,
                             since=moved_at)
    assert residents_in_area_on(areas.g1a, date(2020, 2, 29)) == 3
    assert residents_in_area_on(areas.g1a, date(2020, 3, 1)) == 2
    assert residents_in_area_on(areas.g2a, date(2020, 3, 1)) == 2


def test_end_of_local_day_decides(areas, roster):
    # 23:30 in Shanghai is still 1 March locally (15:30 UTC).
    moved_at = local(2020, 3, 1, 23, 30)
    Placement.objects.filter(resident=roster.a3, until__isnull=True).update(until=moved_at)
    Placement.objects.create(resident=roster.a3, household=roster.h4, grid=areas.g2a,
                             since=moved_at)
    assert residents_in_area_on(areas.g2a, date(2020, 3, 1)) == 2


def test_key_person_counts_per_category_on_a_day(areas, roster):
    fever = KeyPersonCategory.objects.get(code="fever")
    risk = KeyPersonCategory.objects.get(code="risk_area")
    KeyPerson.objects.create(resident=roster.a1, category=fever, since=local(2020, 2, 1),
                             until=local(2020, 2, 5))
    KeyPerson.objects.create(resident=roster.a2, category=risk, since=local(2020, 2, 3))
    KeyPerson.objects.create(resident=roster.c1, category=risk, since=local(2020, 2, 3))
    counts = key_person_counts(areas.c1, date(2020, 2, 4))
    assert counts["fever"] == 1 and counts["risk_area"] == 1
    assert counts["close_contact"] == 0
    assert key_person_counts(areas.c1, date(2020, 2, 6))["fever"] == 0
    assert key_person_counts(areas.street, date(2020, 2, 6))["risk_area"] == 2


def test_households_visited_on_a_local_day(areas, roster, cast):
    ScreeningVisit.objects.create(household=roster.h1, grid=areas.g1a, worker=cast.grid_a,
                         visited_at=local(2020, 2, 1, 9))
    ScreeningVisit.objects.create(household=roster.h1, grid=areas.g1a, worker=cast.grid_a,
                         visited_at=local(2020, 2, 1, 16))
    ScreeningVisit.objects.create(household=roster.h2, grid=areas.g1a, worker=cast.grid_a,
                         visited_at=local(2020, 2, 2, 0, 30))
    assert households_visited(areas.c1, date(2020, 2, 1)) == 1
    assert households_visited(areas.c1, date(2020, 2, 2)) == 1
    assert households_visited(areas.c2, date(2020, 2, 1)) == 0


def test_households_visited_counts_only_screenings(areas, roster, cast):
    for household, kw in ((roster.h1, {"nobody_home": True}),
                          (roster.h2, {"source": VisitSource.DECLARATION, "by_phone": True})):
        ScreeningVisit.objects.create(household=household, grid=areas.g1a, worker=cast.grid_a,
                                      visited_at=local(2020, 2, 1, 9), **kw)
    assert households_visited(areas.c1, date(2020, 2, 1)) == 0
    make_household(areas.g1a, room="999")
