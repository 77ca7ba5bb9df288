"""A few isolated households in the shared little jurisdiction (tests/conftest.py)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from firstline.isolation.models import Isolation
from firstline.people.models import Compound, Household, Resident
from tests import pinned

TZ = ZoneInfo("Asia/Shanghai")
# Isolations start yesterday so that the API (which uses the clock) sees them active;
# services are given explicit times on DAY: the day this run's tests start on (--clock).
DAY = pinned.today()


def local(hour, minute=0, day=DAY):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


class World:
    pass


_seq = iter(range(1, 10_000))


def make_household(grid, compound, room):
    return Household.objects.create(compound=compound, building_name="1", unit="1", room=room,
                                    grid=grid)


def make_resident(household, name="张三", phone="13812345678"):
    n = next(_seq)
    return Resident.objects.create(name=name, id_number=f"11010119800101{n:04d}"[:18], sex="M",
                                   birth_date=date(1980, 1, 1), phone=phone, grid=household.grid,
                                   household=household)


def isolate(resident, starts_on=None, days=14, kind="home"):
    starts_on = starts_on or DAY - timedelta(days=1)
    return Isolation.objects.create(resident=resident, household=resident.household,
                                    grid=resident.grid, kind=kind, reason="close_contact",
                                    starts_on=starts_on, ends_on=starts_on + timedelta(days=days))


@pytest.fixture
def world(areas, cast):
    w = World()
    w.compound1 = Compound.objects.create(area=areas.c1, name="阳光花园")
    w.compound2 = Compound.objects.create(area=areas.c2, name="幸福里")
    w.h1 = make_household(areas.g1a, w.compound1, "101")   # G1a, grid_a's
    w.h2 = make_household(areas.g1b, w.compound1, "102")   # G1b, C1 but not grid_a's
    w.h3 = make_household(areas.g2a, w.compound2, "201")   # C2
    w.h4 = make_household(areas.g1a, w.compound1, "103")   # G1a, not isolated
    w.r1 = make_resident(w.h1, "张三")
    w.r1b = make_resident(w.h1, "李四", phone="")
    w.r2 = make_resident(w.h2, "王五")
    w.r3 = make_resident(w.h3, "赵六")
    w.r4 = make_resident(w.h4, "钱七")
    w.i1 = isolate(w.r1)
    w.i1b = isolate(w.r1b)
    w.i2 = isolate(w.r2)
    w.i3 = isolate(w.r3)
    return w

