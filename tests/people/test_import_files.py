"""Files as spreadsheets really write them: an .xlsx over the row cap is refused before any
row is written (whatever its <dimension> says), CSV line endings of every kind (LF, CRLF and
the lone CR of old Mac/Excel exports) are counted and read, and cells Excel has already
spoiled (a room number turned into a date, an ID number cut to 15 digits) are refused with
their row and column instead of being stored wrong."""

import csv
import io
import re
import zipfile
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from firstline.errors import InvalidInput
from firstline.people.importer import RosterImporter
from firstline.people.models import ImportJob, Resident
from firstline.people.services import import_job_create
from tests.conftest import write_xlsx as write_table

from .test_import import HEADER_CN, ID1, ID2, errors_of, good_rows, run, write_csv
from .test_import_trust import many_rows


def write_xlsx(path, rows, header=HEADER_CN):
    return write_table(path, header, rows)


def with_dimension(path, ref):
    """The same workbook with its first sheet's <dimension> saying `ref` (another tool's
    stale or wrong value); no <dimension> at all when ref is None."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = re.sub(r'<dimension ref="[^"]*"\s*/>',
                   "" if ref is None else f'<dimension ref="{ref}"/>', sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def import_in_batches_of(path, size):
    """The CLI's import, with batches small enough that a late failure would leave rows."""
    errors = []
    with translation.override("en"):
        return RosterImporter(add_error=lambda *e: errors.append(e),
                              batch_size=size).run(path)


# --- 1. an .xlsx over the row cap writes nothing ------------------------------------------------

@pytest.mark.parametrize("dimension", ["keep", None, "A1:J2"])
def test_an_xlsx_over_the_row_cap_writes_nothing(areas, tmp_path, settings, dimension):
    settings.IMPORT_MAX_ROWS = 100
    path = write_xlsx(tmp_path / "many.xlsx", many_rows(150))
    if dimension != "keep":
        with_dimension(path, dimension)
    out = import_in_batches_of(path, 20)
    assert "more than 100 rows" in out.file_error
    assert (out.imported, out.updated) == (0, 0) and not Resident.objects.exists()


def test_an_xlsx_over_the_row_cap_is_refused_at_upload(cast, areas, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 100
    path = write_xlsx(tmp_path / "many.xlsx", many_rows(150))
    with pytest.raises(InvalidInput) as exc:
        import_job_create(actor=cast.staff_c1, upload=SimpleUploadedFile("many.xlsx",
                                                                         path.read_bytes()))
    assert exc.value.field == "file" and "100" in exc.value.detail
    assert not ImportJob.objects.exists() and not Resident.objects.exists()


def test_an_xlsx_at_the_row_cap_with_empty_formatted_rows_is_read(areas, tmp_path, settings):
    """Rows Excel keeps only for their formatting hold no value: they do not count."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    settings.IMPORT_MAX_ROWS = 100
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER_CN)
    for row in many_rows(100):
        ws.append(row)
    for r in range(102, 400):
        ws.cell(row=r, column=1).font = Font(bold=True)
    wb.save(tmp_path / "styled.xlsx")
    out = run(tmp_path / "styled.xlsx")
    assert not out.file_error and out.imported + out.updated > 0


def test_an_xlsx_whose_dimension_is_wrong_is_read_to_its_last_row(areas, tmp_path):
    path = with_dimension(write_xlsx(tmp_path / "r.xlsx", good_rows()), "A1:J2")
    out = run(path)
    assert out.summary == "imported 3, updated 0, rejected 0"


def test_the_upload_counts_an_xlsx_by_its_rows_not_its_dimension(cast, areas, tmp_path):
    path = with_dimension(write_xlsx(tmp_path / "r.xlsx", good_rows()), "A1:J2")
    job = import_job_create(actor=cast.staff_c1, upload=SimpleUploadedFile("r.xlsx",
                                                                           path.read_bytes()))
    assert job.total_rows == 3


def with_sheet(path, edit):
    """The same workbook with its first sheet's XML passed through edit(text) -> text."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    parts["xl/worksheets/sheet1.xml"] = edit(parts["xl/worksheets/sheet1.xml"].decode()).encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def with_formula_phones(path, *, computed: bool):
    """Each data row's phone cell (column C) a formula, as a generating program writes it
    (no cached result) or as Excel saves it (the result kept in <v>)."""
    def edit(sheet):
        def cell(m):
            ref, value = m.group(1), m.group(3)
            result = f"<v>{value}</v>" if computed else ""
            return f'<c r="{ref}" t="str"><f>"{value}"&amp;""</f>{result}</c>'
        return re.sub(r'<c r="(C([2-9]|\d\d+))" t="inlineStr"><is><t>([^<]+)</t></is></c>',
                      cell, sheet)
    return with_sheet(path, edit)


def test_an_xlsx_whose_formulas_hold_no_result_is_refused_naming_the_cells(areas, tmp_path):
    """openpyxl would read each such cell as empty: the phones would be lost without a word."""
    path = with_formula_phones(write_xlsx(tmp_path / "f.xlsx", good_rows()), computed=False)
    with translation.override("en"):
        out = run(path)
    assert "2 cells hold a formula but not its result (C2, C4)" in out.file_error
    assert not Resident.objects.exists()


def test_formulas_written_by_openpyxl_are_refused(areas, tmp_path):
    """openpyxl (and pandas through it) writes a formula with an empty <v />: no result."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER_CN)
    ws.append(["王芳", f'="{ID2}"', '="13800001111"', "G1a", "阳光花园", "1", "2", "301", "暂住", ""])
    wb.save(tmp_path / "script.xlsx")
    with translation.override("en"):
        out = run(tmp_path / "script.xlsx")
    assert "2 cells hold a formula but not its result (B2, C2)" in out.file_error
    assert not Resident.objects.exists()


def test_a_formula_whose_result_is_empty_text_is_read_as_empty(tmp_path):
    """Excel keeps "" as <v></v> on a text result (t="str"): a result, not a missing one."""
    from firstline.tabular import xlsx_rows_with_values

    path = write_table(tmp_path / "e.xlsx", ["姓名", "备注"], [["王芳", "x"]])

    def edit(sheet):
        return re.sub(r'<c r="B2" t="inlineStr"><is><t>x</t></is></c>',
                      '<c r="B2" t="str"><f>""</f><v></v></c>', sheet)
    assert xlsx_rows_with_values(with_sheet(path, edit)) == (2, [])


def test_an_xlsx_whose_formulas_hold_their_results_is_read(areas, tmp_path):
    path = with_formula_phones(write_xlsx(tmp_path / "f.xlsx", good_rows()), computed=True)
    out = run(path)
    assert out.summary == "imported 3, updated 0, rejected 0"
    assert Resident.objects.filter(phone__gt="").count() == 2


def test_rows_and_formulas_are_found_across_the_sheets_chunks(tmp_path):
    """The sheet's XML is read 1 MB at a time: rows and cells cut at a chunk's end count once."""
    from firstline.tabular import xlsx_rows_with_values

    rows = [[f"居民{i}", "x" * 90, str(i)] for i in range(30_000)]  # ~5 MB of XML
    path = write_table(tmp_path / "big.xlsx", ["姓名", "备注", "号"], rows)

    def edit(sheet):  # the last row's third cell a formula with no result
        return re.sub(r'<c r="C30001" t="inlineStr"><is><t>[^<]*</t></is></c>',
                      '<c r="C30001"><f>1+1</f></c>', sheet)
    assert xlsx_rows_with_values(with_sheet(path, edit)) == (30_001, ["C30001"])


# --- 2. line endings ----------------------------------------------------------------------------

def csv_with_line_ending(path, rows, ending):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=ending).writerows([HEADER_CN, *rows])
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def test_a_cr_only_csv_over_the_row_cap_writes_nothing(areas, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 100
    path = csv_with_line_ending(tmp_path / "mac.csv", many_rows(150), "\r")
    out = import_in_batches_of(path, 20)
    assert "more than 100 rows" in out.file_error and not Resident.objects.exists()


def test_a_cr_only_csv_is_counted_at_upload(cast, areas, tmp_path):
    path = csv_with_line_ending(tmp_path / "mac.csv", good_rows(), "\r")
    job = import_job_create(actor=cast.staff_c1,
                            upload=SimpleUploadedFile("mac.csv", path.read_bytes()))
    assert job.total_rows == 3


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_every_line_ending_is_read_and_counted_alike(areas, tmp_path, settings, ending):
    settings.IMPORT_MAX_ROWS = 3
    path = csv_with_line_ending(tmp_path / "a.csv", good_rows(), ending)
    out = run(path)
    assert out.summary == "imported 3, updated 0, rejected 0", errors_of(path)
    assert Resident.objects.get(id_number=ID1).household.address == "阳光花园 1栋 2单元 301室"
    out = run(csv_with_line_ending(tmp_path / "b.csv", [*good_rows(), good_rows()[0]], ending))
    assert "more than 3 rows" in out.file_error


# --- 3. cells Excel has already spoiled ---------------------------------------------------------

def test_a_room_excel_turned_into_a_date_is_refused_with_its_row_and_column(areas, tmp_path):
    rows = good_rows()
    rows[1][7] = datetime(2020, 1, 2)  # "1-2" typed into 房号
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    out = run(path)
    assert (out.imported, out.rejected) == (2, 1)
    [e] = errors_of(path)
    assert (e["row"], e["column"], e["value"]) == ("2", "房号", "2020-01-02")
    assert "date" in e["reason"] and "Text" in e["reason"]
    assert not Resident.objects.filter(id_number=ID2).exists()
    rooms = Resident.objects.values_list("household__room", flat=True)
    assert not any("00:00" in room for room in rooms)


def test_a_date_in_the_note_column_is_kept_as_the_date_it_shows(areas, tmp_path):
    # 备注 is free text: "2/5 返回" typed there is a date to Excel, and a date is what the
    # worker meant; refusing the whole person for it would lose a row for a note.
    rows = good_rows()
    rows[0][-1] = datetime(2020, 2, 5)
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    out = run(path)
    assert out.summary == "imported 3, updated 0, rejected 0", errors_of(path)
    assert Resident.objects.get(id_number=ID1).note == "2020-02-05"


def test_an_id_number_excel_cut_to_15_digits_is_refused(areas, tmp_path):
    rows = good_rows()
    rows[0][1] = float(ID1[:15] + "000")  # what Excel keeps of an ID typed as a number
    rows[1][2] = 13900002222.0  # a phone typed as a number loses nothing: it is read
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    out = run(path)
    assert (out.imported, out.rejected) == (2, 1)
    [e] = errors_of(path)
    assert (e["row"], e["column"]) == ("1", "身份证号") and "15" in e["reason"]
    assert Resident.objects.get(id_number=ID2).phone == "13900002222"


def test_an_id_number_saved_by_excel_in_scientific_notation_is_refused(areas, tmp_path):
    rows = good_rows()
    rows[0][1] = "1.10105E+17"  # how Excel saves a number column as CSV
    path = write_csv(tmp_path / "r.csv", rows)
    out = run(path)
    assert out.rejected == 1
    [e] = errors_of(path)
    assert (e["row"], e["column"], e["value"]) == ("1", "身份证号", "1.1****E+17")
    assert "15" in e["reason"] and "Text" in e["reason"]


def test_a_cr_only_csv_that_turns_to_another_encoding_names_the_line(areas, tmp_path):
    path = csv_with_line_ending(tmp_path / "mac.csv", many_rows(5000), "\r")
    with open(path, "ab") as fh:  # line 5002: the header and 5,000 good rows before it
        fh.write(b"\xff\xfe" + "王五".encode("utf-16-le") + b",x\r")
    out = run(path)
    assert "line 5002 " in out.file_error and not Resident.objects.exists()
