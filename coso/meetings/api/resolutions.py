"""Resolutions, their tasks and the tasks' follow-up."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from coso.core.api import AS_OF, ERRORS, CosoAPI, validated
from coso.core.scope import get_scoped, restrict

from .. import filters, serializers, services
from ..models import (
    Resolution,
    ResolutionTask,
)
from ._common import ORG_FILTER, _meeting, _meeting_body, _member


def _tasks() -> QuerySet[ResolutionTask]:
    return ResolutionTask.objects.select_related("resolution__meeting__org").prefetch_related(
        "follow_ups__meeting"
    )


class ResolutionListView(CosoAPI):
    @extend_schema(
        summary="Nghị quyết của cuộc sinh hoạt, với nhiệm vụ",
        responses={200: serializers.ResolutionSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        rows = Resolution.objects.filter(meeting=meeting).prefetch_related(
            "tasks__follow_ups__meeting", "tasks__resolution__meeting__org"
        )
        return self.paged(request, rows.order_by("id"), serializers.ResolutionSerializer)

    @extend_schema(
        summary="Ghi nghị quyết của cuộc sinh hoạt đã họp",
        request=serializers.ResolutionInput,
        responses={201: serializers.ResolutionSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(serializers.ResolutionInput(data=request.data))
        resolution = services.add_resolution(request.user, meeting, **d)
        return Response(serializers.ResolutionSerializer(resolution).data, status=status.HTTP_201_CREATED)


class ResolutionTaskView(CosoAPI):
    @extend_schema(
        summary="Giao nhiệm vụ của nghị quyết (người phụ trách, thời hạn)",
        request=serializers.TaskInput,
        responses={201: serializers.TaskSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        resolution = get_scoped(Resolution.objects.select_related("meeting__org"), request.user, pk=pk)
        d = validated(serializers.TaskInput(data=request.data))
        task = services.add_task(
            request.user,
            resolution,
            description=d["description"],
            deadline=d["deadline"],
            owner_member=_member(request, d["owner_member"], "owner_member", resolution.meeting.org),
            owner_text=d["owner_text"],
        )
        return Response(
            serializers.TaskSerializer(_tasks().get(pk=task.pk)).data, status=status.HTTP_201_CREATED
        )


class TaskListView(CosoAPI, generics.GenericAPIView):  # type: ignore[type-arg]
    serializer_class = serializers.TaskSerializer
    queryset = ResolutionTask.objects.none()

    @extend_schema(
        summary="Nhiệm vụ của các nghị quyết (lọc theo tổ chức, tình trạng, quá hạn vào ngày as_of)",
        parameters=[
            ORG_FILTER,
            AS_OF,
            OpenApiParameter("status", OpenApiTypes.STR, description="open, done, cancelled"),
            OpenApiParameter(
                "overdue", OpenApiTypes.BOOL, description="true: chỉ nhiệm vụ còn mở vào as_of và đã quá hạn."
            ),
        ],
        responses={200: serializers.TaskSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = filters.TaskFilter(
            request.query_params, queryset=restrict(_tasks(), request.user), request=request, api=True
        ).qs
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(serializers.TaskSerializer(page, many=True).data)


class TaskFollowUpView(CosoAPI):
    @extend_schema(
        summary="Kiểm điểm nhiệm vụ ở một kỳ sinh hoạt sau (đặt tình trạng)",
        request=serializers.FollowUpInput,
        responses={201: serializers.TaskSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        task = get_scoped(ResolutionTask.objects.all(), request.user, pk=pk)
        d = validated(serializers.FollowUpInput(data=request.data))
        meeting = _meeting_body(request, d["meeting"], "meeting")
        assert meeting is not None
        services.follow_up_task(request.user, task, meeting=meeting, status=d["status"], note=d["note"])
        return Response(
            serializers.TaskSerializer(_tasks().get(pk=task.pk)).data, status=status.HTTP_201_CREATED
        )
