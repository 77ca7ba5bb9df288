import time

from django.core.management.base import BaseCommand

from firstline.people.models import ImportJob
from firstline.people.services import import_job_step


class Command(BaseCommand):
    help = ("Process uploaded roster files (ImportJob rows) to the end. Safe to run several "
            "at once: a lease gives each job to one process. Without it, jobs advance "
            "while their page is open in a browser.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="process what is queued, then stop")
        parser.add_argument("--sleep", type=float, default=2.0)

    def handle(self, *args, once, sleep, **options):
        while True:
            ids = list(ImportJob.objects.filter(
                state__in=[ImportJob.State.PENDING, ImportJob.State.RUNNING])
                .order_by("created_at").values_list("pk", flat=True))
            for pk in ids:
                job = import_job_step(job_id=pk, seconds=None)
                self.stdout.write(f"job {job.pk} {job.filename}: {job.state} imported "
                                  f"{job.imported}, updated {job.updated}, rejected {job.rejected}")
            if once:
                self.stdout.write(f"processed {len(ids)} job(s)")
                return
            time.sleep(sleep)
