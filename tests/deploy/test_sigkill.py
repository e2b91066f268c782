"""A real process SIGKILLed at a random point of a bulk move, a member import (its write job) and an evaluation bulk
decision leaves the database whole: each operation is written all or nothing, its history rows match its data
rows, every active member still has exactly one current official membership in the cell they belong to, and a
killed import job is reaped as failed, then runs again on the same file to the full count.

The operations run in `tests/deploy/sigkill_world.py` (a subprocess with production settings on a database of
its own, of the suite's kind: a SQLite file, or a throwaway PostgreSQL database beside the suite's). The point is
a statement number drawn from a seed (random, or COSO_SIGKILL_SEED to replay one), printed in every assertion
message; the subprocess stops before that statement and says so, and the test kills it there: no timing. The
world is migrated and built once per module (migrating takes most of the time) and copied for each test."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dj_database_url
import psycopg
import pytest

from tests.deploy.test_serve import production_env

ROOT = Path(__file__).resolve().parents[2]
DUMMY = "django_tasks.backends.dummy.DummyBackend"
IMMEDIATE = "django_tasks.backends.immediate.ImmediateBackend"
SQLITE = "coso.sqlite3"


def world(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(
        [sys.executable, "-m", "tests.deploy.sigkill_world", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def _pg_admin() -> tuple[str, dict[str, Any]]:
    url = os.environ["DATABASE_URL"]
    config = dj_database_url.parse(url)
    admin = {"host": config["HOST"] or None, "port": config["PORT"] or None, "user": config["USER"] or None}
    return url, admin


def _pg(sql: str) -> None:
    _url, admin = _pg_admin()
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The world, built once: a SQLite file to copy, or a PostgreSQL database to clone (`TEMPLATE`)."""
    folder = tmp_path_factory.mktemp("sigkill-world")
    extra: dict[str, str] = {"COSO_SSL_REDIRECT": "0", "DJANGO_SETTINGS_MODULE": "coso.settings"}
    name = ""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        url, _admin = _pg_admin()
        name = f"coso_sigkill_tpl_{uuid.uuid4().hex[:10]}"
        _pg(f'CREATE DATABASE "{name}"')
        extra["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    try:
        world(production_env(folder, **extra), "build", timeout=600)
        yield {"folder": str(folder), "name": name}
    finally:
        if name:
            _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def env(template: dict[str, str], tmp_path: Path) -> Iterator[dict[str, str]]:
    """Production settings on a fresh copy of the world."""
    extra: dict[str, str] = {"COSO_SSL_REDIRECT": "0", "DJANGO_SETTINGS_MODULE": "coso.settings"}
    name = ""
    if template["name"]:
        url, _admin = _pg_admin()
        name = f"coso_sigkill_{uuid.uuid4().hex[:10]}"
        _pg(f'CREATE DATABASE "{name}" TEMPLATE "{template["name"]}"')
        extra["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    else:
        for suffix in ("", "-wal", "-shm"):
            source = Path(template["folder"]) / (SQLITE + suffix)
            if source.exists():
                shutil.copy(source, tmp_path / (SQLITE + suffix))
    try:
        yield production_env(tmp_path, **extra)
    finally:
        if name:
            _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def kill_midway(env: dict[str, str], scenario: str) -> tuple[str, dict[str, Any]]:
    """Run `scenario` in a subprocess, SIGKILL it where it stops (a random statement, or after the end), then
    check the database in another one. Returns what the run said (seed, point) and the check's findings."""
    seed = int(os.environ.get("COSO_SIGKILL_SEED") or random.randrange(1_000_000))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.deploy.sigkill_world", "run", scenario, str(seed)],
        env={**env, "COSO_TASKS_BACKEND": DUMMY},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(120, proc.kill)  # a run that never stops fails the test instead of hanging it
    watchdog.start()
    said = ""
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(("PAUSE", "DONE")):
                said = line.strip()
                break
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        watchdog.cancel()
        proc.wait(10)
        err = proc.stderr.read() if proc.stderr else ""
    where = f"{scenario}, seed {seed} (COSO_SIGKILL_SEED={seed} replays it): {said or 'no pause'}"
    assert said, f"{where}\n{err}"
    assert proc.returncode == -signal.SIGKILL, where
    found = json.loads(
        world({**env, "COSO_TASKS_BACKEND": IMMEDIATE}, "check", scenario).stdout.splitlines()[-1]
    )
    return where, found


def assert_members_whole(found: dict[str, Any], where: str) -> None:
    assert found["active_without_one_membership"] == 0, where
    assert found["home_org_mismatch"] == 0, where
    assert all(found["history_matches"].values()), f"{where}: {found['history_matches']}"


def test_a_bulk_move_killed_midway_moves_everybody_or_nobody(env):
    where, found = kill_midway(env, "move")
    assert_members_whole(found, where)
    n = found["movers"]
    if found["moved_open"]:
        expected = {"source_open": 0, "moved_open": n, "closed_on_move": n, "membership_history": 2 * n}
        assert found["member_history"] == n, where
    else:
        expected = {"source_open": n, "moved_open": 0, "closed_on_move": 0, "membership_history": 0}
        assert found["member_history"] == 0, where
    assert {k: found[k] for k in expected} == expected, where


def test_a_member_import_killed_midway_writes_nothing_then_runs_again_in_full(env):
    where, found = kill_midway(env, "import")
    assert_members_whole(found, where)
    complete, rows, history = found["complete"], found["rows"], found["history"]
    nothing = dict.fromkeys(complete, 0)
    written = rows == complete
    assert written or rows == nothing, f"{where}: {rows}"
    assert history == rows, where  # one history row per row written, none for what was not
    job = found["job"]
    if written:  # killed after the commit: the job may still read running until the page reaps it
        assert job["state"] in ("done", "failed"), where
    elif found["job_before"] == "queued":  # killed before the worker took it: nothing to reap
        assert job["state"] == "queued", where
    else:
        assert job["state"] == "failed" and job["result"] == {"worker_died": True}, where
        assert "đã dừng giữa chừng" in job["message"] and "chưa ghi gì" in job["message"], where
    if job["state"] == "failed" and not written:
        again = found["restart"]
        assert again["state"] == "done" and again["created"] == complete["Member"], where
        assert again["rows"] == complete, where
        assert again["history"] == again["rows"] and found["history_matches_after_restart"], where


def test_an_evaluation_decision_killed_midway_decides_every_line_or_none(env):
    where, found = kill_midway(env, "decide")
    assert_members_whole(found, where)
    entries, decided = found["entries"], found["decided"]
    assert entries > 0 and decided in (0, entries), where
    assert found["decided_history"] == decided, where
    assert found["period_state"] == ("deciding" if decided else "reviewing"), where
    assert found["period_history"] == (1 if decided else 0), where
