"""Migration residents 0007: visits recorded by confirming a return declaration before people
0016 are marked as a declaration's, so the households they made look screened are due again;
a worker's own visit of the household is left a screening."""

import importlib

from django.apps import apps

from firstline.people.models import ScreeningVisit, VisitSource
from firstline.residents import services
from firstline.residents.models import Declaration

from .test_declaration_residency import a_temporary_resident_declaring_another_address

mark = importlib.import_module(
    "firstline.residents.migrations.0007_declaration_visit_source").mark


def test_past_declaration_visits_are_marked_and_screenings_left(place, cast):
    d = a_temporary_resident_declaring_another_address(place)
    services.declaration_confirm(actor=cast.grid_a, declaration=d)
    by_declaration = Declaration.objects.get(pk=d.pk).visit
    screening = ScreeningVisit.objects.create(household=place.h102, grid=place.h102.grid,
                                              worker=cast.grid_a)
    # As the rows stood before people 0016: every visit a screening.
    ScreeningVisit.objects.update(source=VisitSource.SCREENING)

    mark(apps, None)

    sources = dict(ScreeningVisit.objects.values_list("pk", "source"))
    assert sources == {by_declaration.pk: VisitSource.DECLARATION,
                       screening.pk: VisitSource.SCREENING}
