from django.core.management.base import BaseCommand

from firstline import clock
from firstline.reports.submissions import signoff_chase_due


class Command(BaseCommand):
    help = ("The scheduled sign-off reminder (催报; run every 15 minutes by cron, a systemd "
            "timer or a task): from the rule reports.signoff_due (16:00 local by default) on, "
            "every community and street that has not submitted today's daily report is "
            "reminded once on its staff's dashboard. Idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("--now", type=clock.moment_argument, default=None,
                            help="judge as of this ISO 8601 time (default: now; local time if "
                                 "no offset), e.g. 2026-03-01T16:05")

    def handle(self, *args, now, **options):
        made = signoff_chase_due(now)
        self.stdout.write(f"sign-off reminders: {made} made")
