"""API plumbing shared by the apps: domain errors become 400 responses with a Vietnamese message."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError, NotInScope


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        if exc.rule:
            body["rule"] = {"code": exc.rule.code, "name": exc.rule.name, "source": exc.rule.source}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotInScope):
        exc = Http404("Không tìm thấy hoặc không thuộc phạm vi của bạn.")
    return drf_exception_handler(exc, context)
