"""Raw SQL for the few report statements the ORM cannot write as fast (a province's compliance figures, names of
many organizations in one statement): the same text on SQLite and PostgreSQL, dates passed the way each stores
them, rows fetched as tuples."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection


def date_param(d: dt.date) -> Any:
    """A date parameter: typed on PostgreSQL, ISO text on SQLite (how Django stores dates there)."""
    return d if connection.vendor == "postgresql" else d.isoformat()


def date_placeholder() -> str:
    """The placeholder of a date parameter (typed on PostgreSQL, where an untyped one may be read as text)."""
    return "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"


def in_list(values: Sequence[Any]) -> tuple[str, list[Any]]:
    """`(%s, %s, …)` and its parameters."""
    return "(" + ", ".join(["%s"] * len(values)) + ")", list(values)


def as_date(value: Any) -> Any:
    """A date column read by raw SQL: SQLite returns the ISO text Django stores."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())
