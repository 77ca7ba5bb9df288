"""Demo roster: `ctx.residents_per_grid` residents in every grid, in named compounds, buildings,
units and rooms, households of 1-5 people; a risk-area list; a few screening visits in the
first grid that make key persons; one 三级包保 assignment. Idempotent: a grid that already
has residents is left alone, and the visits are made once."""

import random
from datetime import datetime, timedelta

from firstline import clock
from firstline.accounts.models import User
from firstline.demo import COMPOUND_NAMES, past
from firstline.demo.fake import fake_id_number, fake_name, fake_phone

from .models import Building, Compound, Household, Placement, Resident, RiskArea, ScreeningVisit
from .services import key_person_categories_ensure, responsibility_set, screening_visit_record

RESIDENCY = ["permanent"] * 8 + ["temporary", "floating"]


def populate(ctx) -> None:
    key_person_categories_ensure()
    now = clock.now()
    since = now - timedelta(days=30)
    made_residents = made_households = 0
    have = set(Resident.objects.values_list("grid_id", flat=True).distinct())
    taken = set()
    for gi, grid in enumerate(ctx.grids):
        if grid.pk in have or ctx.residents_per_grid <= 0:
            continue
        rng = random.Random(f"people-demo-{grid.code}")
        name = COMPOUND_NAMES[gi % len(COMPOUND_NAMES)]
        compound, _ = Compound.objects.get_or_create(area_id=grid.parent_id, name=name)
        people_left = ctx.residents_per_grid
        plan = []  # (building, unit, room, size)
        n = 0
        while people_left > 0:
            size = min(people_left, rng.choice([1, 2, 2, 3, 3, 3, 4, 5]))
            building, rest = divmod(n, 24)
            unit, room = divmod(rest, 12)
            plan.append((str(building + 1), str(unit + 1),
                         f"{room // 2 + 1}0{room % 2 + 1}", size))
            people_left -= size
            n += 1
        buildings = {}
        for b in sorted({p[0] for p in plan}):
            buildings[b], _ = Building.objects.get_or_create(compound=compound, name=b)
        existing = {(h.building_name, h.unit, h.room): h
                    for h in Household.objects.filter(compound=compound)}
        new = [Household(compound=compound, building=buildings[b], building_name=b, unit=u,
                         room=r, grid=grid, created_at=since)
               for b, u, r, _size in plan if (b, u, r) not in existing]
        Household.objects.bulk_create(new)
        made_households += len(new)
        existing = {(h.building_name, h.unit, h.room): h
                    for h in Household.objects.filter(compound=compound)}
        residents = []
        for b, u, r, size in plan:
            household = existing[(b, u, r)]
            surname = fake_name(rng)[0]
            for k in range(size):
                number = fake_id_number(rng)
                while number in taken:
                    number = fake_id_number(rng)
                taken.add(number)
                residents.append(Resident(
                    name=surname + fake_name(rng)[1:] if k else fake_name(rng),
                    id_number=number, sex="M" if int(number[16]) % 2 else "F",
                    birth_date=datetime.strptime(number[6:14], "%Y%m%d").date(),
                    phone=fake_phone(rng) if rng.random() < 0.85 else "",
                    residency=rng.choice(RESIDENCY), grid=grid, household=household,
                    created_at=since, updated_at=since))
        Resident.objects.bulk_create(residents, batch_size=2000)
        ids = dict(Resident.objects.filter(grid=grid).values_list("id_number", "id"))
        Placement.objects.bulk_create(
            [Placement(resident_id=ids[r.id_number], household_id=r.household_id, grid=grid,
                       since=since) for r in residents], batch_size=2000)
        made_residents += len(residents)
    if made_residents:
        ctx.log.append(f"people: {made_residents} residents in {made_households} households "
                       f"across {len(ctx.grids)} grids (compounds: {', '.join(COMPOUND_NAMES[:3])}…)")
    _risk_areas(ctx, now)
    _screening(ctx, now)


def _risk_areas(ctx, now):
    start = clock.localdate(now) - timedelta(days=60)
    made = 0
    for province, city, level in [("湖北省", "武汉市", "high"), ("湖北省", "孝感市", "high"),
                                  ("浙江省", "温州市", "medium")]:
        _obj, created = RiskArea.objects.get_or_create(
            province=province, city=city,
            defaults={"level": level, "since": start, "source": "demo list"})
        made += created
    if made:
        ctx.log.append(f"people: {made} risk areas listed (湖北武汉, 湖北孝感, 浙江温州)")


def _screening(ctx, now):
    worker = User.objects.filter(username="grid1").first()
    staff = User.objects.filter(username="community1").first()
    if worker is None or not ctx.grids:
        return
    grid = ctx.grids[0]
    if ScreeningVisit.objects.filter(grid=grid).exists():
        return
    households = list(Household.objects.filter(grid=grid, residents__isnull=False)
                      .distinct().order_by("pk")[:12])
    today = clock.localdate(now)
    findings = [
        {"from_province": "湖北", "from_city": "武汉", "transport": "train",
         "transport_no": "G1722", "days_ago_returned": 5},
        {"temperature": "37.8", "symptoms": "cough"},
        {"categories": ["elderly_alone"]},
        {"categories": ["needs_help"]},
        {"from_province": "浙江", "from_city": "温州", "transport": "car",
         "transport_no": "皖D12345", "days_ago_returned": 3},
        {"categories": ["close_contact"]},
    ]
    visits = 0
    for index, household in enumerate(households):
        at = past(now, today - timedelta(days=index % 3), 9 + index % 8, 10 * (index % 5))
        day = clock.localdate(at)
        members = list(household.residents.order_by("pk"))
        if index == 7:
            screening_visit_record(actor=worker, household=household, people=[], nobody_home=True,
                         visited_at=at)
            visits += 1
            continue
        people = []
        for k, r in enumerate(members):
            entry = {"resident": r, "present": True, "temperature": "36.5"}
            if k == 0 and index < len(findings):
                finding = dict(findings[index])
                back = finding.pop("days_ago_returned", None)
                if back:
                    finding["returned_on"] = day - timedelta(days=back)
                entry.update(finding)
            people.append(entry)
        screening_visit_record(actor=worker, household=household, people=people, visited_at=at)
        visits += 1
    ctx.log.append(f"people: {visits} screening visits in {grid.name} "
                   f"(key persons: risk area, fever, elderly alone, needs help, close contact)")
    if staff is not None and households:
        first = households[0].residents.order_by("pk").first()
        responsibility_set(actor=staff, resident=first, cadre=staff, grid_worker=worker,
                           helper_name="王医生（社区卫生服务站）", helper_phone="13955550000",
                           now=now)
