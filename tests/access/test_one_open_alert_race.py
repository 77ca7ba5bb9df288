"""Issue 17: one open alert per household and kind, however many gates report a fever at once,
enforced by the database (a partial unique constraint; the second writer updates the first).
Real threads, each with its own connection; on SQLite and PostgreSQL."""

import uuid

import pytest
from django.db import IntegrityError, transaction

from firstline.access import services
from firstline.access.models import Crossing, Pass
from firstline.isolation.models import Alert, AlertKind, AlertStatus
from firstline.people.models import Household

from ..conftest import race
from .conftest import local

GATES = 4


def _households(world, cast, n):
    hs = Household.objects.bulk_create(
        [Household(compound=world.compound, building=world.b28, building_name="28", unit="9",
                   room=str(1000 + i), grid=world.h1.grid) for i in range(n)])
    hs = list(Household.objects.filter(unit="9").order_by("pk"))
    passes = services.pass_issue(households=hs, actor=cast.staff_c1, now=local(2020, 2, 1, 8))
    return {p.household_id: p.code for p in passes}


@pytest.mark.django_db(transaction=True)
def test_four_gates_scanning_a_fever_for_100_households_at_once_open_one_alert_each(
        file_database, world, cast):
    codes = _households(world, cast, 100)
    gates = [world.gate] + [
        services.checkpoint_create(compound=world.compound, code=f"F-{i}", name=f"gate {i}",
                                   actor=cast.staff_c1) for i in range(GATES - 1)]
    at = local(2020, 2, 5, 9)

    def work(i):
        reasons = []
        for code in codes.values():
            c = services.gate_scan(actor=cast.gate_c1, event_id=uuid.uuid4(),
                                   checkpoint=gates[i].code, pass_code=code, direction="out",
                                   temperature=38.5, scanned_at=at)
            reasons.append(c.reason)
        return reasons

    results = race(GATES, work)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    assert all(r == ["fever"] * 100 for r in results)
    assert Crossing.objects.filter(reason="fever", household_id__in=codes).count() == 400
    per_household = Alert.objects.filter(kind=AlertKind.GATE_FEVER, household_id__in=codes) \
        .exclude(status=AlertStatus.RESOLVED).values_list("household_id", flat=True)
    assert sorted(per_household) == sorted(codes)  # one each, none missing, none twice


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_alert_of_one_household_and_kind(world):
    Alert.objects.create(kind=AlertKind.GATE_FEVER, household=world.h1, area=world.h1.grid)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(kind=AlertKind.GATE_FEVER, household=world.h1, area=world.h1.grid)


@pytest.mark.django_db
def test_a_resolved_alert_does_not_block_a_new_one(world):
    Alert.objects.create(kind=AlertKind.GATE_FEVER, household=world.h1, area=world.h1.grid,
                         status=AlertStatus.RESOLVED)
    Alert.objects.create(kind=AlertKind.GATE_FEVER, household=world.h1, area=world.h1.grid)
    assert Alert.objects.filter(household=world.h1).count() == 2


@pytest.mark.django_db(transaction=True)
def test_six_clerks_issuing_passes_for_one_compound_at_once_all_succeed_and_one_pass_each(
        file_database, world, cast):
    Household.objects.bulk_create(
        [Household(compound=world.compound, building=world.b28, building_name="28", unit="8",
                   room=str(800 + i), grid=world.h1.grid) for i in range(50)])
    hs = list(Household.objects.filter(compound=world.compound).order_by("pk"))

    def work(i):
        return len(services.pass_issue(households=hs, actor=cast.staff_c1,
                                       now=local(2020, 2, 2, 8)))

    results = _issue_race(6, work, hs[-1])
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    # Each answers the 50 that lacked one (the two with a pass already are not in it).
    assert results == [50] * 6
    valid = Pass.objects.filter(household__in=hs, revoked_at__isnull=True)
    assert valid.count() == len(hs) == valid.values("household").distinct().count()


@pytest.mark.django_db(transaction=True)
def test_six_concurrent_api_pass_issues_for_one_compound_answer_200_never_500(file_database,
                                                                            world, cast):
    from django.test import Client

    from firstline.accounts.services import token_create

    Household.objects.bulk_create(
        [Household(compound=world.compound, building=world.b28, building_name="28", unit="7",
                   room=str(700 + i), grid=world.h1.grid) for i in range(40)])
    token, _ = token_create(user=cast.staff_c1, label="clerk")

    def work(i):
        res = Client(raise_request_exception=False).post(
            "/api/v1/passes/issue", {"compound_id": world.compound.pk},
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
        return res.status_code, len(res.json().get("issued", []))

    results = _issue_race(6, work, Household.objects.filter(unit="7").first())
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results == [(200, 40)] * 6  # each answers the 40 that lacked a pass
    households = Household.objects.filter(compound=world.compound)
    valid = Pass.objects.filter(household__in=households, revoked_at__isnull=True)
    assert valid.count() == households.count() == valid.values("household").distinct().count()


# --- racing issuers answer the same passes (CONTRACT.md "Faults": the same answer or a 409) --

def _issue_race(n, issue, household):
    """race(n, issue) while a clerk's issue for `household` is under way: one more thread writes
    a pass for it and holds its transaction open for a moment before undoing it, so all n calls
    begin while a write to the same passes is in progress — a real overlap even on a busy
    machine, where threads let go together may otherwise run one after another."""
    import time

    from django.db import transaction

    class Undo(Exception):
        pass

    def work(i):
        if i < n:
            time.sleep(0.05)  # the holder is in its transaction first
            return issue(i)
        try:
            with transaction.atomic():
                Pass.objects.create(household=household, code="HOLDER" + "A" * 18,
                                    issued_at=local(2020, 1, 1, 8))
                time.sleep(1.0)
                raise Undo
        except Undo:
            return None

    return race(n + 1, work)[:n]


@pytest.mark.django_db(transaction=True)
def test_five_concurrent_api_pass_issues_all_answer_the_same_passes(file_database, world, cast):
    from django.test import Client

    from firstline.accounts.services import token_create

    new = Household.objects.bulk_create(
        [Household(compound=world.compound, building=world.b28, building_name="28", unit="6",
                   room=str(600 + i), grid=world.h1.grid) for i in range(2)])
    token, _ = token_create(user=cast.staff_c1, label="clerk")

    def issue(i):
        res = Client(raise_request_exception=False).post(
            "/api/v1/passes/issue", {"compound_id": world.compound.pk},
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
        return res.status_code, res.json()

    results = _issue_race(5, issue, new[0])
    assert not [r for r in results if isinstance(r, Exception)], results
    valid = Pass.objects.filter(household__in=new, revoked_at__isnull=True).order_by("household")
    expected = {"issued": [{"household_id": p.household_id, "code": p.code} for p in valid]}
    assert results == [(200, expected)] * 5
    assert valid.count() == 2  # one pass per household


@pytest.mark.django_db(transaction=True)
def test_six_concurrent_issues_of_many_households_answer_alike(file_database, world, cast):
    Household.objects.bulk_create(
        [Household(compound=world.compound, building=world.b28, building_name="28", unit="5",
                   room=str(500 + i), grid=world.h1.grid) for i in range(50)])
    hs = list(Household.objects.filter(compound=world.compound).order_by("pk"))

    def issue(i):
        return [(p.household_id, p.code) for p in
                services.pass_issue(households=hs, actor=cast.staff_c1)]

    results = _issue_race(6, issue, hs[-1])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(results[0]) == 50 and all(r == results[0] for r in results)
    valid = Pass.objects.filter(household__in=hs, revoked_at__isnull=True)
    assert valid.count() == len(hs) == valid.values("household").distinct().count()


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_write_one_audit_entry_for_the_passes(file_database, world, cast):
    from firstline.accounts.actions import AuditAction
    from firstline.accounts.models import AuditEntry

    Household.objects.bulk_create(
        [Household(compound=world.compound, building=world.b28, building_name="28", unit="4",
                   room=str(400 + i), grid=world.h1.grid) for i in range(3)])
    hs = list(Household.objects.filter(unit="4"))
    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    results = _issue_race(4, lambda i: services.pass_issue(households=hs, actor=cast.staff_c1),
                          hs[0])
    assert not [r for r in results if isinstance(r, Exception)], results
    entries = AuditEntry.objects.filter(action=AuditAction.ACCESS_PASS_ISSUE, pk__gt=before)
    assert list(entries.values_list("detail", flat=True)) == ["3 passes"]


@pytest.mark.django_db
def test_an_issue_after_the_first_finished_answers_nothing(world, cast):
    hs = [world.h1, world.h2]
    Pass.objects.filter(household__in=hs).update(revoked_at=local(2020, 2, 1, 8))
    assert len(services.pass_issue(households=hs, actor=cast.staff_c1)) == 2
    assert services.pass_issue(households=hs, actor=cast.staff_c1) == []
