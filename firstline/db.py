"""Prepared statements for the few fixed, hot statements (the gate scan, the API token).

Django binds parameters on the client (psycopg's ClientCursor), which never prepares. For a
statement run on every request whose plan costs the server more than running it — the
gate's judging query: ~0.85 ms to plan, ~0.3 ms to run — `prepared_cursor()` gives a cursor
that binds on the server, so psycopg's own automatic preparation applies: with
`prepare_threshold` in DATABASES OPTIONS (settings.py), a statement run that many times on a
connection is prepared there and from then on only executed (psycopg keeps a bounded cache
per connection and prepares again on a new one). The ORM's cursors are untouched.

Elsewhere (SQLite), or with settings.PREPARED_STATEMENTS = False (behind a connection pooler
in transaction mode that cannot keep prepared statements, such as PgBouncer before 1.21:
no `prepare_threshold`), it is the ordinary cursor: the statements are the same text either
way. The wrapper is Django's own (query logging, execute wrappers, IntegrityError as
django.db.IntegrityError).
"""

import contextlib
import functools

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.dispatch import Signal


def prepared_cursor(using: str = DEFAULT_DB_ALIAS):
    connection = connections[using]
    if connection.vendor != "postgresql" or not getattr(settings, "PREPARED_STATEMENTS", True):
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        from django.db.backends.postgresql.base import ServerBindingCursor

        cursor = ServerBindingCursor(connection.connection)
        _register_timezone(connection, cursor)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


def _register_timezone(connection, cursor) -> None:
    """As Django's own cursors do: load timestamptz in the connection's time zone."""
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    oid = connection.connection.adapters.types["timestamptz"].oid
    if connection.timezone != cursor.adapters.get_loader(oid, Format.TEXT).timezone:
        register_tzloader(connection.timezone, cursor)


# --- database trouble: a retryable answer, never a 500 ---------------------------------------

# Serialization failure and deadlock (PostgreSQL SQLSTATE): the transaction lost a race and
# may simply run again.
RETRYABLE_SQLSTATES = {"40001", "40P01"}
RETRY_ATTEMPTS = 3


def is_unavailable(exc: BaseException) -> bool:
    """An operational database error: connection refused or reset, the server restarting or
    shutting down, a connection terminated by the administrator, a lost race that retries did
    not settle. The request may be sent again (503 + Retry-After), unlike a bug (500)."""
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, (OperationalError, InterfaceError))


def _retryable(exc: BaseException) -> bool:
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    # SQLite: another writer held the file past the busy timeout.
    return "database is locked" in str(exc)


def retry_on_conflict(func=None, *, attempts: int = RETRY_ATTEMPTS, using: str = DEFAULT_DB_ALIAS):
    """Run `func` again (a bounded number of times, with a short growing pause) when its
    transaction lost a race: a serialization failure or a deadlock. Only outside a caller's
    transaction, which a lost race has already spoiled; then the error propagates (and is
    answered 503 "unavailable", retryable)."""
    import random
    import time

    from django.db import OperationalError

    def wrap(f):
        @functools.wraps(f)
        def inner(*args, **kwargs):
            for attempt in range(attempts):
                try:
                    return f(*args, **kwargs)
                except OperationalError as exc:
                    if (attempt == attempts - 1 or connections[using].in_atomic_block
                            or not _retryable(exc)):
                        raise
                    time.sleep(0.01 * (attempt + 1) * (1 + random.random()))
            raise AssertionError("unreachable")

        return inner

    return wrap(func) if func is not None else wrap


def advisory_xact_lock(name: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Hold the named lock until the current transaction ends (PostgreSQL; waits for it).
    Writers that must see each other's rows take turns per transaction. SQLite needs none:
    its write transactions (BEGIN IMMEDIATE) already take turns on the whole file."""
    import hashlib

    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("advisory_xact_lock() needs a transaction")
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


# --- a create that loses a race ----------------------------------------------------------------

# PostgreSQL's SQLSTATE for a unique violation.
UNIQUE_VIOLATION = "23505"


def is_unique_violation(exc: BaseException) -> bool:
    """An IntegrityError raised by a unique constraint or index (not a missing foreign key or a
    NOT NULL): the row is there already."""
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) == UNIQUE_VIOLATION:
        return True
    return "UNIQUE constraint failed" in str(exc)  # SQLite


@contextlib.contextmanager
def unique_or(answer, using: str = DEFAULT_DB_ALIAS):
    """Run the block (an INSERT behind an "already there?" lookup) in its own savepoint.

    Two requests at the same instant (a double tap, two workers) both pass the lookup; the
    unique constraint refuses the loser's row, and the loser gets `answer` — the one a
    sequential duplicate gets — instead of the IntegrityError (a 500). `answer` is the
    exception to raise, or a callable run after the conflict (the winner's row is then
    visible) that raises it or returns it (None: the IntegrityError stands). Only a unique
    violation is answered so; any other IntegrityError propagates as it is."""
    from django.db import IntegrityError, transaction

    try:
        with transaction.atomic(using=using):
            yield
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        if callable(answer):
            answer = answer()
        if answer is None:  # the lookup found nothing after all: the conflict as it was
            raise
        raise answer from exc


# Facts written without Model.save() (a raw INSERT, bulk_create, QuerySet.update) that are
# dated before today: the writer sends this so that figures stored for closed days (reports)
# are computed again. areas: the ids of the areas whose figures count the facts (None: any);
# since: the earliest local day the facts touch (None: every day).
facts_changed = Signal()


# --- once per event_id: a retried create is one row (CONTRACT.md "Faults") -------------------

def sent_meanwhile(rows, event_id) -> bool:
    """Whether this very request (its `event_id`) was written by another since create_once
    looked: asked inside `create()` after waiting for a lock, or when a unique constraint
    refused the insert (unique_or's answer), where it is create_once's to answer (the first
    row) rather than a rule's refusal. `rows`: as create_once's. event_id None: never."""
    return (event_id is not None
            and getattr(rows, "_default_manager", rows).filter(event_id=event_id).exists())


class SentMeanwhile(Exception):
    """Raised by a `create()` that found its own event_id written since create_once looked
    (sent_meanwhile): create_once then answers the first row, as for a retry."""


def create_once(rows, event_id, *, same, create, reused: str = ""):
    """`create()` once per `event_id`; answers (row, replayed).

    A phone on a bad network retries, a browser sends a form again: the same event_id answers
    the first row (`replayed` True) and writes nothing, also when both arrive at the same
    instant — the unique `event_id` column refuses the second insert, whose savepoint is then
    undone, and the first row is looked up again. `rows` is the model or queryset holding
    the column; `same(first)` says whether the first row is this request's (the same kind of
    thing for the same actor and target); if not, 409 `event_id_reused` (`reused`: its
    words), showing nothing of the first row. `create()` that finds this event_id written
    meanwhile (a rule it checks would refuse the retry) raises SentMeanwhile for the same
    answer. event_id None: every call creates. Only a
    unique violation is answered with the first row; any other IntegrityError (a NOT NULL, a
    CHECK) propagates as it is, even when someone else's row with this event_id is there."""
    from django.db import IntegrityError, transaction
    from django.utils.translation import gettext as _

    from firstline.errors import RuleViolation

    queryset = getattr(rows, "_default_manager", rows).all()

    def first():
        row = queryset.filter(event_id=event_id).first()
        if row is not None and not same(row):
            raise RuleViolation("event_id_reused", reused or _(
                "This event_id was already used for another request; send a new one."),
                field="event_id")
        return row

    if event_id is not None and (done := first()) is not None:
        return done, True
    try:
        with transaction.atomic():
            return create(), False
    except SentMeanwhile:  # now it is there: the first answer (or event_id_reused)
        return first(), True
    except IntegrityError as exc:
        if event_id is None or not is_unique_violation(exc) or (done := first()) is None:
            raise
        return done, True
