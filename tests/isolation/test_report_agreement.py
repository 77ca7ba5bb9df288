"""The daily report (reports app) and isolation_counts (this app) give the same isolation
figures, day after day, through starts, a fever, a missed reading, a release and an end."""

from datetime import date, timedelta

import pytest

from firstline.isolation import services
from firstline.isolation.selectors import COUNT_KEYS, isolation_counts
from firstline.reports.selectors import report_compute

from .conftest import local, start

pytestmark = pytest.mark.django_db


def test_report_and_isolation_counts_agree(cast, roster, areas):
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
    for index, day in enumerate(days):
        theirs = report.as_json(index=index)
        mine = isolation_counts(areas.street, day)
        assert {k: theirs[k] for k in COUNT_KEYS} == mine, day
