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
    "reports.signoff_due": ("16:00", "Firstline default: the daily report is due at 16:00 local; the late are reminded then (催报)"),
    "lists.recent_fact_days": (3, "Firstline default: a visit or self-report in the last 3 days answers a list (核查) without another call"),
    "gate.temperature_required": (True, "seeds: 人员进出一律测温 (everyone crossing is measured); CONTRACT.md second wave"),
    "gate.fever_hold": (True, "CONTRACT.md second wave: a household with an open fever alert does not go out"),
    "gate.duty_check_in_early_minutes": (30, "Firstline default: a gate duty shift can be checked in from 30 minutes before it starts (an earlier tap is refused: shift_not_started)"),
    "gate.turn_back_risk_visitors": (True, "seeds: visitors from risk areas are turned back (劝返)"),
    "retention.days": (180, "Firstline default: closed records de-identified after"),
    # operations (运行保障)
    "disinfection.per_day": ({"common_areas": 2, "building": 1, "isolated_home": 1, "lift": 2,
                              "rubbish": 2, "waste_masks": 2, "checkpoint": 2, "other": 1},
                             "seeds: 每天两次消杀 (common areas twice a day); homes under isolation daily"),
    "disinfection.vacated_room_hours": (2, "seeds: 终末消毒 of a vacated room, once, before the next stay (Firstline default: within 2 hours)"),
    "volunteers.checkout_grace_minutes": (60, "Firstline default: a check-in without a check-out ends this long after the assignment's end (hours count to the end)"),
    "volunteers.signups_per_hour": (5, "Firstline default: public sign-ups per address per hour"),
    "donation.cash_max_yuan": (100_000_000, "Firstline default: a cash donation above 100 million yuan is a typing error"),
    "stock.quantity_max": (10_000_000, "Firstline default: one movement of at most 10 million units"),
    "tips.reward": ({"item": "masks", "quantity": 10, "stock_item": "mask"}, "seeds: 每條有效線索獎勵10個口罩 (10 masks for every valid lead); stock_item: the supplies item code it is issued from"),
    "uploads.max_bytes": (5 * 1024 * 1024, "Firstline default: 5 MB per attached file (a scanned notice, a phone photo)"),
    "tips.verify_hours": (24, "Firstline default: a tip-off is verified within a day"),
    "public.window_minutes": (60, "Firstline default: the public pages' throttle window"),
    "public.per_address": (30, "Firstline default: submissions per network address in the window (phones share addresses behind a carrier's NAT)"),
    "public.per_device": (5, "Firstline default: submissions per device (its cookie on the public pages) in the window"),
    "public.per_place": (5, "Firstline default: submissions per home address in the window"),
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
