"""Compliance with the meeting rhythm (the `coso report meetings` contract)."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from coso.core.api import AS_OF, ERRORS, CosoAPI, as_of, query_bool, query_date
from coso.core.text import nfc
from coso.orgs.queries import get_org

from .. import queries
from ._common import CODE


class ComplianceView(CosoAPI):
    @extend_schema(
        summary="Việc duy trì sinh hoạt của một tổ chức (cả cây con) trong một khoảng ngày, vào ngày as_of",
        description=(
            "Số cuộc sinh hoạt thường kỳ đã họp / phải họp (theo chi bộ × tháng), số quý có sinh hoạt chuyên đề, "
            "tỷ lệ đảng viên dự họp, từng tổ chức trực thuộc, các chi bộ dưới mức tối thiểu trong năm và các "
            "cảnh báo (chi bộ lâu không sinh hoạt, biên bản chưa thông qua, nhiệm vụ quá hạn, đảng viên vắng "
            "không lý do hoặc chưa đóng đảng phí nhiều tháng). Quy tắc tính: coso.meetings.queries."
        ),
        parameters=[
            CODE,
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="Từ ngày (YYYY-MM-DD); trống: 1/1 năm của to."
            ),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Đến ngày (YYYY-MM-DD); trống: as_of."),
            AS_OF,
            OpenApiParameter("alerts", OpenApiTypes.BOOL, description="false: bỏ các cảnh báo (nhanh hơn)."),
        ],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        org = get_org(request.user, nfc(code))
        on = as_of(request)
        end = query_date(request, "to", default_today=False) or on
        start = query_date(request, "from", default_today=False) or dt.date(end.year, 1, 1)
        with_alerts = query_bool(request, "alerts") is not False
        report = queries.compliance(request.user, org, start, end, on, alerts=with_alerts)
        return Response(report.as_json())
