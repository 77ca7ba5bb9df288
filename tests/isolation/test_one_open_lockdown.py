"""The same lockdown sent twice at once makes one lockdown: the database holds it (two partial
unique constraints), the loser gets the sequential answer (409 already_locked_down)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from firstline.isolation import services
from firstline.isolation.models import Isolation, Lockdown

from ..conftest import race_create
from .conftest import local


def _lock(cast, **target):
    return services.lockdown_create(**target, starts_on=date(2026, 3, 1), days=14,
                                    actor=cast.staff_c1, now=local(2026, 3, 1, 10))


def _one_made_rest_refused(n, add):
    """race_create: one lockdown, the others refused as a later request is (409
    already_locked_down)."""
    made, sequential = race_create(n, add, Lockdown)
    assert (sequential.code, sequential.status) == ("already_locked_down", 409)
    return made


@pytest.mark.django_db(transaction=True)
def test_a_building_locked_down_at_once_is_one_lockdown(file_database, cast, roster):
    building = roster.h1.building
    made = _one_made_rest_refused(5, lambda i: _lock(cast, building=building))
    assert Lockdown.objects.filter(building=building).count() == 1
    assert Isolation.objects.filter(lockdown=made).count() == 3  # h1's two, h2's one


@pytest.mark.django_db(transaction=True)
def test_a_compound_locked_down_at_once_is_one_lockdown(file_database, cast, roster):
    _one_made_rest_refused(4, lambda i: _lock(cast, compound=roster.compound))
    assert Lockdown.objects.filter(compound=roster.compound, building=None).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_lockdowns_of_one_place_for_other_days_at_once_are_one(file_database, cast, roster):
    # Not the same row twice (the constraints' case) but overlapping days: the compound's
    # row lock makes the second wait and meet the first in the overlap check.
    building = roster.h1.building
    _one_made_rest_refused(2, lambda i: services.lockdown_create(
        building=building, starts_on=date(2026, 3, 1), days=14 + i, actor=cast.staff_c1,
        now=local(2026, 3, 1, 10)))
    assert Lockdown.objects.filter(building=building).count() == 1


@pytest.mark.django_db
def test_the_database_holds_one_unlifted_lockdown_per_place_and_days(cast, roster):
    building = roster.h1.building
    _lock(cast, building=building)
    _lock(cast, compound=roster.compound)  # the compound is another target
    row = {"compound": roster.compound, "starts_on": date(2026, 3, 1),
           "ends_on": date(2026, 3, 15), "created_at": local(2026, 3, 1, 10)}
    for target in ({"building": building}, {"building": None}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Lockdown.objects.create(**row, **target)


@pytest.mark.django_db
def test_a_lockdown_that_ran_out_unlifted_does_not_block_the_next(cast, roster):
    """Why the constraint is not "one unlifted lockdown per place": one that ran out is never
    lifted, and the same place may be locked down again."""
    building = roster.h1.building
    first = services.lockdown_create(building=building, starts_on=date(2026, 3, 1), days=3,
                                     actor=cast.staff_c1, now=local(2026, 3, 1, 10))
    again = services.lockdown_create(building=building, starts_on=date(2026, 3, 10), days=3,
                                     actor=cast.staff_c1, now=local(2026, 3, 10, 10))
    assert first.lifted_at is None and again.pk != first.pk


@pytest.mark.django_db(transaction=True)
def test_lockdowns_made_twice_before_the_rule_are_merged_not_lost(cast, roster):
    """Migration 0008: of the same unlifted lockdown made twice, the first stays; the copy is
    marked lifted (with an audit entry) and its isolations move to the first."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from firstline.accounts.models import AuditEntry

    before = [("isolation", "0007_clock_now_default")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldLockdown = old.get_model("isolation", "Lockdown")
    OldIsolation = old.get_model("isolation", "Isolation")
    row = {"compound_id": roster.compound.pk, "building_id": roster.h1.building_id,
           "starts_on": date(2026, 3, 1), "ends_on": date(2026, 3, 15),
           "created_at": local(2026, 3, 1, 10)}
    first = OldLockdown.objects.create(**row)
    copy = OldLockdown.objects.create(**row)
    other = OldLockdown.objects.create(**{**row, "building_id": None})
    iso = dict(household_id=roster.h1.pk, grid_id=roster.h1.grid_id, kind="home",
               reason="lockdown", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 15),
               status="active")
    OldIsolation.objects.create(resident_id=roster.a1.pk, lockdown_id=first.pk, **iso)
    OldIsolation.objects.create(resident_id=roster.a2.pk, lockdown_id=copy.pk, **iso)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    rows = {d.pk: d for d in Lockdown.objects.filter(pk__in=[first.pk, copy.pk, other.pk])}
    assert len(rows) == 3
    assert rows[first.pk].lifted_at is None and rows[other.pk].lifted_at is None
    assert rows[copy.pk].lifted_at == row["created_at"]
    assert set(Isolation.objects.filter(lockdown_id=first.pk)
               .values_list("resident_id", flat=True)) == {roster.a1.pk, roster.a2.pk}
    assert AuditEntry.objects.filter(object_type="isolation.lockdown", object_id=str(copy.pk),
                                     action="lockdown.lift",
                                     detail=f"duplicate of lockdown {first.pk}").exists()
