"""Issue 17: the settings behind "database trouble is a retryable answer" and the pooler."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
PROBE = ("import django, json; django.setup(); from django.conf import settings as s; "
         "d = s.DATABASES['default']; print(json.dumps([s.PREPARED_STATEMENTS, "
         "d.get('DISABLE_SERVER_SIDE_CURSORS', False), d['CONN_HEALTH_CHECKS'], "
         "d.get('OPTIONS', {}).get('prepare_threshold')]))")


def _settings(tmp_path, **env):
    run = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=str(ROOT),
        env=dict(os.environ, PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="firstline.settings",
                 FIRSTLINE_VAR_DIR=str(tmp_path), DATABASE_URL="postgres://u@db:5432/f", **env))
    return run


def test_kept_connections_are_health_checked():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASE_RETRY_AFTER_SECONDS > 0


def test_behind_pgbouncer_in_transaction_mode_no_prepared_statements_nor_server_cursors(
        tmp_path):
    run = _settings(tmp_path, FIRSTLINE_DB_POOLER="transaction")
    assert json.loads(run.stdout) == [False, True, True, None]


def test_pgbouncer_1_21_may_keep_prepared_statements(tmp_path):
    run = _settings(tmp_path, FIRSTLINE_DB_POOLER="transaction",
                    FIRSTLINE_PREPARED_STATEMENTS="on")
    assert json.loads(run.stdout) == [True, True, True, 0]


def test_direct_connections_by_default(tmp_path):
    assert json.loads(_settings(tmp_path).stdout) == [True, False, True, 0]


def test_an_unknown_pooler_mode_stops_the_start(tmp_path):
    run = _settings(tmp_path, FIRSTLINE_DB_POOLER="statement")
    assert run.returncode != 0 and "FIRSTLINE_DB_POOLER" in run.stderr


@pytest.mark.django_db
def test_the_hot_statements_are_prepared_by_psycopg_and_the_orms_are_not():
    """prepare_threshold (psycopg's own option) applies to firstline.db.prepared_cursor's
    server-bound statements; the ORM's client-bound ones are never prepared."""
    from django.db import connection

    from firstline.db import prepared_cursor

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with prepared_cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user WHERE id > %s", [0])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM areas_area WHERE id > %s", [0])
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("accounts_user" in s for s in prepared), prepared
    assert not any("areas_area" in s for s in prepared), prepared


def test_the_retired_fever_hold_variable_is_ignored_and_said_once(tmp_path):
    """CONTRACT.md: FIRSTLINE_GATE_FEVER_HOLD is retired. A deployment still setting it (even
    to turn the hold off) starts as any other, with the hold still the rule's; it is told so
    on stderr, once, in one line."""
    probe = ("import django; django.setup(); from firstline.rules import DEFAULTS; "
             "print(DEFAULTS['gate.fever_hold'][0])")
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=str(ROOT),
        env=dict(os.environ, PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="firstline.settings",
                 FIRSTLINE_VAR_DIR=str(tmp_path), FIRSTLINE_GATE_FEVER_HOLD="0"))
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "True"
    said = [line for line in run.stderr.splitlines() if "FIRSTLINE_GATE_FEVER_HOLD" in line]
    assert len(said) == 1 and "retired" in said[0] and "gate.fever_hold" in said[0]
