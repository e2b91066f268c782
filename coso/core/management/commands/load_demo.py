"""`coso load_demo`: load the demo data of every app, in order (each step once; later runs do nothing)."""

import time

from django.core.management.base import BaseCommand

from coso.core.registry import DEMO_STEPS


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (tỉnh Sông Lam, đảng viên, các tài khoản mẫu); phần nào đã có thì bỏ qua."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        start = time.monotonic()
        loaded = False
        for _order, _name, load in sorted(DEMO_STEPS, key=lambda step: step[0]):
            loaded = load(self.stdout.write) or loaded
        if loaded:
            self.stdout.write(f"Đã nạp dữ liệu mẫu trong {time.monotonic() - start:.0f} giây.")
        else:
            self.stdout.write("Dữ liệu mẫu đã có sẵn.")
