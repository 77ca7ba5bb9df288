"""Transfers (转运) planned at the same instant through the API, on PostgreSQL with real
threads (each with its own connection): several plans for one person make one transfer and
the rest hear the sequential 409 `transfer_open`; one plan sent several times with its
event_id is one transfer and the same answer each time; never a 500.

So that the requests really overlap (threads let go together may run one after another on a
busy machine), a holder takes the person's row — the lock transfer_create waits on — for a
moment while they start: every request is inside transfer_create when the first may write."""

import uuid

import pytest
from django.db import connection
from django.utils import timezone

from firstline.accounts.models import AuditEntry
from firstline.isolation.models import Isolation, Transfer

from ..conftest import ApiClient, race_while_locked

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="real threads need PostgreSQL")


def _body(iso, site, pickup, **extra):
    return {"isolation_id": iso.pk, "from_place": "阳光花园1栋", "to_site_id": site.pk,
            "pickup_at": pickup, **extra}


def _posted_at_once(iso, clients, bodies):
    """clients[i] posts bodies[i], all at once, while a holder keeps the person's row locked."""
    return race_while_locked(
        lambda: Isolation.objects.select_for_update(no_key=True).get(pk=iso.pk),
        [lambda i=i: clients[i].post("/api/v1/transfers", bodies[i])
         for i in range(len(clients))])


def _transfer_audits():
    return AuditEntry.objects.filter(action="transfer.create")


@pytest.mark.django_db(transaction=True)
def test_four_plans_for_one_person_from_two_desks_make_one_the_rest_409(cast, centralized_iso,
                                                                          site):
    pickup = timezone.now().isoformat()
    clients = [ApiClient(cast.staff_c1), ApiClient(cast.hq)] * 2
    bodies = [_body(centralized_iso, site, pickup, vehicle=f"车{i}", event_id=str(uuid.uuid4()))
              for i in range(4)]
    results = _posted_at_once(centralized_iso, clients, bodies)
    assert not [r for r in results if isinstance(r, Exception)], results
    made = [i for i, (status, _) in enumerate(results) if status == 201]
    assert len(made) == 1, results
    transfer = Transfer.objects.open().get()
    assert results[made[0]][1]["id"] == transfer.pk
    assert transfer.vehicle == f"车{made[0]}"
    loser = next(i for i in range(4) if i not in made)
    again = clients[loser].post("/api/v1/transfers", bodies[loser])  # after: the sequential one
    assert (again.status_code, again.json()["error"]) == (409, "transfer_open")
    assert all(results[i] == (409, again.json()) for i in range(4) if i not in made), results
    assert _transfer_audits().count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_plan_sent_four_times_at_once_is_one_transfer_and_one_answer(cast, centralized_iso,
                                                                          site):
    body = _body(centralized_iso, site, timezone.now().isoformat(), event_id=str(uuid.uuid4()))
    clients = [ApiClient(cast.staff_c1) for _ in range(4)]
    results = _posted_at_once(centralized_iso, clients, [body] * 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(status for status, _ in results) == [200, 200, 200, 201], results
    assert all(answer == results[0][1] for _, answer in results), results
    assert Transfer.objects.get().pk == results[0][1]["id"]
    assert _transfer_audits().count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_plans_each_sent_twice_at_once_answer_by_their_event_id(cast, centralized_iso, site):
    """Plan A (twice, its event_id) and plan B (twice, another) at once: one transfer; A's two
    answers are alike, B's two are alike, and exactly one of the plans made it."""
    pickup = timezone.now().isoformat()
    a = _body(centralized_iso, site, pickup, vehicle="车A", event_id=str(uuid.uuid4()))
    b = _body(centralized_iso, site, pickup, vehicle="车B", event_id=str(uuid.uuid4()))
    bodies = [a, a, b, b]
    clients = [ApiClient(cast.staff_c1) for _ in range(4)]
    results = _posted_at_once(centralized_iso, clients, bodies)
    assert not [r for r in results if isinstance(r, Exception)], results
    transfer = Transfer.objects.get()
    won, lost = ((results[:2], results[2:]) if transfer.vehicle == "车A"
                 else (results[2:], results[:2]))
    assert sorted(status for status, _ in won) == [200, 201], results
    assert won[0][1] == won[1][1] and won[0][1]["id"] == transfer.pk
    assert [status for status, _ in lost] == [409, 409], results
    assert lost[0][1] == lost[1][1] and lost[0][1]["error"] == "transfer_open"
    assert _transfer_audits().count() == 1
