"""One open case per resident, held by the database (constraint one_open_case_per_resident)
besides the services' lock on the person; migration 0003 closes the duplicates made before it
without losing any."""

from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, transaction

from firstline.lists.models import Case, CaseContact

AT = datetime(2026, 3, 1, 2, tzinfo=UTC)


@pytest.mark.django_db
def test_the_database_holds_one_open_case_per_resident(roster):
    row = {"resident": roster.wang, "grid": roster.wang.grid, "on": date(2026, 3, 1),
           "created_at": AT}
    Case.objects.create(status="confirmed", **row)
    Case.objects.create(status="ruled_out", **row)  # closed cases are many
    Case.objects.create(status="suspected", resident=roster.li, grid=roster.li.grid,
                        on=date(2026, 3, 1), created_at=AT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(status="suspected", **row)


@pytest.mark.django_db(transaction=True)
def test_open_cases_made_twice_before_the_rule_are_closed_not_lost(roster):
    """The newest open case stays open, takes the older ones' contacts it lacks and their
    confirmed status (it was suspected); the older ones are ruled out with an audit entry."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from firstline.accounts.models import AuditEntry
    from firstline.lists.models import TestResult

    before = [("lists", "0002_row_handover")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldCase = old.get_model("lists", "Case")
    OldContact = old.get_model("lists", "CaseContact")
    OldTest = old.get_model("lists", "TestResult")

    def case(resident, status, day):
        return OldCase.objects.create(resident_id=resident.pk, grid_id=resident.grid_id,
                                      status=status, on=date(2026, 3, day), created_at=AT)

    oldest = case(roster.wang, "confirmed", 1)
    middle = case(roster.wang, "suspected", 2)
    newest = case(roster.wang, "suspected", 3)
    closed = case(roster.wang, "ruled_out", 1)
    alone = case(roster.li, "suspected", 1)
    OldContact.objects.create(case_id=oldest.pk, name="李强", phone="13811112222")
    OldContact.objects.create(case_id=newest.pk, name="李强", phone="13811112222")
    OldContact.objects.create(case_id=middle.pk, name="刘洋")
    test = OldTest.objects.create(resident_id=roster.wang.pk, grid_id=roster.wang.grid_id,
                                  sampled_on=date(2026, 3, 1), result="positive",
                                  case_id=oldest.pk, created_at=AT)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    status = dict(Case.objects.values_list("pk", "status"))
    assert status == {oldest.pk: "ruled_out", middle.pk: "ruled_out", newest.pk: "confirmed",
                      closed.pk: "ruled_out", alone.pk: "suspected"}
    assert sorted(CaseContact.objects.filter(case_id=newest.pk)
                  .values_list("name", flat=True)) == ["刘洋", "李强"]
    assert CaseContact.objects.filter(case_id__in=[oldest.pk, middle.pk]).count() == 2
    assert TestResult.objects.get(pk=test.pk).case_id == oldest.pk
    details = set(AuditEntry.objects.filter(object_type="lists.case")
                  .values_list("object_id", "detail"))
    assert details == {
        (str(oldest.pk), f"confirmed → ruled_out: duplicate of case {newest.pk}"),
        (str(middle.pk), f"suspected → ruled_out: duplicate of case {newest.pk}"),
        (str(newest.pk), f"suspected → confirmed from duplicate case {oldest.pk}")}
