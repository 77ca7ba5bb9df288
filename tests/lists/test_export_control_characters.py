"""A control character in a list's cell or an answer's note (\x01, ESC: pasted from another
system) cannot be written into an .xlsx: openpyxl refuses the whole file. The export shows each
as its visible Unicode picture (U+2401 ␁) and is answered, not a 500. An imported cell keeps
one; a note typed now cannot hold one (firstline.plaintext), one kept from before can."""

import io

import pytest
from openpyxl import load_workbook

from firstline.lists.models import Verification

from .conftest import write_csv
from .test_api import upload

pytestmark = pytest.mark.time_sensitive  # today's date, deadlines


def test_a_control_character_in_a_cell_or_a_note_is_shown_in_the_export(api, roster,
                                                                        tmp_path):
    path = write_csv(tmp_path / "rail.csv", ["序号", "姓名", "身份证号", "车次"],
                     [["1", "王芳", roster.fang.id_number, "G\x01123"]])
    first = upload(api("hq"), path).json()
    item = Verification.objects.get(resident=roster.fang)
    refused = api("grid_a").post(f"/api/v1/verifications/{item.pk}/outcome",
                                 {"result": "reached", "note": "电话\x1b"})
    assert refused.status_code == 422 and refused.json()["detail"].startswith("note: ")
    assert api("grid_a").post(f"/api/v1/verifications/{item.pk}/outcome",
                              {"result": "reached", "note": "电话"}).status_code == 200
    Verification.objects.filter(pk=item.pk).update(note="电话\x1b")  # typed before the rule
    r = api("hq").get(f"/api/v1/checklists/{first['id']}/export", reason="verify_identity")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    texts = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert "G\u2401123" in texts
