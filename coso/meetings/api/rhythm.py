"""A cell's rhythm and calendar."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from coso.core.api import ERRORS, CosoAPI, input_error, validated
from coso.core.text import nfc
from coso.orgs.queries import get_org

from .. import queries, serializers, services
from ..models import (
    MeetingRhythm,
)
from ._common import CODE, FROM, TO, _member, _period


class RhythmView(CosoAPI):
    @extend_schema(
        summary="Lịch sinh hoạt định kỳ của chi bộ (các thời kỳ)",
        parameters=[CODE],
        responses={200: serializers.RhythmSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        org = get_org(request.user, nfc(code))
        rows = MeetingRhythm.objects.filter(org=org).select_related("org").order_by("valid_from", "id")
        return self.paged(request, rows, serializers.RhythmSerializer)

    @extend_schema(
        summary="Đặt ngày sinh hoạt hằng tháng từ một ngày (lịch cũ kết thúc ngày đó)",
        parameters=[CODE],
        request=serializers.RhythmInput,
        responses={201: serializers.RhythmSerializer, **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        org = get_org(request.user, nfc(code))
        d = validated(serializers.RhythmInput(data=request.data))
        rhythm = services.set_rhythm(
            request.user, org, day_of_month=d["day_of_month"], valid_from=d["valid_from"], note=d["note"]
        )
        return Response(serializers.RhythmSerializer(rhythm).data, status=status.HTTP_201_CREATED)


class BookView(CosoAPI):
    @extend_schema(
        summary="Nhập sổ sinh hoạt: các cuộc sinh hoạt chi bộ đã họp, chép từ sổ (một lần, kiểm tra từng dòng)",
        parameters=[CODE],
        request=serializers.BookInput,
        responses={201: serializers.MeetingItemSerializer(many=True), **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        org = get_org(request.user, nfc(code))
        d = validated(serializers.BookInput(data=request.data))
        entries = []
        for i, line in enumerate(d["entries"]):
            absent = {}
            for k, person in enumerate(line["absent"]):
                member = _member(request, person["member"], f"entries[{i}].absent[{k}].member", org)
                absent[member.pk] = person["reason"]  # type: ignore[union-attr]
            entries.append(
                services.BookEntry(
                    date=line["date"],
                    kind=line["kind"],
                    focus_issue=line["focus_issue"],
                    place=line["place"],
                    absent=absent,
                    chair_name=line["chair_name"],
                    secretary_name=line["secretary_name"],
                    conclusions=line["conclusions"],
                    adopted=line["adopted"],
                )
            )
        made = services.record_book(request.user, org, entries)
        return Response(
            serializers.MeetingItemSerializer(made, many=True).data, status=status.HTTP_201_CREATED
        )


class CalendarView(CosoAPI):
    @extend_schema(
        summary="Lịch sinh hoạt của chi bộ theo tháng: ngày theo lịch định kỳ và các cuộc sinh hoạt",
        parameters=[CODE, FROM, TO],
        responses={200: serializers.CalendarMonthSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        org = get_org(request.user, nfc(code))
        start, end = _period(request)
        if (end.year - start.year) * 12 + end.month - start.month > 120:
            raise input_error("Lịch xem tối đa 10 năm một lần; hãy thu hẹp khoảng ngày.", "from")
        months = queries.calendar(request.user, org, start, end)
        data = [
            {
                "month": m.month,
                "expected_date": m.expected_date,
                "has_regular": m.has_regular,
                "meetings": m.meetings,
            }
            for m in months
        ]
        return self.paged(request, data, serializers.CalendarMonthSerializer)
