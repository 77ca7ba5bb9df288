"""A phone cell holding the sender's words and no number ("电话空号", "无") is shown as sent on
the list's page and in the masked export: there is no number to hide. Anything holding a
digit or a numeral stays masked by the one mask function."""

import io

import pytest
from openpyxl import load_workbook

from firstline.lists.services import checklist_import
from firstline.people.services import mask_phone

from .conftest import write_csv


def test_a_phone_cell_of_words_is_shown_as_sent_and_a_number_stays_masked(
        roster, areas, web, tmp_path):
    path = write_csv(tmp_path / "l.csv", ["姓名", "手机号", "身份证号"],
                     [["王芳", "13900002222", roster.fang.id_number],
                      ["无名氏", "电话空号", "11010519800101123X"]])
    c = checklist_import(path=path, source="铁路部门", area=areas.street).checklist
    page = web("hq").get(f"/lists/{c.pk}/").content.decode()
    row = page[page.index('id="row-2"'):]
    row = row[:row.index("</tr>")]
    assert ">电话空号</td>" in row and "110***********123X" in row
    r = web("hq").get(f"/lists/{c.pk}/export/")
    sent = list(load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
                .iter_rows(values_only=True))
    assert sent[2][1] == "电话空号"
    assert sent[1][1] == "139****2222" and "13900002222" not in str(sent)


@pytest.mark.parametrize("value", ["电话空号", "无", "拒绝提供", "N/A"])
def test_words_without_a_number_are_not_masked(value):
    assert mask_phone(value) == value


@pytest.mark.parametrize(("value", "masked"), [
    ("13812345678", "138****5678"), ("１３８１２３４５６７８", "138****5678"),
    ("138 1234 5678（空号）", "138****5678"), ("5551234", "*******"),
    ("一三八一二三四五六七八", "一三八****五六七八"), ("十分钟后回电", "******")])
def test_anything_holding_a_digit_or_numeral_stays_masked(value, masked):
    assert mask_phone(value) == masked
