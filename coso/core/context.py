"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .dates import format_date, today
from .pages import as_of_and_error


def as_of(request: HttpRequest) -> dict[str, Any]:
    """The date the pages are looking at (?as_of=dd/mm/yyyy), defaulting to today."""
    value, error = as_of_and_error(request)
    return {"as_of": value, "as_of_text": format_date(value), "as_of_error": error, "today": today()}
