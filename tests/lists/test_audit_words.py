"""The personal-data audit page says what happened to a list in the auditor's language: no
English codes ("masked", "row 4: unknown", "matched_by_id 3", "核查 verification 2") in a
Chinese page, for new rows (kept as facts) and for rows written before (read at display)."""

import pytest
from django.utils import translation

from firstline.accounts.actions import AuditAction
from firstline.accounts.audit_texts import audit_detail
from firstline.accounts.models import AuditEntry
from firstline.accounts.services import audit
from firstline.lists.models import Checklist

from .test_api import _list, upload

pytestmark = pytest.mark.time_sensitive

ENGLISH = ("masked", "full ·", "row 4", "unknown", "matched_by", "verification", "rows 4")


@pytest.fixture
def walked(api, roster, tmp_path):
    c = upload(api("hq"), _list(roster, tmp_path)).json()["id"]
    api("hq").post(f"/api/v1/checklists/{c}/rows/4/route", {"routing": "unknown",
                                                             "note": "电话空号"})
    api("hq").get(f"/api/v1/checklists/{c}/export")
    return c


def _details(web, lang, c):
    return web("auditor", lang).get("/people/audit/").content.decode()


def test_list_actions_read_in_chinese_on_the_audit_page(walked, web):
    html = _details(web, "zh-hans", walked)
    assert "共 4 行：按身份证号匹配 2，按姓名和手机号 1，按姓名和地址 0，未匹配 1" in html
    assert "第 4 行：查无此人" in html and "脱敏导出" in html
    assert not [w for w in ENGLISH if w in html.split("<tbody>")[1]]


def test_list_actions_read_in_english_for_an_english_auditor(walked, web):
    html = _details(web, "en", walked)
    assert "4 rows: 2 matched by ID number, 1 by name and phone" in html
    assert "row 4: unknown person" in html and "masked export" in html


def test_rows_written_before_are_said_in_the_readers_language(walked):
    checklist = Checklist.objects.get(pk=walked)
    old = [audit(actor=None, action=action, obj=checklist, detail=detail) for action, detail in [
        (AuditAction.CHECKLIST_IMPORT, "rows 6, matched_by_id 3, matched_by_name_phone 1, "
                                       "matched_by_name_address 0, unmatched 2"),
        (AuditAction.CHECKLIST_ROUTE, "row 4: unknown"),
        (AuditAction.CHECKLIST_ROUTE, "row 5: other_street → 99000102"),
        (AuditAction.CHECKLIST_EXPORT, "masked"),
        (AuditAction.CHECKLIST_EXPORT, "full · 联系本人"),
        (AuditAction.RESIDENT_READ_FULL, "核查 verification 2"),
        (AuditAction.TIP_VERIFY, "invalid"),
        (AuditAction.TIP_REWARD_ISSUE, "stock=S-C1"),
        (AuditAction.RESIDENT_READ_FULL, "派出所协查"),  # a reason typed by a person: as typed
    ]]
    with translation.override("zh-hans"):
        said = [audit_detail(AuditEntry.objects.get(pk=e.pk)) for e in old]
    assert said == ["共 6 行：按身份证号匹配 3，按姓名和手机号 1，按姓名和地址 0，未匹配 2",
                    "第 4 行：查无此人", "第 5 行：转其他街道 → 99000102", "脱敏导出",
                    "未脱敏导出 · 联系本人", "核查任务 2", "不实", "从物资库 S-C1 发放",
                    "派出所协查"]
