"""A job whose worker dies (SIGKILL, a server restart) is marked failed when its page is read, with a message that
says what happened and how to run it again, instead of showing "still running" for ever."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from coso.core import jobs
from coso.core.models import Job
from tests.deploy.test_serve import coso, production_env
from tests.orgs.test_api import make_user

ROOT = Path(__file__).resolve().parents[2]
START = (
    "from coso.accounts.services import create_user; from coso.core import jobs; "
    "u = create_user(None, username='canbo', password='Mat-khau-dai-2025', full_name='Cán bộ'); "
    "print(jobs.start('test.slow', u, 'tests.deploy.slow_handler.slow').pk)"
)
READ = (
    "from coso.accounts.models import User; from coso.core import jobs; "
    "j = jobs.get_for_user(User.objects.get(username='canbo'), {pk}); print(j.state); print(j.message)"
)


def state(path: str, pk: int) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT state FROM core_job WHERE id = ?", (pk,)).fetchone()[0]


def test_a_job_whose_worker_is_killed_is_marked_failed_and_says_to_run_it_again(tmp_path):
    env = production_env(tmp_path, COSO_SSL_REDIRECT="0", PYTHONPATH=str(ROOT))
    assert coso("migrate", "--noinput", "-v0", env=env).returncode == 0
    started = coso("shell", "--no-imports", "-c", START, env=env, cwd=ROOT)
    assert started.returncode == 0, started.stderr
    pk = int(started.stdout.strip().splitlines()[-1])
    db = str(tmp_path / "coso.sqlite3")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "coso.cli",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while state(db, pk) != "running":
            assert worker.poll() is None and time.monotonic() < deadline, "the worker never started the job"
            time.sleep(0.2)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    assert state(db, pk) == "running"  # nobody has looked yet
    read = coso("shell", "--no-imports", "-c", READ.format(pk=pk), env=env, cwd=ROOT)
    assert read.returncode == 0, read.stderr
    lines = read.stdout.strip().splitlines()
    assert lines[0] == "failed"
    assert "đã dừng giữa chừng" in lines[1] and "Hãy chạy lại" in lines[1]
    assert state(db, pk) == "failed"


def test_a_running_job_whose_worker_lives_is_left_alone(db):
    user = make_user("canbo")
    job = Job.objects.create(kind="test.slow", user=user, state=Job.State.RUNNING, worker=jobs._this_worker())
    assert jobs.get_for_user(user, job.pk).state == Job.State.RUNNING
    other_host = Job.objects.create(kind="test.slow", user=user, state=Job.State.RUNNING, worker="may-khac:1")
    assert jobs.get_for_user(user, other_host.pk).state == Job.State.RUNNING  # not ours to judge
