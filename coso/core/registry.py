"""Registries that let `coso report NAME`, `coso import NAME` and `coso load_demo` reach the apps without core
importing them.

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
DEMO_STEPS: list[tuple[int, str, Callable[[Callable[[str], None]], bool]]] = []


def register_report(entry: Entry) -> None:
    REPORTS[entry.name] = entry


def register_importer(entry: Entry) -> None:
    IMPORTERS[entry.name] = entry


def register_demo(order: int, name: str, load: Callable[[Callable[[str], None]], bool]) -> None:
    """A step of `coso load_demo` (run in `order`); `load(log)` returns False when its data is already there."""
    if all(existing != name for _o, existing, _f in DEMO_STEPS):
        DEMO_STEPS.append((order, name, load))
