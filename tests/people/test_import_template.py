"""The roster template on the import page: downloaded and imported untouched (dry run), its
example row is read cell by cell and refused for one reason only, that it is the example (a
made-up person must never join a real household); its headers are the importer's, in the
user's language."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook
from stdnum.cn import ric

from firstline.people.importer import RESIDENT_COLUMNS, id_number_problem
from firstline.people.models import ImportJob, Placement, Resident
from firstline.people.services import (
    import_job_create,
    import_job_errors_path,
    import_job_step,
)
from firstline.people.services.roster_template import (
    EXAMPLE_ID_NUMBER,
    TEMPLATE_HEADERS,
    roster_template_rows,
)
from firstline.tabular import normalize_header

from ..conftest import make_household

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _dry_run(user, name, content):
    job = import_job_create(actor=user, upload=SimpleUploadedFile(name, content), dry_run=True)
    return import_job_step(job_id=job.pk, seconds=None)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
def test_the_downloaded_template_is_refused_only_for_being_the_example(web, cast, areas, fmt,
                                                                       lang):
    make_household(areas.g1b, compound_name="翰林华府", room="201")  # another grid's household
    response = web("staff_c1", lang).get(f"/people/import/template.{fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="roster-template.{fmt}"'
    job = _dry_run(cast.staff_c1, f"roster-template.{fmt}", response.content)
    assert (job.state, job.file_error) == (ImportJob.State.DONE, "")
    assert (job.imported, job.updated, job.rejected) == (0, 0, 1)
    errors = list(csv.DictReader(io.StringIO(
        import_job_errors_path(job).read_bytes().decode("utf-8-sig"))))
    id_title = TEMPLATE_HEADERS[lang][list(RESIDENT_COLUMNS).index("id_number")]
    assert [(e["row"], e["column"]) for e in errors] == [("1", id_title)]
    with translation.override(lang):
        assert errors[0]["reason"] == id_number_problem(EXAMPLE_ID_NUMBER)
    assert not Resident.objects.exists()


def test_a_real_import_of_the_untouched_template_adds_no_one(cast, areas):
    """The example row is placed at a real household: imported for real, it would have put a
    made-up person in that family."""
    h = make_household(areas.g1a, compound_name="阳光花园", room="101")
    rows = roster_template_rows(actor=cast.staff_c1, language="en")
    content = "\n".join(",".join(row) for row in rows).encode()
    job = import_job_create(actor=cast.staff_c1, dry_run=False,
                            upload=SimpleUploadedFile("roster.csv", content))
    job = import_job_step(job_id=job.pk, seconds=None)
    assert (job.imported, job.rejected) == (0, 1)
    assert not Placement.objects.filter(household=h).exists()
    assert not Resident.objects.exists()


def test_the_example_row_takes_the_users_first_grid_and_its_household(cast, areas):
    h = make_household(areas.g1a, compound_name="阳光花园", building="3", unit="2", room="502")
    header, row = roster_template_rows(actor=cast.staff_c1, language="zh-hans")
    assert row[3:8] == ["G1a", "阳光花园", "3", "2", "502"]
    header, row = roster_template_rows(actor=cast.staff_c2, language="zh-hans")
    assert row[3] == "G2a" and row[4] != h.compound.name


def test_without_a_household_the_example_avoids_an_address_of_another_grid(cast, areas):
    make_household(areas.g1b, compound_name="阳光花园", building="1", unit="1", room="101")
    _header, row = roster_template_rows(actor=cast.staff_c1, language="zh-hans")
    assert row[3:8] == ["G1a", "阳光花园", "1", "1", "102"]


@pytest.mark.parametrize("lang", ["zh-hans", "zh-hant", "en"])
def test_every_header_title_is_one_the_importer_reads_for_its_column(lang):
    aliases = {normalize_header(n): key for key, names in RESIDENT_COLUMNS.items()
               for n in [key, *names]}
    assert [aliases.get(normalize_header(t)) for t in TEMPLATE_HEADERS[lang]] == \
        list(RESIDENT_COLUMNS)


def test_the_example_id_number_is_well_formed_no_place_and_never_taken():
    assert ric.calc_check_digit(EXAMPLE_ID_NUMBER) == EXAMPLE_ID_NUMBER[-1]
    assert EXAMPLE_ID_NUMBER.startswith("000000")  # no place
    with translation.override("en"):
        assert "example row" in id_number_problem(EXAMPLE_ID_NUMBER)


def test_the_header_follows_the_users_language(web):
    raw = web("staff_c1", "zh-hant").get("/people/import/template.csv").content
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: Excel opens the Chinese right
    header, row = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header[:4] == ["姓名", "身分證號", "手機號碼", "網格"]
    assert row[1] == "\t" + EXAMPLE_ID_NUMBER  # a long digit run stays text in Excel
    wb = load_workbook(io.BytesIO(web("staff_c1", "en").get("/people/import/template.xlsx")
                                  .content))
    assert [c.value for c in wb.worksheets[0][1]] == list(RESIDENT_COLUMNS)


def test_the_xlsx_has_a_column_guide_and_text_columns(web):
    response = web("staff_c1", "en").get("/people/import/template.xlsx")
    assert response["Content-Type"] == XLSX
    wb = load_workbook(io.BytesIO(response.content))
    roster, guide = wb.worksheets
    assert roster["B2"].value == EXAMPLE_ID_NUMBER and roster["B2"].number_format == "@"
    rows = [[c.value for c in r] for r in guide.iter_rows(min_row=2, max_row=11)]
    assert [(r[0], r[1]) for r in rows[:4]] == [
        ("name", "yes"), ("id_number", "yes"), ("phone", "no"), ("grid", "yes")]
    assert "permanent / temporary / floating" in rows[8][2]


def test_a_compound_name_that_reads_as_a_formula_is_escaped(web, areas):
    make_household(areas.g1a, compound_name="=HYPERLINK(1)", room="101")
    c = web("staff_c1", "en")
    wb = load_workbook(io.BytesIO(c.get("/people/import/template.xlsx").content))
    assert wb.worksheets[0]["E2"].value == "'=HYPERLINK(1)"
    raw = c.get("/people/import/template.csv").content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(raw)))[1][4] == "'=HYPERLINK(1)"


def test_the_import_page_links_the_template_and_lists_the_columns(web):
    page = web("staff_c1", "en").get("/people/import/").content.decode()
    assert 'href="/people/import/template.xlsx"' in page
    assert 'href="/people/import/template.csv"' in page
    assert "<dt>id_number *</dt>" in page and "<dt>phone</dt>" in page


def test_a_user_who_may_not_import_gets_no_template(web):
    assert web("gate_c1").get("/people/import/template.xlsx").status_code == 403
