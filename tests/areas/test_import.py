import csv

import pytest
from openpyxl import Workbook

from firstline.areas.models import Area
from firstline.areas.services import areas_import

TREE = [
    ("编码", "名称", "级别", "上级编码"),
    ("9900", "测试市", "市", ""),
    ("990001", "测试区", "区县", "9900"),
    ("99000101", "测试街道", "街道/乡镇", "990001"),
    ("C1", "一社区", "社区/村", "99000101"),
    ("G1a", "一社区第1网格", "网格", "C1"),
]


def write_csv(path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def errors(path):
    with open(f"{path}.errors.csv", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.django_db
def test_good_file_builds_the_tree_with_paths(tmp_path):
    result = areas_import(write_csv(tmp_path / "a.csv", TREE))
    assert (result.imported, result.updated, result.rejected) == (5, 0, 0)
    grid = Area.objects.get(code="G1a")
    street = Area.objects.get(code="99000101")
    assert grid.path.startswith(street.path)
    assert list(Area.objects.filter(path__startswith=street.path).values_list("code", flat=True)) \
        == ["99000101", "C1", "G1a"]


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_chinese_encodings_are_detected(tmp_path, encoding):
    result = areas_import(write_csv(tmp_path / "a.csv", TREE, encoding=encoding))
    assert result.imported == 5
    assert Area.objects.get(code="C1").name == "一社区"


@pytest.mark.django_db
def test_english_headers_and_rows_in_any_order(tmp_path):
    rows = [("code", "name", "level", "parent_code"), ("G1", "Grid 1", "grid", "C1"),
            ("C1", "Community", "community", "S1"), ("S1", "Street", "street", "")]
    assert areas_import(write_csv(tmp_path / "a.csv", rows)).imported == 3
    assert Area.objects.get(code="G1").parent.code == "C1"


@pytest.mark.django_db
def test_xlsx_file(tmp_path):
    wb = Workbook()
    for row in TREE:
        wb.active.append(row)
    wb.save(tmp_path / "a.xlsx")
    assert areas_import(tmp_path / "a.xlsx").imported == 5


@pytest.mark.django_db
def test_second_import_changes_nothing_and_rename_updates(tmp_path):
    path = write_csv(tmp_path / "a.csv", TREE)
    areas_import(path)
    again = areas_import(path)
    assert (again.imported, again.updated, again.rejected) == (0, 0, 0)
    renamed = [r if r[0] != "C1" else ("C1", "一社区（新）", "社区", "99000101") for r in TREE]
    result = areas_import(write_csv(tmp_path / "b.csv", renamed))
    assert (result.imported, result.updated) == (0, 1)
    assert Area.objects.get(code="C1").name == "一社区（新）"


@pytest.mark.django_db
def test_moving_an_area_moves_its_subtree(tmp_path):
    areas_import(write_csv(tmp_path / "a.csv", TREE + [("C2", "二社区", "社区", "99000101")]))
    areas_import(write_csv(tmp_path / "b.csv", [TREE[0], ("G1a", "一社区第1网格", "网格", "C2")]))
    c2 = Area.objects.get(code="C2")
    assert Area.objects.get(code="G1a").path.startswith(c2.path)


@pytest.mark.django_db
@pytest.mark.parametrize("bad_row, column, reason_part", [
    (("X1", "无上级", "网格", "NOPE"), "上级编码", "NOPE"),
    (("X2", "错层", "区县", "C1"), "级别", "C1"),
    (("C1", "重复", "社区", "99000101"), "编码", "C1"),
    (("X3", "怪级别", "省", ""), "级别", ""),
    (("", "无编码", "网格", "C1"), "编码", ""),
])
def test_rejections_name_row_column_and_reason(tmp_path, bad_row, column, reason_part):
    path = write_csv(tmp_path / "a.csv", TREE + [bad_row])
    result = areas_import(path)
    assert (result.imported, result.rejected) == (5, 1)
    [error] = errors(path)
    assert error["row"] == "6"
    assert error["column"] == column
    assert reason_part in error["reason"] or reason_part == ""
    assert error["reason"]


@pytest.mark.django_db
def test_child_of_a_rejected_row_is_rejected_too(tmp_path):
    rows = TREE + [("X", "错层", "区县", "C1"), ("Y", "其下", "网格", "X")]
    path = write_csv(tmp_path / "a.csv", rows)
    result = areas_import(path)
    assert result.rejected == 2
    assert not Area.objects.filter(code__in=["X", "Y"]).exists()


@pytest.mark.django_db
def test_missing_required_column_imports_nothing(tmp_path):
    path = write_csv(tmp_path / "a.csv", [("编码", "名称"), ("9900", "测试市")])
    result = areas_import(path)
    assert result.file_error
    assert not Area.objects.exists()
    assert "级别" in errors(path)[0]["reason"]


@pytest.mark.django_db
def test_dry_run_writes_nothing(tmp_path):
    result = areas_import(write_csv(tmp_path / "a.csv", TREE), dry_run=True)
    assert result.imported == 5
    assert not Area.objects.exists()


@pytest.mark.django_db
def test_a_nul_character_in_a_cell_rejects_that_row_only(tmp_path):
    # PostgreSQL cannot store a NUL (the whole import used to fail); SQLite stored it.
    rows = TREE + [("G1b", "第\x002网格", "网格", "C1"), ("G1c", "第3网格", "网格", "C1\x00"),
                   ("G1d", "第4网格", "网格", "C1")]
    path = write_csv(tmp_path / "a.csv", rows)
    result = areas_import(path)
    assert (result.imported, result.rejected) == (6, 2)
    assert {(e["row"], e["column"], e["value"]) for e in errors(path)} == {
        ("6", "名称", "第\\x002网格"), ("7", "上级编码", "C1\\x00")}
    assert not Area.objects.filter(code__in=["G1b", "G1c"]).exists()
