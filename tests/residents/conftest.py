"""The residents' side: a small roster in the shared jurisdiction, at a pinned moment."""

from datetime import date

import pytest
import time_machine
from stdnum.cn import ric

from firstline.people.models import RiskArea

from ..conftest import local, make_household
from ..people.conftest import make_resident

NOW = local(2020, 2, 10, 10, 0)


def id_number(seq: int, birth: str = "19800101", region: str = "340104") -> str:
    """A valid resident ID number (GB 11643 check digit), distinct per `seq`."""
    body = f"{region}{birth}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def at_noon():
    with time_machine.travel(NOW, tick=True) as t:
        yield t


@pytest.fixture
def place(at_noon, roster_place):
    """roster_place, at 2020-02-10 10:00 local."""
    return roster_place


@pytest.fixture
def roster_place(areas):
    """阳光花园 (C1): building 1 in grid G1a, building 2 in grid G1b; 凤凰城 in C2 (G2a);
    Wuhan on the risk-area list."""
    from firstline.people.services import key_person_categories_ensure

    key_person_categories_ensure()

    class P:
        pass

    p = P()
    p.h101 = make_household(areas.g1a, building="1", unit="1", room="101")
    p.h102 = make_household(areas.g1a, building="1", unit="1", room="102")
    p.h201 = make_household(areas.g1b, building="2", unit="1", room="201")
    p.h301 = make_household(areas.g2a, compound_name="凤凰城", building="3", unit="1",
                            room="301")
    p.wang = make_resident(p.h101, name="王伟", id_number=id_number(1))
    p.chen = make_resident(p.h301, name="陈静", id_number=id_number(2))
    p.li = make_resident(p.h102, name="李强", id_number=id_number(3))
    p.liu = make_resident(p.h201, name="刘洋", id_number=id_number(4))
    RiskArea.objects.create(province="湖北省", city="武汉市", since=date(2020, 1, 1))
    return p


def declaration(**overrides) -> dict:
    data = {"community": "C1", "name": "李娜", "id_number": id_number(10),
            "phone": "13800138000", "compound": "阳光花园", "building": "1", "unit": "1",
            "room": "102", "from_province": "湖北省", "from_city": "武汉市",
            "returned_on": "2020-02-08", "transport": "train", "transport_no": "G1234",
            "symptoms": ""}
    data.update(overrides)
    return data
