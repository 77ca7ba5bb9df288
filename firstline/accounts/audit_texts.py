"""An audit row's detail in the reader's language.

New rows keep words as facts (AuditEntry.detail_facts, firstline.texts). Rows written before,
and writers that still store a code ("masked", "valid", "stock=S1"), are read here: the known
shapes of each action's detail are said in the reader's language; anything else (a reason
typed by a person, a file name, dates) is shown as it was stored.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable

from django.utils.translation import gettext, pgettext

from firstline.texts import N_, message, render

# The same msgids as the vocabularies that wrote them (lists.Routing, residents.TipStatus):
# one translation each, in their apps' catalogues.
ROUTINGS = {"": N_("to route"), "not_ours": N_("not ours"), "unknown": N_("unknown person"),
            "other_street": N_("to another street")}
TIP_OUTCOMES = {"valid": N_("valid"), "invalid": N_("invalid"), "duplicate": N_("duplicate")}

# How codes kept in details ("stock=340421100001-S") are read as names, registered by the
# app owning the things named (accounts sits below it): {"store": codes -> {code: name}}, all
# the codes of a page at once (audit_details). A code left out, or a kind without a namer,
# is shown as it was stored.
NAMERS: dict[str, Callable[[Collection[str]], dict[str, str]]] = {}

Namer = Callable[[str, str], str]  # (kind, code) -> what a person reads


def audit_namer(kind: str, names_of: Callable[[Collection[str]], dict[str, str]]) -> None:
    """Register how an audit detail's `kind` codes ("store") are said to a person."""
    NAMERS[kind] = names_of


def _name(kind: str, code: str) -> str:
    """One code named on its own (a single row; a page names its codes together)."""
    namer = NAMERS.get(kind)
    return namer({code}).get(code, code) if namer else code


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


def _legacy(action: str, detail: str, name: Namer = _name) -> str:
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
                "store": name("store", detail[len("stock="):])}
    elif action == "resident.move" and (m := MOVE.fullmatch(detail)):
        return pgettext("audit detail", "household %(old)s → %(new)s") % {"old": m[1],
                                                                          "new": m[2]}
    return detail


def audit_detail(entry, name: Namer = _name) -> str:
    """What the audit page and its workbook show for `entry`'s detail."""
    if entry.detail_facts:
        return render(entry.detail_facts, entry.detail)
    return _legacy(entry.action, entry.detail or "", name)


def audit_details(entries: Iterable) -> list[str]:
    """audit_detail of each entry, in order, the codes of all of them named together: one
    look-up per kind of code (store) however many rows name one."""
    entries = list(entries)
    wanted: dict[str, set[str]] = defaultdict(set)

    def note(kind: str, code: str) -> str:  # a first reading only gathers the codes named
        wanted[kind].add(code)
        return code

    for entry in entries:
        audit_detail(entry, note)
    known = {kind: NAMERS[kind](codes) for kind, codes in wanted.items() if kind in NAMERS}
    return [audit_detail(entry, lambda kind, code: known.get(kind, {}).get(code, code))
            for entry in entries]
