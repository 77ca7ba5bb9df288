from django.core.management.base import BaseCommand

from firstline import worker


class Command(BaseCommand):
    help = ("Run background tasks (roster imports and lists uploaded on the web, exports) and "
            "schedule the periodic checks (" + worker.schedule_help() + "). Interrupted "
            f"imports and exports are resumed every {worker.TICK_SECONDS} s. Keep one or more "
            "running (docs/deploy.md \"Worker\").")

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true",
                            help="run what is queued (and resume interrupted imports and exports), then stop")
        parser.add_argument("--no-schedule", action="store_false", dest="schedule",
                            help="do not enqueue the periodic checks (another worker does)")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="seconds between looks at an empty queue (database queue)")

    def handle(self, *args, batch, schedule, interval, **options):
        worker.run(batch=batch, schedule=schedule, interval=interval, stdout=self.stdout)
