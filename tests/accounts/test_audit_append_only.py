"""Audit entries are append-only (CONTRACT.md second wave): no user, the admin included, can
add, change or delete one through any page or API; on PostgreSQL the database itself refuses
UPDATE and DELETE. History rows are read-only in the admin; full reads there are audited."""

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction

from firstline.accounts.actions import AuditAction
from firstline.accounts.models import AuditEntry
from firstline.accounts.services import audit

from ..conftest import make_household
from ..people.conftest import make_resident


@pytest.fixture
def roster(areas):
    class R:
        pass

    r = R()
    r.h1 = make_household(areas.g1a, room="101")
    r.a1 = make_resident(r.h1, name="邵兰", phone="13800001111")
    return r


@pytest.fixture
def entry(cast):
    return audit(actor=cast.staff_c1, action=AuditAction.RESIDENT_READ_FULL,
                 object_type="people.resident",
                 object_id="1", detail="核实身份")


def test_the_admin_cannot_add_an_audit_entry(web, cast, entry):
    admin = web("admin")
    assert admin.get("/admin/accounts/auditentry/add/").status_code == 403
    r = admin.post("/admin/accounts/auditentry/add/", {
        "actor": cast.grid_a.pk, "action": "resident.read_full", "object_type": "people.resident",
        "object_id": "1", "detail": "查看完整身份证号和手机号", "via": "web",
        "at_0": "2020-02-01", "at_1": "09:00:00"})
    assert r.status_code == 403
    assert AuditEntry.objects.count() == 1


def test_the_admin_cannot_change_or_delete_an_audit_entry(web, entry):
    admin = web("admin")
    page = admin.get(f"/admin/accounts/auditentry/{entry.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    admin.post(f"/admin/accounts/auditentry/{entry.pk}/change/", {"detail": "改过"})
    assert admin.post(f"/admin/accounts/auditentry/{entry.pk}/delete/",
                      {"post": "yes"}).status_code == 403
    admin.post("/admin/accounts/auditentry/", {"action": "delete_selected",
                                               "_selected_action": [entry.pk], "post": "yes"})
    entry.refresh_from_db()
    assert entry.detail == "核实身份"


def test_the_admin_list_offers_no_add_button(web, entry):
    html = web("admin").get("/admin/accounts/auditentry/").content.decode()
    assert "/admin/accounts/auditentry/add/" not in html


def test_no_api_operation_writes_audit_entries():
    from firstline.api import api

    schema = api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        if "audit" in path:
            assert set(ops) <= {"get"}, path


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger is PostgreSQL's")
@pytest.mark.parametrize("sql", [
    "UPDATE accounts_auditentry SET detail = 'forged' WHERE id = %s",
    "UPDATE accounts_auditentry SET at = '2020-01-01' WHERE id = %s",
    "DELETE FROM accounts_auditentry WHERE id = %s",
])
def test_postgresql_refuses_update_and_delete(entry, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert entry.detail == "核实身份"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger is PostgreSQL's")
def test_postgresql_refuses_an_orm_update_too(entry):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(at=datetime(2020, 1, 1, tzinfo=UTC))


def test_inserting_still_works(cast):
    audit(actor=cast.hq, action=AuditAction.AUDIT_EXPORT, object_type="y")
    audit(actor=cast.hq, action=AuditAction.AUDIT_EXPORT, object_type="y")
    assert AuditEntry.objects.filter(action="audit.export").count() == 2


# --- history rows read-only in the admin --------------------------------------------------

@pytest.mark.parametrize("path", ["people/screeningvisit", "people/keyperson", "access/crossing",
                                  "isolation/reading"])
def test_history_rows_have_no_add_in_the_admin(web, path):
    admin = web("admin")
    assert admin.get(f"/admin/{path}/").status_code == 200
    assert admin.get(f"/admin/{path}/add/").status_code == 403


def test_a_screening_visit_cannot_be_edited_in_the_admin(web, cast, roster):
    from firstline.people.models import ScreeningVisit
    from firstline.people.services import screening_visit_record

    v = screening_visit_record(actor=cast.grid_a, household=roster.h1,
                     people=[{"resident": roster.a1, "temperature": "36.5"}])
    admin = web("admin")
    admin.post(f"/admin/people/screeningvisit/{v.pk}/change/", {"note": "改过", "nobody_home": "on"})
    assert admin.post(f"/admin/people/screeningvisit/{v.pk}/delete/", {"post": "yes"}).status_code == 403
    v = ScreeningVisit.objects.get(pk=v.pk)
    assert v.note == "" and not v.nobody_home


# --- full reads in the admin are audited ----------------------------------------------------

def test_the_admins_resident_change_page_is_audited(web, cast, roster):
    web("admin").get(f"/admin/people/resident/{roster.a1.pk}/change/")
    e = AuditEntry.objects.get(action="resident.read_full", via="admin")
    assert (e.actor, e.object_id) == (cast.admin, str(roster.a1.pk))


def test_an_admin_search_by_id_number_is_audited_without_the_number(web, cast, roster):
    web("admin").get("/admin/people/resident/", {"q": roster.a1.id_number})
    e = AuditEntry.objects.get(action="resident.search_full")
    assert e.actor == cast.admin and roster.a1.id_number not in e.detail
    assert "1 rows" in e.detail
