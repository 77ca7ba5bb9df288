"""Every full read of an ID number or phone — by page, API, reveal, admin or export — writes
exactly one audit row, with a reason (people.services.pii_read, issue 12.3)."""

from datetime import timedelta

import pytest
from django.utils import translation

from firstline.accounts.models import AuditEntry
from firstline.isolation.models import Isolation
from firstline.people.services import API_NO_REASON
from tests import pinned
from tests.conftest import export_download


def _page_reveal(web, api, roster):
    return web("staff_c1").post(f"/people/residents/{roster.a1.pk}/", {"reason": "contact"})


def _api_read(web, api, roster):
    return api("staff_c1").get(f"/api/v1/residents/{roster.a1.pk}", reason="转运前核对")


def _api_read_by_code(web, api, roster):
    return api("staff_c1").get(f"/api/v1/residents/{roster.a1.pk}", reason="verify_identity")


def _phone_reveal_isolation(roster):
    day = pinned.today()
    Isolation.objects.create(resident=roster.a1, household=roster.a1.household,
                             grid=roster.a1.grid, kind="home", reason="close_contact",
                             starts_on=day - timedelta(days=1), ends_on=day + timedelta(days=13))


def _phone_reveal(web, api, roster):
    _phone_reveal_isolation(roster)
    return web("grid_a").post(f"/assistance/calls/phone/{roster.a1.pk}/")


def _errand_assigned_to_a_volunteer(web, api, roster):
    """Setup (its own audit rows come before the read's): an errand of a1's household
    assigned to a volunteer's own login."""
    from firstline.accounts.models import User
    from firstline.assistance import services as assistance
    from firstline.operations import services as operations
    from tests.conftest import PASSWORD

    _phone_reveal_isolation(roster)
    staff = User.objects.get(username="staff_c1")
    person = operations.volunteer_create(actor=staff, area=roster.a1.grid.parent, name="王芳",
                                         phone="13905541237", kind="volunteer")
    operations.volunteer_login_create(actor=staff, volunteer=person, username="volunteer1",
                                      password=PASSWORD)
    req = assistance.service_request_create(household=roster.a1.household, kind="groceries",
                                            detail="大米10斤", source="worker", actor=staff)
    assistance.service_request_assign(request=req, actor=staff, volunteer=person.user)
    roster.errand = req


def _errand_phone_reveal(web, api, roster):
    """The volunteer rings the household of the errand assigned to her."""
    return web("volunteer1").post(
        f"/assistance/requests/{roster.errand.pk}/phone/{roster.a1.pk}/")


def _admin_change_page(web, api, roster):
    return web("admin").get(f"/admin/people/resident/{roster.a1.pk}/change/")


def _roster_export(web, api, roster):
    # asked for on the page, written by the task, downloaded by the one who asked
    return export_download(web("hq").post("/people/export/", {
        "area": "C1", "format": "csv-gbk", "unmasked": "on", "reason": "verify_identity"}))


def _ledger_export(web, api, roster):
    day = pinned.today().isoformat()
    return export_download(web("hq").post("/reports/exports/isolations.xlsx",
                                          {"full": "1", "reason": "transfer",
                                           "area": "99000101", "from": day, "to": day}))


PATHS = {
    "page reveal": (_page_reveal, "resident.read_full", "联系本人"),
    "API (text reason)": (_api_read, "resident.read_full", "转运前核对"),
    "API (reason code)": (_api_read_by_code, "resident.read_full", "核实身份"),
    "phone reveal": (_phone_reveal, "people.phone_read", "care call"),
    "errand phone reveal": (_errand_phone_reveal, "people.phone_read", "errand "),
    "admin": (_admin_change_page, "resident.read_full", "admin change page"),
    "roster export": (_roster_export, "roster.export_full", "核实身份"),
    "ledger export": (_ledger_export, "reports.export_full:isolations", "转运隔离"),
}

SETUP = {"errand phone reveal": _errand_assigned_to_a_volunteer}


@pytest.mark.parametrize("path", PATHS)
def test_a_full_read_writes_exactly_one_audit_row_with_its_reason(path, web, api, roster):
    read, action, reason = PATHS[path]
    if path in SETUP:
        SETUP[path](web, api, roster)
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    response = read(web, api, roster)
    assert response.status_code == 200, response.content[:300]
    body = (b"".join(response.streaming_content) if response.streaming
            else response.content)
    if path not in ("ledger export",):  # an xlsx: the bytes are compressed
        text = body.decode("gbk" if path == "roster export" else "utf-8", "replace")
        assert roster.a1.phone in text
    rows = AuditEntry.objects.exclude(pk__in=before)
    with translation.override("en"):  # a reason kept as a message is said when read
        assert [(r.action, reason in r.display_detail) for r in rows] == [(action, True)]


@pytest.mark.parametrize("reason", ["", "   "])
def test_the_api_without_a_reason_answers_the_contracts_full_record_and_audits_no_reason(
        reason, api, roster):
    r = api("staff_c1").get(f"/api/v1/residents/{roster.a1.pk}", reason=reason)
    assert r.status_code == 200 and r.json()["id_number"] == roster.a1.id_number
    rows = list(AuditEntry.objects.values_list("action", "detail"))
    assert rows == [("resident.read_full", API_NO_REASON)]


def test_without_the_full_read_permission_the_api_is_masked_and_needs_no_reason(api, roster):
    r = api("auditor").get(f"/api/v1/residents/{roster.a1.pk}")
    assert r.status_code == 200 and r.json()["masked"] is True
    assert r.json()["phone"] == "138****1111"
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["resident.read_masked"]
