"""The answered list's export (核查结果) is masked unless a reason is given: full ID numbers
and phones need people.export_full and a reason, and are audited with it, once."""

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from firstline.accounts.models import AuditEntry

from .test_api import _list, upload

pytestmark = pytest.mark.time_sensitive


def cells(response):
    assert response.status_code == 200, response.content[:300] if not response.streaming \
        else response
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[c if c is not None else "" for c in row] for row in ws.iter_rows(values_only=True)]


def exports_audited():
    """(who, the detail as a zh-hans auditor reads it) of each list export."""
    with translation.override("zh-hans"):
        return [(e.actor.username, e.display_detail) for e in
                AuditEntry.objects.filter(action="checklist.export").order_by("pk")]


@pytest.fixture
def checklist(api, roster, tmp_path):
    return upload(api("hq"), _list(roster, tmp_path)).json()["id"]


def test_without_a_reason_even_full_permission_gets_the_masked_list(api, roster, checklist):
    rows = cells(api("hq").get(f"/api/v1/checklists/{checklist}/export"))
    assert rows[1][2] != roster.fang.id_number and "*" in rows[1][2]
    assert rows[2][4] == "'=HYPERLINK(\"x\")"  # formulas escaped as before
    assert exports_audited() == [("hq", "脱敏导出")]


def test_with_a_reason_the_list_is_as_sent_and_audited_once_with_the_reason(api, roster,
                                                                              checklist):
    rows = cells(api("hq").get(f"/api/v1/checklists/{checklist}/export",
                               reason="verify_identity"))
    assert rows[1][2] == roster.fang.id_number
    assert rows[2][4] == "'=HYPERLINK(\"x\")"
    [(who, detail)] = exports_audited()
    assert who == "hq" and detail.startswith("未脱敏导出 · ") and "核实身份" in detail


def test_other_with_its_text(api, roster, checklist):
    cells(api("hq").get(f"/api/v1/checklists/{checklist}/export", reason="other",
                        reason_text="上级专班核对"))
    assert "上级专班核对" in exports_audited()[0][1]


@pytest.mark.parametrize("params", [{"reason": "curious"}, {"reason": "other"}])
def test_a_bad_reason_is_a_422_naming_it_and_writes_nothing(api, checklist, params):
    r = api("hq").get(f"/api/v1/checklists/{checklist}/export", **params)
    body = r.json()
    assert r.status_code == 422 and body["error"] in ("bad_reason", "reason_required")
    assert body["detail"].startswith("原因")  # names the field
    assert exports_audited() == []


def test_a_reason_without_the_permission_is_403(api, roster, tmp_path):
    mine = upload(api("staff_c1"), _list(roster, tmp_path)).json()["id"]
    r = api("staff_c1").get(f"/api/v1/checklists/{mine}/export", reason="verify_identity")
    assert r.status_code == 403 and exports_audited() == []
    assert "*" in cells(api("staff_c1").get(f"/api/v1/checklists/{mine}/export"))[1][2]


def test_the_page_gets_masked_by_link_and_full_by_the_reason_form(web, roster, checklist):
    client = web("hq")
    page = client.get(f"/lists/{checklist}/").content.decode()
    assert 'id="export-full"' in page and 'name="reason"' in page
    assert "*" in cells(client.get(f"/lists/{checklist}/export/"))[1][2]
    refused = client.post(f"/lists/{checklist}/export/", {"reason": ""})
    assert refused.status_code == 422 and "原因" in refused.content.decode()
    full = cells(client.post(f"/lists/{checklist}/export/", {"reason": "transfer"}))
    assert full[1][2] == roster.fang.id_number
    assert [d.split(" · ")[0] for _who, d in exports_audited()] == ["脱敏导出", "未脱敏导出"]


def test_the_page_offers_no_reason_form_without_the_permission(web, api, roster, tmp_path):
    mine = upload(api("staff_c1"), _list(roster, tmp_path)).json()["id"]
    client = web("staff_c1")
    assert 'id="export-full"' not in client.get(f"/lists/{mine}/").content.decode()
    assert client.post(f"/lists/{mine}/export/", {"reason": "transfer"}).status_code == 403


def test_the_full_export_is_on_the_auditors_page_with_its_reason(api, web, checklist):
    cells(api("hq").get(f"/api/v1/checklists/{checklist}/export", reason="other",
                        reason_text="上级专班核对"))
    html = web("auditor", "en").get("/people/audit/").content.decode()
    assert "Verification list export (核查)</td>" in html
    assert f"Verification list {checklist} · unmasked export · " in html and "上级专班核对" in html
    only = web("auditor", "en").get("/people/audit/?action=checklist.export").content.decode()
    assert "上级专班核对" in only
