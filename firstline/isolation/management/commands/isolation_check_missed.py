from django.core.management.base import BaseCommand

from firstline import clock
from firstline.isolation.services import check_missed_reports


class Command(BaseCommand):
    help = ("The scheduled isolation job (run every 15 minutes by cron or a systemd timer, see "
            "docs/isolation.md): end isolations that reached their end day, and open a "
            "missed_report alert for every due reading not received by its deadline. "
            "Idempotent: running it twice opens nothing new.")

    def add_arguments(self, parser):
        parser.add_argument("--now", type=clock.moment_argument, default=None,
                            help="judge as of this ISO 8601 time (default: now; local time if "
                                 "no offset), e.g. 2026-03-01T11:05")

    def handle(self, *args, now, **options):
        result = check_missed_reports(now=now)
        self.stdout.write(f"isolation check: {result['expired']} ended, {result['checked']} due "
                          f"readings checked, {result['opened']} missed-report alerts opened")
