"""The gate scan: every reason, quota windows in local time, exactly once by event_id."""

import uuid
from datetime import date

import pytest

from firstline.access import services
from firstline.access.models import Crossing, QuotaUse
from firstline.isolation.models import Alert, Isolation, Lockdown
from firstline.people.models import Resident
from firstline.rules.models import Rule

from .conftest import local


def crossings(area, day):
    """The daily report's (out, in, denied, turned back) for `area` on `day`: the one place
    crossings are counted."""
    from firstline.reports.selectors import daily_report

    r = daily_report(area=area, day=day)
    return (r["crossings_out"], r["crossings_in"], r["crossings_denied"],
            r["visitors_turned_back"])


def test_first_trip_out_is_allowed(world, scan):
    c = scan(world.pass1, "out")
    assert (c.decision, c.reason, c.quota_left) == ("allow", "ok", 0)


def test_second_trip_out_is_denied_when_quota_used(world, scan):
    assert scan(world.pass1, "out").reason == "ok"
    c = scan(world.pass1, "out", local(2020, 2, 5, 10))
    assert (c.decision, c.reason) == ("deny", "quota_exhausted")


def test_quota_is_per_household(world, scan):
    assert scan(world.pass1, "out").reason == "ok"
    assert scan(world.pass2, "out").reason == "ok"


def test_coming_in_never_uses_the_quota(world, scan):
    for hour in (8, 9, 10):
        assert scan(world.pass1, "in", local(2020, 2, 5, hour)).reason == "ok"
    assert scan(world.pass1, "out", local(2020, 2, 5, 11)).reason == "ok"


def test_coming_in_is_allowed_after_the_quota_is_used(world, scan):
    scan(world.pass1, "out")
    c = scan(world.pass1, "in", local(2020, 2, 5, 12))
    assert (c.decision, c.reason, c.quota_left) == ("allow", "ok", 0)


def test_fever_denies_and_opens_an_alert_with_household_and_checkpoint(world, scan, areas):
    c = scan(world.pass1, "out", temperature=37.3)
    assert (c.decision, c.reason) == ("deny", "fever")
    alert = Alert.objects.get(source=f"crossing:{c.pk}")
    assert (alert.kind, alert.household, alert.area) == ("gate_fever", world.h1, areas.g1a)
    assert alert.detail == "翰林华府 北门 37.3°C"  # by name, not the internal code


def test_fever_again_updates_the_open_alert_instead_of_opening_another(world, scan, cast):
    from firstline.isolation.services import alert_resolve

    first = scan(world.pass1, "out", temperature=38.2)
    again = scan(world.pass1, "out", local(2020, 2, 5, 9, 10), temperature=38.6)
    assert again.reason == "fever"
    alert = Alert.objects.get(kind="gate_fever", household=world.h1)
    assert (alert.source, alert.detail) == (f"crossing:{first.pk}", "翰林华府 北门 38.6°C")
    alert_resolve(alert=alert, outcome="送发热门诊", actor=cast.staff_c1,
                  now=local(2020, 2, 5, 11))
    later = scan(world.pass1, "out", local(2020, 2, 6, 9), temperature=38.0)
    assert Alert.objects.filter(kind="gate_fever", household=world.h1).count() == 2
    assert Alert.objects.get(source=f"crossing:{later.pk}").status == "open"


def test_fever_does_not_use_the_quota(world, scan, cast):
    from firstline.isolation.services import alert_resolve

    fever = scan(world.pass1, "out", temperature=38.2)
    alert_resolve(alert=Alert.objects.get(source=f"crossing:{fever.pk}"), outcome="复测正常",
                  actor=cast.staff_c1, now=local(2020, 2, 5, 9, 30))
    assert scan(world.pass1, "out", local(2020, 2, 5, 10), temperature=36.5).reason == "ok"


def test_just_below_the_fever_threshold_is_allowed(world, scan):
    assert scan(world.pass1, "out", temperature=37.2).reason == "ok"


def test_fever_coming_in_is_denied_too(world, scan):
    assert scan(world.pass1, "in", temperature=39.0).reason == "fever"


def test_fever_threshold_comes_from_the_rules(world, scan):
    Rule.objects.create(key="fever.threshold_c", value=37.0, effective_from=date(2020, 2, 5),
                        source="test notice")
    c = scan(world.pass1, "out", temperature=37.1)
    assert c.reason == "fever"
    assert "fever.threshold_c@rule:" in c.rule_version


@pytest.mark.parametrize("temperature", [365, 3.65, -1, 33.9, 43.1, float("nan")])
def test_temperature_typos_are_bad_temperature_and_nothing_is_counted(world, scan, areas,
                                                                     temperature):
    c = scan(world.pass1, "out", temperature=temperature)
    assert (c.decision, c.reason) == ("deny", "bad_temperature")
    assert not QuotaUse.objects.exists()
    assert not Alert.objects.exists()
    assert crossings(areas.c1, date(2020, 2, 5)) == (0, 0, 0, 0)


def test_unknown_pass(world, scan):
    c = scan("NOSUCHCODE", "out")
    assert (c.decision, c.reason, c.household) == ("deny", "pass_unknown", None)


def test_pass_code_is_read_whatever_the_case_and_spacing(world, scan):
    assert scan(" " + world.pass1.code.lower() + "\n", "out").reason == "ok"


def test_pass_issued_after_the_scan_is_unknown_at_that_time(world, scan):
    assert scan(world.pass1, "out", local(2020, 1, 31, 9)).reason == "pass_unknown"


def test_revoked_pass(world, scan, cast):
    services.pass_revoke(pass_obj=world.pass1, actor=cast.staff_c1, reason="lost",
                         now=local(2020, 2, 5, 8))
    assert scan(world.pass1, "out").reason == "pass_revoked"


def test_pass_revoked_after_an_offline_scan_is_judged_as_of_the_scan(world, scan, cast):
    services.pass_revoke(pass_obj=world.pass1, actor=cast.staff_c1, now=local(2020, 2, 5, 12))
    assert scan(world.pass1, "out", local(2020, 2, 5, 9)).reason == "ok"


def test_reissued_pass_works_and_the_lost_one_does_not(world, scan, cast):
    new = services.pass_reissue(household=world.h1, actor=cast.staff_c1,
                                now=local(2020, 2, 5, 8))
    assert scan(world.pass1, "out").reason == "pass_revoked"
    assert scan(new, "out", local(2020, 2, 5, 10)).reason == "ok"


def test_pass_of_another_compound_is_wrong_compound(world, scan):
    assert scan(world.pass_other, "out").reason == "wrong_compound"


def test_unknown_checkpoint(world, scan):
    assert scan(world.pass1, "out", checkpoint="NOPE").reason == "checkpoint_unknown"


def test_closed_checkpoint_is_unknown(world, scan, cast):
    services.checkpoint_set_open(checkpoint=world.gate, is_open=False, actor=cast.staff_c1)
    assert scan(world.pass1, "out").reason == "checkpoint_unknown"


def test_checkpoint_outside_the_gate_duty_area_is_unknown(world, scan):
    # gate_c1 is on duty in C1; HY-1 is in C2.
    assert scan(world.pass_other, "out", checkpoint="HY-1").reason == "checkpoint_unknown"


def _resident(household, n=1):
    return Resident.objects.create(name="张三", id_number=f"34042119800101{n:03d}X",
                                   sex="M", birth_date=date(1980, 1, 1), grid=household.grid,
                                   household=household)


def test_home_isolation_denies_out(world, scan):
    r = _resident(world.h1)
    Isolation.objects.create(resident=r, household=world.h1, grid=world.h1.grid, kind="home",
                             reason="close_contact", starts_on=date(2020, 2, 3),
                             ends_on=date(2020, 2, 17))
    c = scan(world.pass1, "out")
    assert (c.decision, c.reason) == ("deny", "isolation")
    assert not QuotaUse.objects.exists()


def test_home_isolation_does_not_deny_coming_in(world, scan):
    r = _resident(world.h1)
    Isolation.objects.create(resident=r, household=world.h1, grid=world.h1.grid, kind="home",
                             reason="close_contact", starts_on=date(2020, 2, 3),
                             ends_on=date(2020, 2, 17))
    assert scan(world.pass1, "in").reason == "ok"


def test_isolation_that_ended_no_longer_denies(world, scan):
    r = _resident(world.h1)
    Isolation.objects.create(resident=r, household=world.h1, grid=world.h1.grid, kind="home",
                             reason="close_contact", starts_on=date(2020, 1, 20),
                             ends_on=date(2020, 2, 3))
    assert scan(world.pass1, "out").reason == "ok"


def test_building_lockdown_denies_out(world, scan):
    Lockdown.objects.create(building=world.b28, compound=world.compound,
                            starts_on=date(2020, 2, 5), ends_on=date(2020, 2, 19))
    assert scan(world.pass1, "out").reason == "lockdown"


def test_compound_lockdown_denies_out_even_with_an_open_policy(world, scan, cast):
    services.policy_set(compound=world.compound, closed=False, out_quota=0, window_days=1,
                        starts_on=date(2020, 2, 1), actor=cast.staff_c1,
                        now=local(2020, 2, 2, 8))
    Lockdown.objects.create(compound=world.compound, starts_on=date(2020, 2, 5),
                            ends_on=date(2020, 2, 19))
    assert scan(world.pass2, "out").reason == "lockdown"


# --- windows in local time (Asia/Shanghai) ---------------------------------------------------

def test_window_spans_midnight_within_the_window(world, scan):
    # Windows of 2 days from 2020-02-04: [02-04, 02-05], [02-06, 02-07] ...
    assert scan(world.pass1, "out", local(2020, 2, 4, 23, 59)).reason == "ok"
    assert scan(world.pass1, "out", local(2020, 2, 5, 0, 1)).reason == "quota_exhausted"


def test_a_new_window_begins_at_local_midnight_of_the_boundary(world, scan):
    # 23:30 and 00:30 Shanghai time are the same UTC date (15:30 and 16:30 UTC) but lie in
    # different windows.
    a = scan(world.pass1, "out", local(2020, 2, 5, 23, 30))
    b = scan(world.pass1, "out", local(2020, 2, 6, 0, 30))
    assert (a.reason, b.reason) == ("ok", "ok")
    assert (a.window_start, b.window_start) == (date(2020, 2, 4), date(2020, 2, 6))


def test_before_the_policys_first_day_the_rule_defaults_hold(world, scan):
    """The policy was saved on 02-01 with windows from 02-04: it comes into force at 00:00 on
    02-04. Before, the compound is closed by the rule defaults (1 trip every 2 days from
    2020-01-24), never without a quota."""
    assert scan(world.pass1, "out", local(2020, 2, 3, 9)).reason == "ok"
    c = scan(world.pass1, "out", local(2020, 2, 3, 10))
    assert (c.reason, c.quota_left, c.window_start, c.policy) == (
        "quota_exhausted", 0, date(2020, 2, 3), None)
    # From 00:00 on its first day, the policy, with a fresh window of its own.
    d = scan(world.pass1, "out", local(2020, 2, 4, 0, 0))
    assert (d.reason, d.window_start, d.policy) == ("ok", date(2020, 2, 4), world.policy)


def test_open_compound_has_no_quota(world, scan, cast):
    services.policy_set(compound=world.compound, closed=False, out_quota=1, window_days=2,
                        starts_on=date(2020, 2, 4), actor=cast.staff_c1,
                        now=local(2020, 2, 5, 8))
    assert [scan(world.pass1, "out", local(2020, 2, 5, h)).reason for h in (9, 10, 11)] == \
        ["ok"] * 3


def test_policy_change_mid_window_applies_from_the_next_scan_and_keeps_history(world, scan,
                                                                               cast):
    first = scan(world.pass1, "out", local(2020, 2, 5, 9))
    assert scan(world.pass1, "out", local(2020, 2, 5, 10)).reason == "quota_exhausted"
    v2 = services.policy_set(compound=world.compound, closed=True, out_quota=2, window_days=2,
                             starts_on=date(2020, 2, 4), actor=cast.staff_c1,
                             now=local(2020, 2, 5, 11))
    later = scan(world.pass1, "out", local(2020, 2, 5, 12))
    assert later.reason == "ok" and later.policy == v2
    assert first.policy == world.policy
    assert v2.version == 2 and world.compound.access_policies.count() == 2
    # An offline scan from before the change is still judged by the old version.
    assert scan(world.pass1, "out", local(2020, 2, 5, 10, 30)).reason == "quota_exhausted"


def test_a_new_version_with_other_windows_counts_the_trips_already_taken_in_its_window(
        world, scan, cast):
    """Tightened at noon with windows from today: the morning's trip out counts in the new
    window (CONTRACT.md: every "out" in a window counts), not a fresh trip for everyone."""
    assert scan(world.pass1, "out", local(2020, 2, 5, 9)).reason == "ok"  # window [02-04, 02-05]
    services.policy_set(compound=world.compound, closed=True, out_quota=1, window_days=3,
                        starts_on=date(2020, 2, 5), actor=cast.staff_c1,
                        now=local(2020, 2, 5, 12))
    again = scan(world.pass1, "out", local(2020, 2, 5, 13))
    assert (again.reason, again.window_start, again.quota_left) == (
        "quota_exhausted", date(2020, 2, 5), 0)
    # The other household went out on none of the new window's days: its trip is whole.
    assert scan(world.pass2, "out", local(2020, 2, 5, 13)).reason == "ok"


def test_trips_before_the_new_window_and_refusals_are_not_carried(world, scan, cast):
    assert scan(world.pass1, "out", local(2020, 2, 4, 9)).reason == "ok"
    assert scan(world.pass1, "out", local(2020, 2, 5, 8)).reason == "quota_exhausted"
    assert scan(world.pass1, "in", local(2020, 2, 5, 8, 30)).reason == "ok"
    services.policy_set(compound=world.compound, closed=True, out_quota=1, window_days=2,
                        starts_on=date(2020, 2, 5), actor=cast.staff_c1,
                        now=local(2020, 2, 5, 12))
    # Only the 02-04 trip was allowed, and it lies before the new window [02-05, 02-06].
    assert scan(world.pass1, "out", local(2020, 2, 5, 13)).reason == "ok"


def test_setting_the_version_again_does_not_count_a_trip_twice(world, scan, cast):
    assert scan(world.pass1, "out", local(2020, 2, 5, 9)).reason == "ok"
    for hour in (10, 11):
        services.policy_set(compound=world.compound, closed=True, out_quota=2, window_days=3,
                            starts_on=date(2020, 2, 5), actor=cast.staff_c1,
                            now=local(2020, 2, 5, hour))
    second = scan(world.pass1, "out", local(2020, 2, 5, 12))
    assert (second.reason, second.quota_left) == ("ok", 0)


def test_without_a_policy_the_rule_defaults_apply(world, scan, cast):
    # h_other's compound has no policy: 1 trip per 2 days, windows from 2020-01-24.
    def other(at):
        return scan(world.pass_other, "out", at, checkpoint="HY-1", actor=cast.staff_c2)

    a = other(local(2020, 2, 5, 9))   # window [02-05, 02-06]: 2020-01-24 + 12 days
    b = other(local(2020, 2, 6, 22))
    c = other(local(2020, 2, 7, 8))
    assert (a.reason, b.reason, c.reason) == ("ok", "quota_exhausted", "ok")
    assert a.window_start == date(2020, 2, 5)
    assert a.rule_version.endswith("quota:default/default/default")


def test_quota_value_from_a_rule_version_is_recorded(world, scan, cast):
    Rule.objects.create(key="pass.out_quota", value=2, effective_from=date(2020, 2, 1),
                        source="通告第3号")
    a = scan(world.pass_other, "out", checkpoint="HY-1", actor=cast.staff_c2)
    b = scan(world.pass_other, "out", local(2020, 2, 5, 10), checkpoint="HY-1",
             actor=cast.staff_c2)
    assert (a.reason, b.reason) == ("ok", "ok")
    assert "rule:" in a.rule_version


def test_crossing_records_the_policy_version(world, scan):
    c = scan(world.pass1, "out")
    assert c.policy == world.policy and f"v{world.policy.version}" in c.rule_version


# --- exactly once ---------------------------------------------------------------------------

def test_same_event_id_twice_gives_the_first_answer_and_one_crossing(world, scan):
    event = uuid.uuid4()
    a = scan(world.pass1, "out", event_id=event)
    b = scan(world.pass1, "out", local(2020, 2, 5, 10), event_id=event)
    assert services.scan_answer(a) == services.scan_answer(b)
    assert Crossing.objects.filter(event_id=event).count() == 1
    assert QuotaUse.objects.get(household=world.h1).used == 1
    # On PostgreSQL the replay is caught by one statement outside a transaction
    # (test_gate_scans_outside_a_transaction.py): the connection is still usable after it.
    assert scan(world.pass2, "out").reason == "ok"


def test_a_denied_event_replayed_stays_denied_even_after_things_change(world, scan, cast):
    event = uuid.uuid4()
    assert scan(world.pass1, "out", event_id=event, temperature=38).reason == "fever"
    assert scan(world.pass1, "out", event_id=event).reason == "fever"
    assert Alert.objects.count() == 1


# --- counting for the daily report ----------------------------------------------------------

def test_crossing_counts_by_community_and_local_day(world, scan, areas, cast):
    scan(world.pass1, "out", local(2020, 2, 5, 0, 10))     # 2020-02-04 16:10 UTC
    scan(world.pass1, "in", local(2020, 2, 5, 9))
    scan(world.pass1, "out", local(2020, 2, 5, 10))        # quota_exhausted
    scan(world.pass1, "out", local(2020, 2, 5, 10), temperature=365)  # not counted
    scan(world.pass1, "out", local(2020, 2, 6, 9))         # next day
    scan(world.pass_other, "out", checkpoint="HY-1", actor=cast.staff_c2)
    assert crossings(areas.c1, date(2020, 2, 5)) == (1, 1, 1, 0)
    assert crossings(areas.street, date(2020, 2, 5)) == (2, 1, 1, 0)
    assert crossings(areas.g1a, date(2020, 2, 5)) == (0, 0, 0, 0)


def test_lifted_lockdown_no_longer_denies(world, scan):
    Lockdown.objects.create(compound=world.compound, starts_on=date(2020, 2, 1),
                            ends_on=date(2020, 2, 15), lifted_at=local(2020, 2, 5, 8))
    assert scan(world.pass1, "out", local(2020, 2, 5, 7)).reason == "lockdown"
    assert scan(world.pass2, "out", local(2020, 2, 5, 9)).reason == "ok"


def test_lockdown_of_another_building_does_not_deny(world, scan):
    from firstline.people.models import Building

    other = Building.objects.create(compound=world.compound, name="29")
    Lockdown.objects.create(building=other, compound=world.compound,
                            starts_on=date(2020, 2, 5), ends_on=date(2020, 2, 19))
    assert scan(world.pass1, "out").reason == "ok"


@pytest.fixture
def no_fever_hold(db):
    Rule.objects.create(key="gate.fever_hold", value=False, effective_from=date(2020, 1, 1),
                        source="test: hold off")


@pytest.mark.usefixtures("no_fever_hold")
def test_with_the_hold_off_a_fever_refuses_only_that_scan(world, scan):
    assert scan(world.pass1, "out", local(2020, 2, 5, 9), temperature=38.6).reason == "fever"
    assert scan(world.pass1, "out", local(2020, 2, 5, 9, 1), temperature=37.29).reason == "ok"


def test_after_a_fever_the_household_stays_in_until_the_alert_is_resolved(world, scan, cast):
    from firstline.isolation.services import alert_resolve

    fever = scan(world.pass1, "out", local(2020, 2, 5, 9), temperature=38.6)
    assert fever.reason == "fever"
    lower = scan(world.pass1, "out", local(2020, 2, 5, 9, 2), temperature=36.0)
    assert (lower.decision, lower.reason) == ("deny", "fever_hold")
    assert scan(world.pass1, "in", local(2020, 2, 5, 9, 3)).decision == "allow"
    assert scan(world.pass2, "out", local(2020, 2, 5, 9, 4)).reason == "ok"  # other household
    alert = Alert.objects.get(source=f"crossing:{fever.pk}")
    alert_resolve(alert=alert, outcome="复测 36.6，无异常", actor=cast.staff_c1,
                  now=local(2020, 2, 5, 10))
    assert scan(world.pass1, "out", local(2020, 2, 5, 10, 5)).reason == "ok"


def test_a_scan_without_temperature_is_temperature_required_and_counts_nothing(world, scan):
    c = scan(world.pass1, "out", local(2020, 2, 5, 9), temperature=None)
    assert (c.decision, c.reason) == ("deny", "temperature_required")
    assert QuotaUse.objects.count() == 0
    assert scan(world.pass1, "out", local(2020, 2, 5, 9, 1)).reason == "ok"  # quota intact


def test_right_after_a_fever_refusal_no_temperature_is_no_way_out(world, scan):
    assert scan(world.pass1, "out", local(2020, 2, 5, 9), temperature=38.6).reason == "fever"
    again = scan(world.pass1, "out", local(2020, 2, 5, 9, 1), temperature=None)
    assert (again.decision, again.reason) == ("deny", "temperature_required")


def test_temperature_not_required_when_the_rule_is_off_from_its_date(world, scan):
    Rule.objects.create(key="gate.temperature_required", value=False,
                        effective_from=date(2020, 2, 6), source="test")
    assert scan(world.pass1, "out", local(2020, 2, 5, 9), temperature=None).reason == \
        "temperature_required"
    assert scan(world.pass1, "out", local(2020, 2, 6, 9), temperature=None).reason == "ok"


def test_the_fever_hold_is_judged_as_of_the_scan(world, scan, cast):
    """An offline gate syncing late: a scan made before the fever is not held by it."""
    scan(world.pass1, "out", local(2020, 2, 5, 9), temperature=38.6)
    earlier = scan(world.pass1, "out", local(2020, 2, 5, 8, 30))
    assert earlier.reason == "ok"


def test_the_stored_crossing_reads_back_as_the_scan_judged_it(world, scan):
    # The gate's INSERT sends str/int/float values as they are and the rest through each
    # field's conversion (gate._db_value): what it stored is what the ORM reads back.
    c = scan(world.pass1, "out", temperature=36.6)
    stored = Crossing.objects.get(pk=c.pk)
    for f in Crossing._meta.concrete_fields:
        assert getattr(stored, f.attname) == getattr(c, f.attname), f.attname


def test_the_gate_sends_each_value_as_its_field_would(world, scan):
    # gate._db_value skips the fields' conversions where they would return the value unchanged
    # (str, int, float; on PostgreSQL also dates, aware datetimes and UUIDs): what it sends
    # equals the field's own conversion, on either database.
    from django.db import connection

    from firstline.access.services import gate

    c = scan(world.pass1, "out", temperature=36.6)
    assert c.window_start is not None and c.event_id is not None
    for f in gate._crossing_fields():
        value = getattr(c, f.attname)
        assert gate._db_value(f, value) == f.get_db_prep_save(value, connection), f.attname


def test_a_crossing_built_by_position_is_the_one_built_by_keywords():
    # gate._crossing_new (Model.__init__'s positional fast path): the same instance as
    # Crossing(**values), a field not given taking its default.
    import uuid

    from firstline import clock
    from firstline.access.services import gate

    now = clock.now()
    values = {"event_id": uuid.uuid4(), "direction": "out", "temperature": 36.5,
              "scanned_at": now, "day": now.date(), "recorded_at": now, "via": "api"}
    fast, slow = gate._crossing_new(**values), Crossing(**values)
    assert fast._state.adding and fast.pk is None
    for f in Crossing._meta.concrete_fields:
        assert getattr(fast, f.attname) == getattr(slow, f.attname), f.attname
