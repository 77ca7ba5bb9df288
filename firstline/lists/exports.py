"""The way back up: the list in the sender's own columns plus 核查结果, 核查时间, 核查人."""

import os
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext as _

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.audit_texts import export_detail
from firstline.accounts.scope import has_perm
from firstline.accounts.services import audit
from firstline.people.services import full_read_reason, mask_id_number, mask_phone, safe_cell
from firstline.people.vocab import symptom_labels
from firstline.texts import N_, cell_words

from . import selectors
from .models import Checklist, Result, Routing, VStatus, handover_note


def extra_headers() -> list[str]:
    """核查结果, 核查时间, 核查人 in the language of the user who asked (as the other exports:
    the page's language), after the sender's own columns (kept as sent)."""
    return [pgettext("list export", "Verification result"),
            pgettext("list export", "Verified at"), pgettext("list export", "Verified by")]


def handover_headers() -> list[str]:
    """转至, 转办原因, 转办时间, 转办人, 对方系统内名单 in the language of the user who asked."""
    return [pgettext("list export", "Handed over to"),
            pgettext("list export", "Why handed over"),
            pgettext("list export", "Handed over at"),
            pgettext("list export", "Handed over by"),
            pgettext("list export", "Their list in Firstline")]


def _note_columns(checklist: Checklist) -> dict[int, str]:
    """A hand-over list's 转办说明 columns, {index: the street that handed the rows over}: its
    last column, and before it one for each hand-over its origin came through (a hand-over
    list handed over again). {} for a list from a file."""
    notes, index, c = {}, len(checklist.columns) - 1, checklist
    while c.handover_of_id is not None and index >= 0:
        c = c.handover_of
        notes[index] = c.street_name
        index -= 1
    return notes


def sender_headers(checklist: Checklist, notes: dict[int, str]) -> list[str]:
    """The list's own headers as the sender sent them; a hand-over list's 转办说明 (`notes`:
    _note_columns; ours, not a sender's: stored in the site's words) in the language of the
    user who asked."""
    return [pgettext("list export", "Hand-over note") if i in notes else header
            for i, header in enumerate(checklist.columns)]


def _stem(checklist: Checklist) -> str:
    if checklist.from_case:  # our own file name ("case-N"): the list's title instead
        return checklist.title
    return Path(checklist.filename or f"list-{checklist.pk}").stem


def export_filename(checklist: Checklist) -> str:
    """The answered list's file name, in the language of the user who asked."""
    return f"{_stem(checklist)}-{pgettext('list export', 'verification results')}.xlsx"


def handover_filename(checklist: Checklist) -> str:
    """The hand-over list's file name (转办清单), in the language of the user who asked."""
    return f"{_stem(checklist)}-{pgettext('list export', 'handover list')}.xlsx"


SOURCES = {"visit": N_("taken from a screening visit"),
           "reading": N_("taken from a self-report in isolation")}


def _found_text(v) -> str:
    """What the worker found, in words: the outcome, then temperature, where from, when
    back, the note and where the answer was taken from — never an internal reference."""
    parts = [str(Result(v.result).label)]
    if v.temperature is not None:
        parts.append(_("temperature %(t)s ℃") % {"t": v.temperature})
    origin = " ".join(p for p in (v.from_province, v.from_city) if p)
    if origin:
        parts.append(_("came from %(place)s") % {"place": origin})
    if v.returned_on is not None:
        parts.append(_("returned on %(day)s") % {"day": v.returned_on.isoformat()})
    if v.symptoms:
        parts.append(_("symptoms: %(s)s") % {"s": symptom_labels(v.symptoms)})
    if v.note:
        parts.append(_("note: %(note)s") % {"note": v.note})
    kind = v.source.partition(":")[0]
    if kind in SOURCES:
        parts.append(gettext(SOURCES[kind]))
    return pgettext("list separator", "; ").join(parts)


def _result_text(row) -> tuple[str, str, str]:
    """核查结果, 核查时间, 核查人 of one row (in the language active: the export's)."""
    v = row.verification
    if row.resident_id is None:
        # A row handed over: when and by whom, in the columns an answer's when and who go in
        # (as the hand-over list's 转办时间 and 转办人 say them).
        who = ""
        if row.routing == Routing.OTHER_STREET and row.routed_to_name:
            where = _("handed over to %(to)s") % {"to": row.routed_to_name}
            when = clock.localtime(row.routed_at).strftime("%Y-%m-%d %H:%M") \
                if row.routed_at else ""
            who = _person(row.routed_by)
        else:
            where = str(Routing(row.routing).label if row.routing else Routing.PENDING.label)
            when = ""
        # why: the street's own note when it gave one, else why the row matched nobody
        why = row.route_note or row.reason_shown
        if why:
            where = _("%(routing)s: %(note)s") % {"routing": where, "note": why}
        return _("unmatched (%(why)s)") % {"why": where}, when, who
    if v is None or v.status != VStatus.DONE:
        return _("not verified yet"), "", ""
    return (_found_text(v), clock.localtime(v.answered_at).strftime("%Y-%m-%d %H:%M"),
            _person(v.answered_by))


def _person(user) -> str:
    """A user as the exports name them: the display name, else the username."""
    return (user.display_name or user.username) if user is not None else ""


def checklist_rows(checklist: Checklist, *, full: bool, user=None):
    """Header then one row per list row: the cells as sent, then the answer (in the active
    language: the user's who asked). Without `full` the ID-number and phone columns are
    masked."""
    notes = _note_columns(checklist)
    yield [*sender_headers(checklist, notes), *extra_headers()]
    for row in selectors.checklist_rows_for_export(checklist, user).iterator(chunk_size=2000):
        found, when, who = _result_text(row)
        yield [*_sender_cells(checklist, row, full=full, notes=notes), cell_words(found), when,
               who]


def _sender_cells(checklist, row, *, full: bool, notes: dict[int, str]) -> list:
    """A row's cells as the sender sent them, one per column; without `full` the ID-number
    and phone columns masked (the one mask functions); a hand-over list's 转办说明 (`notes`:
    _note_columns) in the active language."""
    width = len(checklist.columns)
    cells = (list(row.values) + [""] * width)[:width]
    if not full:
        for key, mask in (("id_number", mask_id_number), ("phone", mask_phone)):
            col = checklist.mapping.get(key)
            if col is not None and cells[col]:
                cells[col] = mask(cells[col])
    for col, street in notes.items():
        cells[col] = handover_note(cells[col], street)
    return cells


def checklist_export_reason(*, actor, reason_code: str = "", reason_text: str = "",
                            required: bool = False) -> str:
    """The why of an unmasked list export, or "" for the masked one (no reason given, and
    none `required`: 422). A reason needs people.export_full (403 without it) and must be one of
    the listed reasons (422 naming `reason`, as the roster export:
    people.services.full_read_reason)."""
    given = bool((reason_code or "").strip() or (reason_text or "").strip())
    if not given and not required:
        return ""
    if given and not has_perm(actor, "people.export_full"):
        raise PermissionDenied(_("Your role does not allow unmasked exports."))
    return full_read_reason(code=(reason_code or "").strip(), text=reason_text or "")


def checklist_xlsx(*, checklist: Checklist, actor, reason: str = "") -> Path:
    """Every cell a spreadsheet could read as a formula is escaped (safe_cell). ID numbers
    and phones are masked unless a `reason` is given (checklist_export_reason: it needs
    people.export_full); then the cells are as the sender sent them. Either way the export
    is audited, once, the unmasked one with its reason."""
    from openpyxl import Workbook

    full = bool(reason)
    if full and not has_perm(actor, "people.export_full"):
        raise PermissionDenied(_("Your role does not allow unmasked exports."))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(pgettext("list export", "verification results")[:31])
    for row in checklist_rows(checklist, full=full, user=actor):
        ws.append([safe_cell(v) for v in row])
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    wb.save(name)
    audit(actor=actor, action=AuditAction.CHECKLIST_EXPORT, obj=checklist,
          detail=export_detail(reason if full else ""))
    return Path(name)


def handover_xlsx(*, checklist: Checklist, actor, reason: str = "") -> Path:
    """转办清单: the rows handed over to another street, in the sender's columns plus where
    to, why, when, by whom and (for a street in Firstline) the list they joined there — for a
    street outside Firstline, the file to send. Masked and escaped as the list's export:
    unmasked only with a `reason` (checklist_export_reason), audited with it."""
    from openpyxl import Workbook

    full = bool(reason)
    if full and not has_perm(actor, "people.export_full"):
        raise PermissionDenied(_("Your role does not allow unmasked exports."))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(pgettext("list export", "handover list")[:31])
    notes = _note_columns(checklist)
    ws.append([safe_cell(v) for v in [*sender_headers(checklist, notes), *handover_headers()]])
    for row in selectors.handed_over_rows(checklist):
        cells = _sender_cells(checklist, row, full=full, notes=notes)
        who = _person(row.routed_by)
        when = clock.localtime(row.routed_at).strftime("%Y-%m-%d %H:%M") if row.routed_at \
            else ""
        ws.append([safe_cell(v) for v in [*cells, row.routed_to_name, row.route_note, when,
                                          who, row.handed_over_id or ""]])
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    wb.save(name)
    audit(actor=actor, action=AuditAction.CHECKLIST_HANDOVER_EXPORT, obj=checklist,
          detail=export_detail(reason if full else ""))
    return Path(name)
