"""Background jobs: a `Job` row that any app starts, a task that runs it, progress a page can poll.

    job = jobs.start("members.import.check", user, "coso.members.views.check_import", params={...}, path=...)

creates the row (queued) and enqueues `run_job` in Django's task framework (`django-tasks`, database backend:
`coso db_worker` runs it; under the tests the immediate backend runs it at once). The worker calls the handler
named by its dotted path as `handler(job, progress)`: `progress(done, total, message="")` records how far it
got, and the handler returns the result (a small JSON-able dict: counts, the first errors) or raises `JobFailed`
with a Vietnamese message that says what to do. Any other exception fails the job with a generic message (the
traceback goes to the log).

Progress and transactions. Progress is written in its own short autocommit UPDATE of the job row, at most
every `PROGRESS_EVERY` seconds (and whenever the message changes), never inside the handler's transaction, so
the page sees it at once and a rolled-back import does not roll it back:
- outside a transaction (reading, validating) it goes through the ordinary connection;
- inside one (an import writing everything in one transaction), on PostgreSQL it goes through a second
  connection of its own; on SQLite, where one writer holds the whole database until it commits, a second
  connection would wait for the lock, so nothing is written until the transaction ends: the page keeps the
  last counts and message written before it (e.g. “đang ghi vào cơ sở dữ liệu…”) with a moving bar.

A worker that dies. A running job records its worker (`host:pid`) and a heartbeat (`heartbeat_at`): set when it
starts, with every progress write, and on PostgreSQL every `HEARTBEAT_EVERY` seconds from a thread with a
connection of its own (outside the handler's transaction, so it goes on while an import writes). Reading a job
(`get_for_user`, `reap`) marks it failed when its worker is on this host and its process is gone, or on another
host and its heartbeat is older than `settings.COSO_JOB_STALE_SECONDS`. On SQLite there is no heartbeat thread (a
writer holds the database, so the thread's write would wait for the import's transaction) and no judging by
heartbeat by default (the setting is 0): the web server and the workers share one host and its database file,
and the pid check suffices.

Running again. A failed job can be run again by its owner (`restart`): a new job with the same kind, parameters,
file and handler, pointing back at the failed one; an import's kept file is read again, and a job whose file is
gone says so (`restart_refusal`).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from .errors import DomainError, NotInScope
from .history import stamp
from .models import Job

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 0.5  # seconds between two progress writes
HEARTBEAT_EVERY = (
    10.0  # seconds between two heartbeats of a running job (PostgreSQL), at most a quarter of the limit
)
MESSAGE_MAX = 1000
WORKER_DIED = (
    "Tiến trình xử lý việc nền đã dừng giữa chừng (máy chủ khởi động lại hoặc tiến trình bị tắt) nên việc này "
    "không hoàn thành; chưa ghi gì. Hãy bấm “Chạy lại” để chạy lại việc này."
)
FILE_GONE = (
    "Không còn tệp đã tải lên cho việc này (tệp chỉ được giữ đến khi nhập xong) nên không chạy lại được; hãy chọn "
    "lại tệp Excel và kiểm tra lại từ đầu."
)
RESTARTED = "Chạy lại công việc #{pk}"
UNEXPECTED = (
    "Có lỗi không mong đợi khi xử lý (mã công việc {pk}); chưa ghi gì. Hãy thử lại; nếu vẫn lỗi, hãy báo "
    "quản trị hệ thống kèm mã công việc này."
)

Handler = Callable[[Job, "Progress"], dict[str, Any] | None]


class JobFailed(Exception):
    """Raised by a handler: the job fails with `message` (Vietnamese: what is wrong and what to do), and the
    optional `result` is kept for the page."""

    def __init__(self, message: str, result: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.result = result or {}


# ------------------------------------------------------------------------------------------------- reads


def for_user(user: Any, kind: str | None = None) -> QuerySet[Job]:
    """The jobs `user` started (only the owner sees a job), newest first."""
    pk = getattr(user, "pk", None)
    if pk is None:  # anonymous: no jobs
        return Job.objects.none()
    qs = Job.objects.filter(user_id=pk)
    return qs.filter(kind=kind) if kind else qs


def get_for_user(user: Any, pk: int, kind: str | tuple[str, ...] | None = None) -> Job:
    """One job of `user` (404 for anybody else's, or for one of another kind); a running job whose worker died
    is marked failed first (`reap`), so its page says so instead of "still running" for ever."""
    qs = for_user(user)
    if isinstance(kind, str):
        qs = qs.filter(kind=kind)
    elif kind:
        qs = qs.filter(kind__in=kind)
    job = get_object_or_404(qs, pk=pk)
    reap(job)
    return job


def _this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_alive(worker: str) -> bool | None:
    """Whether the worker process `host:pid` still runs: True or False on this host, None on another one (its
    process cannot be seen from here)."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # runs under another user: alive
        return True
    return True


def stale_after() -> dt.timedelta | None:
    """How old a heartbeat of a worker on another host may be before its job counts as dead (None: never)."""
    seconds = int(getattr(settings, "COSO_JOB_STALE_SECONDS", 0) or 0)
    return dt.timedelta(seconds=seconds) if seconds > 0 else None


def heartbeat_stale(job: Job) -> bool:
    """Whether `job`'s last sign of life (heartbeat, else its start) is older than `stale_after()`."""
    limit = stale_after()
    if limit is None:
        return False
    last = job.heartbeat_at or job.started_at
    return last is None or timezone.now() - last > limit


def reap(job: Job) -> bool:
    """Mark `job` failed when it is running and its worker is gone: on this host its process is gone, on another
    its heartbeat is stale (killed, or the server restarted: its transaction was rolled back, so nothing of it
    was written). `result["worker_died"]` tells the page to say so and offer to run it again. Returns whether it
    did."""
    if job.state != Job.State.RUNNING or not job.worker:
        return False
    alive = worker_alive(job.worker)
    still = Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, worker=job.worker)
    if alive is None:
        if not heartbeat_stale(job):
            return False
        still = still.filter(heartbeat_at=job.heartbeat_at)  # a heartbeat since it was read: alive after all
    elif alive:
        return False
    updated = still.update(
        state=Job.State.FAILED, finished_at=timezone.now(), message=WORKER_DIED, result={"worker_died": True}
    )
    if updated:
        job.refresh_from_db()
        logger.warning("Job %s (%s): worker %s is gone, marked failed", job.pk, job.kind, job.worker)
    return bool(updated)


# ------------------------------------------------------------------------------------------------ writes


def _dotted(handler: str | Callable[..., Any]) -> str:
    if isinstance(handler, str):
        return handler
    return f"{handler.__module__}.{handler.__qualname__}"


def start(
    kind: str,
    user: Any,
    handler: str | Callable[..., Any],
    *,
    params: dict[str, Any] | None = None,
    path: str = "",
    message: str = "",
) -> Job:
    """Create a queued job of `user` and hand it to the task framework; returns the job (re-read: with the
    immediate backend it has already run). `handler` is a module-level function or its dotted path."""
    job = Job(
        kind=kind,
        user=user,
        params=params or {},
        path=str(path),
        message=message[:MESSAGE_MAX],
        handler=_dotted(handler),
    )
    stamp(job, user, f"Bắt đầu {kind}").save()
    _enqueue(job)
    job.refresh_from_db()
    return job


def _enqueue(job: Job) -> None:
    result = run_job.enqueue(job.pk, job.handler)
    Job.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])


def restart_refusal(job: Job) -> str:
    """Why `job` cannot be run again, in Vietnamese ("" when it can): only a failed job, whose handler is known
    and whose file (if it reads one) is still kept."""
    if job.state != Job.State.FAILED:
        return "Chỉ chạy lại được việc không thành công."
    if not job.handler:
        return "Việc này được tạo trước khi hệ thống ghi lại cách chạy nó nên không chạy lại được; hãy làm lại từ đầu."
    if job.path and not Path(job.path).is_file():
        return FILE_GONE
    return ""


@transaction.atomic
def restart(user: Any, job: Job) -> Job:
    """Run a failed job of `user` again: a new job with the same kind, parameters, file and handler, pointing back
    at it (`restarted_from`), recorded in the history (who ran which job again), queued once the transaction
    commits. Only the owner (anybody else: NotInScope); a job already run again gives that same new job (a
    second click); a job that cannot be (`restart_refusal`) raises DomainError with the reason, nothing
    written."""
    owner = getattr(user, "pk", None)
    failed = Job.objects.select_for_update().filter(pk=job.pk, user_id=owner).first() if owner else None
    if failed is None:
        raise NotInScope("Không tìm thấy công việc này.")
    again = failed.restarts.order_by("-created_at", "-id").first()
    if again is not None:
        return again
    reason = restart_refusal(failed)
    if reason:
        raise DomainError(reason, field="restart")
    new = Job(
        kind=failed.kind,
        user=failed.user,
        params=failed.params,
        path=failed.path,
        handler=failed.handler,
        restarted_from=failed,
        message="Đang chờ chạy lại…",
    )
    stamp(new, user, RESTARTED.format(pk=failed.pk)).save()
    transaction.on_commit(lambda: _enqueue(new))
    return new


def _set(job: Job, **fields: Any) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    Job.objects.filter(pk=job.pk).update(**fields)


def mark_running(job: Job) -> None:
    now = timezone.now()
    _set(job, state=Job.State.RUNNING, started_at=now, heartbeat_at=now, worker=_this_worker())


def finish(job: Job, result: dict[str, Any] | None = None, message: str = "") -> None:
    fields: dict[str, Any] = {
        "state": Job.State.DONE,
        "finished_at": timezone.now(),
        "result": result or {},
        "message": message[:MESSAGE_MAX],
    }
    if job.total:
        fields["done"] = job.total
    _set(job, **fields)


def fail(job: Job, message: str, result: dict[str, Any] | None = None) -> None:
    _set(
        job,
        state=Job.State.FAILED,
        finished_at=timezone.now(),
        message=message[:MESSAGE_MAX],
        result=result or {},
    )


class Progress:
    """`progress(done, total, message="")`: records how far a job got (see the module's note on transactions).

    Throttled: written when `PROGRESS_EVERY` seconds have passed since the last write, when the message changes,
    or when `force=True`."""

    def __init__(self, job: Job, every: float = PROGRESS_EVERY):
        self.job = job
        self.every = every
        self._last: float | None = None  # when progress was last written
        self._message = job.message
        self._depth = len(connections[DEFAULT_DB_ALIAS].atomic_blocks)
        self._side: Any = None  # the second connection (PostgreSQL), opened on first need

    def __call__(self, done: int, total: int = 0, message: str | None = None, *, force: bool = False) -> None:
        done, total = max(int(done), 0), max(int(total), 0)
        changed = message is not None and message != self._message
        now = time.monotonic()
        if not (force or changed or self._last is None or now - self._last >= self.every):
            return
        fields: dict[str, Any] = {
            "done": done,
            "total": max(total, done) if total else 0,
            "heartbeat_at": timezone.now(),
        }
        if message is not None:
            fields["message"] = message[:MESSAGE_MAX]
        if self._write(fields):
            self._last = now
            if message is not None:
                self._message = message
            for name, value in fields.items():
                setattr(self.job, name, value)

    def _write(self, fields: dict[str, Any]) -> bool:
        connection = connections[DEFAULT_DB_ALIAS]
        if len(connection.atomic_blocks) <= self._depth:
            Job.objects.filter(pk=self.job.pk).update(**fields)
            return True
        if connection.vendor == "sqlite":
            return False  # the handler's transaction holds the database: wait for it to end
        if self._side is None:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
        table = Job._meta.db_table
        quote = self._side.ops.quote_name
        columns = ", ".join(f"{quote(name)} = %s" for name in fields)
        with self._side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(table)} SET {columns} WHERE {quote('id')} = %s",  # noqa: S608 - names are ours
                [*fields.values(), self.job.pk],
            )
        return True

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


class Heartbeat:
    """Writes `heartbeat_at` of a running job every `every` seconds from a thread of its own, with its own database
    connection (autocommit, outside the handler's transaction), until `stop()`. PostgreSQL only: see the module's
    note (`beats()`)."""

    def __init__(self, job: Job, every: float):
        self.pk = job.pk
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-{job.pk}-heartbeat", daemon=True)

    @staticmethod
    def beats() -> bool:
        """Whether to run one: not on SQLite (one writer for the whole database), nor when the task itself runs
        inside a transaction (the immediate backend in a test), whose rows the thread could wait on."""
        connection = connections[DEFAULT_DB_ALIAS]
        return connection.vendor != "sqlite" and not connection.in_atomic_block

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    Job.objects.filter(pk=self.pk, state=Job.State.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # a lost connection: try again at the next beat
                    logger.warning("Job %s: heartbeat not written", self.pk, exc_info=True)
                    connections.close_all()
        finally:
            connections.close_all()  # this thread's connection

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def heartbeat_every() -> float:
    limit = stale_after()
    return min(HEARTBEAT_EVERY, limit.total_seconds() / 4) if limit else HEARTBEAT_EVERY


@task()
def run_job(job_id: int, handler: str) -> str:
    """The task: run `handler(job, progress)` for a queued job and record how it ended; a heartbeat goes on
    meanwhile (see the module's note)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.state != Job.State.QUEUED:
        return "skipped"  # gone, or already run (a task delivered twice)
    mark_running(job)
    progress = Progress(job)
    heartbeat = Heartbeat(job, heartbeat_every()).start() if Heartbeat.beats() else None
    try:
        func: Handler = import_string(handler)
        result = func(job, progress)
    except JobFailed as exc:
        fail(job, exc.message, exc.result)
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        fail(job, UNEXPECTED.format(pk=job.pk))
    else:
        finish(job, result or {}, message=job.message)
    finally:
        if heartbeat is not None:
            heartbeat.stop()
        progress.close()
    return job.state
