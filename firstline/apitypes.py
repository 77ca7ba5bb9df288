"""Strict types for the API where pydantic's lax coercion would change the meaning (a core
module, so every app's api.py may use it): a date or a moment is written as ISO 8601 text, never
a number (`"day": 0` is not 1970-01-01); an id, a count or an amount in a request body is a
JSON integer, never `true` (lax mode reads it as 1: `{"household_id": true}` wrote to
household 1), `"12"` or `1.0`; a temperature is a number or text, never `true`.

Query and path parameters arrive as text, so they stay plain `int` (`?household=12`); a filter
that names nothing is a 404 in the view, not an empty list."""

import re
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    Strict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


# The errors below are pydantic errors of our own types; firstline.api.validation words them
# in the request's language, as it does pydantic's own.
def _iso_text(kind: str):
    def check(value):
        if isinstance(value, date):  # datetime is a date too; objects from our own code
            return value
        if isinstance(value, str) and _ISO_DATE.match(value.strip()):
            return value
        raise PydanticCustomError(kind, "an ISO 8601 date such as 2020-02-05 (or date-time) is "
                                        "required")
    return check


# The days this system can mean. Beyond them a date is a typo, and an extreme one does harm:
# "0001-01-01T00:00+14:00" is stored by PostgreSQL as a day BC, "9999-12-31T23:59-14:00" as
# year 10000, and every list that reads the row back fails.
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)


def day_in_range(day: date) -> bool:
    """Whether `day` is one this system can mean: the API's bound, which services and forms
    apply too (a web form's day=0001-01-01 is the same typo)."""
    return EARLIEST <= day <= LATEST


# --- a typed day, read the same way by the API, the command line and the pages --------------

def date_read(value, *, field: str, label: str = "") -> date | None:
    """A day as typed (YYYY-MM-DD; empty is none; a date or datetime from our own code passes):
    the one reading of typed text as a day. Anything else is a 422 `bad_date` naming `field`
    (said as `label`, the page's word for it, where given). No bounds: see date_parse."""
    from django.utils.translation import gettext as _

    from firstline.errors import InvalidInput

    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None or not str(value).strip():
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput("bad_date", _("%(field)s: %(value)s is not a date (YYYY-MM-DD).")
                           % {"field": label or field, "value": str(value)[:40]},
                           field=field) from None


def date_check(day: date | None, *, field: str, label: str = "") -> date | None:
    """`day` unless it is outside the days this system can mean (day_in_range): 0001-01-01 or
    9999-12-31 is a typo, and stored it made every later read of the row fail. A 422
    `bad_date` naming `field` (said as `label` where given)."""
    from django.utils.translation import gettext as _

    from firstline.errors import InvalidInput

    if day is not None and not day_in_range(day):
        raise InvalidInput("bad_date", _("%(field)s: %(value)s is not a date from %(first)d "
                                         "to %(last)d.")
                           % {"field": label or field, "value": day.isoformat(),
                              "first": EARLIEST.year, "last": LATEST.year}, field=field)
    return day


def date_parse(value, *, field: str, label: str = "") -> date | None:
    """A typed day (date_read) within the days this system can mean (date_check)."""
    return date_check(date_read(value, field=field, label=label), field=field, label=label)


def _in_range(value):
    day = value.date() if isinstance(value, datetime) else value
    if not day_in_range(day):
        raise PydanticCustomError("date_out_of_range",
                                  "a date from {earliest} to {latest} is required",
                                  {"earliest": EARLIEST.year, "latest": LATEST.year})
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_text("iso_date")), AfterValidator(_in_range),
                    WithJsonSchema({"type": "string", "format": "date"})]


def _local_when_naive(value: datetime) -> datetime:
    # "2026-12-08T09:00" (a form's datetime-local) names no offset: local time, as
    # clock.parse_moment reads a typed moment. Left naive, comparing it with an aware one (a
    # shift's, the other end of the span) was a TypeError and a 500.
    from firstline import clock

    return value.replace(tzinfo=clock.zone()) if value.tzinfo is None else value


IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text("iso_datetime")),
                        AfterValidator(_in_range), AfterValidator(_local_when_naive),
                        WithJsonSchema({"type": "string", "format": "date-time"})]


# A row named in a request body (`household_id`, `place_id`, ...): a JSON integer from 1.
Id = Annotated[int, Strict(), Field(ge=1)]
# A count or an amount in a request body (`quantity`, `days`, `beds`): a JSON integer; each
# field gives its own bounds (`Int = Field(3, ge=1, le=24)`).
Int = Annotated[int, Strict()]


# A temperature as people type it: 36.6, "36.6", "36,6", "36.6℃", "３６．６" (the services
# parse it with firstline.rules.temperature, the one parser; words are a 422 bad_temperature).
# Anything else (true/false, a list, an object, null where required) is one error, "must be
# a number", rather than pydantic's two for the union ("temperature.float: ...; ..."). JSON
# true is a Python bool, which is an int: lax float would read it as 1.0 degrees.
def _number_or_text(value):
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        return value
    raise PydanticCustomError("temperature_type", "a number such as 36.6 is required")


TemperatureIn = Annotated[float | str, BeforeValidator(_number_or_text), WithJsonSchema({
    "anyOf": [{"type": "number"}, {"type": "string"}],
    "description": 'degrees Celsius: 36.6, "36,6", "36.6℃" or full-width digits; outside '
                   "the rules temperature.min_c–max_c (34.0–43.0) is 422 bad_temperature",
    "examples": [36.6, "36,6℃"]})]

def _not_bool(value):
    if isinstance(value, bool):
        raise PydanticCustomError("temperature_type", "a number such as 36.6 is required")
    return value


# A temperature where the contract says number|null (POST /gate/scans): lax as before ("36.6"
# is still read), but never true/false.
TemperatureNumber = Annotated[float, BeforeValidator(_not_bool)]


# The device's id of one create (CONTRACT.md "Faults"), optional: sent again (a retry on a bad
# network, a form sent twice) it writes nothing and answers 200 with the first answer; the same
# id for another thing is 409 `event_id_reused`. firstline.db.create_once keeps the rule.
EventId = Annotated[UUID | None, Field(description=(
    "optional, the device's UUID for this create: sent again it writes nothing and answers "
    "200 with the first answer; the same id for something else is 409 event_id_reused"))]


# Something named by its code or by its id (`store` on /stock/*: CONTRACT.md "CODE-or-id"):
# text, as before (the selector tries the code, then the id), or a JSON integer from 1, which
# is an id and nothing else: kept an int, so a store whose code is "5" is never taken for id 5.
# true/false (a bool is an int to Python), 1.0, 0 and lists are a 422.
def _code_or_id(value):
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise PydanticCustomError("code_or_id_type", "a code (text) or an id (a whole number from 1) "
                                                 "is required")


def CodeOrId(max_length: int):  # noqa: N802 (a type, as the others here)
    return Annotated[Annotated[str, StringConstraints(max_length=max_length)] | int,
                     BeforeValidator(_code_or_id),
                     WithJsonSchema({"anyOf": [{"type": "string", "maxLength": max_length},
                                               {"type": "integer", "minimum": 1}],
                                     "description": "a code, or an id"})]
