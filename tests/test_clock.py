"""One clock (issue 10): firstline.clock is the only reader of the time, and a device's clock
running ahead moves nothing — its record is filed and judged at the server's time, the answer
says so, and nothing shows a moment in the future (CONTRACT.md "Time")."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

import firstline
from firstline import clock
from firstline.access import services as access
from firstline.isolation.models import Alert, Isolation, Reading
from firstline.people.models import Building, Compound, Household, Resident, ScreeningVisit

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2026-03-01 10:00 in Shanghai: a phone running 6 h fast says 16:00; 16 h fast, tomorrow.
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=SHANGHAI)

READERS = re.compile(r"\b(?:date\.today|datetime\.now|datetime\.utcnow|timezone\.now|"
                     r"timezone\.localdate|timezone\.localtime|time\.time)\("
                     r"|default=timezone\.now\b")  # a model default reads the time too


def test_clock_is_the_only_reader_of_the_time():
    root = Path(firstline.__file__).parent
    readers = [f"{path.relative_to(root)}:{n}: {line.strip()}"
               for path in root.rglob("*.py")
               if "migrations" not in path.parts and path.name != "clock.py"
               for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if READERS.search(line)]
    assert readers == []


@pytest.mark.parametrize("hhmm, day", [("00:05", "2026-03-01"), ("08:59", "2026-03-01"),
                                       ("23:59", "2026-03-01")])
def test_today_is_the_local_date_whatever_utc_says(hhmm, day):
    with time_machine.travel(datetime.fromisoformat(f"2026-03-01T{hhmm}+08:00"), tick=False):
        assert clock.today().isoformat() == day
        assert clock.localtime().strftime("%H:%M") == hhmm


def test_a_typed_moment_is_local_unless_it_names_an_offset():
    assert clock.parse_moment(" 2026-03-01T16:05 ") == datetime(2026, 3, 1, 8, 5, tzinfo=UTC)
    assert clock.parse_moment("2026-03-01T16:05+00:00") == datetime(2026, 3, 1, 16, 5, tzinfo=UTC)
    with pytest.raises(ValueError):
        clock.parse_moment("1 March, 4 pm")


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["isolation_check_missed", "report_chase_due"])
def test_scheduled_commands_refuse_a_now_that_is_not_a_time(command):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match=r"--now: not an ISO 8601 time: 'yesterday'"):
        call_command(command, "--now", "yesterday")


def test_device_time_ahead_is_replaced_earlier_is_kept():
    assert clock.device_time(NOW + timedelta(hours=6), now=NOW).at == NOW
    assert clock.device_time(NOW + timedelta(hours=6), now=NOW).corrected
    # A few minutes of drift: filed at the server's time, not flagged.
    drift = clock.device_time(NOW + timedelta(minutes=3), now=NOW)
    assert (drift.at, drift.corrected) == (NOW, False)
    # Earlier: an offline phone syncing, judged as of then.
    early = clock.device_time(NOW - timedelta(hours=5), now=NOW)
    assert (early.at, early.corrected) == (NOW - timedelta(hours=5), False)


@pytest.fixture
def household(areas):
    compound = Compound.objects.create(area=areas.c1, name="翰林华府")
    building = Building.objects.create(compound=compound, name="1")
    h = Household.objects.create(compound=compound, building=building, building_name="1",
                                 unit="1", room="101", grid=areas.g1a)
    Resident.objects.create(name="邵兰", id_number="11010119800101001X", sex="F",
                            birth_date=datetime(1980, 1, 1).date(), grid=areas.g1a, household=h)
    return h


@pytest.mark.time_sensitive
def test_gate_scan_from_a_phone_6h_fast_is_filed_now_and_says_corrected(api, cast, household):
    gate = access.checkpoint_create(compound=household.compound, code="HL-N", name="北门",
                                    actor=cast.staff_c1)
    (p,) = access.pass_issue(households=[household], actor=cast.staff_c1,
                             now=NOW - timedelta(days=1))
    with time_machine.travel(NOW, tick=False):
        ahead = (NOW + timedelta(hours=16)).isoformat()  # tomorrow, on the phone
        r = api("gate_c1").post("/api/v1/gate/scans", {
            "event_id": str(uuid.uuid4()), "checkpoint": gate.code, "pass_code": p.code,
            "direction": "out", "temperature": 38.4, "scanned_at": ahead})
        assert r.status_code == 200, r.content
        assert (r.json()["reason"], r.json()["clock"]) == ("fever", "corrected")
        crossing = household.crossings.get()
        assert crossing.scanned_at == NOW and crossing.day == NOW.date()
        assert crossing.device_at == NOW + timedelta(hours=16)  # the evidence is kept
        alert = Alert.objects.get(household=household)
        assert alert.opened_at <= clock.now()
        # An alert list never shows a moment in the future.
        items = api("staff_c1").get("/api/v1/alerts", status="open", area="C1").json()["items"]
        assert all(datetime.fromisoformat(a["opened_at"]) <= clock.now() for a in items)


@pytest.mark.time_sensitive
def test_gate_scan_from_an_offline_phone_is_judged_as_of_then(api, cast, household):
    gate = access.checkpoint_create(compound=household.compound, code="HL-N", name="北门",
                                    actor=cast.staff_c1)
    (p,) = access.pass_issue(households=[household], actor=cast.staff_c1,
                             now=NOW - timedelta(days=1))
    with time_machine.travel(NOW, tick=False):
        earlier = NOW - timedelta(hours=3)
        r = api("gate_c1").post("/api/v1/gate/scans", {
            "event_id": str(uuid.uuid4()), "checkpoint": gate.code, "pass_code": p.code,
            "direction": "in", "temperature": 36.5, "scanned_at": earlier.isoformat()})
        assert (r.json()["decision"], r.json()["clock"]) == ("allow", "ok")
        assert household.crossings.get().scanned_at == earlier


@pytest.mark.time_sensitive
def test_self_report_6h_fast_is_filed_now_and_its_fever_alert_is_not_in_the_future(
        api, cast, household):
    resident = household.residents.get()
    with time_machine.travel(NOW, tick=False):
        r = api("staff_c1").post("/api/v1/isolations", {
            "resident_id": resident.pk, "kind": "home", "reason": "close_contact",
            "starts_on": str(NOW.date())})
        iso = Isolation.objects.get(pk=r.json()["id"])
        r = api("grid_a").post(f"/api/v1/isolations/{iso.pk}/readings", {
            "temperature": 38.2, "symptoms": [],
            "taken_at": (NOW + timedelta(hours=6)).isoformat()})
        assert r.status_code == 201, r.content
        assert r.json()["clock"] == "corrected"
        reading = Reading.objects.get(isolation=iso)
        assert reading.taken_at == NOW and reading.device_at == NOW + timedelta(hours=6)
        assert Alert.objects.get(isolation=iso, kind="fever").opened_at <= clock.now()


@pytest.mark.time_sensitive
def test_screening_visit_6h_fast_is_filed_now(api, household):
    resident = household.residents.get()
    with time_machine.travel(NOW, tick=False):
        r = api("grid_a").post("/api/v1/visits", {
            "household_id": household.pk, "visited_at": (NOW + timedelta(hours=6)).isoformat(),
            "people": [{"resident_id": resident.pk, "present": True, "temperature": 36.6}]})
        assert r.status_code == 201, r.content
        assert r.json()["clock"] == "corrected"
        assert ScreeningVisit.objects.get().visited_at == NOW
