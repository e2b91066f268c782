"""Form fields every app's pages share: dates typed dd/mm/yyyy, with Vietnamese messages."""

from __future__ import annotations

from typing import Any

from django import forms

from .errors import StaleEdit

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATE_ERRORS = {
    "invalid": "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy, ví dụ 01/07/2025.",
    "required": "Hãy nhập ngày (dd/mm/yyyy).",
}


def date_field(label: str, required: bool = True, help_text: str = "") -> forms.DateField:
    """A date typed as dd/mm/yyyy (yyyy-mm-dd accepted too), with a numeric keyboard on phones."""
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        error_messages=DATE_ERRORS,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        ),
    )


VERSION_ERRORS = {
    "required": "Trang này thiếu phiên bản của bản ghi; hãy tải lại trang rồi nhập lại.",
    "invalid": "Phiên bản của bản ghi không hợp lệ; hãy tải lại trang rồi nhập lại.",
    "min_value": "Phiên bản của bản ghi không hợp lệ; hãy tải lại trang rồi nhập lại.",
}


def version_field(minimum: int = 1) -> forms.IntegerField:
    """The hidden version of the record the page showed: the service refuses the edit when someone else changed
    the record since, so a stale edit never silently replaces the other one. `minimum` 0 where the page may
    create the record (0: there was none when the page was shown)."""
    return forms.IntegerField(widget=forms.HiddenInput, min_value=minimum, error_messages=VERSION_ERRORS)


class VersionedForm(forms.Form):
    """A form that edits a record and carries its version. The version is a hidden field: its error is said
    above the form, where the cadre reads it."""

    version = version_field()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "version" in self.errors:
            self.add_error(None, list(self.errors.pop("version")))
        return cleaned


def version_or_none(raw: str) -> int | None:
    """A version posted as text, or None when it is missing or broken (the caller refuses the form as stale)."""
    raw = str(raw or "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def posted_version(data: Any, name: str = "version", minimum: int = 1) -> int:
    """The version a hand-built form (a table of lines, a score sheet) posted under `name`; a missing or broken
    one is refused like a stale edit. `minimum` as in `version_field`."""
    raw = str(data.get(name) or "").strip()
    if not raw.isdigit() or int(raw) < minimum:
        raise StaleEdit(VERSION_ERRORS["required"])
    return int(raw)
