"""One temperature parser and one fever test for every app (issue 12.2).

    from firstline.rules.temperature import temperature_parse, is_fever
    t = temperature_parse("３６，６℃", on=day)      # Decimal("36.6"); 422 bad_temperature if not
    is_fever(t, on=day)                             # t >= rule "fever.threshold_c" in force on day

Roster import, screening visits, gate scans and visitors, isolation readings, the self-report
page, lists outcomes and the API schemas all read temperatures through here, so "36,6℃" means
36.6 everywhere and a fever is the same comparison everywhere (gate.js gets the same threshold
from the server: the gate page's data-fever-c and the offline snapshot's rules.fever_c).

One way to say one on a page, too: `temperature_text(38.2)` is "38.2\u00a0°C" (a no-break
space, so a phone's narrow card never breaks between the number and its unit), and
`temperatures_unbroken(text)` does the same inside a text already written ("37.8 °C · 阳光花园…",
an alert's detail). Templates: `{% load temperatures %}`, `{{ r.temperature|celsius }}`,
`{{ alert.display_detail|celsius_in_text }}`. Pages only: stored texts and the API keep what
they were given.
"""

import math
import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _

from firstline.errors import InvalidInput

_TENTH = Decimal("0.1")
# After NFKC ("℃" is "°C", "３６．６" is "36.6", "，" is ","): a unit at the end, any case.
_UNIT = re.compile(r"(?:°\s*[cC]?|[cC]|度|摄氏度|攝氏度)$")


def temperature_number(value, *, field: str = "temperature") -> Decimal | None:
    """`value` as a temperature in tenths of a degree, or None when empty.

    Accepts numbers and text as people type it: "36.6", "36,6" (a comma as decimal
    separator, as many phones type it), "36.6℃", "36.6 °C", "36.6度", full-width "３６．６",
    spaces anywhere. Words ("三十七", "abc") are not a number: 422 `bad_temperature` naming
    `field` (not the same as out of range, which `temperature_parse` checks)."""
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        text = ""
    elif isinstance(value, (int, float, Decimal)):
        text = str(value)
    else:
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
        if text == "":
            return None
        text = _UNIT.sub("", text).replace(",", ".")
    try:
        t = Decimal(text).quantize(_TENTH)
    except (InvalidOperation, ValueError, TypeError):
        t = None
    if t is None or not t.is_finite():
        raise InvalidInput("bad_temperature",
                           _("Temperature must be a number such as 36.5 (got %(v)s).")
                           % {"v": str(value)[:20]}, field=field)
    return t


def temperature_bounds(on: date | None = None) -> tuple[Decimal, Decimal]:
    """(rule "temperature.min_c", rule "temperature.max_c") in force on local date `on`."""
    from firstline.rules import rule

    return (Decimal(str(rule("temperature.min_c", on=on).value)),
            Decimal(str(rule("temperature.max_c", on=on).value)))


def _decimal(value) -> Decimal:
    # Through the text: Decimal(37.3) is 37.29999…, and a float reading of 37.3 compared with
    # a Decimal threshold of 37.3 must be a fever.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _floats(*values) -> bool:
    return all(type(v) is float for v in values)


def temperature_in_range(t, low, high) -> bool:
    """Is `t` (a number) within [low, high]? The one range test (the gate passes the bounds
    it read in its one statement: floats, compared as floats — the gate's hot path)."""
    if _floats(t, low, high):
        return math.isfinite(t) and low <= t <= high
    t = _decimal(t)
    return t.is_finite() and _decimal(low) <= t <= _decimal(high)


def temperature_parse(value, *, on: date | None = None, field: str = "temperature",
                      bounds: tuple | None = None, required: bool = False) -> Decimal | None:
    """`temperature_number(value)` within the rules temperature.min_c–max_c in force on `on`
    (a typo such as 365 or 3.65 is refused, not recorded): 422 `bad_temperature` naming
    `field`. None when empty, unless `required` (then an empty value is not a number)."""
    t = temperature_number(value, field=field)
    if t is None:
        if required:
            raise InvalidInput("bad_temperature",
                               _("Temperature must be a number such as 36.5 (got %(v)s).")
                               % {"v": ""}, field=field)
        return None
    low, high = bounds or temperature_bounds(on)
    if not temperature_in_range(t, low, high):
        raise InvalidInput("bad_temperature",
                           _("Temperature must be between %(lo)s and %(hi)s °C (got %(v)s). "
                             "Check for a typo such as 365 or 3.65.")
                           % {"lo": low, "hi": high, "v": str(value)[:20]}, field=field)
    return t


def temperature_text(value) -> str:
    """A temperature as a page says it: 38.2 → "38.2\u00a0°C" (one decimal, as recorded; the
    unit joined by a no-break space). None or "" → "" (nothing recorded)."""
    if value is None or value == "":
        return ""
    return f"{_decimal(value).quantize(_TENTH, rounding=ROUND_HALF_UP)}\u00a0°C"


# A number then °C, with or without a space between (the gate's alerts write "38.1°C").
_SAID = re.compile(r"(\d)[ \u00a0]?°C")


def temperatures_unbroken(text) -> str:
    """`text` with each temperature in it said as `temperature_text` says one ("37.8 °C" and
    "37.8°C" become "37.8\u00a0°C"); the rest as it was."""
    return _SAID.sub("\\1\u00a0°C", str(text)) if text else ""


def fever_threshold(on: date | None = None) -> Decimal:
    """Rule "fever.threshold_c" in force on local date `on` (37.3 °C by default)."""
    from firstline.rules import rule

    return Decimal(str(rule("fever.threshold_c", on=on).value))


def is_fever(t, *, on: date | None = None, threshold=None) -> bool:
    """The one fever test: `t` at or over the threshold (the rule in force on `on`, or the
    `threshold` a caller already read). None is no fever."""
    if t is None:
        return False
    if threshold is not None and _floats(t, threshold):
        return math.isfinite(t) and t >= threshold
    t = _decimal(t)
    if not t.is_finite():
        return False
    limit = fever_threshold(on) if threshold is None else _decimal(threshold)
    return t >= limit


class TemperatureField(forms.CharField):
    """A form's temperature: typed as on a phone ("36,6", "36.6℃"), read by the one parser
    with today's bounds (the service checks again with the day it records); the form shows
    the parser's message on the field. An empty field is None."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 12)
        attrs = {"inputmode": "decimal", "placeholder": "36.5", "autocomplete": "off"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)
        # Length validators would run on the Decimal: the parser refuses long text anyway.
        self.validators = []

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return temperature_parse(value)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.detail, code=exc.code) from exc
