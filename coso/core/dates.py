"""Dates and validity periods.

A fact that changes carries `valid_from` (inclusive) and `valid_to` (exclusive, empty = still valid). Every
"who / what / how many" read takes an `as_of` date; `active_on` is the one place that builds that filter.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

DATE_FMT = "%d/%m/%Y"


def today() -> dt.date:
    return timezone.localdate()


def active_on(as_of: dt.date, prefix: str = "") -> Q:
    """Rows whose period [valid_from, valid_to) contains `as_of`."""
    return Q(**{f"{prefix}valid_from__lte": as_of}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": as_of})
    )


def format_date(value: dt.date | None) -> str:
    return value.strftime(DATE_FMT) if value else ""


def parse_date(value: object) -> dt.date:
    """Parse dd/mm/yyyy (also yyyy-mm-dd, an Excel date, a date). Raises ValueError with a Vietnamese message."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in (DATE_FMT, "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{text}” không phải ngày hợp lệ; hãy ghi theo dạng dd/mm/yyyy, ví dụ 01/07/2025.")


def parse_as_of(value: object, default: dt.date | None = None) -> dt.date:
    """The `as_of` of a request: empty means today."""
    if value in (None, ""):
        return default or today()
    return parse_date(value)
