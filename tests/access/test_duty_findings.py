"""The duty roster as a tired gate worker uses it: a shift that is over cannot be taken by a
tap on its check-in button (it became the tapper's, "checked in" hours after it ended)."""

import time_machine

from firstline.access import services
from firstline.access.models import Shift

from .conftest import local

NINE = local(2020, 2, 5, 9)  # the 00:00–08:00 shift is over, the 08:00–16:00 one is on


def _plan(world, cast):
    services.shifts_plan(checkpoint=world.gate, day=NINE.date(), shifts=3,
                         first_starts=local(2020, 2, 5, 0).time(), actor=cast.staff_c1)
    return Shift.objects.filter(checkpoint=world.gate).order_by("starts_at")


def test_a_shift_that_is_over_cannot_be_checked_into(world, web, cast):
    night, day, _ = _plan(world, cast)
    with time_machine.travel(NINE, tick=False):
        r = web("gate_c1", "en").post(f"/access/duty/shifts/{night.pk}/", {"action": "in"},
                                      follow=True)
    night.refresh_from_db()
    assert night.user is None and night.checked_in_at is None
    assert "This shift ended at 02-05 08:00" in r.content.decode()


def test_the_api_refuses_checking_into_a_shift_that_is_over(world, api, cast):
    night, day, _ = _plan(world, cast)
    with time_machine.travel(NINE, tick=False):
        r = api("gate_c1").post(f"/api/v1/shifts/{night.pk}/check-in")
        assert r.status_code == 409 and r.json()["error"] == "shift_over"
        assert api("gate_c1").post(f"/api/v1/shifts/{day.pk}/check-in").status_code == 200


def test_the_roster_offers_check_in_only_on_shifts_one_can_still_take(world, web, cast):
    night, day, evening = _plan(world, cast)
    evening.user = cast.staff_c1  # someone else's
    evening.save(update_fields=["user"])
    with time_machine.travel(NINE, tick=False):
        html = web("gate_c1", "en").get("/access/duty/?day=2020-02-05").content.decode()
    assert f'/access/duty/shifts/{day.pk}/' in html
    assert f'/access/duty/shifts/{night.pk}/' not in html
    assert f'/access/duty/shifts/{evening.pk}/' not in html


def test_the_gate_of_my_shift_comes_first_on_the_roster(world, web, cast):
    later = services.checkpoint_create(compound=world.compound, code="ZZ-S", name="南门",
                                       actor=cast.staff_c1)
    services.shift_create(checkpoint=later, starts_at=local(2020, 2, 5, 8),
                          ends_at=local(2020, 2, 5, 16), actor=cast.staff_c1, user=cast.gate_c1)
    with time_machine.travel(NINE, tick=False):
        html = web("gate_c1", "en").get("/access/duty/?day=2020-02-05").content.decode()
    assert html.index("南门") < html.index(f"· {world.gate.name}")
