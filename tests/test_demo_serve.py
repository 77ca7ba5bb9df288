"""`firstline demo` serving, as a new user runs it: the links it prints point where it serves,
a background worker runs beside the server (imports, exports and list matching finish), and
page after page does not pile up database connections (the development server answers each
request in a new thread; a connection kept between requests outlived its thread until
PostgreSQL refused everyone)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> dict[int, str]:
    """{pid: command line} of the direct children of `pid` (Linux /proc)."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:  # the server's request threads come and go while we read
            children = (task / "children").read_text().split()
        except FileNotFoundError:
            continue
        for child in children:
            try:
                out[int(child)] = (Path(f"/proc/{child}/cmdline").read_bytes()
                                   .replace(b"\0", b" ").decode())
            except FileNotFoundError:
                pass
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def demo_database(tmp_path):
    """A database of its own for the demo: SQLite in tmp_path, or a new PostgreSQL database
    on the tests' server (dropped afterwards)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        yield f"sqlite:///{tmp_path / 'demo.sqlite3'}", None
        return
    import psycopg

    name = f"fl_demo_serve_{uuid.uuid4().hex[:8]}"
    server = dict(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                  user=db["USER"], password=db["PASSWORD"] or None, dbname="postgres")
    with psycopg.connect(**server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    yield f"postgres://{auth}@{server['host']}:{server['port']}/{name}", (server, name)
    with psycopg.connect(**server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _connections(server, name) -> int:
    import psycopg

    with psycopg.connect(**server, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                            [name]).fetchone()[0]


def test_the_served_demo_links_its_port_runs_a_worker_and_keeps_few_connections(
        demo_database):
    url, pg = demo_database
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("FIRSTLINE_TEST_DB_NAME", None)
    demo = subprocess.Popen([sys.executable, "-m", "firstline.cli", "demo", "--port", str(port),
                             "--residents-per-grid", "3"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    workers = []
    try:
        lines = []
        for line in demo.stdout:
            lines.append(line)
            if line.startswith("serving on"):
                break
        printed = "".join(lines)
        assert "serving on" in printed, printed
        links = re.findall(r"http://127\.0\.0\.1:(\d+)/", printed)
        assert links and set(links) == {str(port)}, printed
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):  # the server starts listening just after it says so
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=5)
                break
            except OSError:
                time.sleep(0.1)
        workers = [p for p, c in _children(demo.pid).items() if c.endswith(" worker ")]
        assert len(workers) == 1, _children(demo.pid)
        for _ in range(30):  # each asks the database (healthz: SELECT 1)
            assert urllib.request.urlopen(f"{base}/healthz", timeout=10).status == 200
        if pg is not None:
            time.sleep(0.5)  # a request's thread closes its connection as it ends
            # the worker's own and at most one request's in flight — not one per request
            assert _connections(*pg) <= 3
    finally:
        demo.send_signal(signal.SIGTERM)  # as a process manager stops it (Ctrl-C's SIGINT
        # is ignored by a process a non-interactive shell started in the background)
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            demo.kill()
    # stopping the demo stops the worker too (it may finish the task at hand first)
    for _ in range(300):
        if not _alive(workers[0]):
            break
        time.sleep(0.1)
    assert not _alive(workers[0])
