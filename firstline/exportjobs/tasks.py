"""The exports' background tasks (django-tasks; run by `firstline worker`)."""

from django_tasks import task

from . import services


@task()
def export_job_task(job_id: int) -> dict:
    """One export written to its file (idempotent: see services.export_job_run)."""
    job = services.export_job_run(job_id=job_id)
    if job is None:
        return {"job": job_id, "status": "gone"}
    return {"job": job.pk, "status": job.status, "rows": job.rows_written}


@task()
def expire_task() -> dict:
    """Delete the export files whose time ran out, and those whose job is gone (a database
    restored from an older backup): worker SCHEDULE, hourly."""
    return {"expired": services.export_jobs_expire(),
            "orphans": services.export_files_orphaned_remove()}


@task()
def prune_task_results_task() -> dict:
    """Finished task results older than 14 days removed from the database queue
    (`prune_db_task_results`; worker SCHEDULE, daily). RQ keeps its own results."""
    from django.core.management import call_command
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db import DatabaseBackend

    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        return {"pruned": False}
    call_command("prune_db_task_results", min_age_days=14, verbosity=0)
    return {"pruned": True}
