"""The daily report's isolation figures, day after day, through starts, a fever, a missed
reading, a release and an end; its "in force" is Isolation.objects.in_force(day)."""

from datetime import date, timedelta

import pytest

from firstline.isolation import services
from firstline.isolation.models import Isolation, Kind
from firstline.reports.selectors import report_compute

from .conftest import local, start

pytestmark = pytest.mark.django_db


def test_report_isolation_figures_day_by_day(cast, roster, areas):
    a = start(cast, roster.a1, days=3)
    b = start(cast, roster.b1, kind="centralized", days=5, reading_times=["08:00", "20:00"])
    c = start(cast, roster.d1, starts_on=date(2026, 3, 2), now=local(2026, 3, 2, 10),
              actor=cast.staff_c2)
    services.reading_record(isolation=a, temperature=38.0, taken_at=local(2026, 3, 1, 9),
                            actor=cast.grid_a, now=local(2026, 3, 1, 9))
    services.reading_record(isolation=b, temperature=36.5, taken_at=local(2026, 3, 1, 21),
                            actor=cast.grid_a, now=local(2026, 3, 1, 21))
    services.reading_record(isolation=c, temperature=36.5, taken_at=local(2026, 3, 2, 16),
                            actor=cast.staff_c2, now=local(2026, 3, 2, 16))
    services.isolation_release(isolation=b, reason="negative", actor=cast.staff_c1,
                               now=local(2026, 3, 3, 12))
    days = [date(2026, 3, 1) + timedelta(days=i) for i in range(5)]
    report = report_compute(area=areas.street, days=days)
    # (home, centralized, started, ended, readings due, received, fever alerts)
    expected = [(1, 1, 2, 0, 4, 2, 1), (2, 1, 1, 0, 5, 1, 0), (2, 0, 0, 1, 4, 0, 0),
                (1, 0, 0, 1, 2, 0, 0), (1, 0, 0, 0, 2, 0, 0)]
    keys = ("home_isolation", "centralized_isolation", "isolations_started",
            "isolations_ended", "readings_due", "readings_received", "fever_alerts")
    for index, day in enumerate(days):
        figures = report.as_json(index=index)
        assert tuple(figures[k] for k in keys) == expected[index], day
        in_force = Isolation.objects.in_force(day)
        assert (in_force.filter(kind=Kind.HOME).count(),
                in_force.filter(kind=Kind.CENTRALIZED).count()) == expected[index][:2], day
