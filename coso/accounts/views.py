"""Pages of accounts: profile and token, users and role grants (thin: parse, call a service, render)."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from rest_framework.authtoken.models import Token

from coso.core import pages
from coso.core.errors import DomainError, NotInScope
from coso.core.excel import Sheet, workbook_bytes
from coso.core.models import AccessEvent
from coso.core.scope import GRANT, get_scoped, restrict, scope_for
from coso.orgs import queries as orgs_queries

from . import services, twofactor
from .forms import AccessLogFilter, CodeForm, GrantForm, UserForm
from .models import RoleGrant, TokenIssue, User


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    token = Token.objects.filter(user=cast(User, request.user)).first()
    grants = request.user.grants.filter(revoked_at__isnull=True).select_related("org")  # type: ignore[union-attr]
    return render(
        request,
        "accounts/profile.html",
        {"token": token, "grants": _with_names(grants, request), **_security(request)},
    )


def _security(request: HttpRequest) -> dict[str, object]:
    user = cast(User, request.user)
    return {
        "two_factor": {
            "on": settings.COSO_REQUIRE_2FA,
            "required": twofactor.required_for(user),
            "app": twofactor.app_device(user) is not None,
            "codes_left": twofactor.recovery_codes_left(user),
            "verified": user.is_verified(),  # type: ignore[attr-defined]
        },
        "is_admin": is_system_admin(user),
    }


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    user = request.user
    verified = getattr(user, "is_verified", lambda: False)()
    how = TokenIssue.How.TWO_FACTOR if verified else TokenIssue.How.PASSWORD
    token = services.issue_token(user, how, request=request)  # type: ignore[arg-type]
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
            **_security(request),
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


# ------------------------------------------------------------------------------------------ two factors


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the code of the authenticator app (or a recovery code); the first time,
    setting the app up (scan the QR code, type the code it shows), then the recovery codes, shown once."""
    user = cast(User, request.user)
    if not twofactor.required_for(user) or user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    app = twofactor.app_device(user)
    if request.method == "POST" and form.is_valid():
        try:
            if app is None:
                codes = twofactor.confirm_app(user, form.cleaned_data["code"], request=request)
                otp_login(request, twofactor.app_device(user))
                return render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "next": _next_url(request), "first": True},
                )
            otp_login(request, twofactor.verify(user, form.cleaned_data["code"], request=request))
            return redirect(_next_url(request))
        except DomainError as exc:
            form.add_error("code", exc.message)
    ctx: dict[str, object] = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    if app is None:
        device = twofactor.pending_device(user)
        ctx.update(setup=True, qr=twofactor.qr_data_uri(device), secret=twofactor.secret_text(device))
    return render(request, "accounts/two_factor.html", ctx)


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes (the old ones stop working); only in a session verified by two factors."""
    user = cast(User, request.user)
    if not user.is_verified():  # type: ignore[attr-defined]
        messages.error(request, "Chỉ tạo được mã khôi phục sau khi đăng nhập có mã xác thực.")
        return redirect("accounts:profile")
    codes = twofactor.new_recovery_codes(user, request=request)
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": resolve_url("accounts:profile")}
    )


# ----------------------------------------------------------------------------------------- access log


def is_system_admin(user: Any) -> bool:
    return (
        bool(getattr(user, "is_superuser", False))
        or RoleGrant.objects.filter(user=user, role="sysadmin", revoked_at__isnull=True).exists()
    )


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """For the system administrator: who signed in (or failed to), who opened whose record, who downloaded or
    imported what, from which machine; newest first, filtered by kind, user and dates; exported to Excel."""
    if not is_system_admin(request.user):
        raise Http404("Chỉ quản trị hệ thống xem được nhật ký truy cập.")
    form = AccessLogFilter(request.GET or None)
    qs = AccessEvent.objects.select_related("user")
    if form.is_valid():
        d = form.cleaned_data
        if d.get("kind"):
            qs = qs.filter(kind=d["kind"])
        if d.get("user"):
            qs = qs.filter(username__icontains=d["user"].strip())
        if d.get("date_from"):
            qs = qs.filter(at__date__gte=d["date_from"])
        if d.get("date_to"):
            qs = qs.filter(at__date__lte=d["date_to"])
    if request.GET.get("format") == "xlsx":
        rows = [
            [timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M:%S"), e.username, e.get_kind_display(), e.what,
             e.ip or "", e.path]
            for e in qs[:100_000]
        ]  # fmt: skip
        sheet = Sheet(
            "Nhật ký truy cập", ["Lúc", "Tên đăng nhập", "Loại", "Nội dung", "Địa chỉ máy", "Trang"], rows
        )
        return pages.xlsx_response(
            workbook_bytes([sheet]), f"nhat-ky-truy-cap-{timezone.localdate():%Y%m%d}.xlsx"
        )
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "accounts/access_log.html", {"form": form, "page": page, "query": query.urlencode()}
    )
