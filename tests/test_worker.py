"""Background work on the real queue and real worker processes (`firstline worker`).

The rest of the suite runs tasks inline (tests/conftest.py `tasks_run_inline`); here the
database queue (django-tasks-db) or RQ (FIRSTLINE_REDIS_URL set: .ci/run's Redis job) takes
the task and a worker started as a subprocess runs it against the test database.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from firstline import clock
from firstline.accounts.models import AuditEntry
from firstline.people.models import ImportJob, Resident
from firstline.people.services import import_job_submit

from .people.test_import_overlap import roster_file

ROOT = Path(__file__).resolve().parent.parent
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
RQ_QUEUE = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
REDIS_URL = os.environ.get("FIRSTLINE_REDIS_URL", "")


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _worker(*args: str, queue: str = "database", **extra_env: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), DATABASE_URL=_database_url(),
               FIRSTLINE_TASKS=queue, **extra_env)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen([sys.executable, "-m", "firstline.cli", "worker", *args], env=env,
                            cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def _audits(job, action):
    return AuditEntry.objects.filter(action=action, object_id=str(job.pk)).count()


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_worker_is_killed_midway_is_finished_once_by_the_next_worker(
        file_database, cast, areas, tmp_path, settings):
    settings.TASKS = DATABASE_QUEUE
    n = 30000
    job = import_job_submit(actor=cast.staff_c1, upload=_upload(
        roster_file(tmp_path / "big.csv", n, seed=31)))
    first_task = job.task_id
    assert job.state == ImportJob.State.PENDING and first_task

    killed = _worker("--no-schedule")
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # mid-way: a batch or more saved, far from the end
            job.refresh_from_db()
            if job.next_row > 0 or killed.poll() is not None:
                break
            time.sleep(0.05)
    finally:
        killed.send_signal(signal.SIGKILL)
        out, err = killed.communicate(timeout=30)
    job.refresh_from_db()
    assert killed.returncode == -signal.SIGKILL, (out, err)
    assert job.state == ImportJob.State.RUNNING and 0 < job.next_row < n, (job.next_row, err)
    done_at_kill = Resident.objects.count()
    assert 0 < done_at_kill < n

    # Nothing advances it now; once its lease (minutes) has run out it counts as interrupted.
    ImportJob.objects.filter(pk=job.pk).update(lease_until=clock.now() - timedelta(seconds=1))
    job.refresh_from_db()
    assert job.interrupted

    second = _worker("--batch")
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert f"resumed interrupted imports: {job.pk}" in out
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.task_id != first_task
    assert (job.imported, job.updated, job.rejected) == (n, 0, 0)  # each row once
    assert Resident.objects.count() == n
    assert _audits(job, "residents.import") == 1  # one summary
    assert _audits(job, "residents.import.start") == 1

    from django_tasks_db.models import DBTaskResult

    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert {str(k): v for k, v in statuses.items()} == {
        first_task: "FAILED", job.task_id: "SUCCESSFUL"}


@pytest.mark.django_db(transaction=True)
def test_the_job_page_only_watches_an_upload_that_no_worker_has_taken(
        cast, areas, tmp_path, settings, client):
    settings.TASKS = DATABASE_QUEUE
    client.force_login(cast.staff_c1)
    res = client.post("/people/import/",
                      {"file": _upload(roster_file(tmp_path / "r.csv", 50, seed=32))})
    assert res.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(res["Location"]).content.decode()
    assert f"/people/import/{job.pk}/progress/" in page  # it polls...
    for _ in range(3):
        assert client.get(f"/people/import/{job.pk}/progress/").status_code == 200
    job.refresh_from_db()  # ...and nothing was imported by the polls
    assert job.state == ImportJob.State.PENDING and job.next_row == 0
    assert not Resident.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_upload_with_redis_down_is_refused_with_a_clear_message_and_leaves_nothing(
        cast, areas, tmp_path, settings, client):
    settings.TASKS = RQ_QUEUE
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}  # a closed port
    uploads = Path(settings.MEDIA_ROOT) / "people-imports"
    before = set(uploads.iterdir()) if uploads.exists() else set()
    client.force_login(cast.staff_c1)
    client.cookies.load({"django_language": "en"})
    res = client.post("/people/import/",
                      {"file": _upload(roster_file(tmp_path / "r.csv", 50, seed=33))},
                      HTTP_ACCEPT_LANGUAGE="en")
    assert res.status_code == 503
    assert "background queue is unavailable" in res.content.decode()
    assert not ImportJob.objects.exists() and not Resident.objects.exists()
    assert set(uploads.iterdir()) == before  # the stored file removed again


@pytest.mark.skipif(not REDIS_URL, reason="needs FIRSTLINE_REDIS_URL (.ci/run's Redis job)")
@pytest.mark.django_db(transaction=True)
def test_an_upload_queued_on_redis_is_imported_by_an_rq_worker(
        file_database, cast, areas, tmp_path, settings):
    import django_rq

    settings.TASKS = RQ_QUEUE
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    django_rq.get_queue("default").empty()
    job = import_job_submit(actor=cast.staff_c1, upload=_upload(
        roster_file(tmp_path / "r.csv", 500, seed=34)))
    assert job.state == ImportJob.State.PENDING and job.task_id

    worker = _worker("--batch", queue="rq")
    out, err = worker.communicate(timeout=300)
    assert worker.returncode == 0, err
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and job.imported == 500, (out, err)
    assert Resident.objects.count() == 500
    assert _audits(job, "residents.import") == 1


def test_the_rq_loop_runs_our_rq_worker(db, settings, monkeypatch):
    """`firstline worker` on RQ starts RQWorker (its command channel stops at once), not
    rq's own Worker: the class is handed to django-rq's rqworker command."""
    import io

    import django.core.management

    from firstline import worker

    settings.TASKS = RQ_QUEUE
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0"}}
    calls = []
    monkeypatch.setattr(django.core.management, "call_command",
                        lambda *args, **kwargs: calls.append((args, kwargs)))
    worker.run(batch=True, schedule=False, interval=1.0, stdout=io.StringIO())
    ((args, kwargs),) = calls
    assert args == ("rqworker", "default") and kwargs["burst"] is True
    assert kwargs["worker_class"] is worker.RQWorker


@pytest.mark.skipif(not REDIS_URL, reason="needs FIRSTLINE_REDIS_URL (.ci/run's Redis job)")
def test_the_rq_worker_stops_its_command_channel_after_the_unsubscribe_reply_was_read():
    """rq's `unsubscribe` (the worker's teardown) sends UNSUBSCRIBE, then waits for the
    thread reading the command channel to end. Here that thread has already read the reply
    before being told to stop (the race that held `firstline worker --batch` for up to a
    minute): it waits for a subscription again, one read at a time — PUBSUB_POLL_SECONDS with
    RQWorker, 60 s with rq's own Worker — so the teardown returns and the thread is gone."""
    import redis
    from rq import Queue

    from firstline.worker import RQWorker

    conn = redis.Redis.from_url(REDIS_URL)
    rq_worker = RQWorker([Queue("test-unsubscribe", connection=conn)], connection=conn)
    rq_worker.subscribe()
    reader = rq_worker.pubsub_thread
    rq_worker.pubsub.unsubscribe()
    deadline = time.monotonic() + 30
    while rq_worker.pubsub.subscribed and time.monotonic() < deadline:
        time.sleep(0.01)  # until the reader has read the reply
    assert not rq_worker.pubsub.subscribed and reader.is_alive()

    teardown = threading.Thread(target=rq_worker.unsubscribe, daemon=True)
    teardown.start()
    teardown.join(timeout=30)  # half of rq's own read: it would still be waiting
    assert not teardown.is_alive() and not reader.is_alive()


def test_the_worker_help_lists_every_periodic_check_from_the_schedule():
    from firstline.management.commands.worker import Command
    from firstline.worker import SCHEDULE

    assert all(item.what and item.what in Command.help for item in SCHEDULE)
    assert "every 15 minutes: isolation check, sign-off reminder; hourly: " in Command.help


def test_the_scheduler_enqueues_each_periodic_check_once_per_period(db):
    from datetime import UTC, datetime

    from django.core.cache import cache

    from firstline import worker

    cache.clear()
    at = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    assert set(worker.enqueue_due(at)) == {
        "isolation.check_missed", "reports.chase_due", "operations.places_refresh",
        "residents.deidentify", "assistance.deidentify", "exports.expire",
        "tasks.prune_results", "people.import_partials_sweep"}
    assert worker.enqueue_due(at + timedelta(minutes=5)) == []  # another worker, same period
    assert set(worker.enqueue_due(at + timedelta(minutes=15))) == {
        "isolation.check_missed", "reports.chase_due"}
    # run (inline here): the retention task left its audit entry, once
    assert AuditEntry.objects.filter(action="residents.deidentify").count() == 1
    assert AuditEntry.objects.filter(action="assistance.deidentify").count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_export_asked_for_on_the_page_is_written_by_the_worker_and_downloaded(
        file_database, cast, areas, tmp_path, settings, client):
    """The page only asks and watches; `firstline worker` writes the file (to the folder the
    app serves it from: FIRSTLINE_VAR_DIR/exports)."""
    import csv
    import io

    from firstline.exportjobs.models import ExportJob

    from .conftest import make_household
    from .people.conftest import make_resident

    settings.TASKS = DATABASE_QUEUE
    settings.EXPORTS_DIR = tmp_path / "var" / "exports"
    household = make_household(areas.g1a, room="101")
    for i in range(7):
        make_resident(household, name=f"居民{i}", phone=f"1380000{i:04d}")
    client.force_login(cast.staff_c1)
    res = client.get("/people/export/", {"area": "C1", "format": "csv-gbk"})
    assert res.status_code == 302
    job = ExportJob.objects.get()
    page = client.get(res["Location"]).content.decode()
    assert f"/exports/{job.pk}/progress/" in page  # it polls; nothing written yet
    assert job.status == ExportJob.Status.QUEUED and job.task_id
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404

    worker = _worker("--batch", FIRSTLINE_VAR_DIR=str(tmp_path / "var"))
    out, err = worker.communicate(timeout=300)
    assert worker.returncode == 0, err
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.rows_written == 7, job.error
    res = client.get(f"/exports/{job.pk}/download/")
    rows = list(csv.reader(io.StringIO(b"".join(res.streaming_content).decode("gbk"))))
    assert sorted(r[0] for r in rows[1:]) == [f"居民{i}" for i in range(7)]
    assert AuditEntry.objects.filter(action="roster.export").count() == 1
