"""The dashboard's day shown, right after a stored day: its residents and households are the
stored day before plus the placements that began or ended in between (selectors.
residents_changes), its other figures counted from the facts. Whatever happened that day —
moves in and out, a stay that began and ended the same day, a departure at midnight, a
household emptied, isolations ending, facts entered late or corrected after the day before was
stored — it equals the daily report of that day computed from every fact, down to the grids
(tests/reports/conftest.py describes the facts of D = 2020-02-10)."""

from datetime import timedelta

import pytest
import time_machine

from firstline.people.models import Compound, Placement
from firstline.reports.models import DayFigures
from firstline.reports.selectors import daily_report, report_compute

from .conftest import D, isolate, key_fact, local, make_household, make_resident, move

DAY_BEFORE = D - timedelta(days=1)


def dashboard(area, days):
    """As the dashboard computes its trends: every day before the last may be stored."""
    return report_compute(area=area, days=days, cache_before=days[-1])


def assert_day_shown_is_exact(area, days):
    report = dashboard(area, days)
    assert DayFigures.objects.filter(day=days[-2]).exists()  # the day before, stored
    assert report.as_json(index=-1) == daily_report(area=area, day=days[-1])
    return report


@pytest.fixture
def busy_day(facts):
    """More happens on D, on top of the shared facts (r7 moved at 15:00, r10 left at 10:00,
    r8 arrived at 23:59:59, r9 arrives at 24:00, isolations started and ended on D)."""
    a, h = facts.areas, facts.households
    c1, c2 = Compound.objects.get(area=a.c1), Compound.objects.get(area=a.c2)
    # r6 moves out of h4 (G2a, r5 stays) into h3 (G1b, with r4): no household appears or goes.
    move(facts.residents[6], h[3], local(D, 12))
    # r11 stays in a new household of G2a from 08:00 to 20:00 on D: on neither day's count.
    make_resident(11, make_household(c2, a.g2a, 303), since=local(D, 8), until=local(D, 20))
    # r12 left G1b at the midnight that began D: still counted on D-1 (24:00), not on D.
    make_resident(12, make_household(c1, a.g1b, 203), until=local(D))
    # r13 leaves G2a at the midnight that ends D: still counted on D.
    make_resident(13, make_household(c2, a.g2a, 304), until=local(D + timedelta(days=1)))
    # r14 lives in G1a's h2 but is placed in G2a (a household across grids), from D 09:00.
    r14 = make_resident(14, h[2], since=local(D, 9))
    r14.placements.update(grid=a.g2a)
    isolate(r14, "home", D, D + timedelta(days=14))
    key_fact(r14, "close_contact", local(D, 10))
    return facts


def test_the_day_shown_equals_its_daily_report(busy_day):
    street = busy_day.areas.street
    report = assert_day_shown_is_exact(street, [D - timedelta(days=2), DAY_BEFORE, D])
    before, shown = report.as_json(index=-2), report.as_json(index=-1)
    # r10, r12 gone, r8 and r14 come; r11 came and went; r13 still there at 24:00.
    assert (before["residents"], shown["residents"]) == (10, 10)
    # C1 loses h5 (r7 moved out), h8 and h10 and gains h6 (r7); C2 gains h7 (r8) and h2 (r14
    # is placed in G2a while h2 is G1a's).
    assert (before["households"], shown["households"]) == (8, 8)
    assert [c["households"] for c in before["children"]] == [6, 2]
    assert [c["households"] for c in shown["children"]] == [4, 4]


def test_it_is_exact_for_every_area_asked(busy_day):
    a = busy_day.areas
    for area in (a.c1, a.c2, a.g1a, a.g1b, a.g2a):
        assert_day_shown_is_exact(area, [DAY_BEFORE, D])


def test_it_is_the_stored_day_before_plus_the_change(busy_day):
    """A stored figure changed behind the store's back (raw, no signal) shows through: the day
    shown really starts from the stored day before rather than counting every placement."""
    street, g1a = busy_day.areas.street, busy_day.areas.g1a
    days = [DAY_BEFORE, D]
    exact = dashboard(street, days).as_json(index=-1)["residents"]
    row = DayFigures.objects.get(area=g1a, day=DAY_BEFORE)
    DayFigures.objects.filter(pk=row.pk).update(
        figures={**row.figures, "residents": row.figures["residents"] + 100})
    assert dashboard(street, days).as_json(index=-1)["residents"] == exact + 100


def test_facts_entered_late_or_corrected_after_the_day_before_was_stored(busy_day):
    facts = busy_day
    street, days = facts.areas.street, [D - timedelta(days=2), DAY_BEFORE, D]
    dashboard(street, days)
    # A move back-dated to D-1 20:00 (r3: G1a -> G2a's h7), recorded by save().
    r3 = facts.residents[3]
    old = Placement.objects.get(resident=r3, until__isnull=True)
    old.until = local(DAY_BEFORE, 20)
    old.save()
    Placement.objects.create(resident=r3, household=facts.households[7], grid=facts.areas.g2a,
                             since=old.until)
    # r7's move on D corrected from 15:00 to 09:00; r1 moves to G1b's h3 at 23:00 on D.
    moved = Placement.objects.get(resident=facts.residents[7], until=local(D, 15))
    moved.until = local(D, 9)
    moved.save()
    Placement.objects.filter(resident=facts.residents[7], since=local(D, 15)).update(
        since=local(D, 9))
    move(facts.residents[1], facts.households[3], local(D, 23))
    # i1 (r1, in force) released on D at 14:00; a late key-person fact on D-1.
    iso = facts.isolations[1]
    iso.ended_at, iso.ended_on, iso.status = local(D, 14), D, "released"
    iso.save()
    key_fact(facts.residents[4], "risk_area", local(DAY_BEFORE, 18))
    report = assert_day_shown_is_exact(street, days)
    for index, day in enumerate(days):
        assert report.as_json(index=index) == daily_report(area=street, day=day), day


def test_days_not_following_a_stored_day_are_counted_in_full(busy_day):
    street, days = busy_day.areas.street, [D - timedelta(days=2), D]
    report = dashboard(street, days)
    assert report.as_json(index=-1) == daily_report(area=street, day=D)


@pytest.mark.parametrize("hh,mm", [(0, 5), (8, 59), (23, 59)])
def test_today_shown_after_yesterday_at_any_time_of_day(busy_day, hh, mm):
    """Today (never stored) after yesterday (closed, stored) — also moves later today, which
    the report already counts where the resident will be at 24:00, as the full count does."""
    street = busy_day.areas.street
    with time_machine.travel(local(D, hh, mm), tick=False):
        assert_day_shown_is_exact(street, [D - timedelta(days=2), DAY_BEFORE, D])
        assert not DayFigures.objects.filter(day=D).exists()
