"""`GET /api/v1/residents/{id}?reason=`: the optional why of a full read through the API,
trimmed, bounded and checked, stored as the audit row's reason by the same function the web
full read uses (people.services.full_read_reason); without it the read is as before."""

import pytest

from firstline.accounts.models import AuditEntry
from firstline.people.services import API_NO_REASON


def _read(api, roster, **params):
    return api("staff_c1").get(f"/api/v1/residents/{roster.a1.pk}", **params)


def test_without_a_reason_the_full_record_is_answered_and_the_row_says_none(api, roster):
    res = _read(api, roster)
    assert res.status_code == 200 and res.json()["id_number"] == roster.a1.id_number
    assert AuditEntry.objects.get(action="resident.read_full").detail == API_NO_REASON


def test_a_reason_of_blanks_is_no_reason(api, roster):
    assert _read(api, roster, reason="   ").status_code == 200
    assert AuditEntry.objects.get(action="resident.read_full").detail == API_NO_REASON


def test_a_reason_is_trimmed_and_its_blanks_collapsed(api, roster):
    assert _read(api, roster, reason="  派出所   协查 ").status_code == 200
    assert AuditEntry.objects.get(action="resident.read_full").detail == "派出所 协查"


def test_a_reason_code_is_stored_as_its_label_like_the_web_full_read(api, roster):
    assert _read(api, roster, reason=" contact ").status_code == 200
    assert AuditEntry.objects.get(action="resident.read_full").detail == "联系本人"


def test_a_reason_with_a_nul_is_a_422_naming_reason_and_reads_nothing(api, roster):
    a = api("staff_c1")
    res = a.client.get(f"/api/v1/residents/{roster.a1.pk}?reason=a%00b",
                       HTTP_ACCEPT_LANGUAGE="en", **a._headers())
    assert res.status_code == 422
    assert res.json() == {"error": "invalid", "detail": "reason: contains a NUL character "
                          "(\\x00), which cannot be stored: remove it"}
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("char", ["\x1b", "\x9b", "\u202e"],
                         ids=["escape", "c1-csi", "right-to-left-override"])
def test_a_reason_with_a_control_or_format_character_is_refused(api, roster, char):
    """An escape, a C1 control, or a right-to-left override that would make the audit page's
    line read backwards."""
    res = _read(api, roster, reason=f"a{char}b")
    assert res.status_code == 422 and res.json()["error"] == "bad_reason"
    assert "控制字符" in res.json()["detail"]
    assert not AuditEntry.objects.exists()


def test_a_reason_of_exactly_the_limit_is_taken(api, roster):
    assert _read(api, roster, reason="x" * 100).status_code == 200
    assert AuditEntry.objects.get(action="resident.read_full").detail == "x" * 100


def test_the_reason_parameter_is_described_in_the_schema(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/residents/{resident_id}"]["get"]
    reason = next(p for p in operation["parameters"] if p["name"] == "reason")
    assert reason["required"] is False
    assert "audit" in reason["description"] and "bad_reason" in reason["description"]
