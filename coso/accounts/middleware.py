"""An account that signs in with two factors (accounts.twofactor) reaches nothing but the second step until it
has given its code: pages send it there, the API (signed in by session) answers 403."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import twofactor

OPEN_PREFIXES = ("/login/", "/logout/", "/2fa/", "/static/")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and twofactor.required_for(user)
            and not user.is_verified()  # type: ignore[union-attr]
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": "Tài khoản này cần xác thực hai lớp: hãy nhập mã trên ứng dụng xác thực ở trang "
                        "đăng nhập trước khi dùng API, hoặc dùng token tạo sau khi đăng nhập hai lớp."
                    },
                    status=403,
                )
            return redirect(
                reverse("accounts:two_factor") + "?" + urlencode({"next": request.get_full_path()})
            )
        return self.get_response(request)
