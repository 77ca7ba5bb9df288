"""Benchmark: match a list from above (核查) of N rows (default 100,000) against a roster of
M residents (default 1,000,000) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fl_lists_bench \\
        .venv/bin/python bench/checklist_match.py --roster 1000000 --rows 100000

The roster is generated and imported once (bench/roster_import.py's generator and the real
importer); later runs reuse it. The list is drawn from the roster the way lists arrive: most
rows with an ID number (some typed messily: spaces, full-width digits, a lower-case x), some
with only a name and a +86 phone, some with only a name and an address, a few people not on
the roster at all; a handful of people twice. Prints the time of `checklist_import` (read,
match, write the list, its rows and one verification item per person), its ratio to reading
the file alone in the same run, and whether the target (< 30 s) was met. Earlier benchmark
lists and their items are removed first, so runs compare.
"""

import argparse
import csv
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstline.settings")

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def messy_id(number: str, rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.1:
        return f"{number[:6]} {number[6:14]} {number[14:]}"
    if kind < 0.15:
        return number[:10] + number[10:].translate(FULL_WIDTH)
    if kind < 0.2 and number.endswith("X"):
        return number[:-1] + "x"
    return number


def generate_list(path: Path, rows: int, seed: int = 15) -> dict:
    """The list, drawn from the roster in the database; returns how many rows of each kind."""
    from django.db import connection

    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_resident")
        total = cursor.fetchone()[0]
        # A random sample without reading a million rows into Python.
        cursor.execute(
            "SELECT r.name, r.id_number, r.phone, c.name, h.building_name, h.unit, h.room "
            "FROM people_resident r TABLESAMPLE SYSTEM (%s) "
            "JOIN people_household h ON h.id = r.household_id "
            "JOIN people_compound c ON c.id = h.compound_id LIMIT %s",
            [min(100.0, rows * 130.0 / max(total, 1)), rows])
        people = cursor.fetchall()
    rng.shuffle(people)
    counts = {"id": 0, "name_phone": 0, "name_address": 0, "unknown": 0, "twice": 0}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["序号", "姓名", "证件号码", "联系电话", "现住址", "来源地", "返回日期",
                    "车次/航班"])
        for i in range(rows):
            name, number, phone, compound, building, unit, room = people[i % len(people)]
            address = f"淮南市凤台县{compound}{building}号楼{unit}单元{room}"
            kind = rng.random()
            if i >= len(people) or kind < 0.005:
                counts["twice"] += 1
            if kind < 0.75:
                row = [name, messy_id(number, rng), "", ""]
                counts["id"] += 1
            elif kind < 0.87 and phone:
                row = [name, "", f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}", ""]
                counts["name_phone"] += 1
            elif kind < 0.97:
                row = [name, "", "", address]
                counts["name_address"] += 1
            else:
                row = ["查无" + name, "", f"1{rng.randrange(3, 10)}{rng.randrange(10**9):09d}",
                       "外地"]
                counts["unknown"] += 1
            w.writerow([i + 1, row[0], row[1], row[2], row[3], "湖北省武汉市",
                        "2020-01-2" + str(rng.randrange(10)), f"G{rng.randrange(9999)}"])
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--roster", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--roster-file", default="var/bench/roster.csv")
    parser.add_argument("--file", default="var/bench/checklist.csv")
    args = parser.parse_args()
    from bench.pgdb import ensure_database

    ensure_database(os.environ.get("DATABASE_URL", ""))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.roster_import import generate
    from firstline.demo import DemoContext, build_areas
    from firstline.lists import reading
    from firstline.lists.models import Checklist, ChecklistRow, Verification
    from firstline.lists.services import checklist_import
    from firstline.people.models import Resident
    from firstline.people.services import residents_import

    call_command("migrate", verbosity=0)
    ctx = DemoContext(rng=random.Random(1), residents_per_grid=0)
    build_areas(ctx)
    have = Resident.objects.count()
    if have < args.roster:
        roster = Path(args.roster_file)
        roster.parent.mkdir(parents=True, exist_ok=True)
        if not roster.exists() or sum(1 for _ in open(roster, "rb")) - 1 != args.roster:
            generate(roster, args.roster, [g.code for g in ctx.grids])
        t = time.perf_counter()
        outcome = residents_import(roster)
        print(f"roster: {outcome.summary} in {time.perf_counter() - t:.0f} s (once)")
    residents = Resident.objects.count()
    print(f"roster: {residents:,} residents on {connection.vendor}")
    if connection.vendor == "postgresql":
        # Fresh statistics, as autovacuum gives a table after a million-row import; with
        # none, the planner takes a 1M-row table for a small one.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE people_resident, people_household, people_compound, "
                           "areas_area, lists_verification")

    # Earlier runs' lists and items go, so each run does the same work.
    ChecklistRow.objects.all().delete()
    Checklist.objects.all().delete()
    Verification.objects.all().delete()
    path = Path(args.file)
    path.parent.mkdir(parents=True, exist_ok=True)
    counts = generate_list(path, args.rows)
    print(f"list: {args.rows:,} rows ({path.stat().st_size / 2**20:.1f} MB): {counts}")

    t = time.perf_counter()
    table = reading.read_table(path)
    baseline = time.perf_counter() - t
    print(f"baseline: reading {len(table.rows):,} rows alone took {baseline:.2f} s")
    del table

    from bench.roster_import import PeakRss

    db = connection.settings_dict
    dsn = None
    if connection.vendor == "postgresql" and db["HOST"] in ("127.0.0.1", "localhost"):
        dsn = (f"host={db['HOST']} port={db['PORT'] or 5432} user={db['USER']} "
               f"dbname={db['NAME']}")
    watch = PeakRss(dsn, db["NAME"])
    watch.start()
    time.sleep(0.3)
    cpu0 = time.process_time()
    t = time.perf_counter()
    result = checklist_import(path=path, source=f"bench {time.time():.0f}", area=ctx.street)
    elapsed = time.perf_counter() - t
    py_cpu = time.process_time() - cpu0
    watch.running = False
    watch.join()
    print(f"import: {result.summary} in {elapsed:.1f} s = {args.rows / elapsed:,.0f} rows/s")
    print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items()))
    print(f"  items: {result.items_created:,} made, {result.items_joined:,} joined; "
          f"open items now {Verification.objects.filter(status='open').count():,}")
    print(f"ratio import/read: {elapsed / baseline:.1f}x")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          f"(a machine shared with other jobs)")
    if dsn:
        db_cpu = watch.db_cpu
        print(f"CPU used: Python {py_cpu:.1f} s, PostgreSQL backend {db_cpu:.1f} s; one "
              f"after the other (one connection), so on an idle machine the wall time would "
              f"be about {py_cpu + db_cpu:.0f} s (an estimate)")
    print(f"target {args.rows:,} rows against {residents:,} < 30 s: "
          f"{'met' if elapsed < 30 else 'NOT met'}")


if __name__ == "__main__":
    main()
