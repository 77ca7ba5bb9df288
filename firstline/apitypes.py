"""Strict types for the API where pydantic's lax coercion would change the meaning (a core
module, so every app's api.py may use it): a date or a moment is written as ISO 8601 text, never
a number (`"day": 0` is not 1970-01-01)."""

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
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


def _in_range(value):
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise PydanticCustomError("date_out_of_range",
                                  "a date from {earliest} to {latest} is required",
                                  {"earliest": EARLIEST.year, "latest": LATEST.year})
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_text("iso_date")), AfterValidator(_in_range),
                    WithJsonSchema({"type": "string", "format": "date"})]
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_text("iso_datetime")),
                        AfterValidator(_in_range), WithJsonSchema({"type": "string", "format": "date-time"})]


# A temperature as people type it: 36.6, "36.6", "36,6", "36.6℃", "３６．６" (the services
# parse it with firstline.rules.temperature, the one parser; words are a 422 bad_temperature).
# Anything else (a list, an object, null where required) is one error, "must be a number",
# rather than pydantic's two for the union ("temperature.float: ...; temperature.str: ...").
def _number_or_text(value):
    if isinstance(value, int | float | str):
        return value
    raise PydanticCustomError("temperature_type", "a number such as 36.6 is required")


TemperatureIn = Annotated[float | str, BeforeValidator(_number_or_text), WithJsonSchema({
    "anyOf": [{"type": "number"}, {"type": "string"}],
    "description": 'degrees Celsius: 36.6, "36,6", "36.6℃" or full-width digits; outside '
                   "the rules temperature.min_c–max_c (34.0–43.0) is 422 bad_temperature",
    "examples": [36.6, "36,6℃"]})]
