"""`coso serve [--bind HOST:PORT] [--no-worker]`: Coso as in production.

gunicorn serves the app (threads workers; static files by WhiteNoise, collected first unless unchanged since the last start), and the task worker
(`coso db_worker --no-reload`) runs beside it for imports, exports and big reports. Ctrl+C or SIGTERM stops both
cleanly; when either stops on its own, the other is stopped too and the command fails, so that systemd (or the
person at the console) sees it.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

GRACE_SECONDS = 30
FINGERPRINT = ".coso-collected"  # in STATIC_ROOT: what the last collection was made from


def static_fingerprint() -> str:
    """A hash of every static file the finders see (path, size, modification time) and of the storage that
    collects them: when it matches the last collection's, the files in STATIC_ROOT are already the right ones."""
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static() -> None:
    """`collectstatic`, unless nothing changed since the last one (a restart then starts at once; compressing
    the files takes tens of seconds)."""
    mark = Path(settings.STATIC_ROOT) / FINGERPRINT
    fingerprint = static_fingerprint()
    if mark.is_file() and mark.read_text().strip() == fingerprint:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    mark.parent.mkdir(parents=True, exist_ok=True)
    mark.write_text(fingerprint + "\n")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise CommandError(
            f"{name}={value!r} không phải số nguyên; hãy đặt một số, ví dụ {name}={default}."
        ) from None
    if number < 1:
        raise CommandError(f"{name} phải từ 1 trở lên (đang là {number}).")
    return number


def gunicorn_command(bind: str) -> list[str]:
    """gunicorn with the threads worker: COSO_WEB_WORKERS processes (default 2, one per core of a small server),
    each with COSO_WEB_THREADS threads (default 4); requests longer than COSO_WEB_TIMEOUT seconds (default 120)
    are cut. Access log on standard output."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "coso.wsgi:application",
        "--bind",
        bind,
        "--worker-class",
        "gthread",
        "--workers",
        str(env_int("COSO_WEB_WORKERS", 2)),
        "--threads",
        str(env_int("COSO_WEB_THREADS", 4)),
        "--timeout",
        str(env_int("COSO_WEB_TIMEOUT", 120)),
        "--graceful-timeout",
        str(GRACE_SECONDS),
        "--max-requests",
        "2000",
        "--max-requests-jitter",
        "200",
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("COSO_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]


def worker_command() -> list[str]:
    return [sys.executable, "-m", "coso.cli", "db_worker", "--no-reload", "--verbosity", "1"]


class Command(BaseCommand):
    help = (
        "Chạy Coso như trên máy chủ thật: gunicorn phục vụ ứng dụng (tệp tĩnh qua WhiteNoise) và tiến trình xử lý "
        "việc nền chạy bên cạnh. Số tiến trình, số luồng: biến môi trường COSO_WEB_WORKERS (mặc định 2), "
        "COSO_WEB_THREADS (mặc định 4). Ctrl+C hoặc SIGTERM dừng cả hai."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--bind", default="127.0.0.1:8000", help="địa chỉ và cổng lắng nghe (mặc định 127.0.0.1:8000)"
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="không chạy tiến trình việc nền (khi nó chạy riêng, ví dụ unit systemd coso-worker)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self._refuse_unmigrated()
        collect_static()
        connections.close_all()
        commands = {"web": gunicorn_command(options["bind"])}
        if not options["no_worker"]:
            commands["worker"] = worker_command()
        children = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
        self.stdout.write(f"Coso đang chạy tại http://{options['bind']}/ (Ctrl+C để dừng).")
        stopping: list[int] = []

        def stop(signum: int, _frame: Any) -> None:
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        failed = ""
        while not stopping and not failed:
            for name, child in children.items():
                if child.poll() is not None:
                    failed = name
                    break
            else:
                time.sleep(0.2)
        self._stop_all(children)
        if failed and not stopping:
            label = "máy chủ web" if failed == "web" else "tiến trình việc nền"
            raise CommandError(f"{label} đã dừng (mã {children[failed].returncode}); đã dừng cả Coso.")

    def _stop_all(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS + 5
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def _refuse_unmigrated(self) -> None:
        connection = connections["default"]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(
                "Cơ sở dữ liệu chưa được cập nhật theo phiên bản này; hãy chạy `coso migrate` rồi chạy lại."
            )
