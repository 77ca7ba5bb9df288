"""A little roster for lists from above (核查), in the shared jurisdiction.

    G1a: 王伟 + 王芳 (阳光花园 1栋1单元101), 李强 (1栋1单元102), 买买提·艾力 (2栋1单元201)
    G1b: 刘洋 (翰林华府 3栋2单元201)
    G2a: 陈静 (凤凰城 5栋1单元301)
A grid worker `grid_b` of G1b joins the cast.
"""

import csv
import random

import pytest

from firstline.accounts.roles import Role
from firstline.accounts.services import user_assign
from firstline.areas.models import Level
from firstline.areas.services import area_upsert
from firstline.demo.fake import fake_id_number

from ..conftest import PASSWORD, make_household
from ..people.conftest import make_resident

_rng = random.Random(15)


@pytest.fixture
def roster(areas, cast):
    class R:
        pass

    r = R()
    r.h1 = make_household(areas.g1a, room="101")
    r.h2 = make_household(areas.g1a, room="102")
    r.h5 = make_household(areas.g1a, building="2", room="201")
    r.h3 = make_household(areas.g1b, compound_name="翰林华府", building="3", unit="2", room="201")
    r.h4 = make_household(areas.g2a, compound_name="凤凰城", building="5", room="301")
    r.wang = make_resident(r.h1, name="王伟", phone="13800001111",
                           id_number=fake_id_number(_rng))
    r.fang = make_resident(r.h1, name="王芳", phone="13900002222",
                           id_number="11010519491231002X")
    r.li = make_resident(r.h2, name="李强", phone="", id_number=fake_id_number(_rng))
    r.maimaiti = make_resident(r.h5, name="买买提·艾力", phone="13500005555",
                               id_number=fake_id_number(_rng))
    r.liu = make_resident(r.h3, name="刘洋", phone="13600003333", id_number=fake_id_number(_rng))
    r.chen = make_resident(r.h4, name="陈静", phone="15000004444", id_number=fake_id_number(_rng))
    cast.grid_b, _ = user_assign(username="grid_b", role=Role.GRID_WORKER, area=areas.g1b,
                                 password=PASSWORD)
    return r


def write_csv(path, header, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def other(areas, cast):
    """A second street in Firstline (东街道) with a community, a grid, a resident 赵敏, and
    its own staff."""
    class East:
        pass

    o = East()
    o.street, _ = area_upsert(code="99000102", name="东街道", level=Level.STREET,
                              parent=areas.district)
    o.community, _ = area_upsert(code="D1", name="东一社区", level=Level.COMMUNITY,
                                 parent=o.street)
    o.grid, _ = area_upsert(code="D1a", name="东一社区第1网格", level=Level.GRID,
                            parent=o.community)
    o.zhao = make_resident(make_household(o.grid, compound_name="东苑", room="808"),
                           name="赵敏", phone="13711112222", id_number="")
    o.hq, _ = user_assign(username="hq_east", role=Role.STREET_STAFF, area=o.street,
                          password=PASSWORD)
    cast.hq_east = o.hq
    return o
