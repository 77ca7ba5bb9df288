"""The `firstline` console script, run as a real process: summary lines and exit codes."""

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIRSTLINE = Path(sys.executable).with_name("firstline")


def _cli(tmp_path):
    """`firstline ...` as a process against a private SQLite file in tmp_path: the test
    database of the suite is not visible to another process."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
           "FIRSTLINE_VAR_DIR": str(tmp_path / "var"), "FIRSTLINE_LANGUAGE": "en"}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def firstline(*args, stdin="", language="en"):
        return subprocess.run([str(FIRSTLINE), *map(str, args)],
                              env={**env, "FIRSTLINE_LANGUAGE": language}, input=stdin,
                              capture_output=True, text=True, timeout=120)
    return firstline


@pytest.fixture(scope="session")
def _migrated_by_the_cli(tmp_path_factory):
    """`firstline migrate -v0` run once a session, as a process, on a fresh file (exit 0: the
    console script migrates an empty database). Each test gets a copy of that file: the same
    bytes a migrate of its own would have left, without a ~15 s migrate per test."""
    folder = tmp_path_factory.mktemp("cli-migrated")
    migrated = _cli(folder)("migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    return folder


@pytest.fixture
def run(tmp_path, _migrated_by_the_cli):
    """Runs `firstline ...` as a process against a private, migrated SQLite file in tmp_path."""
    for made in _migrated_by_the_cli.glob("cli.sqlite3*"):  # the file, and a WAL if one is left
        shutil.copyfile(made, tmp_path / made.name)
    return _cli(tmp_path)


def write(path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


TREE = [("code", "name", "level", "parent_code"), ("S", "街道", "street", ""),
        ("C", "社区", "community", "S"), ("G", "网格", "grid", "C")]


def test_import_areas_summary_and_exit_0(run, tmp_path):
    result = run("import", "areas", write(tmp_path / "a.csv", TREE))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "imported 3, updated 0, rejected 0"


def test_import_areas_with_rejections_exits_1(run, tmp_path):
    path = write(tmp_path / "a.csv", TREE + [("X", "x", "grid", "NOPE")])
    result = run("import", "areas", path)
    assert result.returncode == 1
    assert "imported 3, updated 0, rejected 1" in result.stdout
    assert Path(f"{path}.errors.csv").exists()


def test_usage_errors_exit_2(run):
    assert run("import").returncode == 2
    assert run("import", "areas").returncode == 2
    assert run("report", "weekly").returncode == 2


def test_user_create_and_token_create(run, tmp_path):
    run("import", "areas", write(tmp_path / "a.csv", TREE))
    created = run("user", "create", "wang", "--role", "grid_worker", "--area", "G",
                  "--password-stdin", stdin="s3cret-Pass\n")
    assert created.returncode == 0, created.stderr
    again = run("user", "create", "wang", "--role", "gate_duty", "--area", "C")
    assert again.returncode == 0
    token = run("token", "create", "wang")
    assert token.returncode == 0
    assert token.stdout.strip().splitlines()[-1].startswith("fl_")


def test_user_create_rejects_unknown_area_and_role(run):
    assert run("user", "create", "li", "--role", "grid_worker", "--area", "NOPE").returncode == 2
    assert run("user", "create", "li", "--role", "king", "--area", "NOPE").returncode == 2


def test_token_for_unknown_user_is_a_usage_error(run):
    assert run("token", "create", "ghost").returncode == 2


def test_django_commands_pass_through(run):
    result = run("check")
    assert result.returncode == 0 and "no issues" in result.stdout


def test_errors_file_is_plain_utf8_with_the_contracts_header(run, tmp_path):
    # Scripts read it with encoding="utf-8": a BOM would name the first column "\ufeffrow".
    path = write(tmp_path / "a.csv", TREE + [("X", "x", "grid", "NOPE")])
    assert run("import", "areas", path).returncode == 1
    raw = Path(f"{path}.errors.csv").read_bytes()
    assert raw.startswith(b"row,column,value,reason\r\n")
    with open(f"{path}.errors.csv", encoding="utf-8", newline="") as fh:
        (row,) = csv.DictReader(fh)
    assert (row["row"], row["column"]) == ("4", "parent_code")


def test_a_nul_character_rejects_its_row_and_imports_the_rest(run, tmp_path):
    rows = TREE + [("G2", "网\x00格", "grid", "C"), ("G3", "三", "grid", "C")]
    path = write(tmp_path / "a.csv", rows)
    result = run("import", "areas", path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "imported 4, updated 0, rejected 1"
    assert "Traceback" not in result.stderr
    with open(f"{path}.errors.csv", encoding="utf-8-sig", newline="") as fh:
        (row,) = csv.DictReader(fh)
    assert (row["row"], row["column"], row["value"]) == ("4", "name", "网\\x00格")
    assert "NUL" in row["reason"]


@pytest.mark.parametrize("kind", ["areas", "residents"])
def test_a_missing_file_is_a_usage_error_and_leaves_no_errors_file(run, tmp_path, kind):
    missing = tmp_path / "missing.csv"
    result = run("import", kind, missing)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"CommandError: no such file: {missing}"]
    assert not Path(f"{missing}.errors.csv").exists()


def test_usage_errors_speak_the_installation_language(run, tmp_path):
    run("import", "areas", write(tmp_path / "a.csv", TREE))
    missing = tmp_path / "missing.csv"
    said = {args[0]: run(*args, language="zh-hans").stderr.strip().splitlines()[-1] for args in [
        ("import", "residents", missing),
        ("report", "daily", "--area", "NOPE"),
        ("user", "create", "wang", "--role", "grid_worker", "--area", "NOPE"),
        ("token", "create", "nobody"),
    ]}
    assert said == {"import": f"CommandError: 文件不存在：{missing}",
                    "report": "CommandError: --area：未知区域 NOPE。",
                    "user": "CommandError: --area：未知区域 NOPE。",
                    "token": "CommandError: 用户 'nobody' 不存在或已停用"}


def test_an_unknown_command_is_a_usage_error(run):
    result = run("bogus")
    assert result.returncode == 2
    assert "Unknown command: 'bogus'" in result.stderr
    assert run("help").returncode == 0
    assert run("help", "import", "areas").returncode == 0


@pytest.mark.parametrize("username", ["", "bad user!", "a" * 200])
def test_a_bad_username_is_a_usage_error(run, tmp_path, username):
    run("import", "areas", write(tmp_path / "a.csv", TREE))
    result = run("user", "create", username, "--role", "grid_worker", "--area", "G")
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("CommandError: bad USERNAME")
    count = run("shell", "-v0", "-c", "from firstline.accounts.models import User; "
                                      "print(User.objects.count())")
    assert count.stdout.strip() == "0"


def test_a_long_display_name_is_a_usage_error(run, tmp_path):
    run("import", "areas", write(tmp_path / "a.csv", TREE))
    result = run("user", "create", "wang", "--role", "grid_worker", "--area", "G",
                 "--name", "王" * 101)
    assert result.returncode == 2 and "bad --name" in result.stderr


def test_token_days_must_be_between_1_and_3650(run, tmp_path):
    run("import", "areas", write(tmp_path / "a.csv", TREE))
    run("user", "create", "wang", "--role", "grid_worker", "--area", "G")
    for days in ("0", "3651", "99999999"):
        result = run("token", "create", "wang", "--days", days)
        assert result.returncode == 2, days
        assert result.stderr.strip().splitlines() == [
            "CommandError: --days must be between 1 and 3650"]
    assert run("token", "create", "wang", "--days", "3650").returncode == 0
    assert run("token", "create", "wang", "--label", "x" * 101).returncode == 2


def test_usage_text_names_commands_as_they_are_typed(run):
    helped = run("import", "areas", "--help")
    assert helped.returncode == 0
    assert helped.stdout.startswith("usage: firstline import areas ")
    wrong = run("report", "daily")
    assert wrong.returncode == 2
    assert "firstline report daily: error: the following arguments are required: --area" \
        in wrong.stderr
    assert "report_daily" not in wrong.stderr
    group = run("import", "--help")
    assert group.returncode == 0
    assert group.stdout == "usage: firstline import {areas, checklist, residents} ...\n"
