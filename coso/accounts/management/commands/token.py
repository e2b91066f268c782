"""`coso token USERNAME`: issue an API token for a user and print it."""

from django.core.management.base import BaseCommand, CommandError

from coso.accounts.models import User
from coso.accounts.services import issue_token


class Command(BaseCommand):
    help = "Cấp token API mới cho người dùng (token cũ bị thay thế) và in ra."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("username")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        user = User.objects.filter(username__iexact=options["username"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng “{options['username']}”.")
        self.stdout.write(issue_token(user).key)
