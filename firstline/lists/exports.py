"""The way back up: the list in the sender's own columns plus 核查结果, 核查时间, 核查人."""

import os
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext as _

from firstline import clock
from firstline.accounts.actions import AuditAction
from firstline.accounts.audit_texts import export_detail
from firstline.accounts.scope import has_perm
from firstline.accounts.services import audit
from firstline.people.services import full_read_reason, mask_id_number, mask_phone, safe_cell
from firstline.people.vocab import symptom_labels
from firstline.texts import N_

from . import selectors
from .models import Checklist, Result, Routing, VStatus

EXTRA = ["核查结果", "核查时间", "核查人"]


def export_filename(checklist: Checklist) -> str:
    stem = Path(checklist.filename or f"list-{checklist.pk}").stem
    return f"{stem}-核查结果.xlsx"


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
        if row.routing == Routing.OTHER_STREET and row.routed_to_name:
            where = _("handed over to %(to)s") % {"to": row.routed_to_name}
            when = clock.localtime(row.routed_at).strftime("%Y-%m-%d %H:%M") \
                if row.routed_at else ""
        else:
            where = str(Routing(row.routing).label if row.routing else Routing.PENDING.label)
            when = ""
        if row.route_note:
            where = _("%(routing)s: %(note)s") % {"routing": where, "note": row.route_note}
        return _("unmatched (%(why)s)") % {"why": where}, when, ""
    if v is None or v.status != VStatus.DONE:
        return _("not verified yet"), "", ""
    who = ""
    if v.answered_by is not None:
        who = v.answered_by.display_name or v.answered_by.username
    return _found_text(v), clock.localtime(v.answered_at).strftime("%Y-%m-%d %H:%M"), who


def checklist_rows(checklist: Checklist, *, full: bool, user=None):
    """Header then one row per list row: the cells as sent, then the answer. Without `full`
    the ID-number and phone columns are masked."""
    yield [*checklist.columns, *EXTRA]
    id_col = checklist.mapping.get("id_number")
    phone_col = checklist.mapping.get("phone")
    width = len(checklist.columns)
    with translation.override("zh-hans"):
        for row in selectors.checklist_rows_for_export(checklist, user).iterator(
                chunk_size=2000):
            cells = (list(row.values) + [""] * width)[:width]
            if not full:
                if id_col is not None and cells[id_col]:
                    cells[id_col] = mask_id_number(cells[id_col])
                if phone_col is not None and cells[phone_col]:
                    cells[phone_col] = mask_phone(cells[phone_col])
            yield [*cells, *_result_text(row)]


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
    ws = wb.create_sheet("核查结果")
    for row in checklist_rows(checklist, full=full, user=actor):
        ws.append([safe_cell(v) for v in row])
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    wb.save(name)
    audit(actor=actor, action=AuditAction.CHECKLIST_EXPORT, obj=checklist,
          detail=export_detail(reason if full else ""))
    return Path(name)


HANDOVER_EXTRA = ["转至", "转办原因", "转办时间", "转办人", "对方系统内名单"]


def handover_xlsx(*, checklist: Checklist, actor, reason: str = "") -> Path:
    """转办清单: the rows handed over to another street, in the sender's columns plus where
    to, why, when, by whom and (for a street in Firstline) the list they joined there — for a
    street outside Firstline, the file to send. Masked and escaped as the list's export:
    unmasked only with a `reason` (checklist_export_reason), audited with it."""
    from openpyxl import Workbook

    full = bool(reason)
    if full and not has_perm(actor, "people.export_full"):
        raise PermissionDenied(_("Your role does not allow unmasked exports."))
    id_col = checklist.mapping.get("id_number")
    phone_col = checklist.mapping.get("phone")
    width = len(checklist.columns)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("转办清单")
    ws.append([safe_cell(v) for v in [*checklist.columns, *HANDOVER_EXTRA]])
    for row in selectors.handed_over_rows(checklist):
        cells = (list(row.values) + [""] * width)[:width]
        if not full:
            if id_col is not None and cells[id_col]:
                cells[id_col] = mask_id_number(cells[id_col])
            if phone_col is not None and cells[phone_col]:
                cells[phone_col] = mask_phone(cells[phone_col])
        who = (row.routed_by.display_name or row.routed_by.username) if row.routed_by else ""
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
