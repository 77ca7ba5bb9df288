"""Free text leaves in exports and API answers as the pages show it: an ID number or mobile
typed into a note is masked (mask_in_text), except in an audited full read / unmasked
export, which keeps the text as typed."""

import io

from openpyxl import load_workbook

from firstline.accounts.actions import AuditAction
from firstline.accounts.services import audit
from firstline.people.models import Resident
from firstline.people.services import roster_rows
from tests.conftest import ApiClient

ID = "110101199003071234"
NOTE = f"母亲身份证 {ID}，电话 13912345678"


def _note(roster):
    roster.a1.note = NOTE
    roster.a1.save(update_fields=["note"])
    return Resident.objects.filter(pk=roster.a1.pk)


def test_the_audit_workbook_masks_a_detail_as_the_page_does(web, roster, cast):
    audit(actor=cast.staff_c1, action=AuditAction.PHONE_READ, obj=roster.a1,
          detail="打 13912345678 核实")
    r = web("auditor").get("/people/audit/", {"format": "xlsx"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    cells = [str(c.value or "") for row in ws.iter_rows() for c in row]
    assert "打 139****5678 核实" in cells
    assert not any("13912345678" in c for c in cells)


def test_the_masked_roster_masks_the_note(roster):
    header, row = list(roster_rows(_note(roster)))
    assert row[header.index("备注/note")] == "母亲身份证 110***********1234，电话 139****5678"


def test_the_unmasked_roster_keeps_the_note_as_typed(roster):
    header, row = list(roster_rows(_note(roster), unmasked=True))
    assert row[header.index("备注/note")] == NOTE


def test_the_api_resident_read_masks_the_note_unless_read_in_full(roster, cast):
    _note(roster)
    masked = ApiClient(cast.auditor).get(f"/api/v1/residents/{roster.a1.pk}").json()
    assert masked["masked"] is True
    assert masked["note"] == "母亲身份证 110***********1234，电话 139****5678"
    full = ApiClient(cast.staff_c1).get(f"/api/v1/residents/{roster.a1.pk}",
                                        reason="contact").json()
    assert full["masked"] is False and full["note"] == NOTE
