"""The ledgers (台账) as export jobs (firstline.exportjobs): asking audits an unmasked one
(with its reason) and stores the job in one transaction; the worker writes the xlsx."""

from datetime import date

from django.db import transaction

from firstline.accounts.services import require_perm
from firstline.exportjobs import registry
from firstline.exportjobs import services as jobs
from firstline.exportjobs.models import ExportJob

from . import exports
from .selectors import report_area_for_user

PREFIX = "ledger:"


def ledger_export_ask(*, actor, kind: str, area, date_from: date, date_to: date,
                      full: bool, reason: str = "", generated_by: str) -> ExportJob:
    """The caller has parsed the dates and the reason (people.services.full_read_reason)."""
    area = report_area_for_user(actor, area.code, "reports.view")
    if full:
        require_perm(actor, "people.export_full")
    with transaction.atomic():
        if full:
            exports.ledger_audit(kind=kind, user=actor, area=area, date_from=date_from,
                                 date_to=date_to, reason=reason)
        job = jobs.export_job_create(
            owner=actor, area=area, kind=PREFIX + kind, fmt="xlsx", unmasked=full,
            reason=reason or ("-" if full else ""),
            file_name=exports.ledger_filename(kind=kind, area=area, date_from=date_from,
                                              date_to=date_to, full=full),
            params={"from": date_from.isoformat(), "to": date_to.isoformat(),
                    "generated_by": generated_by})
    jobs.export_job_enqueue(job)
    return job


def _check(user, job: ExportJob) -> None:
    """At the download: still a reports reader (and unmasked exporter) of the area."""
    report_area_for_user(user, job.area.code, "reports.view")
    if job.unmasked:
        require_perm(user, "people.export_full")


def _builder(kind: str):
    def build(job: ExportJob, path, progress) -> None:
        with jobs.export_job_language(job):
            data, _name = exports.ledger_build(
                kind=kind, user=job.owner, area=job.area,
                date_from=date.fromisoformat(job.params["from"]),
                date_to=date.fromisoformat(job.params["to"]), full=job.unmasked,
                generated_by=job.params.get("generated_by", ""), progress=progress)
        path.write_bytes(data)

    return build


def register() -> None:
    for kind, label in exports.LEDGERS.items():
        registry.register(registry.ExportKind(name=PREFIX + kind, label=label,
                                              build=_builder(kind), check=_check))
