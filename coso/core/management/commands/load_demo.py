"""`coso load_demo [--small]`: load the demo data of every app, in order (each step once; later runs do nothing).

`--small` passes `limit` to the steps that take one (the meetings: the first cells of the demo commune only, and as
many of the province's meeting books): a demo in a quarter of the time, for trials such as `make fuzz` in CI."""

import inspect
import time

from django.core.management.base import BaseCommand

from coso.core.registry import DEMO_STEPS

SMALL_LIMIT = 12


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu (tỉnh Sông Lam, đảng viên, các tài khoản mẫu); phần nào đã có thì bỏ qua."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--small",
            action="store_true",
            help=f"bản thu gọn, nạp nhanh: sinh hoạt chi bộ chỉ ở {SMALL_LIMIT} chi bộ đầu của xã mẫu "
            f"và sổ sinh hoạt của {SMALL_LIMIT} chi bộ khác",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        start = time.monotonic()
        loaded = False
        for _order, _name, load in sorted(DEMO_STEPS, key=lambda step: step[0]):
            kwargs = {}
            if options["small"] and "limit" in inspect.signature(load).parameters:
                kwargs["limit"] = SMALL_LIMIT
            loaded = load(self.stdout.write, **kwargs) or loaded
        if loaded:
            self.stdout.write(f"Đã nạp dữ liệu mẫu trong {time.monotonic() - start:.0f} giây.")
        else:
            self.stdout.write("Dữ liệu mẫu đã có sẵn.")
