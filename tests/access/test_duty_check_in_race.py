"""Gate duty check-in under real concurrency (PostgreSQL; real threads, each with its own
connection, through the API as the phones send it): two people tapping 签到 on one shift at
the same instant — one of them covering for the person it is planned for — and one person's
double tap. Whatever the timing, the answers are the sequential ones: one person stands the
shift, the other hears it is someone else's (409), a repeated tap answers the same shift, and
one audit entry says who checked in.

Threads let go together may still run one after another on a busy machine, so each request
is held for a moment inside the check-in, after the view has read the shift and before
anything is written: every request has read the shift before any has written it."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection

from firstline.access import services
from firstline.access.models import Shift
from firstline.access.services import duty
from firstline.accounts.models import AuditEntry
from firstline.accounts.roles import Role
from firstline.accounts.services import user_assign

from ..conftest import PASSWORD, ApiClient, race
from .conftest import local

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="real threads need PostgreSQL")

EIGHT = local(2020, 2, 5, 8)
NINE = local(2020, 2, 5, 9)


@pytest.fixture
def held(monkeypatch):
    """Every check-in pauses 0.3 s between reading the shift and writing it."""
    opens = duty.check_in_opens

    def slow(shift, **kw):
        time.sleep(0.3)
        return opens(shift, **kw)

    monkeypatch.setattr(duty, "check_in_opens", slow)


@pytest.fixture
def second_gate(areas):
    user, _ = user_assign(username="gate_c1b", role=Role.GATE_DUTY, area=areas.c1,
                          password=PASSWORD)
    return user


def _shift(world, cast, name=""):
    return services.shift_create(checkpoint=world.gate, starts_at=EIGHT,
                                 ends_at=EIGHT + timedelta(hours=8), actor=cast.staff_c1,
                                 name=name)


def _tap(clients, shift, bodies):
    """Each client posts its body to the shift's check-in at once (at 09:00 that day);
    returns [(status, json)] in the clients' order."""

    def work(i):
        r = clients[i].post(f"/api/v1/shifts/{shift.pk}/check-in", bodies[i])
        return r.status_code, r.json()

    with time_machine.travel(NINE, tick=False):
        return race(len(clients), work)


def _check_ins(shift):
    return AuditEntry.objects.filter(action="access.shift_check_in", object_id=str(shift.pk))


@pytest.mark.django_db(transaction=True)
def test_two_gate_duties_tapping_an_open_shift_at_once_one_stands_it(world, cast, second_gate,
                                                                     held):
    shift = _shift(world, cast)
    clients = [ApiClient(cast.gate_c1), ApiClient(second_gate)]
    results = _tap(clients, shift, [{}, {}])
    assert not [r for r in results if isinstance(r, Exception)], results
    shift.refresh_from_db()
    winner = [cast.gate_c1, second_gate].index(shift.user)
    loser = 1 - winner
    assert results[winner][0] == 200 and results[winner][1]["user"] == shift.user.username
    with time_machine.travel(NINE, tick=False):
        again = clients[loser].post(f"/api/v1/shifts/{shift.pk}/check-in")
    assert (again.status_code, again.json()["error"]) == (409, "not_your_shift")
    assert results[loser] == (409, again.json())  # the sequential answer
    assert _check_ins(shift).count() == 1
    assert _check_ins(shift).get().actor == shift.user


@pytest.mark.django_db(transaction=True)
def test_two_people_covering_one_named_shift_at_once_one_covers(world, cast, second_gate, held):
    shift = _shift(world, cast, name="张三")
    clients = [ApiClient(cast.gate_c1), ApiClient(second_gate)]
    results = _tap(clients, shift, [{"covering": True}, {"covering": True}])
    assert not [r for r in results if isinstance(r, Exception)], results
    shift.refresh_from_db()
    assert shift.covering_for == "张三" and shift.name == "张三"
    winner = [cast.gate_c1, second_gate].index(shift.user)
    loser = 1 - winner
    assert results[winner][0] == 200
    assert results[winner][1]["covering_for"] == "张三"
    assert results[loser][0] == 409 and results[loser][1]["error"] == "not_your_shift"
    assert _check_ins(shift).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_named_person_and_someone_covering_at_once_one_stands_it(world, cast, second_gate,
                                                                     held):
    shift = _shift(world, cast, name=str(second_gate))
    clients = [ApiClient(cast.gate_c1), ApiClient(second_gate)]
    results = _tap(clients, shift, [{"covering": True}, {}])
    assert not [r for r in results if isinstance(r, Exception)], results
    shift.refresh_from_db()
    assert sorted(status for status, _ in results) == [200, 409]
    expected = "" if shift.user == second_gate else str(second_gate)
    assert shift.covering_for == expected
    assert _check_ins(shift).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_tap_checks_in_once_and_answers_alike(world, cast, held):
    shift = _shift(world, cast)
    clients = [ApiClient(cast.gate_c1), ApiClient(cast.gate_c1)]
    results = _tap(clients, shift, [{}, {}])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results[0] == results[1] and results[0][0] == 200
    shift = Shift.objects.get(pk=shift.pk)
    assert shift.user == cast.gate_c1 and shift.checked_in_at == NINE
    assert _check_ins(shift).count() == 1
