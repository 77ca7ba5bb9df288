"""Benchmark: the care-call list and care-package issuing at street scale.

Generates a street of COMMUNITIES communities x GRIDS grids with HOUSEHOLDS households under
home isolation (1-3 isolated residents each, half of them already called this morning), then
times, in the same run:

  baseline    fetching the active isolations in scope (the raw read the list is built on)
  calls/st    the street's call list for street staff: counts + first page of 50 households
  calls/all   the same with every household materialized (the worst case, for information)
  calls/grid  one grid worker's call list (counts + first page)
  issue       care packages given by THREADS threads at once to distinct households from a
              stock of half as many kits: kits/s, and a check that stock ends at exactly 0

    .venv/bin/python bench/assistance.py                         # SQLite file under /tmp
    .venv/bin/python bench/assistance.py --households 20000 \
        --database-url postgres://postgres@127.0.0.1:5432/fl_bench_assistance

The machine may be shared: the run prints the median of --repeat runs.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pgdb import ensure_database  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    p.add_argument("--households", type=int, default=5000)
    p.add_argument("--communities", type=int, default=10)
    p.add_argument("--grids", type=int, default=5, help="grids per community")
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--issues", type=int, default=400, help="kits to try to give")
    p.add_argument("--repeat", type=int, default=5)
    return p.parse_args()


def setup_django(url: str) -> None:
    if not url:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='fl_bench_assist_')}/bench.sqlite3"
    else:
        ensure_database(url, recreate=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstline.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    print(f"database: {url}")


def generate(args):
    import random
    from datetime import date, timedelta

    from django.db import transaction
    from django.utils import timezone

    from firstline.accounts.roles import Role
    from firstline.accounts.services import user_assign
    from firstline.areas.models import Level
    from firstline.areas.services import area_upsert
    from firstline.assistance.models import CallOutcome, CareCall
    from firstline.isolation.models import Isolation
    from firstline.people.models import Compound, Household, Resident

    rng = random.Random(7)
    today = timezone.localdate()
    with transaction.atomic():
        city, _ = area_upsert(code="B", name="bench city", level=Level.CITY, parent=None)
        district, _ = area_upsert(code="BD", name="bench district", level=Level.DISTRICT,
                                  parent=city)
        street, _ = area_upsert(code="BS", name="bench street", level=Level.STREET,
                                parent=district)
        grids, communities = [], []
        for c in range(args.communities):
            community, _ = area_upsert(code=f"BC{c:02d}", name=f"community {c}",
                                       level=Level.COMMUNITY, parent=street)
            communities.append(community)
            for g in range(args.grids):
                grid, _ = area_upsert(code=f"BC{c:02d}G{g:02d}", name=f"grid {c}-{g}",
                                      level=Level.GRID, parent=community)
                grids.append(grid)
        hq, _ = user_assign(username="bench_hq", role=Role.STREET_STAFF, area=street)
        worker, _ = user_assign(username="bench_grid", role=Role.GRID_WORKER, area=grids[0])
        compounds = Compound.objects.bulk_create(
            [Compound(area=c, name=f"compound {i}") for i, c in enumerate(communities)])
        households = Household.objects.bulk_create([
            Household(compound=compounds[(i % len(grids)) // args.grids],
                      building_name=str(i // 100), unit="1", room=str(i),
                      grid=grids[i % len(grids)])
            for i in range(args.households)])
        residents, n = [], 0
        for h in households:
            for _k in range(rng.choice((1, 1, 2, 3))):
                n += 1
                residents.append(Resident(name=f"r{n}", id_number=f"B{n:017d}", sex="M",
                                          birth_date=date(1980, 1, 1), phone="13800000000",
                                          grid=h.grid, household=h))
        residents = Resident.objects.bulk_create(residents, batch_size=2000)
        Isolation.objects.bulk_create([
            Isolation(resident=r, household=r.household, grid=r.grid, kind="home",
                      reason="close_contact", starts_on=today - timedelta(days=2),
                      ends_on=today + timedelta(days=12)) for r in residents], batch_size=2000)
        CareCall.objects.bulk_create([
            CareCall(household=h, grid=h.grid, day=today, slot="morning", worker=worker,
                     outcome=CallOutcome.OK) for h in households[::2]], batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh bulk inserts: give the planner statistics
        cursor.execute("ANALYZE")
    print(f"generated {len(households)} households, {len(residents)} isolated residents, "
          f"{len(grids)} grids")
    return hq, worker, street, communities, households


def timed(fn, repeat):
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def bench_issue(args, hq, communities, households):
    import threading

    from django.db import connection

    from firstline.assistance.models import PackageIssue, PackageKind
    from firstline.assistance.services import package_issue, stock_receive
    from firstline.errors import RuleViolation

    kit = PackageKind.objects.create(name="九个一 bench")
    community = communities[0]
    targets = [h for h in households if h.grid.parent_id == community.pk][: args.issues]
    stock_receive(kind=kit, area=community, quantity=len(targets) // 2, actor=hq)
    chunks = [targets[i:: args.threads] for i in range(args.threads)]
    counts = {"ok": 0, "refused": 0, "error": 0}
    lock = threading.Lock()

    def run(chunk):
        for h in chunk:
            try:
                package_issue(kind=kit, household=h, actor=hq)
                key = "ok"
            except RuleViolation:
                key = "refused"
            except Exception:  # noqa: BLE001 - counted and reported
                key = "error"
            with lock:
                counts[key] += 1
        connection.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=run, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    kit.refresh_from_db()
    left = kit.item.stock.get(store__area=community).quantity
    issued = PackageIssue.objects.filter(kind=kit).count()
    return elapsed, counts, left, issued, len(targets)


def main():
    args = parse_args()
    setup_django(args.database_url)
    from firstline.accounts.scope import area_scope
    from firstline.assistance.selectors import care_call_list
    from firstline.isolation.models import Isolation

    hq, worker, street, communities, households = generate(args)
    for h in households:  # the grid's parent is needed to pick the community's households
        h.grid  # noqa: B018 - loaded once here, not timed

    def baseline():
        list(Isolation.objects.filter(area_scope(hq, "grid", "assistance.work"),
                                      status="active").values_list("household_id",
                                                                   "resident_id"))

    def street_list():
        hq.__dict__.pop("_scope_cache", None)
        care_call_list(hq, limit=50)

    def street_all():
        hq.__dict__.pop("_scope_cache", None)
        care_call_list(hq)

    def grid_list():
        worker.__dict__.pop("_scope_cache", None)
        care_call_list(worker, limit=50)

    base = timed(baseline, args.repeat)
    st = timed(street_list, args.repeat)
    al = timed(street_all, max(1, args.repeat // 2))
    gr = timed(grid_list, args.repeat)
    print(f"baseline    {base * 1000:8.1f} ms  (raw read of active isolations in scope)")
    print(f"calls/st    {st * 1000:8.1f} ms  ratio {st / base:5.1f}x baseline "
          f"({len(households)} households)")
    print(f"calls/all   {al * 1000:8.1f} ms  ratio {al / base:5.1f}x baseline")
    print(f"calls/grid  {gr * 1000:8.1f} ms  ratio {gr / base:5.2f}x baseline")
    elapsed, counts, left, issued, tried = bench_issue(args, hq, communities, households)
    print(f"issue       {tried / elapsed:8.1f} attempts/s with {args.threads} threads: "
          f"{counts['ok']} given, {counts['refused']} refused (out of stock), "
          f"{counts['error']} errors; stock left {left}, rows {issued}")
    ok = left == 0 and issued == counts["ok"] == tried // 2 and counts["error"] == 0
    print("stock exact: yes" if ok else "stock exact: NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
