"""Registries that let `coso report NAME` and `coso import NAME` reach the apps without core importing them.

Each app registers its reports and importers in its AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Entry:
    name: str
    help: str
    add_arguments: Callable[[Any], None]
    run: Callable[..., Any]


REPORTS: dict[str, Entry] = {}
IMPORTERS: dict[str, Entry] = {}


def register_report(entry: Entry) -> None:
    REPORTS[entry.name] = entry


def register_importer(entry: Entry) -> None:
    IMPORTERS[entry.name] = entry
