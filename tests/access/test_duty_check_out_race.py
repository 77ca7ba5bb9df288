"""Gate duty check-out under real concurrency (PostgreSQL; real threads, each with its own
connection, through the API as the phones send it): the person on the shift and a manager
tapping 签退 on one shift at the same instant, two gate duties checking out a shift that
operations recorded without a login, and one person's double tap. Whatever the timing, the
answers are the sequential ones: the shift is checked out once, at the first tap, every tap
answers that same shift, and one audit entry says who checked out.

So that the requests really overlap, a holder keeps the shift's row locked for a moment
while they start: every request has read the shift (not yet checked out) before the first
may write it, and the service's own lock (`duty._locked`) is what makes the second see the
first's check-out."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection

from firstline.access import services
from firstline.access.models import Shift
from firstline.accounts.models import AuditEntry
from firstline.accounts.roles import Role
from firstline.accounts.services import user_assign

from ..conftest import PASSWORD, ApiClient, race_while_locked
from .conftest import local

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="real threads need PostgreSQL")

EIGHT = local(2020, 2, 5, 8)
NINE = local(2020, 2, 5, 9)
FOUR_PM = local(2020, 2, 5, 16)


@pytest.fixture
def second_gate(areas):
    user, _ = user_assign(username="gate_c1b", role=Role.GATE_DUTY, area=areas.c1,
                          password=PASSWORD)
    return user


def _checked_in_shift(world, cast):
    """A shift at the north gate that gate_c1 checked in on at 09:00."""
    shift = services.shift_create(checkpoint=world.gate, starts_at=EIGHT,
                                  ends_at=EIGHT + timedelta(hours=8), actor=cast.staff_c1)
    return services.shift_check_in(shift=shift, actor=cast.gate_c1, now=NINE)


def _tap_out(clients, shift):
    """Each client posts the shift's check-out at once (at 16:00 that day) while a holder keeps
    the shift's row locked. Every client must be told the same 200; returns that answer,
    (status, json)."""
    url = f"/api/v1/shifts/{shift.pk}/check-out"
    with time_machine.travel(FOUR_PM, tick=False):
        results = race_while_locked(
            lambda: Shift.objects.select_for_update().get(pk=shift.pk),
            [lambda c=c: c.post(url) for c in clients])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results[0][0] == 200 and all(r == results[0] for r in results), results
    return results[0]


def _check_outs(shift):
    return AuditEntry.objects.filter(action="access.shift_check_out", object_id=str(shift.pk))


def _again(client, shift):
    """The answer a tap after the race gets (the sequential answer)."""
    with time_machine.travel(FOUR_PM + timedelta(minutes=5), tick=False):
        r = client.post(f"/api/v1/shifts/{shift.pk}/check-out")
    return r.status_code, r.json()


@pytest.mark.django_db(transaction=True)
def test_the_person_on_duty_and_a_manager_checking_out_at_once_check_out_once(world, cast):
    shift = _checked_in_shift(world, cast)
    clients = [ApiClient(cast.gate_c1), ApiClient(cast.staff_c1)]
    answer = _tap_out(clients, shift)
    shift = Shift.objects.get(pk=shift.pk)
    assert shift.checked_out_at == FOUR_PM and shift.user == cast.gate_c1
    assert answer[1]["checked_out_at"] is not None and answer[1]["user"] == "gate_c1"
    assert answer == _again(clients[0], shift)  # the sequential answer
    assert _check_outs(shift).count() == 1
    assert _check_outs(shift).get().actor in (cast.gate_c1, cast.staff_c1)


@pytest.mark.django_db(transaction=True)
def test_two_gate_duties_checking_out_a_shift_with_no_login_at_once_check_out_once(
        world, cast, second_gate):
    """Operations recorded the check-in of a volunteer put on the shift by name (no login on
    it): any gate duty of the area may check it out, and two doing so at once write it once."""
    shift = services.shift_create(checkpoint=world.gate, starts_at=EIGHT,
                                  ends_at=EIGHT + timedelta(hours=8), actor=cast.staff_c1,
                                  name="张三")
    services.shift_attendance_record(shift=shift, actor=cast.staff_c1, checked_in_at=NINE)
    clients = [ApiClient(cast.gate_c1), ApiClient(second_gate)]
    answer = _tap_out(clients, shift)
    shift = Shift.objects.get(pk=shift.pk)
    assert shift.checked_out_at == FOUR_PM and shift.user is None and shift.name == "张三"
    assert answer == _again(clients[1], shift)
    assert _check_outs(shift).count() == 1
    assert _check_outs(shift).get().actor in (cast.gate_c1, second_gate)


@pytest.mark.django_db(transaction=True)
def test_a_double_tap_on_check_out_writes_and_audits_once(world, cast):
    shift = _checked_in_shift(world, cast)
    clients = [ApiClient(cast.gate_c1), ApiClient(cast.gate_c1)]
    _tap_out(clients, shift)
    shift = Shift.objects.get(pk=shift.pk)
    assert (shift.user, shift.checked_in_at, shift.checked_out_at) == (cast.gate_c1, NINE,
                                                                       FOUR_PM)
    assert _check_outs(shift).count() == 1
    assert _check_outs(shift).get().actor == cast.gate_c1
