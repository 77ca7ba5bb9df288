"""Big exports run as tasks (issue 12.5): the page asks (and audits), the worker writes the
file, the job page watches, and only the one who asked downloads it, until it expires."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from firstline import clock
from firstline.accounts.models import AuditEntry
from firstline.exportjobs import services as jobs
from firstline.exportjobs.models import ExportJob
from firstline.people import exports
from firstline.people.models import Resident

S = ExportJob.Status


def ask(client, **data):
    """The roster export asked for on the page: a redirect to the job's page."""
    method = client.post if data.get("unmasked") else client.get
    res = method("/people/export/", {"area": "C1", "format": "csv-utf8", **data})
    assert res.status_code == 302, res.content[:500]
    job = ExportJob.objects.get(pk=int(res["Location"].strip("/").split("/")[-1]))
    assert res["Location"] == f"/exports/{job.pk}/"
    return job


def csv_rows(response, encoding="utf-8-sig"):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode(encoding))))


def files(settings):
    return sorted(p.name for p in settings.EXPORTS_DIR.iterdir())


# --- the lifecycle ---------------------------------------------------------------------------

def test_asking_creates_a_job_that_the_task_writes_and_the_owner_downloads(web, roster,
                                                                            settings):
    client = web("staff_c1")
    job = ask(client)
    job.refresh_from_db()
    assert job.status == S.DONE and job.rows_written == 4 and job.owner.username == "staff_c1"
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert f"/exports/{job.pk}/download/" in page and "hx-get" not in page  # done: no polling
    rows = csv_rows(client.get(f"/exports/{job.pk}/download/"))
    assert len(rows) == 5 and {r[0] for r in rows[1:]} == {"王伟", "王芳", "李强", "刘洋"}
    assert roster.a1.id_number not in str(rows) and "*" in rows[1][1]  # masked
    assert files(settings) == [f"export-{job.pk}.csv"]


def test_a_running_job_page_polls_its_progress(web, roster):
    client = web("staff_c1")
    job = ask(client)
    ExportJob.objects.filter(pk=job.pk).update(status=S.RUNNING, rows_written=5000)
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert f'hx-get="/exports/{job.pk}/progress/"' in page and "5000" in page
    assert f"/exports/{job.pk}/download/" not in page
    partial = client.get(f"/exports/{job.pk}/progress/").content.decode()
    assert partial.lstrip().startswith('<section id="progress"') and "<html" not in partial
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404  # not written yet


def test_only_the_owner_sees_or_downloads_the_job(web, roster):
    job = ask(web("hq"), area="C1")
    for other in ("staff_c1", "staff_c2", "auditor", "admin"):
        client = web(other)
        assert client.get(f"/exports/{job.pk}/").status_code == 404
        assert client.get(f"/exports/{job.pk}/progress/").status_code == 404
        assert client.get(f"/exports/{job.pk}/download/").status_code == 404
        assert f"/exports/{job.pk}/" not in client.get("/exports/").content.decode()
    assert f"/exports/{job.pk}/" in web("hq").get("/exports/").content.decode()


def test_the_owner_who_lost_the_role_may_no_longer_download(web, roster, cast):
    client = web("staff_c1")
    job = ask(client)
    cast.staff_c1.assignments.all().delete()
    assert client.get(f"/exports/{job.pk}/download/").status_code == 403


def test_the_owner_moved_to_another_area_may_no_longer_download(web, roster, cast, areas):
    client = web("staff_c1")
    job = ask(client)
    cast.staff_c1.assignments.update(area=areas.c2)
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404


def test_an_unmasked_job_needs_the_permission_still_at_the_download(web, roster, cast, areas):
    from firstline.accounts.roles import Role

    client = web("hq")
    job = ask(client, unmasked="on", reason="verify_identity")
    assert job.unmasked and job.reason
    cast.hq.assignments.update(role=Role.COMMUNITY_STAFF)  # no people.export_full any more
    assert client.get(f"/exports/{job.pk}/download/").status_code == 403


def test_an_expired_export_is_gone_and_its_file_deleted(web, roster, settings):
    client = web("staff_c1")
    job = ask(client)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=clock.now() - timedelta(minutes=1))
    res = client.get(f"/exports/{job.pk}/download/")
    assert res.status_code == 410 and "过期" in res.content.decode()
    assert files(settings) == [f"export-{job.pk}.csv"]  # until the scheduled task runs
    assert jobs.export_jobs_expire() == 1
    assert jobs.export_jobs_expire() == 0  # once
    job.refresh_from_db()
    assert job.status == S.EXPIRED and files(settings) == []
    assert client.get(f"/exports/{job.pk}/download/").status_code == 410


def test_a_job_not_yet_expired_keeps_its_file(web, roster, settings):
    job = ask(web("staff_c1"))
    job.refresh_from_db()
    assert jobs.export_jobs_expire(now=job.expires_at - timedelta(minutes=1)) == 0
    assert files(settings) == [f"export-{job.pk}.csv"]


def test_an_export_file_whose_job_is_gone_is_removed_by_the_hourly_task(web, roster, settings):
    # The database restored from a backup older than the job: no row says whose the file is
    # or when it expires, and nobody can download it; it must not stay on the disk for good.
    from firstline.exportjobs.tasks import expire_task

    gone = ask(web("staff_c1"))
    kept = ask(web("hq"), area="C1")
    (settings.EXPORTS_DIR / "notes.txt").write_text("not an export")
    (settings.EXPORTS_DIR / f"export-{gone.pk}.csv.part").write_text("half")
    ExportJob.objects.filter(pk=gone.pk).delete()
    assert expire_task.call() == {"expired": 0, "orphans": 2}
    assert files(settings) == [f"export-{kept.pk}.csv", "notes.txt"]
    assert jobs.export_files_orphaned_remove() == 0


def test_the_sweep_spares_a_file_written_since_it_began(web, roster, settings):
    # After a restore, ids are handed out again: a new job may write export-<id> between the
    # sweep reading the directory and deleting. Here its worker finishes (os.replace, as
    # export_job_run does) while the sweep asks the database which jobs exist.
    import os

    from django.db import connection

    job = ask(web("staff_c1"))
    path = settings.EXPORTS_DIR / f"export-{job.pk}.csv"
    ExportJob.objects.filter(pk=job.pk).delete()

    def the_new_job_finishes(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "exportjob" in sql and path.read_text() != "the new job's file":
            part = path.with_name(path.name + ".part")
            part.write_text("the new job's file")
            os.replace(part, path)
        return result

    with connection.execute_wrapper(the_new_job_finishes):
        assert jobs.export_files_orphaned_remove() == 0
    assert path.read_text() == "the new job's file"


# --- the task, run again --------------------------------------------------------------------

def test_the_task_run_again_once_done_changes_nothing(web, roster, settings):
    job = ask(web("staff_c1"))
    job.refresh_from_db()
    audits, before = AuditEntry.objects.count(), (job.finished_at, job.size)
    again = jobs.export_job_run(job_id=job.pk)
    assert (again.status, again.finished_at, again.size) == (S.DONE, *before)
    assert AuditEntry.objects.count() == audits and files(settings) == [f"export-{job.pk}.csv"]


def test_a_task_killed_mid_file_is_rerun_into_one_file_without_a_second_audit_row(
        web, roster, settings):
    client = web("staff_c1")
    job = ask(client)
    path = jobs.export_job_path(job)
    # as a worker killed half-way leaves it: running, a lease that ran out, a partial file
    path.unlink()
    path.with_name(path.name + ".part").write_bytes(b"half a file")
    ExportJob.objects.filter(pk=job.pk).update(
        status=S.RUNNING, rows_written=2, lease_until=clock.now() - timedelta(seconds=1))
    audits = AuditEntry.objects.count()
    assert jobs.export_jobs_resume() == [job.pk]  # the scheduler enqueues it again
    job.refresh_from_db()
    assert job.status == S.DONE and job.rows_written == 4
    assert files(settings) == [f"export-{job.pk}.csv"]
    assert len(csv_rows(client.get(f"/exports/{job.pk}/download/"))) == 5
    assert AuditEntry.objects.count() == audits


def test_a_job_another_worker_holds_is_left_alone(web, roster):
    job = ask(web("staff_c1"))
    ExportJob.objects.filter(pk=job.pk).update(
        status=S.RUNNING, rows_written=7, lease_until=clock.now() + timedelta(minutes=5))
    again = jobs.export_job_run(job_id=job.pk)
    assert (again.status, again.rows_written) == (S.RUNNING, 7)
    assert jobs.export_jobs_resume() == []


def test_a_job_the_queue_never_took_is_enqueued_by_the_scheduler(cast, areas, roster):
    job = exports.roster_export_ask(actor=cast.staff_c1, area=areas.c1, fmt="csv-gbk")
    ExportJob.objects.filter(pk=job.pk).update(status=S.QUEUED, task_id="")
    assert jobs.export_jobs_resume() == [job.pk]
    job.refresh_from_db()
    assert job.status == S.DONE


def test_a_failing_build_says_so_and_leaves_no_file(web, roster, settings):
    client = web("staff_c1")
    job = ask(client)
    jobs.export_job_path(job).unlink()
    # a kind no app registers (any error while writing takes the same way)
    ExportJob.objects.filter(pk=job.pk).update(status=S.QUEUED, kind="gone-away")
    res = jobs.export_job_run(job_id=job.pk)
    assert res.status == S.FAILED and res.error == "KeyError" and files(settings) == []
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    assert "KeyError" in client.get(f"/exports/{job.pk}/").content.decode()


# --- what the file holds ------------------------------------------------------------------

def test_unmasked_export_is_audited_once_with_its_reason_and_holds_full_numbers(web, roster,
                                                                                 cast):
    before = AuditEntry.objects.count()
    client = web("hq")
    job = ask(client, unmasked="on", reason="transfer", format="csv-gbk")
    rows = csv_rows(client.get(f"/exports/{job.pk}/download/"), "gbk")
    assert any(roster.a1.id_number in cell for row in rows for cell in row)
    assert roster.a1.phone in str(rows)
    new = AuditEntry.objects.order_by("pk")[before:]
    assert [(e.action, e.object_id, "转运隔离" in e.detail) for e in new] == [
        ("roster.export_full", "C1", True)]
    assert "转运隔离" in job.reason


def test_xlsx_job_masks_and_escapes_formulas(web, roster):
    Resident.objects.filter(pk=roster.a1.pk).update(note="=HYPERLINK(\"x\")")
    client = web("staff_c1")
    job = ask(client, format="xlsx", area="G1a")
    res = client.get(f"/exports/{job.pk}/download/")
    assert res["Content-Disposition"].endswith('.xlsx"') and res["Cache-Control"] == "no-store"
    rows = list(load_workbook(io.BytesIO(b"".join(res.streaming_content))).active
                .iter_rows(values_only=True))
    assert len(rows) == 4 and all(r[1].count("*") == 11 for r in rows[1:])
    assert "'=HYPERLINK(\"x\")" in [r[-1] for r in rows]


def test_csv_job_escapes_formulas(web, roster):
    Resident.objects.filter(pk=roster.a1.pk).update(note="+cmd|' /C calc'!A0")
    client = web("staff_c1")
    job = ask(client)
    rows = csv_rows(client.get(f"/exports/{job.pk}/download/"))
    assert "'+cmd|' /C calc'!A0" in [r[-1] for r in rows]


def test_a_gbk_job_counts_and_shows_the_characters_gbk_cannot_hold(web, roster):
    # 𠮷 (a rare name character, CJK extension B) and an emoji are not in GBK: the file holds
    # "?" for them, and the job page tells the owner which and how many, not silence.
    Resident.objects.filter(pk=roster.a1.pk).update(name="王𠮷")
    Resident.objects.filter(pk=roster.a2.pk).update(note="平安😀😀")
    client = web("staff_c1")
    job = ask(client, format="csv-gbk")
    job.refresh_from_db()
    assert (job.status, job.lost_chars) == (S.DONE, 3)
    assert set(job.lost_sample) == {"𠮷", "😀"}
    rows = csv_rows(client.get(f"/exports/{job.pk}/download/"), "gbk")
    assert "王?" in [r[0] for r in rows] and "平安??" in [r[-1] for r in rows]
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert "有 3 个字符无法以 CSV，GBK 编码（旧版 Excel） 写入" in page
    assert "𠮷" in page and "😀" in page


def test_a_utf8_job_holds_every_character_and_warns_of_nothing(web, roster):
    Resident.objects.filter(pk=roster.a1.pk).update(name="王𠮷")
    client = web("staff_c1")
    job = ask(client, format="csv-utf8")
    job.refresh_from_db()
    assert job.lost_chars == 0 and job.lost_sample == ""
    assert "王𠮷" in [r[0] for r in csv_rows(client.get(f"/exports/{job.pk}/download/"))]
    assert "无法以" not in client.get(f"/exports/{job.pk}/").content.decode()


def test_the_exports_list_names_each_files_format(web, roster):
    client = web("staff_c1")
    ask(client, format="csv-gbk")
    ask(client, format="xlsx")
    page = client.get("/exports/").content.decode()
    assert page.count("<td>CSV，GBK 编码（旧版 Excel）</td>") == 1
    assert page.count("<td>Excel（.xlsx）</td>") == 1


def test_key_person_ledger_is_a_job_of_the_asked_area(web, roster, cast):
    from firstline.people.services import screening_visit_record

    screening_visit_record(actor=cast.grid_a, household=roster.h1,
                           people=[{"resident": roster.a1, "temperature": "38.5"}])
    client = web("hq")
    res = client.get("/people/key-persons/export.csv", {"area": "C2"})
    assert res.status_code == 302
    rows = csv_rows(client.get(res["Location"] + "download/"))
    assert len(rows) == 1  # 王伟 lives in C1
    res = client.get("/people/key-persons/export.csv")
    rows = csv_rows(client.get(res["Location"] + "download/"))
    assert [r[1] for r in rows[1:]] == ["王伟"] and roster.a1.id_number not in str(rows)


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("data, field", [
    ({"format": "pdf"}, "format"),
    ({"area": "C2"}, "area"),  # not theirs: as unknown
    ({"area": "NOPE"}, "area"),
])
def test_bad_input_is_a_422_naming_the_field_and_starts_nothing(web, roster, data, field):
    res = web("staff_c1").get("/people/export/", {"area": "C1", "format": "csv-utf8", **data})
    assert res.status_code == 422
    assert field in res.context["form"].errors
    assert not ExportJob.objects.exists() and not AuditEntry.objects.filter(
        action__startswith="roster.").exists()


def test_the_service_refuses_an_unknown_format_naming_it(cast, areas):
    from firstline.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        exports.roster_export_ask(actor=cast.staff_c1, area=areas.c1, fmt="pdf")
    assert exc.value.field == "format" and not ExportJob.objects.exists()


def test_unknown_job_is_404(web, roster):
    assert web("staff_c1").get("/exports/999999/").status_code == 404
    assert web("staff_c1").get("/exports/999999/download/").status_code == 404


def test_the_worker_schedule_expires_exports_and_prunes_task_results():
    from firstline.worker import SCHEDULE

    names = {p.name: p.task for p in SCHEDULE}
    assert names["exports.expire"] == "firstline.exportjobs.tasks.expire_task"
    assert names["tasks.prune_results"] == "firstline.exportjobs.tasks.prune_task_results_task"
