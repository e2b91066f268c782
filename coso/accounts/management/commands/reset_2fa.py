"""`coso reset_2fa USERNAME`: forget a user's authenticator app and recovery codes (a lost phone)."""

from django.core.management.base import BaseCommand, CommandError

from coso.accounts import twofactor
from coso.accounts.models import User


class Command(BaseCommand):
    help = (
        "Gỡ xác thực hai lớp của một tài khoản (mất điện thoại và mã khôi phục): lần đăng nhập tới, tài khoản "
        "cài lại ứng dụng xác thực. Việc gỡ được ghi vào nhật ký truy cập."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("username")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        user = User.objects.filter(username__iexact=options["username"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng “{options['username']}”.")
        twofactor.reset(user, by="lệnh coso reset_2fa trên máy chủ")
        self.stdout.write(
            f"Đã gỡ xác thực hai lớp của {user.username}; lần đăng nhập tới sẽ cài lại ứng dụng xác thực."
        )
