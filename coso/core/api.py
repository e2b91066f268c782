"""The API kernel the apps' APIs share: domain errors become 400 responses with a Vietnamese message, input
errors in one shape, ISO dates in query strings, pagination, Vietnamese messages for DRF's own refusals."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, NoReturn

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .converters import is_id
from .dates import FIRST_YEAR, LAST_YEAR, today
from .errors import DomainError, NotInScope, StaleEdit
from .throttling import RefusedCallThrottle


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        if exc.rule:
            body["rule"] = {"code": exc.rule.code, "name": exc.rule.name, "source": exc.rule.source}
        if isinstance(exc, StaleEdit):  # someone else changed the record since the client read it
            body.setdefault("field", "version")
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotInScope):
        exc = Http404("Không tìm thấy hoặc không thuộc phạm vi của bạn.")
    if isinstance(exc, exceptions.Throttled):
        seconds = getattr(exc, "wait", None)
        wait = f" sau {int(seconds) + 1} giây" if seconds is not None else " sau ít phút"
        exc = exceptions.Throttled(
            seconds, detail=f"Quá nhiều yêu cầu trong thời gian ngắn; hãy thử lại{wait}."
        )
    return drf_exception_handler(exc, context)


# ------------------------------------------------------------------------------------- shared API kernel

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATE_HINT = "hãy ghi ngày theo dạng YYYY-MM-DD, ví dụ 2025-07-01"


def input_error(
    message: str, field: str, errors: Mapping[str, list[str]] | None = None
) -> exceptions.ValidationError:
    """A 400 in the shape of a domain error ({"detail", "field"}), with every message by field in "errors"."""
    body: dict[str, Any] = {"detail": message, "field": field}
    if errors:
        body["errors"] = {k: list(v) for k, v in errors.items()}
    return exceptions.ValidationError(body)


def flatten_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested serializer errors as {"decision.number": [...], "parts[1].code": [...], "children.C1": [...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            name = str(key)
            if name == "non_field_errors":
                path = prefix or name
            elif isinstance(key, int):
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{name}" if prefix else name
            for k, v in flatten_errors(value, path).items():
                flat.setdefault(k, []).extend(v)
    elif isinstance(errors, list | tuple):
        if all(isinstance(e, str) for e in errors):
            if errors:
                flat[prefix or "non_field_errors"] = [str(e) for e in errors]
        else:
            for i, item in enumerate(errors):
                flat.update(flatten_errors(item, f"{prefix}[{i}]"))
    elif errors:
        flat[prefix or "non_field_errors"] = [str(errors)]
    return flat


def validated(serializer: serializers.BaseSerializer[Any]) -> Any:
    """The serializer's validated data, or a 400 naming the first wrong field (and listing all of them)."""
    if not serializer.is_valid():
        flat = flatten_errors(serializer.errors)
        field, messages = next(iter(flat.items()), ("non_field_errors", ["Dữ liệu gửi lên không hợp lệ."]))
        raise input_error(messages[0], field, flat)
    return serializer.validated_data


def parse_query_date(raw: str, name: str) -> dt.date:
    """An ISO date given as the parameter `name`; a bad one is a 400 naming the parameter."""
    raw = raw.strip()
    if ISO_DATE.match(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    raise input_error(f"“{raw}” không phải ngày hợp lệ ({name}); {DATE_HINT}.", name)


def query_date(request: Request, name: str, *, default_today: bool = True) -> dt.date | None:
    """An ISO date from the query string; empty means today (or None). A bad date is a 400 naming the parameter."""
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return today() if default_today else None
    return parse_query_date(raw, name)


def as_of(request: Request) -> dt.date:
    """The date a read looks at (?as_of=YYYY-MM-DD), today when empty."""
    value = query_date(request, "as_of")
    assert value is not None
    return value


def query_int(
    request: Request,
    name: str,
    *,
    required: bool = False,
    default: int | None = None,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """A whole number from the query string (empty: `default`, or a 400 when `required`), within
    [minimum, maximum]; anything else is a 400 naming the parameter."""
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        if required:
            raise input_error(f"Hãy ghi {name} (số nguyên).", name)
        return default
    try:
        value = int(raw)
    except ValueError:
        raise input_error(f"“{raw[:40]}” không phải số nguyên ({name}).", name) from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        low = "" if minimum is None else f" từ {minimum}"
        high = "" if maximum is None else f" đến {maximum}"
        raise input_error(f"{name} = {value} không hợp lệ; hãy ghi số{low}{high}.", name)
    return value


def query_year(
    request: Request, name: str, *, required: bool = False, default: int | None = None
) -> int | None:
    """A year from the query string, from 1930 to 2100; else a 400 naming the parameter."""
    return query_int(request, name, required=required, default=default, minimum=FIRST_YEAR, maximum=LAST_YEAR)


def query_bool(request: Request, name: str) -> bool | None:
    raw = (request.query_params.get(name) or "").strip().lower()
    if not raw:
        return None
    return parse_query_bool(raw, name)


def parse_query_bool(raw: str, name: str) -> bool:
    """A yes or no given as the parameter `name`; anything else is a 400 naming the parameter."""
    raw = raw.strip().lower()
    if raw in ("1", "true", "yes", "có", "co"):
        return True
    if raw in ("0", "false", "no", "không", "khong"):
        return False
    raise input_error(f"“{raw}” không hợp lệ ({name}); hãy ghi true hoặc false.", name)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def vietnamise(field: serializers.Field[Any, Any, Any, Any]) -> None:
    """Give a field Vietnamese error messages built from its label (DRF's Vietnamese catalogue is partial)."""
    label = str(field.label or field.field_name or "trường này")
    cap = _capital(label)
    messages = {
        "required": f"Hãy nhập {label}.",
        "null": f"{cap} không được để trống.",
        "blank": f"{cap} không được để trống.",
        "invalid": f"{cap} không hợp lệ.",
        "max_length": f"{cap} dài tối đa {{max_length}} ký tự.",
        "min_length": f"{cap} cần ít nhất {{min_length}} ký tự.",
        "not_a_list": f"{cap} phải là một danh sách (JSON array).",
        "not_a_dict": f"{cap} phải là một đối tượng JSON.",
        "empty": f"{cap} không được để trống; hãy nhập ít nhất một mục.",
        "min_value": f"{cap} phải từ {{min_value}} trở lên.",
        "max_value": f"{cap} phải không quá {{max_value}}.",
        "max_string_length": f"{cap} quá dài.",
    }
    if isinstance(field, serializers.ChoiceField):
        choices = ", ".join(str(c) for c in field.choices)
        messages["invalid_choice"] = f"“{{input}}” không phải {label} hợp lệ; hãy chọn một trong: {choices}."
    if isinstance(field, serializers.DateField):
        messages["invalid"] = f"{cap} không hợp lệ; {DATE_HINT}."
        messages["datetime"] = messages["invalid"]
    elif isinstance(field, serializers.IntegerField):
        messages["invalid"] = f"{cap} phải là số nguyên."
    elif isinstance(field, serializers.BooleanField):
        messages["invalid"] = f"{cap} phải là true hoặc false."
    elif isinstance(field, serializers.CharField):
        messages["invalid"] = f"{cap} phải là chuỗi ký tự."
    elif isinstance(field, serializers.Serializer):
        messages["invalid"] = f"{cap} phải là một đối tượng JSON."
    extra = getattr(field, "vietnamese_messages", None)
    if extra is not None:
        messages.update(extra(label))
    field.error_messages = {
        **field.error_messages,
        **{k: v for k, v in messages.items() if k in field.error_messages},
    }
    child = getattr(field, "child", None)
    if isinstance(child, serializers.Field):
        if not child.label:
            child.label = label
        vietnamise(child)


class InputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    # A request body: every field answers in Vietnamese, named by its label. (A comment, not a docstring: the
    # schema would show it on every request body.)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        for name, f in fields.items():
            if not f.label:
                f.label = name
            vietnamise(f)
        return fields

    def to_internal_value(self, data: Any) -> Any:
        # DRF's CharField turns a number into text ({"title": 0} becomes "0"): a text field sent as anything but
        # a string (or null where null is allowed) is refused, as the schema says
        if isinstance(data, Mapping):
            wrong: dict[str, list[str]] = {}
            for name, f in self.fields.items():
                value = data.get(name)
                if f.read_only or value is None:
                    continue
                if isinstance(f, serializers.CharField) and not isinstance(value, str):
                    wrong[name] = [str(f.error_messages["invalid"])]
                elif (
                    isinstance(f, serializers.ListField)
                    and isinstance(f.child, serializers.CharField)
                    and isinstance(value, list)
                    and not all(isinstance(v, str) for v in value)
                ):
                    wrong[name] = [str(f.child.error_messages["invalid"])]
            if wrong:
                raise exceptions.ValidationError(wrong)
        return super().to_internal_value(data)


class VersionField(serializers.IntegerField):
    """The version of the record the client read (its `version`), required on every change: a change made
    against an older version is refused (409) instead of silently replacing someone else's."""

    def __init__(self, what: str = "bản ghi", *, creates: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("label", "phiên bản")
        text = (
            f"Phiên bản của {what} khi bạn đọc nó (trường version); bắt buộc, thay đổi bị từ chối nếu đã cũ."
        )
        if creates:  # PUT that creates the record when there is none yet
            text += f" Gửi 0 nếu chưa có {what} (lần ghi đầu)."
        kwargs.setdefault("help_text", text)
        super().__init__(min_value=0 if creates else 1, **kwargs)

    def vietnamese_messages(self, label: str) -> dict[str, str]:
        return {
            "required": "Hãy gửi version: phiên bản của bản ghi khi bạn đọc nó (đọc lại bản ghi để lấy).",
            "null": "version không được để trống: gửi phiên bản của bản ghi khi bạn đọc nó.",
        }


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000
    invalid_page_message = "Trang không hợp lệ: {message}"
    page_query_description = "Số trang (từ 1)."
    page_size_query_description = "Số dòng mỗi trang (mặc định 100, tối đa 1000)."

    def get_page_number(self, request: Any, paginator: Any) -> int:
        """?page= is a whole number from 1 (or "last"): anything else is a 400 naming it; past the last page, 404."""
        raw = request.query_params.get(self.page_query_param, "")
        if raw == "":
            return 1
        if raw in self.last_page_strings:
            return int(paginator.num_pages)
        if not is_id(raw):
            raise input_error(f"Tham số page “{raw}” không hợp lệ: hãy ghi số trang từ 1.", "page")
        if int(raw) > max(1, paginator.num_pages):
            # a well-formed page past the end is not there (404), as DRF answers
            raise exceptions.NotFound(
                f"Trang không hợp lệ: không có trang {raw}, danh sách chỉ có {max(1, paginator.num_pages)} trang."
            )
        return int(raw)

    def get_page_size(self, request: Any) -> int:
        raw = request.query_params.get(self.page_size_query_param or "page_size", "")
        if raw == "":
            return int(self.page_size or 100)
        if not is_id(raw) or int(raw) > self.max_page_size:
            raise input_error(
                f"Tham số page_size “{raw}” không hợp lệ: hãy ghi số dòng mỗi trang từ 1 đến {self.max_page_size}.",
                "page_size",
            )
        return int(raw)


_VIETNAMESE: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "Bạn chưa đăng nhập; hãy gửi tiêu đề “Authorization: Token <khóa>”.",
    exceptions.AuthenticationFailed: (
        "Xác thực không thành công (token sai hoặc tài khoản đã bị khóa); "
        "hãy kiểm tra tiêu đề “Authorization: Token <khóa>” hoặc xin cấp token mới."
    ),
    exceptions.ParseError: "Nội dung gửi lên không đọc được; hãy gửi JSON hợp lệ.",
    exceptions.UnsupportedMediaType: "Kiểu nội dung không được hỗ trợ; hãy gửi Content-Type: application/json.",
    exceptions.MethodNotAllowed: "Phương thức {method} không dùng được ở địa chỉ này.",
    exceptions.NotAcceptable: "Không trả lời được theo định dạng yêu cầu; hãy nhận application/json.",
}
PERMISSION_DENIED = "Bạn không có quyền thực hiện thao tác này."


class CosoAPI(APIView):
    """Base of every Coso endpoint: Vietnamese messages for DRF's own refusals (its Vietnamese catalogue is
    partial), and the shared pagination (?page=, ?page_size= up to 1000)."""

    pagination_class: type[BasePagination] | None = Pagination

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # login, permissions and throttles first
        pk = kwargs.get("pk")
        if pk is not None and not is_id(pk):
            raise input_error(f"Mã số “{pk}” không hợp lệ: id phải là một số nguyên dương.", "id")
        # ?as_of= is a date wherever it is given, even where an operation reads it only with another parameter
        # (the tasks' `overdue`, the criteria sets' `org`): a malformed one is a 400 naming it, never ignored
        query_date(request, "as_of")

    def paged(self, request: Request, rows: Any, serializer: Any, **kwargs: Any) -> Response:
        """A list answered a page at a time (?page=, ?page_size=): {"count", "next", "previous", "results"};
        `rows` is an ordered queryset or a list, `serializer` the class each page is written with (None: the
        rows are already the answer's items)."""
        assert self.pagination_class is not None
        paginator = self.pagination_class()
        page: Any = paginator.paginate_queryset(rows, request, view=self)
        data = page if serializer is None else serializer(page, many=True, **kwargs).data
        return paginator.get_paginated_response(data)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            # DRF checks throttles after authentication: refused calls (no token, a wrong or expired one) are
            # counted per address here, so guessing tokens is throttled too
            throttle = RefusedCallThrottle()
            if not throttle.allow_request(self.request, self):
                exc = exceptions.Throttled(throttle.wait())
        if isinstance(exc, exceptions.APIException) and type(exc) in _VIETNAMESE:
            message = _VIETNAMESE[type(exc)].format(method=self.request.method)
            exc.detail = exceptions.ErrorDetail(message, code=str(exc.default_code))
        return super().handle_exception(exc)

    def permission_denied(
        self, request: Request, message: str | None = None, code: str | None = None
    ) -> NoReturn:
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated()
        raise exceptions.PermissionDenied(message or PERMISSION_DENIED, code=code)


class ErrorRuleSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    name = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.source (DRF pops it)


class ErrorSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A refusal: what is wrong (Vietnamese), the field it is about, the rule that refused it."""

    detail = serializers.CharField()
    field = serializers.CharField(required=False)
    rule = ErrorRuleSerializer(required=False)
    errors = serializers.DictField(  # type: ignore[assignment]  # a field, not Serializer.errors (DRF pops it)
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class DetailSerializer(serializers.Serializer):  # type: ignore[type-arg]
    detail = serializers.CharField()


ERRORS: dict[int, Any] = {
    400: ErrorSerializer,
    401: DetailSerializer,
    403: DetailSerializer,
    404: DetailSerializer,
}
# A change (POST, PUT, PATCH carrying `version`) may also answer 409: the record changed since it was read.
CHANGE_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorSerializer}

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    OpenApiParameter.QUERY,
    description="Ngày xem (YYYY-MM-DD); để trống là hôm nay.",
)
# for an APIView that pages a list itself (with Pagination, like the generic lists)
PAGE = OpenApiParameter(
    "page", OpenApiTypes.INT, OpenApiParameter.QUERY, description=Pagination.page_query_description
)
PAGE_SIZE = OpenApiParameter(
    "page_size", OpenApiTypes.INT, OpenApiParameter.QUERY, description=Pagination.page_size_query_description
)
