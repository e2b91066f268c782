"""Serializers of the meetings API: what the endpoints return (model serializers, read-only) and the request
bodies they accept (`InputSerializer`s: Vietnamese messages named by the field's label).

Class names carry a meetings prefix so the OpenAPI components do not collide with the other apps' ones.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from coso.core.api import InputSerializer, VersionField

from .models import (
    AgendaItem,
    Attendance,
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
    TaskFollowUp,
)

# ---------------------------------------------------------------------------------------------- reading


class AgendaItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = AgendaItem
        fields = ["order", "title", "presenter"]


FIGURES = [
    "official",
    "probationary",
    "exempt",
    "suspended",
    "away",
    "expected",
    "present",
    "present_expected",
    "absent_excused",
    "absent_unexcused",
    "guests",
]


class MeetingItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    org = serializers.CharField(source="org.code")
    kind_display = serializers.CharField(source="get_kind_display")
    status_display = serializers.CharField(source="get_status_display")
    attendance_rate = serializers.FloatField(allow_null=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "org",
            "kind",
            "kind_display",
            "date",
            "start_time",
            "place",
            "focus_issue",
            "status",
            "status_display",
            *FIGURES,
            "attendance_rate",
            "version",
        ]


class MeetingDetailSerializer(MeetingItemSerializer):
    agenda = AgendaItemSerializer(many=True)
    chair = serializers.IntegerField(source="chair_id", allow_null=True)
    secretary = serializers.IntegerField(source="secretary_id", allow_null=True)

    class Meta(MeetingItemSerializer.Meta):
        fields = [
            *MeetingItemSerializer.Meta.fields,
            "preparation_date",
            "preparation_note",
            "chair",
            "secretary",
            "invitation_note",
            "invitation_sent_on",
            "cancel_reason",
            "agenda",
        ]


class AttendanceRowSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    member = serializers.IntegerField(source="member_id", allow_null=True)
    assignment = serializers.IntegerField(source="assignment_id", allow_null=True)

    class Meta:
        model = Attendance
        fields = [
            "id",
            "member",
            "name",
            "role",
            "status_on",
            "exempt",
            "suspended",
            "away",
            "presence",
            "reason",
            "assignment",
        ]


class DuesPaymentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.full_name")
    org = serializers.CharField(source="org.code")
    meeting = serializers.IntegerField(source="meeting_id", allow_null=True)

    class Meta:
        model = DuesPayment
        fields = ["id", "member", "member_name", "org", "month", "amount", "paid_on", "meeting"]


class SpeakerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField()
    opinion = serializers.CharField()


class MinutesSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    meeting = serializers.IntegerField(source="meeting_id")
    speakers = SpeakerSerializer(many=True)
    adopted = serializers.BooleanField()

    class Meta:
        model = Minutes
        fields = [
            "id",
            "meeting",
            "opened_at",
            "closed_at",
            "chair_name",
            "secretary_name",
            "proceedings",
            "speakers",
            "conclusions",
            "votes_for",
            "votes_against",
            "votes_abstain",
            "adopted",
            "adopted_on",
            "version",
        ]


class AmendmentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    adopting_meeting = serializers.IntegerField(source="adopting_meeting_id", allow_null=True)
    before = serializers.DictField()
    after = serializers.DictField()

    class Meta:
        model = MinutesAmendment
        fields = ["id", "on", "reason", "decision", "adopting_meeting", "before", "after", "created_at"]


class FollowUpSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    meeting = serializers.IntegerField(source="meeting_id")
    meeting_date = serializers.DateField(source="meeting.date")

    class Meta:
        model = TaskFollowUp
        fields = ["id", "meeting", "meeting_date", "note", "status"]


class TaskSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    resolution = serializers.IntegerField(source="resolution_id")
    meeting = serializers.IntegerField(source="resolution.meeting_id")
    org = serializers.CharField(source="resolution.meeting.org.code")
    owner_member = serializers.IntegerField(source="owner_member_id", allow_null=True)
    follow_ups = FollowUpSerializer(many=True)

    class Meta:
        model = ResolutionTask
        fields = [
            "id",
            "resolution",
            "meeting",
            "org",
            "description",
            "owner_member",
            "owner_text",
            "deadline",
            "status",
            "closed_on",
            "follow_ups",
        ]


class ResolutionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    meeting = serializers.IntegerField(source="meeting_id")
    tasks = TaskSerializer(many=True)

    class Meta:
        model = Resolution
        fields = ["id", "meeting", "number", "title", "content", "tasks"]


class CriterionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    text = serializers.CharField()
    points = serializers.IntegerField()


class LevelSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField()
    min = serializers.IntegerField()


class CriteriaSetSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    org = serializers.SerializerMethodField()
    criteria = CriterionSerializer(many=True)
    levels = LevelSerializer(many=True)
    max_total = serializers.IntegerField()

    class Meta:
        model = QualityCriteriaSet
        fields = [
            "id",
            "org",
            "name",
            "source",
            "effective_from",
            "effective_to",
            "criteria",
            "levels",
            "max_total",
        ]

    def get_org(self, obj: QualityCriteriaSet) -> str | None:
        return obj.org.code if obj.org is not None else None


class CriteriaSetInForceSerializer(CriteriaSetSerializer):
    applies = serializers.SerializerMethodField()

    class Meta(CriteriaSetSerializer.Meta):
        fields = [*CriteriaSetSerializer.Meta.fields, "applies"]

    def get_applies(self, obj: QualityCriteriaSet) -> bool:
        return bool(obj.pk == self.context.get("applies"))


class ScoreSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    meeting = serializers.IntegerField(source="meeting_id")
    criteria_set = serializers.IntegerField(source="criteria_set_id")
    scores = serializers.DictField(child=serializers.IntegerField())

    class Meta:
        model = MeetingScore
        fields = ["id", "meeting", "criteria_set", "scores", "total", "level", "scored_on", "note", "version"]


class AssignmentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    meeting = serializers.IntegerField(source="meeting_id")
    assigning_org = serializers.CharField(source="assigning_org.code")
    assignee_member = serializers.IntegerField(source="assignee_member_id", allow_null=True)
    assignee_user = serializers.IntegerField(source="assignee_user_id", allow_null=True)

    class Meta:
        model = AttendanceAssignment
        fields = [
            "id",
            "meeting",
            "assigning_org",
            "assignee_name",
            "assignee_title",
            "assignee_member",
            "assignee_user",
            "note",
        ]


class WhoWentWhereSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One line of "who went where" (`queries.AssignmentRow.as_json`)."""

    assignee = serializers.CharField()
    title = serializers.CharField()
    assigning_org = serializers.CharField()
    org = serializers.CharField()
    date = serializers.DateField()
    kind = serializers.CharField()
    meeting_status = serializers.CharField()
    presence = serializers.CharField()


class RhythmSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    org = serializers.CharField(source="org.code")

    class Meta:
        model = MeetingRhythm
        fields = ["id", "org", "day_of_month", "note", "valid_from", "valid_to"]


class CalendarMonthSerializer(serializers.Serializer):  # type: ignore[type-arg]
    month = serializers.DateField()
    expected_date = serializers.DateField(allow_null=True)
    has_regular = serializers.BooleanField()
    meetings = MeetingItemSerializer(many=True)


class ProgrammeCellSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    org = serializers.CharField(source="org.code")

    class Meta:
        model = ProgrammeCell
        fields = ["id", "org", "pilot", "selected_on", "rolled_out_on", "note"]


class ProgrammeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    org = serializers.CharField(source="org.code")

    class Meta:
        model = QualityProgramme
        fields = [
            "id",
            "org",
            "name",
            "decision_number",
            "decision_date",
            "date_from",
            "date_to",
            "note",
        ]


class RollOutResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    rolled_out = serializers.IntegerField()


# ---------------------------------------------------------------------------------------------- writing


def _opt_text(**kw: Any) -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, default="", **kw)


class AgendaLineInput(InputSerializer):
    title = serializers.CharField(max_length=500)
    presenter = _opt_text(max_length=150)


class MeetingFieldsInput(InputSerializer):
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    date = serializers.DateField()
    start_time = serializers.TimeField(required=False, allow_null=True, default=None)
    place = _opt_text(max_length=255)
    focus_issue = _opt_text(max_length=500)
    preparation_date = serializers.DateField(required=False, allow_null=True, default=None)
    preparation_note = _opt_text(max_length=1000)
    chair = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="Mã đảng viên")
    secretary = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Mã đảng viên"
    )
    invitation_note = _opt_text()


class MeetingCreateInput(MeetingFieldsInput):
    org = serializers.CharField(help_text="Mã chi bộ (hoặc đảng bộ, với sinh hoạt toàn đảng bộ)")
    agenda = AgendaLineInput(many=True, required=False, default=list)


class MeetingUpdateInput(InputSerializer):
    """Only the fields sent change (PATCH); `version` is the meeting's version the edit was made against."""

    kind = serializers.ChoiceField(choices=MeetingKind.choices, required=False)
    date = serializers.DateField(required=False)
    start_time = serializers.TimeField(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=255)
    focus_issue = serializers.CharField(required=False, allow_blank=True, max_length=500)
    preparation_date = serializers.DateField(required=False, allow_null=True)
    preparation_note = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    chair = serializers.IntegerField(required=False, allow_null=True)
    secretary = serializers.IntegerField(required=False, allow_null=True)
    invitation_note = serializers.CharField(required=False, allow_blank=True)
    agenda = AgendaLineInput(many=True, required=False)
    version = VersionField("cuộc sinh hoạt")


class CancelInput(InputSerializer):
    reason = serializers.CharField(max_length=500)
    version = VersionField("cuộc sinh hoạt")


class AgendaInput(InputSerializer):
    items = AgendaLineInput(many=True)
    version = VersionField("cuộc sinh hoạt")


class MarkLineInput(InputSerializer):
    member = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="Mã đảng viên")
    attendance = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Dòng điểm danh (cán bộ ngoài hệ thống)"
    )
    presence = serializers.ChoiceField(choices=Attendance.Presence.choices)
    reason = _opt_text(max_length=500)


class MarkInput(InputSerializer):
    marks = MarkLineInput(many=True)
    version = VersionField("cuộc sinh hoạt")


class BookAbsenceInput(InputSerializer):
    member = serializers.IntegerField(help_text="Mã đảng viên vắng")
    reason = _opt_text(max_length=500, help_text="Lý do vắng ghi trong sổ; để trống là vắng không lý do")


class BookLineInput(InputSerializer):
    date = serializers.DateField(help_text="Ngày họp (YYYY-MM-DD)")
    kind = serializers.ChoiceField(choices=MeetingKind.choices, required=False, default=MeetingKind.REGULAR)
    focus_issue = _opt_text(max_length=500)
    place = _opt_text(max_length=255)
    absent = BookAbsenceInput(many=True, required=False, default=list)
    chair_name = _opt_text(max_length=150)
    secretary_name = _opt_text(max_length=150)
    conclusions = _opt_text()
    adopted = serializers.BooleanField(
        required=False, default=True, help_text="Biên bản đã thông qua tại cuộc họp"
    )


class BookInput(InputSerializer):
    entries = BookLineInput(many=True, help_text="Các cuộc sinh hoạt đã họp, chép từ sổ")


class PaymentLineInput(InputSerializer):
    member = serializers.IntegerField(help_text="Mã đảng viên")
    amount = serializers.IntegerField(min_value=1, help_text="Số tiền (đồng)")


class DuesInput(InputSerializer):
    org = serializers.CharField(help_text="Mã chi bộ thu")
    month = serializers.DateField(help_text="Tháng đóng (ngày bất kỳ trong tháng)")
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)
    meeting = serializers.IntegerField(required=False, allow_null=True, default=None)
    payments = PaymentLineInput(many=True)


class MinutesBodyInput(InputSerializer):
    chair_name = _opt_text(max_length=150)
    secretary_name = _opt_text(max_length=150)
    opened_at = serializers.TimeField(required=False, allow_null=True, default=None)
    closed_at = serializers.TimeField(required=False, allow_null=True, default=None)
    proceedings = _opt_text()
    speakers = SpeakerSerializer(many=True, required=False, default=list)
    conclusions = _opt_text()
    votes_for = serializers.IntegerField(required=False, default=0, min_value=0)
    votes_against = serializers.IntegerField(required=False, default=0, min_value=0)
    votes_abstain = serializers.IntegerField(required=False, default=0, min_value=0)
    version = VersionField("biên bản", creates=True)


class AdoptInput(InputSerializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)
    version = VersionField("biên bản")


class AmendInput(MinutesBodyInput):
    on = serializers.DateField()
    reason = serializers.CharField(max_length=1000)
    decision = _opt_text(max_length=255)
    adopting_meeting = serializers.IntegerField(required=False, allow_null=True, default=None)
    version = VersionField("biên bản")


class ResolutionInput(InputSerializer):
    title = serializers.CharField(max_length=500)
    number = _opt_text(max_length=60)
    content = _opt_text()


class TaskInput(InputSerializer):
    description = serializers.CharField(max_length=1000)
    deadline = serializers.DateField()
    owner_member = serializers.IntegerField(required=False, allow_null=True, default=None)
    owner_text = _opt_text(max_length=255)


class FollowUpInput(InputSerializer):
    meeting = serializers.IntegerField(help_text="Cuộc sinh hoạt kiểm điểm")
    status = serializers.ChoiceField(choices=ResolutionTask.Status.choices)
    note = _opt_text(max_length=1000)


class ScoreInput(InputSerializer):
    scores = serializers.DictField(child=serializers.IntegerField(), help_text="Mã tiêu chí → điểm")
    scored_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = _opt_text(max_length=1000)
    version = VersionField("kết quả đánh giá", creates=True)


class CriteriaSetInput(InputSerializer):
    org = _opt_text(help_text="Mã cấp ban hành; để trống: bộ tiêu chí toàn quốc (quản trị hệ thống)")
    name = serializers.CharField(max_length=255)
    source = serializers.CharField(max_length=255)  # type: ignore[assignment]  # a field, not Field.source
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(required=False, allow_null=True, default=None)
    criteria = CriterionSerializer(many=True)
    levels = LevelSerializer(many=True)


class AssignInput(InputSerializer):
    assigning_org = serializers.CharField(help_text="Mã cấp ủy phân công")
    name = _opt_text(max_length=150)
    title = _opt_text(max_length=255)
    member = serializers.IntegerField(required=False, allow_null=True, default=None)
    username = _opt_text(help_text="Tên đăng nhập của người được phân công (nếu có)")
    note = _opt_text(max_length=500)


class RhythmInput(InputSerializer):
    day_of_month = serializers.IntegerField(min_value=1, max_value=31)
    valid_from = serializers.DateField()
    note = _opt_text(max_length=500)


class ProgrammeInput(InputSerializer):
    org = serializers.CharField(help_text="Mã cấp ủy triển khai")
    name = serializers.CharField(max_length=500)
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    decision_number = _opt_text(max_length=60)
    decision_date = serializers.DateField(required=False, allow_null=True, default=None)
    note = _opt_text()


class PilotInput(InputSerializer):
    org = serializers.CharField(help_text="Mã chi bộ điểm")
    on = serializers.DateField()
    note = _opt_text(max_length=500)


class RollOutInput(InputSerializer):
    on = serializers.DateField()
    cells = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Mã các chi bộ; để trống: mọi chi bộ của cấp ủy triển khai",
    )


# Choice sets named in settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] (distinct OpenAPI enum names).
MEETING_KINDS = MeetingKind
MEETING_STATUSES = Meeting.Status
TASK_STATUSES = ResolutionTask.Status
ATTENDANCE_ROLES = Attendance.Role
