"""Demo data for isolation: home isolations in the first grid with a few days of readings
(one fever, one missed report), a quarantine site with an occupancy board, a transfer, and a
building lockdown. Idempotent: nothing is added when the demo site exists already."""

from datetime import time, timedelta

from django.urls import reverse

from firstline import clock
from firstline.accounts.models import User
from firstline.areas.models import subtree_q
from firstline.people.models import Building, Household, Resident

from . import services
from .models import Isolation, QuarantineSite, Room, Status

SITE = "凤台宾馆集中隔离点"


def _at(day, hh, mm=0):
    return clock.at(day, time(hh, mm))


def populate(ctx) -> None:
    staff = User.objects.filter(username="community1").first()
    worker = User.objects.filter(username="grid1").first()
    if staff is None or worker is None or not ctx.grids or not ctx.communities:
        return
    community, grid = ctx.communities[0], ctx.grids[0]
    if (QuarantineSite.objects.filter(area=community, name=SITE).exists()
            or not Resident.objects.filter(grid=grid).exists()):
        return
    rng = ctx.rng
    now = clock.now()
    today = clock.localdate(now)
    busy = set(Isolation.objects.filter(status=Status.ACTIVE).values_list("resident_id",
                                                                         flat=True))

    def one_per_household(qs, n):
        seen, out = set(), []
        for r in qs.exclude(pk__in=busy).order_by("household_id", "pk"):
            if r.household_id not in seen:
                seen.add(r.household_id)
                out.append(r)
            if len(out) == n:
                break
        return out

    # Home isolations in grid 1: started 1-6 days ago, readings on the past days.
    home = one_per_household(Resident.objects.filter(grid=grid), 6)
    link = None
    for index, resident in enumerate(home):
        start = today - timedelta(days=1 + index)
        created = _at(start, 8)
        iso = services.isolation_start(
            resident=resident, kind="home",
            reason=["risk_area", "close_contact", "secondary_contact"][index % 3],
            reason_note="自武汉返回" if index % 3 == 0 else "", starts_on=start, actor=staff,
            now=created)
        busy.add(resident.pk)
        slots = []
        day = start
        while day <= today:
            for hh in (9, 15):
                at = _at(day, hh, rng.randint(0, 40)) - timedelta(minutes=30)
                if at > now or (index == 2 and day == today - timedelta(days=1) and hh == 15):
                    continue  # index 2 forgot yesterday afternoon: a missed-report alert
                slots.append(at)
            day += timedelta(days=1)
        for k, at in enumerate(slots):
            temp = round(rng.uniform(36.1, 36.9), 1)
            if index == 1 and k == len(slots) - 1:
                temp = 37.8  # a fever in the latest report, whatever the hour the demo loads
            services.reading_record(isolation=iso, temperature=temp, taken_at=at,
                                    source="self", now=at)
        if index == 0:
            link = services.isolation_reissue_link(isolation=iso, actor=worker, now=now)
    services.check_missed_reports(now=now)

    # A quarantine site of the community: 3 floors of 8 rooms, two family rooms.
    site = services.site_create(area=community, name=SITE, address="凤台县城关镇淮河路88号",
                                phone="0554-1234567", actor=staff)
    for floor in (3, 4, 5):
        services.rooms_add(site=site, numbers=[f"{floor}{n:02d}" for n in range(1, 9)],
                           floor=str(floor), actor=staff)
    services.rooms_add(site=site, numbers=["601", "602"], floor="6", beds=2, actor=staff)
    rooms = list(Room.objects.filter(site=site).order_by("floor", "number"))
    other = Resident.objects.filter(subtree_q(community, "grid")).exclude(grid=grid)
    central = one_per_household(other, 9)
    for resident, room in zip(central, [r for r in rooms if r.beds == 1], strict=False):
        iso = services.isolation_start(resident=resident, kind="centralized",
                                       reason="close_contact", starts_on=today - timedelta(
                                           days=rng.randint(0, 6)), actor=staff, now=now)
        busy.add(resident.pk)
        services.room_assign(room=room, isolation=iso, actor=staff, now=now)
    # A mother and child together in a two-bed room.
    family = next((h for h in Household.objects.filter(subtree_q(community, "grid"))
                   .exclude(grid=grid) if h.residents.exclude(pk__in=busy).count() >= 2), None)
    if family is not None:
        pair = list(family.residents.exclude(pk__in=busy)[:2])
        family_room = next(r for r in rooms if r.beds == 2)
        for i, resident in enumerate(pair):
            iso = services.isolation_start(resident=resident, kind="centralized",
                                           reason="close_contact", starts_on=today, actor=staff,
                                           now=now)
            busy.add(resident.pk)
            services.room_assign(room=family_room, isolation=iso, actor=staff, now=now,
                                 family_reason="" if i == 0 else "母子同住，孩子 6 岁")
    # One stay ended this morning: its room waits for cleaning.
    occupied = [r for r in rooms if r.beds == 1][len(central) - 1] if central else None
    if occupied is not None:
        services.room_vacate(room=occupied, actor=staff, now=now)
    # One person waiting for pick-up.
    waiting = one_per_household(other, 1)
    if waiting:
        iso = services.isolation_start(resident=waiting[0], kind="centralized",
                                       reason="close_contact", starts_on=today, actor=staff,
                                       now=now)
        services.transfer_create(isolation=iso, from_place=waiting[0].household.address,
                                 to_site=site, pickup_at=now + timedelta(hours=2),
                                 vehicle="皖D·U2020 负压救护车", escort="县疾控 赵医生",
                                 actor=staff, now=now)

    # A building lockdown (封控) in the second grid of the community.
    building = (Building.objects.filter(households__grid__in=ctx.grids[1:4])
                .exclude(households__residents__pk__in=busy).distinct().first())
    if building is not None:
        services.lockdown_create(building=building, starts_on=today, actor=staff, now=now,
                                 reason="确诊病例所在楼栋")
    if link:
        ctx.log.append(f"isolation: a resident's self-report page: "
                       f"{ctx.base_url}{reverse('isolation:report', args=[link])}")
