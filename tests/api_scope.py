"""The API's part of the scope test (tests/test_scope.py): how each API URL names an object of commune X2."""

from __future__ import annotations

from typing import Any

API_COVERED: dict[str, Any] = {}


def api_write_cases(world: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return []
