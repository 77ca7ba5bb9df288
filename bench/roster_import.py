"""Benchmark: generate a roster of N residents (default 1,000,000) and import it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fl_people_bench \\
        .venv/bin/python bench/roster_import.py --rows 1000000

Prints rows/s and peak memory (RSS) of the import, and the ratio of the import's time to a
baseline measured in the same run: streaming the same file through the reader alone (what
the import costs on top of reading). The database is migrated and the demo jurisdiction
(57 grids) loaded first; residents already there make the run an update (use --fresh).
"""

import argparse
import csv
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstline.settings")


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def proc_cpu(pid) -> float:
    """user+system CPU seconds of a local process (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


class PeakRss(threading.Thread):
    """Samples this process's RSS, and the CPU time of the PostgreSQL backends serving the
    benchmark's database (local server only), so the two sides' work can be told apart on a
    machine shared with other jobs."""

    def __init__(self, dsn=None, dbname=None):
        super().__init__(daemon=True)
        self.peak = rss_mb()
        self.running = True
        self.dsn, self.dbname = dsn, dbname
        self.start_cpu, self.last_cpu = {}, {}

    def _backends(self, conn):
        with conn.cursor() as cur:
            cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s "
                        "AND pid <> pg_backend_pid()", [self.dbname])
            return [row[0] for row in cur.fetchall()]

    def run(self):
        conn = None
        if self.dsn:
            import psycopg

            conn = psycopg.connect(self.dsn, autocommit=True)
            for pid in self._backends(conn):
                self.start_cpu[pid] = proc_cpu(pid)
        tick = 0
        while self.running:
            self.peak = max(self.peak, rss_mb())
            if conn is not None and tick % 5 == 0:
                for pid in self._backends(conn):
                    self.start_cpu.setdefault(pid, 0.0)
                    self.last_cpu[pid] = proc_cpu(pid) or self.last_cpu.get(pid, 0.0)
            tick += 1
            time.sleep(0.05)
        if conn is not None:
            for pid in list(self.last_cpu):
                self.last_cpu[pid] = proc_cpu(pid) or self.last_cpu[pid]
            conn.close()

    @property
    def db_cpu(self) -> float:
        return sum(max(0.0, v - self.start_cpu.get(p, 0.0)) for p, v in self.last_cpu.items())


def generate(path: Path, rows: int, grids, seed: int = 2020) -> None:
    """A realistic roster: households of 1-5 people in named compounds, grid by grid."""
    from firstline.demo import COMPOUND_NAMES
    from firstline.demo.fake import fake_name, fake_phone, unique_id_numbers

    rng = random.Random(seed)
    ids = unique_id_numbers(rng, rows)
    residency = ["常住"] * 8 + ["暂住", "流动"]
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["姓名", "身份证号", "手机号", "网格", "小区", "楼栋", "单元", "房号",
                    "人员类型", "备注"])
        per_grid = rows // len(grids) + 1
        for g, grid in enumerate(grids):
            compounds = [COMPOUND_NAMES[(g + k) % len(COMPOUND_NAMES)] for k in range(3)]
            n = 0
            household = 0
            while n < per_grid and written < rows:
                household += 1
                compound = compounds[household % 3]
                building, rest = divmod(household, 48)
                unit, room = divmod(rest, 12)
                for _ in range(rng.randint(1, 5)):
                    if n >= per_grid or written >= rows:
                        break
                    w.writerow([fake_name(rng), next(ids),
                                fake_phone(rng) if rng.random() < 0.85 else "", grid,
                                compound, str(building + 1), str(unit + 1),
                                f"{room // 4 + 1}0{room % 4 + 1}", rng.choice(residency), ""])
                    n += 1
                    written += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--file", default="var/bench/roster.csv")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--fresh", action="store_true",
                        help="delete residents, households and compounds first")
    args = parser.parse_args()
    from bench.pgdb import ensure_database

    ensure_database(os.environ.get("DATABASE_URL", ""))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from firstline.demo import DemoContext, build_areas
    from firstline.people.importer import RESIDENT_COLUMNS
    from firstline.people.models import Compound, Household, Placement, Resident
    from firstline.people.services import residents_import
    from firstline.tabular import open_table

    call_command("migrate", verbosity=0)
    ctx = DemoContext(rng=random.Random(1), residents_per_grid=0)
    build_areas(ctx)
    grids = [g.code for g in ctx.grids]
    if args.fresh and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the benchmark's own database only
            cursor.execute("TRUNCATE people_placement, people_resident, people_household, "
                           "people_building, people_compound CASCADE")
    elif args.fresh:
        Placement.objects.all().delete()
        Resident.objects.all().delete()
        Household.objects.all().delete()
        Compound.objects.filter(lockdowns__isnull=True).delete()

    path = Path(args.file)
    path.parent.mkdir(parents=True, exist_ok=True)
    if args.regenerate or not path.exists() or sum(1 for _ in open(path, "rb")) - 1 != args.rows:
        t = time.perf_counter()
        generate(path, args.rows, grids)
        print(f"generated {args.rows} rows ({path.stat().st_size / 2**20:.0f} MB) "
              f"in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    n = sum(1 for _ in open_table(path, columns=RESIDENT_COLUMNS).rows())
    baseline = time.perf_counter() - t
    print(f"baseline: reading {n} rows alone took {baseline:.1f} s ({n / baseline:,.0f} rows/s)")

    before = rss_mb()
    settings_db = connection.settings_dict
    dsn = None
    if connection.vendor == "postgresql" and settings_db["HOST"] in ("127.0.0.1", "localhost"):
        dsn = (f"host={settings_db['HOST']} port={settings_db['PORT'] or 5432} "
               f"user={settings_db['USER']} dbname={settings_db['NAME']}")
    watch = PeakRss(dsn, settings_db["NAME"])
    watch.start()
    time.sleep(0.3)
    cpu0 = time.process_time()
    t = time.perf_counter()
    outcome = residents_import(path)
    elapsed = time.perf_counter() - t
    py_cpu = time.process_time() - cpu0
    watch.running = False
    watch.join()
    print(f"import: {outcome.summary} in {elapsed:.1f} s = {n / elapsed:,.0f} rows/s "
          f"on {connection.vendor}")
    print(f"peak RSS during import {watch.peak:.0f} MB (before: {before:.0f} MB, "
          f"growth {watch.peak - before:.0f} MB)")
    print(f"ratio import/read: {elapsed / baseline:.1f}x")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          f"(a machine shared with other jobs)")
    if dsn:
        db_cpu = watch.db_cpu
        print(f"CPU used: importer {py_cpu:.0f} s (two threads), PostgreSQL backends "
              f"{db_cpu:.0f} s; on an otherwise idle {os.cpu_count()}-core machine the wall "
              f"time would be about {max(py_cpu, db_cpu, (py_cpu + db_cpu) / 2):.0f} s "
              f"(an estimate: the larger side, both sides overlapping)")
    print(f"target 1M rows < 120 s: {'met' if elapsed / max(n, 1) * 1e6 < 120 else 'NOT met'} "
          f"({elapsed / max(n, 1) * 1e6:.0f} s per million rows)")


if __name__ == "__main__":
    main()
