"""Forms of the organization pages. They parse and check shapes; the rules live in services and rules."""

from __future__ import annotations

from typing import Any

from django import forms

from coso.core.forms import VersionedForm, date_field
from coso.core.scope import CHANGE_ORGS, restrict
from coso.core.upload import UploadRefused, check_size

from .models import CellCategory, Organization, OrgKind, OrgPeriod
from .services import DISSOLVE, TARGET, DecisionInput, Destination


class OrgCodeField(forms.CharField):
    """An organization typed by its code (the page offers suggestions); resolved within the user's scope."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update(
            {
                "list": "org-options",
                "autocomplete": "off",
                "class": "org-picker",
                "placeholder": "Gõ mã hoặc tên để tìm",
            }
        )


class DecisionForm(forms.Form):
    """The decision every restructuring is tied to."""

    decision_number = forms.CharField(
        label="Số quyết định", max_length=60, error_messages={"required": "Hãy nhập số quyết định."}
    )
    decision_date = date_field("Ngày quyết định")
    decision_issuer = forms.CharField(label="Cơ quan ban hành", max_length=255, required=False)
    decision_summary = forms.CharField(label="Trích yếu", max_length=500, required=False)
    decision_file = forms.FileField(label="Tệp quyết định (không bắt buộc)", required=False)
    on = date_field("Ngày hiệu lực", help_text="Ngày thay đổi có hiệu lực (dd/mm/yyyy).")

    def clean_decision_file(self) -> Any:
        """A decision's scan may be at most COSO_UPLOAD_MAX_MB (`coso.core.upload.check_size`)."""
        file = self.cleaned_data.get("decision_file")
        if file:
            try:
                check_size(file)
            except UploadRefused as exc:
                raise forms.ValidationError(exc.message) from exc
        return file

    def decision(self) -> DecisionInput:
        d = self.cleaned_data
        return DecisionInput(
            number=d["decision_number"],
            signed_on=d["decision_date"],
            issuer=d.get("decision_issuer") or "",
            summary=d.get("decision_summary") or "",
            file=d.get("decision_file"),
        )


def kind_field(required: bool = True, label: str = "Loại tổ chức") -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        OrgKind.objects.filter(active=True),
        label=label,
        required=required,
        empty_label="— chọn loại —",
        error_messages={"required": "Hãy chọn loại tổ chức."},
    )


def category_field(label: str = "Phân loại") -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        CellCategory.objects.filter(active=True),
        label=label,
        required=False,
        empty_label="— không phân loại —",
    )


class ResolvingForm(DecisionForm):
    """Resolves organization codes typed in the form within the user's change scope."""

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def resolve(self, name: str, required: bool = True) -> Organization | None:
        code = (self.cleaned_data.get(name) or "").strip()
        if not code:
            if required:
                self.add_error(name, "Hãy nhập mã tổ chức.")
            return None
        org = restrict(Organization.objects.all(), self.user, CHANGE_ORGS).filter(code__iexact=code).first()
        if org is None:
            self.add_error(
                name, f"Không có tổ chức mã “{code}” trong phạm vi bạn được quyền thay đổi; hãy kiểm tra mã."
            )
        return org


class EstablishForm(ResolvingForm):
    code = forms.CharField(
        label="Mã tổ chức", max_length=40, error_messages={"required": "Hãy nhập mã tổ chức."}
    )
    name = forms.CharField(
        label="Tên tổ chức", max_length=255, error_messages={"required": "Hãy nhập tên tổ chức."}
    )
    kind = kind_field()
    category = category_field()
    parent = OrgCodeField(
        label="Tổ chức cấp trên",
        required=False,
        help_text="Để trống nếu là tổ chức cấp cao nhất (chỉ quản trị hệ thống).",
    )
    field_order = ["code", "name", "kind", "category", "parent", "on"]


class RenameForm(VersionedForm, ResolvingForm):
    name = forms.CharField(label="Tên mới", max_length=255, required=False)
    kind = kind_field(required=False, label="Loại mới (để trống nếu không đổi)")
    category = category_field("Phân loại mới")
    field_order = ["name", "kind", "category", "on"]


class MoveForm(VersionedForm, ResolvingForm):
    parent = OrgCodeField(label="Tổ chức cấp trên mới")
    field_order = ["parent", "on"]


class DissolveForm(VersionedForm, ResolvingForm):
    field_order = ["on"]


class MergeForm(ResolvingForm):
    MODES = [("into", "Sáp nhập vào một tổ chức đang có"), ("new", "Hợp nhất thành tổ chức mới")]
    sources = forms.CharField(
        label="Các tổ chức được hợp nhất (mã, cách nhau bởi dấu phẩy)",
        max_length=2000,
        error_messages={"required": "Hãy nhập mã các tổ chức được hợp nhất."},
    )
    mode = forms.ChoiceField(
        label="Hình thức",
        choices=MODES,
        initial="into",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    into = OrgCodeField(label="Tổ chức nhận sáp nhập", required=False)
    new_code = forms.CharField(label="Mã tổ chức mới", max_length=40, required=False)
    new_name = forms.CharField(label="Tên tổ chức mới", max_length=255, required=False)
    new_kind = kind_field(required=False, label="Loại tổ chức mới")
    new_category = category_field("Phân loại tổ chức mới")
    new_parent = OrgCodeField(label="Cấp trên của tổ chức mới", required=False)
    field_order = [
        "sources",
        "mode",
        "into",
        "new_code",
        "new_name",
        "new_kind",
        "new_category",
        "new_parent",
        "on",
    ]

    def source_codes(self) -> list[str]:
        raw = (
            self.data.get(self.add_prefix("sources"), "")
            if self.is_bound
            else self.initial.get("sources", "")
        )
        return [c.strip() for c in str(raw).replace(";", ",").split(",") if c.strip()]


class SplitForm(VersionedForm, ResolvingForm):
    keep_source = forms.BooleanField(label="Giữ lại tổ chức cũ (chỉ tách một phần ra)", required=False)
    field_order = ["keep_source", "on"]


class SplitPartForm(forms.Form):
    code = forms.CharField(label="Mã", max_length=40, required=False)
    name = forms.CharField(label="Tên tổ chức mới", max_length=255, required=False)
    kind = kind_field(required=False, label="Loại")
    category = category_field()
    parent = OrgCodeField(label="Cấp trên (để trống: như tổ chức cũ)", required=False)


SplitPartFormSet = forms.formset_factory(SplitPartForm, extra=0, min_num=2, max_num=20)


def child_choices(op: str, parts: int = 0) -> list[tuple[str, str]]:
    """Where a child of a dissolved / merged / split organization can go."""
    choices = [("", "— chọn nơi chuyển đến —")]
    if op == "merge":
        choices.append((TARGET, "Chuyển về tổ chức sau hợp nhất"))
    if op == "split":
        choices += [(f"part:{i}", f"Chuyển về tổ chức mới thứ {i + 1}") for i in range(parts)]
        choices.append(("stay", "Ở lại tổ chức cũ (khi giữ lại tổ chức cũ)"))
    choices += [("other", "Chuyển về tổ chức khác (nhập mã)"), ("dissolve", "Giải thể cùng")]
    return choices


def read_child_moves(
    data: Any, children: list[OrgPeriod], user: Any, op: str, errors: dict[str, str]
) -> dict[int, Destination]:
    """The child mapping posted by the page: `child-<id>` = choice, `child-<id>-code` = code for "other"."""
    moves: dict[int, Destination] = {}
    scoped = restrict(Organization.objects.all(), user, CHANGE_ORGS)
    for child in children:
        key = f"child-{child.org_id}"
        choice = data.get(key, "")
        if choice in ("", "stay"):
            continue
        if choice == "dissolve":
            moves[child.org_id] = DISSOLVE
        elif choice == "other":
            code = (data.get(key + "-code") or "").strip()
            org = scoped.filter(code__iexact=code).first() if code else None
            if org is None:
                errors[key] = f"Hãy nhập mã tổ chức nhận {child.name} (trong phạm vi của bạn)."
            else:
                moves[child.org_id] = org
        else:
            moves[child.org_id] = choice
    return moves
