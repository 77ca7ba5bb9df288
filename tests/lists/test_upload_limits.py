"""A list from above (核查) passes the roster's file checks before a row is read: the size cap
(FIRSTLINE_UPLOAD_MAX_MB), the row cap (FIRSTLINE_IMPORT_MAX_ROWS: CSV lines of any ending,
an .xlsx's rows from its sheet), a zip bomb, a CSV that changes encoding. Each is refused on
the API (422 naming the file and why), the command line (exit 1 with the message) and the
upload page (beside the file field), and nothing is written."""

import csv
import io
import re
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from firstline.lists.models import Checklist
from tests.conftest import write_xlsx

HEADER = ["序号", "姓名", "身份证号", "手机号"]


def _rows(n):
    return [[str(i), f"居民{i}", "", f"138{i:08d}"] for i in range(1, n + 1)]


def _csv(rows, ending="\n") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=ending).writerows([HEADER, *rows])
    return buffer.getvalue().encode("utf-8")


def too_big(tmp_path, settings):
    settings.UPLOAD_MAX_MB = 1
    path = tmp_path / "big.csv"
    path.write_bytes(_csv(_rows(2)) + b"#" * (2 * 2**20))
    return path


def too_many_cr_lines(tmp_path, settings):
    """Four rows ending in a lone CR (old Mac and some Excel exports): four, not one."""
    settings.IMPORT_MAX_ROWS = 3
    path = tmp_path / "mac.csv"
    path.write_bytes(_csv(_rows(4), ending="\r"))
    return path


def too_many_xlsx_rows(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 3
    return write_xlsx(tmp_path / "many.xlsx", HEADER, _rows(4))


def zip_bomb(tmp_path, settings):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", "<sst>" + "A" * (5 * 2**20) + "</sst>")
    return path


def mixed_encodings(tmp_path, settings):
    """12,000 UTF-8 rows (more than the 256 KB the encoding is guessed from), then bytes of
    another encoding on line 12002."""
    path = tmp_path / "mixed.csv"
    path.write_bytes(_csv(_rows(12_000)) + b"\xff\xfe" + "王五".encode("utf-16-le") + b",x\n")
    return path


# (file, what the English message says, the same in zh-hans)
REFUSALS = [
    (too_big, "larger than 1 MB", "超过 1 MB"),
    (too_many_cr_lines, "more than 3 rows", "超过 3 行"),
    (too_many_xlsx_rows, "more than 3 rows", "超过 3 行"),
    (zip_bomb, "unpacks to 5 MB, far more than a list", "解压后达 5 MB，远超正常名单"),
    (mixed_encodings, "line 12002 does not decode", "第 12002 行无法解码"),
]
IDS = [r[0].__name__ for r in REFUSALS]


def _upload(api_client, path, lang):
    with open(path, "rb") as fh:
        return api_client.client.post("/api/v1/checklists", {"file": fh, "source": "县防控办"},
                                      HTTP_ACCEPT_LANGUAGE=lang, **api_client._headers())


@pytest.mark.parametrize("make, en, hans", REFUSALS, ids=IDS)
def test_the_api_refuses_the_file_with_422_naming_it_and_why(api, roster, tmp_path, settings,
                                                             make, en, hans):
    path = make(tmp_path, settings)
    for lang, words in [("en", f"file {path.name}: "), ("zh-hans", f"文件 {path.name}：")]:
        r = _upload(api("hq"), path, lang)
        assert r.status_code == 422, r.content
        body = r.json()
        assert body["error"] in ("bad_file", "too_large")
        assert body["detail"].startswith(words) and (en if lang == "en" else hans) in \
            body["detail"], body["detail"]
    assert not Checklist.objects.exists()


def test_the_row_cap_speaks_traditional_chinese_too(api, roster, tmp_path, settings):
    r = _upload(api("hq"), too_many_cr_lines(tmp_path, settings), "zh-hant")
    assert r.status_code == 422
    assert r.json()["detail"] == "檔案 mac.csv：檔案超過 3 列：請拆分為幾個檔案。"


@pytest.mark.parametrize("make, en, hans", REFUSALS, ids=IDS)
def test_the_command_line_exits_1_with_the_message(roster, tmp_path, settings, capsys,
                                                   make, en, hans):
    path = make(tmp_path, settings)
    with translation.override("en"), pytest.raises(CommandError) as exc:
        call_command("import_checklist", str(path), "--source", "县防控办")
    assert exc.value.returncode == 1 and en in str(exc.value)
    assert "rows 0," in capsys.readouterr().out
    assert not Checklist.objects.exists()


@pytest.mark.parametrize("make, en, hans", REFUSALS, ids=IDS)
def test_the_upload_page_says_it_beside_the_file_field(web, roster, tmp_path, settings,
                                                       make, en, hans):
    path = make(tmp_path, settings)
    with open(path, "rb") as fh:
        r = web("hq").post("/lists/upload/", {"file": fh, "source": "航班", "deadline": "",
                                              "area": "99000101"})
    assert r.status_code == 422
    page = r.content.decode()
    beside = re.search(r'<input type="file" name="file"[^>]*><span class="error" '
                       r'role="alert">([^<]*)</span></label>', page)
    assert beside and hans in beside.group(1), page
    assert not Checklist.objects.exists()


def test_a_list_within_the_caps_is_still_read(roster, tmp_path, settings):
    from firstline.lists.reading import read_table

    settings.IMPORT_MAX_ROWS = 4
    path = tmp_path / "mac.csv"
    path.write_bytes(_csv(_rows(4), ending="\r"))
    table = read_table(path)
    assert table.header == HEADER and [n for n, _cells in table.rows] == [1, 2, 3, 4]
    assert table.rows[3][1][1] == "居民4"
