from django.core.management.base import BaseCommand

from firstline.people.services import households_merge_grids


class Command(BaseCommand):
    help = ("One grid per household: move the members of each household placed in another "
            "grid (rosters imported before the rule) into the household's own grid, from now "
            "on. Audited per household; idempotent. docs/people.md")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="count what would move; write nothing")

    def handle(self, *args, dry_run, **options):
        self.stdout.write(households_merge_grids(dry_run=dry_run).summary)
