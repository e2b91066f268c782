"""The member registry: identities, dated statuses, flags, profiles, memberships, transfers, discipline.

Nothing that changes is overwritten: statuses, flags (exempt, suspended), the attributes statistics break down by
(education, qualification, political theory, occupation) and the cells a member belongs to are rows with a
validity period [valid_from, valid_to). `Member.status` and `Member.home_org` are kept by the services as the
state of today, for lists and for scope; every "as of D" read uses the dated rows.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from coso.core.fields import KeyField


class _Vocabulary(models.Model):
    name = models.CharField("tên", max_length=100, unique=True)
    order = models.PositiveSmallIntegerField("thứ tự", default=100)
    active = models.BooleanField("đang dùng", default=True)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Ethnicity(_Vocabulary):
    class Meta(_Vocabulary.Meta):
        verbose_name = "dân tộc"
        verbose_name_plural = "dân tộc"


class Religion(_Vocabulary):
    class Meta(_Vocabulary.Meta):
        verbose_name = "tôn giáo"
        verbose_name_plural = "tôn giáo"


class Qualification(_Vocabulary):
    class Meta(_Vocabulary.Meta):
        verbose_name = "trình độ chuyên môn"
        verbose_name_plural = "trình độ chuyên môn"


class Occupation(_Vocabulary):
    class Meta(_Vocabulary.Meta):
        verbose_name = "nghề nghiệp"
        verbose_name_plural = "nghề nghiệp"


class Gender(models.TextChoices):
    MALE = "M", "Nam"
    FEMALE = "F", "Nữ"


class TheoryLevel(models.TextChoices):
    NONE = "", "Chưa qua đào tạo"
    ELEMENTARY = "so_cap", "Sơ cấp"
    INTERMEDIATE = "trung_cap", "Trung cấp"
    ADVANCED = "cao_cap", "Cao cấp"
    BACHELOR = "cu_nhan", "Cử nhân"


class Status(models.TextChoices):
    PROBATIONARY = "probationary", "Dự bị"
    OFFICIAL = "official", "Chính thức"
    NOT_RECOGNISED = "not_recognised", "Không công nhận chính thức"
    REMOVED = "removed", "Xóa tên"
    EXPELLED = "expelled", "Khai trừ"
    LEFT = "left", "Ra khỏi Đảng"
    DECEASED = "deceased", "Từ trần"


ACTIVE_STATUSES = (Status.PROBATIONARY, Status.OFFICIAL)


class Member(models.Model):
    """A party member's identity. Scope follows the organization of their official membership (or the last one)."""

    SCOPE_PATH = "home_org__current_path"

    full_name = models.CharField("họ và tên", max_length=150)
    search_key = models.CharField("khóa tìm kiếm", max_length=150, db_index=True)
    sort_key = KeyField("khóa sắp xếp", max_length=250, db_index=True)
    birth_date = models.DateField("ngày sinh")
    gender = models.CharField("giới tính", max_length=1, choices=Gender.choices)
    ethnicity = models.ForeignKey(Ethnicity, on_delete=models.PROTECT, verbose_name="dân tộc")
    religion = models.ForeignKey(Religion, on_delete=models.PROTECT, verbose_name="tôn giáo")
    citizen_id = models.CharField("số CCCD", max_length=12, unique=True, null=True, blank=True)
    card_number = models.CharField("số thẻ đảng viên", max_length=40, blank=True)
    vitae_number = models.CharField("số lý lịch đảng viên", max_length=40, blank=True)
    admission_decided_on = models.DateField("ngày quyết định kết nạp")
    joined_on = models.DateField("ngày vào Đảng")
    recognised_on = models.DateField("ngày chính thức", null=True, blank=True)
    over_60_approval = models.CharField("văn bản đồng ý kết nạp trên 60 tuổi", max_length=255, blank=True)
    status = models.CharField("tình trạng hiện nay", max_length=20, choices=Status.choices)
    home_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="nơi sinh hoạt chính thức",
    )
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "đảng viên"
        verbose_name_plural = "đảng viên"
        ordering = ["sort_key", "id"]

    def __str__(self) -> str:
        return self.full_name


class _Dated(models.Model):
    valid_from = models.DateField("từ ngày")
    valid_to = models.DateField("đến ngày", null=True, blank=True)

    class Meta:
        abstract = True


class MemberStatus(_Dated):
    """The member's status over time (dự bị, chính thức, then possibly an exit), each with its decision."""

    SCOPE_PATH = "member__home_org__current_path"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="statuses")
    status = models.CharField("tình trạng", max_length=20, choices=Status.choices)
    decision_number = models.CharField("số quyết định", max_length=60, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    issuer = models.CharField("cơ quan quyết định", max_length=255, blank=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "tình trạng đảng viên"
        verbose_name_plural = "tình trạng đảng viên"
        ordering = ["member_id", "valid_from", "id"]
        indexes = [models.Index(fields=["member", "valid_from"], name="memberstatus_member_from")]

    def __str__(self) -> str:
        return self.get_status_display()


class MemberFlag(_Dated):
    """Flags that sit beside the status: exempt from activities (miễn sinh hoạt), suspended (đình chỉ)."""

    class Kind(models.TextChoices):
        EXEMPT = "exempt", "Miễn sinh hoạt"
        SUSPENDED = "suspended", "Đình chỉ sinh hoạt"

    SCOPE_PATH = "member__home_org__current_path"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    decision_number = models.CharField("số quyết định", max_length=60, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    reason = models.CharField("lý do", max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "miễn / đình chỉ sinh hoạt"
        verbose_name_plural = "miễn / đình chỉ sinh hoạt"
        ordering = ["member_id", "valid_from", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class MemberProfile(_Dated):
    """Attributes that change and that statistics break down by, dated."""

    SCOPE_PATH = "member__home_org__current_path"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="profiles")
    education = models.CharField("trình độ giáo dục phổ thông", max_length=10, blank=True)
    qualification = models.ForeignKey(
        Qualification, on_delete=models.PROTECT, null=True, blank=True, verbose_name="trình độ chuyên môn"
    )
    theory_level = models.CharField(
        "lý luận chính trị", max_length=12, choices=TheoryLevel.choices, blank=True, default=""
    )
    occupation = models.ForeignKey(
        Occupation, on_delete=models.PROTECT, null=True, blank=True, verbose_name="nghề nghiệp"
    )
    academic_title = models.CharField("học hàm, học vị", max_length=60, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "trình độ, nghề nghiệp"
        verbose_name_plural = "trình độ, nghề nghiệp"
        ordering = ["member_id", "valid_from", "id"]
        indexes = [models.Index(fields=["member", "valid_from"], name="memberprofile_member_from")]

    def __str__(self) -> str:
        return f"{self.member_id} từ {self.valid_from}"


class Transfer(models.Model):
    """A transfer of party activity (chuyển sinh hoạt đảng), official or temporary, possibly to or from outside."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", "Chuyển sinh hoạt chính thức"
        TEMPORARY = "temporary", "Chuyển sinh hoạt tạm thời"

    class State(models.TextChoices):
        ISSUED = "issued", "Đã cấp giấy giới thiệu"
        ARRIVED = "arrived", "Đã đến nơi sinh hoạt mới"
        RETURNED = "returned", "Đã trở về (tạm thời)"
        CANCELLED = "cancelled", "Đã hủy"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    state = models.CharField("tình trạng", max_length=10, choices=State.choices, default=State.ISSUED)
    from_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="từ chi bộ",
    )
    from_outside = models.CharField("từ nơi ngoài hệ thống", max_length=255, blank=True)
    to_org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="đến chi bộ",
    )
    to_outside = models.CharField("đến nơi ngoài hệ thống", max_length=255, blank=True)
    left_on = models.DateField("ngày chuyển đi")
    letter_number = models.CharField("số giấy giới thiệu", max_length=60, blank=True)
    present_by = models.DateField("hạn trình giấy giới thiệu")
    paperwork_due = models.DateField("hạn hoàn tất thủ tục")
    return_due = models.DateField("ngày trở về (tạm thời)", null=True, blank=True)
    arrived_on = models.DateField("ngày đến nơi mới", null=True, blank=True)
    returned_on = models.DateField("ngày trở về", null=True, blank=True)
    card_number = models.CharField("số thẻ đảng viên", max_length=40, blank=True)
    vitae_number = models.CharField("số lý lịch", max_length=40, blank=True)
    dues_paid_to = models.DateField("đã đóng đảng phí đến hết tháng", null=True, blank=True)
    reason = models.CharField("lý do", max_length=500, blank=True)
    decision_number = models.CharField("số quyết định", max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "chuyển sinh hoạt đảng"
        verbose_name_plural = "chuyển sinh hoạt đảng"
        ordering = ["-left_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ngày {self.left_on:%d/%m/%Y}"

    @classmethod
    def scope_q(cls, scope: Any, within: str | None = None) -> models.Q:
        """Both sides of a transfer see it: the sending cell's and the receiving cell's subtrees."""
        return (
            scope.q("from_org__current_path")
            | scope.q("to_org__current_path")
            | scope.q("member__home_org__current_path")
        )


class Membership(_Dated):
    """Where a member belongs (official) or attends (temporary) over time."""

    class Kind(models.TextChoices):
        OFFICIAL = "official", "Chính thức"
        TEMPORARY = "temporary", "Tạm thời"

    SCOPE_PATH = "org__current_path"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="memberships")
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="+", verbose_name="chi bộ"
    )
    kind = models.CharField("loại", max_length=10, choices=Kind.choices, default=Kind.OFFICIAL)
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "sinh hoạt đảng"
        verbose_name_plural = "sinh hoạt đảng"
        ordering = ["member_id", "valid_from", "id"]
        indexes = [
            models.Index(fields=["org", "valid_from"], name="membership_org_from"),
            models.Index(fields=["member", "valid_from"], name="membership_member_from"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} tại {self.org_id} từ {self.valid_from}"


class Discipline(models.Model):
    """A disciplinary measure (kỷ luật); evaluation reads these."""

    class Form(models.TextChoices):
        REPRIMAND = "khien_trach", "Khiển trách"
        WARNING = "canh_cao", "Cảnh cáo"
        DISMISSAL = "cach_chuc", "Cách chức"
        EXPULSION = "khai_tru", "Khai trừ"

    SCOPE_PATH = "member__home_org__current_path"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="disciplines")
    form = models.CharField("hình thức", max_length=12, choices=Form.choices)
    violation_on = models.DateField("ngày vi phạm")
    decided_on = models.DateField("ngày quyết định")
    deciding_body = models.CharField("cấp quyết định", max_length=255)
    decision_number = models.CharField("số quyết định", max_length=60, blank=True)
    self_found = models.BooleanField("tự phát hiện và khắc phục", default=False)
    note = models.CharField("nội dung vi phạm", max_length=1000, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "kỷ luật"
        verbose_name_plural = "kỷ luật"
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_form_display()} ngày {self.decided_on:%d/%m/%Y}"


class MemberView(models.Model):
    """Every view of a member's record: who and when (DOMAIN §12)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "lượt xem hồ sơ"
        verbose_name_plural = "lượt xem hồ sơ"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user_id} xem {self.member_id}"
