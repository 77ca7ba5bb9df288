"""Issue 17: database trouble is a retryable answer. A database that refuses connections
answers 503 {"error": "unavailable"} with Retry-After (API) or a translated page (web), never
a 500; a connection the server dropped heals on the next request; a lost race (deadlock) is
retried inside the service. Real databases, no mocks: the connection is pointed at nothing."""

import contextlib
import threading

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from firstline import clock
from firstline.areas.models import Area
from firstline.db import retry_on_conflict

from .conftest import PASSWORD

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


@contextlib.contextmanager
def database_down():
    """Every new connection is refused (PostgreSQL: a closed port; SQLite: a file that cannot
    be opened) until the block ends; the current connection is closed first."""
    conn = connections["default"]
    saved = dict(conn.settings_dict)
    conn.close()
    if conn.vendor == "postgresql":
        conn.settings_dict.update(HOST="127.0.0.1", PORT="1")
    else:
        conn.settings_dict["NAME"] = "/nonexistent/firstline/down.sqlite3"
    try:
        yield
    finally:
        conn.close()
        conn.settings_dict.clear()
        conn.settings_dict.update(saved)


def terminate_app_connections(*, spare: tuple[int, ...] = (), settings_dict=None) -> int:
    """What an administrator (or a failover) does: end the server side of the app's
    connections from another connection (sparing the backend pids in `spare`). Returns how
    many were ended."""
    import psycopg

    s = settings_dict or connection.settings_dict
    with psycopg.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432,
                         user=s["USER"], password=s["PASSWORD"] or None, dbname=s["NAME"],
                         autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend' AND NOT (pid = ANY(%s))",
            [list(spare)]).fetchall()
    return len(rows)


@pytest.mark.django_db(transaction=True)
def test_api_answers_503_unavailable_with_retry_after_when_the_database_refuses(
        file_database, api):
    client = api("hq")
    assert client.get("/api/v1/areas/C1").status_code == 200
    with database_down():
        res = client.get("/api/v1/areas/C1")
    assert res.status_code == 503
    assert res.json()["error"] == "unavailable" and res.json()["detail"]
    assert int(res["Retry-After"]) > 0
    assert client.get("/api/v1/areas/C1").status_code == 200  # back as soon as it is


@pytest.mark.django_db(transaction=True)
def test_a_scan_sent_while_the_database_refuses_is_503_and_its_retry_is_recorded_once(
        file_database, api, cast):
    from firstline.access.models import Crossing
    from firstline.access.services import checkpoint_create
    from firstline.people.models import Compound

    compound = Compound.objects.create(area=cast.gate_c1.assignments.first().area, name="翰林")
    checkpoint_create(compound=compound, code="G-1", name="北门", actor=cast.staff_c1)
    scan = {"event_id": "0b7e1d2c-3f4a-4b5c-8d6e-7f8091a2b3c4", "checkpoint": "G-1",
            "pass_code": "NOPE", "direction": "out", "temperature": 36.5,
            "scanned_at": clock.now().isoformat()}
    client = api("gate_c1")
    with database_down():
        first = client.post("/api/v1/gate/scans", scan)
    assert first.status_code == 503 and first.json()["error"] == "unavailable"
    again = client.post("/api/v1/gate/scans", scan)
    assert again.status_code in (200, 201)
    assert Crossing.objects.filter(event_id=scan["event_id"]).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang,words", [("zh-hans", "请稍后再试"), ("en", "try again in a moment")])
def test_a_page_answers_a_friendly_translated_503_when_the_database_refuses(
        file_database, cast, lang, words):
    client = Client(raise_request_exception=False)
    assert client.login(username="hq", password=PASSWORD)
    client.cookies["django_language"] = lang
    with database_down():
        res = client.get("/people/")
    assert res.status_code == 503
    assert int(res["Retry-After"]) > 0
    assert words in res.content.decode()


@pytest.mark.django_db(transaction=True)
def test_healthz_says_ok_and_then_which_service_is_down(file_database):
    client = Client(raise_request_exception=False)
    res = client.get("/healthz")
    assert res.status_code == 200 and res.json() == {"ok": True, "database": "ok"}
    with database_down():
        res = client.get("/healthz")
    assert res.status_code == 503
    assert res.json() == {"ok": False, "database": "down"}


class Wsgi:
    """Requests through Django's own WSGI handler, as gunicorn sends them: unlike the test
    client, it opens and closes each request with Django's connection handling (persistent
    connections, CONN_HEALTH_CHECKS), which is what a dropped connection tests."""

    def __init__(self, token: str = ""):
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()
        self.token = token

    def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, dict, bytes]:
        import io

        from django.test.client import RequestFactory

        environ = RequestFactory()._base_environ(
            PATH_INFO=path, REQUEST_METHOD=method, CONTENT_TYPE="application/json",
            CONTENT_LENGTH=str(len(body)), **{"wsgi.input": io.BytesIO(body)},
            **({"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}))
        status = {}

        def start_response(line, headers, exc_info=None):
            status["code"], status["headers"] = int(line.split()[0]), dict(headers)

        response = self.handler(environ, start_response)
        try:
            content = b"".join(response)
        finally:
            response.close()  # request_finished: Django's end-of-request connection handling
        return status["code"], status["headers"], content


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_dropped_heals_on_the_next_request(cast):
    from firstline.accounts.services import token_create

    token, _ = token_create(user=cast.hq, label="test")
    server = Wsgi(token)
    assert server.request("GET", "/api/v1/areas/C1")[0] == 200
    assert connection.connection is not None  # kept between requests (CONN_MAX_AGE)
    assert terminate_app_connections() >= 1
    answers = [server.request("GET", "/api/v1/areas/C1")[0] for _ in range(5)]
    assert answers == [200] * 5


@pg_only
@pytest.mark.django_db(transaction=True)
def test_a_deadlock_is_retried_inside_the_service_and_both_writers_succeed(areas):
    a, b = areas.g1a.pk, areas.g1b.pk
    both_locked_first = threading.Barrier(2)
    tries = {0: 0, 1: 0}

    @retry_on_conflict
    @transaction.atomic
    def rename(i, first, second):
        tries[i] += 1
        Area.objects.select_for_update().get(pk=first)
        if tries[i] == 1:
            both_locked_first.wait(timeout=10)  # each holds one row, wants the other's
        Area.objects.filter(pk=second).update(name=f"网格{i}")
        return tries[i]

    results = [None, None]

    def run(i):
        try:
            results[i] = rename(i, *((a, b) if i == 0 else (b, a)))
        except Exception as exc:  # noqa: BLE001 - asserted below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == [1, 2]  # PostgreSQL broke the deadlock; the loser ran again


def _redis_cache(settings, location):
    settings.HEALTHZ_CHECK_CACHE = True
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location,
        "KEY_PREFIX": "firstline-test", "OPTIONS": {"socket_connect_timeout": 1,
                                                     "socket_timeout": 1}}}


@pytest.mark.django_db
def test_healthz_checks_the_shared_cache_when_there_is_one(settings):
    _redis_cache(settings, "redis://127.0.0.1:6379/15")
    res = Client().get("/healthz")
    assert res.status_code == 200
    assert res.json() == {"ok": True, "database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_healthz_says_the_cache_is_down_while_the_database_is_fine(settings):
    _redis_cache(settings, "redis://127.0.0.1:1/0")  # nothing listens there
    res = Client().get("/healthz")
    assert res.status_code == 503
    assert res.json() == {"ok": False, "database": "ok", "cache": "down"}


def test_runserver_starts_while_the_database_refuses_and_answers_503(tmp_path):
    """`firstline runserver` with the database down: one line saying so (no traceback), then
    it serves, answering 503 until the database is back — as gunicorn does."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/firstline_down",
           "FIRSTLINE_VAR_DIR": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "firstline.cli", "runserver",
                             f"127.0.0.1:{port}", "--noreload"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        status, body, deadline = None, "", time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
            except urllib.error.HTTPError as exc:
                status, body = exc.code, exc.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        assert proc.poll() is None, proc.stdout.read()
        assert status == 503 and '"database": "down"' in body.replace('":"', '": "')
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0]
    assert "The database cannot be reached" in output
    assert "Traceback" not in output
