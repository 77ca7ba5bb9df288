"""The ledgers (台账) run as export jobs: asked for on the ledgers page (an unmasked one
audited then, with its reason), written by the task, downloaded only by the one who asked
while they may still have it."""

import io

from openpyxl import load_workbook

from firstline.accounts.models import AuditEntry
from firstline.accounts.roles import Role
from firstline.exportjobs.models import ExportJob

from .conftest import D


def ask(client, kind="isolations", method="get", **extra):
    data = {"area": "99000101", "from": D.isoformat(), "to": D.isoformat(), **extra}
    res = getattr(client, method)(f"/reports/exports/{kind}.xlsx", data)
    assert res.status_code == 302, res.content[:300]
    return ExportJob.objects.get(pk=int(res["Location"].strip("/").split("/")[-1]))


def sheet(response):
    assert response.status_code == 200
    return [[c for c in row] for row in load_workbook(io.BytesIO(
        b"".join(response.streaming_content))).worksheets[0].iter_rows(values_only=True)]


def test_a_masked_ledger_is_a_job_only_its_owner_downloads(web, facts):
    client = web("hq")
    job = ask(client)
    job.refresh_from_db()
    assert (job.kind, job.status, job.unmasked) == ("ledger:isolations", "done", False)
    assert job.rows_written == 5  # i1-i4 and i6 (i5 starts on D+1)
    assert job.file_name.endswith(".xlsx")
    rows = sheet(client.get(f"/exports/{job.pk}/download/"))
    assert any("*" in str(cell) for row in rows for cell in row)
    for other in ("staff_c1", "auditor", "admin"):
        assert web(other).get(f"/exports/{job.pk}/download/").status_code == 404
    assert not AuditEntry.objects.filter(action__startswith="reports.export_full").exists()


def test_an_unmasked_ledger_is_audited_once_when_asked_and_rechecked_at_download(web, facts,
                                                                                 cast):
    client = web("hq")
    job = ask(client, method="post", full="1", reason="contact")
    entries = list(AuditEntry.objects.filter(action="reports.export_full:isolations"))
    assert len(entries) == 1 and "联系本人" in entries[0].detail and job.unmasked
    assert not any("*" in str(cell) for row in sheet(
        client.get(f"/exports/{job.pk}/download/"))[5:] for cell in row[3:5])
    assert AuditEntry.objects.filter(action="reports.export_full:isolations").count() == 1
    cast.hq.assignments.update(role=Role.COMMUNITY_STAFF)  # reports.view stays, export_full goes
    assert client.get(f"/exports/{job.pk}/download/").status_code == 403


def test_a_bad_period_starts_nothing(web, facts):
    res = web("hq").get("/reports/exports/isolations.xlsx",
                        {"area": "99000101", "from": D.isoformat(), "to": "2020-13-01"})
    assert res.status_code == 422 and not ExportJob.objects.exists()
    res = web("hq").get("/reports/exports/isolations.xlsx",
                        {"area": "NOPE", "from": D.isoformat(), "to": D.isoformat()})
    assert res.status_code in (404, 422) and not ExportJob.objects.exists()
