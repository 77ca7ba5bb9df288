"""The shared cache (FIRSTLINE_REDIS_URL): flood guards and the report cache live in Redis
so that every process sees them, and Redis being down costs speed, never an answer."""

from datetime import timedelta

import pytest
import redis

from firstline import clock
from firstline.isolation import services
from firstline.reports.selectors import report_compute

from .conftest import local, start

pytestmark = pytest.mark.django_db

REDIS = "redis://127.0.0.1:6379/15"


def use_cache(settings, location):
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location,
        "KEY_PREFIX": "firstline-test", "OPTIONS": {"socket_connect_timeout": 1,
                                                     "socket_timeout": 1}}}


@pytest.fixture
def shared_redis(settings):
    client = redis.Redis.from_url(REDIS)
    client.flushdb()
    use_cache(settings, REDIS)
    yield client
    client.flushdb()


def test_the_self_report_flood_guard_is_counted_in_redis(shared_redis, cast, roster):
    iso = start(cast, roster.a1)
    at = local(2026, 3, 2, 9)
    answers = [services.self_report_allowed(iso, now=at)
               for _ in range(services.SELF_REPORTS_PER_HOUR + 1)]
    assert answers[-1] is False and all(answers[:-1])
    # Another process (another client of the same Redis) sees the same count.
    keys = [k.decode() for k in shared_redis.keys("*selfreport*")]
    assert len(keys) == 1
    assert int(shared_redis.get(keys[0])) == services.SELF_REPORTS_PER_HOUR + 1


def test_redis_down_lets_a_self_report_through(settings, cast, roster):
    use_cache(settings, "redis://127.0.0.1:1/0")  # nothing listens there
    iso = start(cast, roster.a1)
    assert services.self_report_allowed(iso, now=local(2026, 3, 2, 9)) is True


def test_redis_down_computes_the_report_afresh(settings, cast, areas, roster):
    start(cast, roster.a1, starts_on=clock.today() - timedelta(days=1),
          now=clock.now() - timedelta(days=1))
    today = clock.today()

    def report():
        return report_compute(area=areas.street, days=[today - timedelta(days=1), today],
                              cache_before=today + timedelta(days=1)).as_json()

    expected = report()
    assert expected["home_isolation"] == 1
    use_cache(settings, "redis://127.0.0.1:1/0")
    assert report() == expected
