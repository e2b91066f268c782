"""`coso load_demo`: load the demo province and accounts (once; later runs do nothing)."""

import time

from django.core.management.base import BaseCommand

from coso.orgs import demo


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (tỉnh Sông Lam và các tài khoản mẫu); không làm gì nếu đã có."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        start = time.monotonic()
        if demo.load(log=self.stdout.write):
            self.stdout.write(f"Đã nạp dữ liệu mẫu trong {time.monotonic() - start:.0f} giây.")
        else:
            self.stdout.write("Dữ liệu mẫu đã có sẵn.")
