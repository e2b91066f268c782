"""Forms of the cell-meeting pages. They parse and check shapes (dates dd/mm/yyyy, numbers, lines of a list);
the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms

from coso.core.forms import VersionedForm, date_field, version_field
from coso.members.models import ACTIVE_STATUSES, Member
from coso.orgs.models import Organization

from .models import MeetingKind, ResolutionTask
from .services import AgendaInput

REQUIRED = {"required": "Hãy nhập thông tin này."}
TIME_ERRORS = {"invalid": "Giờ không hợp lệ; hãy nhập theo dạng giờ:phút, ví dụ 08:00."}
NUMBER_ERRORS = {
    "invalid": "Hãy nhập một số nguyên.",
    "min_value": "Số không được âm.",
    "required": "Hãy nhập số.",
}


def _text(label: str, max_length: int, required: bool = False, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, required=required, help_text=help_text, error_messages=REQUIRED
    )


def _area(label: str, required: bool = False, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        error_messages=REQUIRED,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _time(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        input_formats=["%H:%M", "%H:%M:%S", "%Hg%M", "%Hh%M"],
        error_messages=TIME_ERRORS,
        widget=forms.TextInput(attrs={"placeholder": "hh:mm", "inputmode": "numeric", "autocomplete": "off"}),
    )


def _number(label: str, required: bool = False, min_value: int = 0) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=min_value,
        error_messages=NUMBER_ERRORS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class _MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return obj.full_name


def member_field(label: str, required: bool = False) -> _MemberChoice:
    return _MemberChoice(
        Member.objects.none(),
        label=label,
        required=required,
        empty_label="— không chọn —",
        error_messages={"invalid_choice": "Hãy chọn đảng viên trong danh sách."},
    )


def cell_members(org: Organization, members: Any) -> Any:
    """The members (active today) whose official cell is `org` or under it, in Vietnamese order."""
    from coso.core.fields import prefix_range

    return (
        members.filter(status__in=ACTIVE_STATUSES)
        .filter(**prefix_range("home_org__current_path", org.current_path))
        .order_by("sort_key", "id")
    )


class RhythmForm(forms.Form):
    day_of_month = forms.IntegerField(
        label="Ngày sinh hoạt hằng tháng",
        min_value=1,
        max_value=31,
        help_text="Ví dụ 4: chi bộ sinh hoạt vào ngày 4 hằng tháng (tháng ngắn hơn: ngày cuối tháng).",
        error_messages={
            "required": "Hãy nhập ngày sinh hoạt (1-31).",
            "invalid": "Hãy nhập một số từ 1 đến 31.",
            "min_value": "Ngày sinh hoạt phải từ 1 đến 31.",
            "max_value": "Ngày sinh hoạt phải từ 1 đến 31.",
        },
    )
    valid_from = date_field("Áp dụng từ ngày")
    note = _text("Ghi chú", 500)


class MeetingForm(forms.Form):
    """Planning a meeting (no record yet); `MeetingEditForm` changes one and carries its version."""

    kind = forms.ChoiceField(
        label="Loại sinh hoạt",
        choices=[("", "— chọn loại —"), *MeetingKind.choices],
        error_messages={"required": "Hãy chọn loại sinh hoạt."},
    )
    date = date_field("Ngày họp")
    start_time = _time("Giờ bắt đầu")
    place = _text("Địa điểm", 255)
    focus_issue = _text(
        "Vấn đề trọng tâm",
        500,
        help_text="Mỗi kỳ sinh hoạt chọn một vấn đề trọng tâm để thảo luận, quyết định.",
    )
    agenda = _area(
        "Chương trình (mỗi dòng một nội dung)",
        rows=4,
        help_text="Có thể ghi người trình bày sau dấu “|”, ví dụ: Đánh giá tình hình tháng | Bí thư chi bộ.",
    )
    preparation_date = date_field("Ngày chi ủy họp chuẩn bị", required=False)
    preparation_note = _text("Nội dung thống nhất khi họp chuẩn bị", 1000)
    chair = member_field("Chủ trì")
    secretary = member_field("Thư ký")
    invitation_note = _area("Ghi chú trên giấy triệu tập", rows=2)

    def __init__(self, *args: Any, members: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["chair"].queryset = members  # type: ignore[attr-defined]
            self.fields["secretary"].queryset = members  # type: ignore[attr-defined]

    def agenda_items(self) -> list[AgendaInput]:
        items = []
        for line in (self.cleaned_data.get("agenda") or "").splitlines():
            if not line.strip():
                continue
            title, _sep, presenter = line.partition("|")
            items.append(AgendaInput(title=title.strip(), presenter=presenter.strip()))
        return items


class MeetingEditForm(VersionedForm, MeetingForm):
    """Changing a planned meeting: the planning fields and the version the page was shown with."""


class CancelForm(VersionedForm):
    reason = _text("Lý do hủy", 500, required=True)


class InvitationForm(VersionedForm):
    on = date_field("Ngày gửi / in giấy triệu tập")


class DuesForm(forms.Form):
    month = forms.DateField(
        label="Đảng phí tháng",
        input_formats=["%m/%Y", "%d/%m/%Y", "%Y-%m"],
        error_messages={
            "required": "Hãy nhập tháng đóng (mm/yyyy).",
            "invalid": "Tháng không hợp lệ; hãy nhập theo dạng mm/yyyy, ví dụ 03/2026.",
        },
        widget=forms.TextInput(
            attrs={"placeholder": "mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )


class MinutesForm(VersionedForm):
    version = version_field(minimum=0)  # 0: no minutes yet when the page was shown
    chair_name = _text("Chủ trì", 150)
    secretary_name = _text("Thư ký", 150)
    opened_at = _time("Giờ khai mạc")
    closed_at = _time("Giờ bế mạc")
    proceedings = _area("Diễn biến (báo cáo, nội dung trình bày)", rows=5)
    conclusions = _area("Kết luận của chủ trì", rows=4)
    votes_for = _number("Tán thành")
    votes_against = _number("Không tán thành")
    votes_abstain = _number("Không biểu quyết")


class AmendForm(MinutesForm):
    """Adopted minutes changed by a recorded amendment: the corrected content, when, why and on what basis."""

    version = version_field()
    on = date_field("Ngày đính chính")
    reason = _area("Lý do đính chính", required=True, rows=2)
    decision = _text(
        "Căn cứ (số quyết định, nghị quyết)",
        255,
        help_text="Hoặc chọn cuộc họp đã thông qua việc đính chính.",
    )
    adopting_meeting = forms.TypedChoiceField(
        label="Cuộc họp thông qua đính chính",
        coerce=int,
        required=False,
        empty_value=None,
        choices=[],
        error_messages={"invalid_choice": "Hãy chọn một cuộc họp sau của chi bộ."},
    )

    def __init__(self, *args: Any, meetings: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["adopting_meeting"].choices = [("", "— không —")] + [  # type: ignore[attr-defined]
            (m.pk, f"{m.date:%d/%m/%Y} · {m.get_kind_display()}") for m in meetings
        ]


class AdoptForm(VersionedForm):
    on = date_field("Ngày thông qua")


class ResolutionForm(forms.Form):
    number = _text("Số nghị quyết", 60, help_text="Ví dụ 05-NQ/CB.")
    title = _text("Trích yếu", 500, required=True)
    content = _area("Nội dung", rows=6)


class TaskForm(forms.Form):
    description = _text("Nhiệm vụ", 1000, required=True)
    owner_member = member_field("Đảng viên phụ trách")
    owner_text = _text("Hoặc bộ phận phụ trách", 255, help_text="Ví dụ: Chi ủy, Tổ dân vận.")
    deadline = date_field("Thời hạn")

    def __init__(self, *args: Any, members: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["owner_member"].queryset = members  # type: ignore[attr-defined]


class FollowUpForm(forms.Form):
    meeting = forms.TypedChoiceField(
        label="Kỳ sinh hoạt kiểm điểm",
        coerce=int,
        choices=[],
        error_messages={"required": "Hãy chọn kỳ sinh hoạt.", "invalid_choice": "Hãy chọn kỳ sinh hoạt."},
    )
    status = forms.ChoiceField(
        label="Tình trạng sau kiểm điểm",
        choices=ResolutionTask.Status.choices,
        error_messages={"required": "Hãy chọn tình trạng."},
    )
    note = _text("Kết quả kiểm điểm", 1000)


class AssignForm(forms.Form):
    assigning_org = forms.TypedChoiceField(
        label="Cấp ủy phân công",
        coerce=int,
        choices=[],
        error_messages={
            "required": "Hãy chọn cấp ủy phân công.",
            "invalid_choice": "Hãy chọn cấp ủy phân công.",
        },
    )
    name = _text("Họ và tên người dự", 150, required=True)
    title = _text("Chức vụ", 255, help_text="Ví dụ: Đảng ủy viên, Phó Chủ tịch UBND xã.")
    note = _text("Ghi chú", 500)


class CriteriaSetForm(forms.Form):
    name = _text("Tên bộ tiêu chí", 255, required=True)
    source = _text(
        "Văn bản nguồn", 255, required=True, help_text="Ví dụ: Hướng dẫn 05-HD/TU ngày 10/01/2026."
    )
    effective_from = date_field("Hiệu lực từ ngày")
    effective_to = date_field(
        "Hết hiệu lực từ ngày", required=False, help_text="Để trống: đến khi có bộ mới."
    )
    criteria = _area(
        "Tiêu chí (mỗi dòng: mã | nội dung | điểm tối đa)",
        required=True,
        rows=6,
        help_text="Ví dụ: TC1 | Chuẩn bị nội dung chu đáo | 20",
    )
    levels = _area(
        "Mức xếp loại (mỗi dòng: tên | điểm tối thiểu)",
        required=True,
        rows=4,
        help_text="Ví dụ: Tốt | 80",
    )

    def clean_criteria(self) -> list[dict[str, Any]]:
        result = []
        for i, line in enumerate((self.cleaned_data.get("criteria") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 3 or not parts[2].isdigit():
                raise forms.ValidationError(
                    f"Dòng {i} “{line.strip()}”: hãy ghi mã | nội dung | điểm tối đa (số nguyên)."
                )
            result.append({"code": parts[0], "text": parts[1], "points": int(parts[2])})
        return result

    def clean_levels(self) -> list[dict[str, Any]]:
        result = []
        for i, line in enumerate((self.cleaned_data.get("levels") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 2 or not parts[1].isdigit():
                raise forms.ValidationError(
                    f"Dòng {i} “{line.strip()}”: hãy ghi tên mức | điểm tối thiểu (số nguyên)."
                )
            result.append({"name": parts[0], "min": int(parts[1])})
        return result


class ProgrammeForm(forms.Form):
    name = _text("Tên đề án / kế hoạch", 500, required=True)
    decision_number = _text("Số văn bản", 60, help_text="Ví dụ 16-ĐA/TU.")
    decision_date = date_field("Ngày ban hành", required=False)
    date_from = date_field("Từ ngày")
    date_to = date_field("Đến ngày")
    note = _area("Ghi chú", rows=2)


class PilotForm(forms.Form):
    cell = forms.CharField(
        label="Mã chi bộ điểm",
        max_length=40,
        error_messages={"required": "Hãy nhập mã chi bộ."},
        widget=forms.TextInput(
            attrs={
                "list": "org-options",
                "autocomplete": "off",
                "class": "org-picker",
                "placeholder": "Mã chi bộ",
            }
        ),
    )
    on = date_field("Ngày chọn")
    note = _text("Ghi chú", 500)


class RollOutForm(forms.Form):
    on = date_field("Ngày triển khai đồng loạt")


class PeriodForm(forms.Form):
    """From / to of a report (GET)."""

    date_from = date_field("Từ ngày")
    date_to = date_field("Đến ngày")
