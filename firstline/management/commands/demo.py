from django.core.management import call_command
from django.core.management.base import BaseCommand

from firstline.demo import DEMO_PASSWORD, build


class Command(BaseCommand):
    help = "Migrate, load the demo jurisdiction (idempotent), print the logins, and serve."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="stop before serving")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--residents-per-grid", type=int, default=40)

    def handle(self, *args, no_serve, port, residents_per_grid, **options):
        call_command("migrate", verbosity=0, interactive=False)
        ctx = build(residents_per_grid=residents_per_grid)
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
        self.stdout.write(f"serving on http://127.0.0.1:{port}/  (Ctrl-C to stop)")
        call_command("runserver", f"127.0.0.1:{port}", "--noreload")
