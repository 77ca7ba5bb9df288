"""The roster import: a file in, residents and households out, as a job that resumes."""

import csv
import glob
import os
import re
import shutil
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from firstline import clock, taskqueue
from firstline.accounts.actions import AuditAction
from firstline.accounts.scope import scope_paths
from firstline.accounts.services import audit, require_perm
from firstline.areas.models import Area
from firstline.errors import InvalidInput
from firstline.tabular import (
    ErrorsFile,
    TableError,
    errors_path_for,
    formula_safe,
    open_table,
    partials_remove_stale,
)

from ..importer import IdSet, Outcome, RosterImporter
from ..models import ImportJob

# --- the roster import --------------------------------------------------------------------


THREADED_BYTES = 4 * 2**20


IMPORT_LEASE = timedelta(minutes=2)  # a run not heard from for this long was interrupted


def residents_import(path, *, actor=None, dry_run: bool = False, now: datetime | None = None,
                     via: str = "cli") -> Outcome:
    """`firstline import residents FILE`: idempotent by ID number; writes FILE.errors.csv.

    `actor` None is the system actor (every area); a user may only write into grids inside
    their `people.import` scope. Each batch of rows is one transaction. A run leaves a trace
    from its first batch: an ImportJob row (source "cli") whose counts advance with each
    batch (a killed run shows as "interrupted"), and an audit entry "residents.import.start".
    An exception carries the outcome so far as `exc.import_outcome`.
    """
    paths = None
    if actor is not None:
        require_perm(actor, "people.import")
        paths = scope_paths(actor, "people.import")
    name = Path(path).name
    job = None if dry_run else ImportJob.objects.create(
        source=ImportJob.Source.CLI, created_by=actor, filename=name[:200],
        path=str(Path(path).resolve())[:500],
        size=Path(path).stat().st_size if Path(path).exists() else 0,
        state=ImportJob.State.RUNNING, lease_until=clock.now() + IMPORT_LEASE)
    on_batch = None if job is None else _progress_recorder(job, actor=actor, via=via,
                                                           scope=paths)
    errors_path = errors_path_for(path)
    # A run killed earlier (SIGKILL, power cut) left its FILE.errors.csv.<pid>.<thread>.part.
    # The name is escaped: 名单[1].csv would otherwise be a pattern matching 名单1.csv's files.
    partials_remove_stale(errors_path.parent, f"{glob.escape(errors_path.name)}.*.part")
    with ErrorsFile(errors_path) as errors:
        importer = RosterImporter(add_error=errors.add, scope_paths=paths, dry_run=dry_run,
                                  now=now, on_batch=on_batch)
        try:
            # Big files: validate in this thread while a second one writes (two cores busy).
            outcome = importer.run(path, threaded=Path(path).exists()
                                   and Path(path).stat().st_size > THREADED_BYTES)
        except Exception as exc:
            exc.import_outcome = importer.outcome
            if job is not None:
                _job_failed(job.pk, importer.outcome, exc)
            raise
    if job is not None:
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.DONE, finished_at=clock.now(), lease_until=None,
            imported=outcome.imported, updated=outcome.updated, rejected=outcome.rejected,
            next_row=outcome.next_row, file_error=outcome.file_error[:300])
    if not dry_run:
        audit(actor=actor, action=AuditAction.RESIDENTS_IMPORT, object_type="people.roster",
              object_id=name[:64], detail=outcome.file_error or outcome.summary,
              via=via)
    return outcome


def _scope_words(paths) -> str:
    if paths is None:
        return "all areas"
    codes = Area.objects.filter(path__in=paths).order_by("path").values_list("code", flat=True)
    return ",".join(codes) or "no area"


def _progress_recorder(job: ImportJob, *, actor, via: str, scope, first: bool = True,
                       lease: timedelta | None = IMPORT_LEASE):
    """on_batch for an import: inside each batch's transaction, the job's counts and lease
    advance with the rows; the first batch also appends the audit entry "started" (who,
    which file, into which areas), so even a run killed later has left its trace."""
    state = {"first": first}

    def on_batch(outcome):
        ImportJob.objects.filter(pk=job.pk).update(
            next_row=outcome.next_row, imported=outcome.imported, updated=outcome.updated,
            rejected=outcome.rejected,
            **({"lease_until": clock.now() + lease} if lease is not None else {}))
        if state["first"]:
            audit(actor=actor, action=AuditAction.RESIDENTS_IMPORT_START,
                  object_type="people.roster",
                  object_id=str(job.pk),
                  detail=f"{job.filename} into {_scope_words(scope)}"[:255], via=via)
            transaction.on_commit(lambda: state.update(first=False))

    return on_batch


def _job_failed(job_id: int, outcome: Outcome, exc: Exception) -> None:
    try:
        ImportJob.objects.filter(pk=job_id).update(
            state=ImportJob.State.FAILED, lease_until=None, finished_at=clock.now(),
            imported=outcome.imported, updated=outcome.updated, rejected=outcome.rejected,
            file_error=f"{type(exc).__name__}: {exc}"[:300])
    except Exception:  # noqa: BLE001 - the database itself may be what failed; the job
        pass           # then shows as interrupted once its lease runs out


class _AppendErrors:
    """FILE.errors.csv written across several steps of one import job; downloaded from the
    job page, so it starts with a BOM (Excel needs one to read UTF-8 Chinese text). Written
    as FILE.errors.csv.part and renamed when the job is done (`complete`)."""

    def __init__(self, path: Path):
        self.path = path
        self.part = self.part_for(path)
        fresh = not self.part.exists() or self.part.stat().st_size == 0
        if fresh:
            ErrorsFile(self.part, bom=True).close()  # header row; the BOM is for Excel
        self._fh = open(self.part, "a", encoding="utf-8", newline="")
        self._writer = csv.writer(self._fh)

    @staticmethod
    def part_for(path: Path) -> Path:
        return path.with_name(path.name + ".part")

    def add(self, row, column, value, reason):
        self._writer.writerow([row, column, formula_safe(value), formula_safe(reason)])

    def close(self):
        self._fh.close()

    def complete(self):
        self.close()
        os.replace(self.part, self.path)


def _uploads_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "people-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_job_create(*, actor, upload, dry_run: bool = False) -> ImportJob:
    """Store an uploaded roster file as a pending job (`import_job_submit` also hands it to
    the background queue)."""
    require_perm(actor, "people.import")
    name = os.path.basename(upload.name or "roster.csv")
    suffix = Path(name).suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise InvalidInput("bad_file", _("Upload a .csv or .xlsx file."), field="file")
    if (upload.size or 0) > settings.UPLOAD_MAX_MB * 2**20:
        raise InvalidInput("too_large", _("The file is larger than %(mb)s MB: split it into "
                                          "several files.") % {"mb": settings.UPLOAD_MAX_MB},
                           field="file")
    safe = re.sub(r"[^\w.\-]+", "_", Path(name).stem)[:80] or "roster"
    folder = _uploads_dir() / uuid.uuid4().hex
    folder.mkdir()
    path = folder / f"{safe}{suffix}"
    with open(path, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    table = open_table(path, columns={})
    try:
        # Caps, zip bombs, a broken encoding: refused at the upload, before anything reads rows.
        table.check()
    except TableError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise InvalidInput("bad_file", exc.message, field="file") from None
    return ImportJob.objects.create(created_by=actor, filename=name[:200], path=str(path),
                                    size=path.stat().st_size, dry_run=dry_run,
                                    total_rows=table.data_rows)  # for the progress bar


def import_job_submit(*, actor, upload, dry_run: bool = False) -> ImportJob:
    """An upload from the web: store the file and enqueue the task that imports it
    (`firstline worker` runs it; the job's page only watches). The queue down (Redis): the
    job and its file are removed again and QueueUnavailable (503) says so — nothing
    half-started."""
    job = import_job_create(actor=actor, upload=upload, dry_run=dry_run)
    try:
        import_job_enqueue(job)
    except taskqueue.QueueUnavailable:
        shutil.rmtree(Path(job.path).parent, ignore_errors=True)
        ImportJob.objects.filter(pk=job.pk).delete()
        raise
    job.refresh_from_db()
    return job


def import_job_enqueue(job: ImportJob) -> None:
    from ..tasks import import_job_task

    result = taskqueue.enqueue(import_job_task, field="file", job_id=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def import_job_run(*, job_id: int, step_seconds: float = 30.0) -> ImportJob:
    """The task's body: run the job to its end in steps (each saves where it stopped), or
    return at once when another process holds its lease or it is over."""
    while True:
        job = import_job_step(job_id=job_id, seconds=step_seconds)
        if job.state not in (ImportJob.State.PENDING, ImportJob.State.RUNNING) \
                or job.lease_until is not None:
            return job


def import_jobs_resume(*, now: datetime | None = None) -> list[int]:
    """Enqueue again the uploads nobody is working on: a job whose lease ran out (its worker
    was killed or lost the database mid-way: it resumes at `next_row`), and a waiting job
    whose task the queue no longer has. Run by the worker's scheduler; idempotent."""
    now = now or clock.now()
    waiting = (ImportJob.objects
               .filter(source=ImportJob.Source.UPLOAD,
                       state__in=[ImportJob.State.PENDING, ImportJob.State.RUNNING])
               .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now)))
    return taskqueue.resume_stalled(waiting, import_job_enqueue)


def import_partials_sweep() -> list[Path]:
    """Remove the errors files left half-written (`….errors.csv.part`, a day untouched) by
    upload jobs that will not finish them: failed, or killed and never resumed. A job still
    pending or running keeps its file (it resumes into it). Run hourly by the worker."""
    root = _uploads_dir()
    live = [_AppendErrors.part_for(import_job_errors_path(job)) for job in ImportJob.objects
            .filter(source=ImportJob.Source.UPLOAD,
                    state__in=[ImportJob.State.PENDING, ImportJob.State.RUNNING])
            .only("path")]
    removed = []
    for folder in root.iterdir():
        if folder.is_dir():
            removed += partials_remove_stale(folder, "*.errors.csv*.part", keep=live)
    return removed


def import_job_errors_path(job: ImportJob) -> Path:
    return errors_path_for(job.path)


def import_job_step(*, job_id: int, seconds: float | None = 3.0,
                    batch_size: int = 2000) -> ImportJob:
    """Run one job for about `seconds` (None: to the end), resuming where it stopped.

    A lease (a conditional update) makes sure only one process works on a job at a time;
    progress is saved inside each batch's transaction, so a crash loses nothing written.
    """
    now = clock.now()
    lease = timedelta(seconds=(seconds or 3600) + 300)
    got = (ImportJob.objects
           .filter(pk=job_id, state__in=[ImportJob.State.PENDING, ImportJob.State.RUNNING],
                   source=ImportJob.Source.UPLOAD)
           .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
           .update(lease_until=now + lease, state=ImportJob.State.RUNNING))
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not got:
        return job
    seen_path = Path(job.path + ".seen")
    seen = IdSet.load(seen_path) if job.next_row and seen_path.exists() else IdSet()
    errors = _AppendErrors(import_job_errors_path(job))

    on_batch = _progress_recorder(
        job, actor=job.created_by, via="web",
        scope=scope_paths(job.created_by, "people.import"),
        first=not job.dry_run and job.next_row == 0 and not job.imported and not job.updated,
        lease=None)  # the step's own lease stands

    importer = RosterImporter(add_error=errors.add, dry_run=job.dry_run, seen=seen,
                              scope_paths=scope_paths(job.created_by, "people.import"),
                              on_batch=on_batch, batch_size=batch_size)  # smooth progress
    importer.outcome.imported, importer.outcome.updated = job.imported, job.updated
    importer.outcome.rejected, importer.outcome.next_row = job.rejected, job.next_row
    deadline = clock.monotonic() + seconds if seconds else None
    try:
        outcome = importer.run(job.path, start_row=job.next_row, deadline=deadline)
    except Exception as exc:
        errors.close()
        ImportJob.objects.filter(pk=job_id).update(
            state=ImportJob.State.FAILED, lease_until=None, finished_at=clock.now(),
            file_error=str(exc)[:300])
        raise
    errors.close()
    fields = {"lease_until": None, "imported": outcome.imported, "updated": outcome.updated,
              "rejected": outcome.rejected, "next_row": outcome.next_row}
    if outcome.finished or outcome.file_error:
        fields.update(state=ImportJob.State.DONE, finished_at=clock.now(),
                      file_error=outcome.file_error[:300])
        seen_path.unlink(missing_ok=True)
        errors.complete()
        if not job.dry_run:
            audit(actor=job.created_by, action=AuditAction.RESIDENTS_IMPORT,
                  object_type="people.roster", object_id=str(job.pk),
                  detail=outcome.file_error or outcome.summary)
    else:
        seen.save(seen_path)
    ImportJob.objects.filter(pk=job_id).update(**fields)
    job.refresh_from_db()
    return job
