from __future__ import annotations

from django import forms

from coso.core.forms import date_field
from coso.core.models import AccessEvent
from coso.core.scope import ROLES

PICKER = {
    "list": "org-options",
    "class": "org-picker",
    "autocomplete": "off",
    "placeholder": "Gõ mã hoặc tên để tìm",
}


class GrantForm(forms.Form):
    username = forms.CharField(label="Tên đăng nhập", max_length=150)
    role = forms.ChoiceField(label="Vai trò", choices=list(ROLES.items()))
    org = forms.CharField(
        label="Mã tổ chức",
        max_length=40,
        help_text="Vai trò có hiệu lực trên tổ chức này và toàn bộ tổ chức cấp dưới.",
        widget=forms.TextInput(attrs=PICKER),
    )


class UserForm(forms.Form):
    username = forms.CharField(label="Tên đăng nhập", max_length=150)
    full_name = forms.CharField(label="Họ và tên", max_length=150)
    title = forms.CharField(label="Chức vụ", max_length=150, required=False)
    email = forms.EmailField(label="Thư điện tử", required=False)
    password = forms.CharField(label="Mật khẩu", widget=forms.PasswordInput, min_length=8)
    role = forms.ChoiceField(label="Vai trò", choices=list(ROLES.items()))
    org = forms.CharField(label="Mã tổ chức", max_length=40, widget=forms.TextInput(attrs=PICKER))


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Mã xác thực",
        max_length=20,
        error_messages={"required": "Hãy nhập mã đang hiện trên ứng dụng xác thực."},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": "autofocus"}
        ),
    )


class AccessLogFilter(forms.Form):
    kind = forms.ChoiceField(label="Loại", required=False)
    user = forms.CharField(label="Tên đăng nhập", required=False, max_length=150)
    date_from = date_field("Từ ngày", required=False)
    date_to = date_field("Đến ngày", required=False)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "— tất cả —"), *AccessEvent.Kind.choices]  # type: ignore[attr-defined]
