"""`firstline report daily`: JSON on stdout, files with -o, exit 2 on usage errors."""

import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from firstline.cli import translate_argv

from .conftest import D


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("report_daily", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_cli_maps_report_daily():
    assert translate_argv(["firstline", "report", "daily", "--area", "X"])[1] == "report_daily"


def test_json_goes_to_stdout_with_summary_on_stderr(facts):
    out, err = run("--area", "99000101", "--date", "2020-02-10")
    body = json.loads(out)
    assert body["residents"] == 8 and body["date"] == "2020-02-10"
    assert "99000101" in err and "\n" not in err.strip()


def test_json_file_with_its_one_line_summary_on_stdout(facts, tmp_path):
    target = tmp_path / "r.json"
    out, err = run("--area", "C1", "--date", D.isoformat(), "-o", str(target))
    assert err == ""
    assert json.loads(target.read_text(encoding="utf-8"))["residents"] == 5
    assert str(target) in out and "\n" not in out.strip()


def test_xlsx_file_is_the_office_form(facts, tmp_path):
    target = tmp_path / "r.xlsx"
    run("--area", "99000101", "--date", D.isoformat(), "--format", "xlsx", "-o", str(target))
    wb = load_workbook(target)
    ws = wb.worksheets[0]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    text = " ".join(str(v) for row in cells for v in row if v is not None)
    assert "测试街道" in text and "2020-02-10" in text
    header = next(row for row in cells if row[0] == "编码")
    assert "常住人口" in header or "人口" in "".join(str(h) for h in header)
    # The ledger's count says it is the ledger's; the people in isolation by reason beside it.
    assert "重点人员台账：密切接触者" in header and "隔离中：密切接触者" in header
    header_row = cells.index(header) + 1
    assert ws.freeze_panes == f"A{header_row + 1}"
    rows = {row[1]: row for row in cells[header_row:]}
    residents = header.index(next(h for h in header if "人口" in str(h)))
    assert rows["一社区"][residents] == 5 and isinstance(rows["一社区"][residents], int)
    assert rows["二社区"][residents] == 3
    assert rows["合计"][residents] == 8
    kp = header.index("重点人员台账：密切接触者")
    assert rows["合计"][kp] == 1
    assert rows["合计"][header.index("隔离中：密切接触者")] == 3


def test_unknown_area_exits_2(facts):
    with pytest.raises(CommandError) as exc:
        run("--area", "NOPE")
    assert exc.value.returncode == 2


def test_bad_date_exits_2(facts):
    with pytest.raises(CommandError) as exc:
        run("--area", "C1", "--date", "2020-13-01")
    assert exc.value.returncode == 2


def test_xlsx_without_output_gets_a_default_name(facts, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out, _err = run("--area", "C2", "--date", D.isoformat(), "--format", "xlsx")
    target = tmp_path / "daily-report-C2-2020-02-10.xlsx"
    assert target.exists() and "daily-report-C2-2020-02-10.xlsx" in out
    ws = load_workbook(target).worksheets[0]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "二社区第1网格" in values


def test_bad_date_exits_2_from_the_console_script(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("firstline")
    result = subprocess.run([str(script), "report", "daily", "--area", "C1", "--date", "31/02"],
                            capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, "FIRSTLINE_VAR_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "date" in result.stderr.lower()
