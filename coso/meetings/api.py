"""API of cell meetings (/api/v1/meetings/...).

Thin views: parse, call `coso.meetings.services` with `actor=request.user` (the services check the
CHANGE_MEETINGS scope and refuse with a `DomainError`: 400 {"detail", "field", "rule"}) or `coso.meetings.queries`,
and serialize. Objects in the URL are read through `coso.core.scope.get_scoped`: one out of scope answers 404, as
an unknown one does. Organizations named in a body are looked up among those the user may change, members and
meetings among those the user may see, so one out of scope reads as unknown (400 naming the field).
Dates are ISO (YYYY-MM-DD); reads take `as_of` where the answer depends on a date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from coso.accounts.models import User
from coso.core.api import AS_OF, ERRORS, CosoAPI, as_of, input_error, query_bool, query_date, validated
from coso.core.scope import CHANGE_MEETINGS, get_scoped, restrict
from coso.core.text import nfc
from coso.members.models import Member
from coso.orgs.filters import org_param
from coso.orgs.models import Organization
from coso.orgs.queries import get_org
from coso.orgs.queries import orgs as scoped_orgs

from . import filters, queries
from . import serializers as z
from . import services as s
from .models import (
    AttendanceAssignment,
    DuesPayment,
    Meeting,
    MeetingKind,
    MeetingRhythm,
    MeetingScore,
    Minutes,
    MinutesAmendment,
    ProgrammeCell,
    QualityCriteriaSet,
    QualityProgramme,
    Resolution,
    ResolutionTask,
)

CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Mã tổ chức (không phân biệt hoa thường)."
)
FROM = OpenApiParameter("from", OpenApiTypes.DATE, description="Từ ngày (YYYY-MM-DD), kể cả ngày này.")
TO = OpenApiParameter("to", OpenApiTypes.DATE, description="Đến ngày (YYYY-MM-DD), kể cả ngày này.")
ORG_FILTER = OpenApiParameter(
    "org", OpenApiTypes.STR, description="Mã tổ chức: chỉ những gì thuộc tổ chức này (cả cây con)."
)


# ------------------------------------------------------------------------------------------- lookups


def _org_body(request: Request, code: str | None, field: str) -> Organization | None:
    """An organization named in a body, among those the user may change (meetings); else 400."""
    if not code:
        return None
    org = scoped_orgs(request.user, CHANGE_MEETINGS).filter(code__iexact=nfc(code)).first()
    if org is None:
        raise input_error(f"Không có tổ chức mã “{code}” trong phạm vi bạn được quyền thay đổi.", field)
    return org


def _member(
    request: Request, pk: int | None, field: str, attends: Organization | None = None
) -> Member | None:
    """A member named by id: one the user may see, or (for a meeting's organization) one attending it."""
    if pk is None:
        return None
    found = restrict(Member.objects.filter(pk=pk), request.user).first()
    if found is None and attends is not None:
        found = Member.objects.filter(pk=pk, memberships__org=attends).distinct().first()
    if found is None:
        raise input_error(f"Không có đảng viên mã số {pk} trong phạm vi của bạn.", field)
    return found


def _meeting_body(request: Request, pk: int | None, field: str) -> Meeting | None:
    if pk is None:
        return None
    found = restrict(Meeting.objects.filter(pk=pk), request.user).first()
    if found is None:
        raise input_error(f"Không có cuộc sinh hoạt mã số {pk} trong phạm vi của bạn.", field)
    return found


def _meeting(request: Request, pk: int) -> Meeting:
    return get_scoped(Meeting.objects.select_related("org"), request.user, pk=pk)


def _period(request: Request) -> tuple[dt.date, dt.date]:
    """?from=&to= (ISO): `to` defaults to as_of (today), `from` to 1 January of `to`'s year."""
    end = query_date(request, "to", default_today=False) or as_of(request)
    start = query_date(request, "from", default_today=False) or dt.date(end.year, 1, 1)
    if start > end:
        raise input_error("Ngày bắt đầu (from) phải trước hoặc bằng ngày kết thúc (to).", "from")
    return start, end


def _detail(meeting: Meeting) -> Response:
    meeting = Meeting.objects.select_related("org").prefetch_related("agenda").get(pk=meeting.pk)
    return Response(z.MeetingDetailSerializer(meeting).data)


# ------------------------------------------------------------------------------------------- meetings


class MeetingListView(CosoAPI, generics.GenericAPIView):  # type: ignore[type-arg]
    """Meetings in the user's scope; planning a meeting."""

    serializer_class = z.MeetingItemSerializer
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
        responses={200: z.MeetingItemSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = filters.MeetingFilter(
            request.query_params,
            queryset=queries.meetings(request.user).select_related("org"),
            request=request,
            api=True,
        ).qs
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(z.MeetingItemSerializer(page, many=True).data)

    @extend_schema(
        summary="Lên kế hoạch một cuộc sinh hoạt (lập danh sách dự họp theo ngày họp)",
        request=z.MeetingCreateInput,
        responses={201: z.MeetingDetailSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        d = validated(z.MeetingCreateInput(data=request.data))
        org = _org_body(request, d["org"], "org")
        assert org is not None  # a required field
        data = s.MeetingInput(
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
        agenda = [s.AgendaInput(a["title"], a["presenter"]) for a in d["agenda"]]
        meeting = s.plan_meeting(request.user, org, data, agenda=agenda)
        response = _detail(meeting)
        response.status_code = status.HTTP_201_CREATED
        return response


class MeetingDetailView(CosoAPI):
    @extend_schema(summary="Một cuộc sinh hoạt", responses={200: z.MeetingDetailSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return _detail(_meeting(request, pk))

    @extend_schema(
        summary="Sửa cuộc sinh hoạt (chỉ các trường gửi lên; `version` chống ghi đè)",
        request=z.MeetingUpdateInput,
        responses={200: z.MeetingDetailSerializer, **ERRORS},
    )
    def patch(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(z.MeetingUpdateInput(data=request.data))
        data = s.MeetingInput(
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
            agenda = [s.AgendaInput(a["title"], a["presenter"]) for a in d["agenda"]]
        meeting = s.update_meeting(request.user, meeting, data, agenda=agenda, expected_version=d["version"])
        return _detail(meeting)


class MeetingCancelView(CosoAPI):
    @extend_schema(
        summary="Hủy cuộc sinh hoạt dự kiến (ghi lý do)",
        request=z.CancelInput,
        responses={200: z.MeetingDetailSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(z.CancelInput(data=request.data))
        meeting = s.cancel_meeting(request.user, meeting, reason=d["reason"], expected_version=d["version"])
        return _detail(meeting)


def _meeting_data(meeting: Meeting) -> s.MeetingInput:
    return s.MeetingInput(
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
        summary="Chương trình sinh hoạt", responses={200: z.AgendaItemSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        return Response(z.AgendaItemSerializer(meeting.agenda.order_by("order", "id"), many=True).data)

    @extend_schema(
        summary="Thay toàn bộ chương trình sinh hoạt",
        request=z.AgendaInput,
        responses={200: z.AgendaItemSerializer(many=True), **ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(z.AgendaInput(data=request.data))
        items = [s.AgendaInput(a["title"], a["presenter"]) for a in d["items"]]
        meeting = s.update_meeting(
            request.user, meeting, _meeting_data(meeting), agenda=items, expected_version=d["version"]
        )
        return Response(z.AgendaItemSerializer(meeting.agenda.order_by("order", "id"), many=True).data)


class AttendanceView(CosoAPI):
    @extend_schema(
        summary="Danh sách dự họp và điểm danh (đảng viên, sinh hoạt tạm thời, cán bộ được phân công)",
        responses={200: z.AttendanceRowSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        return Response(
            z.AttendanceRowSerializer(queries.attendance_of(request.user, meeting), many=True).data
        )

    @extend_schema(
        summary="Điểm danh (nhiều người một lần); ghi nhận cuộc sinh hoạt đã họp",
        request=z.MarkInput,
        responses={200: z.MeetingDetailSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(z.MarkInput(data=request.data))
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
                s.Mark(
                    presence=line["presence"],
                    reason=line["reason"],
                    member=member,
                    attendance_id=line["attendance"],
                )
            )
        meeting = s.mark_attendance(request.user, meeting, marks, expected_version=d["version"])
        return _detail(meeting)


# ---------------------------------------------------------------------------------------------- dues


class DuesListView(CosoAPI, generics.GenericAPIView):  # type: ignore[type-arg]
    serializer_class = z.DuesPaymentSerializer
    queryset = DuesPayment.objects.none()

    @extend_schema(
        summary="Đảng phí đã thu (lọc theo chi bộ thu và tháng)",
        parameters=[
            ORG_FILTER,
            OpenApiParameter("month", OpenApiTypes.DATE, description="Tháng (một ngày bất kỳ trong tháng)."),
        ],
        responses={200: z.DuesPaymentSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = filters.DuesFilter(
            request.query_params,
            queryset=restrict(DuesPayment.objects.select_related("member", "org"), request.user),
            request=request,
            api=True,
        ).qs
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(z.DuesPaymentSerializer(page, many=True).data)

    @extend_schema(
        summary="Thu đảng phí của một tháng (tất cả hoặc không)",
        request=z.DuesInput,
        responses={201: z.DuesPaymentSerializer(many=True), **ERRORS},
    )
    def post(self, request: Request) -> Response:
        d = validated(z.DuesInput(data=request.data))
        org = _org_body(request, d["org"], "org")
        assert org is not None
        payments = [
            (_member(request, line["member"], f"payments[{i}].member", org), line["amount"])
            for i, line in enumerate(d["payments"])
        ]
        rows = s.record_dues(
            request.user,
            org,
            month=d["month"],
            payments=payments,  # type: ignore[arg-type]
            paid_on=d["paid_on"],
            meeting=_meeting_body(request, d["meeting"], "meeting"),
        )
        return Response(z.DuesPaymentSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


# ------------------------------------------------------------------------------------------- minutes


def _minutes_input(d: dict[str, Any]) -> s.MinutesInput:
    return s.MinutesInput(
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
    @extend_schema(summary="Biên bản sinh hoạt", responses={200: z.MinutesSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(z.MinutesSerializer(_minutes(request, pk)).data)

    @extend_schema(
        summary="Ghi hoặc sửa biên bản (chưa thông qua)",
        request=z.MinutesBodyInput,
        responses={200: z.MinutesSerializer, **ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(z.MinutesBodyInput(data=request.data))
        minutes = s.save_minutes(request.user, meeting, _minutes_input(d), expected_version=d["version"])
        return Response(z.MinutesSerializer(minutes).data)


class MinutesAdoptView(CosoAPI):
    @extend_schema(
        summary="Thông qua biên bản (từ đó chỉ đính chính)",
        request=z.AdoptInput,
        responses={200: z.MinutesSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        minutes = _minutes(request, pk)
        d = validated(z.AdoptInput(data=request.data))
        minutes = s.adopt_minutes(request.user, minutes, on=d["on"], expected_version=d["version"])
        return Response(z.MinutesSerializer(minutes).data)


class MinutesAmendView(CosoAPI):
    @extend_schema(
        summary="Đính chính biên bản đã thông qua (ghi lý do, căn cứ; giữ trước và sau)",
        request=z.AmendInput,
        responses={201: z.AmendmentSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        minutes = _minutes(request, pk)
        d = validated(z.AmendInput(data=request.data))
        amendment = s.amend_minutes(
            request.user,
            minutes,
            _minutes_input(d),
            on=d["on"],
            reason=d["reason"],
            decision=d["decision"],
            adopting_meeting=_meeting_body(request, d["adopting_meeting"], "adopting_meeting"),
            expected_version=d["version"],
        )
        return Response(z.AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)


class AmendmentListView(CosoAPI):
    @extend_schema(
        summary="Các lần đính chính biên bản", responses={200: z.AmendmentSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        rows = MinutesAmendment.objects.filter(minutes__meeting=meeting).order_by("on", "id")
        return Response(z.AmendmentSerializer(rows, many=True).data)


# --------------------------------------------------------------------------------- resolutions, tasks


def _tasks() -> QuerySet[ResolutionTask]:
    return ResolutionTask.objects.select_related("resolution__meeting__org").prefetch_related(
        "follow_ups__meeting"
    )


class ResolutionListView(CosoAPI):
    @extend_schema(
        summary="Nghị quyết của cuộc sinh hoạt, với nhiệm vụ",
        responses={200: z.ResolutionSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        rows = Resolution.objects.filter(meeting=meeting).prefetch_related(
            "tasks__follow_ups__meeting", "tasks__resolution__meeting__org"
        )
        return Response(z.ResolutionSerializer(rows.order_by("id"), many=True).data)

    @extend_schema(
        summary="Ghi nghị quyết của cuộc sinh hoạt đã họp",
        request=z.ResolutionInput,
        responses={201: z.ResolutionSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(z.ResolutionInput(data=request.data))
        resolution = s.add_resolution(request.user, meeting, **d)
        return Response(z.ResolutionSerializer(resolution).data, status=status.HTTP_201_CREATED)


class ResolutionTaskView(CosoAPI):
    @extend_schema(
        summary="Giao nhiệm vụ của nghị quyết (người phụ trách, thời hạn)",
        request=z.TaskInput,
        responses={201: z.TaskSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        resolution = get_scoped(Resolution.objects.select_related("meeting__org"), request.user, pk=pk)
        d = validated(z.TaskInput(data=request.data))
        task = s.add_task(
            request.user,
            resolution,
            description=d["description"],
            deadline=d["deadline"],
            owner_member=_member(request, d["owner_member"], "owner_member", resolution.meeting.org),
            owner_text=d["owner_text"],
        )
        return Response(z.TaskSerializer(_tasks().get(pk=task.pk)).data, status=status.HTTP_201_CREATED)


class TaskListView(CosoAPI, generics.GenericAPIView):  # type: ignore[type-arg]
    serializer_class = z.TaskSerializer
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
        responses={200: z.TaskSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = filters.TaskFilter(
            request.query_params, queryset=restrict(_tasks(), request.user), request=request, api=True
        ).qs
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(z.TaskSerializer(page, many=True).data)


class TaskFollowUpView(CosoAPI):
    @extend_schema(
        summary="Kiểm điểm nhiệm vụ ở một kỳ sinh hoạt sau (đặt tình trạng)",
        request=z.FollowUpInput,
        responses={201: z.TaskSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        task = get_scoped(ResolutionTask.objects.all(), request.user, pk=pk)
        d = validated(z.FollowUpInput(data=request.data))
        meeting = _meeting_body(request, d["meeting"], "meeting")
        assert meeting is not None
        s.follow_up_task(request.user, task, meeting=meeting, status=d["status"], note=d["note"])
        return Response(z.TaskSerializer(_tasks().get(pk=task.pk)).data, status=status.HTTP_201_CREATED)


# ------------------------------------------------------------------------------------------- quality


class ScoreView(CosoAPI):
    @extend_schema(summary="Đánh giá chất lượng cuộc sinh hoạt", responses={200: z.ScoreSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        score = MeetingScore.objects.filter(meeting=meeting).first()
        if score is None:
            raise exceptions.NotFound("Cuộc sinh hoạt này chưa được đánh giá chất lượng.")
        return Response(z.ScoreSerializer(score).data)

    @extend_schema(
        summary="Chấm chất lượng theo bộ tiêu chí có hiệu lực vào ngày họp (chấm lại thay điểm cũ)",
        request=z.ScoreInput,
        responses={200: z.ScoreSerializer, **ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(z.ScoreInput(data=request.data))
        score = s.score_meeting(
            request.user,
            meeting,
            scores=d["scores"],
            scored_on=d["scored_on"],
            note=d["note"],
            expected_version=d["version"],
        )
        return Response(z.ScoreSerializer(score).data)


class CriteriaSetListView(CosoAPI):
    @extend_schema(
        summary="Bộ tiêu chí chất lượng sinh hoạt: với `org`, các bộ có hiệu lực cho tổ chức đó vào `as_of` "
        "(applies: bộ được dùng); không có `org`, mọi bộ toàn quốc và trong phạm vi của bạn",
        parameters=[ORG_FILTER, AS_OF],
        responses={200: z.CriteriaSetInForceSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        org = org_param(request)
        visible = QualityCriteriaSet.objects.filter(
            Q(org__isnull=True)
            | Q(pk__in=restrict(QualityCriteriaSet.objects.all(), request.user).values("pk"))
        ).select_related("org")
        if org is None:
            rows = list(visible.order_by("org_id", "effective_from", "id"))
            return Response(z.CriteriaSetInForceSerializer(rows, many=True).data)
        on = as_of(request)
        applies = s.criteria_set_for(org, on)
        period = s.org_on(org, on)
        ancestors = [int(seg) for seg in period.path.split("/") if seg]
        rows = list(
            QualityCriteriaSet.objects.filter(
                Q(org_id__in=ancestors) | Q(org__isnull=True), effective_from__lte=on
            )
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
            .select_related("org")
            .order_by("effective_from", "id")
        )
        return Response(z.CriteriaSetInForceSerializer(rows, many=True, context={"applies": applies.pk}).data)

    @extend_schema(
        summary="Ban hành bộ tiêu chí (của một cấp ủy, hoặc toàn quốc khi để trống org)",
        request=z.CriteriaSetInput,
        responses={201: z.CriteriaSetSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        d = validated(z.CriteriaSetInput(data=request.data))
        cs = s.save_criteria_set(
            request.user,
            org=_org_body(request, d["org"], "org"),
            name=d["name"],
            source=d["source"],
            effective_from=d["effective_from"],
            effective_to=d["effective_to"],
            criteria=d["criteria"],
            levels=d["levels"],
        )
        return Response(z.CriteriaSetSerializer(cs).data, status=status.HTTP_201_CREATED)


# ------------------------------------------------------------------------------------------ assignments


class MeetingAssignmentView(CosoAPI):
    @extend_schema(
        summary="Cán bộ được phân công dự cuộc sinh hoạt",
        responses={200: z.AssignmentSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        rows = AttendanceAssignment.objects.filter(meeting=meeting).select_related("assigning_org")
        return Response(z.AssignmentSerializer(rows.order_by("id"), many=True).data)

    @extend_schema(
        summary="Cấp ủy phân công cán bộ dự sinh hoạt chi bộ trực thuộc",
        request=z.AssignInput,
        responses={201: z.AssignmentSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(z.AssignInput(data=request.data))
        assigning = _org_body(request, d["assigning_org"], "assigning_org")
        assert assigning is not None
        user = None
        if d["username"]:
            user = User.objects.filter(username=d["username"], is_active=True).first()
            if user is None:
                raise input_error(f"Không có người dùng “{d['username']}”.", "username")
        assignment = s.assign_attendee(
            request.user,
            meeting,
            assigning_org=assigning,
            name=d["name"],
            title=d["title"],
            user=user,
            member=_member(request, d["member"], "member", meeting.org),
            note=d["note"],
        )
        return Response(z.AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


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
        responses={200: z.WhoWentWhereSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        org = get_org(request.user, nfc(code))
        start, end = _period(request)
        subtree = query_bool(request, "subtree")
        rows = queries.assignments(request.user, org, start, end, subtree=subtree is not False)
        return Response([r.as_json() for r in rows])


# ----------------------------------------------------------------------------------- rhythm, calendar


class RhythmView(CosoAPI):
    @extend_schema(
        summary="Lịch sinh hoạt định kỳ của chi bộ (các thời kỳ)",
        parameters=[CODE],
        responses={200: z.RhythmSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        org = get_org(request.user, nfc(code))
        rows = MeetingRhythm.objects.filter(org=org).select_related("org").order_by("valid_from", "id")
        return Response(z.RhythmSerializer(rows, many=True).data)

    @extend_schema(
        summary="Đặt ngày sinh hoạt hằng tháng từ một ngày (lịch cũ kết thúc ngày đó)",
        parameters=[CODE],
        request=z.RhythmInput,
        responses={201: z.RhythmSerializer, **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        org = get_org(request.user, nfc(code))
        d = validated(z.RhythmInput(data=request.data))
        rhythm = s.set_rhythm(
            request.user, org, day_of_month=d["day_of_month"], valid_from=d["valid_from"], note=d["note"]
        )
        return Response(z.RhythmSerializer(rhythm).data, status=status.HTTP_201_CREATED)


class BookView(CosoAPI):
    @extend_schema(
        summary="Nhập sổ sinh hoạt: các cuộc sinh hoạt chi bộ đã họp, chép từ sổ (một lần, kiểm tra từng dòng)",
        parameters=[CODE],
        request=z.BookInput,
        responses={201: z.MeetingItemSerializer(many=True), **ERRORS},
    )
    def post(self, request: Request, code: str) -> Response:
        org = get_org(request.user, nfc(code))
        d = validated(z.BookInput(data=request.data))
        entries = []
        for i, line in enumerate(d["entries"]):
            absent = {}
            for k, person in enumerate(line["absent"]):
                member = _member(request, person["member"], f"entries[{i}].absent[{k}].member", org)
                absent[member.pk] = person["reason"]  # type: ignore[union-attr]
            entries.append(
                s.BookEntry(
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
        made = s.record_book(request.user, org, entries)
        return Response(z.MeetingItemSerializer(made, many=True).data, status=status.HTTP_201_CREATED)


class CalendarView(CosoAPI):
    @extend_schema(
        summary="Lịch sinh hoạt của chi bộ theo tháng: ngày theo lịch định kỳ và các cuộc sinh hoạt",
        parameters=[CODE, FROM, TO],
        responses={200: z.CalendarMonthSerializer(many=True), **ERRORS},
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
        return Response(z.CalendarMonthSerializer(data, many=True).data)


# ------------------------------------------------------------------------------------------ compliance


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


# ------------------------------------------------------------------------------------------- programmes


def _programme(request: Request, pk: int) -> QualityProgramme:
    return get_scoped(QualityProgramme.objects.select_related("org"), request.user, pk=pk)


class ProgrammeListView(CosoAPI, generics.GenericAPIView):  # type: ignore[type-arg]
    serializer_class = z.ProgrammeSerializer
    queryset = QualityProgramme.objects.none()

    @extend_schema(
        summary="Đề án nâng cao chất lượng sinh hoạt trong phạm vi của bạn",
        parameters=[ORG_FILTER],
        responses={200: z.ProgrammeSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = filters.ProgrammeFilter(
            request.query_params,
            queryset=restrict(QualityProgramme.objects.select_related("org"), request.user),
            request=request,
            api=True,
        ).qs
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(z.ProgrammeSerializer(page, many=True).data)

    @extend_schema(
        summary="Tạo đề án (ví dụ Đề án 16-ĐA/TU, 2020-2025)",
        request=z.ProgrammeInput,
        responses={201: z.ProgrammeSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        d = validated(z.ProgrammeInput(data=request.data))
        org = _org_body(request, d["org"], "org")
        assert org is not None
        programme = s.create_programme(
            request.user,
            org,
            name=d["name"],
            date_from=d["date_from"],
            date_to=d["date_to"],
            decision_number=d["decision_number"],
            decision_date=d["decision_date"],
            note=d["note"],
        )
        return Response(z.ProgrammeSerializer(programme).data, status=status.HTTP_201_CREATED)


class ProgrammeDetailView(CosoAPI):
    @extend_schema(summary="Một đề án", responses={200: z.ProgrammeSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(z.ProgrammeSerializer(_programme(request, pk)).data)


class ProgrammePilotView(CosoAPI):
    @extend_schema(
        summary="Chi bộ của đề án (điểm và triển khai)",
        responses={200: z.ProgrammeCellSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        programme = _programme(request, pk)
        rows = restrict(ProgrammeCell.objects.filter(programme=programme), request.user).select_related("org")
        return Response(z.ProgrammeCellSerializer(rows.order_by("-pilot", "id"), many=True).data)

    @extend_schema(
        summary="Chọn chi bộ điểm (sinh hoạt điểm) của đề án",
        request=z.PilotInput,
        responses={201: z.ProgrammeCellSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        programme = _programme(request, pk)
        d = validated(z.PilotInput(data=request.data))
        cell = _org_body(request, d["org"], "org")
        assert cell is not None
        row = s.select_pilot(request.user, programme, cell, on=d["on"], note=d["note"])
        return Response(z.ProgrammeCellSerializer(row).data, status=status.HTTP_201_CREATED)


class ProgrammeRollOutView(CosoAPI):
    @extend_schema(
        summary="Triển khai đồng loạt đề án (mọi chi bộ của cấp triển khai, hoặc các chi bộ đã nêu)",
        request=z.RollOutInput,
        responses={200: z.RollOutResultSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        programme = _programme(request, pk)
        d = validated(z.RollOutInput(data=request.data))
        cells = None
        if d["cells"]:
            cells = [_org_body(request, c, f"cells[{i}]") for i, c in enumerate(d["cells"])]
        n = s.roll_out(request.user, programme, on=d["on"], cells=cells)  # type: ignore[arg-type]
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


__all__ = [
    "AgendaView",
    "AmendmentListView",
    "AttendanceView",
    "BookView",
    "CalendarView",
    "ComplianceView",
    "CriteriaSetListView",
    "DuesListView",
    "MeetingAssignmentView",
    "MeetingCancelView",
    "MeetingDetailView",
    "MeetingListView",
    "MinutesAdoptView",
    "MinutesAmendView",
    "MinutesView",
    "ProgrammeDetailView",
    "ProgrammeListView",
    "ProgrammePilotView",
    "ProgrammeReportView",
    "ProgrammeRollOutView",
    "ResolutionListView",
    "ResolutionTaskView",
    "RhythmView",
    "ScoreView",
    "TaskFollowUpView",
    "TaskListView",
    "WhoWentWhereView",
]
