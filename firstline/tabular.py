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
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    try:
        sample.decode("gb18030")
        return "gb18030"  # superset of GBK and GB2312
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample).best()
    if best is None:
        raise TableError(_("The file is not text in a known encoding (UTF-8, GBK, GB18030)."))
    return best.encoding


def normalize_header(text: str) -> str:
    return "".join(str(text or "").split()).lower().lstrip("\ufeff")


@dataclass
class Table:
    path: Path
    columns: dict[str, list[str]]
    required: set[str] = field(default_factory=set)
    header_map: dict[int, str] = field(default_factory=dict)
    header_titles: dict[str, str] = field(default_factory=dict)

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

    def _cells(self, values: list) -> dict[str, str]:
        row = {key: "" for key in self.columns}
        for index, key in self.header_map.items():
            if index < len(values):
                value = values[index]
                if value is None:
                    value = ""
                elif isinstance(value, float) and value.is_integer():
                    value = str(int(value))
                row[key] = str(value).strip()
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

    def _csv_rows(self):
        with open(self.path, "rb") as raw:
            encoding = detect_encoding(raw.read(SAMPLE_BYTES))
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
            values = sheet.iter_rows(values_only=True)
            header = next(values, None)
            if header is None:
                raise TableError(_("The file is empty."))
            self._map_headers(list(header))
            for number, row in enumerate(values, start=1):
                if not any(v not in (None, "") for v in row):
                    continue
                yield number, self._cells(list(row))
        finally:
            workbook.close()


def unstorable_cells(row: dict[str, str]) -> list[tuple[str, str, str]]:
    """(column, value as shown, reason) for each cell no database column can hold.

    A NUL character (0x00) is one: PostgreSQL refuses it in text, SQLite stores it silently.
    Such a row is rejected before anything else looks at it (not even a lookup by its values).
    """
    return [(key, value.replace("\x00", "\\x00"),
             _("The cell holds a NUL character (\\x00), which cannot be stored: remove it."))
            for key, value in row.items() if "\x00" in value]


def input_file_problem(path) -> str | None:
    """Why the command line cannot read `path` at all (a usage error, exit 2), or None."""
    path = Path(path)
    if not path.exists():
        return f"no such file: {path}"
    if not path.is_file():
        return f"not a file: {path}"
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror}"
    return None


def open_table(path, *, columns: dict[str, list[str]], required=()) -> Table:
    path = Path(path)
    if not path.exists():
        raise TableError(_("File not found: %(path)s") % {"path": path})
    return Table(path=path, columns=columns, required=set(required))


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
        self._writer.writerow([row, column, value, reason])

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


def errors_path_for(path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".errors.csv")


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")
