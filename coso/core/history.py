"""History as people read it: who, when, what changed (before → after), from django-simple-history records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

ACTIONS = {"+": "Tạo mới", "~": "Thay đổi", "-": "Xóa"}


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Entry:
    when: dt.datetime
    who: str
    action: str
    subject: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def stamp(obj: Any, actor: Any, reason: str) -> Any:
    """Mark `obj`'s next save in its history: who (`actor`; None for the system) and why (the reason, cut to the
    history's 100 characters)."""
    obj._history_user = actor
    obj._change_reason = reason[:100]
    return obj


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "có" if value else "không"
    return str(value)


def entries(records: Any, subject: str, hidden: tuple[str, ...] = ()) -> list[Entry]:
    """Turn one object's historical records (oldest first) into entries with their field changes."""
    result: list[Entry] = []
    previous = None
    model: type[Model] | None = None
    for rec in records:
        model = model or rec.instance_type
        changes: list[Change] = []
        if previous is not None:
            delta = rec.diff_against(previous)
            for c in delta.changes:
                if c.field in hidden:
                    continue
                label = str(model._meta.get_field(c.field).verbose_name)  # type: ignore[union-attr]
                changes.append(
                    Change(label, _resolve(model, c.field, c.old), _resolve(model, c.field, c.new))
                )
        else:
            for f in model._meta.concrete_fields:  # type: ignore[union-attr]
                if f.name in hidden or f.primary_key:
                    continue
                value = getattr(rec, f.attname, None)
                if value not in (None, ""):
                    changes.append(Change(str(f.verbose_name), "—", _resolve(model, f.name, value)))
        user = rec.history_user
        result.append(
            Entry(
                when=rec.history_date,
                who=(str(user) if user else "Hệ thống"),
                action=ACTIONS.get(rec.history_type, rec.history_type),
                subject=subject,
                reason=rec.history_change_reason or "",
                changes=changes,
            )
        )
        previous = rec
    return result


def _resolve(model: Any, name: str, value: Any) -> str:
    f = model._meta.get_field(name)
    if f.choices and value not in (None, ""):
        return _show(dict(f.flatchoices).get(value, value))
    if f.is_relation and value is not None:
        target = f.related_model._default_manager.filter(pk=value).first()
        return _show(target) if target is not None else f"#{value}"
    return _show(value)
