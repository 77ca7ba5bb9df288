"""`firstline worker`: runs the background tasks (docs/deploy.md "Worker").

One loop takes queued tasks and runs them (django-tasks-db's worker on the database queue,
RQ's worker with FIRSTLINE_REDIS_URL); beside it a scheduler thread enqueues the periodic
checks when they are due and enqueues again the roster imports nobody is working on (a worker
killed mid-way: the import resumes at its next row). Several workers may run; with Redis the
periodic checks are enqueued once per period whichever worker sees them due first, without
it run the scheduler in one worker only (`--no-schedule` on the others) — the checks are
idempotent, so a second scheduler costs work, never a wrong answer.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db import DatabaseError, close_old_connections, connections
from django.utils.module_loading import import_string

from firstline import clock, shared_cache, taskqueue

log = logging.getLogger("firstline.worker")


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str  # dotted path of a django-tasks Task
    every: timedelta


SCHEDULE = [
    Periodic("isolation.check_missed", "firstline.isolation.tasks.check_missed_task",
             timedelta(minutes=15)),
    Periodic("reports.chase_due", "firstline.reports.tasks.chase_due_task",
             timedelta(minutes=15)),
    Periodic("operations.places_refresh", "firstline.operations.tasks.places_refresh_task",
             timedelta(hours=1)),
    Periodic("residents.deidentify", "firstline.residents.tasks.deidentify_task",
             timedelta(days=1)),
    Periodic("assistance.deidentify", "firstline.assistance.tasks.deidentify_task",
             timedelta(days=1)),
    Periodic("exports.expire", "firstline.exportjobs.tasks.expire_task", timedelta(hours=1)),
    Periodic("tasks.prune_results", "firstline.exportjobs.tasks.prune_task_results_task",
             timedelta(days=1)),
]
TICK_SECONDS = 20


def resume_interrupted() -> list[int]:
    """Imports whose worker is gone, enqueued again (people.services.import_jobs_resume)."""
    from firstline.people.services import import_jobs_resume

    return import_jobs_resume()


def resume_exports() -> list[int]:
    """Exports whose worker is gone, or that the queue never took, enqueued again
    (exportjobs.services.export_jobs_resume: the file is written from its start)."""
    from firstline.exportjobs.services import export_jobs_resume

    return export_jobs_resume()


def enqueue_due(now=None, schedule=SCHEDULE) -> list[str]:
    """Enqueue each periodic task whose period has begun since it was last enqueued. The
    period's slot is claimed in the cache (`add` is atomic: with Redis one worker wins)."""
    now = now or clock.now()
    enqueued = []
    for item in schedule:
        slot = int(now.timestamp() // item.every.total_seconds())
        try:
            first = cache.add(f"worker:schedule:{item.name}:{slot}", 1,
                              timeout=int(item.every.total_seconds()) + 60)
        except shared_cache.UNAVAILABLE:
            first = False  # Redis down: RQ cannot take the task either; the next tick tries
        if first:
            taskqueue.enqueue(import_string(item.task))
            enqueued.append(item.name)
    return enqueued


def tick() -> None:
    """One round of the scheduler; trouble is logged and the next round tries again."""
    try:
        resumed = resume_interrupted()
        exports = resume_exports()
        due = enqueue_due()
        if resumed or exports or due:
            log.info("scheduler: resumed imports %s, exports %s, enqueued %s", resumed,
                     exports, due)
    except (DatabaseError, taskqueue.QueueUnavailable, *shared_cache.UNAVAILABLE) as exc:
        log.warning("scheduler round skipped: %s", type(exc).__name__)
    finally:
        close_old_connections()


def start_scheduler(stop: threading.Event) -> threading.Thread:
    def loop():
        while not stop.is_set():
            tick()
            stop.wait(TICK_SECONDS)
        connections.close_all()

    thread = threading.Thread(target=loop, name="firstline-scheduler", daemon=True)
    thread.start()
    return thread


def run(*, batch: bool, schedule: bool, interval: float, stdout) -> None:
    """The worker's main loop (returns in batch mode once the queue is empty)."""
    resumed = resume_interrupted()  # before taking tasks: a killed worker's import first
    if resumed:
        stdout.write(f"resumed interrupted imports: {', '.join(map(str, resumed))}\n")
    exports = resume_exports()
    if exports:
        stdout.write(f"resumed interrupted exports: {', '.join(map(str, exports))}\n")
    stop = threading.Event()
    if schedule and not batch:
        start_scheduler(stop)
    try:
        from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
        from django_tasks_db import DatabaseBackend

        default_task_backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        if type(default_task_backend).__name__ == "RQBackend":
            from django.core.management import call_command

            call_command("rqworker", "default", burst=batch, job_class="django_tasks_rq.Job",
                         stdout=stdout)
        elif isinstance(default_task_backend, DatabaseBackend):
            from django.utils.crypto import get_random_string
            from django_tasks_db.management.commands.db_worker import Worker

            worker = Worker(queue_names=["default"], interval=interval, batch=batch,
                            backend_name=default_task_backend.alias, startup_delay=not batch,
                            max_tasks=None, worker_id=get_random_string(32),
                            excluded_queue_names=[])
            if not batch:
                worker.configure_signals()  # SIGTERM: finish the task at hand, then stop
            worker.run()
        else:
            stdout.write("tasks run where they are enqueued (FIRSTLINE_TASKS=immediate): "
                         "no worker needed\n")
    finally:
        stop.set()
