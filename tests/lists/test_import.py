"""Importing a list: each matching path with messy input, unmatched rows routed, all or
nothing, a re-import adding nothing, the sender's columns remembered."""

import pytest
from django.utils import translation

from firstline.lists.models import Checklist, ChecklistRow, SourceMapping, Verification
from firstline.lists.services import checklist_import
from tests.conftest import write_xlsx

from .conftest import write_csv

HEADER = ["序号", "姓名", "身份证号码", "联系电话", "现住址", "来源地"]


def _import(path, source="县防控办", **kw):
    return checklist_import(path=path, source=source, **kw)


def _row(result, number):
    return ChecklistRow.objects.get(checklist=result.checklist, number=number)


def test_id_number_matches_after_spaces_full_width_digits_and_lower_case_x(roster, tmp_path):
    messy = " 110105 1949１２３１００2x "
    path = write_csv(tmp_path / "l.csv", HEADER, [["1", "王芳", messy, "", "", "武汉"]])
    result = _import(path)
    assert (result.rows, result.matched_by_id, result.unmatched) == (1, 1, 0)
    assert _row(result, 1).resident == roster.fang


def test_name_and_phone_match_with_plus86_and_spaces(roster, tmp_path):
    path = write_csv(tmp_path / "l.csv", HEADER,
                     [["1", "王 伟", "", "+86 138 0000 1111", "", ""]])
    result = _import(path)
    assert result.matched_by_name_phone == 1
    assert _row(result, 1).resident == roster.wang
    assert _row(result, 1).matched_by == "name_phone"


def test_a_name_without_its_middle_dot_still_matches(roster, tmp_path):
    path = write_csv(tmp_path / "l.csv", HEADER,
                     [["1", "买买提艾力", "", "0086-135-0000-5555", "", ""]])
    result = _import(path)
    assert _row(result, 1).resident == roster.maimaiti


def test_name_and_address_match_when_the_phone_is_missing(roster, tmp_path):
    path = write_csv(tmp_path / "l.csv", HEADER,
                     [["1", "李强", "", "", "某市某区阳光花园1号楼1单元102", ""]])
    result = _import(path)
    assert (result.matched_by_name_address, result.unmatched) == (1, 0)
    assert _row(result, 1).resident == roster.li


def test_a_wrong_phone_falls_back_to_the_address(roster, tmp_path):
    path = write_csv(tmp_path / "l.csv", HEADER,
                     [["1", "王伟", "", "13999999999", "阳光花园 1栋 1单元 101室", ""]])
    result = _import(path)
    assert _row(result, 1).matched_by == "name_address"


def test_unmatched_rows_are_listed_with_a_reason(roster, tmp_path):
    path = write_csv(tmp_path / "l.csv", HEADER,
                     [["1", "赵六", "", "13700000000", "外地", ""]])
    result = _import(path)
    assert result.unmatched == 1
    row = _row(result, 1)
    assert row.resident is None and row.reason_shown and row.routing == ""
    assert not Verification.objects.exists()


def test_a_person_of_another_area_is_routed_to_another_street(roster, areas, tmp_path):
    path = write_csv(tmp_path / "l.csv", HEADER,
                     [["1", "陈静", roster.chen.id_number, "", "", ""]])
    result = _import(path, area=areas.c1)
    row = _row(result, 1)
    assert result.unmatched == 1 and row.routing == "other_street"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_people_send(roster, tmp_path, encoding):
    path = write_csv(tmp_path / "l.csv", ["姓名", "手机号"], [["刘洋", "13600003333"]],
                     encoding=encoding)
    result = _import(path)
    assert result.matched_by_name_phone == 1, encoding


def test_csv_in_big5_from_a_traditional_chinese_sender(roster, tmp_path):
    path = write_csv(tmp_path / "l.csv", ["姓名", "手機號碼", "現住址"],
                     [["王芳", "13900002222", "陽光花園"], ["王偉", "", "陽光花園1棟1單元101室"]],
                     encoding="big5")
    result = _import(path)
    assert result.matched_by_name_phone == 1
    assert ChecklistRow.objects.get(checklist=result.checklist, number=2).values[2] == \
        "陽光花園1棟1單元101室"


@pytest.mark.parametrize("title", ["身分證號", "身分證字號"])
def test_a_taiwan_senders_id_number_column_is_read(roster, tmp_path, title):
    """Taiwan spells it 身分證 (as the zh-hant pages do): the column matches by ID number."""
    path = write_csv(tmp_path / "l.csv", ["姓名", title], [["王芳", roster.fang.id_number]],
                     encoding="big5")
    result = _import(path)
    assert (result.matched_by_id, result.unmatched) == (1, 0)
    assert _row(result, 1).resident == roster.fang


def test_xlsx_with_number_cells(roster, tmp_path):
    path = write_xlsx(tmp_path / "l.xlsx", ["姓名", "手机"], [["刘洋", 13600003333]])
    result = checklist_import(path=path, source="铁路", mapping={"name": 0, "phone": 1})
    assert result.matched_by_name_phone == 1


def test_a_list_without_id_or_phone_column_writes_nothing(roster, tmp_path):
    from firstline.errors import InvalidInput

    path = write_csv(tmp_path / "l.csv", ["姓名", "住址"], [["刘洋", "翰林华府"]])
    with pytest.raises(InvalidInput) as exc:
        _import(path)
    assert exc.value.field == "id_number"
    assert not Checklist.objects.exists()


def test_an_unreadable_file_writes_nothing(roster, tmp_path):
    path = tmp_path / "l.xlsx"
    path.write_bytes(b"not a workbook")
    result = _import(path)
    assert result.file_error and result.checklist is None
    assert not Checklist.objects.exists()


def test_the_same_file_imported_twice_adds_nothing(roster, tmp_path):
    path = write_csv(tmp_path / "l.csv", HEADER, [["1", "王芳", roster.fang.id_number, "", "", ""],
                                                  ["2", "刘洋", "", "13600003333", "", ""]])
    first = _import(path)
    second = _import(path)
    assert second.created is False and second.checklist == first.checklist
    assert Checklist.objects.count() == 1
    assert ChecklistRow.objects.count() == 2
    assert Verification.objects.count() == 2


def test_the_senders_columns_are_remembered(roster, tmp_path):
    header = ["人名", "号码", "备注"]
    first = write_csv(tmp_path / "a.csv", header, [["刘洋", "13600003333", ""]])
    checklist_import(path=first, source="航班", mapping={"name": "人名", "phone": "号码"})
    assert SourceMapping.objects.get(source="航班").mapping == {"name": "人名", "phone": "号码"}
    second = write_csv(tmp_path / "b.csv", header, [["王伟", "13800001111", "x"]])
    result = checklist_import(path=second, source="航班")  # no mapping given: remembered
    assert result.matched_by_name_phone == 1


def test_cli_imports_and_prints_one_line(roster, tmp_path, capsys):
    from django.core.management import call_command

    path = write_csv(tmp_path / "l.csv", HEADER, [["1", "王芳", roster.fang.id_number, "", "", ""],
                                                  ["2", "无名", "", "13000000000", "", ""]])
    call_command("import_checklist", str(path), "--source", "县防控办", "--deadline",
                 "2030-03-01")
    out = capsys.readouterr().out.strip()
    assert out.endswith("rows 2, matched_by_id 1, matched_by_name_phone 0, "
                        "matched_by_name_address 0, unmatched 1")
    assert len(out.splitlines()) == 1


@pytest.mark.parametrize("args,code", [
    (["--source", "x", "--deadline", "tomorrow"], 2),
    (["--source", "x", "--area", "NOPE"], 2),
])
def test_cli_usage_errors_exit_2(roster, tmp_path, args, code):
    from django.core.management import CommandError, call_command

    path = write_csv(tmp_path / "l.csv", HEADER, [["1", "王芳", "", "", "", ""]])
    with pytest.raises(CommandError) as exc:
        call_command("import_checklist", str(path), *args)
    assert exc.value.returncode == code


def test_cli_missing_file_exits_2(roster, tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError) as exc:
        call_command("import_checklist", str(tmp_path / "none.csv"), "--source", "x")
    assert exc.value.returncode == 2


def test_cli_bad_file_exits_1_and_writes_nothing(roster, tmp_path):
    from django.core.management import CommandError, call_command

    path = write_csv(tmp_path / "l.csv", ["姓名", "住址"], [["刘洋", "翰林华府"]])
    with pytest.raises(CommandError) as exc:
        call_command("import_checklist", str(path), "--source", "x")
    assert exc.value.returncode == 1
    assert not Checklist.objects.exists()


def test_the_firstline_command_imports_a_checklist(roster, tmp_path):
    import subprocess
    import sys

    helped = subprocess.run([sys.executable, "-m", "firstline.cli", "import", "checklist",
                             "--help"], capture_output=True, text=True)
    assert helped.returncode == 0
    assert helped.stdout.startswith("usage: firstline import checklist ")


# --- cells and rows as Excel writes them ---------------------------------------------------------

def test_a_date_column_of_a_list_is_kept_as_the_date_excel_shows(roster, tmp_path):
    from datetime import datetime

    path = write_xlsx(tmp_path / "l.xlsx", ["姓名", "手机号", "到达日期"],
                      [["刘洋", "13600003333", datetime(2020, 1, 23)]])
    result = _import(path)
    assert result.matched_by_name_phone == 1
    assert _row(result, 1).values == ["刘洋", "13600003333", "2020-01-23"]


def test_an_id_number_excel_cut_to_15_digits_refuses_the_list(roster, tmp_path):
    from firstline.errors import InvalidInput

    cut = float(roster.fang.id_number[:15] + "000")
    path = write_xlsx(tmp_path / "l.xlsx", ["姓名", "身份证号码"],
                      [["王伟", roster.wang.id_number], ["王芳", cut]])
    with pytest.raises(InvalidInput) as exc, translation.override("en"):
        _import(path)
    assert exc.value.field == "file"
    assert "Row 2" in exc.value.detail and "身份证号码" in exc.value.detail
    assert "15" in exc.value.detail
    assert not Checklist.objects.exists()


def test_a_list_whose_xlsx_dimension_is_stale_is_read_to_its_last_row(roster, tmp_path):
    from tests.people.test_import_files import with_dimension

    path = write_xlsx(tmp_path / "l.xlsx", ["姓名", "手机号"],
                      [["刘洋", "13600003333"], ["王伟", "13800001111"], ["王芳", "13900002222"]])
    result = _import(with_dimension(path, "A1:B2"))
    assert (result.rows, result.matched_by_name_phone) == (3, 3)
