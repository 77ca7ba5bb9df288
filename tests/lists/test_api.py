"""The HTTP API of lists (核查): allowed, wrong-role and other-area (404) for each endpoint."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from firstline.lists.models import Verification

from .conftest import write_csv

pytestmark = pytest.mark.time_sensitive  # today's date, deadlines, overdue


def upload(api_client, path, **fields):
    with open(path, "rb") as fh:
        data = {"file": fh, "source": "县防控办", **fields}
        return api_client.client.post("/api/v1/checklists", data,
                                      **api_client._headers())


def _list(roster, tmp_path):
    return write_csv(tmp_path / "rail.csv", ["序号", "姓名", "身份证号", "手机号", "车次"],
                     [["1", "王芳", roster.fang.id_number, "", "G123"],
                      ["2", "刘洋", "", "+86 136 0000 3333", "=HYPERLINK(\"x\")"],
                      ["3", "陈静", roster.chen.id_number, "", "D5"],
                      ["4", "查无此人", "", "13111111111", "K9"]])


def test_hq_uploads_a_list(api, roster, tmp_path):
    response = upload(api("hq"), _list(roster, tmp_path), deadline="2030-03-01")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("rows", "matched_by_id", "matched_by_name_phone",
                                 "unmatched")} == {"rows": 4, "matched_by_id": 2,
                                                   "matched_by_name_phone": 1, "unmatched": 1}


def test_the_same_upload_again_is_200_and_adds_nothing(api, roster, tmp_path):
    path = _list(roster, tmp_path)
    first = upload(api("hq"), path).json()
    again = upload(api("hq"), path)
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    assert Verification.objects.count() == 3


def test_a_grid_worker_may_not_upload(api, roster, tmp_path):
    assert upload(api("grid_a"), _list(roster, tmp_path)).status_code == 403


def test_community_staff_upload_into_another_community_is_404(api, roster, tmp_path):
    assert upload(api("staff_c1"), _list(roster, tmp_path), area="C2").status_code == 404


def test_community_staff_list_covers_only_their_community(api, roster, tmp_path):
    body = upload(api("staff_c1"), _list(roster, tmp_path)).json()
    assert body["matched_by_id"] == 1 and body["unmatched"] == 2  # 陈静 lives in C2


def test_bad_deadline_and_bad_file_name_the_field(api, roster, tmp_path):
    r = upload(api("hq"), _list(roster, tmp_path), deadline="soon")
    assert r.status_code == 422 and "deadline" in r.json()["detail"]
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF")
    r = upload(api("hq"), bad)
    assert r.status_code == 422 and r.json()["error"] == "bad_file"


def test_grid_worker_sees_their_items_naming_the_lists(api, roster, tmp_path):
    first = upload(api("hq"), _list(roster, tmp_path)).json()
    other = write_csv(tmp_path / "b.csv", ["姓名", "身份证号"], [["王芳", roster.fang.id_number]])
    second = upload(api("hq"), other).json()
    items = api("grid_a").get("/api/v1/verifications", status="open").json()
    assert items["count"] == 1
    [item] = items["items"]
    assert item["resident_id"] == roster.fang.pk
    assert sorted(item["checklists"]) == sorted([first["id"], second["id"]])


def test_verifications_of_another_area_are_404_or_empty(api, roster, tmp_path):
    upload(api("hq"), _list(roster, tmp_path))
    assert api("grid_a").get("/api/v1/verifications", area="G2a").status_code == 404
    assert api("staff_c2").get("/api/v1/verifications").json()["count"] == 1  # 陈静 only
    assert api("gate_c1").get("/api/v1/verifications").status_code == 403


def test_outcome_answers_every_list_and_progress_counts_it(api, roster, tmp_path):
    first = upload(api("hq"), _list(roster, tmp_path), deadline="2030-03-01").json()
    item = Verification.objects.get(resident=roster.fang)
    r = api("grid_a").post(f"/api/v1/verifications/{item.pk}/outcome",
                           {"result": "reached", "temperature": 36.5, "note": "电话"})
    assert r.status_code == 200, r.content
    assert r.json()["checklists"] == [first["id"]]
    again = api("grid_a").post(f"/api/v1/verifications/{item.pk}/outcome",
                               {"result": "unreachable"})
    assert again.status_code == 409 and again.json()["error"] == "already_answered"
    progress = api("hq").get(f"/api/v1/checklists/{first['id']}").json()
    assert {k: progress[k] for k in ("rows", "matched", "done", "overdue")} == \
        {"rows": 4, "matched": 3, "done": 1, "overdue": 0}
    by = {a["code"]: a for a in progress["by_area"]}
    assert by["C1"]["done"] == 1 and by["G1a"]["matched"] == 1 and by["C2"]["matched"] == 1


def test_outcome_bad_result_and_temperature_are_422(api, roster, tmp_path):
    upload(api("hq"), _list(roster, tmp_path))
    item = Verification.objects.get(resident=roster.fang)
    r = api("grid_a").post(f"/api/v1/verifications/{item.pk}/outcome", {"result": "maybe"})
    assert r.status_code == 422
    r = api("grid_a").post(f"/api/v1/verifications/{item.pk}/outcome",
                           {"result": "reached", "temperature": "365"})
    assert r.status_code == 422 and r.json()["error"] == "bad_temperature"
    assert Verification.objects.get(pk=item.pk).status == "open"


def test_outcome_by_another_grids_worker_is_404(api, roster, tmp_path):
    upload(api("hq"), _list(roster, tmp_path))
    item = Verification.objects.get(resident=roster.chen)
    r = api("grid_a").post(f"/api/v1/verifications/{item.pk}/outcome", {"result": "reached"})
    assert r.status_code == 404


def test_overdue_items_count_as_overdue(api, roster, tmp_path):
    first = upload(api("hq"), _list(roster, tmp_path), deadline="2020-03-01").json()
    progress = api("hq").get(f"/api/v1/checklists/{first['id']}").json()
    assert progress["overdue"] == 3


def test_list_of_another_community_is_404(api, roster, tmp_path):
    c2 = upload(api("staff_c2"), _list(roster, tmp_path)).json()
    assert api("staff_c1").get(f"/api/v1/checklists/{c2['id']}").status_code == 404
    assert api("staff_c1").get(f"/api/v1/checklists/{c2['id']}/export").status_code == 404
    assert api("grid_a").get(f"/api/v1/checklists/{c2['id']}").status_code == 403


def test_a_street_list_shows_a_community_its_own_part(api, roster, tmp_path):
    first = upload(api("hq"), _list(roster, tmp_path)).json()
    mine = api("staff_c2").get(f"/api/v1/checklists/{first['id']}").json()
    assert mine["matched"] == 1 and mine["rows"] == 1


def test_the_export_has_the_senders_columns_and_the_answers(api, roster, tmp_path, cast):
    first = upload(api("hq"), _list(roster, tmp_path)).json()
    item = Verification.objects.get(resident=roster.fang)
    api("grid_a").post(f"/api/v1/verifications/{item.pk}/outcome", {"result": "reached"})
    r = api("hq").get(f"/api/v1/checklists/{first['id']}/export", reason="verify_identity")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = [[c if c is not None else "" for c in row] for row in ws.iter_rows(values_only=True)]
    assert rows[0] == ["序号", "姓名", "身份证号", "手机号", "车次", "核查结果", "核查时间", "核查人"]
    assert rows[1][:3] == ["1", "王芳", roster.fang.id_number]  # with a reason: as sent
    assert rows[1][5] == "已联系上" and rows[1][7] == "grid_a"
    assert rows[2][4] == "'=HYPERLINK(\"x\")"  # a formula is escaped
    assert rows[2][5] == "未核查"
    assert rows[4][5].startswith("未匹配")


def test_community_staff_export_is_masked(api, roster, tmp_path):
    first = upload(api("staff_c1"), _list(roster, tmp_path)).json()
    r = api("staff_c1").get(f"/api/v1/checklists/{first['id']}/export")
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    row = list(ws.iter_rows(values_only=True))[1]
    assert "*" in row[2]


def test_the_export_re_imports_into_the_senders_columns(api, roster, tmp_path):
    from firstline.lists.services import checklist_import

    first = upload(api("hq"), _list(roster, tmp_path)).json()
    r = api("hq").get(f"/api/v1/checklists/{first['id']}/export", reason="transfer")
    path = tmp_path / "back.xlsx"
    path.write_bytes(b"".join(r.streaming_content))
    again = checklist_import(path=path, source="县防控办（回传）")
    assert again.checklist.columns[:5] == ["序号", "姓名", "身份证号", "手机号", "车次"]
    assert (again.rows, again.matched_by_id, again.matched_by_name_phone) == (4, 2, 1)


def test_unmatched_rows_are_routed(api, roster, tmp_path):
    first = upload(api("hq"), _list(roster, tmp_path)).json()
    rows = api("hq").get(f"/api/v1/checklists/{first['id']}/unmatched").json()
    assert [r["number"] for r in rows["items"]] == [4]
    r = api("hq").post(f"/api/v1/checklists/{first['id']}/rows/4/route",
                       {"routing": "not_ours"})
    assert r.status_code == 200 and r.json()["routing"] == "not_ours"
    assert api("hq").post(f"/api/v1/checklists/{first['id']}/rows/1/route",
                          {"routing": "not_ours"}).status_code == 404
    assert api("grid_a").post(f"/api/v1/checklists/{first['id']}/rows/4/route",
                              {"routing": "not_ours"}).status_code == 403


def test_checklists_list_is_scoped(api, roster, tmp_path):
    upload(api("staff_c2"), _list(roster, tmp_path))
    assert api("staff_c1").get("/api/v1/checklists").json()["count"] == 0
    assert api("hq").get("/api/v1/checklists").json()["count"] == 1
    assert date.fromisoformat("2030-03-01")


def test_a_community_exports_only_its_own_part_of_a_street_list(api, roster, tmp_path):
    first = upload(api("hq"), _list(roster, tmp_path)).json()
    r = api("staff_c2").get(f"/api/v1/checklists/{first['id']}/export")
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["陈静"]


def test_outcome_temperature_typed_with_a_comma_is_read(api, roster, tmp_path):
    upload(api("hq"), _list(roster, tmp_path))
    item = Verification.objects.get(resident=roster.fang)
    r = api("grid_a").post(f"/api/v1/verifications/{item.pk}/outcome",
                           {"result": "reached", "temperature": "36,6℃"})
    assert r.status_code == 200, r.content
    assert str(Verification.objects.get(pk=item.pk).temperature) == "36.6"
