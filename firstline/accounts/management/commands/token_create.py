from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from firstline.accounts.models import ApiToken, User
from firstline.accounts.services import token_create

MAX_DAYS = 3650  # ten years; far beyond that the expiry date overflows
LABEL_MAX = ApiToken._meta.get_field("label").max_length


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (the token alone on the last line)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=None,
                            help=f"validity in days (1-{MAX_DAYS})")
        parser.add_argument("--label", default="cli")

    def handle(self, *args, username, days, label, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("unknown or inactive user %(username)s")
                               % {"username": repr(username)}, returncode=2)
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise CommandError(_("--days must be between 1 and %(max)d") % {"max": MAX_DAYS},
                               returncode=2)
        if len(label) > LABEL_MAX:
            raise CommandError(_("--label must be at most %(max)d characters") % {"max": LABEL_MAX},
                               returncode=2)
        plain, token = token_create(user=user, label=label, days=days)
        self.stdout.write(f"token for {user.username}, expires {token.expires_at:%Y-%m-%d %H:%M} UTC")
        self.stdout.write(plain)
