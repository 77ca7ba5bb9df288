"""Reading the spreadsheets people really have: CSV in UTF-8 (with or without BOM), GBK,
GB18030 or Big5, or .xlsx; Chinese or English headers. Rows stream: memory stays flat.

    table = open_table(path, columns={"code": ["编码", "code"], ...})
    for row_number, row in table.rows():   # row_number is the 1-based data row
        row["code"]
"""

import codecs
import csv
import io
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

SAMPLE_BYTES = 256 * 1024


class TableError(Exception):
    """A file-level problem: nothing is imported. `column` names the column when there is one."""

    def __init__(self, message: str, column: str = ""):
        super().__init__(message)
        self.message = message
        self.column = column


# What a roster in mainland China, Hong Kong, Macao or Taiwan is saved as when not UTF-8:
# GB18030 (a superset of GBK and GB2312) or Big5 (as CP950, Windows' Big5 with its extensions).
# Both are double-byte encodings over the same byte ranges, so a Big5 file very often decodes
# as GB18030 without an error — into garbage (陳大文 → 朝ゅ). No fixed order of tries can tell
# them apart; charset-normalizer measures which reading is coherent text.
CANDIDATE_ENCODINGS = ["utf_8", "gb18030", "big5", "cp950"]

# Column titles an ID-number column goes by in Chinese files, simplified and traditional (身分證
# as Taiwan writes it, 身份證 as Hong Kong does), the simplified first (shown in messages): the
# roster importer and the lists reader each add their own others.
ID_NUMBER_TITLES = ["身份证号", "身份证号码", "身份證號", "身份證號碼", "身分證號", "身分證號碼",
                    "身分證字號", "公民身份号码", "证件号码"]
_CODEC = {"big5": "cp950", "utf_8": "utf-8"}


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    # A sample cut in the middle of a multibyte character must not fail the UTF-8 test.
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and exc.reason.startswith("unexpected end"):
            return "utf-8"
    end = max(sample.rfind(b"\n"), sample.rfind(b"\r"))  # a line may end in CR alone
    if len(sample) >= SAMPLE_BYTES and end >= 0:
        sample = sample[:end + 1]  # whole lines: no character cut in two
    best = from_bytes(sample, cp_isolation=CANDIDATE_ENCODINGS).best()
    if best is None:
        raise TableError(_("The file is not text in a known encoding "
                           "(UTF-8, GBK, GB18030, Big5)."))
    return _CODEC.get(best.encoding, best.encoding)


def _line_breaks(chunk: bytes, after_cr: bool) -> int:
    """Line ends in `chunk`: LF, CRLF and a lone CR (old Mac and some Excel exports) each
    end one line. `after_cr`: the chunk before ended in CR (a CRLF cut in two)."""
    breaks = chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
    return breaks - 1 if after_cr and chunk.startswith(b"\n") else breaks


def csv_lines(path) -> int:
    """Lines of a text file, whichever line ends it uses (a last line without one counts).
    A newline inside a quoted cell counts too: an upper bound of its rows."""
    lines, after_cr, last = 0, False, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            lines += _line_breaks(chunk, after_cr)
            after_cr, last = chunk.endswith(b"\r"), chunk[-1:]
    return lines + (1 if last not in (b"", b"\n", b"\r") else 0)


def decode_problem(path, encoding: str) -> tuple[int, str] | None:
    """(line, byte offset) of the first bytes of `path` that `encoding` cannot decode, or None.

    Read before anything is written: a file that turns to another encoding after 12,000 good
    rows must not leave those rows behind a message saying nothing was imported."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    line, offset, after_cr = 1, 0, False
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return line + _line_breaks(chunk[:exc.start], after_cr), offset + exc.start
            line += _line_breaks(chunk, after_cr)
            after_cr = chunk.endswith(b"\r")
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return line, offset
    return None


# --- counting an .xlsx's rows without reading it ---------------------------------------------

# A row's start tag, and a cell value (<v>, or <is> for an inline string), with or without a
# namespace prefix (<x:row> from some .NET writers).
_XLSX_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_XLSX_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:v|is)[\s>]")
# A cell (<c …/> or <c …>…</c>), a formula in it, and its reference.
_XLSX_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?c>)",
                        re.S)
_XLSX_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
# A formula's kept result: <v>…</v> (not <v/>, <v /> as openpyxl writes for none), or an
# inline string.
_XLSX_RESULT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v(?:\s[^>/]*)?>(.*?)</(?:[A-Za-z_][\w.-]*:)?v>"
                          rb"|<(?:[A-Za-z_][\w.-]*:)?is[\s>]", re.S)
_XLSX_REF = re.compile(rb'\br="([A-Za-z]+[0-9]+)"')
_XLSX_TEXT_RESULT = re.compile(rb'\bt="str"')


def first_sheet_path(archive) -> str:
    """The zip member of the workbook's first worksheet: the one openpyxl reads as
    `worksheets[0]` (chart sheets and missing parts skipped)."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.reader.excel import _find_workbook_part
    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.xml.constants import ARC_CONTENT_TYPES
    from openpyxl.xml.functions import fromstring

    package = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    parser = WorkbookParser(archive, _find_workbook_part(package).PartName[1:])
    parser.parse()
    names = set(archive.namelist())
    for _sheet, rel in parser.find_sheets():
        if rel.target in names and "chartsheet" not in rel.Type:
            return rel.target
    raise KeyError("no worksheet")


def xlsx_rows_with_values(path) -> tuple[int, list[str]]:
    """Rows of the first worksheet holding at least one value (the header row included), and
    the references of its formula cells that hold no computed result (C5, D5, …).

    Counted from the sheet's XML as it streams, 1 MB at a time: the <dimension> a workbook
    declares may be stale, wrong or missing, and reading the rows through openpyxl would
    cost as much as the import. A row kept only for its formatting holds no value and does
    not count, as the reader skips it. A formula without a cached result (a workbook written
    by a program that never computed it) reads as an empty cell: the caller refuses the file
    rather than import blanks in its place."""
    import zipfile

    rows, counted, carry, uncomputed = 0, True, b"", []
    with zipfile.ZipFile(path) as archive, archive.open(first_sheet_path(archive)) as src:
        while True:
            chunk = src.read(1 << 20)
            data = carry + chunk
            starts = [m.start() for m in _XLSX_ROW.finditer(data)]
            if not chunk:
                cut = len(data)  # the end: read what is left
            elif starts and starts[-1] > 0:
                cut = starts[-1]  # the last row may be cut: keep it whole for the next chunk
            else:  # a row longer than a chunk: keep its last tag, maybe cut
                cut = data.rfind(b"<")
                cut = len(data) if cut < 0 else cut
            bounds = [0, *(s for s in starts if s < cut), cut]
            for i in range(len(bounds) - 1):
                if i > 0:
                    counted = False  # a new row begins
                if not counted and _XLSX_VALUE.search(data, bounds[i], bounds[i + 1]):
                    rows, counted = rows + 1, True
            if _XLSX_FORMULA.search(data, 0, cut):
                uncomputed += [ref.decode() for ref in _uncomputed(data[:cut])]
            carry = data[cut:]
            if not chunk:
                break
    return rows, uncomputed


def _uncomputed(data: bytes):
    """The references of the formula cells in `data` (whole rows) that keep no result: no <v>,
    an empty <v/> (openpyxl, pandas), or an empty <v></v> on a cell that is not a text result
    (t="str": a formula whose result is the empty text keeps just that)."""
    for cell in _XLSX_CELL.finditer(data):
        body = cell.group(2) or b""
        if not _XLSX_FORMULA.search(body):
            continue
        result = _XLSX_RESULT.search(body)
        if result is None or (result.group(1) == b""
                              and not _XLSX_TEXT_RESULT.search(cell.group(1))):
            ref = _XLSX_REF.search(cell.group(1))
            yield ref.group(1) if ref else b"?"


# --- the checks every uploaded table passes before a row is read ---------------------------

def file_check(path, *, encoding, kind: str = "roster") -> int | None:
    """Raise TableError for a problem of the whole file found before any row is read: too
    big (FIRSTLINE_UPLOAD_MAX_MB), too many data rows (FIRSTLINE_IMPORT_MAX_ROWS: CSV lines
    whatever their line ends, an .xlsx's rows counted from its sheet's XML), an .xlsx that
    would unpack to far more than its size (a zip bomb), an .xlsx whose formulas hold no
    computed result (they would read as empty cells), a CSV that does not decode from
    start to end in its encoding. The roster importer and the lists' reader both run it.

    `encoding`: a function giving the CSV's encoding (called only for a CSV within the caps).
    `kind`: "roster" or "list", what a message calls the file. Answers the data rows counted
    (an upper bound), or None for a type not read here (the reader refuses it)."""
    from django.conf import settings

    path = Path(path)
    max_bytes = settings.UPLOAD_MAX_MB * 2**20
    if path.stat().st_size > max_bytes:
        raise TableError(_("The file is larger than %(mb)s MB: split it into several files.")
                         % {"mb": settings.UPLOAD_MAX_MB})
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        _xlsx_check(path, max_bytes, kind)
        try:
            rows, uncomputed = xlsx_rows_with_values(path)
            data_rows = max(rows - 1, 0)
        except Exception as exc:  # a zip without a readable worksheet: many error types
            raise TableError(_("The file is not a readable .xlsx workbook.")) from exc
    elif suffix in {".csv", ".txt"}:
        data_rows = max(csv_lines(path) - 1, 0)
    else:
        return None
    if data_rows > settings.IMPORT_MAX_ROWS:
        raise too_many_rows()
    if suffix == ".xlsx":
        if uncomputed:
            raise TableError(
                _("%(n)s cells hold a formula but not its result (%(cells)s): the program that "
                  "wrote the file never computed them, and they would be read as empty. "
                  "Nothing was imported: open the file in Excel or WPS and save it again, or "
                  "paste the formulas as values.")
                % {"n": len(uncomputed), "cells": ", ".join(uncomputed[:5])
                   + (" …" if len(uncomputed) > 5 else "")})
        return data_rows
    expected = encoding()
    problem = decode_problem(path, expected)
    if problem is not None:
        raise TableError(
            _("The file mixes text encodings (%(encoding)s expected; line %(line)s does "
              "not decode). Nothing was imported: save the whole file in one encoding.")
            % {"encoding": expected, "line": problem[0]})
    return data_rows


def _xlsx_check(path: Path, max_bytes: int, kind: str) -> None:
    """A workbook is a zip: refuse one that unpacks to more than 10 times the size cap
    or compresses more than 100:1 (real rosters and lists compress about 5-10:1)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise TableError(_("The file is not a readable .xlsx workbook.")) from exc
    packed = max(path.stat().st_size, 1)
    if unpacked > 10 * max_bytes or (unpacked > 2**20 and unpacked / packed > 100):
        mb = {"mb": unpacked // 2**20}
        if kind == "list":
            raise TableError(_("The workbook unpacks to %(mb)s MB, far more than a list: "
                               "save it again as .csv or a plain .xlsx.") % mb)
        raise TableError(_("The workbook unpacks to %(mb)s MB, far more than a roster: "
                           "save it again as .csv or a plain .xlsx.") % mb)


# --- cells as text --------------------------------------------------------------------------

EXCEL_DIGITS = 15  # significant digits Excel keeps of a number: more are lost as it is typed
_SCIENTIFIC = re.compile(r"[+-]?\d(?:\.\d+)?E\+\d+", re.IGNORECASE)


def cell_text(value, *, dates_ok: bool = False) -> tuple[str, str | None]:
    """(the cell as text, why that text cannot be trusted or None).

    Every reader turns cells into text here. What a spreadsheet has already changed is
    reported, never stored as if typed: a date or time (Excel turns "1-2" typed into a room
    number into 2020-01-02; what was typed cannot be known), and a number with more than 15
    significant digits (an ID number typed as a number keeps only its first 15 digits, and
    a CSV saved by Excel shows it as 1.10105E+17). The text is then how Excel shows the
    cell (2020-01-02, 1.1010519491231E+17), never str() of a Python value. `dates_ok`: a
    free-text column (a note), where a date reads as the date it shows without a reason."""
    if value is None:
        return "", None
    if isinstance(value, datetime):
        shown = value.strftime("%Y-%m-%d") if value.time() == time() \
            else value.strftime("%Y-%m-%d %H:%M:%S").removesuffix(":00")
        return shown, None if dates_ok else _date_reason()
    if isinstance(value, date | time):
        return value.isoformat(), None if dates_ok else _date_reason()
    if isinstance(value, timedelta):
        return str(value), None if dates_ok else _date_reason()
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 10 ** EXCEL_DIGITS:
            return f"{value:.{EXCEL_DIGITS}G}", _digits_reason()
        if value.is_integer():
            return str(int(value)), None
        return repr(value), None
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), None
    text = str(value).strip()
    if _SCIENTIFIC.fullmatch(text):
        return text, _digits_reason()
    return text, None


def _date_reason() -> str:
    return _("Excel turned this cell into a date or time: what was typed (1-2, 1/2 …) "
             "cannot be known. Format the column as Text in Excel, type the value again, "
             "and import the file again.")


def _digits_reason() -> str:
    return _("Excel keeps only 15 digits of a number, so the last digits of this one are "
             "lost. Format the column as Text in Excel, type the number again, and import "
             "the file again.")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# The control characters an .xlsx cannot hold (openpyxl refuses the whole file for one: a
# list cell or a note pasted with \x01 or ESC made its export a 500). Tab, LF and CR are text.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _control_picture(match) -> str:
    return chr(0x2400 + ord(match.group()))  # \x01 -> U+2401 ␁: visible, and which one it was


def formula_safe(value):
    """A text cell as every export and errors file writes it: one a spreadsheet would read as
    a formula (=, +, -, @, tab or CR first) gets a leading apostrophe, so `=HYPERLINK(...)` in
    a resident's name stays text; a control character an .xlsx cannot hold is shown as its
    Unicode picture (\\x01 -> ␁). Numbers, dates and other values pass unchanged."""
    if not isinstance(value, str):
        return value
    value = _UNWRITABLE.sub(_control_picture, value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def normalize_header(text: str) -> str:
    return "".join(str(text or "").split()).lower().lstrip("\ufeff")


class Row(dict):
    """A data row: {key: text}, and `problems`, (key, text, reason) for each cell whose text
    cannot be trusted (see cell_text)."""

    problems: list[tuple[str, str, str]] = ()


@dataclass
class Table:
    path: Path
    columns: dict[str, list[str]]
    required: set[str] = field(default_factory=set)
    header_map: dict[int, str] = field(default_factory=dict)
    header_titles: dict[str, str] = field(default_factory=dict)
    data_rows: int | None = None  # counted by check(): an upper bound of the data rows
    free_text: frozenset = frozenset()  # columns where a date cell reads as its date (a note)

    def _map_headers(self, header: list) -> None:
        aliases = {}
        for key, names in self.columns.items():
            for name in [key, *names]:
                aliases[normalize_header(name)] = key
        for index, title in enumerate(header):
            key = aliases.get(normalize_header(title))
            if key and key not in self.header_titles:
                self.header_map[index] = key
                self.header_titles[key] = str(title).strip()
        missing = [k for k in self.columns if k in self.required and k not in self.header_titles]
        if missing:
            names = " / ".join(f"{self.columns[k][0]}/{k}" for k in missing)
            raise TableError(_("Required column missing: %(names)s") % {"names": names},
                             column=missing[0])

    def title(self, key: str) -> str:
        """The header as written in the file, for error messages; the key if absent."""
        return self.header_titles.get(key, key)

    def _cells(self, values: list) -> Row:
        row = Row.fromkeys(self.columns, "")
        for index, key in self.header_map.items():
            if index < len(values):
                row[key], problem = cell_text(values[index], dates_ok=key in self.free_text)
                if problem:
                    row.problems = [*row.problems, (key, row[key], problem)]
        return row

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        suffix = self.path.suffix.lower()
        if suffix == ".xlsx":
            yield from self._xlsx_rows()
        elif suffix in {".csv", ".txt"}:
            yield from self._csv_rows()
        else:
            raise TableError(_("Unsupported file type %(suffix)s: use .csv or .xlsx.")
                             % {"suffix": suffix or "?"})

    def check(self) -> None:
        """Raise TableError for a problem of the whole file found before any row is read
        (see file_check); counts its data rows."""
        self.data_rows = file_check(self.path, encoding=self.encoding)

    def encoding(self) -> str:
        if not hasattr(self, "_encoding"):
            with open(self.path, "rb") as raw:
                self._encoding = detect_encoding(raw.read(SAMPLE_BYTES))
        return self._encoding

    def _csv_rows(self):
        encoding = self.encoding()
        with open(self.path, encoding=encoding, newline="", errors="strict") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader, None)
                if header is None:
                    raise TableError(_("The file is empty."))
                self._map_headers(header)
                for number, values in enumerate(reader, start=1):
                    if not any(v.strip() for v in values):
                        continue
                    yield number, self._cells(values)
            except UnicodeDecodeError as exc:
                raise TableError(
                    _("The file mixes text encodings (%(encoding)s expected).")
                    % {"encoding": encoding}
                ) from exc
            except csv.Error as exc:
                raise TableError(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc

    def _xlsx_rows(self):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a corrupt file
            raise TableError(_("The file is not a readable .xlsx workbook.")) from exc
        try:
            sheet = workbook.worksheets[0]
            # openpyxl stops at the row its <dimension> declares: a stale one would drop the
            # rows after it without a word. Read to the last row there is.
            sheet.reset_dimensions()
            values = sheet.iter_rows(values_only=True)
            header = next(values, None)
            if header is None:
                raise TableError(_("The file is empty."))
            self._map_headers(list(header))
            from django.conf import settings

            # check() counted the rows before anything was written; this count (the same
            # rows) only guards a caller that did not call check().
            filled = 0
            for number, row in enumerate(values, start=1):
                if not any(v not in (None, "") for v in row):
                    continue
                filled += 1
                if filled > settings.IMPORT_MAX_ROWS:
                    raise too_many_rows()
                yield number, self._cells(list(row))
        finally:
            workbook.close()


def too_many_rows() -> TableError:
    from django.conf import settings

    return TableError(_("The file has more than %(n)s rows: split it into several files.")
                      % {"n": settings.IMPORT_MAX_ROWS})


def unstorable_cells(row: dict[str, str]) -> list[tuple[str, str, str]]:
    """(column, value as shown, reason) for each cell that cannot be stored as it is.

    A NUL character (0x00) is one: PostgreSQL refuses it in text, SQLite stores it silently.
    A cell a spreadsheet already spoiled is another (a date or a number cut to 15 digits:
    see cell_text) — stored, it would be wrong without a word. Such a row is rejected before
    anything else looks at it (not even a lookup by its values).
    """
    return [*getattr(row, "problems", ()),
            *((key, value.replace("\x00", "\\x00"),
               _("The cell holds a NUL character (\\x00), which cannot be stored: remove it."))
              for key, value in row.items() if "\x00" in value)]


def input_file_problem(path) -> str | None:
    """Why the command line cannot read `path` at all (a usage error, exit 2), or None."""
    path = Path(path)
    if not path.exists():
        return _("no such file: %(path)s") % {"path": path}
    if not path.is_file():
        return _("not a file: %(path)s") % {"path": path}
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        return _("cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}
    return None


def open_table(path, *, columns: dict[str, list[str]], required=(), free_text=()) -> Table:
    path = Path(path)
    if not path.exists():
        raise TableError(_("File not found: %(path)s") % {"path": path})
    return Table(path=path, columns=columns, required=set(required),
                 free_text=frozenset(free_text))


class ErrorsFile:
    """FILE.errors.csv: row, column, value, reason.

    Plain UTF-8 by default: the command line's file is read by scripts, and a BOM would turn
    its first column into "\\ufeffrow". `bom=True` for a file a browser downloads: Excel needs
    the BOM to open UTF-8 Chinese text correctly.
    """

    header = ["row", "column", "value", "reason"]

    def __init__(self, path, *, bom: bool = False):
        self.path = Path(path)
        self.count = 0
        # Written under a temporary name and renamed when complete: a run that is killed
        # leaves FILE.errors.csv.<pid>.part, never a truncated FILE.errors.csv that looks whole.
        self.part = partial_path_for(self.path)
        self._fh = open(self.part, "w", encoding="utf-8-sig" if bom else "utf-8", newline="")
        self._writer = csv.writer(self._fh)
        self._writer.writerow(self.header)

    def add(self, row: int | str, column: str, value: str, reason: str) -> None:
        self.count += 1
        self._writer.writerow([row, column, formula_safe(value), formula_safe(reason)])

    def close(self):
        if self._fh.closed:
            return
        self._fh.close()
        os.replace(self.part, self.path)

    def discard(self):
        """The run failed: drop the incomplete file (the last complete one stays)."""
        self._fh.close()
        Path(self.part).unlink(missing_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.close()
        else:
            self.discard()


def partial_path_for(path) -> Path:
    """Where a file is written before it is complete (one per process: two runs at once
    never write into each other's file)."""
    path = Path(path)
    return path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")


PARTIAL_MAX_AGE = timedelta(days=1)


def partials_remove_stale(folder, pattern: str = "*.part", *, keep=(),
                          max_age: timedelta = PARTIAL_MAX_AGE) -> list[Path]:
    """Remove the files of `folder` matching `pattern` (….errors.csv.part and the like) last
    written more than `max_age` ago — what a killed run left behind — except those in
    `keep` (a job still being worked on). A run writing one now touches it more often than
    that, so a live file is never taken. Returns the paths removed."""
    from firstline import clock

    limit = clock.now().timestamp() - max_age.total_seconds()
    keep = {Path(k) for k in keep}
    removed = []
    for path in Path(folder).glob(pattern):
        try:
            if path in keep or not path.is_file() or path.stat().st_mtime >= limit:
                continue
            path.unlink()
        except OSError:  # gone meanwhile, or not ours to remove: the next sweep tries again
            continue
        removed.append(path)
    return removed


def errors_path_for(path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".errors.csv")


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([formula_safe(v) for v in row] for row in rows)
    return buffer.getvalue().encode(encoding, errors="replace")
