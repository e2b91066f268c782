"""The results import page through background jobs (`coso.core.jobs`), as the member import: upload → a check job
(every row checked, nothing written, its progress on the page) → every error listed, or a preview → confirm → a
write job (checked again, written all or nothing) → its result. Only the job's owner sees a job.

The tests run tasks with the immediate backend (`tests/conftest.py`); some queue with the dummy backend to see a
job wait and its progress fragment poll."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from coso.accounts.models import User
from coso.accounts.services import grant_role
from coso.core import jobs
from coso.core.models import Job
from coso.evaluation import importer
from coso.evaluation.importer import import_evaluations
from coso.evaluation.models import Evaluation, EvaluationPeriod

from .helpers import xlsx

PASSWORD = "mat-khau-dai-123"
CHECK, WRITE = "evaluation.import.check", "evaluation.import.write"
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

GOOD = [
    [2017, "Tổ chức", "C1", "", "Trong sạch vững mạnh"],
    [2017, "Tổ chức", "C2", "", "Hoàn thành tốt nhiệm vụ"],
    [2019, "Tổ chức", "C3", "", "HTTNV"],
]
BAD = [
    [2017, "Tổ chức", "C1", "", "Không có mức này"],
    [2017, "Chi bộ", "C2", "", "Trong sạch vững mạnh"],
    ["hai nghìn", "Tổ chức", "C3", "", "Hoàn thành tốt nhiệm vụ"],
]


@pytest.fixture
def cadre(tree, client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    user = User.objects.create_user("bantochuc.nhap", password=PASSWORD)
    grant_role(None, user=user, role="org_commission", org=tree["X1"])
    client.force_login(user)
    return user


def upload(client: Any, rows: list[list[Any]], name: str = "xep-loai.xlsx") -> Any:
    book = xlsx(rows)
    book.name = name
    return client.post(reverse("evaluation:import"), {"file": book})


def page(client: Any, job: Job) -> str:
    return client.get(reverse("evaluation:import_job", args=[job.pk])).content.decode()


def nothing_written() -> bool:
    return not EvaluationPeriod.objects.exists() and not Evaluation.objects.exists()


# ------------------------------------------------------------------------------------------------- check


def test_upload_checks_in_a_job_then_lists_every_error_and_writes_nothing(cadre, client, tmp_path):
    r = upload(client, BAD, name="co-loi.xlsx")
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("evaluation:import_job", args=[job.pk])
    assert job.kind == CHECK and job.user == cadre and job.state == Job.State.DONE
    assert not job.result["ok"] and job.result["error_count"] == 3
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [
        (2, "Xếp loại"),
        (3, "Đối tượng"),
        (4, "Năm"),
    ]
    body = page(client, job)
    assert 'id="import-errors"' in body and "Tệp co-loi.xlsx có 3 lỗi — chưa ghi gì" in body
    # every error with its row, column, value and what to fix
    assert "<td>2</td><td>Xếp loại</td><td>Không có mức này</td>" in body and "hãy ghi một trong" in body
    assert "<td>3</td><td>Đối tượng</td><td>Chi bộ</td>" in body and "“Tổ chức” hoặc “Đảng viên”" in body
    assert "<td>4</td><td>Năm</td><td>hai nghìn</td>" in body and "4 chữ số" in body
    assert 'id="import-confirm"' not in body
    assert nothing_written()
    assert not list((tmp_path / "imports").iterdir())  # a file with errors is not kept


def test_the_check_reports_its_progress(cadre, client, monkeypatch):
    """The importer reports every `BATCH` rows read (total unknown until the whole file is read), then the
    rows; the job keeps the last count and message."""
    monkeypatch.setattr(importer, "BATCH", 2)
    seen: list[tuple[int, int, str | None]] = []
    call = jobs.Progress.__call__

    def spy(self: jobs.Progress, done: int, total: int = 0, message: str | None = None, **kw: Any) -> None:
        seen.append((done, total, message))
        call(self, done, total, message, **kw)

    monkeypatch.setattr(jobs.Progress, "__call__", spy)
    upload(client, GOOD + [[2018, "Tổ chức", "C1", "", "Hoàn thành tốt nhiệm vụ"]])
    job = Job.objects.get()
    assert seen[0] == (0, 0, "Đang kiểm tra từng dòng của tệp…")
    assert (2, 0, "Đang kiểm tra từng dòng của tệp…") in seen and (
        4,
        0,
        "Đang kiểm tra từng dòng của tệp…",
    ) in seen
    assert seen[-1] == (4, 4, "Đã kiểm tra xong.")
    assert (job.done, job.total, job.message, job.percent) == (4, 4, "Đã kiểm tra xong.", 100)


def test_the_importer_counts_rows_read_then_rows_written(tree, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    calls: list[tuple[int, int]] = []
    result = import_evaluations(xlsx(GOOD), None, dry_run=True, progress=lambda d, t: calls.append((d, t)))
    assert result.ok and calls == [(2, 0), (3, 3)] and nothing_written()
    calls.clear()
    result = import_evaluations(xlsx(GOOD), None, progress=lambda d, t: calls.append((d, t)))
    # read (2 of an unknown total, then all 3 of 6 steps), then written per period (2017, then 2019)
    assert result.created == 3 and calls == [(2, 0), (3, 6), (5, 6), (6, 6)]
    calls.clear()
    result = import_evaluations(xlsx(BAD), None, progress=lambda d, t: calls.append((d, t)))
    assert result.created == 0 and calls[-1] == (1, 1)


# ---------------------------------------------------------------------------------------- confirm, write


def test_preview_then_confirm_writes_every_row_in_a_job(cadre, client):
    upload(client, GOOD, name="ket-qua-2017.xlsx")
    check = Job.objects.get()
    body = page(client, check)
    assert "Tệp ket-qua-2017.xlsx hợp lệ" in body and "Sẽ nhập <strong>3</strong> kết quả xếp loại" in body
    assert 'id="import-preview"' in body and 'id="import-confirm"' in body
    assert '<td>2017</td><td>Tổ chức</td><td class="text-end">2</td>' in body
    assert check.result["preview"] == [[2017, "Tổ chức", 2], [2019, "Tổ chức", 1]]
    assert nothing_written() and Path(check.path).is_file()

    r = client.post(reverse("evaluation:import_job", args=[check.pk]), {"confirm": "1"})
    write = Job.objects.get(kind=WRITE)
    assert r.status_code == 302 and r["Location"] == reverse("evaluation:import_job", args=[write.pk])
    assert write.state == Job.State.DONE and write.params["source"] == check.pk and write.user == cadre
    assert (
        write.result["created"] == 3
        and write.message == "Đã nhập 3 kết quả xếp loại."
        and write.percent == 100
    )
    assert Evaluation.objects.filter(annual=True).count() == 3
    assert sorted(Evaluation.objects.values_list("year", "org__code", "level__code")) == [
        (2017, "C1", "TSVM"),
        (2017, "C2", "HTTNV"),
        (2019, "C3", "HTTNV"),
    ]
    periods = list(EvaluationPeriod.objects.order_by("year"))
    assert [(p.year, p.kind, p.state) for p in periods] == [
        (2017, "imported", "published"),
        (2019, "imported", "published"),
    ]
    body = page(client, write)
    assert 'id="import-done"' in body and "Đã nhập 3 kết quả xếp loại từ tệp ket-qua-2017.xlsx." in body
    assert reverse("evaluation:period", kwargs={"pk": periods[0].pk}) in body
    assert not Path(check.path).exists()  # the file is gone once written

    # confirming again (a second click, the back button) writes nothing more: it shows the same write job
    r = client.post(reverse("evaluation:import_job", args=[check.pk]), {"confirm": "1"})
    assert r["Location"] == reverse("evaluation:import_job", args=[write.pk])
    assert Evaluation.objects.count() == 3 and Job.objects.filter(kind=WRITE).count() == 1
    assert "Xem kết quả" in page(client, check)
    # the page lists the user's recent imports
    assert "ket-qua-2017.xlsx" in client.get(reverse("evaluation:import")).content.decode()


def test_data_changed_between_check_and_confirm_writes_nothing(cadre, client):
    upload(client, GOOD)
    check = Job.objects.get()
    assert import_evaluations(xlsx(GOOD[2:]), None).created == 1  # C3's 2019 result is recorded meanwhile
    r = client.post(reverse("evaluation:import_job", args=[check.pk]), {"confirm": "1"}, follow=True)
    write = Job.objects.get(kind=WRITE)
    assert write.state == Job.State.DONE and not write.result["ok"] and write.result["created"] == 0
    assert write.message == "Tệp có lỗi nên chưa ghi gì."
    body = r.content.decode()
    assert (
        'id="import-errors"' in body and "chưa ghi gì" in body and "Đã có kết quả xếp loại năm 2019" in body
    )
    assert Evaluation.objects.count() == 1  # all or nothing: the two other rows are not written either


def test_a_write_refused_by_the_importer_fails_the_job_in_vietnamese(cadre, client, monkeypatch):
    upload(client, GOOD)
    check = Job.objects.get()
    from coso.core.errors import DomainError

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise DomainError("Dữ liệu vừa bị thay đổi trong lúc nhập; chưa ghi gì.")

    monkeypatch.setattr(importer, "import_evaluations", refused)
    r = client.post(reverse("evaluation:import_job", args=[check.pk]), {"confirm": "1"}, follow=True)
    write = Job.objects.get(kind=WRITE)
    assert write.state == Job.State.FAILED and "Hãy chọn lại tệp" in write.message
    body = r.content.decode()
    assert 'id="import-failed"' in body and "Dữ liệu vừa bị thay đổi" in body
    assert nothing_written() and not Path(check.path).exists()


def test_confirm_without_the_file_or_of_a_file_with_errors_writes_nothing(cadre, client):
    upload(client, GOOD)
    check = Job.objects.get()
    Path(check.path).unlink()
    r = client.post(reverse("evaluation:import_job", args=[check.pk]), {"confirm": "1"}, follow=True)
    assert "Không còn tệp đã kiểm tra" in r.content.decode()
    upload(client, BAD)
    bad = Job.objects.latest("id")
    r = client.post(reverse("evaluation:import_job", args=[bad.pk]), {"confirm": "1"}, follow=True)
    assert "chưa ghi gì" in r.content.decode()
    assert nothing_written() and not Job.objects.filter(kind=WRITE).exists()


def test_not_an_xlsx_keeps_the_page_with_a_message(cadre, client):
    import io

    r = client.post(reverse("evaluation:import"), {"file": io.BytesIO(b"x")})
    assert r.status_code == 200 and "không phải tệp Excel .xlsx" in r.content.decode()
    r = client.post(reverse("evaluation:import"), {})
    assert "Hãy chọn tệp Excel" in r.content.decode() and not Job.objects.exists()


def test_an_unreadable_xlsx_is_refused_on_the_page_before_any_check(cadre, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(
        reverse("evaluation:import"), {"file": SimpleUploadedFile("hong.xlsx", b"khong phai excel")}
    )
    assert r.status_code == 200 and "không phải tệp Excel .xlsx hợp lệ" in r.content.decode()
    assert not Job.objects.exists() and nothing_written()


# --------------------------------------------------------------------------------------------- progress


def test_the_progress_fragment_polls_while_running_and_reloads_when_done(cadre, client, settings):
    settings.TASKS = DUMMY
    upload(client, GOOD)
    job = Job.objects.get()
    assert job.state == Job.State.QUEUED
    body = page(client, job)
    fragment_url = reverse("evaluation:import_job_progress", args=[job.pk])
    assert f'hx-get="{fragment_url}"' in body and 'hx-trigger="every 1s"' in body and "progress-bar" in body
    assert "Đang chờ kiểm tra…" in body
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING, done=1500, total=0, message="Đang kiểm tra…"
    )
    r = client.get(fragment_url, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and "Đã đọc 1.500 dòng" in body and "Đang kiểm tra…" in body
    assert 'hx-trigger="every 1s"' in body and "<html" not in body
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)  # the worker takes it now
    assert jobs.run_job.call(job.pk, "coso.core.import_flow.check_job") == Job.State.DONE
    job.refresh_from_db()
    assert job.result["ok"] and job.result["rows"] == 3
    r = client.get(fragment_url, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r["HX-Refresh"] == "true"
    assert client.get(fragment_url)["Location"] == reverse("evaluation:import_job", args=[job.pk])


def test_a_queued_write_runs_in_the_worker_and_writes_all_rows(cadre, client, settings):
    upload(client, GOOD)
    check = Job.objects.get()
    settings.TASKS = DUMMY
    client.post(reverse("evaluation:import_job", args=[check.pk]), {"confirm": "1"})
    write = Job.objects.get(kind=WRITE)
    assert write.state == Job.State.QUEUED and nothing_written()
    assert "Đang nhập tệp xep-loai.xlsx" in page(client, write)
    assert jobs.run_job.call(write.pk, "coso.core.import_flow.write_job") == Job.State.DONE
    assert Evaluation.objects.count() == 3


def test_write_progress_caption_counts_the_results_written(cadre, client):
    job = Job.objects.create(kind=WRITE, user=cadre, state=Job.State.RUNNING, done=3000, total=4000)
    body = client.get(reverse("evaluation:import_job_progress", args=[job.pk])).content.decode()
    assert "Đã ghi 1.000 / 2.000 kết quả" in body and "75%" in body
    Job.objects.filter(pk=job.pk).update(done=500)
    body = client.get(reverse("evaluation:import_job_progress", args=[job.pk])).content.decode()
    assert "Đã kiểm tra lại 500 / 2.000 dòng" in body and "12%" in body


# ------------------------------------------------------------------------------------------------- scope


def test_only_the_owner_sees_an_import_job(cadre, client, tree):
    upload(client, GOOD)
    job = Job.objects.get()
    # another user, even with the same scope, gets 404 on the job, its progress and its confirm
    other = User.objects.create_user("bantochuc.khac", password=PASSWORD)
    grant_role(None, user=other, role="org_commission", org=tree["X1"])
    client.force_login(other)
    for name in ("evaluation:import_job", "evaluation:import_job_progress"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
        assert client.post(reverse(name, args=[job.pk]), {"confirm": "1"}).status_code == 404
    assert nothing_written() and Job.objects.count() == 1
    assert "xep-loai.xlsx" not in client.get(reverse("evaluation:import")).content.decode()
    # a job of another kind (a member import) is not an evaluation import job
    client.force_login(cadre)
    foreign = Job.objects.create(kind="members.import.check", user=cadre)
    for name in ("evaluation:import_job", "evaluation:import_job_progress"):
        assert client.get(reverse(name, args=[foreign.pk])).status_code == 404


def test_an_upload_naming_another_communes_cell_writes_nothing(cadre, client, tree):
    """A (commission of commune X1) names cell C4 of commune X2: the check lists it as out of scope, nothing is
    written and there is nothing to confirm (this case was in tests/evaluation_scope.py's write cases before the
    import became a job: the check job's row now counts in tests/test_scope.py's snapshot)."""
    upload(client, [[2019, "Tổ chức", tree["C4"].code, "", "Hoàn thành tốt nhiệm vụ"]], name="binh-minh.xlsx")
    job = Job.objects.get()
    assert job.state == Job.State.DONE and not job.result["ok"]
    assert [(e["row"], e["column"], e["value"]) for e in job.result["errors"]] == [(2, "Mã tổ chức", "C4")]
    body = page(client, job)
    assert "nằm ngoài phạm vi" in body and 'id="import-confirm"' not in body
    r = client.post(reverse("evaluation:import_job", args=[job.pk]), {"confirm": "1"})
    assert r.status_code == 302 and not Job.objects.filter(kind=WRITE).exists()
    assert nothing_written()


def test_a_user_without_the_evaluate_permission_gets_404(tree, client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    viewer = User.objects.create_user("chi.xem", password=PASSWORD)
    grant_role(None, user=viewer, role="viewer", org=tree["X1"])
    client.force_login(viewer)
    assert client.get(reverse("evaluation:import")).status_code == 404
    assert upload(client, GOOD).status_code == 404 and not Job.objects.exists()
