"""The embedded SQLite database with two writers: `coso import` waits for the other write to end, and past the
wait it says the database is busy and that nothing was written (no traceback); pages answer 503 the same way."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

from django.db import OperationalError
from django.test import RequestFactory

from coso.core.middleware import BusyDatabaseMiddleware
from coso.orgs.importer import template_bytes
from tests.deploy.test_serve import coso, production_env


def lock_for(path: str, seconds: float) -> threading.Thread:
    """Another writer: holds the database's write lock for `seconds`."""
    ready = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, timeout=1)
        conn.execute("BEGIN IMMEDIATE")
        ready.set()
        time.sleep(seconds)
        conn.rollback()
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait(5)
    return thread


def test_an_import_waits_for_another_write_then_says_busy_past_the_wait(db, tmp_path):
    env = production_env(tmp_path, COSO_SSL_REDIRECT="0", COSO_SQLITE_TIMEOUT="2")
    assert coso("migrate", "--noinput", "-v0", env=env).returncode == 0
    path = str(tmp_path / "coso.sqlite3")
    book = tmp_path / "to-chuc.xlsx"
    book.write_bytes(template_bytes())

    # a write that outlasts the wait: a clear message, nothing written
    other = lock_for(path, 6)
    r = coso("import", "orgs", str(book), env=env)
    other.join()
    assert r.returncode != 0
    assert "Cơ sở dữ liệu đang bận" in r.stderr and "chưa có gì thay đổi" in r.stderr
    assert "Traceback" not in r.stderr
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM orgs_organization").fetchone()[0] == 0

    # a write that ends within the wait: the import waits, then writes
    other = lock_for(path, 1)
    r = coso("import", "orgs", str(book), env=env)
    other.join()
    assert r.returncode == 0, r.stderr
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM orgs_organization").fetchone()[0] > 0


def test_a_page_or_an_api_call_that_finds_the_database_busy_answers_503(db):
    middleware = BusyDatabaseMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    busy = OperationalError("database is locked")
    page = middleware.process_exception(RequestFactory().post("/members/1/profile/"), busy)
    assert page is not None and page.status_code == 503 and "Máy chủ đang bận" in page.content.decode()
    api = middleware.process_exception(RequestFactory().post("/api/v1/members/1/exit/"), busy)
    assert api is not None and api.status_code == 503 and "đang bận" in json.loads(api.content)["detail"]
    assert middleware.process_exception(RequestFactory().get("/"), OperationalError("no such table")) is None
