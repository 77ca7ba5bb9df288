"""Reading a list as its sender wrote it: every column kept, in order.

firstline.tabular maps known headers onto keys and drops the rest; a list from above must
go back up in its own columns, so here the header and every cell are kept. The encoding
detection is tabular's (UTF-8 with or without BOM, GBK/GB18030), plus Big5: a Big5 file
often also decodes as GB18030 (into nonsense), so when both decode the one whose text holds
more common characters wins.
"""

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from firstline.people.services import id_number_normalize
from firstline.tabular import (
    ID_NUMBER_TITLES,
    SAMPLE_BYTES,
    TableError,
    cell_text,
    detect_encoding,
    file_check,
    normalize_header,
)

# key -> header titles a sender may use (Chinese first: shown in messages)
KEYS = {
    "name": ["姓名", "名字", "人员姓名", "name"],
    "id_number": [*ID_NUMBER_TITLES, "證件號碼", "证件号", "id", "idnumber", "id_number",
                  "id_no"],
    "phone": ["手机号", "手机号码", "手機號", "手機號碼", "联系电话", "聯繫電話", "联系方式",
              "聯絡電話", "电话", "電話", "mobile", "phone"],
    "address": ["地址", "住址", "现住址", "現住址", "居住地址", "详细地址", "詳細地址",
                "现居住地址", "家庭住址", "address"],
}
KEY_ORDER = ("name", "id_number", "phone", "address")


@dataclass
class RawTable:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (1-based data row, cells as text)
    encoding: str = ""
    # (data row, column index) -> why the cell's text cannot be trusted (tabular.cell_text):
    # a date Excel made of what was typed, a number cut to 15 digits. Kept as Excel shows
    # it; refused when the column is one the list is matched by.
    problems: dict[tuple[int, int], str] = field(default_factory=dict)


def _unescape(text: str) -> str:
    """Our own exports escape a cell a spreadsheet would run as a formula ('=..., '+86...):
    a list sent back up and down again reads as its sender wrote it."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        return text[1:]
    return text


def _cell(value) -> tuple[str, str | None]:
    text, problem = cell_text(value)
    return _unescape(text), problem


def _cells(number: int, values, problems: dict) -> list[str]:
    cells = []
    for index, value in enumerate(values):
        text, problem = _cell(value)
        if problem:
            problems[(number, index)] = problem
        cells.append(text)
    return cells


_COMMON = re.compile(r"[\u4e00-\u9fff]")


def _plausible(text: str) -> int:
    """How much of `text` looks like ordinary CJK writing (a rough score for Big5 vs GB)."""
    # GB2312's level-1 range covers the common characters; text decoded with the wrong
    # codec lands in rarer code points and private-use / symbol areas.
    score = 0
    for ch in text[:20000]:
        if _COMMON.match(ch):
            try:
                ch.encode("gb2312")
                score += 1
            except UnicodeEncodeError:
                try:
                    ch.encode("big5")
                    score += 1
                except UnicodeEncodeError:
                    score -= 1
        elif unicodedata.category(ch) in ("Co", "Cn"):
            score -= 3
    return score


def _detect(path: Path) -> str:
    """The encoding of a CSV, from its first 256 KB (file_check then decodes it whole)."""
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    encoding = detect_encoding(sample)
    if encoding in ("gb18030",):
        end = max(sample.rfind(b"\n"), sample.rfind(b"\r"))
        if len(sample) >= SAMPLE_BYTES and end >= 0:
            sample = sample[:end + 1]  # whole lines: no character cut in two
        try:
            big5 = sample.decode("big5")
        except UnicodeDecodeError:
            return encoding
        gb = sample.decode("gb18030", errors="replace")
        if _plausible(big5) > _plausible(gb):
            return "big5"
    return encoding


def read_table(path) -> RawTable:
    """The whole list, after the checks every uploaded table passes (tabular.file_check:
    size, rows, zip bomb, one encoding throughout). A CSV is decoded as it is read: only
    its rows are held, never its bytes or its text as well."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".txt", ".xlsx"):
        raise TableError(_("Unsupported file type %(suffix)s: use .csv or .xlsx.")
                         % {"suffix": suffix or "?"})
    encoding = functools.cache(lambda: _detect(path))
    file_check(path, encoding=encoding, kind="list")
    if suffix == ".xlsx":
        return _read_xlsx(path)
    try:
        with open(path, encoding=encoding(), newline="", errors="strict") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise TableError(_("The file is empty."))
            rows, problems = [], {}
            for number, values in enumerate(reader, start=1):
                if any(v.strip() for v in values):
                    rows.append((number, _cells(number, values, problems)))
    except UnicodeDecodeError as exc:  # file_check decoded it whole: a file changed since
        raise TableError(_("The file mixes text encodings (%(encoding)s expected).")
                         % {"encoding": encoding()}) from exc
    except csv.Error as exc:
        raise TableError(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc
    return RawTable([h.strip().lstrip("\ufeff") for h in header], rows, encoding(), problems)


def _read_xlsx(path: Path) -> RawTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a corrupt file
        raise TableError(_("The file is not a readable .xlsx workbook.")) from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # a stale <dimension> would silently drop the rows after it
        values = sheet.iter_rows(values_only=True)
        header = next(values, None)
        if header is None:
            raise TableError(_("The file is empty."))
        rows, problems = [], {}
        for number, row in enumerate(values, start=1):
            cells = _cells(number, row, problems)
            if any(cells):
                rows.append((number, cells))
    finally:
        workbook.close()
    header = [_cell(h)[0] for h in header]
    while header and not header[-1]:
        header.pop()
    return RawTable(header, rows, "xlsx", problems)


def guess_mapping(header: list[str], remembered: dict | None = None) -> dict[str, int]:
    """{key: column index}: a sender's remembered titles first, then the usual titles."""
    out: dict[str, int] = {}
    normal = [normalize_header(h) for h in header]
    for key, title in (remembered or {}).items():
        if key in KEYS and normalize_header(title) in normal:
            out[key] = normal.index(normalize_header(title))
    for key, names in KEYS.items():
        if key in out:
            continue
        for name in names:
            n = normalize_header(name)
            if n in normal and normal.index(n) not in out.values():
                out[key] = normal.index(n)
                break
    return out


# --- normalising what people type --------------------------------------------------------

# ID numbers: the roster's own normaliser (spaces, full-width digits, a lower-case x).
normalize_id_number = id_number_normalize
_SPACES = re.compile(r"\s+")
_NAME_JUNK = re.compile(r"[\s·・•‧.．\u00b7\u2022\u2027\u30fb\u318d\u16eb]+")
_ADDRESS_PARTS = re.compile(r"[\s,，、\-—–_#()（）/]+|号楼|號樓|[栋棟幢楼樓号號座室]|单元|單元")


def normalize_name(value: str) -> str:
    """'买买提·艾力', '买买提 艾力' and '买买提艾力' are one name."""
    return _NAME_JUNK.sub("", unicodedata.normalize("NFKC", value or ""))


def compact(value: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", value or ""))


def normalize_address(value: str) -> str:
    """'幸福小区 1栋 2单元 301室' and '某市某区幸福小区1号楼2单元301' end alike:
    'X幸福小区/1/2/301' - the words for building, unit and room become one separator."""
    text = _ADDRESS_PARTS.sub("/", unicodedata.normalize("NFKC", value or ""))
    text = re.sub(r"(?<=[^\d/])(?=\d)", "/", text)  # 小区1 -> 小区/1
    return re.sub("/+", "/", text).strip("/")


def address_matches(listed: str, household: str) -> bool:
    """The list's address names the household (it may add city and street in front)."""
    if not listed or not household:
        return False
    return listed == household or listed.endswith(household)
