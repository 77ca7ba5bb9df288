"""The roster file to start from: the import page's "download a template".

The header row is in the user's language, in words the importer reads (RESIDENT_COLUMNS:
a test holds every title to it); one example row, made up but valid, placed in the user's
own first grid (in their people.import scope) and a compound and address of it, so a dry
run of the untouched template reads it without an error; an .xlsx also carries a second
sheet, what each column takes (the import reads the first sheet only). Every cell is
escaped as every export escapes it.
"""

import io

from django.utils.translation import get_language, override, pgettext
from django.utils.translation import gettext as _

from firstline.accounts.scope import area_scope
from firstline.areas.models import Area, Level
from firstline.tabular import formula_safe

from ..importer import EXAMPLE_ID_NUMBER, MAX_LEN, REQUIRED, RESIDENT_COLUMNS
from ..models import Compound, Household
from .exports import csv_stream

# The header titles per language, in RESIDENT_COLUMNS' order. Not translated through gettext:
# each must be a title the importer reads, whatever a translator writes.
TEMPLATE_HEADERS = {
    "zh-hans": ["姓名", "身份证号", "手机号", "网格", "小区", "楼栋", "单元", "房号", "人员类型",
                "备注"],
    "zh-hant": ["姓名", "身分證號", "手機號碼", "網格", "小區", "樓棟", "單元", "房號", "人員類型",
                "備註"],
    "en": list(RESIDENT_COLUMNS),
}
# The residency words the importer reads (models.RESIDENCY_ALIASES), per language.
RESIDENCY_WORDS = {
    "zh-hans": ["常住", "暂住", "流动"],
    "zh-hant": ["常住", "暫住", "流動"],
    "en": ["permanent", "temporary", "floating"],
}
EXAMPLE_NAMES = {"zh-hans": "示例居民", "zh-hant": "示例居民", "en": "Example Resident"}

# China Mobile's service number, the placeholder every Chinese form shows.
EXAMPLE_PHONE = "13800138000"


def template_language(language: str | None = None) -> str:
    """zh-hans, zh-hant or en: the active language (or `language`) as the template knows it."""
    code = (language or get_language() or "zh-hans").lower()
    if code.startswith("en"):
        return "en"
    if code in ("zh-hant", "zh-tw", "zh-hk", "zh-mo"):
        return "zh-hant"
    return "zh-hans"


def _first_grid(actor) -> Area | None:
    return (Area.objects.filter(area_scope(actor, None, "people.import"), level=Level.GRID)
            .order_by("path").first())


def _example_address(grid: Area | None) -> tuple[str, str, str, str]:
    """(compound, building, unit, room) for the example row: the grid's first household; else
    a compound of its community and a room no household of another grid holds."""
    if grid is None:
        return pgettext("roster template", "Example Compound"), "1", "1", "101"
    household = (Household.objects.filter(grid=grid).select_related("compound")
                 .order_by("id").first())
    if household is not None:
        return (household.compound.name, household.building_name, household.unit,
                household.room)
    compound = (Compound.objects.filter(area_id=grid.parent_id or grid.pk)
                .order_by("name").values_list("id", "name").first())
    if compound is None:
        return pgettext("roster template", "Example Compound"), "1", "1", "101"
    taken = set(Household.objects.filter(compound_id=compound[0], building_name="1", unit="1")
                .values_list("room", flat=True))
    room = next(str(n) for n in range(101, 101 + len(taken) + 1) if str(n) not in taken)
    return compound[1], "1", "1", room


def roster_template_rows(*, actor, language: str | None = None) -> list[list[str]]:
    """[header, example row] in `language` (default: the active one)."""
    lang = template_language(language)
    with override(lang):
        return _rows(actor, lang)


def _rows(actor, lang: str) -> list[list[str]]:
    grid = _first_grid(actor)
    compound, building, unit, room = _example_address(grid)
    example = {
        "name": EXAMPLE_NAMES[lang],
        "id_number": EXAMPLE_ID_NUMBER,
        "phone": EXAMPLE_PHONE,
        "grid": grid.code if grid is not None else pgettext("roster template", "your grid code"),
        "compound": compound,
        "building": building,
        "unit": unit,
        "room": room,
        "residency": RESIDENCY_WORDS[lang][0],
        "note": pgettext("roster template",
                         "Example row, made up: replace it with real residents."),
    }
    return [TEMPLATE_HEADERS[lang], [example[key] for key in RESIDENT_COLUMNS]]


def roster_template_guide(language: str | None = None) -> list[tuple[str, bool, str]]:
    """(column title, required, what it takes) per column, in `language`."""
    lang = template_language(language)
    with override(lang):
        return _guide(lang)


def _guide(lang: str) -> list[tuple[str, bool, str]]:
    words = RESIDENCY_WORDS[lang]
    takes = {
        "name": _("text, at most %(n)d characters") % {"n": MAX_LEN["name"]},
        "id_number": _("18 characters: 17 digits, then a digit or X (the check digit is "
                       "checked). Keep the column as Text in Excel, or the last digits are "
                       "lost."),
        "phone": _("an 11-digit mainland mobile number; may be empty"),
        "grid": _("the grid's code, as in the area tree (not its name)"),
        "compound": _("text, at most %(n)d characters; a compound not yet known is created in "
                      "the grid's community") % {"n": MAX_LEN["compound"]},
        "building": _("text, at most %(n)d characters; 1 and 1栋 are the same building")
        % {"n": MAX_LEN["building"]},
        "unit": _("text, at most %(n)d characters; 2 and 2单元 are the same unit")
        % {"n": MAX_LEN["unit"]},
        "room": _("text, at most %(n)d characters; 102 and 102室 are the same room")
        % {"n": MAX_LEN["room"]},
        "residency": _("one of %(words)s; empty means %(default)s")
        % {"words": " / ".join(words), "default": words[0]},
        "note": _("text, at most %(n)d characters") % {"n": MAX_LEN["note"]},
    }
    return [(title, key in REQUIRED, takes[key])
            for key, title in zip(RESIDENT_COLUMNS, TEMPLATE_HEADERS[lang], strict=True)]


def roster_template_csv(*, actor, language: str | None = None) -> bytes:
    """The template as CSV, UTF-8 with a BOM (Excel opens the Chinese right), cells escaped
    as the roster export escapes them (a long digit run behind a tab stays text)."""
    return b"".join(csv_stream(roster_template_rows(actor=actor, language=language),
                               encoding="utf-8-sig"))


def roster_template_xlsx(*, actor, language: str | None = None) -> bytes:
    """The template as .xlsx: the roster sheet (every column formatted as Text, so an ID
    number typed later keeps its 18 digits) and a second sheet saying what each column takes."""
    lang = template_language(language)
    with override(lang):
        return _xlsx(actor, lang)


def _xlsx(actor, lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    header, example = roster_template_rows(actor=actor, language=lang)
    wb = Workbook()
    ws = wb.active
    ws.title = pgettext("roster template", "Roster")[:31]
    ws.append([formula_safe(v) for v in header])
    ws.append([formula_safe(v) for v in example])
    for index in range(1, len(header) + 1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].number_format = "@"
        ws.column_dimensions[letter].width = max(10, min(24, 2 * len(example[index - 1]) + 2))
        ws.cell(row=1, column=index).font = Font(bold=True)
        ws.cell(row=2, column=index).number_format = "@"
    ws.freeze_panes = "A2"
    guide = wb.create_sheet(pgettext("roster template", "Columns")[:31])
    guide.append([formula_safe(v) for v in (pgettext("roster template", "column"),
                                            pgettext("roster template", "required"),
                                            pgettext("roster template", "what it takes"))])
    yes, no = pgettext("roster template", "yes"), pgettext("roster template", "no")
    for title, required, takes in roster_template_guide(lang):
        guide.append([formula_safe(v) for v in (title, yes if required else no, takes)])
    guide.append([])
    for line in template_notes():
        guide.append([formula_safe(line)])
    guide.column_dimensions["A"].width = 12
    guide.column_dimensions["B"].width = 8
    guide.column_dimensions["C"].width = 80
    for cell in guide[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_notes() -> list[str]:
    return [
        _("The example row is made up: replace it with your residents (or delete it). An "
          "import that still holds it refuses that row (its ID number is the example's) and "
          "reads every other cell as usual, so a dry run of the file as downloaded shows the "
          "format is right."),
        _("Only the first sheet is imported; this one is for reading."),
        _("Header titles may be in Chinese or English; the columns may be in any order."),
    ]
