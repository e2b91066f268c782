"""Coso: công tác xây dựng tổ chức cơ sở đảng."""
