"""API of accounts (/api/v1/grants/, /api/v1/me/), and the small API kernel the other apps' APIs share.

The shared part (Vietnamese input errors in one shape, ISO dates in query strings, pagination, Vietnamese
messages for DRF's own refusals) lives here because accounts is the lowest app with an API and every app above
may import it; it belongs in `coso.core.api` once that module is opened for it.

Views are thin: parse, call a query or a service, serialize. Role grants are listed and changed only within the
requester's grant scope (`coso.core.scope.GRANT`); a grant out of scope answers 404, an organization out of scope
in a request body reads as unknown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, NoReturn

from django.db.models import Model, Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coso.core.dates import today
from coso.core.scope import CHANGE_ORGS, GRANT, ROLES, get_scoped, restrict, scope_for
from coso.core.text import nfc

from . import services
from .models import RoleGrant, User

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


def query_date(request: Request, name: str, *, default_today: bool = True) -> dt.date | None:
    """An ISO date from the query string; empty means today (or None). A bad date is a 400 naming the parameter."""
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return today() if default_today else None
    if ISO_DATE.match(raw):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            pass
    raise input_error(f"“{raw}” không phải ngày hợp lệ ({name}); {DATE_HINT}.", name)


def as_of(request: Request) -> dt.date:
    """The date a read looks at (?as_of=YYYY-MM-DD), today when empty."""
    value = query_date(request, "as_of")
    assert value is not None
    return value


def query_bool(request: Request, name: str) -> bool | None:
    raw = (request.query_params.get(name) or "").strip().lower()
    if not raw:
        return None
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
    field.error_messages.update({k: v for k, v in messages.items() if k in field.error_messages})
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


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000
    invalid_page_message = "Trang không hợp lệ: {message}"
    page_query_description = "Số trang (từ 1)."
    page_size_query_description = "Số dòng mỗi trang (mặc định 100, tối đa 1000)."


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

    def handle_exception(self, exc: Exception) -> Response:
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

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    OpenApiParameter.QUERY,
    description="Ngày xem (YYYY-MM-DD); để trống là hôm nay.",
)


def org_name(org: Model) -> str:
    """The latest name of an organization (its periods prefetched), for showing a grant's organization."""
    periods = sorted(org.periods.all(), key=lambda p: (p.valid_from, p.pk))  # type: ignore[attr-defined]
    return periods[-1].name if periods else str(org)


# ------------------------------------------------------------------------------------------------- grants

Organization = RoleGrant._meta.get_field("org").related_model  # orgs sits above accounts: no import


class GrantSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    username = serializers.CharField(source="user.username")
    user_full_name = serializers.CharField(source="user.full_name")
    role_display = serializers.CharField(source="get_role_display")
    org = serializers.CharField(source="org.code")
    org_name = serializers.SerializerMethodField()
    granted_by = serializers.CharField(source="granted_by.username", allow_null=True)
    revoked_by = serializers.CharField(source="revoked_by.username", allow_null=True)
    active = serializers.SerializerMethodField()

    class Meta:
        model = RoleGrant
        fields = [
            "id",
            "username",
            "user_full_name",
            "role",
            "role_display",
            "org",
            "org_name",
            "granted_by",
            "granted_at",
            "revoked_by",
            "revoked_at",
            "active",
        ]
        read_only_fields = fields

    def get_org_name(self, obj: RoleGrant) -> str:
        return org_name(obj.org)

    def get_active(self, obj: RoleGrant) -> bool:
        return obj.revoked_at is None


class GrantInput(InputSerializer):
    """A role for a user on an organization and everything under it."""

    username = serializers.CharField(label="tên đăng nhập", max_length=150)
    role = serializers.ChoiceField(label="vai trò", choices=list(ROLES.items()))
    org = serializers.CharField(label="mã tổ chức", max_length=40)

    def validate_username(self, value: str) -> User:
        user = User.objects.filter(username__iexact=nfc(value)).first()
        if user is None:
            raise serializers.ValidationError(f"Không có người dùng “{value}”; hãy kiểm tra tên đăng nhập.")
        return user

    def validate_org(self, value: str) -> Any:
        actor = self.context["request"].user
        org = (
            restrict(Organization._default_manager.all(), actor, GRANT)
            .filter(code__iexact=nfc(value))
            .first()
        )
        if org is None:
            raise serializers.ValidationError(
                f"Không tìm thấy tổ chức mã “{value}” trong phạm vi bạn được phân quyền; hãy kiểm tra lại mã."
            )
        return org


def _grants() -> QuerySet[RoleGrant]:
    return RoleGrant.objects.select_related("user", "org", "granted_by", "revoked_by").prefetch_related(
        Prefetch("org__periods")
    )


class GrantViewSet(CosoAPI, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Role grants on organization subtrees, within the requester's grant scope."""

    lookup_value_regex = r"\d+"
    serializer_class = GrantSerializer
    queryset = RoleGrant.objects.none()

    def get_queryset(self) -> QuerySet[RoleGrant]:
        qs = restrict(_grants(), self.request.user, GRANT)
        params = self.request.query_params
        active = query_bool(self.request, "active")
        if active is not None:
            qs = qs.filter(revoked_at__isnull=active)
        if params.get("org"):
            qs = qs.filter(org__code__iexact=nfc(params["org"]))
        if params.get("username"):
            qs = qs.filter(user__username__iexact=nfc(params["username"]))
        return qs

    def _grant(self, pk: Any) -> RoleGrant:
        return get_scoped(_grants(), self.request.user, GRANT, pk=pk)

    @extend_schema(
        summary="Danh sách phân quyền trong phạm vi của bạn",
        description=(
            "Các phân quyền trên tổ chức thuộc phạm vi bạn được phân quyền (cần vai trò có quyền cấp vai "
            "trò), mới nhất trước. Có phân trang."
        ),
        parameters=[
            OpenApiParameter(
                "active", OpenApiTypes.BOOL, description="true: còn hiệu lực; false: đã thu hồi."
            ),
            OpenApiParameter("org", OpenApiTypes.STR, description="Mã tổ chức được phân quyền."),
            OpenApiParameter("username", OpenApiTypes.STR, description="Tên đăng nhập."),
        ],
        responses={200: GrantSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Một phân quyền",
        description="Một phân quyền trong phạm vi bạn được phân quyền; ngoài phạm vi trả lời 404.",
        responses={200: GrantSerializer, **ERRORS},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(GrantSerializer(self._grant(pk)).data)

    @extend_schema(
        summary="Cấp vai trò cho người dùng trên một tổ chức (và toàn bộ cấp dưới)",
        description=(
            "Vai trò có hiệu lực trên tổ chức và toàn bộ cấp dưới của nó. Tổ chức phải thuộc phạm vi bạn "
            "được phân quyền; mã ngoài phạm vi được trả lời như mã không có."
        ),
        request=GrantInput,
        responses={201: GrantSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        if scope_for(request.user, GRANT).is_empty:
            raise exceptions.PermissionDenied("Bạn không có quyền cấp vai trò cho người dùng.")
        data = validated(GrantInput(data=request.data, context={"request": request}))
        grant = services.grant_role(request.user, user=data["username"], role=data["role"], org=data["org"])
        return Response(GrantSerializer(self._grant(grant.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Thu hồi một phân quyền",
        description="Phân quyền hết hiệu lực ngay; bản ghi vẫn được giữ, kèm người thu hồi và thời điểm.",
        request=None,
        responses={200: GrantSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        grant = services.revoke_grant(request.user, self._grant(pk))
        return Response(GrantSerializer(self._grant(grant.pk)).data)


# --------------------------------------------------------------------------------------------------- me


class MyGrantSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    role_display = serializers.CharField(source="get_role_display")
    org = serializers.CharField(source="org.code")
    org_name = serializers.SerializerMethodField()

    class Meta:
        model = RoleGrant
        fields = ["id", "role", "role_display", "org", "org_name", "granted_at"]
        read_only_fields = fields

    def get_org_name(self, obj: RoleGrant) -> str:
        return org_name(obj.org)


class MeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    grants = serializers.SerializerMethodField()
    can_change_orgs = serializers.SerializerMethodField()
    can_grant = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "title",
            "email",
            "is_superuser",
            "grants",
            "can_change_orgs",
            "can_grant",
        ]
        read_only_fields = fields

    @extend_schema_field(MyGrantSerializer(many=True))
    def get_grants(self, obj: User) -> Any:
        active = _grants().filter(user=obj, revoked_at__isnull=True).order_by("granted_at", "id")
        return MyGrantSerializer(active, many=True).data

    def get_can_change_orgs(self, obj: User) -> bool:
        return not scope_for(obj, CHANGE_ORGS).is_empty

    def get_can_grant(self, obj: User) -> bool:
        return not scope_for(obj, GRANT).is_empty


class MeView(CosoAPI):
    """The user behind the token (or session), with their active role grants."""

    @extend_schema(
        summary="Người dùng hiện tại và các vai trò",
        description=(
            "Người dùng của token (hoặc phiên đăng nhập), các vai trò còn hiệu lực, và bạn có được thay "
            "đổi tổ chức, cấp vai trò hay không."
        ),
        responses={200: MeSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
