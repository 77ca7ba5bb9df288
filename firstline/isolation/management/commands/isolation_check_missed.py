from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from firstline import clock
from firstline.isolation.services import check_missed_reports


class Command(BaseCommand):
    help = ("The scheduled isolation job (run every 15 minutes by cron or a systemd timer, see "
            "docs/isolation.md): end isolations that reached their end day, and open a "
            "missed_report alert for every due reading not received by its deadline. "
            "Idempotent: running it twice opens nothing new.")

    def add_arguments(self, parser):
        parser.add_argument("--now", default="",
                            help="judge as of this ISO 8601 time (default: now; local time if "
                                 "no offset), e.g. 2026-03-01T11:05")

    def handle(self, *args, now, **options):
        at = None
        if now:
            try:
                at = datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now: not an ISO 8601 time: {now!r}", returncode=2) from None
            if timezone.is_naive(at):
                at = timezone.make_aware(at, clock.zone())
        result = check_missed_reports(now=at)
        self.stdout.write(f"isolation check: {result['expired']} ended, {result['checked']} due "
                          f"readings checked, {result['opened']} missed-report alerts opened")
