"""The HTML pages: allowed, wrong role (403), other area (404); import upload; exports."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from firstline.accounts.models import AuditEntry
from firstline.people.models import ImportJob, KeyPerson, Resident, ScreeningVisit
from tests.conftest import export_download

from .conftest import make_resident
from .test_import import HEADER_CN, good_rows

PASSWORD = "pw-Firstline-1"



PAGES = [
    ("people:residents", lambda r: [], "people.view"),
    ("people:resident", lambda r: [r.a1.pk], "people.view"),
    ("people:household", lambda r: [r.h1.pk], "people.view"),
    ("people:screening", lambda r: [], "people.screen"),
    ("people:visit_new", lambda r: [r.h1.pk], "people.screen"),
    ("people:key_persons", lambda r: [], "people.view"),
    ("people:coverage", lambda r: [], "people.view"),
    ("people:responsibility", lambda r: [r.a1.pk], "people.assign"),
    ("people:import", lambda r: [], "people.import"),
    ("people:export", lambda r: [], "people.export"),
]


@pytest.mark.parametrize("name,args,perm", PAGES)
def test_page_allowed(web, roster, name, args, perm):
    from django.urls import reverse

    res = web("staff_c1").get(reverse(name, args=args(roster)))
    assert res.status_code == 200


@pytest.mark.parametrize("name,args,perm", PAGES)
def test_page_wrong_role_is_403(web, roster, name, args, perm):
    from django.urls import reverse

    res = web("gate_c1").get(reverse(name, args=args(roster)))
    assert res.status_code == 403


OTHER_AREA = [
    ("people:resident", lambda r: [r.a1.pk]),
    ("people:household", lambda r: [r.h1.pk]),
    ("people:visit_new", lambda r: [r.h1.pk]),
    ("people:responsibility", lambda r: [r.a1.pk]),
]


@pytest.mark.parametrize("name,args", OTHER_AREA)
def test_page_other_area_is_404(web, roster, name, args):
    from django.urls import reverse

    assert web("staff_c2").get(reverse(name, args=args(roster))).status_code == 404


def test_residents_list_masks_and_scopes(web, roster):
    html = web("grid_a").get("/people/?q=王").content.decode()
    assert "王伟" in html and roster.a1.id_number not in html and "138****1111" in html
    assert "刘洋" not in html


def test_residents_list_area_outside_scope_is_404(web, roster):
    assert web("grid_a").get("/people/?area=C2").status_code == 404


def test_resident_page_is_audited(web, roster, cast):
    html = web("staff_c1").get(f"/people/residents/{roster.a1.pk}/").content.decode()
    assert roster.a1.id_number not in html
    assert AuditEntry.objects.filter(actor=cast.staff_c1, object_id=str(roster.a1.pk),
                                     via="web").count() == 1


def test_screening_form_records_a_visit(web, roster, cast):
    c = web("grid_a")
    res = c.post(f"/people/screening/{roster.h1.pk}/", {
        f"m{roster.a1.pk}-present": "on", f"m{roster.a1.pk}-temperature": "38.1",
        f"m{roster.a1.pk}-transport": "",
        f"m{roster.a2.pk}-categories": ["elderly_alone"], f"m{roster.a2.pk}-transport": "",
    })
    assert res.status_code == 302
    v = ScreeningVisit.objects.get()
    assert v.worker == cast.grid_a and v.people.count() == 2
    assert set(KeyPerson.objects.values_list("category__code", flat=True)) == {
        "fever", "elderly_alone"}


def test_screening_form_shows_a_bad_temperature(web, roster):
    res = web("grid_a").post(f"/people/screening/{roster.h1.pk}/", {
        f"m{roster.a1.pk}-present": "on", f"m{roster.a1.pk}-temperature": "3.65"})
    assert res.status_code == 422
    assert not ScreeningVisit.objects.exists()


def test_upload_import_progress_and_errors(web, roster, tmp_path):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADER_CN)
    w.writerows(good_rows() + [["坏行", "123", "", "G1a", "x", "", "", "", "", ""]])
    upload = SimpleUploadedFile("名单.csv", buf.getvalue().encode("gbk"))
    c = web("staff_c1")
    res = c.post("/people/import/", {"file": upload})
    assert res.status_code == 302
    job = ImportJob.objects.get()
    page = c.get(res["Location"])
    assert page.status_code == 200  # the task ran inline (tests' queue)
    assert "<h1>导入：名单.csv" in page.content.decode()  # a full-width colon in Chinese
    html = c.get(f"/people/import/{job.pk}/progress/").content.decode()
    job.refresh_from_db()
    assert job.state == "done" and (job.imported, job.updated, job.rejected) == (3, 0, 1)
    # the refused row said by its number and reason; the value itself masked (privacy F5)
    assert "身份证号有 3 位，应为 18 位" in html and '<td class="mono">***</td>' in html
    errors = c.get(f"/people/import/{job.pk}/errors.csv")
    body = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == "row,column,value,reason" and "\n4," in body
    assert Resident.objects.filter(name="王伟").exists()


def test_import_job_of_another_user_is_404(web, roster):
    c = web("staff_c1")
    c.post("/people/import/", {"file": SimpleUploadedFile("a.csv", b"name\n")})
    job = ImportJob.objects.get()
    assert web("hq").get(f"/people/import/{job.pk}/").status_code == 404


def test_upload_rejects_other_file_types(web, roster):
    res = web("staff_c1").post("/people/import/", {"file": SimpleUploadedFile("a.pdf", b"x")})
    assert res.status_code == 422 and not ImportJob.objects.exists()


def test_export_is_masked_by_default_and_audited(web, roster, cast):
    res = web("staff_c1").get("/people/export/", {"area": "C1", "format": "csv-utf8"})
    body = b"".join(export_download(res).streaming_content).decode("utf-8-sig")
    assert "王伟" in body and roster.a1.id_number not in body and "陈静" not in body
    assert AuditEntry.objects.filter(action="roster.export", object_id="C1").exists()


def test_unmasked_export_needs_the_permission(web, roster):
    res = web("staff_c1").get("/people/export/", {"area": "C1", "format": "csv-gbk",
                                                   "unmasked": "on"})
    body = b"".join(export_download(res).streaming_content).decode("gbk")
    assert roster.a1.id_number not in body  # community staff: the box is ignored


def test_unmasked_export_with_permission_is_audited(web, roster, cast):
    res = web("hq").post("/people/export/", {"area": "C1", "format": "csv-gbk",
                                              "unmasked": "on", "reason": "verify_identity"})
    body = b"".join(export_download(res).streaming_content).decode("gbk")
    assert roster.a1.id_number in body
    assert AuditEntry.objects.filter(actor=cast.hq, action="roster.export_full").exists()


def test_xlsx_export(web, roster):
    from openpyxl import load_workbook

    res = web("staff_c1").get("/people/export/", {"area": "G1a", "format": "xlsx"})
    wb = load_workbook(io.BytesIO(b"".join(export_download(res).streaming_content)))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 4 and rows[1][1].count("*") == 11


def test_export_area_outside_scope_is_refused(web, roster):
    res = web("staff_c1").get("/people/export/", {"area": "C2", "format": "xlsx"})
    assert res.status_code == 422 and b"roster-C2" not in res.get("Content-Disposition", "").encode()


def test_audit_page_for_auditors(web, roster, cast):
    web("staff_c1").post(f"/people/residents/{roster.a1.pk}/", {"reason": "contact"})
    html = web("auditor").get("/people/audit/").content.decode()
    assert "查看完整身份证号和手机号" in html and "王伟" in html and "staff_c1" in html


def test_audit_page_needs_audit_role(web, roster):
    assert web("staff_c1").get("/people/audit/").status_code == 403


def test_key_person_ledger_and_export(web, roster, cast):
    from firstline.people.services import screening_visit_record

    screening_visit_record(actor=cast.grid_a, household=roster.h1,
                 people=[{"resident": roster.a1, "temperature": "38.5"}])
    html = web("staff_c1").get("/people/key-persons/").content.decode()
    assert "王伟" in html
    assert "王伟" not in web("staff_c2").get("/people/key-persons/").content.decode()
    res = web("staff_c1").get("/people/key-persons/export.csv")
    body = b"".join(export_download(res).streaming_content).decode("utf-8-sig")
    assert "王伟" in body and roster.a1.id_number not in body


def test_coverage_lists_unassigned_key_persons(web, roster, cast):
    from firstline.people.services import responsibility_set, screening_visit_record

    screening_visit_record(actor=cast.grid_a, household=roster.h1,
                 people=[{"resident": roster.a1, "categories": ["needs_help"]},
                         {"resident": roster.a2, "categories": ["needs_help"]}])
    responsibility_set(actor=cast.staff_c1, resident=roster.a2, cadre=cast.staff_c1,
                       grid_worker=cast.grid_a, helper_name="志愿者")
    res = web("staff_c1").get("/people/coverage/")
    assert res.context["missing"] == [roster.a1]


def test_responsibility_form_saves(web, roster, cast):
    res = web("staff_c1").post(f"/people/responsibility/{roster.a1.pk}/", {
        "cadre": cast.staff_c1.pk, "grid_worker": cast.grid_a.pk, "helper_name": "王医生"})
    assert res.status_code == 302
    assert roster.a1.responsibility.helper_name == "王医生"


def test_household_page_lists_current_members(web, roster):
    make_resident(roster.h1, name="新成员")
    html = web("grid_a").get(f"/people/households/{roster.h1.pk}/").content.decode()
    assert "新成员" in html and "王芳" in html


def test_home_panel_counts_due_households(web, roster):
    res = web("grid_a").get("/people/panel/")
    assert res.status_code == 200 and res.context["due"] == 2
    assert web("gate_c1").get("/people/panel/").status_code == 403


def test_residents_list_by_compound_and_household(web, roster):
    c = web("staff_c1")
    assert c.get(f"/people/?compound={roster.h1.compound_id}").context["page"].paginator.count == 3
    assert c.get(f"/people/?household={roster.h1.pk}").context["page"].paginator.count == 2
    assert web("staff_c2").get(f"/people/?household={roster.h1.pk}").status_code == 404


def test_exports_neutralise_formulas(web, roster):
    Resident.objects.filter(pk=roster.a1.pk).update(note="=HYPERLINK(\"x\")")
    res = web("staff_c1").get("/people/export/", {"area": "G1a", "format": "csv-utf8"})
    body = b"".join(export_download(res).streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body
