"""Forms of the evaluation pages. They parse and check shapes (Vietnamese messages, dates dd/mm/yyyy); the rules
live in the services, whose refusals the views show next to the field they name."""

from __future__ import annotations

from typing import Any

from django import forms

from coso.core.forms import VersionedForm, date_field

from .models import EvaluationPeriod, Level, PeriodKind

REQUIRED = {"required": "Hãy nhập thông tin này."}
NUMBER = {"invalid": "Hãy nhập một số.", "min_value": "Không thể là số âm."}

SUBJECT_CHOICES = [
    ("members", "Đảng viên"),
    ("cells", "Chi bộ trực thuộc"),
    ("grassroots", "Tổ chức cơ sở đảng (đảng bộ cơ sở, chi bộ cơ sở)"),
]


def _level_choices(levels: list[Level]) -> list[tuple[str, str]]:
    return [("", "— chưa chọn —")] + [(str(x.pk), x.name) for x in levels]


class PeriodForm(forms.Form):
    """Opening a period for the subtree of an organization."""

    kind = forms.ChoiceField(
        label="Loại đợt",
        choices=[(k, label) for k, label in PeriodKind.choices if k != PeriodKind.IMPORTED],
        initial=PeriodKind.YEAR,
    )
    year = forms.IntegerField(
        label="Năm đánh giá",
        required=False,
        min_value=1930,
        max_value=2100,
        error_messages={
            "invalid": "Hãy nhập năm bằng 4 chữ số.",
            "min_value": "Năm từ 1930.",
            "max_value": "Năm quá lớn.",
        },
        help_text="Đợt hằng năm: từ 01/01 đến 31/12 của năm này.",
    )
    date_from = date_field("Từ ngày", required=False, help_text="Đợt quý, nhiệm kỳ, đột xuất.")
    date_to = date_field(
        "Đến ngày", required=False, help_text="Quy định áp dụng là quy định có hiệu lực ngày này."
    )
    title = forms.CharField(
        label="Tên đợt", max_length=255, required=False, help_text="Để trống: tên tự đặt."
    )
    subjects = forms.MultipleChoiceField(
        label="Đối tượng đánh giá",
        choices=SUBJECT_CHOICES,
        initial=[c for c, _ in SUBJECT_CHOICES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Hãy chọn ít nhất một đối tượng được đánh giá."},
    )
    include_root = forms.BooleanField(label="Đánh giá cả chính tổ chức này", required=False)
    self_due = date_field("Hạn tự đánh giá", required=False)
    review_due = date_field("Hạn nhận xét, đề xuất", required=False)
    decision_due = date_field("Hạn quyết định", required=False)


class ScoresMixin(forms.Form):
    """One number field per criterion of the period's frame (scored schemes only): `score_<code>`."""

    def add_scores(self, period: EvaluationPeriod, initial: dict[str, Any] | None = None) -> None:
        self.criteria = list(period.criteria or []) if period.scheme.scored else []
        for c in self.criteria:
            name = f"score_{c['code']}"
            self.fields[name] = forms.DecimalField(
                label=f"{c.get('name') or c.get('text') or c['code']} (tối đa {c['points']} điểm)",
                required=False,
                min_value=0,
                max_digits=5,
                decimal_places=2,
                error_messages=NUMBER,
            )
            if initial and str(c["code"]) in initial:
                self.initial[name] = initial[str(c["code"])]

    def scores(self) -> dict[str, float]:
        found = {}
        for c in getattr(self, "criteria", []):
            value = self.cleaned_data.get(f"score_{c['code']}")
            if value is not None:
                found[str(c["code"])] = float(value)
        return found


class SelfForm(ScoresMixin, VersionedForm):
    comment = forms.CharField(label="Tự nhận xét", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    level = forms.ChoiceField(label="Tự xếp loại", required=False)

    def __init__(
        self, *args: Any, period: EvaluationPeriod, levels: list[Level], scores: Any = None, **kw: Any
    ):
        super().__init__(*args, **kw)
        self.levels = {str(x.pk): x for x in levels}
        self.fields["level"].choices = _level_choices(levels)  # type: ignore[attr-defined]
        self.add_scores(period, scores)

    def chosen_level(self) -> Level | None:
        return self.levels.get(self.cleaned_data.get("level") or "")


class ReviewForm(ScoresMixin, VersionedForm):
    comment = forms.CharField(label="Nhận xét", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    votes_for = forms.IntegerField(
        label="Số phiếu tán thành", required=False, min_value=0, error_messages=NUMBER
    )
    votes_against = forms.IntegerField(
        label="Số phiếu không tán thành", required=False, min_value=0, error_messages=NUMBER
    )
    level = forms.ChoiceField(label="Đề xuất xếp loại", error_messages=REQUIRED)

    def __init__(
        self, *args: Any, period: EvaluationPeriod, levels: list[Level], scores: Any = None, **kw: Any
    ):
        super().__init__(*args, **kw)
        self.levels = {str(x.pk): x for x in levels}
        self.fields["level"].choices = _level_choices(levels)  # type: ignore[attr-defined]
        self.add_scores(period, scores)

    def chosen_level(self) -> Level | None:
        return self.levels.get(self.cleaned_data.get("level") or "")


class FactsForm(VersionedForm):
    """What EVAL.ORG_CAP needs on an organization's entry and the app cannot derive."""

    targets_met_pct = forms.DecimalField(
        label="Tỷ lệ chỉ tiêu đạt (%)",
        required=False,
        min_value=0,
        max_digits=6,
        decimal_places=2,
        error_messages=NUMBER,
    )
    leadership_disciplined = forms.BooleanField(label="Tập thể lãnh đạo bị kỷ luật trong kỳ", required=False)
    subunits_disciplined = forms.IntegerField(
        label="Số tổ chức trực thuộc bị kỷ luật", required=False, min_value=0, error_messages=NUMBER
    )
    subunits_total = forms.IntegerField(
        label="Tổng số tổ chức trực thuộc", required=False, min_value=0, error_messages=NUMBER,
        help_text="Để trống: số tổ chức trực thuộc được đánh giá trong đợt.",
    )  # fmt: skip

    def facts(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "targets_met_pct": float(d["targets_met_pct"]) if d.get("targets_met_pct") is not None else None,
            "leadership_disciplined": True if d.get("leadership_disciplined") else None,
            "subunits_disciplined": d.get("subunits_disciplined"),
            "subunits_total": d.get("subunits_total"),
        }


class ReconsiderForm(VersionedForm):
    level = forms.ChoiceField(label="Mức xếp loại mới", error_messages=REQUIRED)
    number = forms.CharField(label="Số quyết định", max_length=60, error_messages=REQUIRED)
    decided_on = date_field("Ngày quyết định")
    body = forms.CharField(label="Cấp quyết định", max_length=255, error_messages=REQUIRED)
    reason = forms.CharField(label="Lý do", widget=forms.Textarea(attrs={"rows": 3}), error_messages=REQUIRED)
    justification = forms.CharField(
        label="Lý do vượt cảnh báo (nếu mức mới vi phạm quy định)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: Any, levels: list[Level], **kw: Any):
        super().__init__(*args, **kw)
        self.levels = {str(x.pk): x for x in levels}
        self.fields["level"].choices = _level_choices(levels)  # type: ignore[attr-defined]

    def chosen_level(self) -> Level | None:
        return self.levels.get(self.cleaned_data.get("level") or "")
