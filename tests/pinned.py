"""`pytest --clock ISO`: every test of the run starts at that moment (time-machine; the clock
runs on from there), so a test written for "today" is tried at 00:05, 08:59 or 23:59 local.

Loaded early (`-p tests.pinned` in pyproject.toml) so that test modules which need a date when
they are imported (`pinned.today()`) see the pinned one."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

START = None  # the pinned moment, or None for a run at the real time

# Modules whose results depend on the hour or the day: quota windows, isolation day counts,
# missed reports, care-call slots, retention, the daily report, the demo. `.ci/run` runs them
# (`-m time_sensitive`) at 00:05, 08:59 and 23:59 local besides the whole suite at the real
# time. A test elsewhere joins with `@pytest.mark.time_sensitive`.
TIME_SENSITIVE = (
    "tests/test_clock.py", "tests/test_demo.py", "tests/test_demo_any_hour.py",
    "tests/*/test_demo.py", "tests/access/test_gate_scans*.py", "tests/access/test_api.py",
    "tests/isolation/test_*.py", "tests/assistance/test_care_calls.py",
    "tests/assistance/test_retention.py", "tests/assistance/test_api.py",
    "tests/reports/test_*.py", "tests/people/test_screening.py",
    "tests/operations/test_disinfection.py", "tests/operations/test_tasks.py",
    "tests/operations/test_report.py", "tests/operations/test_volunteers.py",
)
# Within those, files that hold no hour: races and database constraints, whose moments are
# given in the tests themselves. Each race builds a database file of its own on SQLite, which
# cost every pinned run about two minutes for nothing.
NOT_TIME_SENSITIVE = ("tests/*/test_create_races.py", "tests/isolation/test_one_open_lockdown.py")
# A test in a time-sensitive file that holds no hour leaves with `@pytest.mark.hour_free`
# (its docstring says why): a migration test whose rows are matched by pk and name, not by
# when they were made, re-migrates the whole schema (~10-30 s) for nothing at each pinned hour.


def today():
    """The local date every test of this run starts on."""
    from firstline import clock

    return clock.localdate(START) if START is not None else clock.today()


def pytest_addoption(parser):
    parser.addoption(
        "--clock", default=None, metavar="ISO",
        help="start every test at this moment, e.g. 2026-03-01T00:05+08:00 (a moment without "
             "an offset is Asia/Shanghai). .ci/run uses it for the time-sensitive tests.")


def _parse(value):
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    global START
    START = _parse(getattr(early_config.known_args_namespace, "clock", None))


def pytest_configure(config):
    global START
    config.addinivalue_line(
        "markers", "time_sensitive: depends on the hour or the day (run at pinned hours in CI)")
    config.addinivalue_line(
        "markers", "hour_free: in a time-sensitive file, but holds no hour (not run at the "
                   "pinned hours)")
    START = _parse(config.getoption("--clock"))


def pytest_collection_modifyitems(config, items):
    from fnmatch import fnmatch

    for item in items:
        path = item.nodeid.split("::", 1)[0]
        if any(fnmatch(path, pattern) for pattern in TIME_SENSITIVE) \
                and not any(fnmatch(path, pattern) for pattern in NOT_TIME_SENSITIVE) \
                and not item.get_closest_marker("browser") \
                and not item.get_closest_marker("hour_free"):
            item.add_marker(pytest.mark.time_sensitive)


@pytest.fixture(autouse=True)
def _pinned_clock():
    """With --clock, each test starts at the pinned moment and time moves on from there."""
    if START is None:
        yield None
        return
    import time_machine

    with time_machine.travel(START, tick=True) as traveller:
        yield traveller
