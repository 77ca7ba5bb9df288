"""The demo jurisdiction: a county seat town like Fengtai in the seeds (17 communities split
into 57 grids), named compounds, and a demo user for every role.

`build(residents_per_grid=...)` is idempotent (codes and usernames are keys) and is also used
by the benchmarks with a bigger size. Each app may add its own demo data in
`firstline/<app>/demo.py` with `populate(ctx)`; they run in dependency order.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from importlib import import_module

from django.db import transaction

from firstline import clock
from firstline.accounts.roles import Role
from firstline.accounts.services import user_assign
from firstline.areas.models import Area, Level
from firstline.areas.services import area_upsert

DEMO_PASSWORD = "firstline-demo"

COMMUNITIES = [
    "城北", "城南", "东城", "西城", "凤凰", "州来", "淮河", "新集", "经开", "古店",
    "钱庙", "顾桥", "桂集", "尚塘", "关店", "朱马", "丁集",
]
# 57 grids over 17 communities, as in Fengtai's 2020 grid plan: 3 or 4 grids each.
GRIDS_PER_COMMUNITY = [4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3]
COMPOUND_NAMES = [
    "阳光花园", "翰林华府", "凤凰城", "金色家园", "幸福里", "和谐小区", "锦绣江南", "御景湾",
    "紫金苑", "滨河新村", "东方明珠", "新城佳苑", "学府雅居", "春申苑", "惠利花园", "碧水云天",
    "书香门第", "润园", "丽景苑", "文昌小区",
]
# In dependency order: assistance imports operations (a kit is an operations item, an errand
# goes to an operations volunteer), and its demo gives an errand to volunteer1, whose login
# operations' demo makes.
APPS = ("people", "access", "isolation", "operations", "assistance", "residents",
        "reports")


DEFAULT_BASE_URL = "http://127.0.0.1:8000"


@dataclass
class DemoContext:
    rng: random.Random
    residents_per_grid: int
    city: Area = None
    district: Area = None
    street: Area = None
    communities: list = field(default_factory=list)
    grids: list = field(default_factory=list)
    users: dict = field(default_factory=dict)  # username -> (role, area)
    log: list = field(default_factory=list)
    base_url: str = DEFAULT_BASE_URL  # where the demo serves, for the links it prints


def past(now: datetime, day: date, hh: int, mm: int = 0) -> datetime:
    """Local `day` at hh:mm, or the same hour a day earlier while that is still ahead of
    `now`: the demo's morning rounds, loaded at 00:05, happened yesterday morning."""
    at = clock.at(day, time(hh, mm))
    while at > now:
        at -= timedelta(days=1)
    return at


def build_areas(ctx: DemoContext) -> None:
    ctx.city, _ = area_upsert(code="340400", name="淮南市", level=Level.CITY, parent=None)
    ctx.district, _ = area_upsert(code="340421", name="凤台县", level=Level.DISTRICT,
                                  parent=ctx.city)
    ctx.street, _ = area_upsert(code="340421100", name="城关镇", level=Level.STREET,
                                parent=ctx.district)
    for index, (name, grids) in enumerate(zip(COMMUNITIES, GRIDS_PER_COMMUNITY, strict=True), 1):
        community, _ = area_upsert(code=f"340421100{index:03d}", name=f"{name}社区",
                                   level=Level.COMMUNITY, parent=ctx.street)
        ctx.communities.append(community)
        for g in range(1, grids + 1):
            grid, _ = area_upsert(code=f"{community.code}{g:02d}", name=f"{name}第{g}网格",
                                  level=Level.GRID, parent=community)
            ctx.grids.append(grid)


def build_users(ctx: DemoContext) -> None:
    c1, g1 = ctx.communities[0], ctx.grids[0]
    cast = [
        ("admin", Role.ADMIN, ctx.city, "系统管理员"),
        ("hq", Role.STREET_STAFF, ctx.street, "街道指挥部 王主任"),
        ("community1", Role.COMMUNITY_STAFF, c1, f"{c1.name} 李书记"),
        ("grid1", Role.GRID_WORKER, g1, f"{g1.name} 张网格员"),
        ("gate1", Role.GATE_DUTY, c1, f"{c1.name} 卡口 刘师傅"),
        ("auditor", Role.AUDITOR, ctx.street, "审计 陈科长"),
    ]
    for username, role, area, display in cast:
        user_assign(username=username, role=role, area=area, password=DEMO_PASSWORD,
                    display_name=display)
        ctx.users[username] = (role, area)


def build(*, residents_per_grid: int = 40, seed: int = 2020,
          base_url: str = DEFAULT_BASE_URL) -> DemoContext:
    ctx = DemoContext(rng=random.Random(seed), residents_per_grid=residents_per_grid,
                      base_url=base_url)
    with transaction.atomic():
        build_areas(ctx)
        build_users(ctx)
    for app in APPS:
        try:
            module = import_module(f"firstline.{app}.demo")
        except ModuleNotFoundError:
            continue
        with transaction.atomic():
            module.populate(ctx)
    return ctx
