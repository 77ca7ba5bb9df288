from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from firstline.apitypes import date_parse
from firstline.errors import InvalidInput, RuleViolation
from firstline.lists.services import area_for_list, checklist_import
from firstline.tabular import input_file_problem


class Command(BaseCommand):
    help = ("Import a list from above (核查名单: CSV or xlsx in the sender's own columns, with "
            "a name and an ID number or phone), match it to the roster and make one "
            "verification item per person.")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", required=True,
                            help="who sent the list (a department, a manifest, a case)")
        parser.add_argument("--deadline", metavar="YYYY-MM-DD",
                            help="the date by which every person must be reached")
        parser.add_argument("--area", metavar="CODE",
                            help="the area the list is for (default: the top area)")

    def handle(self, *args, file, source, deadline, area, **options):
        problem = input_file_problem(file)
        if problem:
            raise CommandError(problem, returncode=2)
        # Said in the command line's language (FIRSTLINE_LANGUAGE), as every command's
        # messages, naming the option as it is typed.
        try:
            due = date_parse(deadline, field="--deadline")
        except InvalidInput as exc:
            raise CommandError(exc.detail, returncode=2) from None
        if not source.strip():
            raise CommandError(_("%(field)s is required.") % {"field": "--source"},
                               returncode=2)
        try:
            target = area_for_list(code=area, actor=None)
        except RuleViolation:
            raise CommandError(_("%(field)s: unknown area %(code)s.")
                               % {"field": "--area", "code": area}, returncode=2) from None
        try:
            result = checklist_import(path=file, source=source, deadline=due, area=target)
        except RuleViolation as exc:
            self.stdout.write(f"rows 0, matched_by_id 0, matched_by_name_phone 0, "
                              f"matched_by_name_address 0, unmatched 0 ({exc.detail})")
            raise CommandError(exc.detail, returncode=1) from exc
        if result.file_error:
            why = result.file_error
            if result.error_code == "empty_file":  # the file is the whole of what is wrong
                why = _("file %(name)s: %(reason)s") % {"name": file, "reason": why}
            self.stdout.write(f"rows 0, matched_by_id 0, matched_by_name_phone 0, "
                              f"matched_by_name_address 0, unmatched 0 ({why})")
            raise CommandError(why, returncode=1)
        note = "" if result.created else f" (already imported as list {result.checklist.pk}: " \
                                         f"nothing added)"
        self.stdout.write(f"list {result.checklist.pk}: {result.summary}{note}")
