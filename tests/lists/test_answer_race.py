"""One verification item (核查) answered at the same instant through the API, on PostgreSQL
with real threads (each with its own connection): two workers with different outcomes, or
one worker's answer sent twice. The first answer is recorded, every other request gets the
sequential answer (409 `already_answered`), one audit entry, never a 500.

So that the requests really overlap, a holder keeps the item's row locked for a moment while
they start: every request is at its conditional update when the first may write."""

from datetime import date

import pytest
from django.db import connection

from firstline.accounts.models import AuditEntry
from firstline.lists.models import Verification
from firstline.lists.services import checklist_import

from ..conftest import ApiClient, race_while_locked
from .conftest import write_csv

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="real threads need PostgreSQL")


@pytest.fixture
def item(roster, tmp_path):
    path = write_csv(tmp_path / "rail.csv", ["姓名", "身份证号"],
                     [["王芳", roster.fang.id_number], ["刘洋", roster.liu.id_number]])
    checklist_import(path=path, source="铁路部门", deadline=date(2030, 3, 5))
    return Verification.objects.get(resident=roster.fang)


def _held_race(item, clients, bodies):
    """clients[i] answers `item` with bodies[i], all at once, while a holder keeps the item's
    row locked so the answers overlap."""
    url = f"/api/v1/verifications/{item.pk}/outcome"
    return race_while_locked(
        lambda: Verification.objects.select_for_update().get(pk=item.pk),
        [lambda i=i: clients[i].post(url, bodies[i]) for i in range(len(clients))])


def _answers(item):
    return AuditEntry.objects.filter(action="verification.answer", object_id=str(item.pk))


@pytest.mark.django_db(transaction=True)
def test_two_workers_answering_one_item_at_once_record_one(cast, item):
    clients = [ApiClient(cast.grid_a), ApiClient(cast.staff_c1)]
    bodies = [{"result": "reached", "temperature": "36.5", "note": "在家"},
              {"result": "unreachable", "note": "电话未接"}]
    results = _held_race(item, clients, bodies)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(status for status, _ in results) == [200, 409], results
    won = next(i for i, (status, _) in enumerate(results) if status == 200)
    v = Verification.objects.get(pk=item.pk)
    assert (v.status, v.result, v.answered_by) == ("done", bodies[won]["result"],
                                                   clients[won].user)
    assert results[won][1]["result"] == v.result
    lost = 1 - won
    again = clients[lost].post(f"/api/v1/verifications/{item.pk}/outcome", bodies[lost])
    assert (again.status_code, again.json()["error"]) == (409, "already_answered")
    assert results[lost] == (409, again.json())  # the sequential answer
    assert _answers(item).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_answer_sent_twice_at_once_is_recorded_once(cast, item):
    """A double tap (no event_id in the contract for outcomes): one 200, the other the 409 a
    second tap after it gets; the item keeps the one answer."""
    clients = [ApiClient(cast.grid_a), ApiClient(cast.grid_a)]
    body = {"result": "reached", "temperature": "36.5"}
    results = _held_race(item, clients, [body, body])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(status for status, _ in results) == [200, 409], results
    refused = next(answer for status, answer in results if status == 409)
    assert refused["error"] == "already_answered"
    v = Verification.objects.get(pk=item.pk)
    assert (v.status, v.result, v.answered_by) == ("done", "reached", cast.grid_a)
    assert _answers(item).count() == 1
