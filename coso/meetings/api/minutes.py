"""Minutes: write, adopt, amend."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from coso.core.api import CHANGE_ERRORS, ERRORS, CosoAPI, validated

from .. import serializers, services
from ..models import (
    Minutes,
    MinutesAmendment,
)
from ._common import _meeting, _meeting_body


def _minutes_input(d: dict[str, Any]) -> services.MinutesInput:
    return services.MinutesInput(
        chair_name=d["chair_name"],
        secretary_name=d["secretary_name"],
        opened_at=d["opened_at"],
        closed_at=d["closed_at"],
        proceedings=d["proceedings"],
        speakers=[dict(x) for x in d["speakers"]],
        conclusions=d["conclusions"],
        votes_for=d["votes_for"],
        votes_against=d["votes_against"],
        votes_abstain=d["votes_abstain"],
    )


def _minutes(request: Request, pk: int) -> Minutes:
    meeting = _meeting(request, pk)
    found = Minutes.objects.filter(meeting=meeting).first()
    if found is None:
        raise exceptions.NotFound("Cuộc sinh hoạt này chưa có biên bản.")
    return found


class MinutesView(CosoAPI):
    @extend_schema(summary="Biên bản sinh hoạt", responses={200: serializers.MinutesSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(serializers.MinutesSerializer(_minutes(request, pk)).data)

    @extend_schema(
        summary="Ghi hoặc sửa biên bản (chưa thông qua)",
        request=serializers.MinutesBodyInput,
        responses={200: serializers.MinutesSerializer, **CHANGE_ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(serializers.MinutesBodyInput(data=request.data))
        minutes = services.save_minutes(
            request.user, meeting, _minutes_input(d), expected_version=d["version"]
        )
        return Response(serializers.MinutesSerializer(minutes).data)


class MinutesAdoptView(CosoAPI):
    @extend_schema(
        summary="Thông qua biên bản (từ đó chỉ đính chính)",
        request=serializers.AdoptInput,
        responses={200: serializers.MinutesSerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        minutes = _minutes(request, pk)
        d = validated(serializers.AdoptInput(data=request.data))
        minutes = services.adopt_minutes(request.user, minutes, on=d["on"], expected_version=d["version"])
        return Response(serializers.MinutesSerializer(minutes).data)


class MinutesAmendView(CosoAPI):
    @extend_schema(
        summary="Đính chính biên bản đã thông qua (ghi lý do, căn cứ; giữ trước và sau)",
        request=serializers.AmendInput,
        responses={201: serializers.AmendmentSerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        minutes = _minutes(request, pk)
        d = validated(serializers.AmendInput(data=request.data))
        amendment = services.amend_minutes(
            request.user,
            minutes,
            _minutes_input(d),
            on=d["on"],
            reason=d["reason"],
            decision=d["decision"],
            adopting_meeting=_meeting_body(request, d["adopting_meeting"], "adopting_meeting"),
            expected_version=d["version"],
        )
        return Response(serializers.AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)


class AmendmentListView(CosoAPI):
    @extend_schema(
        summary="Các lần đính chính biên bản",
        responses={200: serializers.AmendmentSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        rows = MinutesAmendment.objects.filter(minutes__meeting=meeting).order_by("on", "id")
        return self.paged(request, rows, serializers.AmendmentSerializer)
