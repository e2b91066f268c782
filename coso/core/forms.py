"""Form fields every app's pages share: dates typed dd/mm/yyyy, with Vietnamese messages."""

from __future__ import annotations

from django import forms

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
