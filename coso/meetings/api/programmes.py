"""Programmes to raise the quality of meetings."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from coso.core.api import AS_OF, ERRORS, CosoAPI, as_of, validated
from coso.core.scope import get_scoped, restrict

from .. import filters, queries, serializers, services
from ..models import (
    ProgrammeCell,
    QualityProgramme,
)
from ._common import ORG_FILTER, _org_body


def _programme(request: Request, pk: int) -> QualityProgramme:
    return get_scoped(QualityProgramme.objects.select_related("org"), request.user, pk=pk)


class ProgrammeListView(CosoAPI, generics.GenericAPIView):  # type: ignore[type-arg]
    serializer_class = serializers.ProgrammeSerializer
    queryset = QualityProgramme.objects.none()

    @extend_schema(
        summary="Đề án nâng cao chất lượng sinh hoạt trong phạm vi của bạn",
        parameters=[ORG_FILTER],
        responses={200: serializers.ProgrammeSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = filters.ProgrammeFilter(
            request.query_params,
            queryset=restrict(QualityProgramme.objects.select_related("org"), request.user),
            request=request,
            api=True,
        ).qs
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(serializers.ProgrammeSerializer(page, many=True).data)

    @extend_schema(
        summary="Tạo đề án (ví dụ Đề án 16-ĐA/TU, 2020-2025)",
        request=serializers.ProgrammeInput,
        responses={201: serializers.ProgrammeSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        d = validated(serializers.ProgrammeInput(data=request.data))
        org = _org_body(request, d["org"], "org")
        assert org is not None
        programme = services.create_programme(
            request.user,
            org,
            name=d["name"],
            date_from=d["date_from"],
            date_to=d["date_to"],
            decision_number=d["decision_number"],
            decision_date=d["decision_date"],
            note=d["note"],
        )
        return Response(serializers.ProgrammeSerializer(programme).data, status=status.HTTP_201_CREATED)


class ProgrammeDetailView(CosoAPI):
    @extend_schema(summary="Một đề án", responses={200: serializers.ProgrammeSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(serializers.ProgrammeSerializer(_programme(request, pk)).data)


class ProgrammePilotView(CosoAPI):
    @extend_schema(
        summary="Chi bộ của đề án (điểm và triển khai)",
        responses={200: serializers.ProgrammeCellSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        programme = _programme(request, pk)
        rows = restrict(ProgrammeCell.objects.filter(programme=programme), request.user).select_related("org")
        return self.paged(request, rows.order_by("-pilot", "id"), serializers.ProgrammeCellSerializer)

    @extend_schema(
        summary="Chọn chi bộ điểm (sinh hoạt điểm) của đề án",
        request=serializers.PilotInput,
        responses={201: serializers.ProgrammeCellSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        programme = _programme(request, pk)
        d = validated(serializers.PilotInput(data=request.data))
        cell = _org_body(request, d["org"], "org")
        assert cell is not None
        row = services.select_pilot(request.user, programme, cell, on=d["on"], note=d["note"])
        return Response(serializers.ProgrammeCellSerializer(row).data, status=status.HTTP_201_CREATED)


class ProgrammeRollOutView(CosoAPI):
    @extend_schema(
        summary="Triển khai đồng loạt đề án (mọi chi bộ của cấp triển khai, hoặc các chi bộ đã nêu)",
        request=serializers.RollOutInput,
        responses={200: serializers.RollOutResultSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        programme = _programme(request, pk)
        d = validated(serializers.RollOutInput(data=request.data))
        cells = None
        if d["cells"]:
            cells = [_org_body(request, c, f"cells[{i}]") for i, c in enumerate(d["cells"])]
        n = services.roll_out(request.user, programme, on=d["on"], cells=cells)  # type: ignore[arg-type]
        return Response({"rolled_out": n})


class ProgrammeReportView(CosoAPI):
    @extend_schema(
        summary="Báo cáo đề án: chi bộ điểm, số chi bộ đã triển khai, chất lượng sinh hoạt từng 6 tháng",
        parameters=[AS_OF],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        programme = _programme(request, pk)
        return Response(queries.programme_report(request.user, programme, as_of(request)).as_json())
