"""The fault drill (issue 17), on PostgreSQL: gates scanning for a few seconds while the
app's database connections are terminated again and again, concurrent fevers, concurrent
pass issues, two overlapping roster imports. Each part prints its figures.

Run last in .ci/run: FIRSTLINE_FAULT_DRILL=1 DATABASE_URL=postgres://... pytest -m faults
tests/faults. Skipped otherwise, so `make test` neither runs it twice nor needs it.

Requests go through Django's own WSGI handler in real threads, each with its own persistent
database connection, as gunicorn's threads send them (CONN_MAX_AGE, CONN_HEALTH_CHECKS and
the end-of-request connection handling all take part; the test client skips them)."""

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection

from firstline import clock
from firstline.access import services
from firstline.access.models import Crossing, Pass
from firstline.accounts.services import token_create
from firstline.isolation.models import Alert, AlertKind, AlertStatus
from firstline.people.models import Household, Resident

from ..access.conftest import world  # noqa: F401 - the closed-management fixture
from ..people.test_import_overlap import roster_file
from ..test_database_unavailable import Wsgi, terminate_app_connections

pytestmark = [
    pytest.mark.faults,
    pytest.mark.skipif(connection.vendor != "postgresql"
                       or os.environ.get("FIRSTLINE_FAULT_DRILL") != "1",
                       reason="the fault drill runs on PostgreSQL with FIRSTLINE_FAULT_DRILL=1 "
                              "(last step of .ci/run)"),
]

ROOT = Path(__file__).resolve().parents[2]
SECONDS = float(os.environ.get("FIRSTLINE_FAULT_DRILL_SECONDS", "4"))
GATES = 4               # threads, each a gate with its own connection
KILL_EVERY = 0.7        # seconds between two rounds of pg_terminate_backend
MAX_TRIES = 40          # a device retries a 503 with the same event_id
OK = {200, 201, 503}


def report(capsys, title: str, figures: dict) -> None:
    with capsys.disabled():
        print(f"\n[fault drill] {title}: " + json.dumps(figures, ensure_ascii=False))


class Killer(threading.Thread):
    """Terminates every backend of the app's database but the test's own, every KILL_EVERY
    seconds, until stopped; records when."""

    def __init__(self):
        super().__init__(daemon=True)
        self.spare = (connection.connection.info.backend_pid,)
        self.settings_dict = dict(connection.settings_dict)
        self.stop = threading.Event()
        self.kills: list[tuple[float, int]] = []

    def run(self):
        while not self.stop.wait(KILL_EVERY):
            n = terminate_app_connections(spare=self.spare, settings_dict=self.settings_dict)
            self.kills.append((time.monotonic(), n))


def send(server: Wsgi, method: str, path: str, body: dict, log: list) -> tuple[int, dict]:
    """One device request, sent again after each 503 with the same body (the same event_id)
    until answered; every attempt is logged as (finished_at, status)."""
    data = json.dumps(body).encode()
    for _ in range(MAX_TRIES):
        status, headers, content = server.request(method, path, data)
        log.append((time.monotonic(), status))
        if status != 503:
            return status, json.loads(content or b"{}")
        time.sleep(min(float(headers.get("Retry-After", 1)), 0.05))  # a drill: retry soon
    return 503, {}


def run_gates(work, n=GATES):
    results, threads = [None] * n, []

    def run(i):
        try:
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - asserted by the caller
            results[i] = exc
        finally:
            connection.close()

    for i in range(n):
        threads.append(threading.Thread(target=run, args=(i,)))
        threads[-1].start()
    for t in threads:
        t.join()
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return results


def recovery_seconds(kills, log) -> float:
    """The longest wait, after a round of terminations, for the next answer that is not 503."""
    answered = sorted(t for t, status in log if status != 503)
    worst = 0.0
    for at, n in kills:
        if not n:
            continue
        later = next((t for t in answered if t > at), None)
        if later is not None:
            worst = max(worst, later - at)
    return round(worst, 3)


def _households(world, cast, n, unit):  # noqa: F811
    Household.objects.bulk_create(
        [Household(compound=world.compound, building=world.b28, building_name="28", unit=unit,
                   room=str(i), grid=world.h1.grid) for i in range(n)])
    hs = list(Household.objects.filter(compound=world.compound, unit=unit).order_by("pk"))
    return services.pass_issue(households=hs, actor=cast.staff_c1)


@pytest.mark.django_db(transaction=True)
def test_scanning_while_the_databases_connections_are_terminated(world, cast, capsys):  # noqa: F811
    quota = 2  # 12 households x 2 trips: the quota is reached during the drill
    services.policy_set(compound=world.compound, closed=True, out_quota=quota, window_days=1,
                        starts_on=clock.today() - timedelta(days=1), actor=cast.staff_c1,
                        now=clock.now() - timedelta(minutes=1))
    passes = _households(world, cast, 12, "D")
    token, _ = token_create(user=cast.gate_c1, label="drill")
    sent: list[list] = [[] for _ in range(GATES)]
    logs: list[list] = [[] for _ in range(GATES)]
    killer = Killer()
    stop_at = time.monotonic() + SECONDS

    def gate(i):
        server = Wsgi(token)
        n = 0
        while time.monotonic() < stop_at:
            p = passes[(i * 7 + n) % len(passes)]
            body = {"event_id": str(uuid.uuid4()), "checkpoint": "HL-N", "pass_code": p.code,
                    "direction": "out" if n % 3 else "in", "temperature": 36.5,
                    "scanned_at": clock.now().isoformat()}
            status, answer = send(server, "POST", "/api/v1/gate/scans", body, logs[i])
            sent[i].append((body["event_id"], status, answer.get("decision")))
            n += 1

    killer.start()
    try:
        run_gates(gate)
    finally:
        killer.stop.set()
        killer.join()
    log = [entry for part in logs for entry in part]
    events = [e for part in sent for e in part]
    statuses = Counter(status for _t, status in log)
    stored = {str(e): (d, n) for e, d, n in Crossing.objects.filter(
        event_id__in=[e for e, _s, _d in events]).values_list("event_id", "decision", "reason")}
    per_event = Counter(str(e) for e in Crossing.objects.filter(
        event_id__in=[e for e, _s, _d in events]).values_list("event_id", flat=True))
    lost = sum(1 for e, status, decision in events
               if decision == "allow" and stored.get(e, (None,))[0] != "allow")
    duplicated = sum(n - 1 for n in per_event.values() if n > 1)
    over_quota = (Crossing.objects.filter(household__compound=world.compound, direction="out",
                                          decision="allow", pass_obj__in=passes)
                  .values("household", "window_start").annotate(n=__import__(
                      "django.db.models", fromlist=["Count"]).Count("pk"))
                  .filter(n__gt=quota).count())
    unanswered = sum(1 for _e, status, _d in events if status == 503)
    figures = {
        "seconds": SECONDS, "gates": GATES, "scans": len(events), "requests": len(log),
        "answers": dict(sorted(statuses.items())), "503s": statuses.get(503, 0),
        "kill_rounds": len(killer.kills), "connections_killed": sum(n for _t, n in killer.kills),
        "allowed": sum(1 for _e, _s, d in events if d == "allow"), "lost_allow": lost,
        "duplicated_event_id": duplicated, "households_over_quota": over_quota,
        "unanswered_after_retries": unanswered,
        "recovery_seconds_max": recovery_seconds(killer.kills, log),
    }
    report(capsys, "scans while connections are terminated", figures)
    assert set(statuses) <= OK, statuses
    assert lost == 0 and duplicated == 0 and over_quota == 0
    assert unanswered == 0
    assert all(e in stored for e, _s, _d in events)  # every scan answered is stored
    assert len(killer.kills) >= 2 and figures["connections_killed"] >= 1


@pytest.mark.django_db(transaction=True)
def test_gates_reporting_fevers_at_once_open_one_alert_per_household(world, cast, capsys):  # noqa: F811
    passes = _households(world, cast, 30, "F")
    token, _ = token_create(user=cast.gate_c1, label="drill")
    gates = ["HL-N"] + [services.checkpoint_create(compound=world.compound, code=f"FV-{i}",
                                                   name=f"fever gate {i}",
                                                   actor=cast.staff_c1).code
                        for i in range(GATES - 1)]
    logs: list[list] = [[] for _ in range(GATES)]
    killer = Killer()

    def gate(i):
        server = Wsgi(token)
        for p in passes:
            send(server, "POST", "/api/v1/gate/scans",
                 {"event_id": str(uuid.uuid4()), "checkpoint": gates[i], "pass_code": p.code,
                  "direction": "out", "temperature": 38.5,
                  "scanned_at": clock.now().isoformat()}, logs[i])

    killer.start()
    try:
        run_gates(gate)
    finally:
        killer.stop.set()
        killer.join()
    statuses = Counter(s for part in logs for _t, s in part)
    alerts = Counter(Alert.objects.filter(kind=AlertKind.GATE_FEVER,
                                          household__in=[p.household_id for p in passes])
                     .exclude(status=AlertStatus.RESOLVED).values_list("household", flat=True))
    figures = {"households": len(passes), "gates": GATES, "requests": sum(statuses.values()),
               "answers": dict(sorted(statuses.items())),
               "households_with_one_open_alert": sum(1 for n in alerts.values() if n == 1),
               "households_with_more": sum(1 for n in alerts.values() if n > 1)}
    report(capsys, "concurrent fevers", figures)
    assert set(statuses) <= OK, statuses
    assert figures["households_with_one_open_alert"] == len(passes)
    assert figures["households_with_more"] == 0


@pytest.mark.django_db(transaction=True)
def test_clerks_issuing_passes_for_one_compound_at_once_get_no_5xx(world, cast, capsys):  # noqa: F811
    Household.objects.bulk_create(
        [Household(compound=world.compound, building=world.b28, building_name="28", unit="P",
                   room=str(i), grid=world.h1.grid) for i in range(200)])
    token, _ = token_create(user=cast.staff_c1, label="drill")
    answers: list[tuple[int, int]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(6)

    def clerk(i):
        server = Wsgi(token)
        barrier.wait()
        status, _h, content = server.request(
            "POST", "/api/v1/passes/issue",
            json.dumps({"compound_id": world.compound.pk}).encode())
        with lock:
            answers.append((status, len(json.loads(content).get("issued", []))
                            if status == 200 else 0))

    run_gates(clerk, n=6)
    statuses = Counter(s for s, _n in answers)
    households = Household.objects.filter(compound=world.compound)
    valid = Pass.objects.filter(household__in=households, revoked_at__isnull=True)
    figures = {"clerks": 6, "answers": dict(statuses),
               "issued": sum(n for _s, n in answers), "households": households.count(),
               "valid_passes": valid.count()}
    report(capsys, "concurrent pass issues", figures)
    assert set(statuses) <= {200, 409}, statuses
    assert valid.count() == households.count() == valid.values("household").distinct().count()


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_command_line_imports_both_end_with_a_summary(areas, tmp_path, capsys):
    n = 24000
    files = [roster_file(tmp_path / f"drill{i}.csv", n, seed=9, reverse=i == 1)
             for i in range(2)]
    s = connection.settings_dict
    env = dict(os.environ, PYTHONPATH=str(ROOT), DATABASE_URL=(
        f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"))
    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-m", "firstline.cli", "import", "residents",
                               str(f)], env=env, cwd=str(ROOT), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for f in files]
    outs = [p.communicate(timeout=600) for p in procs]
    figures = {"rows_each": n, "exit_codes": [p.returncode for p in procs],
               "summaries": [o.strip().splitlines()[-1] if o.strip() else "" for o, _e in outs],
               "residents": Resident.objects.count(),
               "seconds": round(time.monotonic() - started, 1)}
    report(capsys, "overlapping imports", figures)
    assert all("Traceback" not in e for _o, e in outs), [e for _o, e in outs]
    assert figures["exit_codes"] == [0, 0]
    assert all(line.startswith("imported ") for line in figures["summaries"])
    assert figures["residents"] == n
