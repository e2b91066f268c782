"""Headers every response carries beside Django's own and the Content-Security-Policy (settings.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

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
