"""Forms of the member pages. They parse and check shapes; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from coso.core import forms as core_forms
from coso.core.forms import date_field
from coso.core.scope import CHANGE_MEMBERS, restrict
from coso.orgs.forms import OrgCodeField
from coso.orgs.models import Organization

from .models import (
    Discipline,
    Ethnicity,
    Gender,
    MemberFlag,
    Occupation,
    Qualification,
    Religion,
    Status,
    TheoryLevel,
    Transfer,
)
from .services import EXITS, Identity, Profile

REQUIRED = {"required": "Hãy nhập thông tin này."}


def _text(label: str, max_length: int, required: bool = False, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, required=required, help_text=help_text, error_messages=REQUIRED
    )


class ScopedForm(forms.Form):
    """Resolves organization codes typed in the form within the user's member-change scope."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def resolve(self, name: str, required: bool = True) -> Organization | None:
        code = (self.cleaned_data.get(name) or "").strip()
        if not code:
            if required:
                self.add_error(name, "Hãy nhập mã chi bộ.")
            return None
        org = (
            restrict(Organization.objects.all(), self.user, CHANGE_MEMBERS).filter(code__iexact=code).first()
        )
        if org is None:
            self.add_error(
                name, f"Không có tổ chức mã “{code}” trong phạm vi bạn được quyền thay đổi; hãy kiểm tra mã."
            )
        return org


class ProfileFields(forms.Form):
    education = _text(
        "Trình độ giáo dục phổ thông", 10, help_text="Như ghi trong hồ sơ, ví dụ 12/12, 9/12, 10/10."
    )
    qualification = forms.ModelChoiceField(
        Qualification.objects.filter(active=True),
        label="Trình độ chuyên môn",
        required=False,
        empty_label="— chưa ghi —",
    )
    theory_level = forms.ChoiceField(label="Lý luận chính trị", choices=TheoryLevel.choices, required=False)
    occupation = forms.ModelChoiceField(
        Occupation.objects.filter(active=True),
        label="Nghề nghiệp",
        required=False,
        empty_label="— chưa ghi —",
    )
    academic_title = _text("Học hàm, học vị", 60)

    def profile(self) -> Profile:
        d = self.cleaned_data
        return Profile(
            education=(d.get("education") or "").strip(),
            qualification=d.get("qualification"),
            theory_level=d.get("theory_level") or "",
            occupation=d.get("occupation"),
            academic_title=(d.get("academic_title") or "").strip(),
        )


class AdmitForm(ScopedForm, ProfileFields):
    full_name = _text("Họ và tên", 150, required=True)
    birth_date = date_field("Ngày sinh")
    gender = forms.ChoiceField(label="Giới tính", choices=Gender.choices, error_messages=REQUIRED)
    ethnicity = forms.ModelChoiceField(
        Ethnicity.objects.filter(active=True), label="Dân tộc", empty_label=None, error_messages=REQUIRED
    )
    religion = forms.ModelChoiceField(
        Religion.objects.filter(active=True), label="Tôn giáo", empty_label=None, error_messages=REQUIRED
    )
    citizen_id = _text("Số CCCD", 12, help_text="12 chữ số; để trống nếu chưa có.")
    card_number = _text("Số thẻ đảng viên", 40)
    vitae_number = _text("Số lý lịch đảng viên", 40)
    cell = OrgCodeField(label="Chi bộ", error_messages={"required": "Hãy nhập mã chi bộ."})
    admission_decided_on = date_field("Ngày quyết định kết nạp")
    joined_on = date_field("Ngày vào Đảng (lễ kết nạp)")
    decision_number = _text("Số quyết định kết nạp", 60)
    reviewed_on = date_field(
        "Ngày chi bộ xét kết nạp",
        required=False,
        help_text="Để trống: tính tuổi theo ngày quyết định kết nạp.",
    )
    over_60_approval = _text("Văn bản đồng ý kết nạp trên 60 tuổi", 255)
    field_order = [
        "full_name",
        "birth_date",
        "gender",
        "ethnicity",
        "religion",
        "citizen_id",
        "card_number",
        "vitae_number",
        "cell",
        "admission_decided_on",
        "joined_on",
        "decision_number",
        "reviewed_on",
        "over_60_approval",
    ]

    def identity(self) -> Identity:
        d = self.cleaned_data
        return Identity(
            full_name=d["full_name"],
            birth_date=d["birth_date"],
            gender=d["gender"],
            ethnicity=d["ethnicity"],
            religion=d["religion"],
            citizen_id=(d.get("citizen_id") or "").strip(),
            card_number=d.get("card_number") or "",
            vitae_number=d.get("vitae_number") or "",
        )


class VersionedForm(ScopedForm, core_forms.VersionedForm):
    """A form that edits a member: it carries the version of the record the page showed, and the service refuses
    it when someone else changed the record since (a stale edit never silently replaces the other one)."""


class RecogniseForm(VersionedForm):
    on = date_field("Ngày công nhận chính thức")
    decision_number = _text("Số quyết định", 60)
    decision_date = date_field("Ngày quyết định", required=False)


class ExitForm(VersionedForm):
    status = forms.ChoiceField(
        label="Hình thức",
        choices=[("", "— chọn —")] + [(s.value, s.label) for s in Status if s in EXITS],
        error_messages={"required": "Hãy chọn hình thức."},
    )
    on = date_field("Ngày hiệu lực")
    decision_number = _text("Số quyết định", 60)
    decision_date = date_field("Ngày quyết định", required=False)
    issuer = _text("Cơ quan quyết định", 255)
    note = _text("Ghi chú", 500)


class FlagForm(VersionedForm):
    ACTIONS = [("set", "Bắt đầu"), ("end", "Kết thúc")]
    kind = forms.ChoiceField(label="Loại", choices=MemberFlag.Kind.choices)
    action = forms.ChoiceField(
        label="Thao tác",
        choices=ACTIONS,
        initial="set",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    on = date_field("Từ ngày (hoặc ngày kết thúc)")
    decision_number = _text("Số quyết định", 60)
    decision_date = date_field("Ngày quyết định", required=False)
    reason = _text("Lý do", 500)


class DisciplineForm(VersionedForm):
    form = forms.ChoiceField(label="Hình thức kỷ luật", choices=Discipline.Form.choices)
    violation_on = date_field("Ngày vi phạm")
    decided_on = date_field("Ngày quyết định")
    deciding_body = _text("Cấp quyết định", 255, required=True)
    decision_number = _text("Số quyết định", 60)
    self_found = forms.BooleanField(label="Tự phát hiện và khắc phục", required=False)
    note = _text("Nội dung vi phạm", 1000)


class ProfileForm(VersionedForm, ProfileFields):
    on = date_field("Từ ngày")
    field_order = ["on"]


class TransferForm(VersionedForm):
    kind = forms.ChoiceField(label="Loại", choices=Transfer.Kind.choices)
    left_on = date_field("Ngày chuyển đi")
    to_org = OrgCodeField(
        label="Chi bộ nhận (trong hệ thống)",
        required=False,
        help_text="Chi bộ trong phạm vi của bạn; nơi khác: ghi ở ô dưới.",
    )
    to_outside = _text("Nơi nhận ngoài hệ thống", 255)
    letter_number = _text("Số giấy giới thiệu", 60)
    return_due = date_field("Ngày trở về (chuyển tạm thời)", required=False)
    dues_paid_to = date_field(
        "Đã đóng đảng phí đến hết tháng", required=False, help_text="Một ngày trong tháng, ví dụ 01/06/2025."
    )
    reason = _text("Lý do", 500)
    decision_number = _text("Số quyết định", 60)


class DateForm(forms.Form):
    on = date_field("Ngày")


class BulkMoveForm(forms.Form):
    on = date_field("Ngày chuyển")
    reason = _text("Lý do", 500, required=True)
    decision_number = _text("Số quyết định", 60, required=True)
