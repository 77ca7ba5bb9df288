"""households_visited counts households screened (入户摸排 with someone reached): an attempt
with nobody home or a confirmed return declaration's visit does not (people's one definition,
ScreeningVisit.objects.screened())."""

from firstline.areas.models import Area
from firstline.people.models import Household, ScreeningVisit, VisitSource
from firstline.reports.selectors import daily_report

from .conftest import D, local


def test_nobody_home_and_declarations_are_not_households_visited(facts, cast):
    g1a = Area.objects.get(code="G1a")
    # G1a has h1 screened on D; its other households get only an attempt and a declaration.
    others = list(Household.objects.filter(grid=g1a).exclude(visits__isnull=False)[:2])
    ScreeningVisit.objects.create(household=others[0], grid=g1a, worker=cast.grid_a,
                                  visited_at=local(D, 11), nobody_home=True)
    ScreeningVisit.objects.create(household=others[1], grid=g1a, worker=cast.grid_a,
                                  visited_at=local(D, 12), by_phone=True,
                                  source=VisitSource.DECLARATION)
    report = daily_report(area=g1a, day=D)
    assert report["households_visited"] == 1
