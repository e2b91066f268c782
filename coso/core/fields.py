"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models


class KeyField(models.CharField):
    """A key compared byte by byte: tree paths and sort keys.

    On PostgreSQL the column uses the "C" collation so that a B-tree index serves range (prefix) queries and
    ORDER BY follows the key's own order; SQLite compares text in binary already.
    """

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


def prefix_range(field: str, prefix: str) -> dict[str, str]:
    """Filter kwargs for "field starts with prefix" as an indexable range (works on SQLite and PostgreSQL)."""
    return {f"{field}__gte": prefix, f"{field}__lt": prefix + "\uffff"}
