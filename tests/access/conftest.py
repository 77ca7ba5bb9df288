"""Closed-management fixtures: a compound in C1 with two households, one in C2, checkpoints,
passes, and a `scan(...)` helper speaking to the service."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from firstline.access import services
from firstline.people.models import Building, Compound, Household

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


class World:
    pass


@pytest.fixture
def world(areas, cast):
    w = World()
    w.compound = Compound.objects.create(area=areas.c1, name="翰林华府", address="淮河路1号")
    w.other = Compound.objects.create(area=areas.c2, name="惠利花园")
    w.b28 = Building.objects.create(compound=w.compound, name="28")
    w.h1 = Household.objects.create(compound=w.compound, building=w.b28, building_name="28",
                                    unit="1", room="101", grid=areas.g1a)
    w.h2 = Household.objects.create(compound=w.compound, building=w.b28, building_name="28",
                                    unit="1", room="102", grid=areas.g1b)
    w.h_other = Household.objects.create(compound=w.other, building_name="3", unit="2",
                                         room="301", grid=areas.g2a)
    w.gate = services.checkpoint_create(compound=w.compound, code="HL-N", name="北门",
                                        actor=cast.staff_c1)
    w.gate_other = services.checkpoint_create(compound=w.other, code="HY-1", name="东门",
                                              actor=cast.staff_c2)
    w.pass1, w.pass2 = services.pass_issue(households=[w.h1, w.h2], actor=cast.staff_c1,
                                           now=local(2020, 2, 1, 8))
    (w.pass_other,) = services.pass_issue(households=[w.h_other], actor=cast.staff_c2,
                                          now=local(2020, 2, 1, 8))
    # One trip out per household every 2 days, windows from 2020-02-04 (the seeds' start).
    w.policy = services.policy_set(compound=w.compound, closed=True, out_quota=1,
                                   window_days=2, starts_on=local(2020, 2, 4).date(),
                                   actor=cast.staff_c1, now=local(2020, 2, 1, 8))
    return w


@pytest.fixture
def scan(world, cast):
    """scan(pass, "out", at, temperature=36.5, checkpoint="HL-N", actor=gate_c1) -> Crossing
    (人员进出一律测温: every scan is measured unless a test sends temperature=None)"""

    def do(pass_or_code, direction="out", at=None, *, temperature=36.5, checkpoint="HL-N",
           actor=None, event_id=None):
        code = getattr(pass_or_code, "code", pass_or_code)
        return services.gate_scan(
            actor=actor or cast.gate_c1, event_id=event_id or uuid.uuid4(),
            checkpoint=checkpoint, pass_code=code, direction=direction,
            temperature=temperature, scanned_at=at or local(2020, 2, 5, 9))

    return do

