"""Scope: who may see and change which subtree. The one entry point every page, export and API list goes through.

A role grant is (user, role, organization) and covers that organization's subtree as it stands today: every
organization whose current (or, if dissolved, last) placement path starts with the granted organization's path.
Models say how they reach a path with `SCOPE_PATH` (a lookup like "org__current_path"), or build the filter
themselves with a `scope_q(scope)` classmethod where a cheaper equivalent exists; `restrict` turns the
user's grants into one indexed filter. Out of scope reads as not found (404), as in NetBox's RestrictedQuerySet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .errors import NotInScope
from .fields import prefix_range

ROLES: dict[str, str] = {
    "sysadmin": "Quản trị hệ thống",
    "org_commission": "Ban Tổ chức",
    "inspection": "Ủy ban Kiểm tra",
    "committee_office": "Văn phòng cấp ủy",
    "cell_secretary": "Bí thư chi bộ",
    "member": "Đảng viên",
    "viewer": "Chỉ xem",
}

VIEW = "view"
CHANGE_ORGS = "orgs.change"
GRANT = "accounts.grant"
CHANGE_MEMBERS = "members.change"
CHANGE_MEETINGS = "meetings.change"
EVALUATE = "evaluation.change"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "sysadmin": frozenset({VIEW, CHANGE_ORGS, CHANGE_MEMBERS, CHANGE_MEETINGS, EVALUATE, GRANT}),
    "org_commission": frozenset({VIEW, CHANGE_ORGS, CHANGE_MEMBERS, CHANGE_MEETINGS, EVALUATE, GRANT}),
    "inspection": frozenset({VIEW}),
    "committee_office": frozenset({VIEW, CHANGE_MEETINGS}),
    "cell_secretary": frozenset({VIEW, CHANGE_MEETINGS, EVALUATE}),
    "member": frozenset({VIEW}),
    "viewer": frozenset({VIEW}),
}

M = TypeVar("M", bound=Model)


class SystemReader:
    """The system itself as a reader with a global scope (like a superuser): the command line, which has no
    logged-in user, reads through it."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = True
    pk = None
    id = None

    def __str__(self) -> str:
        return "Hệ thống"


@dataclass(frozen=True)
class Scope:
    """The subtrees a user holds a permission on. `is_global`: the whole system (superuser)."""

    is_global: bool
    paths: tuple[str, ...]

    def q(self, field: str) -> Q:
        if self.is_global:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        result = Q()
        for path in self.paths:
            result |= Q(**prefix_range(field, path))
        return result

    def covers(self, path: str | None) -> bool:
        if self.is_global:
            return True
        return bool(path) and any(path.startswith(p) for p in self.paths)  # type: ignore[union-attr]

    @property
    def is_empty(self) -> bool:
        return not self.is_global and not self.paths


def _minimal(paths: list[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter granted path."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)


def active_grants(user: Any) -> list[tuple[str, str | None]]:
    """(role, current path of the granted organization) of the user's live role grants: the accounts app's, read
    through the user's relation (core imports no app), once per request for every permission its page asks about
    (and the second-factor check)."""
    rows = getattr(user, "_coso_grant_rows", None)
    if rows is None:
        rows = list(user.grants.filter(revoked_at__isnull=True).values_list("role", "org__current_path"))
        user._coso_grant_rows = rows
    return rows


def scope_for(user: Any, permission: str = VIEW) -> Scope:
    """The scope of `user` for `permission`, from their active role grants."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope(False, ())
    if user.is_superuser:
        return Scope(True, ())
    cache = getattr(user, "_coso_scope_cache", None)
    if cache is None:
        cache = {}
        user._coso_scope_cache = cache
    if permission not in cache:
        paths = [
            path
            for role, path in active_grants(user)
            if permission in ROLE_PERMISSIONS.get(role, frozenset()) and path
        ]
        cache[permission] = Scope(False, _minimal(paths))
    return cache[permission]


def forget_scope(user: Any) -> None:
    """Drop the cached scope after grants change."""
    for cached in ("_coso_scope_cache", "_coso_grant_rows"):
        if hasattr(user, cached):
            delattr(user, cached)


def restrict(qs: QuerySet[M], user: Any, permission: str = VIEW, *, within: str | None = None) -> QuerySet[M]:
    """The scoped entry point: `qs` narrowed to what `user` may see (or change) through their grants.

    `within`: a path the caller already confines the rows to (a subtree read); a model with its own `scope_q`
    may use it to drop the part of the filter that the confinement already implies."""
    scope = scope_for(user, permission)
    if scope.is_global:
        return qs
    custom = getattr(qs.model, "scope_q", None)
    if custom is not None:
        return qs.filter(custom(scope, within))
    field = getattr(qs.model, "SCOPE_PATH", None)
    if field is None:
        raise TypeError(f"{qs.model.__name__} has no SCOPE_PATH: it cannot be shown through a scoped list")
    if getattr(qs.model, "SCOPE_MULTI", False):
        inner = qs.model._default_manager.filter(scope.q(field)).values("pk")
        return qs.filter(pk__in=inner)
    return qs.filter(scope.q(field))


def get_scoped(qs: QuerySet[M], user: Any, permission: str = VIEW, **lookup: Any) -> M:
    """One object in scope, or 404 (out of scope reads as not found)."""
    try:
        return restrict(qs, user, permission).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404("Không tìm thấy hoặc không thuộc phạm vi của bạn.") from exc


def check_path(user: Any, path: str | None, permission: str) -> None:
    """Raise NotInScope unless `path` lies in the user's scope for `permission` (re-check after a write)."""
    if not scope_for(user, permission).covers(path):
        raise NotInScope(path)
