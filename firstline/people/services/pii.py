"""Masking of ID numbers and phones, and full reads of them (one audit row each)."""

import os
import re
import unicodedata
from collections.abc import Callable

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from firstline.accounts.actions import AuditAction
from firstline.accounts.scope import in_scope
from firstline.accounts.services import audit, require_perm
from firstline.errors import InvalidInput
from firstline.people.phones import phone_normalize
from firstline.texts import is_message

# --- masking ------------------------------------------------------------------------------


def mask_id_number(value: str) -> str:
    """110***********123X: the region's first 3 and the last 4 characters (spaces typed
    between the groups are not characters of the number)."""
    value = "".join(str(value or "").split())
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678, however the number was typed: normalized first (phone_normalize,
    lenient), so "130 2628 9268" and "+86 130-2628-9268" mask as 130****9268, never with
    the separators counted as hidden digits. Words with no digit or numeral at all ("电话空号",
    "无", "拒绝提供": a sender's note in the phone column) are no number to hide and are
    shown as they are; anything holding one (a full-width digit, a Chinese numeral "一三八…")
    is masked as a number."""
    if not value:
        return ""
    if not any(c.isnumeric() for c in str(value)):
        return str(value)
    text = phone_normalize(value, landline=True, lenient=True)
    value = re.sub(r"\D", "", text) or text  # numerals but no digit: all of it hidden
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


# An ID number (17 digits and a digit or X) or a mainland mobile (11 digits from 13-19, maybe
# +86 before it, maybe typed in groups 3-4-4) standing alone inside free text.
_PII_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(?:(?P<id>\d{17}[\dXx])"
    r"|(?P<phone>(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}))(?![0-9A-Za-z])")


def mask_in_text(text: str) -> str:
    """Free text (a note, a tip) with every ID number and mobile typed into it masked by the
    one mask function: "联系 13812345678" → "联系 138****5678". Lists show this."""
    if not text:
        return text or ""

    def masked(m):
        return mask_id_number(m["id"]) if m["id"] else mask_phone(m["phone"])

    return _PII_IN_TEXT.sub(masked, str(text))


# --- full reads ---------------------------------------------------------------------------


FULL_READ_REASONS = [  # why a full ID number and phone are needed (shown as a short select)
    ("verify_identity", pgettext_lazy("full read reason", "Verify identity")),
    ("contact", pgettext_lazy("full read reason", "Contact the person")),
    ("transfer", pgettext_lazy("full read reason", "Transfer to isolation")),
    ("other", pgettext_lazy("full read reason", "Other")),
]
REASON_MAX = 100
# The API's resident read answers the full record (CONTRACT.md) even when no reason is given;
# its audit row then says so, in the default language, for the auditor to find.
API_NO_REASON = "未说明原因（API 读取）"


def full_read_reason(*, code: str = "", text: str = "", required: bool = True) -> str:
    """The audit row's "why": the chosen reason's label (in the default language, so every
    auditor reads the same words) and the free text, which `other` requires."""
    code, text = (code or "").strip(), " ".join((text or "").split())
    labels = dict(FULL_READ_REASONS)
    # Blanks were collapsed just above; what is left of control and format characters (C0,
    # DEL, C1, a right-to-left override that would make the audit page read backwards) is refused.
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in text):
        raise InvalidInput("bad_reason", _("Reason: contains a control character: remove it."),
                           field="reason_text")
    if len(text) > REASON_MAX:
        raise InvalidInput("bad_reason", _("Reason: at most %(n)d characters.")
                           % {"n": REASON_MAX}, field="reason_text")
    if not code and not text:
        if required:
            raise InvalidInput("reason_required",
                               _("Reason: choose why you need the full ID number and phone."),
                               field="reason")
        return ""
    if code and code not in labels:
        raise InvalidInput("bad_reason", _("Reason: choose one of the listed reasons."),
                           field="reason")
    if code == "other" and not text:
        raise InvalidInput("reason_required", _("Reason: describe the other reason."),
                           field="reason_text")
    if not code or code == "other":
        return text
    with translation.override(settings.LANGUAGE_CODE):
        label = str(labels[code])
    return f"{label}: {text}" if text else label


PII_FIELDS = ("id_number", "phone")

# Narrow grants of one resident's PHONE (never the ID number) to a reader without
# people.view_full, each judged by the app owning the record that justifies it — people
# cannot import those apps, which sit above it: {name: predicate(actor=, resident=, key=)}.
# assistance registers "errand": the volunteer an open errand is assigned to may ring the
# isolated residents of its household (docs/assistance.md "My tasks").
PHONE_GRANTS: dict[str, Callable[..., bool]] = {}


def phone_grants_subscribe(name: str, predicate: Callable[..., bool]) -> None:
    """`predicate(actor=, resident=, key=)` says whether pii_read may give `actor` the phone
    of `resident` for the grant (name, key); called from the owning app's AppConfig.ready."""
    PHONE_GRANTS[name] = predicate


def _phone_granted(actor, resident, fields, grant) -> bool:
    if grant is None or fields != ("phone",):
        return False
    name, key = grant
    predicate = PHONE_GRANTS.get(name)
    return predicate is not None and bool(predicate(actor=actor, resident=resident, key=key))


def pii_read(actor, resident, fields, reason: str | dict, via: str = "web", *,
             action: AuditAction = AuditAction.RESIDENT_READ_FULL,
             grant: tuple[str, int] | None = None) -> dict[str, str]:
    """The only way to a resident's full ID number or phone: {field: value} for `fields`
    (of PII_FIELDS), for a reader holding people.view_full through a role covering the
    resident's grid — or, for the phone alone, one `grant` (name, key) of PHONE_GRANTS that
    its owner's predicate allows (an open errand of the reader's: ("errand", id)) — with a
    reason (422 `reason_required` naming `reason` when empty), and exactly one audit row
    (who, whom, when, why, via). Pages, the API, the phone reveals and the list items all
    come here; tests/test_pii.py finds any other reader of these fields."""
    fields = tuple(fields)
    unknown = set(fields) - set(PII_FIELDS)
    if not fields or unknown:
        raise ValueError(f"pii_read: fields must be of {PII_FIELDS}, got {fields}")
    if not (in_scope(actor, resident.grid, "people.view_full")
            or _phone_granted(actor, resident, fields, grant)):
        # view_full held through a role elsewhere does not unmask here.
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Your role does not allow this action."))
    if not is_message(reason):  # a message (firstline.texts) is said in the auditor's language
        reason = " ".join(str(reason or "").split())
    if not reason:
        raise InvalidInput("reason_required",
                           _("Reason: choose why you need the full ID number and phone."),
                           field="reason")
    audit(actor=actor, action=action, obj=resident, via=via, detail=reason)
    return {f: getattr(resident, f) for f in fields}


def resident_read(*, actor, resident, via: str = "web", unmask: bool = True,
                  reason: str = "") -> dict[str, str] | None:
    """Record a read of one resident's record: the full ID number and phone (pii_read, which
    needs a reason) when `unmask` is asked and the reader holds people.view_full over the
    resident's grid; else None and a masked read is audited."""
    if unmask and in_scope(actor, resident.grid, "people.view_full"):
        return pii_read(actor, resident, PII_FIELDS, reason, via)
    audit(actor=actor, action=AuditAction.RESIDENT_READ_MASKED, obj=resident, via=via,
          detail=reason)
    return None


def resident_search_audit(*, actor, found, count: int, via: str = "admin") -> None:
    """One audit row for a search of the residents that matches ID numbers and phones (the
    Django admin's, which no area limits), about the narrowest area holding every resident
    `found` (a queryset): the audit page shows it to the auditors of that area, as it shows
    an export of an area (people.selectors.audit_entries_visible_to). Nothing found, or
    residents of two trees: about no area, shown to the auditors of a whole tree (a root).
    The search term itself is never written: it may be an ID number."""
    from firstline.areas.models import Area

    paths = [p.strip("/").split("/")
             for p in found.order_by().values_list("grid__path", flat=True).distinct()]
    common = os.path.commonprefix(paths) if paths else []
    code = ""
    if common:
        code = Area.objects.filter(path="/" + "/".join(common) + "/").values_list(
            "code", flat=True).first() or ""
    audit(actor=actor, action=AuditAction.RESIDENT_SEARCH_FULL, object_type="areas.area",
          object_id=code, detail=f"admin search: {count} rows", via=via)


def resident_read_full(*, actor, resident, reason_code: str, reason_text: str = "",
                       via: str = "web") -> dict[str, str]:
    """The "show full ID and phone" control: needs people.view_full and a reason."""
    require_perm(actor, "people.view_full")
    reason = full_read_reason(code=reason_code, text=reason_text)
    return pii_read(actor, resident, PII_FIELDS, reason, via)
