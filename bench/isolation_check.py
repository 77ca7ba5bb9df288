"""Benchmark: the missed-report job and the daily isolation counts over many isolations.

Generates ISOLATIONS home isolations (14 days, started over the last 10 days) spread over the
grids of a small street, with twice-daily readings of which MISS_RATE are missing, then times,
in the same run:

  baseline   fetching the same rows the job needs with two plain queries
             (isolations in force + their readings since the look-back day)
  job        check_missed_reports(now=...) on a clean slate (opens every alert)
  rerun      check_missed_reports again (idempotent: opens nothing)
  counts     the daily report of the street, today (reports.selectors.daily_report)

and prints each time and its ratio to the baseline. Uses its own database (a file under /tmp
unless --database-url is given, e.g. postgres://postgres@127.0.0.1:5432/fl_bench_isolation);
the data are regenerated on every run. The machine may be shared: figures are of this run.

    .venv/bin/python bench/isolation_check.py --isolations 20000
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--isolations", type=int, default=5000)
    p.add_argument("--miss-rate", type=float, default=0.1)
    p.add_argument("--database-url", default="")
    return p.parse_args()


def main():
    args = parse_args()
    tmp = tempfile.mkdtemp(prefix="fl-bench-iso-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("FIRSTLINE_VAR_DIR", tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "firstline.settings"
    import django

    django.setup()
    from datetime import datetime, timedelta
    from datetime import time as dtime

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("flush" if args.database_url else "migrate", verbosity=0, interactive=False)
    if args.database_url:
        call_command("migrate", verbosity=0, interactive=False)
    from firstline.accounts.roles import Role
    from firstline.accounts.services import user_assign
    from firstline.areas.models import Level
    from firstline.areas.services import area_upsert
    from firstline.demo.fake import unique_id_numbers
    from firstline.isolation import schedule
    from firstline.isolation.models import Alert, Isolation, Reading
    from firstline.isolation.services import check_missed_reports
    from firstline.people.models import Compound, Household, Resident
    from firstline.reports.selectors import daily_report

    rng = random.Random(1)
    city, _ = area_upsert(code="B", name="市", level=Level.CITY, parent=None)
    district, _ = area_upsert(code="BD", name="区", level=Level.DISTRICT, parent=city)
    street, _ = area_upsert(code="BS", name="街道", level=Level.STREET, parent=district)
    grids = []
    for c in range(10):
        community, _ = area_upsert(code=f"BC{c}", name=f"社区{c}", level=Level.COMMUNITY,
                                   parent=street)
        for g in range(5):
            grid, _ = area_upsert(code=f"BC{c}G{g}", name=f"网格{g}", level=Level.GRID,
                                  parent=community)
            grids.append(grid)
            user_assign(username=f"w{c}{g}", role=Role.GRID_WORKER, area=grid)
    n = args.isolations
    compounds = [Compound.objects.create(area=g.parent, name=f"小区{g.code}") for g in grids]
    households = Household.objects.bulk_create(
        [Household(compound=compounds[i % len(grids)], building_name=str(i // 100), unit="1",
                   room=str(i), grid=grids[i % len(grids)]) for i in range(n)])
    ids = unique_id_numbers(rng, n)
    residents = Resident.objects.bulk_create(
        [Resident(name=f"居民{i}", id_number=next(ids), sex="M",
                  birth_date=datetime(1980, 1, 1).date(), grid=h.grid, household=h)
         for i, h in enumerate(households)])
    now = timezone.now()
    today = timezone.localdate(now)
    isos = Isolation.objects.bulk_create(
        [Isolation(resident=r, household=r.household, grid=r.grid, kind="home",
                   reason="risk_area", starts_on=today - timedelta(days=i % 10),
                   ends_on=today - timedelta(days=i % 10) + timedelta(days=14),
                   created_at=timezone.make_aware(datetime.combine(
                       today - timedelta(days=i % 10), dtime(7))))
         for i, r in enumerate(residents)], batch_size=1000)
    rows = []
    for iso in isos:
        day = max(iso.starts_on, today - timedelta(days=3))
        while day <= today:
            for hh in (9, 15):
                at = schedule.local_dt(day, dtime(hh, rng.randint(0, 50)))
                if at < now and rng.random() >= args.miss_rate:
                    rows.append(Reading(isolation=iso, taken_at=at, temperature=36.5,
                                        source="self"))
            day += timedelta(days=1)
    Reading.objects.bulk_create(rows, batch_size=2000)
    print(f"generated {n} isolations, {len(rows)} readings over {len(grids)} grids "
          f"({connection.vendor})")

    def timed(fn):
        start = time.perf_counter()
        out = fn()
        return time.perf_counter() - start, out

    def baseline():
        first = today - timedelta(days=2)
        live = Isolation.objects.filter(status="active", starts_on__lte=today)
        list(live)
        return len(list(Reading.objects.filter(isolation__in=live.values("pk"),
                                               taken_at__gte=schedule.day_bounds(first)[0])
                        .values_list("isolation_id", "taken_at")))

    base = min(timed(baseline)[0] for _ in range(3))  # warm: best of three
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        cProfile.runctx("check_missed_reports(now=now)", globals(), locals(), sort="cumtime")
        return
    job, result = timed(lambda: check_missed_reports(now=now))
    rerun, again = timed(lambda: check_missed_reports(now=now))
    counts_t, report = timed(lambda: daily_report(area=street, day=today))
    counts = {k: report[k] for k in ("home_isolation", "centralized_isolation", "readings_due",
                                     "readings_received", "fever_alerts")}
    assert again["opened"] == 0 and Alert.objects.count() == result["opened"]
    print(f"baseline (2 plain queries)     {base * 1000:8.1f} ms")
    print(f"job, first run                 {job * 1000:8.1f} ms  x{job / base:5.1f}  "
          f"({result['checked']} due readings checked, {result['opened']} alerts opened)")
    print(f"job, rerun (idempotent)        {rerun * 1000:8.1f} ms  x{rerun / base:5.1f}")
    print(f"daily_report(street,today)     {counts_t * 1000:8.1f} ms  x{counts_t / base:5.1f}  "
          f"{counts}")


if __name__ == "__main__":
    main()
