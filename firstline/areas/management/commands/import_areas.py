from django.core.management.base import BaseCommand, CommandError

from firstline.areas.services import areas_import
from firstline.tabular import errors_path_for, input_file_problem


class Command(BaseCommand):
    help = "Import the jurisdiction tree (CSV or xlsx; 编码/code, 名称/name, 级别/level, 上级编码/parent_code)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="validate only; write nothing")

    def handle(self, *args, file, dry_run, **options):
        problem = input_file_problem(file)
        if problem:  # a usage error: no summary of an import that never started, no errors file
            raise CommandError(problem, returncode=2)
        result = areas_import(file, dry_run=dry_run)
        if result.file_error:
            self.stderr.write(result.file_error)
            self.stdout.write(f"imported 0, updated 0, rejected 0 ({result.file_error})")
            raise CommandError(result.file_error, returncode=1)
        self.stdout.write(result.summary)
        if result.rejected:
            self.stderr.write(f"see {errors_path_for(file)}")
            raise SystemExit(1)
