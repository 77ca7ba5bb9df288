from django.core.management.base import BaseCommand, CommandError

from firstline.accounts.models import User
from firstline.accounts.services import token_create


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (the token alone on the last line)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=None, help="validity in days")
        parser.add_argument("--label", default="cli")

    def handle(self, *args, username, days, label, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"unknown or inactive user {username!r}", returncode=2)
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1", returncode=2)
        plain, token = token_create(user=user, label=label, days=days)
        self.stdout.write(f"token for {user.username}, expires {token.expires_at:%Y-%m-%d %H:%M} UTC")
        self.stdout.write(plain)
