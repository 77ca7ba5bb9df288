from datetime import date

import pytest
from django.core.management import call_command

from firstline.isolation import services
from firstline.isolation.models import Alert, AlertKind, AlertStatus, Reading

from .conftest import local, start

pytestmark = pytest.mark.django_db


def record(iso, t, at, actor, **kw):
    return services.reading_record(isolation=iso, temperature=t, taken_at=at, actor=actor,
                                   now=at, **kw)


def test_fever_reading_opens_an_alert_owned_by_the_grid_worker(cast, roster):
    iso = start(cast, roster.a1)
    record(iso, 37.3, local(2026, 3, 1, 9), cast.grid_a)
    alert = Alert.objects.get(kind=AlertKind.FEVER)
    assert (alert.isolation, alert.area, alert.owner, alert.status) == (
        iso, roster.h1.grid, cast.grid_a, AlertStatus.OPEN)


def test_normal_reading_opens_no_alert(cast, roster):
    iso = start(cast, roster.a1)
    record(iso, 37.2, local(2026, 3, 1, 9), cast.grid_a)
    assert not Alert.objects.exists()


def test_second_fever_updates_the_unresolved_alert(cast, roster):
    iso = start(cast, roster.a1)
    record(iso, 38.0, local(2026, 3, 1, 9), cast.grid_a)
    record(iso, 38.4, local(2026, 3, 1, 10), cast.grid_a)
    alert = Alert.objects.get(kind=AlertKind.FEVER)
    assert "38.4" in alert.detail


def test_temperature_outside_range_is_rejected_and_nothing_recorded(cast, roster):
    iso = start(cast, roster.a1)
    for bad in (365, 3.65, "abc", 33.9, 43.1):
        with pytest.raises(services.InvalidInput) as e:
            record(iso, bad, local(2026, 3, 1, 9), cast.grid_a)
        assert e.value.code == "bad_temperature"
    assert not Reading.objects.exists()


def test_symptoms_open_a_symptoms_alert(cast, roster):
    iso = start(cast, roster.a1)
    record(iso, 36.8, local(2026, 3, 1, 9), cast.grid_a, symptoms=["cough"])
    assert Alert.objects.get().kind == AlertKind.SYMPTOMS


def test_missed_report_alert_with_pinned_clock(cast, roster):
    iso = start(cast, roster.a1)  # due 09:00 and 15:00, grace 120 minutes
    call_command("isolation_check_missed", "--now", "2026-03-01T10:59")
    assert not Alert.objects.exists()
    call_command("isolation_check_missed", "--now", "2026-03-01T11:00")
    alert = Alert.objects.get()
    assert (alert.kind, alert.isolation, alert.due_key) == (
        AlertKind.MISSED_REPORT, iso, f"missed:{iso.pk}:20260301T0900")


def test_missed_report_check_is_idempotent(cast, roster):
    start(cast, roster.a1)
    call_command("isolation_check_missed", "--now", "2026-03-01T18:00")
    call_command("isolation_check_missed", "--now", "2026-03-01T18:00")
    call_command("isolation_check_missed", "--now", "2026-03-01T18:30")
    assert Alert.objects.filter(kind=AlertKind.MISSED_REPORT).count() == 2


def test_no_missed_report_when_the_reading_came(cast, roster):
    iso = start(cast, roster.a1)
    record(iso, 36.5, local(2026, 3, 1, 8, 40), cast.grid_a)
    record(iso, 36.6, local(2026, 3, 1, 16, 10), cast.grid_a)  # late, within grace
    result = services.check_missed_reports(now=local(2026, 3, 1, 23))
    assert result["opened"] == 0 and result["checked"] == 2
    assert not Alert.objects.exists()


def test_no_missed_report_for_times_before_the_isolation_was_started(cast, roster):
    start(cast, roster.a1, now=local(2026, 3, 1, 13))  # 09:00 was before it existed
    assert services.check_missed_reports(now=local(2026, 3, 1, 16))["opened"] == 0


def test_configured_reading_times_are_used(cast, roster):
    iso = start(cast, roster.a1, reading_times=["08:00", "12:00", "18:00"])
    services.check_missed_reports(now=local(2026, 3, 1, 14, 30))
    assert list(Alert.objects.values_list("due_key", flat=True).order_by("due_key")) == [
        f"missed:{iso.pk}:20260301T0800", f"missed:{iso.pk}:20260301T1200"]


def test_late_reading_resolves_open_missed_alert(cast, roster):
    iso = start(cast, roster.a1)
    services.check_missed_reports(now=local(2026, 3, 1, 11, 30))
    record(iso, 36.5, local(2026, 3, 1, 11, 40), cast.grid_a)
    assert Alert.objects.get().status == AlertStatus.RESOLVED


def test_check_ends_isolations_that_reached_their_end(cast, roster):
    iso = start(cast, roster.a1, days=2)
    result = services.check_missed_reports(now=local(2026, 3, 3, 0, 5))
    iso.refresh_from_db()
    assert result["expired"] == 1 and iso.status == "ended" and iso.ended_on == date(2026, 3, 3)


def test_acknowledge_then_resolve_with_outcome(cast, roster):
    iso = start(cast, roster.a1)
    record(iso, 38.2, local(2026, 3, 1, 9), cast.grid_a)
    alert = Alert.objects.get()
    services.alert_acknowledge(alert=alert, actor=cast.staff_c1, now=local(2026, 3, 1, 9, 5))
    with pytest.raises(services.InvalidInput):
        services.alert_resolve(alert=alert, outcome="", actor=cast.grid_a)
    services.alert_resolve(alert=alert, outcome="re-measured 36.9", actor=cast.grid_a,
                           now=local(2026, 3, 1, 9, 30))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED and alert.owner == cast.grid_a
    with pytest.raises(services.RuleViolation):
        services.alert_resolve(alert=alert, outcome="again", actor=cast.grid_a)


def test_readings_counts_for_the_daily_report(cast, roster):
    from firstline.reports.selectors import daily_report
    iso = start(cast, roster.a1)
    start(cast, roster.b1, kind="centralized")
    record(iso, 37.5, local(2026, 3, 1, 9), cast.grid_a)
    report = daily_report(area=roster.h1.grid.parent, day=date(2026, 3, 1))
    counts = {k: report[k] for k in ("home_isolation", "centralized_isolation",
                                     "isolations_started", "isolations_ended", "readings_due",
                                     "readings_received", "fever_alerts")}
    assert counts == {"home_isolation": 1, "centralized_isolation": 1, "isolations_started": 2,
                      "isolations_ended": 0, "readings_due": 4, "readings_received": 1,
                      "fever_alerts": 1}
