"""Meetings: list, plan, change, cancel, the roll call, the paper book."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from coso.core.api import CHANGE_ERRORS, ERRORS, CosoAPI, input_error, validated

from .. import filters, queries, serializers, services
from ..models import (
    Meeting,
    MeetingKind,
)
from ._common import ORG_FILTER, _detail, _meeting, _member, _org_body


class MeetingListView(CosoAPI, generics.GenericAPIView):  # type: ignore[type-arg]
    """Meetings in the user's scope; planning a meeting."""

    serializer_class = serializers.MeetingItemSerializer
    queryset = Meeting.objects.none()

    @extend_schema(
        summary="Danh sách cuộc sinh hoạt (lọc theo tổ chức, khoảng ngày, loại, tình trạng)",
        parameters=[
            ORG_FILTER,
            OpenApiParameter("from", OpenApiTypes.DATE, description="Từ ngày (YYYY-MM-DD)."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Đến ngày (YYYY-MM-DD)."),
            OpenApiParameter("kind", OpenApiTypes.STR, description="Loại: " + ", ".join(MeetingKind.values)),
            OpenApiParameter("status", OpenApiTypes.STR, description="planned, held, cancelled"),
        ],
        responses={200: serializers.MeetingItemSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = filters.MeetingFilter(
            request.query_params,
            queryset=queries.meetings(request.user).select_related("org"),
            request=request,
            api=True,
        ).qs
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(serializers.MeetingItemSerializer(page, many=True).data)

    @extend_schema(
        summary="Lên kế hoạch một cuộc sinh hoạt (lập danh sách dự họp theo ngày họp)",
        request=serializers.MeetingCreateInput,
        responses={201: serializers.MeetingDetailSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        d = validated(serializers.MeetingCreateInput(data=request.data))
        org = _org_body(request, d["org"], "org")
        assert org is not None  # a required field
        data = services.MeetingInput(
            kind=d["kind"],
            date=d["date"],
            start_time=d["start_time"],
            place=d["place"],
            focus_issue=d["focus_issue"],
            preparation_date=d["preparation_date"],
            preparation_note=d["preparation_note"],
            chair=_member(request, d["chair"], "chair", org),
            secretary=_member(request, d["secretary"], "secretary", org),
            invitation_note=d["invitation_note"],
        )
        agenda = [services.AgendaInput(a["title"], a["presenter"]) for a in d["agenda"]]
        meeting = services.plan_meeting(request.user, org, data, agenda=agenda)
        response = _detail(meeting)
        response.status_code = status.HTTP_201_CREATED
        return response


class MeetingDetailView(CosoAPI):
    @extend_schema(
        summary="Một cuộc sinh hoạt", responses={200: serializers.MeetingDetailSerializer, **ERRORS}
    )
    def get(self, request: Request, pk: int) -> Response:
        return _detail(_meeting(request, pk))

    @extend_schema(
        summary="Sửa cuộc sinh hoạt (chỉ các trường gửi lên; `version` chống ghi đè)",
        request=serializers.MeetingUpdateInput,
        responses={200: serializers.MeetingDetailSerializer, **CHANGE_ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(serializers.MeetingUpdateInput(data=request.data))
        data = services.MeetingInput(
            kind=d.get("kind", meeting.kind),
            date=d.get("date", meeting.date),
            start_time=d.get("start_time", meeting.start_time),
            place=d.get("place", meeting.place),
            focus_issue=d.get("focus_issue", meeting.focus_issue),
            preparation_date=d.get("preparation_date", meeting.preparation_date),
            preparation_note=d.get("preparation_note", meeting.preparation_note),
            chair=_member(request, d["chair"], "chair", meeting.org) if "chair" in d else meeting.chair,
            secretary=(
                _member(request, d["secretary"], "secretary", meeting.org)
                if "secretary" in d
                else meeting.secretary
            ),
            invitation_note=d.get("invitation_note", meeting.invitation_note),
        )
        agenda = None
        if "agenda" in d:
            agenda = [services.AgendaInput(a["title"], a["presenter"]) for a in d["agenda"]]
        meeting = services.update_meeting(
            request.user, meeting, data, agenda=agenda, expected_version=d["version"]
        )
        return _detail(meeting)


class MeetingCancelView(CosoAPI):
    @extend_schema(
        summary="Hủy cuộc sinh hoạt dự kiến (ghi lý do)",
        request=serializers.CancelInput,
        responses={200: serializers.MeetingDetailSerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(serializers.CancelInput(data=request.data))
        meeting = services.cancel_meeting(
            request.user, meeting, reason=d["reason"], expected_version=d["version"]
        )
        return _detail(meeting)


def _meeting_data(meeting: Meeting) -> services.MeetingInput:
    return services.MeetingInput(
        kind=meeting.kind,
        date=meeting.date,
        start_time=meeting.start_time,
        place=meeting.place,
        focus_issue=meeting.focus_issue,
        preparation_date=meeting.preparation_date,
        preparation_note=meeting.preparation_note,
        chair=meeting.chair,
        secretary=meeting.secretary,
        invitation_note=meeting.invitation_note,
    )


class AgendaView(CosoAPI):
    @extend_schema(
        summary="Chương trình sinh hoạt",
        responses={200: serializers.AgendaItemSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        return self.paged(request, meeting.agenda.order_by("order", "id"), serializers.AgendaItemSerializer)

    @extend_schema(
        summary="Thay toàn bộ chương trình sinh hoạt",
        request=serializers.AgendaInput,
        responses={200: serializers.AgendaItemSerializer(many=True), **CHANGE_ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(serializers.AgendaInput(data=request.data))
        items = [services.AgendaInput(a["title"], a["presenter"]) for a in d["items"]]
        meeting = services.update_meeting(
            request.user, meeting, _meeting_data(meeting), agenda=items, expected_version=d["version"]
        )
        return Response(
            serializers.AgendaItemSerializer(meeting.agenda.order_by("order", "id"), many=True).data
        )


class AttendanceView(CosoAPI):
    @extend_schema(
        summary="Danh sách dự họp và điểm danh (đảng viên, sinh hoạt tạm thời, cán bộ được phân công)",
        responses={200: serializers.AttendanceRowSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        return self.paged(
            request, queries.attendance_of(request.user, meeting), serializers.AttendanceRowSerializer
        )

    @extend_schema(
        summary="Điểm danh (nhiều người một lần); ghi nhận cuộc sinh hoạt đã họp",
        request=serializers.MarkInput,
        responses={200: serializers.MeetingDetailSerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(serializers.MarkInput(data=request.data))
        marks = []
        for i, line in enumerate(d["marks"]):
            if line["member"] is None and line["attendance"] is None:
                raise input_error(
                    "Hãy ghi mã đảng viên (member) hoặc dòng điểm danh (attendance).", f"marks[{i}]"
                )
            member = None
            if line["member"] is not None:
                # a person out of the user's scope and not attending this organization reads as unknown
                member = _member(request, line["member"], f"marks[{i}].member", meeting.org)
            marks.append(
                services.Mark(
                    presence=line["presence"],
                    reason=line["reason"],
                    member=member,
                    attendance_id=line["attendance"],
                )
            )
        meeting = services.mark_attendance(request.user, meeting, marks, expected_version=d["version"])
        return _detail(meeting)
