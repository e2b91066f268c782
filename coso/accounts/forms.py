from __future__ import annotations

from django import forms

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
