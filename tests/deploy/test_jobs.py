"""A job whose worker dies (SIGKILL, a server restart) is marked failed when its page is read, with a message that
says what happened and how to run it again, instead of showing "still running" for ever: on this host by its
pid, on another host by its heartbeat."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

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
    assert "đã dừng giữa chừng" in lines[1] and "“Chạy lại”" in lines[1]
    assert state(db, pk) == "failed"


def test_a_running_job_whose_worker_lives_is_left_alone(db, settings):
    settings.COSO_JOB_STALE_SECONDS = 60
    user = make_user("canbo")
    job = Job.objects.create(kind="test.slow", user=user, state=Job.State.RUNNING, worker=jobs._this_worker())
    assert jobs.get_for_user(user, job.pk).state == Job.State.RUNNING
    # on another host: judged by its heartbeat, fresh here
    other_host = Job.objects.create(
        kind="test.slow",
        user=user,
        state=Job.State.RUNNING,
        worker="may-khac:1",
        heartbeat_at=timezone.now() - timedelta(seconds=50),
    )
    assert jobs.get_for_user(user, other_host.pk).state == Job.State.RUNNING


def test_a_job_on_another_host_whose_heartbeat_is_old_is_marked_failed(db, settings):
    settings.COSO_JOB_STALE_SECONDS = 60
    user = make_user("canbo")
    old = timezone.now() - timedelta(seconds=61)
    job = Job.objects.create(
        kind="test.slow", user=user, state=Job.State.RUNNING, worker="may-khac:4242", heartbeat_at=old
    )
    read = jobs.get_for_user(user, job.pk)
    assert read.state == Job.State.FAILED and read.finished_at is not None
    assert "đã dừng giữa chừng" in read.message and read.result == {"worker_died": True}
    # no heartbeat at all: judged by when it started
    started = Job.objects.create(
        kind="test.slow", user=user, state=Job.State.RUNNING, worker="may-khac:4243", started_at=old
    )
    assert jobs.get_for_user(user, started.pk).state == Job.State.FAILED


def test_a_heartbeat_written_meanwhile_wins_over_the_reaper(db, settings):
    settings.COSO_JOB_STALE_SECONDS = 60
    user = make_user("canbo")
    job = Job.objects.create(
        kind="test.slow",
        user=user,
        state=Job.State.RUNNING,
        worker="may-khac:4242",
        heartbeat_at=timezone.now() - timedelta(seconds=120),
    )
    stale = Job.objects.get(pk=job.pk)  # read before the worker's next beat
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    assert not jobs.reap(stale)
    assert Job.objects.get(pk=job.pk).state == Job.State.RUNNING


def test_judging_by_heartbeat_is_off_when_the_limit_is_zero(db, settings):
    """The default on SQLite: the workers share the host, and their pid is checked instead."""
    settings.COSO_JOB_STALE_SECONDS = 0
    user = make_user("canbo")
    job = Job.objects.create(
        kind="test.slow",
        user=user,
        state=Job.State.RUNNING,
        worker="may-khac:1",
        heartbeat_at=timezone.now() - timedelta(days=1),
    )
    assert jobs.get_for_user(user, job.pk).state == Job.State.RUNNING


SEEN: dict[str, object] = {}


def records_heartbeats(job: Job, progress: jobs.Progress) -> dict[str, object]:
    """A handler: the heartbeat as the worker started it, then as a progress write left it."""
    SEEN["start"] = Job.objects.get(pk=job.pk).heartbeat_at
    Job.objects.filter(pk=job.pk).update(heartbeat_at=None)
    progress(1, 2, "Đang làm…", force=True)
    SEEN["progress"] = Job.objects.get(pk=job.pk).heartbeat_at
    return {}


def test_the_worker_beats_when_it_starts_and_with_its_progress(db):
    job = jobs.start("test.beat", make_user("canbo"), records_heartbeats)
    assert job.state == Job.State.DONE and job.handler == "tests.deploy.test_jobs.records_heartbeats"
    assert SEEN["start"] is not None and SEEN["progress"] is not None


def test_the_heartbeat_thread_writes_with_a_connection_of_its_own(transactional_db):
    user = make_user("canbo")
    job = Job.objects.create(kind="test.slow", user=user, state=Job.State.RUNNING, worker="may-khac:1")
    beat = jobs.Heartbeat(job, every=0.05).start()
    try:
        deadline = time.monotonic() + 10
        while Job.objects.get(pk=job.pk).heartbeat_at is None:
            assert time.monotonic() < deadline, "no heartbeat written"
            time.sleep(0.05)
    finally:
        beat.stop()
    assert not any(t.name == f"job-{job.pk}-heartbeat" for t in threading.enumerate())
