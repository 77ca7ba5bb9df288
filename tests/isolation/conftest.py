"""Isolation fixtures: a few households in the shared jurisdiction, a pinned local clock."""

import random
from datetime import date, datetime

import pytest
from django.utils import timezone

from firstline.demo.fake import fake_id_number
from firstline.isolation import services
from firstline.people.models import Resident

from ..conftest import SH, local, make_household  # noqa: F401 - shared, used by the tests here

_rng = random.Random(6)


def make_resident(household, name="张三"):
    number = fake_id_number(_rng)
    return Resident.objects.create(
        name=name, id_number=number, sex="M" if int(number[16]) % 2 else "F",
        birth_date=datetime.strptime(number[6:14], "%Y%m%d").date(), phone="13812345678",
        grid=household.grid, household=household)


class Roster:
    pass


@pytest.fixture
def roster(areas):
    """h1, h2 in building 1 of 阳光花园 (G1a); h3 in building 2 of 阳光花园 (G1a);
    h4 in 凤凰城 (G2a, community C2)."""
    r = Roster()
    r.h1 = make_household(areas.g1a, room="101")
    r.h2 = make_household(areas.g1a, room="102")
    r.h3 = make_household(areas.g1a, building="2", room="201")
    r.h4 = make_household(areas.g2a, compound_name="凤凰城", room="301")
    r.a1 = make_resident(r.h1, "王伟")
    r.a2 = make_resident(r.h1, "王芳")
    r.b1 = make_resident(r.h2, "李强")
    r.c1 = make_resident(r.h3, "刘洋")
    r.d1 = make_resident(r.h4, "陈静")
    r.compound = r.h1.compound
    return r


def start(cast, resident, *, kind="home", starts_on=date(2026, 3, 1), days=None,
          now=None, actor=None, **kw):
    return services.isolation_start(
        resident=resident, kind=kind, reason="close_contact", starts_on=starts_on, days=days,
        actor=actor or cast.staff_c1, now=now or local(2026, 3, 1, 8, 0), **kw)



@pytest.fixture
def site(cast, areas):
    """A quarantine site (集中隔离点) in community C1, no rooms. Tests that need rooms or
    another name keep their own `site`."""
    return services.site_create(area=areas.c1, name="凤台宾馆", actor=cast.staff_c1)


@pytest.fixture
def centralized_iso(cast, roster):
    """roster.a1 in centralized isolation from today, started by staff_c1."""
    return services.isolation_start(resident=roster.a1, kind="centralized",
                                    reason="close_contact", starts_on=timezone.localdate(),
                                    actor=cast.staff_c1)


def plan(cast, iso, site=None, to_place=""):
    """A transfer of `iso` planned by the community's staff, picked up now."""
    return services.transfer_create(isolation=iso, from_place="阳光花园1栋", to_site=site,
                                    to_place=to_place, pickup_at=timezone.now(),
                                    actor=cast.staff_c1)
