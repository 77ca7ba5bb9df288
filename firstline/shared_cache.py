"""The shared cache (Redis when FIRSTLINE_REDIS_URL is set), used only for what may be lost:
the report cache and flood guards. When Redis is down the work goes on without it — the
report is computed afresh, a guard lets the request through — and the log says so once a
minute rather than answering 500."""

import logging

from django.core.cache import cache

from firstline import clock

log = logging.getLogger("firstline.cache")
_last_warning = [0.0]


def _unavailable_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import RedisError
    except ImportError:  # pragma: no cover - redis is a dependency
        return (ConnectionError, TimeoutError)
    return (RedisError, ConnectionError, TimeoutError)


UNAVAILABLE = _unavailable_errors()


def _warn(exc: BaseException) -> None:
    if clock.monotonic() - _last_warning[0] > 60:
        _last_warning[0] = clock.monotonic()
        log.warning("shared cache unavailable, working without it: %s", type(exc).__name__)


def get_many(keys: list[str]) -> dict:
    try:
        return cache.get_many(keys)
    except UNAVAILABLE as exc:
        _warn(exc)
        return {}


def set_many(values: dict, timeout: int) -> None:
    try:
        cache.set_many(values, timeout)
    except UNAVAILABLE as exc:
        _warn(exc)


def count(key: str, *, timeout: int) -> int | None:
    """Add one to the counter `key` (created with `timeout` seconds to live) and return it;
    None when the cache is unavailable."""
    try:
        cache.add(key, 0, timeout=timeout)
        try:
            return cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=timeout)
            return 1
    except UNAVAILABLE as exc:
        _warn(exc)
        return None
