"""The one phone normaliser, on `phonenumbers` (issue 12.2). Public as
`people.services.phone_normalize`; the roster importer (inside people) imports it from here.

The stored form: a mainland mobile as its 11 digits ("13800138000"); a landline, where the
caller allows one, as its national digits with the trunk 0 ("055162661234"). Typed any way:
"+86 138-0013-8000", "0086 13800138000", "86 13800138000", "１３８ ００１３ ８０００",
"(0551) 6266-1234".
"""

import re
import unicodedata

import phonenumbers
from django.utils.translation import gettext as _
from phonenumbers import PhoneNumberType

from firstline.errors import InvalidInput

# Separators people type between digit groups; anything else (letters, "x") is not a number.
_JUNK = re.compile(r"[\s\-().\u00b7/]")
_ALLOWED = re.compile(r"\+?\d+")
# A mainland mobile as the metadata defines it (phonenumbers' own CN mobile pattern): the
# common case checked without a full parse (a parse costs ~0.2 ms: a minute per 300k rows).
_CN = phonenumbers.PhoneMetadata.metadata_for_region("CN")
_MOBILE = re.compile(_CN.mobile.national_number_pattern)
_LANDLINE = (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _bad(field: str, landline: bool) -> InvalidInput:
    if landline:
        return InvalidInput("bad_phone", _("%(field)s: use a mainland mobile number (11 digits) "
                                           "or a landline with its area code.")
                            % {"field": field}, field=field)
    return InvalidInput("bad_phone", _("Phone invalid: use an 11-digit mainland mobile number."),
                        field=field)


def phone_normalize(value, *, field: str = "phone", landline: bool = False,
                    lenient: bool = False, required: bool = False) -> str:
    """`value` in the stored form, "" when empty; 422 `bad_phone` naming `field` otherwise.

    `landline`: a fixed line with its area code is accepted too (columns wide enough).
    `lenient`: return the cleaned digits instead of refusing (matching a list's column
    against the roster: a wrong number simply matches nothing)."""
    text = _JUNK.sub("", unicodedata.normalize("NFKC", str(value or "")))
    if not text:
        if required:
            raise _bad(field, landline)
        return ""
    if _ALLOWED.fullmatch(text):
        national = text
        for prefix in ("+86", "0086"):
            if national.startswith(prefix):
                national = national[len(prefix):]
                break
        else:
            if national.startswith("86") and len(national) == 13:
                national = national[2:]
        if len(national) == 11 and national[0] == "1" and _MOBILE.fullmatch(national):
            return national
        try:
            number = phonenumbers.parse(text, "CN")
        except phonenumbers.NumberParseException:
            number = None
        if (number is not None and number.country_code == 86
                and phonenumbers.is_valid_number(number)):
            digits = str(number.national_number)
            kind = phonenumbers.number_type(number)
            if kind == PhoneNumberType.MOBILE:
                return digits
            # With its area code (2-3 digits after the trunk 0): a bare 7-8 digit local
            # number could be any city's.
            if landline and kind in _LANDLINE and len(digits) >= 9 and (
                    text.startswith(("0", "+86", "0086"))):
                return "0" + digits
    if lenient:
        return text
    raise _bad(field, landline)
