"""The reading schedule: windows in order, never overlapping, each holding its own due time."""

import threading
from datetime import date, time, timedelta

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from firstline.isolation import schedule, services
from firstline.isolation.models import Isolation

from .conftest import local


class Always:
    """An isolation in force all day on 2026-03-01."""
    status = "active"
    reading_times = []
    starts_on = date(2026, 3, 1)
    ends_on = date(2026, 3, 2)
    ended_on = None
    ended_at = None
    created_at = local(2026, 2, 1)


times_st = st.lists(st.times().map(lambda t: time(t.hour, t.minute)), min_size=1, max_size=6,
                    unique=True)


@settings(max_examples=150, deadline=None)
@given(times=times_st, grace=st.integers(min_value=0, max_value=600))
def test_windows_are_ordered_disjoint_and_hold_their_due_time(times, grace):
    iso = Always()
    iso.reading_times = [t.strftime("%H:%M") for t in times]
    slots = schedule.slots(iso, date(2026, 3, 1), grace=timedelta(minutes=grace))
    assert [s.due_at.time() for s in slots] == sorted(times)
    for a, b in zip(slots, slots[1:], strict=False):
        assert a.deadline == b.opens_at
    for s in slots:
        assert s.opens_at <= s.due_at <= s.deadline


@settings(max_examples=100, deadline=None)
@given(times=times_st, minute=st.integers(min_value=0, max_value=24 * 60 - 1))
def test_one_reading_answers_at_most_one_due_time(times, minute):
    iso = Always()
    iso.reading_times = [t.strftime("%H:%M") for t in times]
    slots = schedule.slots(iso, date(2026, 3, 1), grace=timedelta(minutes=120))
    at = local(2026, 3, 1, 0, 0) + timedelta(minutes=minute)
    assert sum(schedule.answered(s, [at]) for s in slots) <= 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_starting_the_same_isolation_at_once_make_one(file_database, cast, roster):
    barrier = threading.Barrier(2)
    results = []

    def go():
        try:
            barrier.wait()
            services.isolation_start(resident=roster.a1, kind="home", reason="risk_area",
                                     starts_on=date(2026, 3, 1), actor=cast.staff_c1,
                                     now=local(2026, 3, 1, 9))
            results.append("ok")
        except services.RuleViolation as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["already_isolated", "ok"]
    assert Isolation.objects.filter(resident=roster.a1).count() == 1
