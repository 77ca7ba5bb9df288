"""The roster and key-person ledger exports, as export jobs (firstline.exportjobs): asking
checks the permission and the area, writes the audit row (with the reason of an unmasked
one) and stores the job in one transaction; a worker writes the file with the row
generators of people.services (streamed: flat memory)."""

from collections import Counter

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from firstline import clock
from firstline.accounts.services import require_perm
from firstline.areas.models import subtree_q
from firstline.areas.selectors import area_get_for_user
from firstline.errors import InvalidInput
from firstline.exportjobs import registry
from firstline.exportjobs import services as jobs
from firstline.exportjobs.models import ExportJob
from firstline.texts import cell_words

from . import selectors as sel
from . import services

FORMATS = tuple(ExportJob.Format.values)


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidInput("bad_format", _("Format: choose one of %(list)s.")
                           % {"list": ", ".join(FORMATS)}, field="format")
    return fmt


def roster_export_ask(*, actor, area, fmt: str, unmasked: bool = False,
                      reason_code: str = "", reason_text: str = "") -> ExportJob:
    """The roster of `area` (in the actor's scope for people.export), as a job; audited now
    (roster.export / roster.export_full with the reason), written by the worker."""
    _check_format(fmt)
    require_perm(actor, "people.export")
    area = area_get_for_user(actor, area.code, "people.export")
    with transaction.atomic():
        reason = services.roster_export_begin(actor=actor, area=area, unmasked=unmasked,
                                              fmt=fmt, reason_code=reason_code,
                                              reason_text=reason_text)
        job = jobs.export_job_create(
            owner=actor, area=area, kind="roster", fmt=fmt, unmasked=unmasked, reason=reason,
            file_name=f"roster-{area.code}-{clock.today().isoformat()}"
                      f"{'.xlsx' if fmt == 'xlsx' else '.csv'}")
    jobs.export_job_enqueue(job)
    return job


def key_persons_export_ask(*, actor, area, category: str = "",
                           whole_scope: bool = False) -> ExportJob:
    """The open key-person ledger (masked) of `area` (or, `whole_scope`, of all the actor's
    areas; `area` is then the one the audit row names), optionally one category, as a job."""
    require_perm(actor, "people.export")
    area = area_get_for_user(actor, area.code, "people.export")
    with transaction.atomic():
        services.roster_export_begin(actor=actor, area=area, fmt="key_persons.csv")
        job = jobs.export_job_create(
            owner=actor, area=area, kind="key-persons", fmt="csv-utf8",
            file_name="key-persons.csv",
            params={"category": category, "whole_scope": whole_scope})
    jobs.export_job_enqueue(job)
    return job


def _check(user, job: ExportJob) -> None:
    """At the download: still allowed to export (and unmasked), still their area."""
    require_perm(user, "people.export")
    if job.unmasked:
        require_perm(user, "people.export_full")
    area_get_for_user(user, job.area.code, "people.export")


def _write(job: ExportJob, path, rows, progress, *, title: str) -> registry.Written | None:
    counted = registry.rows_counted(rows, progress)
    if job.format == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title[:31])
        for row in counted:
            ws.append([services.safe_cell(v) for v in row])
        wb.save(path)
    else:
        encoding = "gbk" if job.format == "csv-gbk" else "utf-8-sig"
        lost = Counter()
        with open(path, "wb") as fh:
            for chunk in services.csv_stream(counted, encoding=encoding, lost=lost):
                fh.write(chunk)
        if lost:
            return registry.Written(lost_chars=lost.total(),
                                    lost_sample="".join(ch for ch, _n in lost.most_common(8)))
    return None


def _build_roster(job: ExportJob, path, progress) -> registry.Written | None:
    require_perm(job.owner, "people.export")  # the scope below is the export's
    with jobs.export_job_language(job):
        qs = sel.residents_in(sel.residents_visible_to(job.owner, "people.export"),
                              area=job.area)
        return _write(job, path, services.roster_rows(qs, unmasked=job.unmasked), progress,
                      title=job.area.name)


def _key_person_rows(job: ExportJob):
    qs = sel.key_persons_open(job.owner)
    if not job.params.get("whole_scope"):
        qs = qs.filter(subtree_q(job.area, "resident__grid"))
    if job.params.get("category"):
        qs = qs.filter(category__code=job.params["category"])
    # Titles and words begin with a capital, as every export's do (firstline.texts.cell_words):
    # the page's vocabulary reads "close contact" inside its sentences.
    yield [cell_words(t) for t in (_("category"), pgettext("person", "name"), _("ID number"),
                                   _("phone"), _("grid"), _("address"), _("since"))]
    for k in qs.order_by("category__order", "resident__grid__code", "-since").iterator(
            chunk_size=2000):
        r = k.resident
        yield [cell_words(k.category.label), r.name, services.mask_id_number(r.id_number),
               services.mask_phone(r.phone), r.grid.code, r.household.address,
               clock.localtime(k.since).strftime("%Y-%m-%d %H:%M")]


def _build_key_persons(job: ExportJob, path, progress) -> registry.Written | None:
    require_perm(job.owner, "people.export")
    with jobs.export_job_language(job):
        return _write(job, path, _key_person_rows(job), progress, title="key-persons")


def register() -> None:
    registry.register(registry.ExportKind(
        name="roster", label=gettext_lazy("Roster"), build=_build_roster, check=_check))
    registry.register(registry.ExportKind(
        name="key-persons", label=gettext_lazy("Key-person ledger"),
        build=_build_key_persons, check=_check))
