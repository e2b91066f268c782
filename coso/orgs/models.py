"""The organization tree through time.

An `Organization` is the lasting identity (code, dates of establishment and dissolution). Its placement, name,
kind and category live in `OrgPeriod` rows, each valid on [valid_from, valid_to). A restructuring closes periods
and opens new ones; nothing is updated in place or deleted. Each period stores the materialized path of ids from
the root, so "everything under X as of D" is one indexed range query on `path`.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from simple_history.models import HistoricalRecords

from coso.core.fields import KeyField

SEGMENT = 9  # each path segment: 8 digits of the id and a "/"


def segment(org_id: int) -> str:
    return f"{org_id:08d}/"


class OrgKind(models.Model):
    """Node kinds (Đảng bộ tỉnh, Đảng bộ cơ sở, Chi bộ trực thuộc ...), an editable vocabulary."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên loại", max_length=100, unique=True)
    is_grassroots = models.BooleanField("là tổ chức cơ sở đảng (TCCSĐ)", default=False)
    is_cell = models.BooleanField("là chi bộ", default=False)
    order = models.PositiveSmallIntegerField("thứ tự", default=100)
    active = models.BooleanField("đang dùng", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "loại tổ chức"
        verbose_name_plural = "loại tổ chức"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class CellCategory(models.Model):
    """Categories of cells and organizations (Thôn, bản; Tổ dân phố; Trường học ...), an editable vocabulary."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên phân loại", max_length=100, unique=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=100)
    active = models.BooleanField("đang dùng", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "phân loại"
        verbose_name_plural = "phân loại"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    """A party organization's lasting identity. `current_path` is the path of its latest placement (kept by the
    services) and decides who may see it: a grant covers everything whose current path lies under it."""

    SCOPE_PATH = "current_path"

    code = models.CharField("mã tổ chức", max_length=40, unique=True)
    established_on = models.DateField("ngày thành lập")
    dissolved_on = models.DateField("ngày giải thể", null=True, blank=True)
    current_path = KeyField(max_length=255, db_index=True, blank=True, default="")
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["current_path"])

    class Meta:
        verbose_name = "tổ chức đảng"
        verbose_name_plural = "tổ chức đảng"
        indexes = [
            # pages and the API find an organization by its code whatever the case (`code__iexact`, UPPER(code)
            # on PostgreSQL): without it, every page named by a code scanned all the organizations (160 ms at a
            # nation's size)
            models.Index(Upper("code"), name="organization_code_upper"),
        ]

    def __str__(self) -> str:
        return self.code

    def exists_on(self, on) -> bool:  # type: ignore[no-untyped-def]
        return self.established_on <= on and (self.dissolved_on is None or on < self.dissolved_on)


def decision_upload_to(instance: Decision, filename: str) -> str:
    """Where an uploaded decision file is stored: a random name under the upload year, its extension kept. The
    name the user gave is kept in `file_name`; the file is served only through a view that checks login and
    scope (never under MEDIA_URL)."""
    instance.file_name = Path(filename).name[:255]
    ext = Path(filename).suffix.lower()[:10]
    return f"decisions/{timezone.now():%Y}/{uuid.uuid4().hex}{ext}"


class Decision(models.Model):
    """A decision (quyết định) that a restructuring rests on: number, date, issuing body, optional scanned file."""

    SCOPE_PATH = "org__current_path"

    number = models.CharField("số quyết định", max_length=60)
    signed_on = models.DateField("ngày quyết định")
    issuer = models.CharField("cơ quan ban hành", max_length=255, blank=True)
    summary = models.CharField("trích yếu", max_length=500, blank=True)
    file = models.FileField("tệp quyết định", upload_to=decision_upload_to, max_length=200, blank=True)
    file_name = models.CharField("tên tệp khi tải lên", max_length=255, blank=True)
    org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="decisions", verbose_name="tổ chức liên quan"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "quyết định"
        verbose_name_plural = "quyết định"
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return f"Quyết định số {self.number} ngày {self.signed_on:%d/%m/%Y}"


class Restructuring(models.Model):
    """A typed domain event: one restructuring operation, dated and tied to a decision."""

    SCOPE_PATH = "orgs__current_path"
    SCOPE_MULTI = True

    class Op(models.TextChoices):
        ESTABLISH = "establish", "Thành lập"
        RENAME = "rename", "Đổi tên / đổi loại"
        MOVE = "move", "Chuyển trực thuộc"
        MERGE = "merge", "Hợp nhất / sáp nhập"
        SPLIT = "split", "Chia tách"
        DISSOLVE = "dissolve", "Giải thể"
        IMPORT = "import", "Nhập từ Excel"

    op = models.CharField("thao tác", max_length=20, choices=Op.choices)
    on = models.DateField("ngày hiệu lực")
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="restructurings"
    )
    summary = models.CharField("nội dung", max_length=1000)
    payload = models.JSONField(default=dict, blank=True)
    orgs = models.ManyToManyField(Organization, through="RestructuringOrg", related_name="restructurings")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "thay đổi tổ chức"
        verbose_name_plural = "thay đổi tổ chức"
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_op_display()} ngày {self.on:%d/%m/%Y}: {self.summary}"


class RestructuringOrg(models.Model):
    class Role(models.TextChoices):
        SUBJECT = "subject", "tổ chức được thay đổi"
        SOURCE = "source", "tổ chức nguồn"
        TARGET = "target", "tổ chức đích"
        CHILD = "child", "tổ chức cấp dưới được chuyển"
        PARENT = "parent", "tổ chức cấp trên"

    restructuring = models.ForeignKey(Restructuring, on_delete=models.CASCADE, related_name="links")
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="restructuring_links")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["restructuring", "org", "role"], name="restructuring_org_role_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.org_id}"


class OrgPeriod(models.Model):
    """Where an organization sat, under which name, kind and category, on [valid_from, valid_to)."""

    SCOPE_PATH = "org__current_path"

    org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="periods", verbose_name="tổ chức"
    )
    parent = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="child_periods",
        verbose_name="tổ chức cấp trên",
    )
    name = models.CharField("tên tổ chức", max_length=255)
    search_key = models.CharField("khóa tìm kiếm", max_length=255)
    sort_key = KeyField("khóa sắp xếp", max_length=255)
    kind = models.ForeignKey(OrgKind, on_delete=models.PROTECT, related_name="+", verbose_name="loại")
    category = models.ForeignKey(
        CellCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="phân loại",
    )
    path = KeyField("đường dẫn", max_length=255)
    depth = models.PositiveSmallIntegerField("cấp")
    valid_from = models.DateField("từ ngày")
    valid_to = models.DateField("đến ngày", null=True, blank=True)
    opened_by = models.ForeignKey(
        Restructuring,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opened_periods",
        verbose_name="mở bởi thay đổi",
    )
    closed_by = models.ForeignKey(
        Restructuring,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="closed_periods",
        verbose_name="đóng bởi thay đổi",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "giai đoạn của tổ chức"
        verbose_name_plural = "giai đoạn của tổ chức"
        ordering = ["org_id", "valid_from"]
        indexes = [
            models.Index(fields=["path", "valid_from"], name="orgperiod_path_from"),
            models.Index(fields=["org", "valid_from"], name="orgperiod_org_from"),
            models.Index(fields=["parent", "valid_from"], name="orgperiod_parent_from"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="orgperiod_nonempty",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Any, within: str | None = None) -> models.Q:
        """The scope filter, cheaper than joining `org__current_path`: an open period is the organization's
        latest, so its own path is its current path; only closed periods need the organization's. When the
        caller reads a subtree (`within`) that lies in scope, open periods there are in scope already."""
        current = Organization.objects.filter(scope.q("current_path")).values("pk")
        open_ = models.Q(valid_to__isnull=True)
        if within is None or not scope.covers(within):
            open_ &= scope.q("path")
        return open_ | models.Q(valid_to__isnull=False, org_id__in=current)
