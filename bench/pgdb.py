"""The benchmarks' own PostgreSQL databases: created on first use (a fresh machine has none),
and filled by INSERT ... SELECT generate_series (insert_select)."""

import json
from datetime import date, datetime
from urllib.parse import urlparse


def ensure_database(url: str, *, recreate: bool = False) -> None:
    """Create the database named in a postgres:// URL if it is missing (dropped first when
    `recreate`). Anything but PostgreSQL is left alone."""
    if not url.startswith("postgres"):
        return
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if recreate:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(value)


def _default_sql(f) -> str:
    from django.db import connection

    value = f.default() if callable(f.default) else f.default
    if isinstance(value, datetime):
        return "now()"
    if isinstance(value, date):
        return "current_date"
    if isinstance(value, list | dict):
        value = json.dumps(value)
    return f"CAST({_literal(value)} AS {f.db_type(connection)})"


def insert_select(cursor, model, exprs: dict[str, str], from_sql: str) -> int:
    """INSERT INTO model's table SELECT exprs FROM ...; fields not given take their default
    (a constant, or now() for a callable default) so new nullable/defaulted fields added by
    the owning app do not break the benchmark."""
    from django.db.models import NOT_PROVIDED, AutoField

    columns, values = [], []
    for f in model._meta.concrete_fields:
        if isinstance(f, AutoField):
            continue
        if f.name in exprs:
            columns.append(f.column)
            values.append(exprs[f.name])
        elif f.null:
            continue
        elif f.default is not NOT_PROVIDED:
            columns.append(f.column)
            values.append(_default_sql(f))
        else:
            raise SystemExit(f"bench: no value for {model.__name__}.{f.name}")
    sql = (f'INSERT INTO {model._meta.db_table} ({", ".join(columns)}) '
           f'SELECT {", ".join(values)} FROM {from_sql}')
    cursor.execute(sql)
    return cursor.rowcount
