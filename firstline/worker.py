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
from rq import Worker

from firstline import clock, shared_cache, taskqueue

log = logging.getLogger("firstline.worker")


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str  # dotted path of a django-tasks Task
    every: timedelta
    what: str  # for `firstline worker --help` (schedule_help)


SCHEDULE = [
    Periodic("isolation.check_missed", "firstline.isolation.tasks.check_missed_task",
             timedelta(minutes=15), "isolation check"),
    Periodic("reports.chase_due", "firstline.reports.tasks.chase_due_task",
             timedelta(minutes=15), "sign-off reminder"),
    Periodic("operations.places_refresh", "firstline.operations.tasks.places_refresh_task",
             timedelta(hours=1), "places to disinfect"),
    Periodic("residents.deidentify", "firstline.residents.tasks.deidentify_task",
             timedelta(days=1), "retention of declarations and tip-offs"),
    Periodic("assistance.deidentify", "firstline.assistance.tasks.deidentify_task",
             timedelta(days=1), "retention of assistance records"),
    Periodic("people.import_partials_sweep",
             "firstline.people.tasks.import_partials_sweep_task", timedelta(hours=1),
             "sweep of half-written import error files"),
    Periodic("exports.expire", "firstline.exportjobs.tasks.expire_task", timedelta(hours=1),
             "expiry of exports"),
    Periodic("tasks.prune_results", "firstline.exportjobs.tasks.prune_task_results_task",
             timedelta(days=1), "pruning of task results"),
]
TICK_SECONDS = 20
# rq's worker reads its command channel (stop a job, shut down) in a thread; it waits this
# long for a message before looking whether it should stop (RQWorker.subscribe).
PUBSUB_POLL_SECONDS = 1.0


def _every(period: timedelta) -> str:
    if period == timedelta(days=1):
        return "daily"
    if period == timedelta(hours=1):
        return "hourly"
    if period % timedelta(hours=1) == timedelta(0):
        return f"every {period // timedelta(hours=1)} hours"
    return f"every {period // timedelta(minutes=1)} minutes"


def schedule_help(schedule=SCHEDULE) -> str:
    """The periodic checks, shortest period first, for `firstline worker --help`:
    "every 15 minutes: isolation check, sign-off reminder; hourly: ...; daily: ..."."""
    periods = sorted({item.every for item in schedule})
    return "; ".join(
        f"{_every(period)}: {', '.join(i.what for i in schedule if i.every == period)}"
        for period in periods)


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


class RQWorker(Worker):
    """rq's worker, its command channel read PUBSUB_POLL_SECONDS at a time (rq reads it 60 s
    at a time), so that it stops at once when its work is done.

    Stopping (rq's `unsubscribe`) sends UNSUBSCRIBE, then stops the thread reading the channel
    (redis-py's PubSubWorkerThread.stop, which waits for the thread to end). The UNSUBSCRIBE
    reply wakes the thread; when it wakes before the stop flag is set, it goes back to wait a
    whole read for a subscription that never comes, and stopping waited up to a minute:
    `firstline worker --batch` hung after "unsubscribing from channel" with nothing queued (a
    worker stopped by SIGTERM too). `subscribe` is rq 3.0's own, with the shorter read."""

    def subscribe(self):
        self.log.info("Worker %s: subscribing to channel %s", self.name,
                      self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=PUBSUB_POLL_SECONDS, daemon=True,
            exception_handler=self._pubsub_exception_handler)


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
                         worker_class=RQWorker, stdout=stdout)
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
