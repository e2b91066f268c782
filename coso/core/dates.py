"""Dates and validity periods.

A fact that changes carries `valid_from` (inclusive) and `valid_to` (exclusive, empty = still valid). Every
"who / what / how many" read takes an `as_of` date; `active_on` is the one place that builds that filter.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.db.models import Q
from django.utils import timezone

DATE_FMT = "%d/%m/%Y"
# the years a record may name: from the Party's founding (3 February 1930) to the end of this century
FIRST_YEAR = 1930
LAST_YEAR = 2100


def today() -> dt.date:
    return timezone.localdate()


def active_on(as_of: dt.date, prefix: str = "") -> Q:
    """Rows whose period [valid_from, valid_to) contains `as_of`."""
    return Q(**{f"{prefix}valid_from__lte": as_of}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": as_of})
    )


# ----------------------------------------------------------------------------------------- month arithmetic


def holds_on(on: dt.date, valid_from: dt.date, valid_to: dt.date | None) -> bool:
    """The dated row [valid_from, valid_to) holds on `on` (`active_on` read in Python)."""
    return valid_from <= on and (valid_to is None or valid_to > on)


def first_of_month(d: dt.date) -> dt.date:
    return d.replace(day=1)


def last_of_month(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier, when negative); a day the target month lacks becomes its last
    day (31/01 + 1 month = 28/02 or 29/02)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from `start` to `end` (an age in months on a date)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return months


def years_before(d: dt.date, years: int) -> dt.date:
    """The latest birth (or joining) date that makes `years` whole years by `d` (29/02 counts from 01/03, as
    `months_between` does)."""
    year = d.year - years
    return dt.date(year, d.month, min(d.day, calendar.monthrange(year, d.month)[1]))


def add_working_days(d: dt.date, days: int) -> dt.date:
    """`days` working days (Monday-Friday) after `d`."""
    current = d
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


# --------------------------------------------------------------------------------------------------- text


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
