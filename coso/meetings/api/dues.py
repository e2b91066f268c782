"""Party dues collected."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from coso.core.api import ERRORS, CosoAPI, validated
from coso.core.scope import restrict

from .. import filters, serializers, services
from ..models import (
    DuesPayment,
)
from ._common import ORG_FILTER, _meeting_body, _member, _org_body


class DuesListView(CosoAPI, generics.GenericAPIView):  # type: ignore[type-arg]
    serializer_class = serializers.DuesPaymentSerializer
    queryset = DuesPayment.objects.none()

    @extend_schema(
        summary="Đảng phí đã thu (lọc theo chi bộ thu và tháng)",
        parameters=[
            ORG_FILTER,
            OpenApiParameter("month", OpenApiTypes.DATE, description="Tháng (một ngày bất kỳ trong tháng)."),
        ],
        responses={200: serializers.DuesPaymentSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = filters.DuesFilter(
            request.query_params,
            queryset=restrict(DuesPayment.objects.select_related("member", "org"), request.user),
            request=request,
            api=True,
        ).qs
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(serializers.DuesPaymentSerializer(page, many=True).data)

    @extend_schema(
        summary="Thu đảng phí của một tháng (tất cả hoặc không)",
        request=serializers.DuesInput,
        responses={201: serializers.DuesPaymentSerializer(many=True), **ERRORS},
    )
    def post(self, request: Request) -> Response:
        d = validated(serializers.DuesInput(data=request.data))
        org = _org_body(request, d["org"], "org")
        assert org is not None
        payments = [
            (_member(request, line["member"], f"payments[{i}].member", org), line["amount"])
            for i, line in enumerate(d["payments"])
        ]
        rows = services.record_dues(
            request.user,
            org,
            month=d["month"],
            payments=payments,  # type: ignore[arg-type]
            paid_on=d["paid_on"],
            meeting=_meeting_body(request, d["meeting"], "meeting"),
        )
        return Response(
            serializers.DuesPaymentSerializer(rows, many=True).data, status=status.HTTP_201_CREATED
        )
