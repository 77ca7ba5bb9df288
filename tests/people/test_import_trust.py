"""Imports said truly: a file whose encoding breaks part-way writes nothing (CLI and web job);
Big5/CP950 files are read as Big5; a household belongs to one grid."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from firstline.demo.fake import fake_id_number
from firstline.people.models import ImportJob, Resident
from firstline.people.services import import_job_create, import_job_step
from firstline.tabular import detect_encoding

from .test_import import HEADER_CN, ID1, errors_of, run, write_csv

HEADER_HANT = ["姓名", "身份證號", "手機號", "網格", "小區", "樓棟", "單元", "房號"]


def many_rows(n, seed=5):
    import random

    rng = random.Random(seed)
    return [[f"居民{i}", fake_id_number(rng, serial=i % 999 + 1), "", "G1a", "阳光花园",
             str(i % 20 + 1), "1", str(100 + i % 300), "", ""] for i in range(n)]


def csv_bytes(rows, header=HEADER_CN, encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def broken_file(tmp_path, n=12_000):
    """12,000 good UTF-8 rows, then bytes of another encoding (a UTF-16 BOM)."""
    path = tmp_path / "broken.csv"
    rows = many_rows(n)
    path.write_bytes(csv_bytes(rows) + b"\xff\xfe" + "王五".encode("utf-16-le") + b",x\n")
    return path, len({r[1] for r in rows})


def test_an_encoding_break_after_12000_rows_writes_nothing(areas, tmp_path):
    path, _n = broken_file(tmp_path)
    out = run(path)
    assert out.file_error and "12001" in out.file_error or "line" in out.file_error
    assert (out.imported, out.updated) == (0, 0)
    assert not Resident.objects.exists()


def test_the_cli_summary_of_an_encoding_break_is_zero_and_true(areas, tmp_path, capsys):
    path, _n = broken_file(tmp_path, n=3000)
    with pytest.raises(CommandError):
        call_command("import_residents", str(path))
    assert "imported 0, updated 0" in capsys.readouterr().out
    assert Resident.objects.count() == 0


def test_the_web_job_of_an_encoding_break_writes_nothing_and_says_so(cast, areas, tmp_path):
    path, _n = broken_file(tmp_path, n=4500)
    from firstline.errors import InvalidInput

    upload = SimpleUploadedFile("broken.csv", path.read_bytes())
    with pytest.raises(InvalidInput) as exc:  # refused at the upload, before any row is read
        import_job_create(actor=cast.staff_c1, upload=upload)
    assert exc.value.field == "file" and "4502" in exc.value.detail
    assert not ImportJob.objects.exists() and not Resident.objects.exists()


def test_a_job_whose_file_turns_bad_after_upload_still_writes_nothing(cast, areas, tmp_path):
    path, _n = broken_file(tmp_path, n=4500)
    good = path.read_bytes().split(b"\xff\xfe")[0]
    job = import_job_create(actor=cast.staff_c1, upload=SimpleUploadedFile("r.csv", good))
    with open(job.path, "ab") as fh:  # as if the stored file were damaged after the upload
        fh.write(b"\xff\xfe\x00x\n")
    while job.state != ImportJob.State.DONE:
        job = import_job_step(job_id=job.pk, seconds=0.000001, batch_size=500)
    assert job.file_error and (job.imported, job.updated) == (0, 0)
    assert not Resident.objects.exists()


def test_a_file_broken_further_on_keeps_and_counts_the_rows_before(areas, tmp_path, capsys):
    """A break the up-front check cannot see (a CSV field over the csv module's limit far into
    the file): the rows before it stay written and the summary counts them — never
    "imported 0" over rows written."""
    path = tmp_path / "big-field.csv"
    rows = many_rows(10_500)  # one batch (10,000) written, then the break
    path.write_bytes(csv_bytes(rows) + b'x,"' + b"y" * 200_000 + b'"\n')
    with pytest.raises(CommandError):
        call_command("import_residents", str(path))
    out = capsys.readouterr().out
    written = Resident.objects.count()
    assert written >= 9_000  # the first batch (distinct ID numbers among the rows)
    assert out.startswith(f"imported {written}, updated 0, rejected 0")
    assert "stopped after data row 10000" in out


# --- Big5 / CP950 -----------------------------------------------------------------------------

def big5_rows():
    return [["陳大文", ID1, "13800138000", "G1a", "翰林華府", "3", "1", "101"]]


@pytest.mark.parametrize("encoding", ["big5", "cp950"])
def test_a_big5_file_is_read_as_big5(areas, tmp_path, encoding):
    path = write_csv(tmp_path / "big5.csv", big5_rows(), header=HEADER_HANT, encoding=encoding)
    out = run(path)
    assert out.imported == 1, errors_of(path)
    r = Resident.objects.get(id_number=ID1)
    assert r.name == "陳大文" and r.household.compound.name == "翰林華府"


@pytest.mark.parametrize("title", ["身分證號", "身分證字號"])
def test_taiwans_spelling_of_the_id_number_header_is_read(areas, tmp_path, title):
    """The zh-hant pages say 身分證號 (Taiwan's official spelling): a file headed that way,
    or with 身分證字號, is read as the ID-number column."""
    header = [title if h == "身份證號" else h for h in HEADER_HANT]
    path = write_csv(tmp_path / "tw.csv", big5_rows(), header=header)
    out = run(path)
    assert out.imported == 1, errors_of(path)
    assert Resident.objects.get(id_number=ID1).name == "陳大文"


def test_detection_tells_big5_from_gbk():
    hant = "姓名,身份證號,手機號\n陳大文,110105194912310020,13800138000\n"
    hans = "姓名,身份证号,手机号\n陈大文,110105194912310020,13800138000\n"
    assert detect_encoding(hant.encode("big5")) == "cp950"
    assert detect_encoding(hans.encode("gbk")) == "gb18030"
    assert detect_encoding(hant.encode("utf-8")) == "utf-8"


# --- one grid per household -------------------------------------------------------------------

def rows_at(address_grid_pairs):
    import random

    rng = random.Random(3)
    return [[f"住户{i}", fake_id_number(rng, serial=i + 1), "", grid, "跨网格小区", "5", "1",
             "501", "", ""] for i, grid in enumerate(address_grid_pairs)]


def test_one_address_in_two_grids_is_rejected_naming_the_grid(areas, tmp_path):
    path = write_csv(tmp_path / "two.csv", rows_at(["G1a", "G1b"]))
    out = run(path)
    assert (out.imported, out.rejected) == (1, 1)
    [e] = errors_of(path)
    assert (e["row"], e["column"], e["value"]) == ("2", "网格", "G1b") and "G1a" in e["reason"]


def test_an_existing_households_address_in_another_grid_is_rejected(areas, tmp_path):
    run(write_csv(tmp_path / "a.csv", rows_at(["G1a"])))
    newcomer = rows_at(["G1a", "G1b"])[1:]
    out = run(write_csv(tmp_path / "b.csv", newcomer))
    assert out.rejected == 1 and "G1a" in errors_of(tmp_path / "b.csv")[0]["reason"]
    from firstline.people.models import Household

    assert set(Household.objects.values_list("grid__code", flat=True)) == {"G1a"}


def test_the_same_file_may_move_the_whole_household(areas, tmp_path):
    from firstline.people.models import Household

    run(write_csv(tmp_path / "a.csv", rows_at(["G1a", "G1a"])))
    out = run(write_csv(tmp_path / "b.csv", rows_at(["G1b", "G1b"])))
    assert (out.updated, out.rejected) == (2, 0)
    assert list(Household.objects.values_list("grid__code", flat=True)) == ["G1b"]


def test_the_report_counts_such_a_household_once(areas, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from firstline.reports.selectors import daily_report

    run(write_csv(tmp_path / "two.csv", rows_at(["G1a", "G1b"])))
    day = timezone.localdate() + timedelta(days=1)
    assert daily_report(area=areas.c1, day=day)["households"] == 1


# --- caps: size, rows, zip bombs ------------------------------------------------------------------

def test_a_file_over_the_row_cap_writes_nothing_and_says_why(areas, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 100
    path = write_csv(tmp_path / "many.csv", many_rows(150))
    out = run(path)
    assert "more than 100 rows" in out.file_error and not Resident.objects.exists()


def test_a_file_over_the_size_cap_is_refused_at_upload(cast, areas, settings):
    from firstline.errors import InvalidInput

    settings.UPLOAD_MAX_MB = 1
    upload = SimpleUploadedFile("big.csv", csv_bytes(many_rows(20)) + b"#" * (2 * 2**20))
    with pytest.raises(InvalidInput) as exc:
        import_job_create(actor=cast.staff_c1, upload=upload)
    assert exc.value.field == "file" and "1 MB" in exc.value.detail
    assert not ImportJob.objects.exists()


def test_an_xlsx_zip_bomb_is_refused_before_it_is_read(cast, areas, tmp_path):
    import zipfile

    from firstline.errors import InvalidInput

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", "<sst>" + "A" * (200 * 2**20) + "</sst>")
    upload = SimpleUploadedFile("bomb.xlsx", bomb.read_bytes())
    with pytest.raises(InvalidInput) as exc:
        import_job_create(actor=cast.staff_c1, upload=upload)
    assert "200 MB" in exc.value.detail  # how far it unpacks, in any language
    out = run(bomb)
    assert "unpacks to" in out.file_error and not Resident.objects.exists()


def test_the_documented_defaults_are_50_mb_and_a_million_rows():
    from django.conf import settings

    assert (settings.UPLOAD_MAX_MB, settings.IMPORT_MAX_ROWS) == (50, 1_000_000)


# --- risk areas picked from the divisions (GB/T 2260) -------------------------------------------

@pytest.mark.parametrize("province, city", [("胡北", ""), ("湖北", "<script>x</script>"),
                                            ("😷", ""), ("湖北", "武汉😷")])
def test_a_risk_area_must_be_a_real_division(cast, areas, province, city):
    from datetime import date

    from firstline.errors import InvalidInput
    from firstline.people.models import RiskArea
    from firstline.people.services import risk_area_add

    with pytest.raises(InvalidInput):
        risk_area_add(actor=cast.hq, province=province, city=city, since=date(2020, 1, 1))
    assert not RiskArea.objects.exists()


@pytest.mark.parametrize("province", ["湖北", "湖北省", "广西壮族自治区", "新疆", "香港", "廣東", "台灣"])
def test_real_provinces_are_accepted(cast, areas, province):
    from datetime import date

    from firstline.people.services import gbt2260_provinces, risk_area_add

    risk_area_add(actor=cast.hq, province=province, city="", since=date(2020, 1, 1))
    assert len(set(gbt2260_provinces().values())) == 34
