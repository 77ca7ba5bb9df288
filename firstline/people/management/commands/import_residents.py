from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from firstline.accounts.models import User
from firstline.people.services import residents_import
from firstline.tabular import errors_path_for, input_file_problem


class Command(BaseCommand):
    help = ("Import the population roster (CSV or xlsx; 姓名/name, 身份证号/id_number, "
            "手机号/phone, 网格/grid, 小区/compound, 楼栋/building, 单元/unit, 房号/room, "
            "人员类型/residency, 备注/note). Idempotent by ID number.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
        parser.add_argument("--as", dest="as_user", metavar="USERNAME",
                            help="import with this user's scope (default: every area)")

    def handle(self, *args, file, dry_run, as_user, **options):
        problem = input_file_problem(file)
        if problem:  # a usage error: no summary of an import that never started, no errors file
            raise CommandError(problem, returncode=2)
        actor = None
        if as_user:
            actor = User.objects.filter(username=as_user, is_active=True).first()
            if actor is None:
                raise CommandError(_("--as: unknown or inactive user %(username)s")
                                   % {"username": repr(as_user)}, returncode=2)
        try:
            result = residents_import(file, actor=actor, dry_run=dry_run)
        except PermissionDenied as exc:
            self.stdout.write(f"imported 0, updated 0, rejected 0 ({exc})")
            raise CommandError(str(exc), returncode=1) from exc
        except DatabaseError as exc:
            # The database failed under the import (a restart, a dropped connection): the
            # batches committed so far stay, the rest did not happen. One summary line and a
            # plain reason, not a traceback; the import is idempotent, so run it again.
            done = getattr(exc, "import_outcome", None)
            summary = done.summary if done else "imported 0, updated 0, rejected 0"
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.stdout.write(f"{summary} (stopped: database error: {reason}; "
                              f"run the same file again to finish)")
            raise CommandError(f"database error: {reason}", returncode=1) from exc
        if result.file_error:
            # Never a summary that denies rows written: rows before a break further on in the
            # file stay written, and the counts say how many.
            self.stderr.write(result.file_error)
            stopped = (f"; stopped after data row {result.next_row}" if result.written
                       and not dry_run else "")
            self.stdout.write(f"{result.summary} ({result.file_error}{stopped})")
            raise CommandError(result.file_error, returncode=1)
        self.stdout.write(result.summary + (" (dry run: nothing written)" if dry_run else ""))
        if result.rejected:
            self.stderr.write(f"see {errors_path_for(file)}")
            raise SystemExit(1)
