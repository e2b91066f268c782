"""Make the embedded database ready before a command that reads or writes it.

With the default SQLite database (no DATABASE_URL), `coso report ...` and `coso import ...` on a fresh checkout
create it and apply the migrations first, as `make run` does. With a configured server database, pending
migrations are an error that says what to run: migrating production is a deliberate act.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def ensure_database(stdout: Any) -> None:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not pending:
        return
    if os.environ.get("DATABASE_URL"):
        raise CommandError("Cơ sở dữ liệu chưa được cập nhật cấu trúc: hãy chạy `coso migrate` trước.")
    stdout.write("Đang tạo cơ sở dữ liệu SQLite (lần đầu) ...")
    call_command("migrate", verbosity=0, interactive=False)
