"""Writes on users and role grants: one transaction each, scoped, with history."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from coso.core import access
from coso.core.errors import DomainError
from coso.core.history import stamp
from coso.core.scope import GRANT, ROLES, check_path, forget_scope
from coso.core.text import nfc

from .models import RoleGrant, TokenIssue, User


@transaction.atomic
def create_user(
    actor: Any, *, username: str, password: str, full_name: str = "", title: str = "", email: str = ""
) -> User:
    """A new account. Its creator must then grant it a role, or it sees nothing."""
    username = nfc(username).lower()
    if not username:
        raise DomainError("Hãy nhập tên đăng nhập.", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            f"Tên đăng nhập “{username}” đã có người dùng; hãy chọn tên khác.", field="username"
        )
    user = User(username=username, full_name=nfc(full_name), title=nfc(title), email=nfc(email))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from exc
    user.set_password(password)
    stamp(user, actor, "Tạo tài khoản").save()
    return user


@transaction.atomic
def grant_role(actor: Any, *, user: User, role: str, org: Any) -> RoleGrant:
    """Give `user` the `role` on `org`'s subtree. The actor must hold the grant permission over `org`."""
    if role not in ROLES:
        raise DomainError("Vai trò không hợp lệ; hãy chọn trong danh sách.", field="role")
    if actor is not None:
        check_path(actor, org.current_path, GRANT)
        if role == "sysadmin" and not actor.is_superuser:
            raise DomainError("Chỉ quản trị toàn hệ thống được cấp vai trò Quản trị hệ thống.", field="role")
    if RoleGrant.objects.filter(user=user, role=role, org=org, revoked_at__isnull=True).exists():
        raise DomainError(f"{user} đã có vai trò {ROLES[role]} trên tổ chức này.", field="role")
    grant = RoleGrant(user=user, role=role, org=org, granted_by=actor)
    stamp(grant, actor, f"Cấp vai trò {ROLES[role]}").save()
    forget_scope(user)
    return grant


@transaction.atomic
def revoke_grant(actor: Any, grant: RoleGrant) -> RoleGrant:
    """End a grant; the row stays, with who revoked it and when."""
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    if actor is not None:
        check_path(actor, grant.org.current_path, GRANT)
    if grant.revoked_at is not None:
        raise DomainError("Quyền này đã được thu hồi trước đó.")
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    stamp(grant, actor, "Thu hồi vai trò").save()
    forget_scope(grant.user)
    return grant


@transaction.atomic
def issue_token(user: User, how: str = TokenIssue.How.SERVER, request: Any = None) -> Token:
    """A new API token for `user` (an older one is replaced). `how` says how the maker proved who they are: a
    page after a two-factor sign-in, a page with the password only, or a command on the server; accounts that
    sign in with two factors may use only the first and the last (accounts.auth)."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    TokenIssue.objects.create(token=token, how=how)
    where = TokenIssue.How(how).label
    access.record(
        user if request else None,
        access.Kind.TOKEN,
        f"Cấp token API mới ({where})",
        request=request,
        username=user.get_username(),
    )
    return token
