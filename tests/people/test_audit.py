"""The personal-data audit page: every read and export of personal data in the auditor's
scope, shown as readable labels in the user's language."""

import re
from datetime import date

import pytest

from firstline.accounts.actions import AuditAction
from firstline.accounts.models import AuditEntry
from firstline.accounts.roles import Role
from firstline.accounts.services import audit, user_assign
from firstline.reports.exports import ledger

PASSWORD = "pw-Firstline-1"



def _full_ledger(user, area, kind):
    ledger(kind=kind, user=user, area=area, date_from=date(2020, 2, 1),
           date_to=date(2020, 2, 2), full=True, generated_by=user.username)


def test_full_ledger_export_is_audited_with_the_area_code(roster, cast, areas):
    _full_ledger(cast.hq, areas.c1, "key-persons")
    entry = AuditEntry.objects.get(action="reports.export_full:key-persons")
    assert (entry.object_type, entry.object_id, entry.actor) == ("areas.area", "C1", cast.hq)


@pytest.mark.parametrize("kind", ["key-persons", "isolations"])
def test_auditor_sees_full_ledger_exports_of_their_area(web, roster, cast, areas, kind):
    _full_ledger(cast.hq, areas.c1, kind)
    html = web("auditor", "en").get("/people/audit/").content.decode()
    label = {"key-persons": "Key-person ledger export (unmasked)",
             "isolations": "Isolation ledger export (unmasked)"}[kind]
    assert label in html and "hq" in html


def test_ledger_exports_recorded_with_the_area_id_are_listed_too(web, roster, cast, areas):
    audit(actor=cast.hq, action=AuditAction.EXPORT_FULL_ISOLATIONS, object_type="areas.area",
          object_id=areas.c1.pk, detail="C1 2020-02-01..2020-02-02")
    html = web("auditor", "en").get("/people/audit/").content.decode()
    assert "Isolation ledger export (unmasked)" in html


def test_exports_of_other_areas_are_not_listed(web, roster, cast, areas):
    user_assign(username="auditor_c2", role=Role.AUDITOR, area=areas.c2, password=PASSWORD)
    _full_ledger(cast.hq, areas.c1, "isolations")
    _full_ledger(cast.hq, areas.c2, "key-persons")
    html = web("auditor_c2", "en").get("/people/audit/").content.decode()
    assert "Key-person ledger export (unmasked)</td>" in html
    # in the table (the action filter lists every label as an option)
    assert "Isolation ledger export (unmasked)</td>" not in html


def test_actions_objects_and_channels_are_translated(web, roster, cast):
    web("staff_c1").get(f"/people/residents/{roster.a1.pk}/")
    audit(actor=cast.staff_c1, action=AuditAction.PHONE_READ, obj=roster.a1, detail="care call",
          via="api")
    audit(actor=cast.staff_c1, action=AuditAction.ROSTER_EXPORT, object_type="areas.area",
          object_id="C1", detail="csv")
    html = web("auditor").get("/people/audit/").content.decode()
    assert "查看档案" in html or "查看完整身份证号和手机号" in html
    assert "查看手机号</td>" in html and "· 暖心电话" in html and "导出花名册（脱敏）" in html
    assert "网页" in html and "API 接口" in html and "区域 C1" in html
    assert ">people.phone_read<" not in html and ">roster.export<" not in html
    assert "areas.area" not in html
    en = web("auditor", "en").get("/people/audit/").content.decode()
    assert "Phone number read</td>" in en and "· care call" in en and "web page" in en


def test_full_ledger_export_records_the_reason_given(roster, cast, areas):
    ledger(kind="isolations", user=cast.hq, area=areas.c1, date_from=date(2020, 2, 1),
           date_to=date(2020, 2, 2), full=True, generated_by="hq", reason="转运隔离")
    entry = AuditEntry.objects.get(action="reports.export_full:isolations")
    assert entry.detail == "2020-02-01..2020-02-02 · 转运隔离"


def test_any_action_about_a_resident_is_named_and_filtered_by(web, roster, cast):
    """Not only reads of personal data: every action is a typed member with a label."""
    audit(actor=cast.staff_c1, action=AuditAction.RESIDENT_ADD, obj=roster.a1)
    audit(actor=cast.staff_c1, action=AuditAction.RESPONSIBILITY_SET, obj=roster.a2)
    html = web("auditor").get("/people/audit/").content.decode()
    assert "新增居民</td>" in html and "设置三级包保</td>" in html
    assert ">resident.add<" not in html
    only = web("auditor").get("/people/audit/?action=resident.add").content.decode()
    assert "新增居民</td>" in only and "设置三级包保</td>" not in only
    assert '<option value="resident.add" selected' in only
    en = web("auditor", "en").get("/people/audit/?action=responsibility.set").content.decode()
    assert "Responsibility set (三级包保)</td>" in en and "Resident added</td>" not in en


def test_the_action_filter_offers_the_personal_data_actions_only(web, roster, cast):
    from firstline.accounts.actions import PERSONAL_DATA_ACTIONS

    html = web("auditor", "en").get("/people/audit/").content.decode()
    offered = set(re.findall(r'<option value="([^"]+)"', html))
    assert offered == {a.value for a in PERSONAL_DATA_ACTIONS}
    assert "Alert resolved" not in html and "Tipster&#x27;s contact read" in html
