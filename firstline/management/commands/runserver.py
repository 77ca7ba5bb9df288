"""`firstline runserver`: Django's (without serving static files: WhiteNoise does), which also
starts while the database cannot be reached — it says so in one line instead of a traceback,
and every request then answers 503 `unavailable` with Retry-After until the database is back
(CONTRACT.md "Faults"), as under gunicorn."""

from django.db import DatabaseError
from whitenoise.runserver_nostatic.management.commands.runserver import (
    Command as RunserverCommand,
)


class Command(RunserverCommand):
    def check_migrations(self):
        try:
            super().check_migrations()
        except DatabaseError as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.stdout.write(self.style.WARNING(
                f"The database cannot be reached ({reason}): requests answer 503 until it is "
                "back; run `firstline migrate` once it is."))
