"""An audit row's detail in the reader's language.

New rows keep words as facts (AuditEntry.detail_facts, firstline.texts). Rows written before,
and writers that still store a code ("masked", "valid", "stock=S1"), are read here: the known
shapes of each action's detail are said in the reader's language; anything else (a reason
typed by a person, a file name, dates) is shown as it was stored.
"""

import re

from django.utils.translation import gettext, pgettext

from firstline.texts import N_, message, render

# The same msgids as the vocabularies that wrote them (lists.Routing, residents.TipStatus):
# one translation each, in their apps' catalogues.
ROUTINGS = {"": N_("to route"), "not_ours": N_("not ours"), "unknown": N_("unknown person"),
            "other_street": N_("to another street")}
TIP_OUTCOMES = {"valid": N_("valid"), "invalid": N_("invalid"), "duplicate": N_("duplicate")}

IMPORT_SUMMARY = re.compile(r"rows (\d+), matched_by_id (\d+), matched_by_name_phone (\d+), "
                            r"matched_by_name_address (\d+), unmatched (\d+)")
ROUTE = re.compile(r"row (\d+): (\w*)(?: → (.+))?")
VERIFICATION_REASON = re.compile(r"核查 verification (\d+)")
MOVE = re.compile(r"household (\d+) -> (\d+)")
EXPORTS = ("checklist.export", "checklist.handover_export")
READS = ("resident.read_full", "resident.read_masked", "people.phone_read")


def export_detail(reason: str) -> dict:
    """A list export's detail: masked, or unmasked with its reason."""
    if not reason:
        return message(N_("masked export"))
    return message(N_("unmasked export · %(reason)s"), reason=reason)


def verification_reason(pk) -> dict:
    """Why a phone was read on the grid worker's verification items."""
    return message(N_("verification item %(id)s"), id=pk)


def _legacy(action: str, detail: str) -> str:
    if action in EXPORTS:
        if detail == "masked":
            return render(export_detail(""))
        if detail.startswith("full · "):
            return render(export_detail(detail[len("full · "):]))
    elif action == "checklist.import" and (m := IMPORT_SUMMARY.fullmatch(detail)):
        return render(message(
            N_("%(rows)s rows: %(by_id)s matched by ID number, %(by_name_phone)s by name and "
               "phone, %(by_name_address)s by name and address, %(unmatched)s unmatched"),
            rows=m[1], by_id=m[2], by_name_phone=m[3], by_name_address=m[4], unmatched=m[5]))
    elif action == "checklist.route" and (m := ROUTE.fullmatch(detail)) and m[2] in ROUTINGS:
        routing = gettext(ROUTINGS[m[2]])
        if m[3]:
            return gettext("row %(n)s: %(routing)s → %(to)s") % {"n": m[1], "routing": routing,
                                                                "to": m[3]}
        return gettext("row %(n)s: %(routing)s") % {"n": m[1], "routing": routing}
    elif action in READS:
        if m := VERIFICATION_REASON.fullmatch(detail):
            return render(verification_reason(m[1]))
        if detail == "care call":
            return pgettext("audit detail", "care call")
        if detail == "admin change page":
            return pgettext("audit detail", "admin change page")
    elif action == "tip.verify" and detail in TIP_OUTCOMES:
        return gettext(TIP_OUTCOMES[detail])
    elif action == "tip.reward_issue":
        if detail == "by_hand":
            return pgettext("audit detail", "handed over in person")
        if detail.startswith("stock="):
            return pgettext("audit detail", "from the store %(store)s") % {
                "store": detail[len("stock="):]}
    elif action == "resident.move" and (m := MOVE.fullmatch(detail)):
        return pgettext("audit detail", "household %(old)s → %(new)s") % {"old": m[1],
                                                                          "new": m[2]}
    return detail


def audit_detail(entry) -> str:
    """What the audit page and its workbook show for `entry`'s detail."""
    if entry.detail_facts:
        return render(entry.detail_facts, entry.detail)
    return _legacy(entry.action, entry.detail or "")
