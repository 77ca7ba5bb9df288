import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from firstline.demo import DEMO_PASSWORD, build


class Command(BaseCommand):
    help = "Migrate, load the demo jurisdiction (idempotent), print the logins, and serve."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="stop before serving")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--residents-per-grid", type=int, default=40)

    def handle(self, *args, no_serve, port, residents_per_grid, **options):
        call_command("migrate", verbosity=0, interactive=False)
        ctx = build(residents_per_grid=residents_per_grid, base_url=f"http://127.0.0.1:{port}")
        self.stdout.write(f"demo jurisdiction: {ctx.street.name} ({ctx.street.code}), "
                          f"{len(ctx.communities)} communities, {len(ctx.grids)} grids")
        for line in ctx.log:
            self.stdout.write(line)
        self.stdout.write(f"demo logins (password for all: {DEMO_PASSWORD}):")
        for username, (role, area) in ctx.users.items():
            self.stdout.write(f"  {username:<12} {role:<16} {area.name} ({area.code})")
        if no_serve:
            self.stdout.write("ready; not serving (--no-serve)")
            return
        # The development server answers each request in a new thread: a connection kept
        # between requests (CONN_MAX_AGE) would stay open after its thread ends, until the
        # database refuses new ones. Django's advice: no persistent connections with it.
        connections.settings["default"]["CONN_MAX_AGE"] = 0
        # Imports, exports and list matching run in the background (docs/deploy.md
        # "Worker"): the demo runs one beside the server, so they finish as they would.
        worker = subprocess.Popen([sys.executable, "-m", "firstline.cli", "worker"],
                                  stdout=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        # A process manager's SIGTERM stops the demo as Ctrl-C does (the worker with it); a
        # shell that started the demo in the background ignores Ctrl-C's SIGINT for it.
        signal.signal(signal.SIGTERM, _interrupt)
        self.stdout.write(f"serving on http://127.0.0.1:{port}/ with a background worker "
                          f"(Ctrl-C to stop)")
        try:
            call_command("runserver", f"127.0.0.1:{port}", "--noreload")
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _die_with_parent():
    """In the worker, before it starts (Linux): SIGTERM when the demo dies, however it dies."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
