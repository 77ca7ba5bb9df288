"""Request logs never keep an ID number or phone typed into a URL (privacy audit F1): the
real servers are started, asked `GET /api/v1/residents?q=<ID number>` (a contract URL), and
their log output is read. The database is pointed at nothing: every request answers 503
(or 401/404 before it needs one) and is logged all the same."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ID_NUMBER = "310115194401086169"
PHONE = "13812345678"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_and_ask(cmd, port, tmp_path) -> str:
    """Start `cmd`, send the two requests once it answers, stop it; its output."""
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/firstline_down",
           "FIRSTLINE_VAR_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    base = f"http://127.0.0.1:{port}"
    asked = False
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and not asked:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5)
            except urllib.error.HTTPError:
                asked = True
            except OSError:
                time.sleep(0.3)
                continue
            for url, referer in [
                (f"{base}/api/v1/residents?q={ID_NUMBER}&area=C1", None),
                (f"{base}/people/residents/?page=2", f"{base}/people/residents/?q={PHONE}"),
            ]:
                request = urllib.request.Request(url, headers={"Referer": referer or "-"})
                try:
                    urllib.request.urlopen(request, timeout=10)
                except urllib.error.HTTPError:
                    pass
            asked = True
        time.sleep(0.5)  # let the log lines be written
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0]
    assert asked, output
    return output


def test_runserver_request_log_writes_no_query_values(tmp_path):
    port = _free_port()
    output = _serve_and_ask([sys.executable, "-m", "firstline.cli", "runserver",
                             f"127.0.0.1:{port}", "--noreload"], port, tmp_path)
    assert "GET /api/v1/residents?q=-&area=- HTTP/1.1" in output, output
    assert "GET /people/residents/?page=- HTTP/1.1" in output, output
    assert ID_NUMBER not in output and PHONE not in output, output


def test_gunicorn_access_log_writes_no_query_values(tmp_path):
    """gunicorn as docs/deploy.md runs it (-c python:firstline.gunicorn_conf), with the
    default access-log format (request line and Referer)."""
    port = _free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "firstline.wsgi:application",
                "-c", "python:firstline.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
                "--workers", "1", "--no-control-socket", "--access-logfile", "-",
                "--error-logfile", "-"]
    output = _serve_and_ask(gunicorn, port, tmp_path)
    assert '"GET /api/v1/residents?q=-&area=- HTTP/1.1"' in output, output
    assert "/people/residents/?q=-" in output, output  # the Referer, redacted too
    assert ID_NUMBER not in output and PHONE not in output, output
