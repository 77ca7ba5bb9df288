"""One open transfer (planned or on the way) per person is held by the database (a partial
unique constraint on the transfer's isolation), not only by transfer_create's lock: a writer
that skips the lock gets the sequential answer (409 transfer_open), never an IntegrityError."""

import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from firstline.isolation import services
from firstline.isolation.models import Transfer, TransferStatus

from ..conftest import race, race_create


def _row(iso, **kw):
    return Transfer(isolation=iso, from_place="阳光花园1栋", to_place="市人民医院",
                    pickup_at=timezone.now(), **kw)


def _plan(cast, iso, site):
    from firstline.accounts.models import User

    return services.transfer_create(isolation=iso, from_place="阳光花园1栋", to_site=site,
                                    pickup_at=timezone.now(),
                                    actor=User.objects.get(pk=cast.staff_c1.pk))


@pytest.mark.django_db
def test_the_database_holds_one_open_transfer_per_person(centralized_iso):
    _row(centralized_iso).save()
    for status in (TransferStatus.PLANNED, TransferStatus.EN_ROUTE):
        with pytest.raises(IntegrityError), transaction.atomic():
            _row(centralized_iso, status=status).save()
    for status in (TransferStatus.ARRIVED, TransferStatus.CANCELLED):  # closed ones: any number
        _row(centralized_iso, status=status).save()
        _row(centralized_iso, status=status).save()
    assert Transfer.objects.open().count() == 1


@pytest.mark.django_db(transaction=True)
def test_five_plans_for_one_person_at_once_make_one_the_rest_409(file_database, cast,
                                                                 centralized_iso, site):
    made, answer = race_create(5, lambda i: _plan(cast, centralized_iso, site), Transfer)
    assert (answer.code, answer.status) == ("transfer_open", 409)
    assert Transfer.objects.open().get() == made


@pytest.mark.django_db(transaction=True)
def test_a_plan_meeting_a_writer_that_skipped_the_lock_is_409_not_a_500(file_database, cast,
                                                                        centralized_iso, site):
    """A writer that inserts without taking the person's row (an import, the admin) and
    commits a moment later: transfer_create's lookup does not see its row yet, its insert
    waits on the constraint and then fails; the answer is 409 transfer_open naming it."""
    inserted = threading.Event()

    def work(i):
        if i == 0:
            with transaction.atomic():
                _row(centralized_iso).save()
                inserted.set()
                time.sleep(1)  # the other plan reaches its insert meanwhile
            return "inserted"
        inserted.wait(10)
        return _plan(cast, centralized_iso, site)

    skipped, planned = race(2, work)
    assert skipped == "inserted"
    assert isinstance(planned, services.RuleViolation), planned
    assert (planned.code, planned.status) == ("transfer_open", 409)
    assert "市人民医院" in planned.detail
    assert Transfer.objects.open().count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_open_transfers_made_before_the_rule_keep_one_and_cancel_the_other(cast, roster,
                                                                               centralized_iso):
    """Migration 0013: of a person's open transfers the one on the way (else the newest)
    stays open; every other is cancelled, with an audit entry naming the one kept."""
    from django.db.migrations.executor import MigrationExecutor

    from firstline.accounts.models import AuditEntry

    before = [("isolation", "0012_isolation_report_key")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    Old = executor.loader.project_state(before).apps.get_model("isolation", "Transfer")
    other = services.isolation_start(resident=roster.b1, kind="centralized",
                                     reason="close_contact", starts_on=timezone.localdate(),
                                     actor=cast.staff_c1)
    row = {"from_place": "阳光花园1栋", "to_place": "市人民医院", "pickup_at": timezone.now()}
    older_on_the_way = Old.objects.create(isolation_id=centralized_iso.pk, status="en_route", **row)
    newer_planned = Old.objects.create(isolation_id=centralized_iso.pk, status="planned", **row)
    first = Old.objects.create(isolation_id=other.pk, status="planned", **row)
    newest = Old.objects.create(isolation_id=other.pk, status="planned", **row)
    arrived = Old.objects.create(isolation_id=other.pk, status="arrived", **row)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    status = dict(Transfer.objects.values_list("pk", "status"))
    assert status == {older_on_the_way.pk: "en_route", newer_planned.pk: "cancelled",
                      first.pk: "cancelled", newest.pk: "planned", arrived.pk: "arrived"}
    assert AuditEntry.objects.get(object_type="isolation.transfer",
                                  object_id=str(newer_planned.pk), via="migration").detail == (
        f"cancelled: a second open transfer; transfer {older_on_the_way.pk} kept")
