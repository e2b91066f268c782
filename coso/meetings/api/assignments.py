"""Cadres assigned to attend cells' meetings."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from coso.accounts.models import User
from coso.core.api import ERRORS, CosoAPI, input_error, query_bool, validated
from coso.core.text import nfc
from coso.orgs.queries import get_org

from .. import queries, serializers, services
from ..models import (
    AttendanceAssignment,
)
from ._common import CODE, FROM, TO, _meeting, _member, _org_body, _period


class MeetingAssignmentView(CosoAPI):
    @extend_schema(
        summary="Cán bộ được phân công dự cuộc sinh hoạt",
        responses={200: serializers.AssignmentSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        rows = AttendanceAssignment.objects.filter(meeting=meeting).select_related("assigning_org")
        return self.paged(request, rows.order_by("id"), serializers.AssignmentSerializer)

    @extend_schema(
        summary="Cấp ủy phân công cán bộ dự sinh hoạt chi bộ trực thuộc",
        request=serializers.AssignInput,
        responses={201: serializers.AssignmentSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(serializers.AssignInput(data=request.data))
        assigning = _org_body(request, d["assigning_org"], "assigning_org")
        assert assigning is not None
        user = None
        if d["username"]:
            user = User.objects.filter(username=d["username"], is_active=True).first()
            if user is None:
                raise input_error(f"Không có người dùng “{d['username']}”.", "username")
        assignment = services.assign_attendee(
            request.user,
            meeting,
            assigning_org=assigning,
            name=d["name"],
            title=d["title"],
            user=user,
            member=_member(request, d["member"], "member", meeting.org),
            note=d["note"],
        )
        return Response(serializers.AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class WhoWentWhereView(CosoAPI):
    @extend_schema(
        summary="Ai đã dự ở đâu: phân công của cấp ủy (và các cấp ủy trực thuộc) trong khoảng ngày",
        parameters=[
            CODE,
            FROM,
            TO,
            OpenApiParameter(
                "subtree", OpenApiTypes.BOOL, description="false: chỉ phân công của chính cấp này"
            ),
        ],
        responses={200: serializers.WhoWentWhereSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        org = get_org(request.user, nfc(code))
        start, end = _period(request)
        subtree = query_bool(request, "subtree")
        rows = queries.assignments(request.user, org, start, end, subtree=subtree is not False)
        return self.paged(request, [r.as_json() for r in rows], None)
