"""Benchmark: the daily report (一日一报) of a street with 1M residents, on PostgreSQL.

Generates (with INSERT ... SELECT generate_series, in the database itself) a street of
COMMUNITIES communities x GRIDS grids, RESIDENTS residents in households of ~2.5, their
placement history (5% moved in the last two weeks), isolations, key persons, screening visits,
fever alerts, gate crossings (and self-report readings when the isolation app has them); then
times, in the same run:

  baseline   SELECT COUNT(*) FROM people_resident
  report     the street's daily report as JSON (every figure, every sub-area, down to grids)
  xlsx       the same report as the xlsx form
  dashboard  the 14-day computation behind the dashboard: first (no closed day stored yet:
             every day computed, then stored) and cold (the cache empty, the 13 closed days
             read from reports.DayFigures, the day shown computed); target < 1 s

    .venv/bin/python bench/daily_report.py                    # 1M residents, fl_bench_reports
    .venv/bin/python bench/daily_report.py --residents 100000 --regenerate
    .venv/bin/python bench/daily_report.py --database-url postgres://postgres@127.0.0.1:5432/x

Data are generated once and reused by later runs (--regenerate starts again). Target: the
report under 1 s. The machine may be shared: the run prints the median of --repeat runs.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pgdb import ensure_database, insert_select  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/fl_bench_reports"
STREET = "BENCH-ST"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    p.add_argument("--residents", type=int, default=1_000_000)
    p.add_argument("--communities", type=int, default=20)
    p.add_argument("--grids", type=int, default=5, help="grids per community")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--regenerate", action="store_true", help="drop and generate the data again")
    p.add_argument("--proposed-indexes", action="store_true",
                   help="create the indexes listed in PROPOSED (indexes measured here "
                        "before their owning app migrates them); without it they are dropped")
    p.add_argument("--parallel", type=int, default=0,
                   help="run the report's sources on N connections side by side "
                        "(default: firstline.reports.selectors.PARALLEL_SOURCES)")
    p.add_argument("--day", default="", help="report day (default: the last generated day)")
    return p.parse_args()


def setup_django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstline.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- generation -------------------------------------------------------------------------------

def generate(args, day: date) -> None:
    from django.db import connection, transaction

    from firstline.access.models import Checkpoint, Crossing
    from firstline.areas.models import Level
    from firstline.areas.services import area_upsert
    from firstline.isolation.models import Alert, Isolation
    from firstline.people.models import (
        Compound,
        Household,
        KeyPerson,
        KeyPersonCategory,
        Placement,
        Resident,
        ScreeningVisit,
    )

    n = args.residents
    households = max(1, int(n / 2.5))
    t0 = time.perf_counter()
    with transaction.atomic():
        city, _ = area_upsert(code="BENCH", name="基准市", level=Level.CITY, parent=None)
        district, _ = area_upsert(code="BENCH-D", name="基准区", level=Level.DISTRICT,
                                  parent=city)
        street, _ = area_upsert(code=STREET, name="基准街道", level=Level.STREET,
                                parent=district)
        grids = []
        for c in range(args.communities):
            community, _ = area_upsert(code=f"{STREET}-C{c:02d}", name=f"第{c + 1}社区",
                                       level=Level.COMMUNITY, parent=street)
            Compound.objects.get_or_create(area=community, name=f"第{c + 1}社区小区")
            for g in range(args.grids):
                grid, _ = area_upsert(code=f"{STREET}-C{c:02d}-G{g}", name=f"第{c + 1}社区{g + 1}网格",
                                      level=Level.GRID, parent=community)
                grids.append(grid)
        from django.contrib.auth import get_user_model

        worker, _ = get_user_model().objects.get_or_create(username="bench_worker")
        for compound in Compound.objects.filter(area__parent=street):
            for gate in ("N", "S"):
                Checkpoint.objects.get_or_create(code=f"{compound.area.code}-{gate}",
                                                 defaults={"compound": compound,
                                                           "name": f"{gate}门"})
    grid_ids = [g.id for g in grids]
    G = len(grid_ids)
    grids_sql = "ARRAY[" + ",".join(map(str, grid_ids)) + "]::bigint[]"
    tz = "Asia/Shanghai"
    d = day.isoformat()
    with transaction.atomic(), connection.cursor() as cur:
        # Generated rows reference rows generated by the same statements: skip the per-row
        # foreign-key triggers (a superuser setting; without it the load only takes longer).
        try:
            with transaction.atomic():
                cur.execute("SET LOCAL session_replication_role = replica")
        except Exception:
            print("  (not a superuser: foreign keys checked row by row, slower)")
        cur.execute("CREATE TEMP TABLE bench_grid (k int PRIMARY KEY, grid_id bigint, "
                    "compound_id bigint, area_id bigint) ON COMMIT DROP")
        cur.execute("INSERT INTO bench_grid SELECT row_number() OVER (ORDER BY a.id) - 1, a.id, "
                    "c.id, a.parent_id FROM areas_area a JOIN people_compound c "
                    f"ON c.area_id = a.parent_id WHERE a.id = ANY({grids_sql})")
        # Households: h -> grid h % G.
        insert_select(cur, Household, {
            "compound": "g.compound_id", "building_name": "((h / 400) % 30 + 1)::text",
            "unit": "((h / 100) % 4 + 1)::text", "room": "h::text", "grid": "g.grid_id",
            "created_at": "now()"},
            f"generate_series(0, {households - 1}) h JOIN bench_grid g ON g.k = h % {G}")
        cur.execute("CREATE TEMP TABLE bench_hh ON COMMIT DROP AS SELECT id, "
                    "row_number() OVER (ORDER BY id) - 1 AS k, grid_id FROM people_household "
                    f"WHERE grid_id = ANY({grids_sql})")
        cur.execute("CREATE INDEX ON bench_hh (k)")
        print(f"  households {households:,} ({time.perf_counter() - t0:.1f}s)")
        # Residents: r -> household r % H.
        insert_select(cur, Resident, {
            "name": "'居民' || r", "id_number": "'B' || lpad(r::text, 17, '0')",
            "sex": "CASE WHEN r % 2 = 0 THEN 'M' ELSE 'F' END",
            "birth_date": "date '1950-01-01' + (r % 25000)",
            "phone": "'139' || lpad((r % 100000000)::text, 8, '0')", "residency": "'permanent'",
            "grid": "hh.grid_id", "household": "hh.id", "note": "''",
            "created_at": "now()", "updated_at": "now()"},
            f"generate_series(0, {n - 1}) r JOIN bench_hh hh ON hh.k = r % {households}")
        print(f"  residents {n:,} ({time.perf_counter() - t0:.1f}s)")
        # Placements: everyone since 400 days ago; 1 in 20 moved from another grid during
        # the last 14 days (the old placement closed, a new one opened).
        insert_select(cur, Placement, {
            "resident": "p.id", "household": "p.household_id", "grid": "p.grid_id",
            "since": f"(timestamp '{d}' - interval '400 days') AT TIME ZONE '{tz}'",
            "until": "NULL"},
            "people_resident p WHERE p.id_number LIKE 'B%'")
        cur.execute(f"""
            WITH moved AS (
              SELECT pl.id, pl.resident_id, pl.household_id, pl.grid_id,
                     (timestamp '{d}' - (pl.resident_id % 14) * interval '1 day'
                      + interval '10 hours') AT TIME ZONE '{tz}' AS at
              FROM people_placement pl WHERE pl.resident_id % 20 = 0
                AND pl.grid_id = ANY({grids_sql})),
            closed AS (UPDATE people_placement pl SET until = m.at FROM moved m
                       WHERE pl.id = m.id RETURNING pl.id)
            SELECT count(*) FROM closed""")
        # the new placement: a neighbouring household (so usually another grid)
        cur.execute(f"""
            INSERT INTO people_placement (resident_id, household_id, grid_id, since, until)
            SELECT pl.resident_id, hh2.id, hh2.grid_id, pl.until, NULL
            FROM people_placement pl
            JOIN bench_hh hh ON hh.id = pl.household_id
            JOIN bench_hh hh2 ON hh2.k = (hh.k + 1) % {households}
            WHERE pl.until IS NOT NULL AND pl.grid_id = ANY({grids_sql})""")
        print(f"  placements ({time.perf_counter() - t0:.1f}s)")
        # Isolations: 2% of residents, started over the last 30 days, 14 days; 1 in 10
        # released early; those past their end are status "ended".
        insert_select(cur, Isolation, {
            "resident": "p.id", "household": "p.household_id", "grid": "p.grid_id",
            "kind": "CASE WHEN p.id % 5 = 0 THEN 'centralized' ELSE 'home' END",
            "reason": "'close_contact'", "reason_note": "''",
            "starts_on": f"date '{d}' - (p.id % 30)::int",
            "ends_on": f"date '{d}' - (p.id % 30)::int + 14",
            "status": "CASE WHEN p.id % 10 = 3 THEN 'released' WHEN (p.id % 30) >= 14 "
                      "THEN 'ended' ELSE 'active' END",
            "ended_at": f"CASE WHEN p.id % 10 = 3 THEN (timestamp '{d}' - (p.id % 30) * "
                        f"interval '1 day' + interval '3 days 9 hours') AT TIME ZONE '{tz}' "
                        "END",
            "ended_on": f"CASE WHEN p.id % 10 = 3 THEN date '{d}' - (p.id % 30)::int + 3 "
                        f"WHEN (p.id % 30) >= 14 THEN date '{d}' - (p.id % 30)::int + 14 END",
            "end_reason": "''", "rule_version": "'default'",
            "created_at": f"(timestamp '{d}' - (p.id % 30) * interval '1 day' + "
                          f"interval '8 hours') AT TIME ZONE '{tz}'"},
            "people_resident p WHERE p.id_number LIKE 'B%' AND p.id % 50 = 7")
        print(f"  isolations ({time.perf_counter() - t0:.1f}s)")
        cats = list(KeyPersonCategory.objects.values_list("id", flat=True)) or [None]
        if cats[0] is not None:
            insert_select(cur, KeyPerson, {
                "resident": "p.id",
                "category": f"(ARRAY{cats})[(p.id % {len(cats)}) + 1]",
                "since": f"(timestamp '{d}' - (p.id % 20) * interval '1 day') "
                         f"AT TIME ZONE '{tz}'",
                "until": "NULL", "source": "'bench'"},
                "people_resident p WHERE p.id_number LIKE 'B%' AND p.id % 100 = 11")
        # Screening visits: a fifth of the households each day over the last 14 days.
        insert_select(cur, ScreeningVisit, {
            "household": "hh.id", "grid": "hh.grid_id", "worker": str(worker.pk),
            "visited_at": f"(timestamp '{d}' - (hh.k % 14) * interval '1 day' + "
                          f"(hh.k % 600) * interval '1 minute' + interval '8 hours') "
                          f"AT TIME ZONE '{tz}'",
            "nobody_home": "false", "by_phone": "false", "note": "''",
            "rule_version": "''", "created_at": "now()"},
            "bench_hh hh WHERE hh.k % 5 < 3")
        print(f"  visits ({time.perf_counter() - t0:.1f}s)")
        # Fever alerts: a few hundred a day, in the resident's grid.
        insert_select(cur, Alert, {
            "kind": "CASE WHEN p.id % 3 = 0 THEN 'gate_fever' ELSE 'fever' END",
            "status": "CASE WHEN p.id % 4 = 0 THEN 'open' ELSE 'resolved' END",
            "resident": "p.id", "household": "p.household_id", "area": "p.grid_id",
            "detail": "''", "source": "'bench'", "outcome": "''",
            "opened_at": f"(timestamp '{d}' - (p.id / 250 % 14) * interval '1 day' + "
                         f"(p.id % 1440) * interval '1 minute') AT TIME ZONE '{tz}'"},
            "people_resident p WHERE p.id_number LIKE 'B%' AND p.id % 250 = 1")
        # Gate crossings: one household in four goes out and back each day, 14 days; 1 in 12
        # scans denied (quota).
        cur.execute("CREATE TEMP TABLE bench_cp ON COMMIT DROP AS SELECT cp.id, cp.compound_id, "
                    "c.area_id, row_number() OVER (PARTITION BY cp.compound_id ORDER BY cp.id) "
                    "- 1 AS k FROM access_checkpoint cp JOIN people_compound c "
                    "ON c.id = cp.compound_id")
        insert_select(cur, Crossing, {
            "event_id": "gen_random_uuid()", "subject": "'resident'", "checkpoint": "cp.id",
            "compound": "cp.compound_id", "area": "cp.area_id", "household": "hh.id",
            "direction": "CASE WHEN s.i % 2 = 0 THEN 'out' ELSE 'in' END",
            "decision": "CASE WHEN (hh.k + s.i) % 12 = 0 THEN 'deny' ELSE 'allow' END",
            "reason": "CASE WHEN (hh.k + s.i) % 12 = 0 THEN 'quota_exhausted' ELSE 'ok' END",
            "scanned_at": f"(timestamp '{d}' - (s.i / 2) * interval '1 day' + "
                          f"(hh.k % 700 + (s.i % 2) * 90) * interval '1 minute' + "
                          f"interval '7 hours') AT TIME ZONE '{tz}'",
            "day": f"date '{d}' - (s.i / 2)", "recorded_at": "now()", "via": "'bench'",
            "rule_version": "''"},
            "bench_hh hh JOIN people_household h ON h.id = hh.id "
            "JOIN bench_cp cp ON cp.compound_id = h.compound_id AND cp.k = hh.k % 2 "
            "CROSS JOIN generate_series(0, 27) s(i) WHERE hh.k % 4 = (s.i / 2) % 4")
        print(f"  crossings ({time.perf_counter() - t0:.1f}s)")
        generate_readings(cur, day, tz)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # statistics and the visibility map (index-only scans)
    print(f"generated in {time.perf_counter() - t0:.1f}s")


def generate_readings(cur, day: date, tz: str) -> None:
    """Self-report readings (isolation app): twice a day for each isolation in force, 1 in 8
    missed. Skipped while the isolation app has no Reading model."""
    from django.apps import apps

    try:
        Reading = apps.get_model("isolation", "Reading")
    except LookupError:
        print("  readings: isolation.Reading does not exist yet; skipped")
        return
    fields = {f.name for f in Reading._meta.concrete_fields}
    exprs = {"isolation": "i.id", "temperature": "36.5", "source": "'self'", "fever": "false",
             "taken_at": f"(i.starts_on + s.k / 2 + time '09:00' + (s.k % 2) * "
                         f"interval '6 hours') AT TIME ZONE '{tz}'"}
    for name, expr in [("resident", "i.resident_id"), ("grid", "i.grid_id"),
                       ("area", "i.grid_id"), ("household", "i.household_id"),
                       ("symptoms", "'[]'"), ("via", "'bench'"), ("recorded_at", "now()"),
                       ("created_at", "now()")]:
        if name in fields:
            exprs[name] = expr
    insert_select(cur, Reading, exprs,
                  "isolation_isolation i CROSS JOIN generate_series(0, 27) s(k) "
                  f"WHERE s.k / 2 < i.ends_on - i.starts_on AND i.starts_on + s.k / 2 <= "
                  f"date '{day.isoformat()}' AND (i.id + s.k) % 8 <> 0")
    print("  readings")


def drop(street_code: str) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [r[0] for r in cur.fetchall()
                  if not r[0].startswith(("django_", "auth_", "rules_"))
                  and r[0] != "people_keypersoncategory"]
        cur.execute(f'TRUNCATE {", ".join(tables)} RESTART IDENTITY CASCADE')


PROPOSED: dict[str, tuple[str, str]] = {
    # name: (owning app, definition) — measured here, to be added by the owning app. The two
    # proposed earlier are migrations now: people_placement_grid_hh (people 0005) and
    # access_crossing_area_day (access 0004).
    # access: the report's crossings_denied / visitors_turned_back read `subject` too (since
    # 劝返 was split from refusals), which access_crossing_area_day does not cover: the day's
    # crossings are then read from the table, not the index alone. The same index with
    # `subject` in its INCLUDE would replace it.
    "bench_crossing_area_day_subject": (
        "access", "access_crossing (area_id, day) INCLUDE (decision, direction, reason, subject)"),
}


def proposed_indexes(create: bool) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        for name, (_app, definition) in PROPOSED.items():
            if create:
                cur.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")
            else:
                cur.execute(f"DROP INDEX IF EXISTS {name}")
        cur.execute("DROP INDEX IF EXISTS bench_tmp_pl_grid_hh")
        if create and PROPOSED:
            cur.execute("VACUUM ANALYZE people_placement")
            cur.execute("VACUUM ANALYZE access_crossing")
    print("proposed indexes: " + ("created: " + "; ".join(d for _a, d in PROPOSED.values())
                                  if create and PROPOSED else "none (schema as migrated)"))


# --- timing -------------------------------------------------------------------------------------

MINIMA: dict = {}


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median of `repeat` runs after a warm-up; the minimum is kept in MINIMA (on a shared
    machine the minimum is the closest to what the code itself costs)."""
    fn()  # warm-up (connections, plans, caches)
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    MINIMA[fn.__name__] = min(times)
    return statistics.median(times), result


def per_source(street, day, repeat):
    """Where the report's time goes: each source's grouped query (minimum of `repeat`)."""
    from firstline.areas.models import Area
    from firstline.reports.selectors import all_sources, window

    ids = list(Area.objects.filter(path__startswith=street.path).values_list("id", flat=True))
    out = []
    for source in all_sources():
        best = None
        for _ in range(repeat + 1):
            t = time.perf_counter()
            list(source(ids, [window(day)]))
            best = min(best or 1e9, time.perf_counter() - t)
        out.append(f"{source.__name__.removesuffix('_source')} {best * 1000:.0f}")
    return ", ".join(out)


def main() -> int:
    args = parse_args()
    ensure_database(args.database_url)
    setup_django(args.database_url)
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from firstline.areas.models import Area
    from firstline.people.models import Resident
    from firstline.reports.selectors import TREND_DAYS, report_compute
    from firstline.reports.xlsx import daily_report_xlsx

    day = date.fromisoformat(args.day) if args.day else date(2020, 2, 20)
    have = Resident.objects.filter(id_number__startswith="B").count()
    if args.regenerate or have != args.residents:
        if have:
            print(f"dropping {have:,} generated residents")
            drop(STREET)
        print(f"generating a street with {args.residents:,} residents on {connection.vendor} ...")
        generate(args, day)
    else:
        print(f"reusing {have:,} generated residents")
    street = Area.objects.get(code=STREET)
    proposed_indexes(args.proposed_indexes)
    if args.parallel:
        from firstline.reports import selectors

        selectors.PARALLEL_SOURCES = args.parallel

    def baseline():
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM people_resident")
            return cur.fetchone()[0]

    def report_json():
        return json.dumps(report_compute(area=street, day=day).as_json(), ensure_ascii=False)

    def report_xlsx():
        return daily_report_xlsx(report_compute(area=street, day=day), generated_by="bench")

    def dashboard():
        days = [day - timedelta(days=i) for i in range(TREND_DAYS - 1, -1, -1)]
        return report_compute(area=street, days=days, cache_before=day)

    base, count = timed(baseline, args.repeat)
    rep, text = timed(report_json, args.repeat)
    xl, data = timed(report_xlsx, args.repeat)
    from django.core.cache import cache

    def dashboard_cold():
        cache.clear()
        return dashboard()

    from firstline.reports.models import DayFigures

    def dashboard_first():
        DayFigures.objects.all().delete()
        cache.clear()
        return dashboard()

    first, _ = timed(dashboard_first, max(1, args.repeat // 2))
    dash, _ = timed(dashboard_cold, max(1, args.repeat // 2))
    sources_line = per_source(street, day, args.repeat)
    with CaptureQueriesContext(connection) as ctx:
        report_json()
    body = json.loads(text)
    print(f"street {street.code}: {count:,} residents in the table; report {day}: "
          f"residents {body['residents']:,}, households {body['households']:,}, "
          f"home isolation {body['home_isolation']:,}, crossings out {body['crossings_out']:,}, "
          f"{len(body['children'])} communities")
    dash_warm, _ = timed(dashboard, max(1, args.repeat // 2))
    m = MINIMA
    print(f"baseline  COUNT(*) residents        median {base * 1000:7.1f} ms  "
          f"min {m['baseline'] * 1000:7.1f} ms")
    print(f"report    street JSON ({len(ctx.captured_queries)} queries) median {rep * 1000:7.1f} ms"
          f"  min {m['report_json'] * 1000:7.1f} ms  = x{rep / base:.1f} baseline (min: "
          f"x{m['report_json'] / m['baseline']:.1f})  target < 1000 ms: "
          f"{'OK' if rep < 1 else 'MISSED'}")
    print(f"xlsx      street form ({len(data) // 1024} KiB)  median {xl * 1000:7.1f} ms  "
          f"min {m['report_xlsx'] * 1000:7.1f} ms  = x{xl / base:.1f} baseline")
    print(f"dashboard {TREND_DAYS}-day trends, first (no day stored) median {first * 1000:7.1f} ms"
          f"  = x{first / base:.1f} baseline")
    print(f"dashboard {TREND_DAYS}-day trends, cold (cache empty, closed days stored) median "
          f"{dash * 1000:7.1f} ms  min {m['dashboard_cold'] * 1000:7.1f} ms  = x{dash / base:.1f}"
          f" baseline  target < 1000 ms: {'OK' if dash < 1 else 'MISSED'}; warm "
          f"{dash_warm * 1000:.1f} ms")
    print(f"per source (ms, min): {sources_line}")
    print(f"(median of {args.repeat}; PostgreSQL {connection.pg_version if connection.vendor == 'postgresql' else ''}; "
          f"{os.cpu_count()} cores, possibly shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
