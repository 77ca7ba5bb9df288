"""What the access services share: the scan reasons, pass codes, rules in force."""

import base64
import secrets
from datetime import date

from django.utils.translation import gettext_lazy

from firstline.rules import DEFAULTS
from firstline.rules.models import Rule

# Every reason a gate scan can give (CONTRACT.md), in words for the gate page.
REASONS = {
    "ok": gettext_lazy("OK"),
    "fever": gettext_lazy("Fever: do not let through; an alert was opened"),
    "quota_exhausted": gettext_lazy("This household's trips out are used up for this period"),
    "pass_unknown": gettext_lazy("Unknown pass"),
    "pass_revoked": gettext_lazy("This pass was revoked"),
    "isolation": gettext_lazy("The household is under home isolation"),
    "lockdown": gettext_lazy("The building or compound is locked down"),
    "wrong_compound": gettext_lazy("The pass belongs to another compound"),
    "checkpoint_unknown": gettext_lazy("Unknown or closed checkpoint"),
    "bad_temperature": gettext_lazy("Temperature out of range: measure again"),
    "temperature_required": gettext_lazy("Measure the temperature first (everyone crossing is measured)"),
    "fever_hold": gettext_lazy("A member of this household has an open fever alert: no going out "
                               "until staff resolve it"),
    "turned_back": gettext_lazy("Turned back (劝返)"),
    "risk_area": gettext_lazy("Coming from a listed risk area: turned back (劝返)"),
    "parcel_point": gettext_lazy("Parcel left at the hand-off point"),
}

PASS_CODE_BYTES = 15  # 120 random bits


def pass_code_new() -> str:
    """24 characters of base32 (A–Z, 2–7): URL-safe, QR alphanumeric mode, and immune to a
    keyboard-wedge scanner's Caps Lock (codes are compared upper-cased)."""
    return base64.b32encode(secrets.token_bytes(PASS_CODE_BYTES)).decode("ascii")


def pass_code_normalize(raw: str) -> str:
    return "".join((raw or "").split()).replace("-", "").upper()[:64]


# --- rules ----------------------------------------------------------------------------------

def rules_on(keys: tuple[str, ...], day: date) -> dict[str, tuple[object, str]]:
    """{key: (value, version)} for several rules in one query (same answer as rules.rule())."""
    return _rules_query(keys, day)


def _rules_query(keys, day):
    out = {k: (DEFAULTS[k][0], "default") for k in keys}
    seen = set()
    rows = (Rule.objects.filter(key__in=keys, effective_from__lte=day)
            .order_by("key", "-effective_from").values_list("key", "value", "pk"))
    for key, value, pk in rows:
        if key not in seen:
            seen.add(key)
            out[key] = (value, f"rule:{pk}")
    return out
