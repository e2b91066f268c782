"""Headers every response carries beside Django's own and the Content-Security-Policy (settings.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from . import access
from .errors import BUSY_MESSAGE, is_busy

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class SecurityHeadersMiddleware:
    """Permissions-Policy (no camera, microphone, location ...) and, on pages and API answers that hold personal
    data, `Cache-Control: no-store` so a shared office computer keeps no copy of them. Static files (served by
    WhiteNoise before this middleware) keep their long cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "no-store, private"
        return response


def _attachment_name(disposition: str) -> str:
    encoded = re.search(r"filename\*=utf-8''([^;]+)", disposition, re.IGNORECASE)
    if encoded:
        return unquote(encoded.group(1))
    plain = re.search(r'filename="?([^";]+)"?', disposition)
    return plain.group(1) if plain else ""


class AccessLogMiddleware:
    """Every file a signed-in user takes away (an Excel list, a report, a letter, a decision file: any answer sent
    as an attachment) is written in the access log with its name."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        disposition = response.get("Content-Disposition", "")
        user = getattr(request, "user", None)
        if disposition.startswith("attachment") and user is not None and user.is_authenticated:
            name = _attachment_name(disposition) or request.path
            access.record(user, access.Kind.EXPORT, f"Tải xuống tệp {name}", request=request)
        return response


class BusyDatabaseMiddleware:
    """A write that found the embedded database locked past the wait (another long write) is answered with 503
    and a message that says nothing was changed and to try again, never a traceback."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy(exception):
            return None
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"detail": BUSY_MESSAGE}, status=503, json_dumps_params={"ensure_ascii": False}
            )
        else:
            response = render(request, "errors/503.html", {"message": BUSY_MESSAGE}, status=503)
        response["Retry-After"] = "30"
        return response
