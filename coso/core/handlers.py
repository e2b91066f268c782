"""What Django answers on its own errors (400, 403, 404, 500): JSON under /api/, a Vietnamese page elsewhere."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

API_PREFIX = "/api/"
MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    403: "Bạn không có quyền truy cập địa chỉ này.",
    404: "Không có địa chỉ này, hoặc nó không thuộc phạm vi của bạn.",
    500: "Máy chủ gặp lỗi khi xử lý yêu cầu; lỗi đã được ghi lại. Hãy thử lại sau hoặc báo quản trị hệ thống.",
}


def _answer(request: HttpRequest, status: int) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            {"detail": MESSAGES[status]}, status=status, json_dumps_params={"ensure_ascii": False}
        )
    # the 500 page is rendered without context processors or the database: the fault may be there
    template = loader.get_template(f"errors/{status}.html")
    return HttpResponse(template.render({"message": MESSAGES[status], "status": status}), status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _answer(request, 400)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _answer(request, 403)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _answer(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _answer(request, 500)
