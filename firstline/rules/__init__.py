"""Rules with values, effective dates and sources, read through one function.

    from firstline.rules import rule
    rule("isolation.days", on=date)  -> RuleValue(value=14, version="default", source=...)

The contract's numbers are the defaults; a Rule row overrides a key from its effective date.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

DEFAULTS: dict[str, tuple[Any, str]] = {
    # key: (value, source)
    "fever.threshold_c": (37.3, "CONTRACT.md: fever is temperature >= 37.3 °C"),
    "temperature.min_c": (34.0, "CONTRACT.md: temperatures outside 34.0-43.0 are bad_temperature"),
    "temperature.max_c": (43.0, "CONTRACT.md: temperatures outside 34.0-43.0 are bad_temperature"),
    "isolation.days": (14, "CONTRACT.md: days defaults to 14"),
    "isolation.readings_per_day": (2, "seeds: temperature twice a day"),
    "isolation.reading_times": (["09:00", "15:00"], "seeds: morning and afternoon reports"),
    "isolation.missed_grace_minutes": (120, "Firstline default"),
    "pass.out_quota": (1, "seeds: one person per household out every two days"),
    "pass.window_days": (2, "seeds: one person per household out every two days"),
    "pass.windows_from": ("2020-01-24", "Anhui first-level response began 2020-01-24: quota windows of a compound without a policy count from it"),
    "screening.revisit_days": (7, "Firstline default"),
    "gate.offline_max_age_hours": (24, "Firstline default: an offline gate decides from a snapshot at most this old; older, it only queues"),
    "care.call_slots": ([["morning", "08:00"], ["afternoon", "14:00"]], "seeds: 每天两次暖心电话 (two care calls a day)"),
    "assistance.self_report_open_max": (5, "Firstline default: open self-reported requests per household"),
    "retention.days": (180, "Firstline default: closed records de-identified after"),
}


@dataclass(frozen=True)
class RuleValue:
    key: str
    value: Any
    version: str  # "default" or "rule:<pk>"
    source: str


def rule(key: str, *, on: date | None = None) -> RuleValue:
    """The value of rule `key` in force on local date `on` (today when omitted)."""
    from firstline import clock
    from firstline.rules.models import Rule

    if key not in DEFAULTS:
        raise KeyError(f"unknown rule {key!r}")
    on = on or clock.today()
    row = Rule.objects.filter(key=key, effective_from__lte=on).order_by("-effective_from").first()
    if row is None:
        value, source = DEFAULTS[key]
        return RuleValue(key, value, "default", source)
    return RuleValue(key, row.value, f"rule:{row.pk}", row.source)
