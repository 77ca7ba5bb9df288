"""Stored figures of closed days (reports.DayFigures): the dashboard reads them instead of
counting the facts again, gives the same numbers as the live report, and a late or corrected
fact dated on a stored day is reflected (tests/reports/conftest.py describes the facts; the
day D = 2020-02-10 is long closed)."""

from datetime import timedelta

import time_machine

from firstline.isolation.models import Status
from firstline.reports import store
from firstline.reports.models import DayFigures
from firstline.reports.selectors import daily_report, report_compute

from .conftest import D, crossing, key_fact, local, reading

DAYS = [D + timedelta(days=k) for k in (-2, -1, 0, 1)]


def dashboard(area, days=DAYS):
    """As the dashboard computes its trends: every day before the last may be stored."""
    return report_compute(area=area, days=days, cache_before=days[-1])


def assert_same_as_live(report, area, days=DAYS):
    for index, day in enumerate(days):
        assert report.as_json(index=index) == daily_report(area=area, day=day), day


def test_closed_days_are_stored_and_read_back_with_the_live_numbers(facts):
    street = facts.areas.street
    first = dashboard(street)
    from firstline.areas.models import Area

    n_areas = Area.objects.filter(path__startswith=street.path).count()
    assert DayFigures.objects.count() == n_areas * (len(DAYS) - 1)  # not the last day
    assert not DayFigures.objects.filter(day=DAYS[-1]).exists()
    second = dashboard(street)
    assert_same_as_live(first, street)
    assert_same_as_live(second, street)
    assert second.as_json(index=2)["residents"] == 8


def test_a_stored_day_is_read_not_computed(facts):
    street = facts.areas.street
    dashboard(street)
    # Rows changed behind the store's back (raw, no signal) are not seen: the figures come
    # from the stored rows (which is why every writer must signal its late facts).
    g1a = DayFigures.objects.get(area=facts.areas.g1a, day=D)
    g1a.figures = {**g1a.figures, "residents": 1000}
    DayFigures.objects.filter(pk=g1a.pk).update(figures=g1a.figures)
    assert dashboard(street).as_json(index=2)["residents"] == 8 - 3 + 1000


def test_a_back_dated_reading_is_reflected(facts):
    street = facts.areas.street
    before = dashboard(street).as_json(index=2)
    # i2 (r4, G1b) missed its 15:00 reading on D; it is entered late, dated 15:20 on D.
    reading(facts.isolations[2], local(D, 15, 20))
    after = dashboard(street)
    assert after.as_json(index=2)["readings_received"] == before["readings_received"] + 1
    assert_same_as_live(after, street)


def test_a_late_crossing_and_a_cancelled_isolation_are_reflected(facts):
    from firstline.access.models import Checkpoint

    street = facts.areas.street
    before = dashboard(street).as_json(index=1)  # D-1
    gate = Checkpoint.objects.get(compound__area=facts.areas.c1)
    crossing(gate, "out", local(D - timedelta(days=1), 10))
    iso = facts.isolations[1]  # i1 home r1 G1a, from D-3: cancelled (it never was)
    iso.status = Status.CANCELLED
    iso.save()
    after = dashboard(street)
    assert after.as_json(index=1)["crossings_out"] == before["crossings_out"] + 1
    assert after.as_json(index=1)["home_isolation"] == before["home_isolation"] - 1
    assert_same_as_live(after, street)


def test_a_back_dated_move_and_key_fact_are_reflected(facts):
    street = facts.areas.street
    dashboard(street)
    # r3 (G1a) moved to G2a on D-2 09:00, recorded now: the old placement closed by save().
    from firstline.people.models import Placement

    r3 = facts.residents[3]
    old = Placement.objects.get(resident=r3, until__isnull=True)
    old.until = local(D - timedelta(days=2), 9)
    old.save()
    Placement.objects.create(resident=r3, household=facts.households[4],
                             grid=facts.areas.g2a, since=old.until)
    key_fact(r3, "close_contact", local(D - timedelta(days=1), 8))
    after = dashboard(street)
    assert after.as_json(index=2)["children"][0]["residents"] == 4  # C1: 5 - r3
    assert_same_as_live(after, street)


def test_an_edit_that_changes_no_figure_keeps_the_stored_days(facts):
    dashboard(facts.areas.street)
    stored = DayFigures.objects.count()
    iso = facts.isolations[1]
    iso.reason_note = "电话核实"
    iso.save()
    assert DayFigures.objects.count() == stored


def test_a_correction_during_a_computation_is_not_overwritten(facts):
    """A computation that saw the epoch move while it ran stores nothing."""
    seen = store.epoch()
    store.invalidate(areas=[facts.areas.g1a.id], since=D)
    assert store.store({(D, facts.areas.g1a.id): {"residents": 99}}, seen_epoch=seen) is False
    assert not DayFigures.objects.exists()
    assert store.store({(D, facts.areas.g1a.id): {"residents": 3}},
                       seen_epoch=store.epoch()) is True


def test_a_rule_changed_from_a_past_date_invalidates_every_area(facts):
    from firstline.rules.models import Rule

    dashboard(facts.areas.street)
    Rule.objects.create(key="isolation.missed_grace_minutes", value=30,
                        effective_from=D - timedelta(days=1))
    assert not DayFigures.objects.filter(day__gte=D - timedelta(days=1)).exists()
    assert DayFigures.objects.filter(day=D - timedelta(days=2)).exists()
    assert_same_as_live(dashboard(facts.areas.street), facts.areas.street)


def test_today_is_never_stored_and_yesterday_is_once_closed(facts):
    street = facts.areas.street
    with time_machine.travel(local(D, 23, 59), tick=False):
        dashboard(street, days=[D - timedelta(days=1), D])
        assert not DayFigures.objects.filter(day=D).exists()
    with time_machine.travel(local(D + timedelta(days=1), 0, 5), tick=False):
        dashboard(street, days=[D - timedelta(days=1), D, D + timedelta(days=1)])
        assert DayFigures.objects.filter(day=D).exists()
        assert not DayFigures.objects.filter(day=D + timedelta(days=1)).exists()
