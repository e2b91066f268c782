"""Users and role grants. A grant = (user, role, organization) and covers the organization's whole subtree."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from rest_framework.authtoken.models import Token
from simple_history.models import HistoricalRecords

from coso.core.scope import ROLES


class User(AbstractUser):
    full_name = models.CharField("họ và tên", max_length=150, blank=True)
    title = models.CharField("chức vụ", max_length=150, blank=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self) -> str:
        return self.full_name or self.username


class RoleGrant(models.Model):
    """A role on an organization and everything under it. Revoked grants stay, with who revoked them and when."""

    SCOPE_PATH = "org__current_path"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grants")
    role = models.CharField("vai trò", max_length=30, choices=list(ROLES.items()))
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="grants", verbose_name="tổ chức"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.org_id}"


class TokenIssue(models.Model):
    """How an API token was made: accounts that sign in with two factors may use only a token made after a
    two-factor sign-in or on the server (`coso token`)."""

    class How(models.TextChoices):
        TWO_FACTOR = "two_factor", "sau khi đăng nhập hai lớp"
        PASSWORD = "password", "chỉ với mật khẩu"
        SERVER = "server", "bằng lệnh trên máy chủ"

    token = models.OneToOneField(Token, on_delete=models.CASCADE, related_name="issue")
    how = models.CharField("cách tạo", max_length=20, choices=How.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "nguồn gốc token"
        verbose_name_plural = "nguồn gốc token"

    def __str__(self) -> str:
        return f"{self.token_id}: {self.get_how_display()}"
