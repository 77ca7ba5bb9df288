"""Workbooks for the level above: the daily report form and the ledgers.

Chinese column titles (traditional when the user's language is zh-hant), numbers as numbers,
a header block saying what, where, when and who, the table header frozen.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from firstline import clock
from firstline.tabular import formula_safe

from .selectors import FIGURES, Node, Report, isolation_reasons

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEAD_FILL = PatternFill("solid", fgColor="EEF1F4")
TOTAL_FILL = PatternFill("solid", fgColor="FFF3E0")
THIN = Side(style="thin", color="B0B8C0")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def chinese():
    """Chinese titles whatever the UI language: traditional for zh-hant users."""
    return translation.override("zh-hant" if translation.get_language() == "zh-hant"
                                else "zh-hans")


def figure_titles() -> dict[str, str]:
    # Titles as an office's form has them. A context of their own: other apps translate
    # "Residents" for their own pages.
    return {
        "residents": pgettext("report figure", "Residents"),
        "households": pgettext("report figure", "Households"),
        "home_isolation": pgettext("report figure", "In home isolation"),
        "centralized_isolation": pgettext("report figure", "In centralized quarantine"),
        "isolations_started": pgettext("report figure", "Isolations started"),
        "isolations_ended": pgettext("report figure", "Isolations ended"),
        "readings_due": pgettext("report figure", "Readings due"),
        "readings_received": pgettext("report figure", "Readings received"),
        "fever_alerts": pgettext("report figure", "Fever alerts"),
        "crossings_out": pgettext("report figure", "Trips out"),
        "crossings_in": pgettext("report figure", "Trips in"),
        # Refused pass scans (quota, fever, isolation...): not 劝返, which is visitors.
        "crossings_denied": pgettext("report figure", "Pass scans refused"),
        "households_visited": pgettext("report figure", "Households visited"),
        "disinfection_rounds": pgettext("report figure", "Disinfection rounds"),
        "disinfection_overdue": pgettext("report figure", "Places overdue for disinfection"),
        "volunteers_on_duty": pgettext("report figure", "People on duty"),
        "tasks_overdue": pgettext("report figure", "HQ tasks overdue"),
        "households_informed": pgettext("report figure", "Households informed"),
        "visitors_turned_back": pgettext("report figure", "Visitors turned back"),
    }


def level_title(level: str) -> str:
    from firstline.areas.models import Level

    return str(Level(level).label) if level in Level.values else level


def _header_block(ws, title: str, lines: Sequence[str], width: int) -> int:
    ws.cell(row=1, column=1, value=formula_safe(title)).font = TITLE
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))
    for offset, line in enumerate(lines, start=2):
        ws.cell(row=offset, column=1, value=formula_safe(line))
        ws.merge_cells(start_row=offset, start_column=1, end_row=offset,
                       end_column=max(width, 1))
    return len(lines) + 3  # a blank row, then the table header


def _table(ws, header_row: int, titles: Sequence[str], rows: Iterable[Sequence],
           total_labels: set[int] = frozenset(), widths: Sequence[int] | None = None) -> int:
    for col, title in enumerate(titles, start=1):
        cell = ws.cell(row=header_row, column=col, value=formula_safe(title))
        cell.font, cell.fill, cell.border = BOLD, HEAD_FILL, BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    r = header_row
    for index, values in enumerate(rows):
        r += 1
        for col, value in enumerate(values, start=1):
            # Every text cell: a resident named =HYPERLINK(...) must not become a live
            # formula next to full ID numbers.
            cell = ws.cell(row=r, column=col, value=formula_safe(value))
            cell.border = BOX
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell.number_format = "0" if isinstance(value, int) else "0.0"
            if index in total_labels:
                cell.font, cell.fill = BOLD, TOTAL_FILL
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    for col, title in enumerate(titles, start=1):
        width = widths[col - 1] if widths and col <= len(widths) else max(8, len(str(title)) * 2)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[header_row].height = 34
    return r


def _generated_line(generated_by: str, now: datetime) -> str:
    return _("Generated by %(who)s at %(when)s (computed from recorded facts)") % {
        "who": generated_by, "when": clock.localtime(now).strftime("%Y-%m-%d %H:%M")}


def _figure_row(node: Node, categories: list[str]) -> list:
    values = [node.value(f) for f in FIGURES]
    kp = node.key_persons()
    # key persons after households, as in the contract's order; the isolations by reason
    # right after the two isolation stocks they split
    return (values[:2] + [kp.get(c, 0) for c in categories] + values[2:4]
            + list(node.isolations_by_reason().values()) + values[4:])


def _key_person_title(category: str, category_titles: dict[str, str]) -> str:
    # 重点人员台账: the ledger's facts, not the people in isolation (counted by reason).
    return _("Key-person ledger: %(category)s") % {
        "category": category_titles.get(category, category)}


def _reason_title(reason: str) -> str:
    from firstline.isolation.models import Reason

    label = Reason(reason).label if reason in Reason.values else reason
    return _("In isolation: %(reason)s") % {"reason": label}


def _figure_titles(categories: list[str], category_titles: dict[str, str]) -> list[str]:
    t = figure_titles()
    titles = [t[f] for f in FIGURES]
    kp = [_key_person_title(c, category_titles) for c in categories]
    reasons = [_reason_title(r) for r in isolation_reasons()]
    return titles[:2] + kp + titles[2:4] + reasons + titles[4:]


def figure_label(key: str, category_titles: dict[str, str] | None = None) -> str:
    """The title of one figure of the report's JSON as the workbook's column has it, in the
    active language: `disinfection_rounds`, or a nested one `key_persons.<category>` /
    `isolations_by_reason.<reason>` (how the sign-off's corrections name them). An unknown
    key is returned as it is."""
    group, _dot, sub = key.partition(".")
    if group == "key_persons" and sub:
        if category_titles is None:
            from .sources import key_person_category_titles

            category_titles = key_person_category_titles()
        return _key_person_title(sub, category_titles)
    if group == "isolations_by_reason" and sub:
        return _reason_title(sub)
    return figure_titles().get(key, key)


def daily_report_xlsx(report: Report, *, generated_by: str, now: datetime | None = None,
                      category_titles: dict[str, str] | None = None) -> bytes:
    """一日一报: one row per direct sub-area, the parent's own facts, the total; a second
    sheet lists every area of the subtree."""
    now = now or clock.now()
    root = report.root
    categories = report.key_categories
    with chinese():
        if category_titles is None:
            from .sources import key_person_category_titles

            category_titles = key_person_category_titles()
        wb = Workbook()
        ws = wb.active
        ws.title = _("Daily report")[:31]
        titles = [_("Code"), _("Area"), *_figure_titles(categories, category_titles)]
        header = _header_block(ws, _("Daily report of %(area)s") % {"area": root.name}, [
            _("Area: %(name)s (%(code)s)  Date: %(date)s") % {
                "name": root.name, "code": root.code, "date": report.day.isoformat()},
            _generated_line(generated_by, now),
        ], len(titles))
        rows = [[c.code, c.name, *_figure_row(c, categories)] for c in root.children]
        own = Node(root.id, root.code, root.name, root.level, None, root.path,
                   total={f: v for f, v in root.own.items()})
        rows.append([root.code, _("%(name)s (its own, not in a sub-area)") % {"name": root.name},
                     *_figure_row(own, categories)])
        rows.append([root.code, _("Total"), *_figure_row(root, categories)])
        _table(ws, header, titles, rows, total_labels={len(rows) - 1},
               widths=[14, 24] + [10] * (len(titles) - 2))

        detail = wb.create_sheet(_("All areas")[:31])
        titles2 = [_("Code"), _("Area"), _("Level"), _("Parent code"),
                   *_figure_titles(categories, category_titles)]
        header2 = _header_block(detail, _("Daily report of %(area)s") % {"area": root.name}, [
            _("Every area of the subtree, each with its sub-areas included. Date: %(date)s")
            % {"date": report.day.isoformat()},
            _generated_line(generated_by, now),
        ], len(titles2))
        parents = {n.id: n.code for n in report.nodes.values()}
        if root.parent_id:
            from firstline.areas.models import Area

            parents[root.parent_id] = (Area.objects.filter(pk=root.parent_id)
                                       .values_list("code", flat=True).first() or "")
        ordered = sorted(report.nodes.values(), key=lambda n: n.path)
        _table(detail, header2, titles2, [
            [n.code, n.name, level_title(n.level), parents.get(n.parent_id, ""),
             *_figure_row(n, categories)] for n in ordered],
            widths=[14, 24, 8, 14] + [10] * (len(titles2) - 4))
        buffer = io.BytesIO()
        wb.save(buffer)
    return buffer.getvalue()


def ledger_xlsx(*, title: str, lines: Sequence[str], titles: Sequence[str],
                rows: Iterable[Sequence], widths: Sequence[int] | None = None,
                sheet: str = "") -> bytes:
    """A ledger (台账): a header block and one table; rows may be a generator."""
    with chinese():
        wb = Workbook()
        ws = wb.active
        ws.title = (sheet or title)[:31]
        header = _header_block(ws, title, lines, len(titles))
        _table(ws, header, titles, rows, widths=widths)
        buffer = io.BytesIO()
        wb.save(buffer)
    return buffer.getvalue()
