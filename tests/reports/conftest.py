"""A small jurisdiction with known facts, on the local day D = 2020-02-10 (Asia/Shanghai).

    street 99000101 > C1 (G1a, G1b), C2 (G2a)

Residents at the end of D (24:00 local):
  G1a: r1, r2 (household h1), r3 (h2)          -> 3 residents, 2 households
       r7 lived here (h5) until D 15:00, then moved to G1b (h6)
       r10 lived here (h8) until D 10:00, then left the jurisdiction
  G1b: r4 (h3), r7 (h6)                          -> 2 residents, 2 households
  G2a: r5, r6 (h4), r8 (h7, arrived D 23:59:59)  -> 3 residents, 2 households
       r9 (h7) arrives D+1 00:00 local (still D in UTC): not on D
Isolations:
  i1 home r1 G1a, D-3..D+11               in force
  i6 home r2 G1a, D-5.., ended D+1 00:30   in force on D (ended after local midnight)
  i2 centralized r4 G1b, starts D           in force, started on D
  i3 home r5 G2a, D-14..D (ends_on = D)     ended on D
  i4 home r6 G2a, D-2.., ended D 23:30      ended on D (released early)
  i5 home r3 G1a, starts D+1                nothing on D
Readings due at 09:00 and 15:00 (2 hours' grace): i1 answers both (D 09:30, 15:10; and one
  at D+1 00:20 for the next day); i2 answers 09:00 (10:55); i6 reports at 23:00, too late.
Alerts (fever and fever at a gate count):
  fever r1 G1a D 23:50 local; gate fever G2a D 08:00; gate fever attached to community C1
  (its own fact) D 12:00; fever G1b D+1 00:10 (next day); missed report G1a D (not fever).
Key persons (open at the end of D, counted where the resident lived then):
  r1 close_contact (G1a); r7 risk_area (G1b: moved there on D); r6 fever from D 23:00 (G2a);
  r5 fever until D 12:00 (not on D).
Gate crossings (counted in the compound's community, where the gate is; grids have none):
  C1 gate on D: out x2 (one at 23:59), in x1, denied quota x1, bad temperature x1 (not
  counted); out at D+1 00:05 (next day).  C2 gate on D: denied fever x1, in x1.
Screening visits: h1 twice on D (G1a: 1 household), h4 on D (G2a), h2 on D+1 00:30 (next day).
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from firstline.access.models import Checkpoint, Crossing
from firstline.isolation.models import Alert, Isolation, Reading
from firstline.people.models import (
    Compound,
    Household,
    KeyPerson,
    KeyPersonCategory,
    Placement,
    Resident,
    ScreeningVisit,
)

TZ = ZoneInfo("Asia/Shanghai")
PASSWORD_FOR_TESTS = "pw-Firstline-1"
D = date(2020, 2, 10)


def local(day: date, hh=0, mm=0, ss=0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), tzinfo=TZ)


LONG_AGO = local(D - timedelta(days=100))


@dataclass
class Facts:
    areas: object
    residents: dict
    households: dict
    isolations: dict


def _id_number(n: int) -> str:
    from stdnum.cn import ric

    body = f"11010519800101{n:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder check digit


def make_household(compound, grid, room):
    return Household.objects.create(compound=compound, grid=grid, building_name="1",
                                    unit="1", room=str(room))


def make_resident(n, household, since=LONG_AGO, until=None, name=None):
    r = Resident.objects.create(name=name or f"居民{n}", id_number=_id_number(n), sex="M",
                                birth_date=date(1980, 1, 1), phone=f"1380000{n:04d}",
                                grid=household.grid, household=household)
    Placement.objects.create(resident=r, household=household, grid=household.grid, since=since,
                             until=until)
    return r


def move(resident, household, at):
    Placement.objects.filter(resident=resident, until__isnull=True).update(until=at)
    Placement.objects.create(resident=resident, household=household, grid=household.grid,
                             since=at)
    Resident.objects.filter(pk=resident.pk).update(household=household, grid=household.grid)


def isolate(resident, kind, starts_on, ends_on, ended_at=None):
    """As isolation_start / isolation_release record it (created at 08:00 on the first day;
    a release sets ended_at and ended_on, the local day it happened)."""
    return Isolation.objects.create(
        resident=resident, household=resident.household, grid=resident.grid, kind=kind,
        reason="close_contact", starts_on=starts_on, ends_on=ends_on, ended_at=ended_at,
        ended_on=timezone.localdate(ended_at) if ended_at else None,
        created_at=local(starts_on, 8), status="active" if ended_at is None else "released")


def reading(isolation, at, temperature="36.6"):
    return Reading.objects.create(isolation=isolation, taken_at=at, temperature=temperature,
                                  source="self")


def crossing(checkpoint, direction, at, decision="allow", reason="ok"):
    return Crossing.objects.create(
        event_id=uuid.uuid4(), checkpoint=checkpoint, compound=checkpoint.compound,
        area=checkpoint.compound.area, direction=direction, decision=decision, reason=reason,
        scanned_at=at, day=timezone.localdate(at))


CATEGORY_NAMES = {"risk_area": "外地返回（中高风险地区）", "close_contact": "密切接触者",
                  "fever": "发热人员"}


def key_fact(resident, code, since, until=None):
    # get_or_create: transactional (browser) tests flush the categories the migration seeds.
    category, _ = KeyPersonCategory.objects.get_or_create(
        code=code, defaults={"name": CATEGORY_NAMES[code], "name_en": code.replace("_", " ")})
    return KeyPerson.objects.create(resident=resident, since=since, until=until,
                                    category=category)


@pytest.fixture
def facts(areas, cast):
    a = areas
    c1 = Compound.objects.create(area=a.c1, name="阳光花园")
    c2 = Compound.objects.create(area=a.c2, name="幸福里")
    h = {
        1: make_household(c1, a.g1a, 101), 2: make_household(c1, a.g1a, 102),
        3: make_household(c1, a.g1b, 201), 4: make_household(c2, a.g2a, 301),
        5: make_household(c1, a.g1a, 103), 6: make_household(c1, a.g1b, 202),
        7: make_household(c2, a.g2a, 302), 8: make_household(c1, a.g1a, 104),
    }
    r = {
        1: make_resident(1, h[1]), 2: make_resident(2, h[1]), 3: make_resident(3, h[2]),
        4: make_resident(4, h[3]), 5: make_resident(5, h[4]), 6: make_resident(6, h[4]),
        7: make_resident(7, h[5]),
        8: make_resident(8, h[7], since=local(D, 23, 59, 59)),
        9: make_resident(9, h[7], since=local(D + timedelta(days=1))),
        10: make_resident(10, h[8], until=local(D, 10)),
    }
    move(r[7], h[6], local(D, 15))
    for resident in r.values():
        resident.refresh_from_db()
    i = {
        1: isolate(r[1], "home", D - timedelta(days=3), D + timedelta(days=11)),
        6: isolate(r[2], "home", D - timedelta(days=5), D + timedelta(days=9),
                   ended_at=local(D + timedelta(days=1), 0, 30)),
        2: isolate(r[4], "centralized", D, D + timedelta(days=14)),
        3: isolate(r[5], "home", D - timedelta(days=14), D),
        4: isolate(r[6], "home", D - timedelta(days=2), D + timedelta(days=12),
                   ended_at=local(D, 23, 30)),
        5: isolate(r[3], "home", D + timedelta(days=1), D + timedelta(days=15)),
    }
    reading(i[1], local(D, 9, 30))
    reading(i[1], local(D, 15, 10))
    reading(i[1], local(D + timedelta(days=1), 0, 20))
    reading(i[2], local(D, 10, 55))
    reading(i[6], local(D, 23))
    Alert.objects.create(kind="fever", resident=r[1], area=a.g1a, opened_at=local(D, 23, 50))
    Alert.objects.create(kind="gate_fever", area=a.g2a, opened_at=local(D, 8))
    Alert.objects.create(kind="gate_fever", area=a.c1, opened_at=local(D, 12))
    Alert.objects.create(kind="fever", resident=r[4], area=a.g1b,
                         opened_at=local(D + timedelta(days=1), 0, 10))
    Alert.objects.create(kind="missed_report", resident=r[1], area=a.g1a, opened_at=local(D, 10))
    key_fact(r[1], "close_contact", local(D - timedelta(days=3), 9))
    key_fact(r[7], "risk_area", local(D - timedelta(days=10), 9))
    key_fact(r[6], "fever", local(D, 23))
    key_fact(r[5], "fever", local(D - timedelta(days=2), 9), until=local(D, 12))
    for household, at in [(h[1], local(D, 9)), (h[1], local(D, 16)), (h[4], local(D, 10)),
                          (h[2], local(D + timedelta(days=1), 0, 30))]:
        ScreeningVisit.objects.create(household=household, grid=household.grid, worker=cast.grid_a,
                             visited_at=at)
    gate1 = Checkpoint.objects.create(compound=c1, code="C1-N", name="北门")
    gate2 = Checkpoint.objects.create(compound=c2, code="C2-S", name="南门")
    crossing(gate1, "out", local(D, 8))
    crossing(gate1, "out", local(D, 23, 59))
    crossing(gate1, "in", local(D, 11))
    crossing(gate1, "out", local(D, 9), "deny", "quota_exhausted")
    crossing(gate1, "out", local(D, 9, 1), "deny", "bad_temperature")
    crossing(gate1, "out", local(D + timedelta(days=1), 0, 5))
    crossing(gate2, "out", local(D, 7), "deny", "fever")
    crossing(gate2, "in", local(D, 18))
    # The facts came through the ORM, not the services' events: the worker's hourly refresh
    # makes their disinfection places (operations.services.places_refresh), as it would.
    from firstline.operations.services import places_refresh

    places_refresh(on=D)
    return Facts(areas=a, residents=r, households=h, isolations=i)


@pytest.fixture(autouse=True)
def _empty_cache():
    """The dashboard caches past days' trends; ids are reused between tests on SQLite."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
