"""A row handed over to another street names who handed it over in the sender's export —
in the 核查人 column, beside the hand-over time under 核查时间 — as the hand-over list's
转办人 does."""

import io

from openpyxl import load_workbook

from firstline.lists.services import checklist_import

from .conftest import write_csv


def _cells(response) -> list[tuple]:
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
                .iter_rows(values_only=True))


def test_the_senders_export_names_who_handed_a_row_over(api, roster, areas, other, cast,
                                                        tmp_path):
    path = write_csv(tmp_path / "h.csv", ["姓名", "手机号", "地址"],
                     [["王芳", "13900002222", ""], ["赵敏", "137 1111 2222", "东苑808"],
                      ["无名氏", "13000000000", "不详"]])
    c = checklist_import(path=path, source="铁路部门", area=areas.street).checklist
    cast.hq.display_name = "街道 张三"
    cast.hq.save(update_fields=["display_name"])
    for number, where in ((2, {"to_area": "99000102"}), (3, {"to_name": "外区某街道"})):
        r = api("hq").post(f"/api/v1/checklists/{c.pk}/rows/{number}/route",
                           {"routing": "other_street", "note": "住外区", **where})
        assert r.status_code == 200, r.content
    sent = _cells(api("hq").get(f"/api/v1/checklists/{c.pk}/export"))
    assert sent[0][3:] == ("核查结果", "核查时间", "核查人")
    handed = _cells(api("hq").get(f"/api/v1/checklists/{c.pk}/handover"))
    by = handed[0].index("转办人")
    for n in (2, 3):
        assert "转至" in sent[n][3] and sent[n][4]
        assert sent[n][5] == "街道 张三" == handed[n - 1][by]
