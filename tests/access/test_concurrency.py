"""The quota and exactly-once under real concurrency: threads, each with its own connection,
released together by a barrier. Runs on SQLite and on PostgreSQL (DATABASE_URL)."""

import uuid

import pytest

from firstline.access import services
from firstline.access.models import Crossing, QuotaUse

from ..conftest import race
from .conftest import local


def _run_together(n, work):
    results = race(n, work)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
def test_many_gates_scanning_one_household_at_once_allow_exactly_the_quota(file_database,
                                                                          world, cast):
    services.policy_set(compound=world.compound, closed=True, out_quota=3, window_days=2,
                        starts_on=local(2020, 2, 4).date(), actor=cast.staff_c1,
                        now=local(2020, 2, 2, 8))
    gates = [world.gate] + [
        services.checkpoint_create(compound=world.compound, code=f"HL-{i}", name=f"gate {i}",
                                   actor=cast.staff_c1) for i in range(3)]
    at = local(2020, 2, 5, 9)

    def work(i):
        return services.gate_scan(actor=cast.gate_c1, event_id=uuid.uuid4(),
                                  checkpoint=gates[i % len(gates)].code,
                                  pass_code=world.pass1.code, direction="out",
                                  temperature=36.5, scanned_at=at).reason

    reasons = _run_together(12, work)
    assert sorted(reasons) == ["ok"] * 3 + ["quota_exhausted"] * 9
    assert QuotaUse.objects.get(household=world.h1).used == 3
    assert Crossing.objects.filter(household=world.h1, decision="allow").count() == 3


@pytest.mark.django_db(transaction=True)
def test_one_event_id_arriving_on_many_connections_at_once_is_recorded_once(file_database,
                                                                          world, cast):
    event = uuid.uuid4()

    def work(i):
        c = services.gate_scan(actor=cast.gate_c1, event_id=event, checkpoint="HL-N",
                               pass_code=world.pass1.code, direction="out", temperature=36.5,
                               scanned_at=local(2020, 2, 5, 9))
        return services.scan_answer(c)

    answers = _run_together(8, work)
    assert all(a == answers[0] for a in answers)
    assert answers[0]["reason"] == "ok"
    assert Crossing.objects.filter(event_id=event).count() == 1
    assert QuotaUse.objects.get(household=world.h1).used == 1


@pytest.mark.django_db(transaction=True)
def test_one_visit_arriving_on_many_connections_at_once_is_recorded_once(file_database,
                                                                         world, cast):
    # The gate's phone on a bad network sends the visitor's registration again and again.
    event = uuid.uuid4()

    def work(i):
        return services.gate_visit_record(actor=cast.gate_c1, checkpoint=world.gate,
                                          subject="visitor", admitted=True, name="王五",
                                          temperature=36.5, event_id=event).pk

    crossings = _run_together(4, work)
    assert len(set(crossings)) == 1
    assert Crossing.objects.filter(event_id=event).count() == 1
