"""Web import jobs: processed in resumable steps, one process at a time."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from firstline.people.models import ImportJob, Resident
from firstline.people.services import import_job_create, import_job_step

from .test_import import HEADER_CN, good_rows


def _upload(rows, name="r.csv"):
    lines = [",".join(HEADER_CN)] + [",".join(r) for r in rows]
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode("utf-8"))


def test_a_job_resumes_step_by_step_and_still_finds_duplicates(cast, areas):
    rows = good_rows() + [["重复", good_rows()[0][1], "", "G1a", "x", "", "", "", "", ""]]
    job = import_job_create(actor=cast.staff_c1, upload=_upload(rows))
    assert job.total_rows == 4
    steps = 0
    while job.state != ImportJob.State.DONE:
        job = import_job_step(job_id=job.pk, seconds=0.000001, batch_size=1)
        steps += 1
    assert steps >= 3
    assert (job.imported, job.updated, job.rejected) == (3, 0, 1)
    assert Resident.objects.count() == 3


def test_a_leased_job_is_left_alone(cast, areas):
    job = import_job_create(actor=cast.staff_c1, upload=_upload(good_rows()))
    ImportJob.objects.filter(pk=job.pk).update(lease_until=timezone.now() + timedelta(minutes=1))
    job = import_job_step(job_id=job.pk)
    assert job.state == ImportJob.State.PENDING and not Resident.objects.exists()


def test_a_dry_run_job_writes_nothing(cast, areas):
    job = import_job_create(actor=cast.staff_c1, upload=_upload(good_rows()), dry_run=True)
    job = import_job_step(job_id=job.pk, seconds=None)
    assert job.state == ImportJob.State.DONE and job.imported == 3
    assert not Resident.objects.exists()


def test_the_job_uses_the_uploaders_scope(cast, areas):
    job = import_job_create(actor=cast.staff_c2, upload=_upload(good_rows()))
    job = import_job_step(job_id=job.pk, seconds=None)
    assert job.rejected == 3 and job.imported == 0


def test_a_missing_column_fails_the_whole_file(cast, areas):
    job = import_job_create(actor=cast.staff_c1,
                            upload=SimpleUploadedFile("r.csv", "姓名,身份证号\n张三,1\n".encode()))
    job = import_job_step(job_id=job.pk)
    assert job.state == ImportJob.State.DONE and job.file_error
    assert not Resident.objects.exists()


def test_the_worker_command_finishes_queued_jobs(cast, areas, capsys):
    from django.core.management import call_command

    import_job_create(actor=cast.staff_c1, upload=_upload(good_rows()))  # not enqueued: the
    call_command("worker", "--batch")  # worker finds it waiting with no task, and runs it
    assert ImportJob.objects.get().state == ImportJob.State.DONE
    assert Resident.objects.count() == 3


def test_a_nul_character_rejects_its_row_and_the_errors_download_keeps_a_bom(cast, areas):
    from firstline.people.services import import_job_errors_path

    rows = good_rows()
    rows[1] = [*rows[1][:9], "女\x00儿"]
    job = import_job_create(actor=cast.staff_c1, upload=_upload(rows))
    job = import_job_step(job_id=job.pk, seconds=None)
    assert (job.imported, job.rejected, job.file_error) == (2, 1, "")
    raw = import_job_errors_path(job).read_bytes()
    assert raw.startswith("\ufeffrow,column,value,reason".encode())  # for Excel
    assert "备注" in raw.decode("utf-8-sig").splitlines()[1]
