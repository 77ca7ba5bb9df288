"""Roster fixtures: a few residents in the shared little jurisdiction."""

import random
from datetime import datetime

import pytest

from firstline.demo.fake import fake_id_number
from firstline.people.models import Placement, Resident

from ..conftest import SH, local, make_household  # noqa: F401 - shared, used by the tests here

_rng = random.Random(7)


def make_resident(household, name="张三", phone="13812345678", since=None, id_number=None):
    number = id_number or fake_id_number(_rng)
    since = since or local(2020, 1, 1)
    r = Resident.objects.create(name=name, id_number=number, sex="M" if int(number[16]) % 2 else "F",
                                birth_date=datetime.strptime(number[6:14], "%Y%m%d").date(),
                                phone=phone, grid=household.grid, household=household,
                                created_at=since, updated_at=since)
    Placement.objects.create(resident=r, household=household, grid=household.grid, since=since)
    return r


@pytest.fixture
def roster(areas):
    """Two households in G1a, one in G1b, one in G2a."""
    class R:
        pass

    r = R()
    r.h1 = make_household(areas.g1a, room="101")
    r.h2 = make_household(areas.g1a, room="102")
    r.h3 = make_household(areas.g1b, compound_name="翰林华府", room="201")
    r.h4 = make_household(areas.g2a, compound_name="凤凰城", room="301")
    r.a1 = make_resident(r.h1, name="王伟", phone="13800001111")
    r.a2 = make_resident(r.h1, name="王芳", phone="13900002222")
    r.a3 = make_resident(r.h2, name="李强", phone="")
    r.b1 = make_resident(r.h3, name="刘洋", phone="13600003333")
    r.c1 = make_resident(r.h4, name="陈静", phone="15000004444")
    return r


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """Uploaded roster files go to a temporary MEDIA_ROOT, not the checkout's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def areas(areas):
    """The shared jurisdiction, plus the seeded key-person categories (a transactional test
    elsewhere in the run may have flushed them)."""
    from firstline.people.services import key_person_categories_ensure

    key_person_categories_ensure()
    return areas
