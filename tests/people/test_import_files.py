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
    assert (e["row"], e["column"], e["value"]) == ("1", "身份证号", "1.10105E+17")
    assert "15" in e["reason"] and "Text" in e["reason"]


def test_a_cr_only_csv_that_turns_to_another_encoding_names_the_line(areas, tmp_path):
    path = csv_with_line_ending(tmp_path / "mac.csv", many_rows(5000), "\r")
    with open(path, "ab") as fh:  # line 5002: the header and 5,000 good rows before it
        fh.write(b"\xff\xfe" + "王五".encode("utf-16-le") + b",x\r")
    out = run(path)
    assert "line 5002 " in out.file_error and not Resident.objects.exists()
