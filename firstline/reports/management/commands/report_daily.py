import getpass
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from firstline.areas.models import Area
from firstline.errors import InvalidInput
from firstline.reports.selectors import parse_day, report_compute
from firstline.reports.xlsx import daily_report_xlsx


class Command(BaseCommand):
    help = ("The daily report (一日一报) of an area and its sub-areas, computed from recorded "
            "facts: JSON on standard output, or a JSON/xlsx file with -o.")

    def add_arguments(self, parser):
        parser.add_argument("--area", required=True, help="area code")
        parser.add_argument("--date", default="", help="local date YYYY-MM-DD (default today)")
        parser.add_argument("--format", default="json", choices=["json", "xlsx"])
        parser.add_argument("-o", "--output", default="",
                            help="write to FILE (xlsx: default daily-report-CODE-DATE.xlsx)")

    def handle(self, *args, area, date, format, output, **options):
        try:
            day = parse_day(date or None, field="--date")
        except InvalidInput as exc:
            raise CommandError(exc.detail, returncode=2) from None
        target = Area.objects.filter(code=area).first()
        if target is None:
            raise CommandError(_("%(field)s: unknown area %(code)s.") % {"field": "--area", "code": area},
                               returncode=2)
        report = report_compute(area=target, day=day)
        if format == "json":
            from firstline.reports.submissions import attach_submitted

            data = attach_submitted(report.as_json(),
                                    {n.code: n.id for n in report.nodes.values()}, day)
            text = json.dumps(data, ensure_ascii=False, indent=2)
            if not output:
                self.stdout.write(text)
                self.stderr.write(self._summary(report, "standard output"))
                return
            data = (text + "\n").encode("utf-8")
        else:
            output = output or f"daily-report-{target.code}-{day.isoformat()}.xlsx"
            data = daily_report_xlsx(report, generated_by=f"{_who()} (firstline report daily)")
        path = Path(output)
        # Write then rename: never a half-written file under the final name.
        tmp = path.with_name(f".{path.name}.part")
        try:
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise CommandError(_("cannot write %(path)s: %(reason)s")
                               % {"path": output, "reason": exc.strerror}, returncode=1) from None
        # Standard output is free when the report went to a file: the summary goes there, as
        # every command's does (on standard error only when the JSON itself is on stdout).
        self.stdout.write(self._summary(report, str(path)))

    @staticmethod
    def _summary(report, where: str) -> str:
        root = report.root
        return (f"daily report {root.code} {report.day.isoformat()}: "
                f"{root.value('residents')} residents, {len(root.children)} sub-areas -> {where}")


def _who() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "operator"
