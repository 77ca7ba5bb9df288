"""Writes of the people app: the roster import, screening visits and the key persons they
derive, responsibility (三级包保), full reads and exports of personal data (audited)."""

import csv
import io
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from firstline import clock, taskqueue
from firstline.accounts.actions import AuditAction
from firstline.accounts.scope import in_scope, scope_paths
from firstline.accounts.services import audit, require_perm
from firstline.areas.models import Area
from firstline.db import facts_changed
from firstline.errors import InvalidInput, RuleViolation
from firstline.rules import rule
from firstline.rules.temperature import is_fever, temperature_parse
from firstline.tabular import ErrorsFile, TableError, errors_path_for, formula_safe, open_table

from ..divisions import division_find, division_get, division_of, division_parts, divisions
from ..importer import IdSet, Outcome, RosterImporter
from ..models import (
    RISK_LEVELS,
    Household,
    ImportJob,
    KeyPerson,
    KeyPersonCategory,
    Placement,
    Resident,
    Responsibility,
    RiskArea,
    ScreeningVisit,
    Sex,
    Transport,
    VisitPerson,
)
from ..phones import phone_normalize

# --- masking ------------------------------------------------------------------------------


def mask_id_number(value: str) -> str:
    """110***********123X: the region's first 3 and the last 4 characters."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """138****5678."""
    if not value:
        return ""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


# --- household addresses ------------------------------------------------------------------

# Full-width digits and Latin letters (０-９, Ａ-Ｚ, ａ-ｚ) as typed by Chinese input methods.
FULL_WIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in
                             [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B),
                              *range(0xFF41, 0xFF5B)]})
# Longest first, so 3号楼 loses 号楼 rather than 楼.
ADDRESS_SUFFIXES = {
    "building": ("號樓", "号楼", "栋", "棟", "幢", "楼", "樓"),
    "unit": ("单元", "單元"),
    "room": ("室", "号", "號"),
}


def _address_part(value, suffixes) -> str:
    text = "".join(str(value or "").translate(FULL_WIDTH).split())
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def building_name_normalize(value: str) -> str:
    """楼栋 as stored: `1栋`, `1幢`, `1号楼`, `１楼` → `1`; `A座` and `栋` stay as they are."""
    return _address_part(value, ADDRESS_SUFFIXES["building"])


def unit_normalize(value: str) -> str:
    """单元 as stored: `2单元` → `2`."""
    return _address_part(value, ADDRESS_SUFFIXES["unit"])


def room_normalize(value: str) -> str:
    """房号 as stored: `102室`, `102号` → `102`."""
    return _address_part(value, ADDRESS_SUFFIXES["room"])


def household_address_normalize(*, building: str = "", unit: str = "",
                                 room: str = "") -> tuple[str, str, str]:
    """(building, unit, room) as a household is keyed, whatever way they were typed.

    The pages display `1栋 2单元 102室`; people copy that back into files and forms. Strips
    blanks, turns full-width digits and letters into ASCII, and drops one trailing
    栋/幢/号楼/楼 (building), 单元 (unit) or 室/号 (room) when something remains, so
    `1栋,2单元,102室` is the same household as `1,2,102`. Every place a household address
    is typed (roster import, forms, search boxes, the lockdown building box) goes through it.
    """
    return building_name_normalize(building), unit_normalize(unit), room_normalize(room)


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
    with ErrorsFile(errors_path_for(path)) as errors:
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
        audit(actor=actor, action="residents.import", object_type="people.roster",
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
            audit(actor=actor, action="residents.import.start", object_type="people.roster",
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
        self.part = path.with_name(path.name + ".part")
        fresh = not self.part.exists() or self.part.stat().st_size == 0
        if fresh:
            ErrorsFile(self.part, bom=True).close()  # header row; the BOM is for Excel
        self._fh = open(self.part, "a", encoding="utf-8", newline="")
        self._writer = csv.writer(self._fh)

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


def _count_rows(path: Path) -> int | None:
    """Data rows, for the progress bar (an estimate: quoted newlines count twice)."""
    if path.suffix.lower() == ".csv":
        lines = 0
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                lines += chunk.count(b"\n")
        return max(lines - 1, 0)
    try:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        n = wb.worksheets[0].max_row
        wb.close()
        return max((n or 1) - 1, 0)
    except Exception:
        return None


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
    try:
        # Caps, zip bombs, a broken encoding: refused at the upload, before anything reads rows.
        open_table(path, columns={}).check()
    except TableError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise InvalidInput("bad_file", exc.message, field="file") from None
    return ImportJob.objects.create(created_by=actor, filename=name[:200], path=str(path),
                                    size=path.stat().st_size, dry_run=dry_run,
                                    total_rows=_count_rows(path))


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
    resumed = []
    for job in waiting:
        lost = job.lease_until is not None  # a lease that ran out: its worker is gone
        if lost or taskqueue.status(job.task_id) not in ("READY", "RUNNING"):
            if lost:
                taskqueue.abandon(job.task_id)
            import_job_enqueue(job)
            resumed.append(job.pk)
    return resumed


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
            audit(actor=job.created_by, action="residents.import",
                  object_type="people.roster", object_id=str(job.pk),
                  detail=outcome.file_error or outcome.summary)
    else:
        seen.save(seen_path)
    ImportJob.objects.filter(pk=job_id).update(**fields)
    job.refresh_from_db()
    return job


# --- full reads ---------------------------------------------------------------------------


FULL_READ_REASONS = [  # why a full ID number and phone are needed (shown as a short select)
    ("verify_identity", pgettext_lazy("full read reason", "Verify identity")),
    ("contact", pgettext_lazy("full read reason", "Contact the person")),
    ("transfer", pgettext_lazy("full read reason", "Transfer to isolation")),
    ("other", pgettext_lazy("full read reason", "Other")),
]
REASON_MAX = 100
# The API's resident read answers the full record (CONTRACT.md) even when no reason is given;
# its audit row then says so, in the default language, for the auditor to find.
API_NO_REASON = "未说明原因（API 读取）"


def full_read_reason(*, code: str = "", text: str = "", required: bool = True) -> str:
    """The audit row's "why": the chosen reason's label (in the default language, so every
    auditor reads the same words) and the free text, which `other` requires."""
    code, text = (code or "").strip(), " ".join((text or "").split())
    labels = dict(FULL_READ_REASONS)
    if len(text) > REASON_MAX:
        raise InvalidInput("bad_reason", _("Reason: at most %(n)d characters.")
                           % {"n": REASON_MAX}, field="reason_text")
    if not code and not text:
        if required:
            raise InvalidInput("reason_required",
                               _("Reason: choose why you need the full ID number and phone."),
                               field="reason")
        return ""
    if code and code not in labels:
        raise InvalidInput("bad_reason", _("Reason: choose one of the listed reasons."),
                           field="reason")
    if code == "other" and not text:
        raise InvalidInput("reason_required", _("Reason: describe the other reason."),
                           field="reason_text")
    if not code or code == "other":
        return text
    with translation.override(settings.LANGUAGE_CODE):
        label = str(labels[code])
    return f"{label}: {text}" if text else label


PII_FIELDS = ("id_number", "phone")


def pii_read(actor, resident, fields, reason: str, via: str = "web", *,
             action: AuditAction = AuditAction.RESIDENT_READ_FULL) -> dict[str, str]:
    """The only way to a resident's full ID number or phone: {field: value} for `fields`
    (of PII_FIELDS), for a reader holding people.view_full through a role covering the
    resident's grid, with a reason (422 `reason_required` naming `reason` when empty), and
    exactly one audit row (who, whom, when, why, via). Pages, the API, the phone reveals and
    the list items all come here; tests/test_pii.py finds any other reader of these fields."""
    fields = tuple(fields)
    unknown = set(fields) - set(PII_FIELDS)
    if not fields or unknown:
        raise ValueError(f"pii_read: fields must be of {PII_FIELDS}, got {fields}")
    if not in_scope(actor, resident.grid, "people.view_full"):
        # view_full held through a role elsewhere does not unmask here.
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Your role does not allow this action."))
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise InvalidInput("reason_required",
                           _("Reason: choose why you need the full ID number and phone."),
                           field="reason")
    audit(actor=actor, action=action, obj=resident, via=via, detail=reason)
    return {f: getattr(resident, f) for f in fields}


def resident_read(*, actor, resident, via: str = "web", unmask: bool = True,
                  reason: str = "") -> dict[str, str] | None:
    """Record a read of one resident's record: the full ID number and phone (pii_read, which
    needs a reason) when `unmask` is asked and the reader holds people.view_full over the
    resident's grid; else None and a masked read is audited."""
    if unmask and in_scope(actor, resident.grid, "people.view_full"):
        return pii_read(actor, resident, PII_FIELDS, reason, via)
    audit(actor=actor, action=AuditAction.RESIDENT_READ_MASKED, obj=resident, via=via,
          detail=reason)
    return None


def resident_read_full(*, actor, resident, reason_code: str, reason_text: str = "",
                       via: str = "web") -> dict[str, str]:
    """The "show full ID and phone" control: needs people.view_full and a reason."""
    require_perm(actor, "people.view_full")
    reason = full_read_reason(code=reason_code, text=reason_text)
    return pii_read(actor, resident, PII_FIELDS, reason, via)


# --- one grid per household (households split before the rule) ---------------------------


@dataclass
class GridMerge:
    households: int = 0  # households whose members were in more than one grid
    residents: int = 0  # residents moved into their household's grid
    dry_run: bool = False

    @property
    def summary(self) -> str:
        return (f"households {self.households}, residents moved {self.residents}"
                + (" (dry run: nothing written)" if self.dry_run else ""))


def households_merge_grids(*, actor=None, dry_run: bool = False, via: str = "cli",
                           now: datetime | None = None) -> GridMerge:
    """A household belongs to one grid (CONTRACT.md); rosters imported before that rule may
    have put members of one address in two grids (the same room listed under each), and the
    daily report then counts the household once per grid. Each such household keeps its own
    `grid`; the members placed elsewhere move into it from `now` (their placement closed and
    a new one opened, so past days' reports keep their numbers). One transaction and one
    audit row (`household.merge_grids`, no personal data) per household; running it again
    finds nothing to do."""
    from django.db.models import F

    now = now or clock.now()
    stray = (set(Resident.objects.exclude(grid_id=F("household__grid_id"))
                 .values_list("household_id", flat=True))
             | set(Placement.objects.filter(until__isnull=True)
                   .exclude(grid_id=F("household__grid_id"))
                   .values_list("household_id", flat=True)))
    result = GridMerge(dry_run=dry_run)
    codes = dict(Area.objects.values_list("pk", "code"))
    for household_id in sorted(stray):
        with transaction.atomic():
            household = Household.objects.select_for_update().get(pk=household_id)
            grid = household.grid_id
            members = Resident.objects.filter(household=household)
            placed = Placement.objects.filter(household=household, until__isnull=True)
            moving = set(members.exclude(grid_id=grid).values_list("pk", flat=True)) | set(
                placed.exclude(grid_id=grid).values_list("resident_id", flat=True))
            if not moving:
                continue
            grids_from = sorted({codes.get(g, str(g)) for g in
                                 members.filter(pk__in=moving).values_list("grid_id", flat=True)}
                                | {codes.get(g, str(g)) for g in
                                   placed.filter(resident_id__in=moving).exclude(grid_id=grid)
                                   .values_list("grid_id", flat=True)})
            result.households += 1
            result.residents += len(moving)
            if dry_run:
                continue
            Resident.objects.filter(pk__in=moving).update(grid_id=grid, updated_at=now)
            Placement.objects.filter(resident_id__in=moving, until__isnull=True).update(
                until=now)
            Placement.objects.bulk_create([
                Placement(resident_id=pk, household=household, grid_id=grid, since=now)
                for pk in sorted(moving)])
            audit(actor=actor, action="household.merge_grids", obj=household, via=via,
                  detail=f"{len(moving)} residents from grid {','.join(grids_from)} "
                         f"to grid {codes.get(grid, grid)}")
    return result


# --- risk areas and screening -------------------------------------------------------------

_SUFFIXES = ("特别行政区", "維吾爾自治區", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区",
             "自治區", "省", "市", "地区", "地區", "自治州", "盟")


def place_name(value: str) -> str:
    value = "".join((value or "").split())
    for suffix in _SUFFIXES:
        if value.endswith(suffix) and len(value) > len(suffix) + 1:
            return value[: -len(suffix)]
    return value


def _area_code(area: RiskArea) -> str:
    """The entry's division code; an entry older than the codes is read from its names."""
    return area.code or division_of(area.province, area.city) or ""


def _covering(code: str | None, listed) -> RiskArea | None:
    """The listed entry whose division contains `code` (the most specific one), or None."""
    if not code:
        return None
    found = [(len(c), area) for area in listed if (c := _area_code(area)) and code.startswith(c)]
    return max(found, key=lambda pair: pair[0])[1] if found else None


def _legacy_match(area: RiskArea, p: str, c: str) -> bool:
    # An entry no division code could be read from: by its names, as before the codes.
    ap, ac = place_name(area.province), place_name(area.city)
    if ap and p and ap != p and not (not ac and ap == c):
        return False
    if not ac:
        return ap == p or ap == c
    return ac == c


def risk_area_match(*, province: str, city: str = "", on: date) -> RiskArea | None:
    """The listed risk area covering the place (province, city) names on local date `on`, or
    None. The place is read as a GB/T 2260 division (the city may name a city, a county or
    both: "武汉市江岸区"); a listed city covers its counties, a province everything in it."""
    p, c = place_name(province), place_name(city)
    if not p and not c:
        return None
    listed = list(RiskArea.objects.listed_on(on))
    found = _covering(division_of(province, city), listed)
    if found is not None:
        return found
    return next((a for a in listed if not _area_code(a) and _legacy_match(a, p, c)), None)


def risk_area_in_text(text: str, *, on: date) -> RiskArea | None:
    """The listed risk area a free-text origin ("湖北武汉", "武汉市江岸区") names on local date
    `on`: a visitor's "coming from" at the gate. Read as a division like risk_area_match."""
    text = "".join((text or "").split())
    if not text:
        return None
    listed = list(RiskArea.objects.listed_on(on))
    found = _covering(division_find(text), listed)
    if found is not None:
        return found
    for area in listed:
        if _area_code(area):
            continue
        ap, ac = place_name(area.province), place_name(area.city)
        if (ac and ac in text) or (not ac and ap and ap in text):
            return area
    return None


def gbt2260_provinces() -> dict[str, str]:
    """{short name: code} of the province-level divisions of GB/T 2260 (people.divisions):
    湖北 → 42. Traditional names map too (湖北, 廣東)."""
    return {n: d.code for d in divisions().values() if d.level == "province" for n in d.names
            if place_name(n) == n}


_CITY_RE = re.compile(r"[\u3400-\u9fff·]{1,30}")


def _same_place(area: RiskArea, code: str) -> bool:
    return _area_code(area) == code


@transaction.atomic
def risk_area_add(*, actor, province: str = "", city: str = "", level: str = "", since,
                  source: str = "", code: str = "") -> RiskArea:
    """List a risk area (中高风险地区) from local date `since`: a province, a city or a county
    of GB/T 2260 (people.divisions), given by its `code` or by names (province, and a city
    and/or county in `city`: "武汉", "江岸区", "武汉市江岸区"). Names that are not a division
    are refused ("胡北", "武含" would flag nobody); the official names are stored. One active
    entry per division."""
    require_perm(actor, "people.risk_areas")
    province, city = (province or "").strip(), (city or "").strip()
    level, source, code = (level or "").strip(), (source or "").strip(), (code or "").strip()
    for field, value, limit in (("province", province, 30), ("city", city, 30),
                                ("source", source, 200), ("code", code, 6)):
        if len(value) > limit:
            raise InvalidInput("too_long", _("At most %(n)s characters.") % {"n": limit},
                               field=field)
    if code:
        if division_get(code) is None:
            raise InvalidInput("unknown_division",
                               _("%(value)s is not a division code of GB/T 2260 (2, 4 or 6 "
                                 "digits, e.g. 4201 for 武汉市).") % {"value": code},
                               field="code")
    else:
        if not place_name(province):
            raise InvalidInput("province_required", _("Enter the province, e.g. 湖北."),
                               field="province")
        # Picked from the divisions (GB/T 2260), not free text: "胡北" would flag nobody.
        if len(division_find(province) or "") != 2 or place_name(province) not in \
                division_get(division_find(province)).names:
            raise InvalidInput("unknown_province",
                               _("%(value)s is not a province-level division (GB/T 2260): "
                                 "choose one from the list, e.g. 湖北.") % {"value": province},
                               field="province")
        code = division_of(province, city) or ""
        if city and (len(code) < 4 or not _CITY_RE.fullmatch(city)):
            raise InvalidInput("unknown_city",
                               _("%(value)s is not a city or county of %(province)s (GB/T "
                                 "2260): choose one from the list, e.g. 武汉 or 江岸区.")
                               % {"value": city, "province": division_get(code[:2]).name},
                               field="city")
    province, city, county = division_parts(code)
    if level and level not in RISK_LEVELS:
        raise InvalidInput("bad_level", _("Unknown level: choose high or medium risk."),
                           field="level")
    if isinstance(since, str):
        try:
            since = date.fromisoformat(since.strip())
        except ValueError:
            since = None
    if not isinstance(since, date) or isinstance(since, datetime):
        raise InvalidInput("bad_date", _("Enter the date listed from, e.g. 2020-01-23."),
                           field="since")
    # One adder at a time, so two staff listing one place at once cannot both pass the
    # check below ("湖北" and "湖北省" are one place, which no unique key can say). The list
    # is short and rarely written; SQLite's immediate transactions serialise writers anyway.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(RiskArea._meta.db_table)} "
                           f"IN SHARE ROW EXCLUSIVE MODE")
    # An entry overlaps the new one unless it ends on or before `since`.
    overlapping = RiskArea.objects.not_delisted_by(since)
    for existing in overlapping.order_by("since", "pk"):
        if _same_place(existing, code):
            raise RuleViolation(
                "already_listed",
                _("%(place)s is already listed since %(since)s: end that listing first.")
                % {"place": existing.place_label, "since": existing.since.isoformat()},
                field="province")
    area = RiskArea.objects.create(code=code, province=province, city=city, county=county,
                                   level=level, since=since, source=source)
    audit(actor=actor, action="risk_area.add", obj=area,
          detail=f"{area.place_label} {level} {since.isoformat()} {source}")
    return area


@transaction.atomic
def risk_area_end(*, actor, risk_area: RiskArea, on: date) -> RiskArea:
    """Take a place off the list: not listed from local date `on` (`until` is exclusive)."""
    require_perm(actor, "people.risk_areas")
    area = RiskArea.objects.select_for_update().get(pk=risk_area.pk)
    if not isinstance(on, date) or isinstance(on, datetime):
        raise InvalidInput("bad_date", _("Enter the date the listing ends, e.g. 2020-03-10."),
                           field="on")
    if area.until is not None:
        raise RuleViolation("already_ended", _("%(place)s was already taken off the list on "
                                               "%(until)s.")
                            % {"place": area.place_label, "until": area.until.isoformat()})
    if on < area.since:
        raise InvalidInput("end_before_start",
                           _("The listing cannot end (%(on)s) before it started (%(since)s).")
                           % {"on": on.isoformat(), "since": area.since.isoformat()}, field="on")
    area.until = on
    area.save(update_fields=["until"])
    audit(actor=actor, action="risk_area.end", obj=area,
          detail=f"{area.place_label} until {on.isoformat()}")
    return area


@transaction.atomic
def screening_visit_record(*, actor, household, people: list[dict], visited_at: datetime | None = None,
                 nobody_home: bool = False, by_phone: bool = False, note: str = "",
                 event_id=None, now: datetime | None = None) -> ScreeningVisit:
    """入户摸排: record one visit of `household` and derive its members' key-person facts.

    `people` holds one dict per member reached: resident, present, from_province, from_city,
    returned_on, transport, transport_no, symptoms, temperature, categories (codes chosen by
    the worker). Categories with `auto` are added from the facts (came from a listed risk
    area; temperature at or over the fever rule). For each member reached, the visit-derived
    facts now found are opened and those no longer found are closed — unless a later visit
    of that member is already recorded (a back-filled offline visit changes nothing then).
    """
    require_perm(actor, "people.screen")
    if not in_scope(actor, household.grid, "people.screen"):
        raise RuleViolation("not_found", _("Not found."), status=404)
    if event_id is not None:
        # A phone syncing offline may send the same visit twice: the first one stands.
        first = ScreeningVisit.objects.filter(event_id=event_id).first()
        if first is not None:
            if first.household_id != household.pk:
                raise RuleViolation("event_id_reused",
                                    _("This event_id was used for another household."))
            first.replayed = True
            return first
    now = now or clock.now()
    # A phone's clock running ahead is filed at the server's time (CONTRACT.md "Time").
    when = clock.device_time(visited_at, now=now)
    visited_at = when.at
    day = clock.localdate(visited_at)
    fever = rule("fever.threshold_c", on=day)
    if nobody_home and people:
        raise InvalidInput("nobody_home", _("Nobody was home: record no members."))
    try:
        with transaction.atomic():
            visit = ScreeningVisit.objects.create(household=household, grid=household.grid, worker=actor,
                                         visited_at=visited_at, nobody_home=nobody_home,
                                         by_phone=by_phone, note=note[:200], event_id=event_id,
                                         rule_version=f"fever:{fever.version}", created_at=now,
                                         device_at=when.sent if when.sent != when.at else None)
    except IntegrityError:  # the same event_id sent twice at the same instant
        first = ScreeningVisit.objects.get(event_id=event_id)
        first.replayed = True
        return first
    visit.replayed = False
    categories = {c.code: c for c in KeyPersonCategory.objects.filter(active=True)}
    member_ids = set(household.residents.values_list("pk", flat=True))
    for entry in people:
        resident = entry["resident"]
        if resident.pk not in member_ids:
            raise InvalidInput("not_member", _("%(name)s does not live in this household.")
                               % {"name": resident.name})
        temperature = temperature_parse(entry.get("temperature"), on=day)
        transport = entry.get("transport") or ""
        if transport not in Transport.values:
            raise InvalidInput("bad_transport", _("Unknown transport."), field="transport")
        province, city = entry.get("from_province", ""), entry.get("from_city", "")
        risk = risk_area_match(province=province, city=city, on=day)
        record = VisitPerson.objects.create(
            visit=visit, resident=resident, present=entry.get("present", True),
            from_province=province[:30], from_city=city[:30], from_risk_area=risk is not None,
            returned_on=entry.get("returned_on"), transport=transport,
            transport_no=(entry.get("transport_no") or "")[:30],
            symptoms=(entry.get("symptoms") or "")[:200], temperature=temperature)
        found = set()
        for code in entry.get("categories") or []:
            if code not in categories:
                raise InvalidInput("bad_category", _("Unknown key-person category %(code)s.")
                                   % {"code": code})
            found.add(code)
        for code, category in categories.items():
            if category.auto == "risk_area" and risk is not None:
                found.add(code)
            if category.auto == "fever" and is_fever(temperature, threshold=fever.value):
                found.add(code)
        record.categories.set([categories[c] for c in found])
        for handler in VISIT_FINDING_HANDLERS:
            handler(visit=visit, resident=resident, temperature=temperature,
                    fever=Decimal(str(fever.value)), risk=risk,
                    returned_on=entry.get("returned_on"), day=day)
        later = VisitPerson.objects.filter(resident=resident,
                                           visit__visited_at__gt=visited_at).exists()
        if not later:
            _derive_key_facts(resident=resident, found=found, categories=categories,
                              visit=visit, at=visited_at)
    audit(actor=actor, action="visit.record", obj=visit)
    return visit


# What a screening visit finds must reach someone (CONTRACT.md "Findings reach someone"), but
# people sits below isolation, which owns alerts: the isolation app subscribes here in its
# AppConfig.ready (isolation.services.door_findings_open) and people never imports it.
VISIT_FINDING_HANDLERS: list = []


# Panels other apps add to the resident page (isolation: current isolation and open alerts).
RESIDENT_PANELS: list = []


def resident_panels_subscribe(panel) -> None:
    """`panel(resident=, user=)` returns HTML (safe) for the top of the resident page."""
    if panel not in RESIDENT_PANELS:
        RESIDENT_PANELS.append(panel)


def visit_findings_subscribe(handler) -> None:
    """`handler(visit=, resident=, temperature=, fever=, risk=, returned_on=, day=)` is
    called, inside the visit's transaction, for each member recorded on a visit."""
    if handler not in VISIT_FINDING_HANDLERS:
        VISIT_FINDING_HANDLERS.append(handler)


@dataclass(frozen=True)
class FollowUp:
    """A member a visit found in need of follow-up, and why (either or both)."""

    resident: object
    temperature: Decimal | None  # at or over the fever rule
    risk_place: str  # where they came back from, as typed, when it is a listed risk area


def visit_followups(*, visit: ScreeningVisit) -> list[FollowUp]:
    """The members of `visit` to consider for isolation: a temperature at or over the fever
    rule in force on the visit's local day, or back from a listed risk area (as matched when
    the visit was recorded). Empty when nobody needs follow-up."""
    fever = Decimal(str(rule("fever.threshold_c",
                             on=clock.localdate(visit.visited_at)).value))
    found = []
    for record in visit.people.select_related("resident").order_by("resident_id"):
        hot = record.temperature if is_fever(record.temperature, threshold=fever) else None
        place = f"{record.from_province}{record.from_city}" if record.from_risk_area else ""
        if hot is not None or place:
            found.append(FollowUp(resident=record.resident, temperature=hot, risk_place=place))
    return found


def _key_facts_changed(resident_id: int, at: datetime) -> None:
    """Key-person facts closed by update() (no post_save) at `at`: when that is a day already
    closed, the figures stored for it (reports) are computed again, in the grids the resident
    was placed in."""
    from ..models import Placement

    day = clock.localdate(at)
    if day < clock.today():
        grids = set(Placement.objects.filter(resident_id=resident_id)
                    .values_list("grid_id", flat=True))
        facts_changed.send(sender=KeyPerson, areas=grids, since=day)


def _derive_key_facts(*, resident, found: set[str], categories: dict, visit, at) -> None:
    open_facts = {f.category.code: f for f in KeyPerson.objects.current().filter(
        resident=resident, source="visit").select_related("category")}
    for code, fact in open_facts.items():
        if code not in found:
            KeyPerson.objects.filter(pk=fact.pk).update(until=at, closed_by_visit=visit)
            _key_facts_changed(resident.pk, at)
    for code in found - set(open_facts):
        KeyPerson.objects.create(resident=resident, category=categories[code], since=at,
                                 source="visit", source_visit=visit)


# --- key-person categories -----------------------------------------------------------------

DEFAULT_CATEGORIES = [  # code, name, zh-hant name, English name, derived from, order
    # (as migrations 0002 and 0006)
    ("risk_area", "外地返回（中高风险地区）", "外地返回（中高風險地區）", "returned from a risk area",
     "risk_area", 10),
    ("close_contact", "密切接触者", "密切接觸者", "close contact", "", 20),
    ("fever", "发热人员", "發熱人員", "fever", "fever", 30),
    ("isolation_release", "解除隔离人员", "解除隔離人員", "released from isolation", "", 40),
    ("elderly_alone", "独居老人", "獨居老人", "elderly living alone", "", 50),
    ("needs_help", "需要帮扶人员", "需要幫扶人員", "needs help", "", 60),
]


def key_person_categories_ensure() -> int:
    """Create the default categories that are missing (never changes existing ones)."""
    made = 0
    for code, name, name_zh_hant, name_en, auto, order in DEFAULT_CATEGORIES:
        _obj, created = KeyPersonCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_zh_hant": name_zh_hant,
                                 "name_en": name_en, "auto": auto, "order": order})
        made += created
    return made


# --- key-person facts from other apps -------------------------------------------------------


@transaction.atomic
def key_fact_open(*, resident, category: str, at: datetime, source: str) -> KeyPerson:
    """Open (or keep) a dated key-person fact derived by another app, e.g. the isolation app
    opening `isolation_release` with source="isolation" when an isolation ends. Idempotent:
    an open fact of the same category and source is returned as is."""
    cat = KeyPersonCategory.objects.filter(code=category).first()
    if cat is None:
        raise InvalidInput("bad_category", _("Unknown key-person category %(code)s.")
                           % {"code": category})
    fact = KeyPerson.objects.current().filter(resident=resident, category=cat,
                                              source=source).first()
    return fact or KeyPerson.objects.create(resident=resident, category=cat, since=at,
                                            source=source)


# What derived a fact (KeyPerson.source), in words for ledgers and pages; an unknown code
# (typed in the admin) shows as it is.
KEY_FACT_SOURCES = {
    "visit": pgettext_lazy("key-person source", "screening visit"),
    "isolation": pgettext_lazy("key-person source", "isolation"),
}


def key_fact_source_label(code: str) -> str:
    return str(KEY_FACT_SOURCES.get(code, code))


@transaction.atomic
def key_fact_close(*, resident, category: str, at: datetime, source: str) -> int:
    """Close the open fact of `category` from `source` at `at`; returns how many closed."""
    closed = (KeyPerson.objects.current()
              .filter(resident=resident, category__code=category, source=source)
              .update(until=at))
    if closed:  # update() sends no post_save: stored figures of closed days
        _key_facts_changed(resident.pk, at)
    return closed


# --- responsibility (三级包保) ---------------------------------------------------------------


@transaction.atomic
def responsibility_set(*, actor, resident, cadre=None, grid_worker=None, helper_name: str = "",
                       helper_phone: str = "", now: datetime | None = None) -> Responsibility:
    """Assign a key person to a responsible cadre, a grid worker and a doctor/volunteer."""
    require_perm(actor, "people.assign")
    if not in_scope(actor, resident.grid, "people.assign"):
        raise RuleViolation("not_found", _("Not found."), status=404)
    for user, label in ((cadre, _("cadre")), (grid_worker, _("grid worker"))):
        if user is not None and not in_scope(user, resident.grid, "people.view"):
            raise InvalidInput("out_of_scope",
                               _("The %(role)s %(user)s does not work in this resident's area.")
                               % {"role": label, "user": user})
    # A doctor's or volunteer's number: a mobile or a landline with its area code.
    helper_phone = phone_normalize(helper_phone, field="helper_phone", landline=True)
    obj, _created = Responsibility.objects.update_or_create(
        resident=resident,
        defaults={"cadre": cadre, "grid_worker": grid_worker,
                  "helper_name": helper_name.strip()[:50],
                  "helper_phone": helper_phone.strip()[:20],
                  "updated_at": now or clock.now(), "updated_by": actor})
    audit(actor=actor, action="responsibility.set", obj=obj)
    return obj


# --- exports ------------------------------------------------------------------------------

ROSTER_HEADER = ["姓名/name", "身份证号/id_number", "性别/sex", "出生日期/birth_date",
                 "手机号/phone", "网格/grid", "小区/compound", "楼栋/building", "单元/unit",
                 "房号/room", "人员类型/residency", "备注/note"]
RESIDENCY_CN = {"permanent": "常住", "temporary": "暂住", "floating": "流动"}


def roster_export_begin(*, actor, area, unmasked: bool = False, fmt: str = "csv",
                        reason_code: str = "", reason_text: str = "") -> None:
    """Check and audit a roster export. Masked needs people.export; unmasked,
    people.export_full and a reason (as a full read of one resident)."""
    require_perm(actor, "people.export")
    detail = fmt
    if unmasked:
        require_perm(actor, "people.export_full")
        detail = f"{fmt} · {full_read_reason(code=reason_code, text=reason_text)}"
    audit(actor=actor, action=AuditAction.ROSTER_EXPORT_FULL if unmasked
          else AuditAction.ROSTER_EXPORT,
          object_type="areas.area", object_id=area.code, detail=detail)


def roster_rows(qs, *, unmasked: bool = False):
    """Rows for the roster export (header first); masked unless `unmasked`. Sex in the
    user's language (女/男, female/male), taken now: the rows are streamed later."""
    sexes = {code: str(label) for code, label in Sex.choices}
    return _roster_rows(qs, unmasked=unmasked, sexes=sexes)


def _roster_rows(qs, *, unmasked: bool, sexes: dict[str, str]):
    yield ROSTER_HEADER
    rows = qs.values_list("name", "id_number", "sex", "birth_date", "phone", "grid__code",
                          "household__compound__name", "household__building_name",
                          "household__unit", "household__room", "residency", "note")
    for (name, idn, sex, born, phone, grid, compound, building, unit, room, residency,
         note) in rows.order_by("grid__code", "household_id", "id").iterator(chunk_size=2000):
        yield [name, idn if unmasked else mask_id_number(idn), sexes.get(sex, sex),
               born.isoformat(),
               phone if unmasked else mask_phone(phone), grid, compound, building, unit, room,
               RESIDENCY_CN.get(residency, residency), note]


def safe_cell(value):
    """Text that Excel would run as a formula (=, +, -, @ first) is prefixed with '."""
    return formula_safe(value)


def excel_text(value):
    """A long run of digits (an 18-digit ID number, a 14-digit grid code) behind a tab, so
    Excel opens it as text: as a number it shows 3.40421E+17 and, once saved, has lost the
    last digits for good. Our own import strips the tab (every cell is trimmed)."""
    if isinstance(value, str) and len(value) >= 12 and value.isdigit():
        return "\t" + value
    return value


_FORMULA_FIRST = frozenset("=+-@\t\r")


def _csv_cell(value):
    """excel_text(safe_cell(value)) in one step: a roster of 1M residents has 12M cells."""
    if value.__class__ is str and value:
        if value[0] in _FORMULA_FIRST:
            return "'" + value
        if len(value) >= 12 and value.isdigit():
            return "\t" + value
    return value


def csv_stream(rows, *, encoding: str = "utf-8-sig"):
    """Encode rows as CSV chunks; GBK for old Excel, UTF-8 with BOM otherwise."""
    buffer = io.StringIO()
    writerow = csv.writer(buffer).writerow
    cell = _csv_cell
    first = True
    for i, row in enumerate(rows):
        writerow([cell(v) for v in row])
        if i % 5000 == 4999:
            yield _encode(buffer, encoding, first)
            first = False
    yield _encode(buffer, encoding, first)


def _encode(buffer, encoding, first):
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    if encoding == "utf-8-sig" and not first:
        return text.encode("utf-8")
    return text.encode(encoding, errors="replace")


def xlsx_file(rows, *, title: str = "roster") -> Path:
    """Write rows to a temporary .xlsx (openpyxl write-only: flat memory)."""
    import tempfile

    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    handle, name = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    wb.save(name)
    return Path(name)


# --- newcomers found at the door (and confirmed return declarations) -------------------------


def id_number_normalize(value) -> str:
    """An ID number as stored: blanks removed, full-width digits and a lower-case x turned
    into their plain forms (`１１０１０５ １９９０…ｘ` → `110105…X`)."""
    return "".join(str(value or "").translate(FULL_WIDTH).split()).upper()


def id_number_check(value, *, field: str = "id_number") -> str:
    """The normalised ID number, or InvalidInput naming `field` (the roster import's check:
    18 characters, a birth date, the GB 11643 check digit)."""
    from ..importer import id_number_problem

    id_number = id_number_normalize(value)
    if not id_number:
        raise InvalidInput("id_number_required", _("The ID number is empty."), field=field)
    problem = id_number_problem(id_number)
    if problem:
        raise InvalidInput("bad_id_number", problem, field=field)
    return id_number


@dataclass(frozen=True)
class MemberAdded:
    resident: object
    created: bool  # a newcomer to the roster
    moved_from: str  # the address they were on the roster at, when this is a move ("" if not)


@transaction.atomic
def household_member_add(*, actor, household, name: str, id_number: str, phone: str = "",
                         residency: str = "", now: datetime | None = None) -> MemberAdded:
    """A person found at the door who is not on this household's roster (新增人员).

    The ID is validated as the roster import does. An ID already on the roster elsewhere is a
    move (the old placement closes, a new one opens), never a second person; the same ID
    already in this household is a 409 `already_member`."""
    from firstline import clock

    from ..importer import birth_date_of, sex_of
    from ..models import Placement, Residency, Resident

    require_perm(actor, "people.screen")
    if not in_scope(actor, household.grid, "people.screen"):
        raise RuleViolation("not_found", _("Not found."), status=404)
    now = now or clock.now()
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidInput("name_required", pgettext("person", "The name is empty."),
                           field="name")
    if len(name) > 50:
        raise InvalidInput("bad_name", _("Too long: at most %(n)d characters.") % {"n": 50},
                           field="name")
    id_number = id_number_check(id_number)
    phone = phone_normalize(phone)
    residency = residency or Residency.PERMANENT
    if residency not in Residency.values:
        raise InvalidInput("bad_residency", _("Unknown residency type: use 常住 permanent, "
                                              "暂住 temporary or 流动 floating."),
                           field="residency")
    existing = Resident.objects.select_for_update().filter(id_number=id_number).first()
    if existing is None:
        try:
            with transaction.atomic():
                resident = Resident.objects.create(
                    name=name, id_number=id_number, sex=sex_of(id_number),
                    birth_date=birth_date_of(id_number), phone=phone, residency=residency,
                    grid=household.grid, household=household, created_at=now, updated_at=now)
        except IntegrityError:  # added at the same instant by another door: the same person
            existing = Resident.objects.select_for_update().get(id_number=id_number)
        else:
            Placement.objects.create(resident=resident, household=household,
                                     grid=household.grid, since=now)
            audit(actor=actor, action="resident.add", obj=resident)
            return MemberAdded(resident=resident, created=True, moved_from="")
    if existing.household_id == household.pk:
        raise RuleViolation("already_member",
                            _("%(name)s is already on this household's roster.")
                            % {"name": existing.name})
    moved_from, old_household = existing.household.address, existing.household_id
    Placement.objects.current().filter(resident=existing).update(until=now)
    Placement.objects.create(resident=existing, household=household, grid=household.grid,
                             since=now)
    existing.household, existing.grid = household, household.grid
    existing.residency = residency
    if phone:
        existing.phone = phone
    existing.updated_at = now
    existing.save(update_fields=["household", "grid", "residency", "phone", "updated_at"])
    audit(actor=actor, action="resident.move", obj=existing,
          detail=f"household {old_household} -> {household.pk}")
    return MemberAdded(resident=existing, created=False, moved_from=moved_from)
