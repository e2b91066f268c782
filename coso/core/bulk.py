"""Set-based writes that still keep the history: the history rows are copied from the table by one
INSERT … SELECT instead of being built in Python, row by row.

django-simple-history's `bulk_create_with_history` / `bulk_update_with_history` build every historical instance
in Python; for thousands of rows (a bulk move of a dissolved cell, an import of a district) that costs more than
the write itself. `record_history` writes the same rows (the tracked fields as they are now, the date, the user,
the reason, the type) straight from the table. Call it inside the transaction of the write, after the write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

CREATED, CHANGED = "+", "~"
CHUNK = 2000


def _columns(model: type[Model]) -> list[str]:
    historical = model.history.model  # type: ignore[attr-defined]
    source = {f.column for f in model._meta.concrete_fields}
    return [
        f.column
        for f in historical._meta.concrete_fields
        if not f.name.startswith("history_") and f.column in source
    ]


def record_history(
    model: type[Model],
    *,
    ids: Sequence[int] | None = None,
    where: str = "",
    params: Iterable[Any] = (),
    user: Any = None,
    reason: str = "",
    history_type: str = CHANGED,
) -> int:
    """Copy the current rows of `model` chosen by primary key (`ids`) or by a SQL condition on the table (`where`,
    `params`) into its history table, stamped with `user`, `reason` (cut at 100 characters) and `history_type`.
    Returns the number of history rows written."""
    historical = model.history.model  # type: ignore[attr-defined]
    qn = connection.ops.quote_name
    cols = _columns(model)
    col_sql = ", ".join(qn(c) for c in cols)
    head = (
        f"INSERT INTO {qn(historical._meta.db_table)} ({col_sql}, history_date, history_change_reason, "
        f"history_type, history_user_id) SELECT {col_sql}, %s, %s, %s, %s FROM {qn(model._meta.db_table)} WHERE "
    )
    stamp = [timezone.now(), reason[:100] or None, history_type, getattr(user, "pk", None)]
    written = 0
    with connection.cursor() as cursor:
        if ids is not None and connection.vendor == "postgresql":
            pk = qn(model._meta.pk.column)  # type: ignore[union-attr,arg-type]
            cursor.execute(head + f"{pk} = ANY(%s)", [*stamp, list(ids)])
            written += cursor.rowcount
        elif ids is not None:
            pk = qn(model._meta.pk.column)  # type: ignore[union-attr,arg-type]
            for start in range(0, len(ids), CHUNK):
                chunk = list(ids[start : start + CHUNK])
                cursor.execute(head + f"{pk} IN ({', '.join(['%s'] * len(chunk))})", [*stamp, *chunk])
                written += cursor.rowcount
        else:
            cursor.execute(head + (where or "1=1"), [*stamp, *params])
            written += cursor.rowcount
    return written


def insert_rows(model: type[Model], rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert `rows` (attname → value; a field left out takes its default) into `model`'s table and return their
    new primary keys, in order. PostgreSQL: ids drawn from the table's sequence, then COPY. Elsewhere (SQLite):
    ids after the current maximum, then executemany (inside the caller's transaction, which holds the write lock;
    a concurrent writer makes it fail with IntegrityError, never mix rows). No history: follow with
    `record_history(model, ids=…, history_type=CREATED)`."""
    if not rows:
        return []
    pk = model._meta.pk
    assert pk is not None and pk.column is not None
    fields = [f for f in model._meta.concrete_fields if f is not pk and f.column]
    defaults = {f.attname: f.get_default() for f in fields}
    attnames = [f.attname for f in fields]
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join([qn(pk.column), *(qn(str(f.column)) for f in fields)])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg.copy import QueuedLibpqWriter

            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk.column, len(rows)],
            )
            ids = [r[0] for r in cursor.fetchall()]
            # the raw psycopg cursor: wrap its errors as Django's (IntegrityError …), as cursor.execute does
            with (
                connection.wrap_database_errors,
                # a writer thread sends the data: the server works while the next rows are formatted
                cursor.cursor.copy(
                    f"COPY {table} ({columns}) FROM STDIN", writer=QueuedLibpqWriter(cursor.cursor)
                ) as copy,
            ):
                for new_id, row in zip(ids, rows, strict=True):
                    copy.write_row((new_id, *(row.get(a, defaults[a]) for a in attnames)))
            return ids
        cursor.execute(f"SELECT COALESCE(MAX({qn(pk.column)}), 0) FROM {table}")
        first = int(cursor.fetchone()[0]) + 1
        ids = list(range(first, first + len(rows)))

        def db(value: Any) -> Any:
            return value.isoformat() if isinstance(value, dt.date) else value

        placeholders = ", ".join(["%s"] * (len(fields) + 1))
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
            [
                (new_id, *(db(row.get(a, defaults[a])) for a in attnames))
                for new_id, row in zip(ids, rows, strict=True)
            ],
        )
        return ids


def analyze() -> None:
    """Planner statistics after a bulk load (the demo data): until PostgreSQL's autovacuum gathers them, it plans
    joins over thousands of fresh rows as if the tables were empty (minutes instead of milliseconds); SQLite never
    gathers them by itself. Allowed inside a transaction (a test's)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """`items` in slices of `size` (for IN (...) lookups and batched writes)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
