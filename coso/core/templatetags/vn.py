"""Template filters for Vietnamese pages: dates as dd/mm/yyyy, numbers with dot thousands separators."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def vn_date(value: dt.date | dt.datetime | None) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


@register.filter
def vn_number(value: int | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"{value:,}".replace(",", ".")


@register.filter
def percent_of(value: int, total: int) -> float:
    return round(100 * value / total, 1) if total else 0.0


@register.simple_tag(takes_context=True)
def with_query(context: template.Context, **kwargs: object) -> str:
    """The current query string with some parameters replaced (for paging and filters)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return "?" + encoded if encoded else ""


@register.simple_tag(takes_context=True)
def with_query_param(context: template.Context, key: str, value: object) -> str:
    """`with_query` for a parameter whose name is a variable (a second pager on one page)."""
    return with_query(context, **{key: value})


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key, "") if mapping else ""
