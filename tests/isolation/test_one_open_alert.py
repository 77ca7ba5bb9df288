"""Issue 17: one open alert per resident and kind under concurrent readings and writers;
missed-report alerts (keyed by due_key) keep working beside the constraint."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from firstline.isolation import services
from firstline.isolation.models import Alert, AlertKind, AlertStatus

from ..conftest import race
from .conftest import local, start


@pytest.mark.django_db(transaction=True)
def test_concurrent_fever_readings_of_one_resident_open_one_alert(file_database, cast, roster):
    iso = start(cast, roster.a1)

    def work(i):
        return services.reading_record(isolation=iso, temperature="38.6", taken_at=None,
                                       actor=cast.grid_a, now=local(2026, 3, 1, 9, i))

    results = race(6, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    open_ = Alert.objects.filter(resident=roster.a1, kind=AlertKind.FEVER) \
        .exclude(status=AlertStatus.RESOLVED)
    assert open_.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_alert_open_calls_for_one_resident_open_one_and_update_it(file_database,
                                                                           roster):
    def work(i):
        return services.alert_open(kind=AlertKind.SYMPTOMS, area=roster.a1.grid,
                                   resident=roster.a1, household=roster.h1,
                                   detail=f"cough {i}").pk

    results = race(8, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    assert Alert.objects.filter(resident=roster.a1, kind=AlertKind.SYMPTOMS).count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_alert_of_one_resident_and_kind(roster):
    Alert.objects.create(kind=AlertKind.FEVER, resident=roster.a1, household=roster.h1,
                         area=roster.a1.grid)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(kind=AlertKind.FEVER, resident=roster.a1, household=roster.h1,
                             area=roster.a1.grid, status=AlertStatus.ACKNOWLEDGED)


@pytest.mark.django_db
def test_missed_report_alerts_of_one_resident_stay_one_per_due_time(cast, roster):
    start(cast, roster.a1, starts_on=date(2026, 3, 1))
    out = services.check_missed_reports(now=local(2026, 3, 2, 23, 0))
    assert out["opened"] >= 2
    assert Alert.objects.filter(resident=roster.a1, kind=AlertKind.MISSED_REPORT,
                                status=AlertStatus.OPEN).count() == out["opened"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_resolving_one_alert_at_once_get_the_answer_or_a_409(file_database, cast,
                                                                       roster):
    from firstline.errors import RuleViolation

    alert = services.alert_open(kind=AlertKind.FEVER, area=roster.a1.grid, resident=roster.a1,
                                household=roster.h1)

    def work(i):
        return services.alert_resolve(alert=alert, outcome=f"re-measured {i}",
                                      actor=cast.grid_a).status

    results = race(4, work)
    assert sorted(map(str, results)).count("resolved") == 1
    assert all(isinstance(r, RuleViolation) and r.code == "already_resolved"
               for r in results if r != "resolved")


@pytest.mark.hour_free
@pytest.mark.django_db(transaction=True)
def test_the_migration_resolves_copies_opened_before_the_constraint_existed(roster):
    """Migration 0005 keeps the first of a resident's open copies (by pk) and resolves the
    others: no hour in it, so it runs in the whole suite only (pinned.py: hour_free)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("isolation", "0002_readings_sites")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("isolation", "Alert")
    common = {"area_id": roster.a1.grid_id, "household_id": roster.h1.pk}
    first, copy, _other = (
        old.objects.create(kind="fever", resident_id=roster.a1.pk, **common),
        old.objects.create(kind="fever", resident_id=roster.a1.pk, **common),
        old.objects.create(kind="gate_fever", **common))
    gate_copy = old.objects.create(kind="gate_fever", **common)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest of every app
    rows = dict(Alert.objects.values_list("pk", "status"))
    assert rows[first.pk] == "open" and rows[copy.pk] == "resolved"
    assert rows[gate_copy.pk] == "resolved" and rows[_other.pk] == "open"
    assert Alert.objects.get(pk=copy.pk).outcome == f"duplicate of alert {first.pk}"


@pytest.mark.django_db(transaction=True)
def test_six_staff_starting_an_isolation_for_one_resident_at_once_give_one_and_409s(
        file_database, cast, roster):
    from firstline.errors import RuleViolation
    from firstline.isolation.models import Isolation

    results = race(6, lambda i: start(cast, roster.a1).pk)
    started = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, RuleViolation)]
    assert len(started) == 1 and len(refused) == 5, results
    assert {r.code for r in refused} == {"already_isolated"} and {r.status for r in refused} == {409}
    assert Isolation.objects.filter(resident=roster.a1, status="active").count() == 1
