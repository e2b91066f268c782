"""Importing a table from Excel, shared by the apps that import one (members, evaluation results).

An import runs as two background jobs (`coso.core.jobs`): a check (every row read and validated, nothing
written) and, once the user confirms the preview, the write (validated again, then written all or nothing).
The pages: upload an .xlsx → the check job's page shows its progress (polled by htmx), then every error or a
preview → confirm → the write job's page shows its progress, then the result.

What each app brings is an `ExcelImportFlow`: its namespace (URLs, job kinds, page), importer, job handlers,
permission, summary of a result and wording. Its views stay thin wrappers that call the flow; its job handlers
(module-level functions, as `coso.core.jobs` runs them by dotted path) call `ExcelImportFlow.check` /
`ExcelImportFlow.write`. The importers' entry points share `read_plan` and `read_then_write`; the pages share
the templates core/import_page.html (extended by each app's page) and core/_import_progress.html.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.module_loading import import_string

from . import access
from .errors import DomainError, NotInScope
from .excel import ExcelError, RowError, cell_text, file_name, open_table
from .models import Job
from .registry import Entry
from .templatetags.vn import vn_number
from .upload import check_xlsx

Progress = Callable[[int, int], Any]
RECENT = 5  # recent jobs listed on the upload page
URL_NAMES = ("import", "import_template", "import_job", "import_job_progress")  # each app's, in its namespace


# ----------------------------------------------------------------------------------- importer entry points


@dataclass
class Plan:
    """What an importer's `validate` found: every row it parsed (`rows`, of the importer's own type) and every
    error; the importer's `apply` writes it only when there is no error. Importers extend it with what their
    preview and write need."""

    rows: list[Any] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    filename: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, row: int, column: str, value: Any, message: str) -> None:
        self.errors.append(RowError(row, column, cell_text(value), message))

    def sort_errors(self, columns: Sequence[str]) -> None:
        """Errors in the order a cadre reads the file: by row, then by the template's column order (errors of the
        file as a whole, with no column, first)."""
        order = {c: i for i, c in enumerate(columns)}
        self.errors.sort(key=lambda e: (e.row, order.get(e.column, -1)))


@dataclass
class Result:
    """What an import did: its plan, whether it was a dry run; importers add what was written."""

    plan: Any
    dry_run: bool

    @property
    def ok(self) -> bool:
        return bool(self.plan.ok)

    @property
    def errors(self) -> list[RowError]:
        return self.plan.errors  # type: ignore[no-any-return]


P = TypeVar("P", bound=Plan)
R = TypeVar("R")


def read_plan(
    file: str | os.PathLike[str] | IO[bytes],
    actor: Any,
    columns: list[str],
    validate: Callable[..., P],
    plan_type: Callable[..., P],
    *,
    filename: str | None = "",
    **options: Any,
) -> P:
    """An importer's `read`: open an uploaded .xlsx (path or file-like) with the table of `columns`, and
    `validate(rows, actor, headers=, header_line=, filename=, **options)` it; an unreadable file is the plan
    `plan_type(filename=)` with one error (row 0)."""
    name = filename or file_name(file)
    try:
        with open_table(file, expect=columns) as table:
            return validate(
                table.rows(),
                actor,
                headers=table.headers,
                header_line=table.header_line or 1,
                filename=name,
                **options,
            )
    except ExcelError as exc:
        plan = plan_type(filename=name)
        plan.add(0, "", "", exc.message)
        return plan


def read_then_write(
    read: Callable[..., P],
    apply: Callable[..., R],
    result_type: Callable[..., R],
    file: str | os.PathLike[str] | IO[bytes],
    actor: Any,
    *,
    dry_run: bool,
    filename: str,
    progress: Progress | None,
) -> R:
    """An importer's entry point: `read(file, actor, filename=, progress=)` the file into a plan and, unless
    `dry_run` or it has errors, `apply(plan, actor, plan.filename, progress=)` it (all or nothing); otherwise
    the result is `result_type(plan, dry_run=)`.

    `progress(done, total)` counts one step per row read and, when writing, one more per row written (so
    `total` is twice the rows when the file is written; 0 while the number of rows is not known); a file with
    errors ends with (1, 1)."""
    writing = not dry_run

    def on_read(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total * 2 if writing else total)

    plan = read(file, actor, filename=filename, progress=on_read if progress is not None else None)
    if dry_run or plan.errors:
        if progress is not None and plan.errors:
            progress(1, 1)
        return result_type(plan, dry_run=dry_run)
    n = len(plan.rows)

    def on_write(done: int, total: int) -> None:
        if progress is not None:
            progress(n + done, n + total)

    result = apply(plan, actor, plan.filename, progress=on_write if progress is not None else None)
    if getattr(result, "ok", False):
        who = "" if actor is not None else "máy chủ (lệnh coso import)"
        access.record(
            actor, access.Kind.IMPORT, f"Nhập {vn_number(n)} dòng từ tệp {plan.filename}", username=who
        )
    return result


# ------------------------------------------------------------------------------------------ command line


def command_line_import(
    name: str,
    help: str,
    file_help: str,
    run_import: Callable[..., Any],
    report: Callable[[Any, bool, str], Iterable[str]],
) -> Entry:
    """The entry of `coso import NAME FILE.xlsx [--dry-run]` (register it with `register_importer`): it runs as
    the system (actor None); a missing file, a refusal or any error of the file exits non-zero with every error
    on stderr (nothing written); otherwise it prints the lines `report(result, dry_run, filename)` gives."""

    def add_arguments(parser: Any) -> None:
        parser.add_argument("file", help=file_help)
        parser.add_argument(
            "--dry-run", dest="dry_run", action="store_true", help="Chỉ kiểm tra tệp, không ghi gì."
        )

    def run(command: BaseCommand, **options: Any) -> None:
        path = options["file"]
        if not os.path.exists(path):
            raise CommandError(f"Không tìm thấy tệp {path}; hãy kiểm tra đường dẫn.")
        dry_run = bool(options.get("dry_run"))
        try:
            result = run_import(path, None, dry_run=dry_run)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        filename = os.path.basename(path)
        if result.errors:
            for error in result.errors:
                command.stderr.write(str(error))
            raise CommandError(
                f"Tệp {filename} có {len(result.errors)} lỗi; chưa ghi gì. Hãy sửa các lỗi trên rồi nhập lại."
            )
        for line in report(result, dry_run, filename):
            command.stdout.write(line)

    return Entry(name=name, help=help, add_arguments=add_arguments, run=run)


# --------------------------------------------------------------------------------------------- the flow


def _import_folder() -> Path:
    from django.conf import settings

    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_job(job: Job, progress: Any) -> dict[str, Any]:
    """Job handler (run by the task worker): the check of the flow that started the job; see
    `ExcelImportFlow.check`."""
    return _flow_of(job).check(job, progress)


def write_job(job: Job, progress: Any) -> dict[str, Any]:
    """Job handler (run by the task worker): the write of the flow that started the job; see
    `ExcelImportFlow.write`."""
    return _flow_of(job).write(job, progress)


def _flow_of(job: Job) -> ExcelImportFlow:
    flow = import_string(job.params["flow"])
    assert isinstance(flow, ExcelImportFlow)
    return flow


@dataclass(frozen=True, kw_only=True)
class ExcelImportFlow:
    """One app's Excel import: what differs between the apps; the methods are the shared pages and jobs, and
    `urlpatterns()` the app's import URLs (`URL_NAMES`).

    `name` is where the app declares the flow (`coso.members.views.IMPORT`): a job carries it, and the shared job
    handlers `check_job` / `write_job` find the flow by it in the task worker. `summary(result)` is what the
    page shows of a check or a write (small, JSON-able, with `created`: how many were written) and
    `refusal(exc)` the job's message when the importer refuses the file (DomainError or NotInScope). Messages
    that the apps word differently are fields (`{name}`, `{count}`… filled in).

    By convention the jobs' kinds are `NAMESPACE.import.check` / `NAMESPACE.import.write`, the page is
    `NAMESPACE/import.html` (it extends core/import_page.html) and an upload is kept as
    VAR_DIR/imports/NAMESPACE-USER-RANDOM.xlsx until it is written."""

    name: str  # dotted path of this flow, as the app declares it
    namespace: str  # the app's label and URL namespace (with the URLs of `URL_NAMES`)
    importer: str  # dotted path of `import_x(file, user, dry_run=, filename=, progress=) -> ImportResult`
    sample: str  # dotted path of the function that makes the template (.xlsx bytes) users fill in
    sample_name: str  # the template's file name
    can_write: Callable[[HttpRequest], bool]
    refused: str  # the 404's text for a user who may not write
    page: str  # the page's name as its menu and title give it (“quay lại trang … để xem kết quả”)
    noun: str  # what the write counts in the progress caption (“Đã ghi 10 / 20 NOUN”)
    written: str  # the write job's last message, with {count}
    not_xlsx: str  # the upload error for a file not named .xlsx, with {name}
    reading: str  # the check's caption while the total is known, with {done} and {total}
    summary: Callable[[Any], dict[str, Any]]
    refusal: Callable[[Exception], str]
    progress_template: str = "core/_import_progress.html"

    @property
    def check_kind(self) -> str:
        return f"{self.namespace}.import.check"

    @property
    def write_kind(self) -> str:
        return f"{self.namespace}.import.write"

    @property
    def template(self) -> str:
        """The page: upload form, recent jobs, then one job's progress or outcome."""
        return f"{self.namespace}/import.html"

    @property
    def kinds(self) -> tuple[str, str]:
        return (self.check_kind, self.write_kind)

    @property
    def urls(self) -> dict[str, str]:
        """The app's URL names by their name in the namespace (`{% url flow.urls.import_job job.pk %}`)."""
        return {name: f"{self.namespace}:{name}" for name in URL_NAMES}

    # ---------------------------------------------------------------------------------------- job handlers

    def check(self, job: Job, progress: Any) -> dict[str, Any]:
        """Job handler: validate the uploaded file (nothing written); keep the file only if it is ready to
        write."""
        from .jobs import JobFailed

        run_import = import_string(self.importer)  # looked up at each run, not when the module is loaded
        path = Path(job.path)
        message = "Đang kiểm tra từng dòng của tệp…"
        progress(0, 0, message, force=True)
        try:
            result = run_import(
                path,
                job.user,
                dry_run=True,
                filename=job.params.get("filename", ""),
                # the importer reports total = done when it does not know the number of rows: show it as unknown
                progress=lambda done, total: progress(done, total if total > done else 0, message),
            )
        except (DomainError, NotInScope) as exc:
            path.unlink(missing_ok=True)
            raise JobFailed(self.refusal(exc)) from exc
        except Exception:
            path.unlink(missing_ok=True)
            raise
        if not result.ok:
            path.unlink(missing_ok=True)
        progress(len(result.plan.rows), len(result.plan.rows), "Đã kiểm tra xong.", force=True)
        return self.summary(result)

    def write(self, job: Job, progress: Any) -> dict[str, Any]:
        """Job handler: validate the confirmed file again (the data may have changed since) and write it, all or
        nothing. The importer counts the rows twice (read, then written): the second half is the write, which
        runs in one transaction (see `coso.core.jobs` on how its progress shows on SQLite and PostgreSQL)."""
        from .jobs import JobFailed

        run_import = import_string(self.importer)
        path = Path(job.path)
        if not path.exists():
            raise JobFailed("Không còn tệp đã kiểm tra (có thể đã được nhập rồi); hãy chọn lại tệp Excel.")
        # the rows counted by the check: the write's steps are known in advance
        rows = int(job.params.get("rows") or 0)

        def report(done: int, total: int) -> None:
            steps = 2 * rows if rows else (total if total > done else 0)
            if rows and done >= rows:
                progress(done, max(steps, done), "Đã kiểm tra lại xong; đang ghi vào cơ sở dữ liệu…")
            else:
                progress(done, steps, "Đang kiểm tra lại tệp trước khi ghi…")

        progress(0, 0, "Đang kiểm tra lại tệp trước khi ghi…", force=True)
        try:
            result = run_import(
                path, job.user, dry_run=False, filename=job.params.get("filename", ""), progress=report
            )
        except (DomainError, NotInScope) as exc:
            raise JobFailed(self.refusal(exc)) from exc
        finally:
            path.unlink(missing_ok=True)
        summary = self.summary(result)
        if result.ok:
            created = int(summary["created"])
            progress(created, created, self.written.format(count=vn_number(created)), force=True)
        else:
            progress(1, 1, "Tệp có lỗi nên chưa ghi gì.", force=True)
        return summary

    # ------------------------------------------------------------------------------------------------ pages

    def _job(self, request: HttpRequest, pk: int) -> Job:
        from . import jobs

        return jobs.get_for_user(request.user, pk, self.kinds)

    def save_upload(self, request: HttpRequest, upload: Any) -> Path:
        """Keep the uploaded file under VAR_DIR/imports (one name per upload) for the jobs to read."""
        path = _import_folder() / f"{self.namespace}-{request.user.pk}-{uuid.uuid4().hex}.xlsx"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        return path

    def refuse_upload(self, upload: Any, name: str) -> str:
        """Why the uploaded file cannot be imported at all (not an .xlsx workbook, too large to read: see
        `coso.core.upload.check_xlsx`), "" when the check job may read it."""
        try:
            check_xlsx(upload, name=name)
        except ExcelError as exc:
            return exc.message
        return ""

    def progress_context(self, job: Job) -> dict[str, Any]:
        """The bar and its caption: for a write, the first half of the count is the re-check, the second the
        write."""
        done, total = int(job.done), int(job.total)
        caption = ""
        if job.kind == self.write_kind and total:
            half = total // 2
            if done >= half:
                written = done - half
                caption = (
                    f"Đã ghi {vn_number(written)} / {vn_number(half)} {self.noun}"
                    if written
                    else f"Ghi {vn_number(half)} {self.noun} trong một lần: nếu có lỗi thì không ghi gì"
                )
            else:
                caption = f"Đã kiểm tra lại {vn_number(done)} / {vn_number(half)} dòng"
        elif done:
            caption = (
                self.reading.format(done=vn_number(done), total=vn_number(total))
                if total
                else f"Đã đọc {vn_number(done)} dòng"
            )
        return {
            "flow": self,
            "job": job,
            "writing": job.kind == self.write_kind,
            "percent": job.percent,
            "caption": caption,
            "filename": job.params.get("filename", ""),
        }

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        """The upload page: POST a file → the check job starts and its page opens; else the form and the
        user's recent imports."""
        from . import jobs

        if not self.can_write(request):
            raise Http404(self.refused)
        ctx: dict[str, Any] = {"flow": self}
        if request.method == "POST":
            upload = request.FILES.get("file")
            name = (upload.name or "") if upload is not None else ""
            if upload is None:
                ctx["upload_error"] = "Hãy chọn tệp Excel (.xlsx) theo mẫu."
            elif not name.lower().endswith(".xlsx"):
                ctx["upload_error"] = self.not_xlsx.format(name=name)
            elif refusal := self.refuse_upload(upload, name):
                ctx["upload_error"] = refusal  # before a job: the page keeps the form and says what to do
            else:
                job = jobs.start(
                    self.check_kind,
                    request.user,
                    check_job,
                    params={"filename": name, "flow": self.name},
                    path=str(self.save_upload(request, upload)),
                    message="Đang chờ kiểm tra…",
                )
                return redirect(self.urls["import_job"], pk=job.pk)
        ctx["recent"] = list(jobs.for_user(request.user).filter(kind__in=self.kinds)[:RECENT])
        for job in ctx["recent"]:
            jobs.reap(job)  # a job whose worker died shows as failed, not "still running"
        return render(request, self.template, ctx)

    def job_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """One import job of the user (404 for anybody else's): its progress while it runs, then the errors, the
        preview (and the button that starts the write) or the result. POST `confirm` on a checked file starts
        the write; confirming again shows the same write. POST `restart` on a failed job runs it again
        (`jobs.restart`: same file, same handler) and opens the new job's page."""
        from . import jobs

        job = self._job(request, pk)
        if request.method == "POST" and request.POST.get("restart"):
            if not self.can_write(request):
                raise Http404(self.refused)
            try:
                again = jobs.restart(request.user, job)
            except NotInScope as exc:
                raise Http404(str(exc)) from exc
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect(self.urls["import_job"], pk=job.pk)
            return redirect(self.urls["import_job"], pk=again.pk)
        if request.method == "POST":
            if not self.can_write(request):
                raise Http404(self.refused)
            if not request.POST.get("confirm") or job.kind != self.check_kind or not job.result.get("ok"):
                messages.error(request, "Tệp này chưa được kiểm tra xong hoặc còn lỗi; chưa ghi gì.")
                return redirect(self.urls["import_job"], pk=job.pk)
            already = jobs.for_user(request.user, self.write_kind).filter(params__source=job.pk).first()
            if already is not None:
                return redirect(self.urls["import_job"], pk=already.pk)
            if not Path(job.path).is_file():
                messages.error(request, "Không còn tệp đã kiểm tra; hãy chọn lại tệp Excel.")
                return redirect(self.urls["import"])
            write = jobs.start(
                self.write_kind,
                request.user,
                write_job,
                params={
                    "flow": self.name,
                    "filename": job.params.get("filename", ""),
                    "source": job.pk,
                    "rows": job.result["rows"],
                },
                path=job.path,
                message="Đang chờ ghi…",
            )
            return redirect(self.urls["import_job"], pk=write.pk)
        ctx = self.progress_context(job)
        ctx["result"] = job.result
        if job.state == Job.State.FAILED:
            ctx["restarted"] = job.restarts.order_by("-created_at", "-id").first()
            ctx["restart_refusal"] = jobs.restart_refusal(job)
        if job.kind == self.check_kind and job.result.get("ok"):
            ctx["write"] = jobs.for_user(request.user, self.write_kind).filter(params__source=job.pk).first()
        return render(request, self.template, ctx)

    def progress_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The progress bar of a running job (polled by htmx every second); once the job has ended, the page
        reloads to show its outcome."""
        from django_htmx.http import HttpResponseClientRefresh

        job = self._job(request, pk)
        if job.finished:
            if getattr(request, "htmx", False):
                return HttpResponseClientRefresh()
            return redirect(self.urls["import_job"], pk=job.pk)
        return render(request, self.progress_template, self.progress_context(job))

    def sample_view(self, request: HttpRequest) -> HttpResponse:
        """The template to fill in (.xlsx), with the columns and the valid values."""
        from .pages import xlsx_response

        return xlsx_response(import_string(self.sample)(), self.sample_name)

    def urlpatterns(self) -> list[URLPattern]:
        """The import's pages under the app's URLs (names `URL_NAMES`), for signed-in users."""
        return [
            path("import/", login_required(self.upload_view), name="import"),
            path("import/template.xlsx", login_required(self.sample_view), name="import_template"),
            path("import/jobs/<int:pk>/", login_required(self.job_view), name="import_job"),
            path(
                "import/jobs/<int:pk>/progress/",
                login_required(self.progress_view),
                name="import_job_progress",
            ),
        ]
