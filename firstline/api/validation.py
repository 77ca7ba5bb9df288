"""The words of a 422 `invalid`: pydantic's errors, keyed by their `type`, told in the request's
language (LocaleMiddleware: the user's setting, else Accept-Language) — the one table of them.

pydantic's own `msg` is English only ("Field required", "Input should be a valid integer"); a
zh-hans client got those. Each entry here turns an error's `ctx` (max_length, ge, expected...)
into our own gettext message; a type not listed keeps pydantic's msg. The field's location stays
the JSON key names (`scans.0.temperature`): clients need them, so they are never translated.
"""

import re
from collections.abc import Callable
from functools import lru_cache

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from firstline.plaintext import REFUSED_CLASS, char_code, refused_char, unchecked

C = "API validation"  # the msgctxt of every message below


def _choices(ctx: dict) -> str:
    # pydantic's ctx["expected"] is English prose: "'home' or 'centralized'", "'a', 'b' or 'c'".
    parts = [p.strip() for p in re.split(r", | or ", str(ctx["expected"])) if p.strip()]
    return ", ".join(p[1:-1] if len(p) > 1 and p[0] == p[-1] == "'" else p for p in parts)


def _text_too_short(ctx: dict) -> str:
    if ctx["min_length"] == 1:
        return pgettext(C, "must not be empty")
    return pgettext(C, "too short: at least %(n)s characters") % {"n": ctx["min_length"]}


def _whole_number(ctx): return pgettext(C, "must be a whole number")
def _number(ctx): return pgettext(C, "must be a number")
def _boolean(ctx): return pgettext(C, "must be true or false")
def _text(ctx): return pgettext(C, "must be text")
def _date(ctx): return pgettext(C, "must be a date such as 2020-02-05")
def _list(ctx): return pgettext(C, "must be a list")
def _object(ctx): return pgettext(C, "must be a JSON object")
def _uuid(ctx): return pgettext(C, "must be a UUID such as 123e4567-e89b-12d3-a456-426614174000")
def _own_words(ctx): return str(ctx.get("error", ""))  # our validators' ValueError, translated


def _datetime(ctx):
    return pgettext(C, "must be a date and time such as 2020-02-05T09:00:00+08:00")


MESSAGES: dict[str, Callable[[dict], str]] = {
    "missing": lambda ctx: pgettext(C, "required"),
    # numbers
    "int_type": _whole_number,
    "int_parsing": _whole_number,
    "int_from_float": lambda ctx: pgettext(C, "must be a whole number, without decimals"),
    "int_parsing_size": lambda ctx: pgettext(C, "the number is too large"),
    "float_type": _number,
    "float_parsing": _number,
    "decimal_type": _number,
    "decimal_parsing": _number,
    "finite_number": lambda ctx: pgettext(C, "must be a finite number"),
    "decimal_max_digits": lambda ctx: pgettext(
        C, "at most %(n)s digits") % {"n": ctx["max_digits"]},
    "decimal_max_places": lambda ctx: pgettext(
        C, "at most %(n)s decimal places") % {"n": ctx["decimal_places"]},
    "decimal_whole_digits": lambda ctx: pgettext(
        C, "at most %(n)s digits before the decimal point") % {"n": ctx["whole_digits"]},
    "greater_than": lambda ctx: pgettext(
        C, "must be greater than %(limit)s") % {"limit": ctx["gt"]},
    "greater_than_equal": lambda ctx: pgettext(
        C, "must be at least %(limit)s") % {"limit": ctx["ge"]},
    "less_than": lambda ctx: pgettext(
        C, "must be less than %(limit)s") % {"limit": ctx["lt"]},
    "less_than_equal": lambda ctx: pgettext(
        C, "must be at most %(limit)s") % {"limit": ctx["le"]},
    "multiple_of": lambda ctx: pgettext(
        C, "must be a multiple of %(n)s") % {"n": ctx["multiple_of"]},
    # true / false
    "bool_type": _boolean,
    "bool_parsing": _boolean,
    # text
    "string_type": _text,
    "string_sub_type": _text,
    "string_unicode": lambda ctx: pgettext(C, "must be valid Unicode text"),
    "string_too_short": _text_too_short,
    "string_too_long": lambda ctx: pgettext(
        C, "too long: at most %(n)s characters") % {"n": ctx["max_length"]},
    "string_pattern_mismatch": lambda ctx: pgettext(C, "is not in the expected format"),
    # choices
    "literal_error": lambda ctx: pgettext(
        C, "must be one of: %(choices)s") % {"choices": _choices(ctx)},
    "enum": lambda ctx: pgettext(C, "must be one of: %(choices)s") % {"choices": _choices(ctx)},
    # dates and times
    "date_type": _date,
    "date_parsing": _date,
    "date_from_datetime_parsing": _date,
    "date_from_datetime_inexact": lambda ctx: pgettext(
        C, "must be a date without a time of day, such as 2020-02-05"),
    "datetime_type": _datetime,
    "datetime_parsing": _datetime,
    "datetime_from_date_parsing": _datetime,
    "datetime_object_invalid": _datetime,
    "time_type": lambda ctx: pgettext(C, "must be a time of day such as 09:00"),
    "time_parsing": lambda ctx: pgettext(C, "must be a time of day such as 09:00"),
    "timezone_aware": lambda ctx: pgettext(C, "must name its time zone, such as +08:00"),
    # our own strict dates (firstline.apitypes)
    "iso_date": _date,
    "iso_datetime": _datetime,
    "temperature_type": lambda ctx: pgettext(C, "must be a number such as 36.6"),
    "code_or_id_type": lambda ctx: pgettext(C, "must be a code (text) or an id (a whole number)"),
    "date_out_of_range": lambda ctx: pgettext(
        C, "must be a day from %(earliest)s to %(latest)s") % {
            "earliest": ctx["earliest"], "latest": ctx["latest"]},
    # containers
    "list_type": _list,
    "tuple_type": _list,
    "set_type": _list,
    "iterable_type": _list,
    "too_short": lambda ctx: pgettext(
        C, "too few items: at least %(n)s") % {"n": ctx["min_length"]},
    "too_long": lambda ctx: pgettext(
        C, "too many items: at most %(n)s") % {"n": ctx["max_length"]},
    "dict_type": _object,
    "model_type": _object,
    "model_attributes_type": _object,
    "dataclass_type": _object,
    "extra_forbidden": lambda ctx: pgettext(C, "is not a field of this request"),
    # JSON text inside a field; a body that is not JSON at all is `body_not_json` below
    "json_invalid": lambda ctx: pgettext(C, "is not valid JSON"),
    "json_type": lambda ctx: pgettext(C, "must be JSON text"),
    "uuid_type": _uuid,
    "uuid_parsing": _uuid,
    "uuid_version": _uuid,
    # a validator of ours raised ValueError(gettext text) / assert: its words, without
    # pydantic's "Value error, " prefix
    "value_error": _own_words,
    "assertion_error": _own_words,
}


def error_message(err: dict) -> str:
    """One pydantic error (as in `ValidationError.errors()`) in the active language."""
    words = MESSAGES.get(err.get("type", ""))
    if words is not None:
        try:
            text = words(err.get("ctx") or {})
        except (KeyError, TypeError, ValueError):  # a ctx we did not foresee: pydantic's words
            text = ""
        if text:
            return text
    return str(err.get("msg", ""))


_SOURCES = ("body", "query", "path", "header", "cookie", "form", "file")


def field_path(loc) -> list[str]:
    """The field's JSON name from a ninja error location: ("body", "payload", "scans", 0,
    "temperature") -> scans.0.temperature. Only the leading source and the view's parameter
    are dropped: a field may itself be called "body" (a notice's text)."""
    loc = [str(x) for x in loc]
    if loc and loc[0] in _SOURCES:
        loc = loc[1:]
        if loc and loc[0] == "payload":
            loc = loc[1:]
    return loc


def validation_detail(errors: list[dict]) -> str:
    """`field.sub: message; other: message` — the detail of a 422 `invalid`."""
    parts = []
    for err in errors:
        where = ".".join(field_path(err.get("loc", ()))) or _("request")
        parts.append(f"{where}: {error_message(err)}")
    return "; ".join(parts) or _("Invalid request.")


# What a JSON string or key may not hold, found with one search of it: the characters no typed
# text may hold (firstline.plaintext; NUL among them) and the halves of surrogate pairs
# ("\ud800": valid JSON, no character, which no database stores). In the fields left as sent
# (passwords, pass codes) only the two no database can store are looked for.
_SUSPECT = re.compile(f"[{REFUSED_CLASS}\ud800-\udfff]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# The refusals in the order they are told: a NUL anywhere in a body before a surrogate half
# anywhere, before a control character anywhere — in a string holding two, the first told.
NUL, SURROGATE, CONTROL = 0, 1, 2


def _refusal_kind(text: str, checked: bool) -> int | None:
    if (_SUSPECT if checked else _UNSTORABLE).search(text) is None:
        return None  # nearly every string: one search and done
    if "\x00" in text:
        return NUL
    if _SURROGATE.search(text) is not None:
        return SURROGATE
    return CONTROL


_left_as_sent = lru_cache(maxsize=256)(unchecked)  # a body repeats its keys: `scans.N.pass_code`


def _worth_a_look(item, checked: bool) -> bool:
    """A container, or a string holding something refused: a clean string cannot change which
    refusal is told, so the walk drops it where it is found."""
    if isinstance(item, str):
        return (_SUSPECT if checked else _UNSTORABLE).search(item) is not None
    return isinstance(item, (dict, list))


def _where(path, key=None) -> str:
    if key is None:
        return ".".join(map(str, path)) or _("request")
    shown = key.encode("utf-8", "backslashreplace").decode("utf-8")  # a key is named escaped
    return ".".join(map(str, (*path, shown.replace("\x00", "\\x00"))))


def body_refusal(data) -> str | None:
    """The detail of a 422 for parsed JSON holding a NUL character, half of a surrogate pair,
    or a character no typed text may hold (firstline.plaintext) in a string or a key, naming
    where the first of the first kind is (`scans.1.pass_code`, or the key itself, escaped) —
    else None. One walk over the body, each string searched once; the values of the fields
    left as sent (passwords, pass codes) are looked into for the first two kinds only. A
    container's keys are looked at before its values; walked without recursion: a body may be
    nested as deep as the JSON reader allows."""
    first: list = [None, None, None]  # per kind: (path, key or None, the text holding it)
    stack = [((), data, True)] if _worth_a_look(data, True) else []
    while stack and first[NUL] is None:
        path, value, checked = stack.pop()
        if isinstance(value, str):  # only the strings a search found something in get here
            kind = _refusal_kind(value, checked)
            if first[kind] is None:
                first[kind] = (path, None, value)
            continue
        children = []
        if isinstance(value, dict):
            for key, item in value.items():
                kind = _refusal_kind(key, checked)
                if kind is not None and first[kind] is None:
                    first[kind] = (path, key, key)
                    if kind == NUL:
                        return nul_detail(_where(path, key))
                item_checked = checked and not _left_as_sent(key)
                if _worth_a_look(item, item_checked):
                    children.append(((*path, key), item, item_checked))
        else:  # a list
            for index, item in enumerate(value):
                if _worth_a_look(item, checked):
                    children.append(((*path, index), item, checked))
        stack.extend(reversed(children))  # the first in the body is found first
    if first[NUL] is not None:
        return nul_detail(_where(*first[NUL][:2]))
    if first[SURROGATE] is not None:
        return surrogate_detail(_where(*first[SURROGATE][:2]))
    if first[CONTROL] is not None:
        path, key, text = first[CONTROL]
        return control_detail(_where(path, key), refused_char(text))
    return None


def control_detail(where: str, char: str) -> str:
    """`field: contains an invisible control character (U+202E)…` — the detail of a 422."""
    return f"{where}: " + pgettext(C, "contains an invisible control character (%(char)s): "
                                      "remove it") % {"char": char_code(char)}


def surrogate_detail(where: str) -> str:
    """`field: contains half of a surrogate pair…` — the detail of a 422 for one in the body."""
    return f"{where}: " + pgettext(C, "contains half of a surrogate pair (U+D800–U+DFFF), "
                                      "which is no character: remove it")


def nul_detail(where: str) -> str:
    """`field: contains a NUL character…` — the detail of a 422 for a NUL in the body or the
    query, the same words whichever the database."""
    return f"{where}: " + pgettext(C, "contains a NUL character (\\x00), which cannot be "
                                      "stored: remove it")


def body_not_json(exc: BaseException | None) -> str:
    """The detail for a request body that is not JSON at all (ninja's "Cannot parse request
    body"), pointing at the place where a JSON reader stopped — or one this server does not
    read: nested too deep, or a number of thousands of digits."""
    if isinstance(exc, RecursionError):
        return pgettext(C, "The request body is nested too deeply to read.")
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        return pgettext(C, "A number in the request body has too many digits.")
    if hasattr(exc, "lineno") and hasattr(exc, "colno"):
        return pgettext(C, "The request body is not valid JSON (line %(line)s, column "
                           "%(column)s).") % {"line": exc.lineno, "column": exc.colno}
    return pgettext(C, "The request body is not valid JSON.")
