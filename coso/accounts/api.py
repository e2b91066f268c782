"""API of accounts (/api/v1/grants/, /api/v1/me/). The shared API kernel is in `coso.core.api`.

Views are thin: parse, call a query or a service, serialize. Role grants are listed and changed only within the
requester's grant scope (`coso.core.scope.GRANT`); a grant out of scope answers 404, an organization out of scope
in a request body reads as unknown.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from coso.core.api import ERRORS, CosoAPI, InputSerializer, query_bool, validated
from coso.core.scope import CHANGE_ORGS, GRANT, ROLES, get_scoped, restrict, scope_for
from coso.core.text import nfc
from coso.orgs import queries as orgs_queries

from . import services
from .models import RoleGrant, User


def org_name(grant: RoleGrant) -> str:
    """The latest name of the grant's organization (annotated by `_grants`)."""
    return getattr(grant, "org_latest_name", None) or str(grant.org)


# ------------------------------------------------------------------------------------------------- grants


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
        return org_name(obj)

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
        org = orgs_queries.orgs(actor, GRANT).filter(code__iexact=nfc(value)).first()
        if org is None:
            raise serializers.ValidationError(
                f"Không tìm thấy tổ chức mã “{value}” trong phạm vi bạn được phân quyền; hãy kiểm tra lại mã."
            )
        return org


def _grants() -> QuerySet[RoleGrant]:
    return RoleGrant.objects.select_related("user", "org", "granted_by", "revoked_by").annotate(
        org_latest_name=orgs_queries.latest_name("org")
    )


class GrantViewSet(CosoAPI, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Role grants on organization subtrees, within the requester's grant scope."""

    lookup_value_regex = r"[^/]+"  # an id that is not a number is a 400 (CosoAPI)
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
        return org_name(obj)


class MeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    # an account may have no e-mail: "" (a plain string, not format "email", so the schema admits it)
    email = serializers.CharField(read_only=True, help_text="Thư điện tử; trống nếu chưa khai.")
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
