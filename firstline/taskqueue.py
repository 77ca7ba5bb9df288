"""Background work on Django's task API (django-tasks, the backport of Django 6's
django.tasks): the one place that hands a task to the queue and asks how it is doing.

The queue is settings.TASKS (settings.py): a table in the database by default, RQ on Redis
with FIRSTLINE_REDIS_URL; `firstline worker` runs what is queued (docs/deploy.md "Worker").
Work handed to a task is resumable and idempotent (the task's own state lives in our tables:
an import job's `next_row`, a lease), so a task that runs twice — a worker killed mid-way and
its work enqueued again — finishes once.
"""

import logging

from django.db import DatabaseError
from django.utils.translation import gettext as _

from firstline import clock
from firstline.errors import RuleViolation

log = logging.getLogger("firstline.tasks")


def _queue_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError, ConnectionError, TimeoutError)


class QueueUnavailable(RuleViolation):
    """The task queue could not take the work (Redis down): nothing was started; send again."""

    status = 503


def enqueue(task, *, field: str = "", **kwargs):
    """`task.enqueue(**kwargs)`, or QueueUnavailable (503, a clear message naming `field`)
    when the queue is down. Returns the task result (its `id` is what `status()` takes)."""
    try:
        return task.enqueue(**kwargs)
    except _queue_errors() as exc:
        log.warning("task queue unavailable: %s (%s not enqueued)", type(exc).__name__,
                    task.name)
        raise QueueUnavailable("queue_unavailable", _(
            "The background queue is unavailable right now, so nothing was started. "
            "Try again in a minute."), field=field) from None


def status(task_id: str) -> str | None:
    """The queued task's status (READY, RUNNING, SUCCESSFUL, FAILED), or None when the queue
    does not know it (a backend that keeps no results, a result pruned, the queue down)."""
    from django_tasks import default_task_backend
    from django_tasks.exceptions import TaskResultDoesNotExist

    if not task_id or not default_task_backend.supports_get_result:
        return None
    try:
        return str(default_task_backend.get_result(task_id).status)
    except (TaskResultDoesNotExist, DatabaseError, *_queue_errors()):
        return None


def abandon(task_id: str) -> None:
    """A task whose worker is gone (killed mid-way: the lease of its work ran out), marked
    failed on the database queue so it no longer shows as running; its work is enqueued
    again by the caller. (RQ moves its own abandoned jobs to the failed registry.)"""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db import DatabaseBackend

    if not task_id or not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS],
                                     DatabaseBackend):
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
        status="FAILED", finished_at=clock.now(),
        exception_class_path="firstline.taskqueue.WorkerLost",
        traceback="The worker running this task stopped (killed, or lost the database); "
                  "its work was enqueued again.")


def result(task_id: str):
    """The queued task's result (status, args, kwargs, return_value), or None when the queue
    does not know it."""
    from django_tasks import default_task_backend
    from django_tasks.exceptions import TaskResultDoesNotExist

    if not task_id or not default_task_backend.supports_get_result:
        return None
    try:
        return default_task_backend.get_result(task_id)
    except (TaskResultDoesNotExist, DatabaseError, ValueError, *_queue_errors()):
        return None


def resume_stalled(jobs, enqueue) -> list[int]:
    """Enqueue again each of `jobs` (rows with `task_id` and `lease_until`) whose worker is
    gone (its lease ran out: the task is abandoned first) or whose task the queue no longer
    holds as ready or running (the queue was down when it was asked for, or lost it).
    The ids of the jobs enqueued again."""
    resumed = []
    for job in jobs:
        lost = job.lease_until is not None
        if lost or status(job.task_id) not in ("READY", "RUNNING"):
            if lost:
                abandon(job.task_id)
            enqueue(job)
            resumed.append(job.pk)
    return resumed
