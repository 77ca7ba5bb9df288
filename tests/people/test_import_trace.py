"""Issue 17: an import leaves a trace from its first batch. A killed run shows as such in the
job list; FILE.errors.csv is written under a temporary name and renamed when complete."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from firstline.accounts.models import AuditEntry
from firstline.people.models import ImportJob, Resident
from firstline.people.services import import_job_create, import_job_step, residents_import
from firstline.tabular import errors_path_for

from .test_import_overlap import roster_file

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_a_command_line_import_is_a_job_and_its_start_is_audited(areas, tmp_path):
    path = roster_file(tmp_path / "r.csv", 30, bad=2)
    outcome = residents_import(path)
    job = ImportJob.objects.get(source="cli")
    assert (job.state, job.imported, job.rejected) == ("done", 30, 2)
    assert job.filename == "r.csv" and job.created_by is None and not job.interrupted
    start = AuditEntry.objects.get(action="residents.import.start")
    assert start.object_id == str(job.pk) and "r.csv into all areas" in start.detail
    assert AuditEntry.objects.filter(action="residents.import",
                                     detail=outcome.summary).count() == 1


@pytest.mark.django_db
def test_an_uploaded_job_audits_its_start_once(cast, areas, tmp_path):
    content = roster_file(tmp_path / "u.csv", 5).read_bytes()
    job = import_job_create(actor=cast.staff_c1, upload=SimpleUploadedFile("u.csv", content))
    while job.state != ImportJob.State.DONE:
        job = import_job_step(job_id=job.pk, seconds=0.000001, batch_size=2)
    starts = AuditEntry.objects.filter(action="residents.import.start")
    assert starts.count() == 1
    assert starts.get().actor == cast.staff_c1 and "into C1" in starts.get().detail


@pytest.mark.django_db
def test_the_errors_file_appears_only_when_complete(areas, tmp_path):
    path = roster_file(tmp_path / "e.csv", 3, bad=2)
    residents_import(path)
    assert errors_path_for(path).read_text(encoding="utf-8").count("\n") == 3  # header + 2
    assert not list(tmp_path.glob("*.part"))


def _subprocess_env(database_name: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="firstline.settings")
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:"
                               f"{s['PORT'] or 5432}/{database_name}")
    else:
        env["DATABASE_URL"] = f"sqlite:///{database_name}"
    return env


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_leaves_its_audit_entry_its_rows_and_shows_as_interrupted(
        file_database, cast, areas, tmp_path, web):
    path = roster_file(tmp_path / "big.csv", 60000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "firstline.cli", "import", "residents", str(path),
         "--as", "staff_c1"], env=_subprocess_env(connection.settings_dict["NAME"]),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(ROOT))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            job = ImportJob.objects.filter(source="cli").first()
            if job is not None and job.imported > 0:
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGKILL)  # as the OOM killer or a lost SSH session would
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    job = ImportJob.objects.get(source="cli")
    assert 0 < job.imported < 60000 and Resident.objects.count() == job.imported
    assert job.state == ImportJob.State.RUNNING and job.created_by == cast.staff_c1
    start = AuditEntry.objects.get(action="residents.import.start")
    assert start.actor == cast.staff_c1 and "big.csv" in start.detail
    assert not AuditEntry.objects.filter(action="residents.import").exists()
    assert not errors_path_for(path).exists()  # only the .part of the killed run
    assert list(tmp_path.glob("big.csv.errors.csv.*.part"))
    with time_machine.travel(job.lease_until + timedelta(seconds=1), tick=False):
        job.refresh_from_db()
        assert job.interrupted
        client = web("staff_c1", lang="en")
        page = client.get("/people/import/")
        assert "big.csv" in page.content.decode() and "interrupted" in page.content.decode()
        detail = client.get(f"/people/import/{job.pk}/").content.decode()
        assert "interrupted" in detail and "/progress/" not in detail  # no endless polling
