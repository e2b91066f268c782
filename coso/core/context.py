"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .dates import format_date, parse_as_of, today


def as_of(request: HttpRequest) -> dict[str, Any]:
    """The date the pages are looking at (?as_of=dd/mm/yyyy), defaulting to today."""
    try:
        value = parse_as_of(request.GET.get("as_of"))
        error = ""
    except ValueError as exc:
        value, error = today(), str(exc)
    return {"as_of": value, "as_of_text": format_date(value), "as_of_error": error, "today": today()}
