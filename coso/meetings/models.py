"""Cell meetings (sinh hoạt chi bộ): rhythm, meetings, attendance, dues, minutes, resolutions, quality.

A `Meeting` belongs to an organization (a cell for member meetings; a cell or a committee for committee
meetings). Its opening figures (official, probationary, exempt, present, absent ...) are computed from the
attendance rows by the services every time the attendance changes and stored on the meeting row, so the
compliance reports sum columns and never scan attendance. Who is listed, and as what, follows the members' dated
rows on the meeting date (DOMAIN §3): a member recognised later is still probationary at an earlier meeting; a
temporarily attached member is listed at the host cell as a guest and counted at home.

Everything is kept with django-simple-history; minutes are frozen once adopted and change only through a
recorded `MinutesAmendment`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from coso.core.dates import first_of_month


class MeetingKind(models.TextChoices):
    REGULAR = "regular", "Sinh hoạt thường kỳ"
    THEMATIC = "thematic", "Sinh hoạt chuyên đề"
    EXTRAORDINARY = "extraordinary", "Sinh hoạt bất thường"
    MODEL = "model", "Sinh hoạt mẫu"
    PILOT = "pilot", "Sinh hoạt điểm"
    COMMITTEE = "committee", "Họp chi ủy / cấp ủy"
    WHOLE_COMMITTEE = "whole_committee", "Sinh hoạt toàn đảng bộ"


# The monthly meeting of the Charter: a model meeting (sinh hoạt mẫu) and a pilot meeting (sinh hoạt điểm) are
# the month's regular meeting held in an exemplary form, so they count as the month's regular meeting.
REGULAR_KINDS: tuple[str, ...] = (MeetingKind.REGULAR, MeetingKind.MODEL, MeetingKind.PILOT)
THEMATIC_KINDS: tuple[str, ...] = (MeetingKind.THEMATIC,)
# Meetings of the cell's members (attendance counts there); committee meetings gather the committee only.
MEMBER_KINDS: tuple[str, ...] = (
    MeetingKind.REGULAR,
    MeetingKind.THEMATIC,
    MeetingKind.EXTRAORDINARY,
    MeetingKind.MODEL,
    MeetingKind.PILOT,
)
# Kinds held by a cell (chi bộ); a whole-committee meeting is held by a đảng bộ; a committee meeting by either.
CELL_KINDS: tuple[str, ...] = MEMBER_KINDS
COMMITTEE_KINDS: tuple[str, ...] = (MeetingKind.WHOLE_COMMITTEE,)


class MeetingRhythm(models.Model):
    """The cell's meeting day (e.g. the 4th of each month), valid on [valid_from, valid_to)."""

    SCOPE_PATH = "org__current_path"

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="chi bộ"
    )
    day_of_month = models.PositiveSmallIntegerField("ngày sinh hoạt hằng tháng")
    note = models.CharField("ghi chú", max_length=500, blank=True)
    valid_from = models.DateField("từ ngày")
    valid_to = models.DateField("đến ngày", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "lịch sinh hoạt định kỳ"
        verbose_name_plural = "lịch sinh hoạt định kỳ"
        ordering = ["org_id", "valid_from"]
        indexes = [models.Index(fields=["org", "valid_from"], name="rhythm_org_from")]

    def __str__(self) -> str:
        return f"Ngày {self.day_of_month} hằng tháng từ {self.valid_from:%d/%m/%Y}"


class Meeting(models.Model):
    """One meeting, planned, held or cancelled, with the opening figures computed from its attendance.

    Figures (members only; guests apart): `official`, `probationary` by their status on the date; `exempt`
    (miễn sinh hoạt) and `suspended` (đình chỉ) members; `away` (members temporarily attending another cell);
    `expected` = members required to attend (listed members neither exempt, suspended nor away); `present` (all
    members present, exempt ones who came included), `present_expected` (present among the expected),
    `absent_excused`, `absent_unexcused` (among the expected); `guests` = temporary guests and assigned cadres
    present. The attendance rate of a meeting is present_expected / expected."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Dự kiến"
        HELD = "held", "Đã họp"
        CANCELLED = "cancelled", "Đã hủy"

    SCOPE_PATH = "org__current_path"

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="tổ chức"
    )
    kind = models.CharField("loại sinh hoạt", max_length=20, choices=MeetingKind.choices)
    date = models.DateField("ngày họp")
    month = models.DateField("tháng", editable=False)  # first day of the month of `date` (kept by save())
    start_time = models.TimeField("giờ bắt đầu", null=True, blank=True)
    place = models.CharField("địa điểm", max_length=255, blank=True)
    focus_issue = models.CharField("vấn đề trọng tâm", max_length=500, blank=True)
    status = models.CharField("tình trạng", max_length=10, choices=Status.choices, default=Status.PLANNED)
    preparation_date = models.DateField("ngày chi ủy họp chuẩn bị", null=True, blank=True)
    preparation_note = models.CharField("nội dung họp chuẩn bị", max_length=1000, blank=True)
    chair = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="chủ trì",
    )
    secretary = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="thư ký",
    )
    invitation_note = models.TextField("nội dung giấy mời", blank=True)
    invitation_sent_on = models.DateField("ngày gửi giấy mời", null=True, blank=True)
    cancel_reason = models.CharField("lý do hủy", max_length=500, blank=True)
    official = models.PositiveIntegerField("đảng viên chính thức", default=0)
    probationary = models.PositiveIntegerField("đảng viên dự bị", default=0)
    exempt = models.PositiveIntegerField("miễn sinh hoạt", default=0)
    suspended = models.PositiveIntegerField("đình chỉ sinh hoạt", default=0)
    away = models.PositiveIntegerField("đang sinh hoạt tạm thời nơi khác", default=0)
    expected = models.PositiveIntegerField("đảng viên phải dự", default=0)
    present = models.PositiveIntegerField("có mặt", default=0)
    present_expected = models.PositiveIntegerField("có mặt trong số phải dự", default=0)
    absent_excused = models.PositiveIntegerField("vắng có lý do", default=0)
    absent_unexcused = models.PositiveIntegerField("vắng không lý do", default=0)
    guests = models.PositiveIntegerField("khách mời, sinh hoạt tạm thời có mặt", default=0)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "cuộc sinh hoạt"
        verbose_name_plural = "cuộc sinh hoạt"
        ordering = ["-date", "-id"]
        indexes = [
            # it also carries the columns the compliance figures read (migrations 0003 on PostgreSQL, 0005 on SQLite)
            models.Index(fields=["org", "date"], name="meeting_org_date"),
            models.Index(fields=["date"], name="meeting_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ngày {self.date:%d/%m/%Y}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.month = first_of_month(self.date)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "date" in update_fields and "month" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "month"]
        super().save(*args, **kwargs)

    @property
    def attendance_rate(self) -> float | None:
        return round(self.present_expected / self.expected, 4) if self.expected else None


class AgendaItem(models.Model):
    SCOPE_PATH = "meeting__org__current_path"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    order = models.PositiveSmallIntegerField("thứ tự")
    title = models.CharField("nội dung", max_length=500)
    presenter = models.CharField("người trình bày", max_length=150, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "nội dung chương trình"
        verbose_name_plural = "chương trình sinh hoạt"
        ordering = ["meeting_id", "order", "id"]

    def __str__(self) -> str:
        return self.title


class AttendanceAssignment(models.Model):
    """A committee assigns one of its members or a higher-level cadre to attend a cell's meeting (seed 003)."""

    SCOPE_PATH = "assigning_org__current_path"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="assignments")
    assigning_org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="cấp ủy phân công"
    )
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người dùng được phân công",
    )
    assignee_member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="đảng viên được phân công",
    )
    assignee_name = models.CharField("họ và tên người dự", max_length=150)
    assignee_title = models.CharField("chức vụ", max_length=255, blank=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "phân công dự sinh hoạt"
        verbose_name_plural = "phân công dự sinh hoạt"
        ordering = ["meeting_id", "id"]
        indexes = [models.Index(fields=["assigning_org", "meeting"], name="assignment_org_meeting")]

    def __str__(self) -> str:
        return f"{self.assignee_name} dự {self.meeting}"


class Attendance(models.Model):
    """One person on a meeting's attendance list, with their standing on the meeting date and their presence."""

    class Role(models.TextChoices):
        MEMBER = "member", "Đảng viên của chi bộ"
        GUEST = "guest", "Sinh hoạt tạm thời"
        CADRE = "cadre", "Cán bộ cấp trên được phân công"

    class Presence(models.TextChoices):
        UNKNOWN = "unknown", "Chưa điểm danh"
        PRESENT = "present", "Có mặt"
        ABSENT_EXCUSED = "absent_excused", "Vắng có lý do"
        ABSENT_UNEXCUSED = "absent_unexcused", "Vắng không lý do"

    SCOPE_PATH = "meeting__org__current_path"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="đảng viên",
    )
    name = models.CharField("họ và tên", max_length=150)
    role = models.CharField("tư cách dự", max_length=10, choices=Role.choices, default=Role.MEMBER)
    status_on = models.CharField("tình trạng đảng viên ngày họp", max_length=20, blank=True)
    exempt = models.BooleanField("miễn sinh hoạt", default=False)
    suspended = models.BooleanField("đình chỉ sinh hoạt", default=False)
    away = models.BooleanField("đang sinh hoạt tạm thời nơi khác", default=False)
    presence = models.CharField(
        "điểm danh", max_length=20, choices=Presence.choices, default=Presence.UNKNOWN
    )
    reason = models.CharField("lý do vắng", max_length=500, blank=True)
    assignment = models.OneToOneField(
        AttendanceAssignment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendance",
        verbose_name="phân công",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "điểm danh"
        verbose_name_plural = "điểm danh"
        ordering = ["meeting_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_meeting_member_unique"),
        ]
        indexes = [
            # on PostgreSQL it also carries role, exempt, suspended and away (migration 0004)
            models.Index(
                fields=["member", "meeting"],
                name="attendance_unexcused",
                condition=models.Q(presence="absent_unexcused"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_presence_display()}"

    @property
    def required(self) -> bool:
        """A member of the cell expected to attend (not exempt, suspended or attending elsewhere)."""
        return must_attend(self.role, self.exempt, self.suspended, self.away)


def must_attend(role: str, exempt: bool, suspended: bool, away: bool) -> bool:
    """Whether someone on a meeting's list had to attend (DOMAIN §3): a member of the organization (not a guest
    or a cadre) neither exempt, suspended nor attending elsewhere then."""
    return role == Attendance.Role.MEMBER and not (exempt or suspended or away)


class DuesPayment(models.Model):
    """Party dues (đảng phí) of one member for one month, collected by a cell (at a meeting or not)."""

    SCOPE_PATH = "org__current_path"

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="đảng viên"
    )
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="chi bộ thu"
    )
    month = models.DateField("tháng đóng")  # first day of the month paid for
    amount = models.PositiveBigIntegerField("số tiền (đồng)")
    paid_on = models.DateField("ngày nộp")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="dues", verbose_name="thu tại"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "đảng phí"
        verbose_name_plural = "đảng phí"
        ordering = ["-month", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_member_month_unique")]
        indexes = [models.Index(fields=["org", "month"], name="dues_org_month")]

    def __str__(self) -> str:
        return f"{self.member_id} tháng {self.month:%m/%Y}: {self.amount} đ"


class Minutes(models.Model):
    """The minutes (biên bản) of a meeting, structured. Frozen once adopted (`adopted_on` set)."""

    SCOPE_PATH = "meeting__org__current_path"

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    opened_at = models.TimeField("giờ khai mạc", null=True, blank=True)
    closed_at = models.TimeField("giờ bế mạc", null=True, blank=True)
    chair_name = models.CharField("chủ trì", max_length=150, blank=True)
    secretary_name = models.CharField("thư ký", max_length=150, blank=True)
    proceedings = models.TextField("diễn biến", blank=True)
    speakers = models.JSONField("ý kiến phát biểu", default=list, blank=True)  # [{"name", "opinion"}]
    conclusions = models.TextField("kết luận", blank=True)
    votes_for = models.PositiveIntegerField("tán thành", default=0)
    votes_against = models.PositiveIntegerField("không tán thành", default=0)
    votes_abstain = models.PositiveIntegerField("không biểu quyết", default=0)
    adopted_on = models.DateField("ngày thông qua", null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "biên bản sinh hoạt"
        verbose_name_plural = "biên bản sinh hoạt"

    def __str__(self) -> str:
        return f"Biên bản {self.meeting}"

    @property
    def adopted(self) -> bool:
        return self.adopted_on is not None


class MinutesAmendment(models.Model):
    """A recorded change to adopted minutes: when, why, decided where, and the fields before and after."""

    SCOPE_PATH = "minutes__meeting__org__current_path"

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="amendments")
    on = models.DateField("ngày đính chính")
    reason = models.CharField("lý do", max_length=1000)
    decision = models.CharField("căn cứ (quyết định, nghị quyết)", max_length=255, blank=True)
    adopting_meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="cuộc họp thông qua đính chính",
    )
    before = models.JSONField("trước", default=dict)
    after = models.JSONField("sau", default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "đính chính biên bản"
        verbose_name_plural = "đính chính biên bản"
        ordering = ["minutes_id", "on", "id"]

    def __str__(self) -> str:
        return f"Đính chính ngày {self.on:%d/%m/%Y}"


class Resolution(models.Model):
    """A resolution (nghị quyết) adopted at a meeting."""

    SCOPE_PATH = "meeting__org__current_path"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="resolutions")
    number = models.CharField("số nghị quyết", max_length=60, blank=True)
    title = models.CharField("trích yếu", max_length=500)
    content = models.TextField("nội dung", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "nghị quyết"
        verbose_name_plural = "nghị quyết"
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return self.title


class ResolutionTask(models.Model):
    """A task of a resolution: owner, deadline, status. `closed_on`: the day it was done or cancelled, so "open
    as of D" is answerable for any D."""

    class Status(models.TextChoices):
        OPEN = "open", "Đang thực hiện"
        DONE = "done", "Đã hoàn thành"
        CANCELLED = "cancelled", "Hủy bỏ"

    SCOPE_PATH = "resolution__meeting__org__current_path"

    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="tasks")
    description = models.CharField("nhiệm vụ", max_length=1000)
    owner_member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="đảng viên phụ trách",
    )
    owner_text = models.CharField("người / bộ phận phụ trách", max_length=255, blank=True)
    deadline = models.DateField("thời hạn")
    status = models.CharField("tình trạng", max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField("ngày hoàn thành / hủy", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "nhiệm vụ của nghị quyết"
        verbose_name_plural = "nhiệm vụ của nghị quyết"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="task_status_deadline")]

    def __str__(self) -> str:
        return self.description


class TaskFollowUp(models.Model):
    """A later meeting reviews a task: note and the status it set."""

    SCOPE_PATH = "task__resolution__meeting__org__current_path"

    task = models.ForeignKey(ResolutionTask, on_delete=models.PROTECT, related_name="follow_ups")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="follow_ups")
    note = models.CharField("kết quả kiểm điểm", max_length=1000, blank=True)
    status = models.CharField(
        "tình trạng sau kiểm điểm", max_length=10, choices=ResolutionTask.Status.choices
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "kiểm điểm thực hiện nhiệm vụ"
        verbose_name_plural = "kiểm điểm thực hiện nhiệm vụ"
        ordering = ["task_id", "id"]

    def __str__(self) -> str:
        return f"{self.task_id} tại {self.meeting}"


class QualityCriteriaSet(models.Model):
    """Criteria to score a meeting's quality, set by a province (or any committee) or nationally (org empty),
    in force on [effective_from, effective_to). `criteria`: [{"code", "text", "points"}]; `levels`:
    [{"name", "min"}] from the highest, e.g. Tốt ≥ 80, Khá ≥ 65, Trung bình ≥ 50, Kém."""

    SCOPE_PATH = "org__current_path"

    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="cấp ban hành (trống: mặc định toàn quốc)",
    )
    name = models.CharField("tên bộ tiêu chí", max_length=255)
    source = models.CharField("văn bản nguồn", max_length=255)
    effective_from = models.DateField("hiệu lực từ")
    effective_to = models.DateField("hết hiệu lực", null=True, blank=True)
    criteria = models.JSONField("tiêu chí", default=list)
    levels = models.JSONField("mức xếp loại", default=list)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "bộ tiêu chí chất lượng sinh hoạt"
        verbose_name_plural = "bộ tiêu chí chất lượng sinh hoạt"
        ordering = ["org_id", "effective_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.source})"

    @property
    def max_total(self) -> int:
        return sum(int(c["points"]) for c in self.criteria)

    def level_for(self, total: int) -> str:
        for level in sorted(self.levels, key=lambda x: -int(x["min"])):
            if total >= int(level["min"]):
                return str(level["name"])
        return str(self.levels[-1]["name"]) if self.levels else ""


class MeetingScore(models.Model):
    """The quality score of one meeting against the criteria set in force for it."""

    SCOPE_PATH = "meeting__org__current_path"

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="score")
    criteria_set = models.ForeignKey(QualityCriteriaSet, on_delete=models.PROTECT, related_name="+")
    scores = models.JSONField("điểm từng tiêu chí", default=dict)  # {code: points}
    total = models.PositiveIntegerField("tổng điểm")
    level = models.CharField("xếp loại", max_length=60)
    scored_on = models.DateField("ngày đánh giá")
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField("nhận xét", max_length=1000, blank=True)
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "đánh giá chất lượng sinh hoạt"
        verbose_name_plural = "đánh giá chất lượng sinh hoạt"

    def __str__(self) -> str:
        return f"{self.total} điểm – {self.level}"


class QualityProgramme(models.Model):
    """A programme to raise meeting quality (seed 004: Đề án 16-ĐA/TU, 2020-2025) of an organization."""

    SCOPE_PATH = "org__current_path"

    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="cấp ủy triển khai"
    )
    name = models.CharField("tên đề án / kế hoạch", max_length=500)
    decision_number = models.CharField("số văn bản", max_length=60, blank=True)
    decision_date = models.DateField("ngày ban hành", null=True, blank=True)
    date_from = models.DateField("từ ngày")
    date_to = models.DateField("đến ngày")
    note = models.TextField("ghi chú", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "đề án nâng cao chất lượng sinh hoạt"
        verbose_name_plural = "đề án nâng cao chất lượng sinh hoạt"
        ordering = ["-date_from", "id"]

    def __str__(self) -> str:
        return self.name


class ProgrammeCell(models.Model):
    """A cell in a programme: a pilot (sinh hoạt điểm) chosen on `selected_on`, or a cell the programme was
    rolled out to (`rolled_out_on`); a pilot is rolled out too when the programme extends to every cell."""

    SCOPE_PATH = "org__current_path"

    programme = models.ForeignKey(QualityProgramme, on_delete=models.PROTECT, related_name="cells")
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="chi bộ"
    )
    pilot = models.BooleanField("chi bộ điểm", default=False)
    selected_on = models.DateField("ngày chọn", null=True, blank=True)
    rolled_out_on = models.DateField("ngày triển khai đồng loạt", null=True, blank=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "chi bộ trong đề án"
        verbose_name_plural = "chi bộ trong đề án"
        ordering = ["programme_id", "-pilot", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "org"], name="programme_cell_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id} ({'điểm' if self.pilot else 'triển khai'})"
