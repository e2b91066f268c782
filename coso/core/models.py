"""Shared models: dated rule sets (regulations as configuration, never constants) and background jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class RuleSet(models.Model):
    """One version of a rule from the regulations, in force on [effective_from, effective_to).

    `params` holds the values (thresholds, allowed placements ...). A new regulation adds a new version with its
    own dates; data made earlier keeps being judged by the version in force on its own date.
    """

    code = models.CharField("mã quy tắc", max_length=60, db_index=True)
    title = models.CharField("tên quy tắc", max_length=255)
    source = models.CharField("văn bản nguồn", max_length=255)
    effective_from = models.DateField("hiệu lực từ")
    effective_to = models.DateField("hết hiệu lực", null=True, blank=True)
    params = models.JSONField("tham số", default=dict)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "bộ quy tắc"
        verbose_name_plural = "bộ quy tắc"
        ordering = ["code", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="ruleset_code_from_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title} ({self.source})"


class Job(models.Model):
    """One piece of background work (an import, an export, a big report) and how far it has got.

    Written only through `coso.core.jobs` (the service of this model); the task that does the work runs in
    Django's task framework (`django-tasks`, database backend) and reports `done` of `total` steps as it goes,
    so a page can show a progress bar. `result` holds what the page shows afterwards (small: counts, the first
    errors); `path` the file the job reads or writes; `handler` the dotted path the worker runs, so a failed job
    can be run again (`jobs.restart`, a new row pointing back by `restarted_from`). Only the user who started a
    job may see it. A running job's worker writes `heartbeat_at` as it goes, so a worker on another host that
    died is seen (`jobs.reap`). History: who started (or restarted) which job, a row per job created; progress
    and state are written by UPDATE and keep none (operational, not a domain fact)."""

    class State(models.TextChoices):
        QUEUED = "queued", "Đang chờ"
        RUNNING = "running", "Đang chạy"
        DONE = "done", "Đã xong"
        FAILED = "failed", "Không thành công"

    kind = models.CharField("loại việc", max_length=60, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name="người yêu cầu"
    )
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveBigIntegerField("đã làm", default=0)
    total = models.PositiveBigIntegerField("tổng số", default=0)
    message = models.CharField("thông báo", max_length=1000, blank=True)
    params = models.JSONField("tham số", default=dict, blank=True)
    result = models.JSONField("kết quả", default=dict, blank=True)
    path = models.CharField("tệp", max_length=500, blank=True)
    task_id = models.CharField("mã tác vụ", max_length=64, blank=True)
    worker = models.CharField(
        "tiến trình xử lý", max_length=120, blank=True, help_text="máy:pid khi đang chạy"
    )
    handler = models.CharField("hàm xử lý", max_length=200, blank=True)
    restarted_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="restarts",
        verbose_name="chạy lại từ việc",
    )
    created_at = models.DateTimeField("tạo lúc", default=timezone.now, db_index=True)
    started_at = models.DateTimeField("bắt đầu lúc", null=True, blank=True)
    heartbeat_at = models.DateTimeField("tín hiệu gần nhất lúc", null=True, blank=True)
    finished_at = models.DateTimeField("kết thúc lúc", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["done", "total", "result", "heartbeat_at"])

    class Meta:
        verbose_name = "công việc chạy nền"
        verbose_name_plural = "công việc chạy nền"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "kind", "-created_at"], name="job_user_kind_created")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int | None:
        """How far, 0-100; None while the total is unknown."""
        if self.state == self.State.DONE:
            return 100
        if not self.total:
            return None
        return min(100, int(100 * self.done / self.total))


class AccessEvent(models.Model):
    """One entry of the access log the system administrator reads (DOMAIN §12, personal-data law): logins and
    failed logins, two-factor steps, API tokens, views of a member's record, exports and imports. Written by
    `core.access.record`, never changed."""

    class Kind(models.TextChoices):
        LOGIN = "login", "Đăng nhập"
        LOGIN_FAILED = "login_failed", "Đăng nhập sai"
        LOGOUT = "logout", "Đăng xuất"
        TWO_FACTOR = "two_factor", "Xác thực hai lớp"
        TOKEN = "token", "Token API"
        VIEW = "view", "Xem hồ sơ"
        EXPORT = "export", "Tải xuống"
        IMPORT = "import", "Nhập dữ liệu"

    at = models.DateTimeField("lúc", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    username = models.CharField("tên đăng nhập", max_length=150, blank=True)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices, db_index=True)
    what = models.CharField("nội dung", max_length=500, blank=True)
    path = models.CharField("địa chỉ trang", max_length=500, blank=True)
    ip = models.GenericIPAddressField("địa chỉ máy", null=True, blank=True)

    class Meta:
        verbose_name = "nhật ký truy cập"
        verbose_name_plural = "nhật ký truy cập"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "-at"], name="access_kind_at")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.username} {self.get_kind_display()}: {self.what}"
