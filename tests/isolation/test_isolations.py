from datetime import UTC, date

import pytest
from django.core.exceptions import PermissionDenied

from firstline.isolation import services
from firstline.isolation.models import Isolation, Status
from firstline.rules.models import Rule

from .conftest import local, start

pytestmark = pytest.mark.django_db


def test_ends_on_is_start_plus_rule_days(cast, roster):
    iso = start(cast, roster.a1)
    assert iso.ends_on == date(2026, 3, 15)
    assert iso.rule_version == "default"


def test_rule_change_sets_days_and_is_recorded(cast, roster):
    r = Rule.objects.create(key="isolation.days", value=7, effective_from=date(2026, 1, 1),
                            source="test notice")
    iso = start(cast, roster.a1)
    assert iso.ends_on == date(2026, 3, 8)
    assert iso.rule_version == f"rule:{r.pk}"


def test_end_date_is_decided_in_local_time(cast, roster):
    # 23:30 UTC on Feb 28 is already 07:30 on Mar 1 in Shanghai: "today" is Mar 1, so an
    # isolation of 1 day from Feb 28 is over (ends_on Mar 1 <= today) and refused.
    from datetime import datetime
    late_utc = datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
    with pytest.raises(services.InvalidInput):
        start(cast, roster.a1, starts_on=date(2026, 2, 28), days=1, now=late_utc)
    iso = start(cast, roster.a1, starts_on=date(2026, 2, 28), days=2, now=late_utc)
    assert iso.ends_on == date(2026, 3, 2)


def test_isolation_figures_use_local_days(cast, roster):
    from firstline.reports.selectors import daily_report
    start(cast, roster.a1, starts_on=date(2026, 3, 1), days=2)
    assert daily_report(area=roster.h1.grid, day=date(2026, 3, 2))["home_isolation"] == 1
    assert daily_report(area=roster.h1.grid, day=date(2026, 3, 3))["home_isolation"] == 0
    assert daily_report(area=roster.h1.grid, day=date(2026, 3, 3))["isolations_ended"] == 1


def test_second_active_isolation_is_refused(cast, roster):
    start(cast, roster.a1)
    with pytest.raises(services.RuleViolation) as e:
        start(cast, roster.a1)
    assert e.value.code == "already_isolated"


def test_new_isolation_allowed_after_previous_ended(cast, roster):
    start(cast, roster.a1, days=2)
    iso = start(cast, roster.a1, starts_on=date(2026, 3, 5), now=local(2026, 3, 5))
    assert Isolation.objects.filter(resident=roster.a1, status=Status.ACTIVE).get() == iso
    assert Isolation.objects.filter(resident=roster.a1, status=Status.ENDED).count() == 1


def test_extend_moves_the_end(cast, roster):
    iso = start(cast, roster.a1)
    services.isolation_extend(isolation=iso, days=7, reason="contact tested positive",
                              actor=cast.staff_c1, now=local(2026, 3, 10))
    iso.refresh_from_db()
    assert iso.ends_on == date(2026, 3, 22)


def test_early_release_needs_a_reason_and_ends_today(cast, roster):
    iso = start(cast, roster.a1)
    with pytest.raises(services.InvalidInput):
        services.isolation_release(isolation=iso, reason=" ", actor=cast.staff_c1,
                                   now=local(2026, 3, 5))
    services.isolation_release(isolation=iso, reason="negative tests", actor=cast.staff_c1,
                               now=local(2026, 3, 5, 16))
    iso.refresh_from_db()
    assert (iso.status, iso.ended_on, iso.report_digest) == (Status.RELEASED, date(2026, 3, 5),
                                                             None)


def test_grid_worker_cannot_start_an_isolation(cast, roster):
    with pytest.raises(PermissionDenied):
        start(cast, roster.a1, actor=cast.grid_a)


def test_days_out_of_range_is_invalid(cast, roster):
    with pytest.raises(services.InvalidInput):
        start(cast, roster.a1, days=0)
    with pytest.raises(services.InvalidInput):
        start(cast, roster.a1, days=400)


def test_day_status_marks_missing_and_fever_days(cast, roster):
    from firstline.isolation.selectors import day_status
    iso = start(cast, roster.a1, days=3)
    services.reading_record(isolation=iso, temperature=36.5, taken_at=local(2026, 3, 1, 9),
                            actor=cast.grid_a, now=local(2026, 3, 1, 9))
    services.reading_record(isolation=iso, temperature=36.6, taken_at=local(2026, 3, 1, 15),
                            actor=cast.grid_a, now=local(2026, 3, 1, 15))
    services.reading_record(isolation=iso, temperature=38.0, taken_at=local(2026, 3, 2, 9),
                            actor=cast.grid_a, now=local(2026, 3, 2, 9))
    days = {d["day"]: d["status"] for d in day_status(iso, now=local(2026, 3, 3, 12))}
    assert days == {date(2026, 3, 1): "ok", date(2026, 3, 2): "fever", date(2026, 3, 3): "missed"}
