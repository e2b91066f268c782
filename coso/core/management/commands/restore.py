"""`coso restore FILE`: put back the database and the uploads of a `coso backup` file."""

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coso.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Phục hồi dữ liệu từ tệp của `coso backup`: thay toàn bộ cơ sở dữ liệu và tệp đính kèm bằng dữ liệu trong "
        "tệp, rồi đối chiếu từng bảng với bảng kê. Hãy dừng Coso (máy chủ web và tiến trình việc nền) trước khi "
        "phục hồi."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="tệp sao lưu")
        parser.add_argument("--yes", action="store_true", help="không hỏi lại (khi chạy trong kịch bản)")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        if not options["yes"]:
            answer = input(
                "Toàn bộ dữ liệu hiện có sẽ được thay bằng dữ liệu trong tệp sao lưu. Gõ “co” để tiếp tục: "
            )
            if answer.strip().lower() not in ("co", "có"):
                raise CommandError("Đã hủy: chưa thay đổi gì.")
        try:
            manifest = restore(source)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        taken = timezone.localtime(dt.datetime.fromisoformat(manifest["taken_at"]))
        self.stdout.write(
            f"Đã phục hồi {len(manifest['tables'])} bảng từ bản sao lưu lúc {taken:%H:%M} ngày {taken:%d/%m/%Y}; "
            "mọi bảng khớp với bảng kê."
        )
