"""Path converters. `<id:pk>` matches any path segment, so that an id that is not a number reaches the view and
is answered with a 400 naming it (core.api.CosoAPI) instead of falling through to a 404; the schema still says
integer (SPECTACULAR_SETTINGS["PATH_CONVERTER_OVERRIDES"])."""

from __future__ import annotations

from django.urls import register_converter

MAX_ID = 2**63 - 1


def is_id(value: object) -> bool:
    """A database id: a positive whole number that fits in a bigint."""
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID


class IdConverter:
    regex = r"[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: object) -> str:
        return str(value)


register_converter(IdConverter, "id")
