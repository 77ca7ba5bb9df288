import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from firstline.accounts.roles import Role
from firstline.accounts.services import user_assign
from firstline.areas.models import Area
from firstline.errors import InvalidInput


class Command(BaseCommand):
    help = "Create a user (or add a role assignment to an existing one)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--area", required=True, help="area code; the scope is its subtree")
        parser.add_argument("--password-stdin", action="store_true",
                            help="read the password from the first line of standard input")
        parser.add_argument("--name", default="", help="display name")

    def handle(self, *args, username, role, area, password_stdin, name, **options):
        area_obj = Area.objects.filter(code=area).first()
        if area_obj is None:
            raise CommandError(_("%(field)s: unknown area %(code)s.") % {"field": "--area", "code": area},
                               returncode=2)
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError(_("empty password on standard input"), returncode=2)
        try:
            user, created = user_assign(username=username, role=role, area=area_obj,
                                        password=password, display_name=name)
        except InvalidInput as exc:
            if exc.field == "password":  # rejected input, not a usage error: nothing created
                raise CommandError(_("password refused: %(reason)s") % {"reason": exc.detail},
                                   returncode=1) from None
            flag, value = ("USERNAME", username) if exc.field == "username" else ("--name", name)
            if len(value) > 40:
                value = value[:40] + "..."
            raise CommandError(_("bad %(field)s %(value)s: %(reason)s")
                               % {"field": flag, "value": repr(value), "reason": exc.detail},
                               returncode=2) from None
        verb = "created" if created else "updated"
        self.stdout.write(f"{verb} user {user.username}: {role} of {area_obj.code}")
