"""Roster exports: rows, masked or not, as CSV or xlsx with formula-safe cells."""

import csv
import io
import os
from collections import Counter
from pathlib import Path

from firstline.accounts.actions import AuditAction
from firstline.accounts.services import audit, require_perm
from firstline.tabular import formula_safe

from ..models import Sex
from .pii import full_read_reason, mask_id_number, mask_in_text, mask_phone

# --- exports ------------------------------------------------------------------------------

ROSTER_HEADER = ["姓名/name", "身份证号/id_number", "性别/sex", "出生日期/birth_date",
                 "手机号/phone", "网格/grid", "小区/compound", "楼栋/building", "单元/unit",
                 "房号/room", "人员类型/residency", "备注/note"]
RESIDENCY_CN = {"permanent": "常住", "temporary": "暂住", "floating": "流动"}


def roster_export_begin(*, actor, area, unmasked: bool = False, fmt: str = "csv",
                        reason_code: str = "", reason_text: str = "") -> str:
    """Check and audit a roster export. Masked needs people.export; unmasked,
    people.export_full and a reason (as a full read of one resident). The reason as read
    ("" for a masked export)."""
    require_perm(actor, "people.export")
    reason = ""
    if unmasked:
        require_perm(actor, "people.export_full")
        reason = full_read_reason(code=reason_code, text=reason_text)
    audit(actor=actor, action=AuditAction.ROSTER_EXPORT_FULL if unmasked
          else AuditAction.ROSTER_EXPORT,
          object_type="areas.area", object_id=area.code,
          detail=f"{fmt} · {reason}" if unmasked else fmt)
    return reason


def roster_rows(qs, *, unmasked: bool = False):
    """Rows for the roster export (header first); masked unless `unmasked`. Sex in the
    user's language (女/男, female/male), taken now: the rows are streamed later."""
    sexes = {code: str(label) for code, label in Sex.choices}
    return _roster_rows(qs, unmasked=unmasked, sexes=sexes)


def _roster_rows(qs, *, unmasked: bool, sexes: dict[str, str]):
    yield ROSTER_HEADER
    rows = qs.values_list("name", "id_number", "sex", "birth_date", "phone", "grid__code",
                          "household__compound__name", "household__building_name",
                          "household__unit", "household__room", "residency", "note")
    for (name, idn, sex, born, phone, grid, compound, building, unit, room, residency,
         note) in rows.order_by("grid__code", "household_id", "id").iterator(chunk_size=2000):
        yield [name, idn if unmasked else mask_id_number(idn), sexes.get(sex, sex),
               born.isoformat(),
               phone if unmasked else mask_phone(phone), grid, compound, building, unit, room,
               RESIDENCY_CN.get(residency, residency), note if unmasked else mask_in_text(note)]


def safe_cell(value):
    """Text that Excel would run as a formula (=, +, -, @ first) is prefixed with '."""
    return formula_safe(value)


def excel_text(value):
    """A long run of digits (an 18-digit ID number, a 14-digit grid code) behind a tab, so
    Excel opens it as text: as a number it shows 3.40421E+17 and, once saved, has lost the
    last digits for good. Our own import strips the tab (every cell is trimmed)."""
    if isinstance(value, str) and len(value) >= 12 and value.isdigit():
        return "\t" + value
    return value


_FORMULA_FIRST = frozenset("=+-@\t\r")


def _csv_cell(value):
    """excel_text(safe_cell(value)) in one step: a roster of 1M residents has 12M cells."""
    if value.__class__ is str and value:
        if value[0] in _FORMULA_FIRST:
            return "'" + value
        if len(value) >= 12 and value.isdigit():
            return "\t" + value
    return value


def csv_stream(rows, *, encoding: str = "utf-8-sig", lost: Counter | None = None):
    """Encode rows as CSV chunks; GBK for old Excel, UTF-8 with BOM otherwise. A character
    GBK cannot hold (emoji, a rare name character) is written as "?" and counted in `lost`."""
    buffer = io.StringIO()
    writerow = csv.writer(buffer).writerow
    cell = _csv_cell
    first = True
    for i, row in enumerate(rows):
        writerow([cell(v) for v in row])
        if i % 5000 == 4999:
            yield _encode(buffer, encoding, first, lost)
            first = False
    yield _encode(buffer, encoding, first, lost)


def _encode(buffer, encoding, first, lost: Counter | None = None):
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    if encoding == "utf-8-sig" and not first:
        return text.encode("utf-8")
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        if lost is not None:
            lost.update(ch for ch in text if not _encodable(ch, encoding))
        return text.encode(encoding, errors="replace")


def _encodable(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def xlsx_file(rows, *, title: str = "roster") -> Path:
    """Write rows to a temporary .xlsx (openpyxl write-only: flat memory)."""
    import tempfile

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    wb.save(name)
    return Path(name)
