"""Background jobs (`coso.core.jobs`) and the member import that runs through them: the job's life (queued →
running → done or failed, progress counters), the import page's flow through the jobs, owner-only access.

The tests run tasks with the immediate backend (`tests/conftest.py`); one test queues with the dummy backend to
see a job wait, and one runs the real database backend's worker."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from coso.accounts.models import User
from coso.accounts.services import grant_role
from coso.core import jobs
from coso.core.errors import DomainError, NotInScope
from coso.core.models import Job
from coso.members.models import Member
from tests.conftest import IMMEDIATE_TASKS
from tests.members.test_import import row, xlsx
from tests.members.test_services import admit

D = dt.date
SEEN: dict[str, Any] = {}


# ------------------------------------------------------------------------- handlers the tests' jobs run


def counts_to_ten(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    SEEN["state"] = Job.objects.get(pk=job.pk).state
    progress(4, 10, "Đang đếm…", force=True)
    SEEN["midway"] = Job.objects.values_list("done", "total", "message").get(pk=job.pk)
    progress(10, 10)
    return {"counted": 10, "param": job.params.get("x")}


def refuses(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    progress(1, 3, force=True)
    raise jobs.JobFailed("Tệp thiếu cột “Họ và tên”; hãy thêm cột đó rồi chọn lại tệp.", {"rows": 3})


def breaks(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    raise RuntimeError("boom")


@pytest.fixture
def owner(db):
    return User.objects.create_user("chu.viec", password="mat-khau-dai-123")


# --------------------------------------------------------------------------------------- the job's life


def test_job_runs_from_queued_to_done_with_progress(owner):
    job = jobs.start("test.count", owner, counts_to_ten, params={"x": 7}, message="Đang chờ…")
    assert SEEN["state"] == Job.State.RUNNING  # the handler runs with the job marked running
    assert SEEN["midway"] == (4, 10, "Đang đếm…")  # progress is on the row while the job runs
    assert job.state == Job.State.DONE and job.finished and job.percent == 100
    assert (job.done, job.total) == (10, 10)
    assert job.result == {"counted": 10, "param": 7}
    assert job.started_at and job.finished_at and job.created_at <= job.started_at <= job.finished_at
    assert job.task_id


def test_a_queued_job_waits_for_the_worker(owner, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    job = jobs.start("test.count", owner, "tests.members.test_import_jobs.counts_to_ten")
    assert job.state == Job.State.QUEUED and job.percent is None and not job.finished
    assert jobs.run_job.call(job.pk, "tests.members.test_import_jobs.counts_to_ten") == Job.State.DONE
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.result["counted"] == 10
    # a task delivered twice does not run the job again
    assert jobs.run_job.call(job.pk, "tests.members.test_import_jobs.counts_to_ten") == "skipped"


def test_the_database_backend_and_its_worker(owner, settings, monkeypatch):
    from django_tasks_db.management.commands import db_worker

    # the worker closes connections whose autocommit is off between tasks: inside the test's transaction it
    # would close the test's own connection (on PostgreSQL)
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    job = jobs.start("test.count", owner, counts_to_ten)
    assert job.state == Job.State.QUEUED  # stored for the worker, not run
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.result["counted"] == 10


def test_a_refused_job_fails_with_its_vietnamese_message(owner):
    job = jobs.start("test.refuse", owner, refuses)
    assert job.state == Job.State.FAILED and job.finished
    assert job.message == "Tệp thiếu cột “Họ và tên”; hãy thêm cột đó rồi chọn lại tệp."
    assert job.result == {"rows": 3} and (job.done, job.total) == (1, 3) and job.finished_at


def test_an_unexpected_error_fails_the_job_with_a_message_that_says_what_to_do(owner, caplog):
    job = jobs.start("test.break", owner, breaks)
    assert job.state == Job.State.FAILED
    assert f"mã công việc {job.pk}" in job.message and "chưa ghi gì" in job.message
    assert "boom" not in job.message and "boom" in caplog.text  # the traceback goes to the log


def test_progress_is_throttled(owner):
    job = Job.objects.create(kind="test", user=owner)
    progress = jobs.Progress(job, every=3600)
    progress(1, 100)  # the first write
    progress(2, 100)  # too soon: not written
    assert Job.objects.values_list("done", flat=True).get(pk=job.pk) == 1
    progress(3, 100, "Đang ghi…")  # a new message is always written
    assert Job.objects.values_list("done", "message").get(pk=job.pk) == (3, "Đang ghi…")
    progress(4, 100, force=True)
    assert Job.objects.values_list("done", flat=True).get(pk=job.pk) == 4


def test_progress_inside_the_handlers_transaction_never_blocks(owner):
    """SQLite: one writer holds the whole database, so nothing is written inside; PostgreSQL: written through a
    second connection, which cannot see this test's uncommitted job row: on both, no lock wait, no error."""
    job = Job.objects.create(kind="test", user=owner)
    progress = jobs.Progress(job, every=0)
    progress(5, 10)
    with transaction.atomic():
        progress(8, 10)  # a second connection would wait for the lock: nothing written, nothing blocked
    assert Job.objects.values_list("done", flat=True).get(pk=job.pk) == 5
    progress(10, 10)
    progress.close()
    assert Job.objects.values_list("done", flat=True).get(pk=job.pk) == 10


def test_only_the_owner_reads_a_job(owner):
    job = jobs.start("test.count", owner, counts_to_ten)
    other = User.objects.create_user("nguoi.khac", password="mat-khau-dai-123")
    assert jobs.get_for_user(owner, job.pk) == job
    from django.http import Http404

    with pytest.raises(Http404):
        jobs.get_for_user(other, job.pk)
    with pytest.raises(Http404):
        jobs.get_for_user(owner, job.pk, kind="another.kind")
    assert list(jobs.for_user(other)) == []


# ------------------------------------------------------------------------------------ the import page


@pytest.fixture
def cadre(tree, client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    user = User.objects.create_user("cadre.import", password="mat-khau-dai-123")
    grant_role(None, user=user, role="org_commission", org=tree["X1"])
    client.force_login(user)
    return user


def upload(client: Any, rows: list[list[Any]], name: str = "dang-vien.xlsx") -> Any:
    book = xlsx(rows)
    book.name = name
    return client.post(reverse("members:import"), {"file": book})


def test_upload_checks_in_a_job_then_shows_the_errors(cadre, client, tmp_path):
    r = upload(
        client, [row(**{"Giới tính": "Khác"}), row(**{"Số CCCD": "001080099999", "Ngày sinh": "31/02/1985"})]
    )
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("members:import_job", args=[job.pk])
    assert job.kind == "members.import.check" and job.user == cadre and job.state == Job.State.DONE
    assert job.result["error_count"] == 2 and not job.result["ok"]
    body = client.get(r["Location"]).content.decode()
    assert 'id="import-errors"' in body and "có 2 lỗi — chưa ghi gì" in body
    assert "Giới tính" in body and "31/02/1985" in body and "Xác nhận nhập" not in body
    assert not Member.objects.exists()
    assert not list((tmp_path / "imports").iterdir())  # a file with errors is not kept


def test_upload_preview_confirm_write_then_the_list(cadre, client, tree, tmp_path):
    r = upload(
        client, [row(), row(**{"Số CCCD": "001080012346", "Ngày chính thức": "", "Họ và tên": "Lê Thị Hoa"})]
    )
    check = Job.objects.get()
    body = client.get(r["Location"]).content.decode()
    assert (
        "Tệp dang-vien.xlsx hợp lệ" in body
        and "Sẽ thêm <strong>2</strong> đảng viên: 1 chính thức, 1 dự bị" in body
    )
    assert "Chi bộ thôn Đông" in body and 'name="confirm"' in body  # the preview by cell, and the button
    assert check.result["cells"] == [["C1", "Chi bộ thôn Đông", 2]]
    assert not Member.objects.exists() and Path(check.path).exists()

    r = client.post(reverse("members:import_job", args=[check.pk]), {"confirm": "1"})
    write = Job.objects.get(kind="members.import.write")
    assert r["Location"] == reverse("members:import_job", args=[write.pk])
    assert (
        write.state == Job.State.DONE and write.result["created"] == 2 and write.params["source"] == check.pk
    )
    assert write.message == "Đã nhập 2 đảng viên." and write.percent == 100
    body = client.get(r["Location"]).content.decode()
    assert "Đã nhập 2 đảng viên từ tệp dang-vien.xlsx." in body
    assert reverse("members:list") + "?under=C1" in body  # the link to the list of the receiving cell
    assert sorted(Member.objects.values_list("full_name", flat=True)) == ["Lê Thị Hoa", "Nguyễn Văn An"]
    assert not Path(check.path).exists()  # the file is gone once written

    # confirming again (a second click, the back button) writes nothing more: it shows the same write job
    r = client.post(reverse("members:import_job", args=[check.pk]), {"confirm": "1"})
    assert r["Location"] == reverse("members:import_job", args=[write.pk]) and Member.objects.count() == 2
    assert "Xem kết quả" in client.get(reverse("members:import_job", args=[check.pk])).content.decode()


def test_data_changed_between_check_and_confirm_writes_nothing(cadre, client, tree):
    upload(client, [row(), row(**{"Số CCCD": "001080012346", "Họ và tên": "Lê Thị Hoa"})])
    check = Job.objects.get()
    admit(tree["C2"], name="Người Đã Có", cid="001080012346")  # the CCCD is taken meanwhile
    r = client.post(reverse("members:import_job", args=[check.pk]), {"confirm": "1"}, follow=True)
    body = r.content.decode()
    assert 'id="import-errors"' in body and "chưa ghi gì" in body and "001080012346" in body
    assert Member.objects.count() == 1


def test_a_write_refused_by_the_importer_fails_the_job_in_vietnamese(cadre, client, tree, monkeypatch):
    upload(client, [row()])
    check = Job.objects.get()
    from coso.core.errors import DomainError
    from coso.members import importer

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise DomainError("Dữ liệu vừa bị thay đổi trong lúc nhập; chưa ghi gì.")

    monkeypatch.setattr(importer, "import_members", refused)
    r = client.post(reverse("members:import_job", args=[check.pk]), {"confirm": "1"}, follow=True)
    write = Job.objects.get(kind="members.import.write")
    assert write.state == Job.State.FAILED and "hãy chọn lại tệp" in write.message
    body = r.content.decode()
    assert 'id="import-failed"' in body and "Dữ liệu vừa bị thay đổi" in body
    assert not Member.objects.exists() and not Path(check.path).exists()


def test_confirm_without_the_file_or_of_a_file_with_errors_writes_nothing(cadre, client):
    upload(client, [row()])
    check = Job.objects.get()
    Path(check.path).unlink()
    r = client.post(reverse("members:import_job", args=[check.pk]), {"confirm": "1"}, follow=True)
    assert "Không còn tệp đã kiểm tra" in r.content.decode()
    upload(client, [row(**{"Giới tính": "?"})])
    bad = Job.objects.latest("id")
    r = client.post(reverse("members:import_job", args=[bad.pk]), {"confirm": "1"}, follow=True)
    assert "chưa ghi gì" in r.content.decode()
    assert not Member.objects.exists() and not Job.objects.filter(kind="members.import.write").exists()


def test_not_an_xlsx_keeps_the_page_with_a_message(cadre, client):
    r = client.post(reverse("members:import"), {"file": io.BytesIO(b"x")})
    assert r.status_code == 200 and "không phải tệp Excel .xlsx" in r.content.decode()
    r = client.post(reverse("members:import"), {})
    assert "Hãy chọn tệp Excel" in r.content.decode() and not Job.objects.exists()


def test_the_progress_fragment_polls_while_running_and_reloads_when_done(cadre, client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    upload(client, [row()])
    job = Job.objects.get()
    assert job.state == Job.State.QUEUED
    page = client.get(reverse("members:import_job", args=[job.pk])).content.decode()
    fragment_url = reverse("members:import_job_progress", args=[job.pk])
    assert f'hx-get="{fragment_url}"' in page and 'hx-trigger="every 1s"' in page and "progress-bar" in page
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING, done=2000, total=8000, message="Đang kiểm tra…"
    )
    r = client.get(fragment_url, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and "25%" in body and "Đã đọc 2.000 / khoảng 8.000 dòng" in body
    assert 'hx-trigger="every 1s"' in body and "<html" not in body
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)  # the worker takes it now
    assert jobs.run_job.call(job.pk, "coso.core.import_flow.check_job") == Job.State.DONE
    r = client.get(fragment_url, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r["HX-Refresh"] == "true"
    assert client.get(fragment_url)["Location"] == reverse("members:import_job", args=[job.pk])


def test_write_progress_caption_counts_the_rows_written(cadre, client):
    job = Job.objects.create(
        kind="members.import.write", user=cadre, state=Job.State.RUNNING, done=15000, total=20000
    )
    body = client.get(reverse("members:import_job_progress", args=[job.pk])).content.decode()
    assert "Đã ghi 5.000 / 10.000 đảng viên" in body and "75%" in body


def test_only_the_owner_sees_an_import_job(cadre, client, tree):
    upload(client, [row()])
    job = Job.objects.get()
    # another user, even with the same scope, gets 404 on the job, its progress and its confirm
    other = User.objects.create_user("cadre.khac", password="mat-khau-dai-123")
    grant_role(None, user=other, role="org_commission", org=tree["X1"])
    client.force_login(other)
    for name in ("members:import_job", "members:import_job_progress"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("members:import_job", args=[job.pk]), {"confirm": "1"}).status_code == 404
    assert not Member.objects.exists() and Job.objects.count() == 1
    assert "dang-vien.xlsx" not in client.get(reverse("members:import")).content.decode()
    # a job of another kind is not an import job
    client.force_login(cadre)
    foreign = Job.objects.create(kind="reports.export", user=cadre)
    assert client.get(reverse("members:import_job", args=[foreign.pk])).status_code == 404


# ------------------------------------------------------------------- a write whose worker died, run again


def died_write(client: Any, settings: Any) -> tuple[Job, Job]:
    """A checked file confirmed, whose write job's worker (on another host) stopped beating mid-way: the
    worker was killed while writing, so nothing is written and the file is still kept."""
    upload(client, [row(), row(**{"Số CCCD": "001080012346", "Họ và tên": "Lê Thị Hoa"})])
    check = Job.objects.get()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client.post(reverse("members:import_job", args=[check.pk]), {"confirm": "1"})
    write = Job.objects.get(kind="members.import.write")
    assert write.state == Job.State.QUEUED and Path(write.path).is_file()
    settings.COSO_JOB_STALE_SECONDS = 60
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    Job.objects.filter(pk=write.pk).update(
        state=Job.State.RUNNING, worker="may-xu-ly-2:4242", started_at=long_ago, heartbeat_at=long_ago
    )
    settings.TASKS = IMMEDIATE_TASKS
    return check, write


def test_a_write_whose_worker_died_says_so_and_runs_again_on_the_same_file(
    cadre, client, settings, django_capture_on_commit_callbacks
):
    check, write = died_write(client, settings)
    body = client.get(reverse("members:import_job", args=[write.pk])).content.decode()
    assert 'id="import-failed"' in body and "đã dừng giữa chừng" in body and "chưa ghi gì" in body
    assert 'id="import-restart"' in body and "Chạy lại" in body and "không cần chọn lại tệp" in body
    write.refresh_from_db()
    assert write.state == Job.State.FAILED and write.result == {"worker_died": True}
    assert not Member.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("members:import_job", args=[write.pk]), {"restart": "1"})
    again = Job.objects.get(restarted_from=write)
    assert r.status_code == 302 and r["Location"] == reverse("members:import_job", args=[again.pk])
    assert (again.kind, again.user, again.handler, again.params) == (
        write.kind,
        cadre,
        "coso.core.import_flow.write_job",
        write.params,
    )
    assert again.state == Job.State.DONE and again.result["created"] == 2
    assert sorted(Member.objects.values_list("full_name", flat=True)) == ["Lê Thị Hoa", "Nguyễn Văn An"]
    assert not Path(write.path).exists()  # read again, then removed once written
    record = again.history.get()
    assert record.history_user == cadre and record.history_change_reason == f"Chạy lại công việc #{write.pk}"
    # the failed job's page points to the run again; a second click writes nothing more
    assert (
        'id="import-restarted"' in client.get(reverse("members:import_job", args=[write.pk])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("members:import_job", args=[write.pk]), {"restart": "1"})
    assert r["Location"] == reverse("members:import_job", args=[again.pk])
    assert Job.objects.filter(restarted_from=write).count() == 1 and Member.objects.count() == 2
    # the check's page shows the latest write
    page = client.get(reverse("members:import_job", args=[check.pk])).content.decode()
    assert reverse("members:import_job", args=[again.pk]) in page


def test_a_died_job_whose_file_is_gone_says_so_and_writes_nothing(
    cadre, client, settings, django_capture_on_commit_callbacks
):
    _check, write = died_write(client, settings)
    Path(write.path).unlink()
    body = client.get(reverse("members:import_job", args=[write.pk])).content.decode()
    assert "đã dừng giữa chừng" in body and 'id="import-restart"' not in body
    assert 'id="import-restart-refused"' in body and "Không còn tệp đã tải lên" in body
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("members:import_job", args=[write.pk]), {"restart": "1"}, follow=True)
    assert "Không còn tệp đã tải lên" in r.content.decode()
    assert not Job.objects.filter(restarted_from=write).exists() and not Member.objects.exists()


def test_only_the_owner_runs_a_job_again(cadre, client, tree, settings, django_capture_on_commit_callbacks):
    _check, write = died_write(client, settings)
    jobs.reap(write)
    other = User.objects.create_user("cadre.khac", password="mat-khau-dai-123")
    grant_role(None, user=other, role="org_commission", org=tree["X1"])
    client.force_login(other)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("members:import_job", args=[write.pk]), {"restart": "1"})
    assert r.status_code == 404
    with pytest.raises(NotInScope):
        jobs.restart(other, write)
    assert not Job.objects.filter(restarted_from=write).exists() and not Member.objects.exists()


def test_only_a_failed_job_runs_again(owner):
    job = jobs.start("test.count", owner, counts_to_ten)
    with pytest.raises(DomainError, match="Chỉ chạy lại được việc không thành công"):
        jobs.restart(owner, job)
    failed = jobs.start("test.refuses", owner, refuses)
    assert jobs.restart_refusal(failed) == ""
    with transaction.atomic():  # queued once the transaction commits
        again = jobs.restart(owner, failed)
        assert again.state == Job.State.QUEUED
    assert again.restarted_from == failed and again.handler == failed.handler
