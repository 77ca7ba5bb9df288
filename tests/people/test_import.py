"""`firstline import residents FILE`: every rejection reason, idempotency, moves, encodings."""

import csv
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from firstline.demo.fake import fake_id_number
from firstline.people.models import Compound, Household, Placement, Resident
from firstline.people.services import residents_import
from firstline.tabular import errors_path_for

from .conftest import local

HEADER_CN = ["姓名", "身份证号", "手机号", "网格", "小区", "楼栋", "单元", "房号", "人员类型", "备注"]
HEADER_EN = ["name", "id_number", "phone", "grid", "compound", "building", "unit", "room",
             "residency", "note"]
rng = random.Random(11)
ID1, ID2, ID3 = (fake_id_number(rng, serial=i) for i in (1, 2, 3))


def write_csv(path: Path, rows, header=HEADER_CN, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def errors_of(path):
    with open(errors_path_for(path), encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def run(path, **kwargs):
    with translation.override("en"):
        return residents_import(path, **kwargs)


def good_rows():
    return [
        ["王伟", ID1, "13800001111", "G1a", "阳光花园", "1", "2", "301", "常住", ""],
        ["王芳", ID2, "", "G1a", "阳光花园", "1", "2", "301", "暂住", "女儿"],
        ["李强", ID3, "139 0000 2222", "G1b", "翰林华府", "3", "1", "101", "流动", ""],
    ]


def test_import_creates_residents_households_and_placements(areas, tmp_path):
    out = run(write_csv(tmp_path / "r.csv", good_rows()))
    assert out.summary == "imported 3, updated 0, rejected 0"
    assert Compound.objects.get(name="阳光花园").area == areas.c1
    assert Household.objects.count() == 2
    wang = Resident.objects.get(id_number=ID1)
    assert wang.household.address == "阳光花园 1栋 2单元 301室"
    assert Resident.objects.get(id_number=ID3).phone == "13900002222"
    assert Resident.objects.get(id_number=ID2).residency == "temporary"
    assert Placement.objects.filter(until__isnull=True).count() == 3


def test_sex_and_birth_date_come_from_the_id_number(areas, tmp_path):
    number = fake_id_number(rng, sex="F")
    run(write_csv(tmp_path / "r.csv", [["赵丽", number, "", "G1a", "幸福里", "", "", "", "", ""]]))
    r = Resident.objects.get(id_number=number)
    assert r.sex == "F"
    assert r.birth_date.strftime("%Y%m%d") == number[6:14]


def test_english_headers_work(areas, tmp_path):
    out = run(write_csv(tmp_path / "r.csv", good_rows(), header=HEADER_EN))
    assert out.imported == 3


def test_same_file_twice_changes_nothing(areas, tmp_path):
    path = write_csv(tmp_path / "r.csv", good_rows())
    run(path)
    out = run(path)
    assert out.summary == "imported 0, updated 0, rejected 0"
    assert Placement.objects.count() == 3


def test_changed_phone_updates_the_resident(areas, tmp_path):
    run(write_csv(tmp_path / "a.csv", good_rows()))
    rows = good_rows()
    rows[0][2] = "13700009999"
    out = run(write_csv(tmp_path / "b.csv", rows))
    assert out.summary == "imported 0, updated 1, rejected 0"
    assert Resident.objects.get(id_number=ID1).phone == "13700009999"
    assert Placement.objects.filter(resident__id_number=ID1).count() == 1


def test_a_move_changes_household_and_keeps_history(areas, tmp_path):
    run(write_csv(tmp_path / "a.csv", good_rows()), now=local(2020, 2, 1))
    rows = good_rows()
    rows[0][3:8] = ["G2a", "凤凰城", "5", "1", "502"]
    out = run(write_csv(tmp_path / "b.csv", rows), now=local(2020, 3, 1))
    assert out.updated == 1
    wang = Resident.objects.get(id_number=ID1)
    assert wang.grid == areas.g2a and wang.household.compound.area == areas.c2
    old, new = Placement.objects.filter(resident=wang).order_by("since")
    assert old.until == local(2020, 3, 1) and old.grid == areas.g1a
    assert new.until is None and new.household == wang.household


def test_dry_run_writes_nothing(areas, tmp_path):
    out = run(write_csv(tmp_path / "r.csv", good_rows()), dry_run=True)
    assert out.summary == "imported 3, updated 0, rejected 0"
    assert Resident.objects.count() == 0
    assert Compound.objects.count() == 0 and Household.objects.count() == 0


def test_dry_run_reports_updates_without_writing(areas, tmp_path):
    run(write_csv(tmp_path / "a.csv", good_rows()))
    rows = good_rows()
    rows[1][2] = "13600000000"
    out = run(write_csv(tmp_path / "b.csv", rows), dry_run=True)
    assert out.summary == "imported 0, updated 1, rejected 0"
    assert Resident.objects.get(id_number=ID2).phone == ""


def test_gbk_file(areas, tmp_path):
    out = run(write_csv(tmp_path / "gbk.csv", good_rows(), encoding="gbk"))
    assert out.imported == 3
    assert Resident.objects.get(id_number=ID1).name == "王伟"


def test_utf8_bom_and_gb18030_files(areas, tmp_path):
    assert run(write_csv(tmp_path / "bom.csv", good_rows()[:1], encoding="utf-8-sig")).imported == 1
    assert run(write_csv(tmp_path / "gb.csv", good_rows()[1:], encoding="gb18030")).imported == 2


def test_xlsx_file(areas, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEADER_CN)
    for row in good_rows():
        ws.append(row)
    ws.append(["钱七", ID1[:-1] + ("0" if ID1[-1] != "0" else "1"), "", "G1a", "幸福里", "", "",
               "", "", ""])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    out = run(path)
    assert out.summary == "imported 3, updated 0, rejected 1"


# --- every rejection reason -----------------------------------------------------------------

def _reject_one(tmp_path, row, **kwargs):
    path = write_csv(tmp_path / "r.csv", [good_rows()[0], row])
    out = run(path, **kwargs)
    assert out.rejected == 1 and out.imported == 1
    errors = errors_of(path)
    assert {e["row"] for e in errors} == {"2"}
    return errors


def test_bad_check_digit_is_rejected(areas, tmp_path):
    bad = ID2[:-1] + ("1" if ID2[-1] != "1" else "2")
    (e,) = _reject_one(tmp_path, ["王芳", bad, "", "G1a", "阳光花园", "", "", "", "", ""])
    assert e["column"] == "身份证号" and e["value"] == bad[:3] + "*" * 11 + bad[-4:]
    assert bad not in errors_path_for(tmp_path / "r.csv").read_text(encoding="utf-8")
    assert "check digit" in e["reason"]


def test_id_of_wrong_length_is_rejected(areas, tmp_path):
    (e,) = _reject_one(tmp_path, ["王芳", ID2[:15], "", "G1a", "阳光花园", "", "", "", "", ""])
    assert "15 characters" in e["reason"] and "18" in e["reason"]


def test_id_duplicated_inside_the_file_is_rejected(areas, tmp_path):
    (e,) = _reject_one(tmp_path, ["王伟二", ID1, "", "G1a", "阳光花园", "", "", "", "", ""])
    assert "duplicated inside the file" in e["reason"] and "row 1" in e["reason"]
    assert Resident.objects.get(id_number=ID1).name == "王伟"


def test_unknown_grid_code_is_rejected(areas, tmp_path):
    (e,) = _reject_one(tmp_path, ["王芳", ID2, "", "G9z", "阳光花园", "", "", "", "", ""])
    assert e["column"] == "网格" and "Unknown grid code G9z" in e["reason"]


def test_grid_outside_the_importers_scope_is_rejected(areas, cast, tmp_path):
    path = write_csv(tmp_path / "r.csv", [good_rows()[0],
                                          ["陈静", ID2, "", "G2a", "凤凰城", "", "", "", "", ""]])
    out = run(path, actor=cast.staff_c1)
    assert out.summary == "imported 1, updated 0, rejected 1"
    (e,) = errors_of(path)
    assert "outside your scope" in e["reason"]


def test_invalid_phone_is_rejected(areas, tmp_path):
    (e,) = _reject_one(tmp_path, ["王芳", ID2, "1234567", "G1a", "阳光花园", "", "", "", "", ""])
    assert e["column"] == "手机号" and "Phone invalid" in e["reason"]


def test_unknown_residency_type_is_rejected(areas, tmp_path):
    (e,) = _reject_one(tmp_path, ["王芳", ID2, "", "G1a", "阳光花园", "", "", "", "外籍", ""])
    assert e["column"] == "人员类型" and "Unknown residency type" in e["reason"]


@pytest.mark.parametrize("column, at", [("备注", 9), ("网格", 3), ("身份证号", 1)])
def test_a_nul_character_in_a_cell_rejects_that_row_only(areas, tmp_path, column, at):
    # PostgreSQL cannot store a NUL (the whole import used to fail); SQLite stored it.
    row = ["王芳", ID2, "", "G1a", "阳光花园", "", "", "", "", "女儿"]
    row[at] = row[at][:1] + "\x00" + row[at][1:]
    (e,) = _reject_one(tmp_path, row)
    assert e["column"] == column and "\x00" not in e["value"]
    if column == "身份证号":  # masked like any ID number (the one mask function)
        assert ID2[4:-4] not in e["value"] and e["value"].endswith("*" + ID2[-4:])
    else:
        assert "\\x00" in e["value"]
    assert "NUL character" in e["reason"]
    assert not Resident.objects.filter(name="王芳").exists()


def test_the_nul_reason_is_translated(areas, tmp_path):
    path = write_csv(tmp_path / "r.csv", [["王\x00芳", ID2, "", "G1a", "阳光花园", "", "", "",
                                           "", ""]])
    for lang, words in [("zh-hans", "空字符"), ("zh-hant", "空字元")]:
        with translation.override(lang):
            residents_import(path)
        assert words in errors_of(path)[0]["reason"]


def test_required_column_missing_imports_nothing(areas, tmp_path):
    header = [h for h in HEADER_CN if h != "网格"]
    rows = [[v for i, v in enumerate(r) if i != 3] for r in good_rows()]
    path = write_csv(tmp_path / "r.csv", rows, header=header)
    out = run(path)
    assert out.file_error and "Required column missing" in out.file_error
    assert Resident.objects.count() == 0
    (e,) = errors_of(path)
    assert e["column"] == "网格/grid"


def test_a_row_with_several_problems_counts_once(areas, tmp_path):
    path = write_csv(tmp_path / "r.csv", [["", "123", "999", "G9z", "", "", "", "", "x", ""]])
    out = run(path)
    assert out.rejected == 1
    assert {e["column"] for e in errors_of(path)} == {"姓名", "身份证号", "手机号", "网格", "小区",
                                                        "人员类型"}


def test_small_batches_give_the_same_result(areas, tmp_path):
    from firstline.people.importer import RosterImporter

    path = write_csv(tmp_path / "r.csv", good_rows() + [["王伟", ID1, "", "G1a", "x", "", "", "",
                                                         "", ""]])
    errors = []
    out = RosterImporter(add_error=lambda *e: errors.append(e), batch_size=1).run(path)
    assert out.summary == "imported 3, updated 0, rejected 1"


# --- the command ----------------------------------------------------------------------------

def test_command_prints_summary_and_exits_1_on_rejections(areas, tmp_path, capsys):
    path = write_csv(tmp_path / "r.csv", good_rows() + [["x", "1", "", "G1a", "y", "", "", "",
                                                         "", ""]])
    with pytest.raises(SystemExit) as exc:
        call_command("import_residents", str(path))
    assert exc.value.code == 1
    assert "imported 3, updated 0, rejected 1" in capsys.readouterr().out


def test_command_exits_0_when_all_rows_pass(areas, tmp_path, capsys):
    call_command("import_residents", str(write_csv(tmp_path / "r.csv", good_rows())))
    assert "imported 3, updated 0, rejected 0" in capsys.readouterr().out


def test_command_file_error_exits_1(areas, tmp_path):
    path = write_csv(tmp_path / "r.csv", [["a"]], header=["姓名"])
    with pytest.raises(CommandError) as exc:
        call_command("import_residents", str(path))
    assert exc.value.returncode == 1


def test_command_as_user_uses_that_scope(areas, cast, tmp_path, capsys):
    path = write_csv(tmp_path / "r.csv", good_rows())
    with pytest.raises(SystemExit):
        call_command("import_residents", str(path), "--as", "staff_c2")
    assert "imported 0, updated 0, rejected 3" in capsys.readouterr().out


def test_command_as_user_without_the_role_is_refused(areas, cast, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("import_residents", str(write_csv(tmp_path / "r.csv", good_rows())),
                     "--as", "grid_a")
    assert exc.value.returncode == 1
    assert Resident.objects.count() == 0


def test_missing_file_argument_is_a_usage_error():
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-m", "firstline.cli", "import", "residents"],
                          cwd=root, capture_output=True, text=True)
    assert proc.returncode == 2


@pytest.mark.django_db(transaction=True)
def test_threaded_writer_gives_the_same_result(areas, tmp_path):
    from firstline.people.importer import RosterImporter

    rows = good_rows() + [["坏", "1", "", "G1a", "x", "", "", "", "", ""]]
    path = write_csv(tmp_path / "r.csv", rows)
    errors = []
    out = RosterImporter(add_error=lambda *e: errors.append(e), batch_size=2).run(
        path, threaded=True)
    assert out.summary == "imported 3, updated 0, rejected 1" and out.finished
    assert Placement.objects.filter(until__isnull=True).count() == 3


def test_bounded_caches_do_not_lose_a_batchs_households(areas, tmp_path):
    from firstline.people.importer import RosterImporter

    id4 = fake_id_number(rng, serial=4)
    rows = [good_rows()[2], good_rows()[0], good_rows()[1],  # rows 2 and 3: one household
            ["赵四", id4, "", "G1a", "幸福里", "", "", "", "", ""]]
    path = write_csv(tmp_path / "r.csv", rows)
    out = RosterImporter(add_error=lambda *e: None, batch_size=2, cache_limit=0).run(path)
    assert out.summary == "imported 4, updated 0, rejected 0"
    assert Resident.objects.get(id_number=ID2).household == Resident.objects.get(
        id_number=ID1).household


def test_a_code_that_is_not_a_grid_is_rejected(areas, tmp_path):
    (e,) = _reject_one(tmp_path, ["王芳", ID2, "", "C1", "阳光花园", "", "", "", "", ""])
    assert "C1 is not a grid" in e["reason"]
