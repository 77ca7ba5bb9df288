from django.core.management.base import BaseCommand

from firstline.operations.services import places_refresh


class Command(BaseCommand):
    help = ("The scheduled disinfection job (run every few minutes by cron or a systemd timer, "
            "see docs/operations.md): make the places to disinfect that other apps' data call "
            "for (a compound's common areas, isolated homes, locked-down buildings, vacated "
            "rooms) and that no event made yet — e.g. rows added by the admin. Reads never "
            "make places. Idempotent.")

    def handle(self, *args, **options):
        made = places_refresh()
        self.stdout.write(f"places made: {made}")
