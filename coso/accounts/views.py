"""Pages of accounts: profile and token, users and role grants (thin: parse, call a service, render)."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from coso.core.errors import DomainError, NotInScope
from coso.core.scope import GRANT, get_scoped, restrict, scope_for
from coso.orgs import queries as orgs_queries

from . import services
from .forms import GrantForm, UserForm
from .models import RoleGrant, User


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    token = Token.objects.filter(user=cast(User, request.user)).first()
    grants = request.user.grants.filter(revoked_at__isnull=True).select_related("org")  # type: ignore[union-attr]
    return render(request, "accounts/profile.html", {"token": token, "grants": _with_names(grants, request)})


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    token = services.issue_token(request.user)  # type: ignore[arg-type]
    messages.success(request, "Đã cấp token API mới. Token cũ (nếu có) không còn dùng được.")
    return render(
        request,
        "accounts/profile.html",
        {
            "token": token,
            "new_token": token.key,
            "grants": _with_names(
                request.user.grants.filter(  # type: ignore[union-attr]
                    revoked_at__isnull=True
                ),
                request,
            ),
        },
    )


def _with_names(grants, request):  # type: ignore[no-untyped-def]
    from coso.core.dates import today

    grants = list(grants.select_related("org", "user", "granted_by"))
    names = orgs_queries.names_on({g.org_id for g in grants}, today())
    return [(g, names.get(g.org_id, g.org.code)) for g in grants]


def _find_org(user, code: str, field_errors: dict[str, str]):  # type: ignore[no-untyped-def]
    org = orgs_queries.orgs(user, GRANT).filter(code__iexact=code.strip()).first()
    if org is None:
        field_errors["org"] = (
            f"Không có tổ chức mã “{code}” trong phạm vi bạn được phân quyền; hãy kiểm tra mã."
        )
    return org


@login_required
def grants(request: HttpRequest) -> HttpResponse:
    """The grants on organizations in the user's scope; add one (to an existing or a new account)."""
    can_grant = not scope_for(request.user, GRANT).is_empty
    form = GrantForm(request.POST or None, prefix="g")
    user_form = UserForm(request.POST or None, prefix="u")
    if request.method == "POST" and can_grant:
        errors: dict[str, str] = {}
        target_form = form if "g-username" in request.POST else user_form
        if target_form.is_valid():
            data = target_form.cleaned_data
            org = _find_org(request.user, data["org"], errors)
            try:
                if org is not None:
                    if target_form is user_form:
                        user = services.create_user(
                            request.user,
                            username=data["username"],
                            password=data["password"],
                            full_name=data["full_name"],
                            title=data.get("title", ""),
                            email=data.get("email", ""),
                        )
                    else:
                        found = User.objects.filter(username__iexact=data["username"].strip()).first()
                        if found is None:
                            errors["username"] = (
                                "Không có tài khoản này; hãy tạo tài khoản mới ở khung bên dưới."
                            )
                        else:
                            user = found
                    if not errors:
                        services.grant_role(request.user, user=user, role=data["role"], org=org)
                        messages.success(request, f"Đã cấp vai trò cho {user}.")
                        return redirect("accounts:grants")
            except DomainError as exc:
                errors[exc.field or "__all__"] = exc.message
            except NotInScope:
                errors["org"] = "Tổ chức này không thuộc phạm vi bạn được cấp quyền."
            for name, msg in errors.items():
                target_form.add_error(name if name in target_form.fields else None, msg)
    qs = restrict(RoleGrant.objects.all(), request.user).select_related("user", "org", "granted_by")
    show = request.GET.get("show", "active")
    if show != "all":
        qs = qs.filter(revoked_at__isnull=True)
    page = Paginator(qs.order_by("user__username", "-granted_at"), 50).get_page(request.GET.get("page"))
    rows = _with_names(RoleGrant.objects.filter(pk__in=[g.pk for g in page]), request)
    return render(
        request,
        "accounts/grants.html",
        {
            "form": form,
            "user_form": user_form,
            "page": page,
            "rows": rows,
            "can_grant": can_grant,
            "show": show,
        },
    )


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_scoped(RoleGrant.objects.all(), request.user, GRANT, pk=pk)
    try:
        services.revoke_grant(request.user, grant)
        messages.success(request, "Đã thu hồi vai trò.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:grants")


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: object = None
) -> HttpResponse:
    """The page a locked-out login gets (django-axes calls it): how long to wait and what to do (429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked_out.html",
        {"failures": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )
