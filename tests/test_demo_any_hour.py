"""The demo loads at any local hour, whatever the shell's TZ: nothing it writes is in the
future, and a second run adds nothing (issue 10; the demo once wrote "today 09:00-16:40")."""

import os
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import models

from firstline import clock
from firstline.demo import build

from .test_demo import firstline_counts

pytestmark = [pytest.mark.django_db, pytest.mark.time_sensitive]

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Plans, not records: a shift later today, a pick-up in two hours, a token's expiry, the
PLANNED = {"starts_at", "ends_at", "pickup_at", "due_at", "expires_at", "lease_until",
           "check_in_until"}  # moment a check-in stops counting (its shift end + grace)


def latest_moments():
    """{model.field: the latest stored moment} over every DateTimeField of our apps."""
    out = {}
    for model in apps.get_models():
        if not model.__module__.startswith("firstline."):
            continue
        for f in model._meta.get_fields():
            if isinstance(f, models.DateTimeField) and f.name not in PLANNED:
                top = model.objects.aggregate(m=models.Max(f.name))["m"]
                if top is not None:
                    out[f"{model._meta.label}.{f.name}"] = top
    return out


@pytest.fixture
def shell_tz(request):
    """Run with the process's TZ set as a shell would set it."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.mark.parametrize("hhmm", ["00:05", "08:59", "12:00", "23:59"])
def test_demo_at_any_hour_writes_nothing_in_the_future_and_adds_nothing_twice(hhmm):
    moment = datetime.fromisoformat(f"2026-03-01T{hhmm}").replace(tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        build(residents_per_grid=3)
        first = firstline_counts()
        now = clock.now()
        future = {k: v for k, v in latest_moments().items() if v > now}
        assert future == {}
        build(residents_per_grid=3)
        assert firstline_counts() == first


@pytest.mark.parametrize("shell_tz", ["UTC", "America/New_York"], indirect=True)
def test_demo_ignores_the_shells_time_zone(shell_tz):
    moment = datetime(2026, 3, 1, 0, 5, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=False):
        build(residents_per_grid=3)
        first = firstline_counts()
        assert all(v <= clock.now() for v in latest_moments().values())
        build(residents_per_grid=3)
        assert firstline_counts() == first
