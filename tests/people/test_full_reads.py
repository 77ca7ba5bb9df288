"""A full ID number and phone are shown only on request, with a reason, and audited (who,
whom, when, why); the page itself is masked."""

import pytest

from firstline.accounts.models import AuditEntry
from tests.conftest import export_download

PASSWORD = "pw-Firstline-1"



def _page(roster):
    return f"/people/residents/{roster.a1.pk}/"


def test_resident_page_is_masked_and_offers_the_control(web, roster, cast):
    html = web("staff_c1").get(_page(roster)).content.decode()
    assert roster.a1.id_number not in html and "13800001111" not in html
    assert "138****1111" in html
    assert 'method="post"' in html and "显示完整身份证号和手机号" in html
    assert "核实身份" in html and "联系本人" in html and "转运隔离" in html and "其他" in html
    entry = AuditEntry.objects.get(object_id=str(roster.a1.pk))
    assert (entry.actor, entry.action, entry.via) == (cast.staff_c1, "resident.read_masked",
                                                      "web")


def test_without_the_full_read_permission_there_is_no_control(web, roster):
    html = web("auditor").get(_page(roster)).content.decode()
    assert "显示完整身份证号和手机号" not in html and roster.a1.id_number not in html


def test_posting_without_the_permission_is_403(web, roster):
    res = web("auditor").post(_page(roster), {"reason": "contact"})
    assert res.status_code == 403
    assert not AuditEntry.objects.filter(action="resident.read_full").exists()


def test_a_reason_shows_the_full_values_once_and_is_audited(web, roster, cast):
    c = web("staff_c1")
    res = c.post(_page(roster), {"reason": "contact"})
    html = res.content.decode()
    assert res.status_code == 200 and roster.a1.id_number in html and "13800001111" in html
    assert res["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(action="resident.read_full")
    assert (entry.actor, entry.object_id, entry.detail) == (cast.staff_c1, str(roster.a1.pk),
                                                            "联系本人")
    assert roster.a1.id_number not in c.get(_page(roster)).content.decode()


def test_other_needs_its_text(web, roster, cast):
    c = web("staff_c1")
    res = c.post(_page(roster), {"reason": "other"})
    assert res.status_code == 422 and roster.a1.id_number not in res.content.decode()
    assert "原因：请填写具体原因。" in res.content.decode()
    res = c.post(_page(roster), {"reason": "other", "reason_text": "派出所协查"})
    assert res.status_code == 200
    assert AuditEntry.objects.get(action="resident.read_full").detail == "派出所协查"


@pytest.mark.parametrize("data", [{}, {"reason": "curious"}, {"reason_text": "x" * 101}])
def test_a_missing_or_bad_reason_is_refused_with_a_message(web, roster, data):
    res = web("staff_c1", "en").post(_page(roster), data)
    html = res.content.decode()
    assert res.status_code == 422 and roster.a1.id_number not in html and "Reason" in html
    assert not AuditEntry.objects.filter(action="resident.read_full").exists()


def test_a_get_link_never_unmasks(web, roster):
    html = web("staff_c1").get(_page(roster), {"reason": "contact", "full": "1"}).content
    assert roster.a1.id_number.encode() not in html


def test_api_reason_is_stored_in_the_audit_row(api, roster, cast):
    res = api("staff_c1").get(f"/api/v1/residents/{roster.a1.pk}", reason="转运前核对")
    assert res.status_code == 200 and res.json()["id_number"] == roster.a1.id_number
    entry = AuditEntry.objects.get(action="resident.read_full")
    assert (entry.via, entry.detail) == ("api", "转运前核对")


def test_api_reason_too_long_is_422(api, roster):
    res = api("staff_c1").get(f"/api/v1/residents/{roster.a1.pk}", reason="x" * 101)
    assert res.status_code == 422 and res.json()["error"] == "bad_reason"
    assert not AuditEntry.objects.exists()


# --- unmasked roster export: a POST with a reason --------------------------------------------


def test_unmasked_export_by_get_is_refused(web, roster):
    res = web("hq").get("/people/export/", {"area": "C1", "format": "csv-gbk", "unmasked": "on"})
    assert res.status_code == 422 and not res.has_header("Content-Disposition")
    assert not AuditEntry.objects.filter(action="roster.export_full").exists()


def test_unmasked_export_needs_a_reason(web, roster):
    res = web("hq").post("/people/export/", {"area": "C1", "format": "csv-gbk",
                                             "unmasked": "on"})
    assert res.status_code == 422 and "原因" in res.content.decode()
    assert not AuditEntry.objects.filter(action="roster.export_full").exists()


def test_unmasked_export_with_a_reason_is_audited(web, roster, cast):
    res = web("hq").post("/people/export/", {"area": "C1", "format": "csv-gbk",
                                             "unmasked": "on", "reason": "transfer"})
    body = b"".join(export_download(res).streaming_content).decode("gbk")
    assert roster.a1.id_number in body
    entry = AuditEntry.objects.get(action="roster.export_full")
    assert entry.actor == cast.hq and entry.object_id == "C1" and "转运隔离" in entry.detail


def test_export_page_form_posts(web, roster):
    html = web("hq").get("/people/export/").content.decode()
    assert 'method="post"' in html and 'name="reason"' in html
