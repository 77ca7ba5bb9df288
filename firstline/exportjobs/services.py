"""Export jobs: create (with the caller's audit row, in one transaction), run (the task's
body: idempotent, one file however often it runs), serve, expire."""

import logging
import os
import re
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import translation

from firstline import clock, taskqueue

from . import registry
from .models import ExportJob

log = logging.getLogger("firstline.exports")

TTL = timedelta(hours=24)  # how long a finished file may be downloaded
LEASE = timedelta(minutes=10)  # a task that has not reported for this long is gone
S = ExportJob.Status


def exports_dir() -> Path:
    path = Path(getattr(settings, "EXPORTS_DIR", None) or Path(settings.VAR_DIR) / "exports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_job_path(job: ExportJob) -> Path:
    """Where the job's file lives: one name per job, so a retried task rewrites it."""
    suffix = ".xlsx" if job.format == "xlsx" else ".csv"
    return exports_dir() / f"export-{job.pk}{suffix}"


def export_job_create(*, owner, area, kind: str, fmt: str, file_name: str,
                      unmasked: bool = False, reason: str = "", params: dict | None = None,
                      now: datetime | None = None) -> ExportJob:
    """Store the job. Call it inside the transaction that writes the export's audit row
    (the app's service has checked the permission and the area's scope)."""
    registry.get(kind)  # a kind nobody registered is a programming error, not user input
    now = now or clock.now()
    params = {"language": translation.get_language() or "", **(params or {})}
    return ExportJob.objects.create(
        owner=owner, area=area, kind=kind, format=fmt, file_name=file_name[:200],
        unmasked=unmasked, reason=reason[:255] if unmasked else "", params=params,
        created_at=now, expires_at=now + TTL)


def export_job_language(job: ExportJob):
    """The language of the page that asked (headers, labels), not the worker's: a context
    manager for the kind's build."""
    return translation.override(job.params.get("language") or settings.LANGUAGE_CODE)


def export_job_enqueue(job: ExportJob) -> None:
    """Hand the job to the queue. The queue down: the job stays queued and the worker's
    scheduler enqueues it once the queue is back (export_jobs_resume); the page says so."""
    from .tasks import export_job_task

    try:
        result = taskqueue.enqueue(export_job_task, field="format", job_id=job.pk)
    except taskqueue.QueueUnavailable:
        return
    ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def export_job_run(*, job_id: int, now: datetime | None = None) -> ExportJob | None:
    """The task's body. Takes the job with a lease (a conditional update: one writer at a
    time), writes its file under a `.part` name and renames it when whole. Run again after a
    crash, it rewrites the same file; run again once done, it does nothing. No audit here:
    the audit row was written when the export was asked for."""
    now = now or clock.now()
    claimed = (ExportJob.objects.filter(pk=job_id, status__in=[S.QUEUED, S.RUNNING])
               .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
               .update(status=S.RUNNING, started_at=now, lease_until=now + LEASE,
                       rows_written=0, error="", lost_chars=0, lost_sample=""))
    job = ExportJob.objects.filter(pk=job_id).select_related("owner", "area").first()
    if not claimed or job is None:
        return job  # over, gone, or another worker holds it
    path = export_job_path(job)
    part = path.with_name(path.name + ".part")
    written = [0]

    def progress(rows: int) -> None:
        written[0] = rows
        ExportJob.objects.filter(pk=job.pk, status=S.RUNNING).update(
            rows_written=rows, lease_until=clock.now() + LEASE)

    try:
        written_as = registry.get(job.kind).build(job, part, progress) or registry.Written()
        os.replace(part, path)
    except Exception as exc:  # any failure: the job says so; the file is not left half-made
        part.unlink(missing_ok=True)
        log.exception("export %s failed", job.pk)
        detail = getattr(exc, "detail", "") or type(exc).__name__
        ExportJob.objects.filter(pk=job.pk).update(
            status=S.FAILED, error=str(detail)[:255], finished_at=clock.now(),
            lease_until=None)
    else:
        done = clock.now()
        ExportJob.objects.filter(pk=job.pk).update(
            status=S.DONE, rows_written=written[0],
            size=path.stat().st_size, finished_at=done, expires_at=done + TTL,
            lease_until=None, lost_chars=written_as.lost_chars,
            lost_sample=written_as.lost_sample[:40])
    job.refresh_from_db()
    return job


def export_jobs_resume(*, now: datetime | None = None) -> list[int]:
    """Enqueue again the jobs nobody is working on: a lease that ran out (the worker was
    killed mid-file: the file is rewritten from its start), or a waiting job the queue does
    not have (the queue was down when it was asked for). Run by the worker's scheduler."""
    now = now or clock.now()
    waiting = (ExportJob.objects.filter(status__in=[S.QUEUED, S.RUNNING], expires_at__gt=now)
               .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now)))
    return taskqueue.resume_stalled(waiting, export_job_enqueue)


@transaction.atomic
def export_jobs_expire(*, now: datetime | None = None) -> int:
    """Delete the files of jobs past `expires_at` (and of jobs that never finished by then);
    the job rows stay, marked expired, so the owner's page says what happened."""
    now = now or clock.now()
    jobs = list(ExportJob.objects.filter(expires_at__lte=now)
                .exclude(status=S.EXPIRED).select_for_update())
    for job in jobs:
        path = export_job_path(job)
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".part").unlink(missing_ok=True)
    ExportJob.objects.filter(pk__in=[j.pk for j in jobs]).update(
        status=S.EXPIRED, lease_until=None)
    return len(jobs)


_FILE_NAME = re.compile(r"export-(\d+)\.(csv|xlsx)(\.part)?")


def export_files_orphaned_remove() -> int:
    """Delete the files whose job row is gone: the database restored from a backup older than
    the job, or a row removed by hand. Nobody can download them any more, and
    export_jobs_expire only knows the files of rows it finds — without this, an export of full
    ID numbers would stay on the disk for good. Files named otherwise are not ours: left
    alone. (One directory per deployment: two sharing it would delete each other's files.)"""
    found: dict[int, list[tuple[Path, tuple[int, int]]]] = {}
    for path in exports_dir().iterdir():
        m = _FILE_NAME.fullmatch(path.name)
        if m:
            found.setdefault(int(m.group(1)), []).append((path, _identity(path)))
    kept = set(ExportJob.objects.filter(pk__in=list(found)).values_list("pk", flat=True))
    removed = 0
    for pk, paths in found.items():
        if pk not in kept:
            for path, seen in paths:
                # After a restore the ids are handed out again: a new job with this id may
                # have written its file (a new one, os.replace) since the directory was
                # read. Not that one.
                if _identity(path) != seen:
                    continue
                path.unlink(missing_ok=True)
                removed += 1
    if removed:
        log.info("removed %d export files of deleted jobs", removed)
    return removed


def _identity(path: Path) -> tuple[int, int]:
    """Which file a name holds now: its inode and modification time (0, 0 once gone)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return (0, 0)
    return (st.st_ino, st.st_mtime_ns)


def export_jobs_of(user):
    """The user's own exports, newest first (nobody sees another's: the file is theirs)."""
    return ExportJob.objects.filter(owner_id=user.pk).select_related("area").order_by(
        "-created_at", "-pk")


def export_job_get_for_owner(user, pk) -> ExportJob:
    """The job if `user` asked for it; 404 otherwise (same answer: missing or not yours)."""
    return get_object_or_404(export_jobs_of(user), pk=pk)


def export_job_file(*, user, pk, now: datetime | None = None) -> tuple[ExportJob, Path]:
    """The finished file for its owner, who must still be allowed it (the kind's check:
    403 a role taken away, 404 an area no longer theirs). Not finished: 404. Expired:
    ExportExpired (410)."""
    job = export_job_get_for_owner(user, pk)
    kind = registry.KINDS.get(job.kind)
    if kind is None:  # a kind no app offers any more
        raise Http404
    kind.check(user, job)
    now = now or clock.now()
    if job.expired_at(now):
        raise ExportExpired
    path = export_job_path(job)
    if job.status != S.DONE or not path.exists():
        raise Http404
    return job, path


class ExportExpired(Exception):
    """The file's time ran out (and it is, or is about to be, deleted): ask again."""
