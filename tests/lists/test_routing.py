"""Unmatched rows routed "to another street" are a hand-over: to a street in Firstline
the row joins a list there (matched to that street's roster: an item for its grid worker);
to one outside it goes into the hand-over export — with the reason, who and when."""

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from firstline import clock
from firstline.accounts.models import AuditEntry
from firstline.lists.models import Checklist, ChecklistRow, Verification
from firstline.lists.services import checklist_import

from .conftest import write_csv

pytestmark = pytest.mark.time_sensitive  # deadlines


def _list(roster, tmp_path, areas):
    path = write_csv(tmp_path / "l.csv", ["姓名", "手机号", "地址"],
                     [["王芳", "13900002222", ""], ["赵敏", "137 1111 2222", "东苑808"],
                      ["无名氏", "13000000000", "不详"]])
    return checklist_import(path=path, source="铁路部门", deadline=clock.today(),
                            area=areas.street).checklist


def _route(api, c, number, **body):
    return api("hq").post(f"/api/v1/checklists/{c.pk}/rows/{number}/route",
                          {"routing": "other_street", **body})


def test_a_row_handed_to_a_street_in_firstline_becomes_an_item_there(api, roster, areas,
                                                                      other, tmp_path, cast):
    c = _list(roster, tmp_path, areas)
    r = _route(api, c, 2, to_area="99000102", note="住东苑808")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["routed_to"] == "99000102" and body["routed_to_name"] == "东街道"
    handed = Checklist.objects.get(pk=body["handed_over"])
    assert handed.area == other.street and handed.handover_of == c
    assert "铁路部门" in handed.source and "测试街道" in handed.source
    assert handed.columns == ["姓名", "手机号", "地址", "转办说明"]
    assert handed.rows == 1 and handed.matched_by_name_phone == 1
    item = Verification.objects.get(resident=other.zhao, status="open")
    assert item.grid == other.grid and item.due == clock.today()
    assert ChecklistRow.objects.get(checklist=handed).values[-1] == "测试街道：住东苑808"
    row = c.entries.get(number=2)
    assert row.routed_by == cast.hq and row.routed_at is not None
    [entry] = AuditEntry.objects.filter(action="checklist.route")
    with translation.override("zh-hans"):
        assert entry.display_detail == "第 2 行：转其他街道 → 东街道 99000102"
    # the other street sees its list; our street's staff cannot open it
    assert api("hq_east").get(
        f"/api/v1/checklists/{handed.pk}").status_code == 200
    assert api("hq").get(f"/api/v1/checklists/{handed.pk}").status_code == 404
    # asking again changes nothing; a second row joins the same hand-over list
    assert _route(api, c, 2, to_area="99000102").status_code == 200
    assert _route(api, c, 3, to_area="99000102").json()["handed_over"] == handed.pk
    handed.refresh_from_db()
    assert handed.rows == 2 and handed.unmatched == 1
    assert Checklist.objects.filter(handover_of=c).count() == 1
    again = _route(api, c, 2, to_name="西街道")
    assert again.status_code == 409 and again.json()["error"] == "handed_over"


def test_a_row_for_a_street_outside_goes_into_the_handover_export(api, roster, areas, tmp_path):
    c = _list(roster, tmp_path, areas)
    assert _route(api, c, 2, to_name="外区某街道", note="=HYPERLINK(\"x\")").status_code == 200
    r = api("hq").get(f"/api/v1/checklists/{c.pk}/handover")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "手机号", "地址", "转至", "转办原因", "转办时间", "转办人",
                       "对方系统内名单")
    assert rows[1][0] == "赵敏" and rows[1][3] == "外区某街道"
    assert rows[1][4].startswith("'=")  # escaped
    assert len(rows) == 2
    # the sender's own export says where it went
    r = api("hq").get(f"/api/v1/checklists/{c.pk}/export")
    sent = list(load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
                .iter_rows(values_only=True))
    assert "转至外区某街道" in sent[2][3]


def test_a_handover_needs_a_real_other_street(api, roster, areas, other, tmp_path):
    c = _list(roster, tmp_path, areas)
    missing = _route(api, c, 2)
    assert missing.status_code == 422 and "to_area" in missing.json()["detail"]
    assert _route(api, c, 2, to_area="C2").status_code == 422       # a community
    assert _route(api, c, 2, to_area="99000101").status_code == 422  # our own street
    assert _route(api, c, 2, to_area="nope").status_code == 422
    assert _route(api, c, 1, to_area="99000102").status_code == 404  # matched: not unmatched
    assert Checklist.objects.filter(handover_of=c).count() == 0
    assert c.entries.get(number=2).routing == ""


def test_the_page_hands_a_row_over(web, roster, areas, other, tmp_path):
    c = _list(roster, tmp_path, areas)
    r = web("hq").post(f"/lists/{c.pk}/rows/2/route/", {"routing": "other_street",
                                                        "to": "99000102", "note": "住东苑"})
    assert r.status_code == 302
    row = c.entries.get(number=2)
    assert row.routed_to == other.street and row.handed_over is not None
    page = web("hq").get(f"/lists/{c.pk}/").content.decode()
    assert "东街道" in page
    r = web("hq").post(f"/lists/{c.pk}/rows/3/route/", {"routing": "other_street",
                                                        "to": "外区某街道"})
    assert c.entries.get(number=3).routed_to_name == "外区某街道"
    assert web("hq").get(f"/lists/{c.pk}/handover/").status_code == 200


def test_a_refused_hand_over_on_the_page_is_said_on_its_row_with_what_was_typed(
        web, roster, areas, other, tmp_path):
    """No street typed: the row's own form says what to do, in the page's words (not the
    API's to_area/to_name), the note typed is kept, and the form posts back to the row."""
    c = _list(roster, tmp_path, areas)
    r = web("hq").post(f"/lists/{c.pk}/rows/3/route/", {"routing": "other_street",
                                                        "to": "", "note": "电话确认现住外区"})
    assert r.status_code == 422
    page = r.content.decode()
    row = page[page.index('id="row-3"'):]
    row = row[:row.index("</tr>")]
    assert "to_area" not in page and "转至街道" in row and "再保存" in row
    assert 'value="电话确认现住外区"' in row
    assert f'action="/lists/{c.pk}/rows/3/route/#row-3"' in row
    assert c.entries.get(number=3).routing == ""


def _handover_cells(response):
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
                .iter_rows(values_only=True))


def test_the_handover_list_is_masked_unless_a_reason_is_given(api, web, roster, areas,
                                                              tmp_path):
    """Full phones need people.export_full AND a reason, as the list's own export; each
    export is audited once, the unmasked one with its reason."""
    c = _list(roster, tmp_path, areas)
    _route(api, c, 2, to_name="外区某街道")
    masked = _handover_cells(api("hq").get(f"/api/v1/checklists/{c.pk}/handover"))
    assert masked[1][1] != "137 1111 2222" and "*" in masked[1][1]
    full = _handover_cells(api("hq").get(f"/api/v1/checklists/{c.pk}/handover",
                                         reason="transfer"))
    assert full[1][1] == "137 1111 2222"
    page = web("hq").post(f"/lists/{c.pk}/handover/", {"reason": "contact"})
    assert page.status_code == 200
    refused = web("hq").post(f"/lists/{c.pk}/handover/", {"reason": "curious"})
    assert refused.status_code == 422 and 'id="handover-full"' in refused.content.decode()
    with translation.override("en"):
        details = [e.display_detail for e in AuditEntry.objects.filter(
            action="checklist.handover_export").order_by("pk")]
    assert len(details) == 3 and details[0] == "masked export"
    assert all(d.startswith("unmasked export · ") for d in details[1:])
