"""`coso backup FILE`: the database and the uploads in one file, taken while Coso runs."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coso.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Sao lưu toàn bộ dữ liệu (cơ sở dữ liệu SQLite hoặc PostgreSQL và các tệp đính kèm) vào một tệp, ngay cả "
        "khi Coso đang chạy. Tệp gồm bảng kê số dòng và mã kiểm tra của từng bảng; `coso restore TỆP` phục hồi."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="tệp sao lưu sẽ ghi, ví dụ /var/backups/coso-2026-12-07.tar.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["file"])
        try:
            manifest = backup(target)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"Đã sao lưu {len(manifest['tables'])} bảng ({rows} dòng) và tệp đính kèm vào {target}."
        )
