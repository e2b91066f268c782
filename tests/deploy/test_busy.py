"""The embedded SQLite database with two writers: `coso import` waits for the other write to end, and past the
wait it says the database is busy and that nothing was written (no traceback); pages answer 503 the same way."""

from __future__ import annotations

import glob
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from django.db import OperationalError
from django.test import RequestFactory

from coso.core.middleware import BusyDatabaseMiddleware
from coso.orgs.importer import template_bytes
from tests.deploy.test_serve import coso, production_env


class OtherWriter:
    """Another writer: holds the database's write lock from `__enter__` until `release()` (or the end of the
    `with`)."""

    def __init__(self, path: str):
        self.conn = sqlite3.connect(path, timeout=1, check_same_thread=False)

    def __enter__(self) -> OtherWriter:
        self.conn.execute("BEGIN IMMEDIATE")
        return self

    def release(self) -> None:
        if self.conn.in_transaction:
            self.conn.rollback()

    def __exit__(self, *exc: object) -> None:
        self.release()
        self.conn.close()


def has_open(pid: int, path: str) -> bool:
    """Whether process `pid` has the database file open (it has started reading it)."""
    try:
        return any(os.path.realpath(fd) == path for fd in glob.glob(f"/proc/{pid}/fd/*"))
    except OSError:
        return False


def run_import(book: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "coso.cli", "import", "orgs", str(book)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_an_import_waits_for_another_write_then_says_busy_past_the_wait(db, tmp_path):
    env = production_env(tmp_path, COSO_SSL_REDIRECT="0", COSO_SQLITE_TIMEOUT="2")
    assert coso("migrate", "--noinput", "-v0", env=env).returncode == 0
    path = os.path.realpath(tmp_path / "coso.sqlite3")
    book = tmp_path / "to-chuc.xlsx"
    book.write_bytes(template_bytes())

    # a write that outlasts the wait (it ends only when the import has given up): a clear message, nothing written
    with OtherWriter(path):
        p = run_import(book, env)
        _, stderr = p.communicate(timeout=300)
    assert p.returncode != 0
    assert "Cơ sở dữ liệu đang bận" in stderr and "chưa có gì thay đổi" in stderr
    assert "Traceback" not in stderr
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM orgs_organization").fetchone()[0] == 0

    # a write that ends within the wait (released soon after the import has opened the database; the wait is long
    # enough for a slow machine): the import waits, then writes
    env["COSO_SQLITE_TIMEOUT"] = "20"
    with OtherWriter(path) as other:
        p = run_import(book, env)
        while p.poll() is None and not has_open(p.pid, path):
            time.sleep(0.05)
        time.sleep(0.5)
        other.release()
        _, stderr = p.communicate(timeout=300)
    assert p.returncode == 0, stderr
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM orgs_organization").fetchone()[0] > 0


def test_a_page_or_an_api_call_that_finds_the_database_busy_answers_503(db):
    middleware = BusyDatabaseMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    busy = OperationalError("database is locked")
    page = middleware.process_exception(RequestFactory().post("/members/1/profile/"), busy)
    assert page is not None and page.status_code == 503 and "Máy chủ đang bận" in page.content.decode()
    api = middleware.process_exception(RequestFactory().post("/api/v1/members/1/exit/"), busy)
    assert api is not None and api.status_code == 503 and "đang bận" in json.loads(api.content)["detail"]
    assert middleware.process_exception(RequestFactory().get("/"), OperationalError("no such table")) is None
