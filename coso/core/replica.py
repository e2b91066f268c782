"""Reports read from a replica of the database when one is configured (DATABASE_REPLICA_URL: a PostgreSQL
streaming replica of the primary, or any copy a report may read). Only code inside `reports()` is sent there
(`coso report`, and report pages that opt in); every write, and every read of a page that writes, stays on the
primary, so nobody reads a replica's lag back after their own change. Without the setting, `reports()` changes
nothing."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from django.conf import settings

REPLICA = "replica"
_state = threading.local()


def configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def reports() -> Iterator[None]:
    """Reads inside the block go to the replica (when configured)."""
    before = getattr(_state, "on", False)
    _state.on = True
    try:
        yield
    finally:
        _state.on = before


class ReplicaRouter:
    """DATABASE_ROUTERS entry: reads inside `reports()` to the replica; writes and migrations to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return REPLICA if getattr(_state, "on", False) and configured() else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA
