"""The people app's background tasks (django-tasks; run by `firstline worker`)."""

from django_tasks import task

from . import services


@task()
def import_job_task(job_id: int) -> dict:
    """An uploaded roster file, imported to its end (resumable: see import_job_run)."""
    job = services.import_job_run(job_id=job_id)
    return {"job": job.pk, "state": job.state, "imported": job.imported,
            "updated": job.updated, "rejected": job.rejected}


@task()
def import_partials_sweep_task() -> dict:
    """Hourly: half-written errors files of upload jobs that will not finish them, removed
    once a day old (services.import_partials_sweep)."""
    return {"removed": len(services.import_partials_sweep())}
