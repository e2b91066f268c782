"""Every write to the organization tree: one function per operation, one transaction, checked, with history.

Operations close periods and open new ones; nothing is updated in place or deleted. Each function takes the
acting user (`actor`; None for the system itself: the demo loader, `coso import orgs`), checks the user's scope
before and after the write, and records a `Restructuring` event tied to its decision. A refusal raises
`DomainError` with a Vietnamese message naming the rule; the transaction then writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from coso.core.dates import format_date, today
from coso.core.errors import DomainError, StaleEdit
from coso.core.fields import prefix_range
from coso.core.history import stamp
from coso.core.scope import CHANGE_ORGS, check_path
from coso.core.text import fold, nfc, sort_key

from . import queries, rules
from .models import (
    CellCategory,
    Decision,
    Organization,
    OrgKind,
    OrgPeriod,
    Restructuring,
    RestructuringOrg,
    segment,
)

DISSOLVE = None  # a child mapped to DISSOLVE is dissolved together with its parent
TARGET = "target"  # in a merge: the merge's target, even one the merge itself establishes
# in a split: "part:N" is the N-th new organization (counted from 0)

Destination = Organization | str | None


class _Keep:
    """Marks an attribute left as it is (rename with category=KEEP)."""


KEEP = _Keep()


@dataclass
class DecisionInput:
    number: str
    signed_on: dt.date
    issuer: str = ""
    summary: str = ""
    file: File | None = None


@dataclass
class NewOrg:
    code: str
    name: str
    kind: OrgKind
    category: CellCategory | None = None
    parent: Organization | None = None


@dataclass
class Result:
    event: Restructuring
    orgs: list[Organization] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------- helpers


def _parent_now(p: OrgPeriod, on: dt.date) -> OrgPeriod | None:
    return queries.period_on(p.parent, on) if p.parent is not None else None


def _label(org: Organization) -> str:
    latest = queries.last_period(org)
    return f"{latest.name} ({org.code})" if latest else org.code


def _check_scope(actor: Any, path: str | None) -> None:
    if actor is not None:
        check_path(actor, path, CHANGE_ORGS)


def _check_version(org: Organization, expected: Mapping[int, int] | None) -> None:
    if expected and org.pk in expected and expected[org.pk] != org.version:
        raise StaleEdit(
            f"{_label(org)} vừa được người khác thay đổi sau khi bạn mở trang; hãy tải lại trang và nhập lại.",
        )


def _require_date(on: dt.date | None, field_name: str = "on") -> dt.date:
    if on is None:
        raise DomainError("Hãy nhập ngày hiệu lực (dd/mm/yyyy).", field=field_name)
    return on


def _alive_period(org: Organization, on: dt.date, *, field_name: str = "org") -> OrgPeriod:
    """The open (latest) period of `org`, checked to contain `on` and to have nothing recorded after `on`."""
    if on < org.established_on:
        raise DomainError(
            f"{_label(org)} thành lập ngày {format_date(org.established_on)}, chưa tồn tại vào ngày {format_date(on)}; "
            "hãy chọn ngày hiệu lực từ ngày thành lập trở đi.",
            field="on",
            rule=rules.EXISTS,
        )
    if org.dissolved_on is not None and on >= org.dissolved_on:
        raise DomainError(
            f"{_label(org)} đã giải thể ngày {format_date(org.dissolved_on)}, không còn tồn tại vào ngày {format_date(on)}; "
            "hãy chọn ngày trước ngày giải thể.",
            field="on",
            rule=rules.EXISTS,
        )
    current = org.periods.filter(valid_to__isnull=True).select_related("kind", "category").first()
    if current is None:  # pragma: no cover - an organization alive on `on` always has an open period
        raise DomainError(f"{_label(org)} không còn tồn tại.", field=field_name, rule=rules.EXISTS)
    if current.valid_from > on:
        raise DomainError(
            f"{_label(org)} đã có thay đổi ghi nhận từ ngày {format_date(current.valid_from)}, sau ngày {format_date(on)}; "
            "các thay đổi phải ghi theo thứ tự thời gian: hãy chọn ngày từ "
            f"{format_date(current.valid_from)} trở đi.",
            field="on",
            rule=rules.CHRONOLOGY,
        )
    return current


def _parent_period(parent: Organization | None, on: dt.date, field_name: str = "parent") -> OrgPeriod | None:
    if parent is None:
        return None
    if not parent.exists_on(on):
        when = (
            f"thành lập ngày {format_date(parent.established_on)}"
            if on < parent.established_on
            else f"đã giải thể ngày {format_date(parent.dissolved_on)}"  # type: ignore[arg-type]
        )
        raise DomainError(
            f"Tổ chức cấp trên {_label(parent)} không tồn tại vào ngày {format_date(on)} ({when}); "
            "hãy chọn tổ chức cấp trên đang tồn tại vào ngày đó.",
            field=field_name,
            rule=rules.PARENT_EXISTS,
        )
    found = queries.period_on(parent, on)
    if found is None:  # pragma: no cover
        raise DomainError(
            f"Tổ chức cấp trên {_label(parent)} không tồn tại vào ngày {format_date(on)}.",
            field=field_name,
            rule=rules.PARENT_EXISTS,
        )
    return found


def _decision(actor: Any, data: DecisionInput | Decision | None, org: Organization, on: dt.date) -> Decision:
    if isinstance(data, Decision):
        return data
    if data is None or not nfc(data.number):
        raise DomainError("Hãy nhập số quyết định.", field="decision_number", rule=rules.DECISION)
    if data.signed_on is None:
        raise DomainError(
            "Hãy nhập ngày ký quyết định (dd/mm/yyyy).", field="decision_date", rule=rules.DECISION
        )
    if data.signed_on > today():
        raise DomainError(
            f"Ngày quyết định {format_date(data.signed_on)} ở tương lai; hãy nhập ngày đã ký.",
            field="decision_date",
            rule=rules.DECISION,
        )
    decision = Decision(
        number=nfc(data.number),
        signed_on=data.signed_on,
        issuer=nfc(data.issuer),
        summary=nfc(data.summary),
        org=org,
        created_by=actor,
    )
    if data.file is not None:
        decision.file = data.file
    stamp(decision, actor, "Ghi nhận quyết định").save()
    return decision


def _event(
    actor: Any,
    op: str,
    on: dt.date,
    decision: Decision | None,
    summary: str,
    links: Iterable[tuple[Organization, str]],
    payload: dict[str, Any] | None = None,
) -> Restructuring:
    event = Restructuring(
        op=op, on=on, decision=decision, summary=summary[:1000], payload=payload or {}, created_by=actor
    )
    stamp(event, actor, summary[:100]).save()
    seen = set()
    rows = []
    for org, role in links:
        if (org.pk, role) not in seen:
            seen.add((org.pk, role))
            rows.append(RestructuringOrg(restructuring=event, org=org, role=role))
    RestructuringOrg.objects.bulk_create(rows)
    return event


def _new_period(
    org: Organization,
    *,
    parent_period: OrgPeriod | None,
    name: str,
    kind: OrgKind,
    category: CellCategory | None,
    on: dt.date,
    event: Restructuring,
    valid_to: dt.date | None = None,
) -> OrgPeriod:
    path = (parent_period.path if parent_period else "") + segment(org.pk)
    name = nfc(name)
    return OrgPeriod(
        org=org,
        parent=parent_period.org if parent_period else None,
        name=name,
        search_key=fold(name),
        sort_key=sort_key(name),
        kind=kind,
        category=category,
        path=path,
        depth=len(path) // 9,
        valid_from=on,
        valid_to=valid_to,
        opened_by=event,
    )


def _close(periods: list[OrgPeriod], on: dt.date, event: Restructuring, actor: Any) -> None:
    for p in periods:
        p.valid_to = on
        p.closed_by = event
    if periods:
        bulk_update_with_history(
            periods,
            OrgPeriod,
            ["valid_to", "closed_by"],
            default_user=actor,
            default_change_reason=event.summary[:100],
        )


def _create(periods: list[OrgPeriod], event: Restructuring, actor: Any) -> None:
    if periods:
        bulk_create_with_history(
            periods, OrgPeriod, default_user=actor, default_change_reason=event.summary[:100]
        )


def _set_current_paths(paths: Mapping[int, str]) -> None:
    """Organization.current_path follows the latest period (excluded from history: it is derived)."""
    for org_id, path in paths.items():
        Organization.objects.filter(pk=org_id).update(current_path=path)


def _bump(org: Organization, actor: Any, reason: str, **changes: Any) -> None:
    """Record a change of `org` (its version goes up). Only the named fields are written: `current_path` is kept
    by `_set_current_paths` and an instance loaded earlier must not write back a stale one."""
    for key, value in changes.items():
        setattr(org, key, value)
    org.version += 1
    stamp(org, actor, reason).save(update_fields=[*changes, "version"])


def _open_subtree(root: OrgPeriod, on: dt.date) -> list[OrgPeriod]:
    """The open periods of `root` and everything under it; refuses if anything under it changed after `on`."""
    under = OrgPeriod.objects.filter(**prefix_range("path", root.path))
    late = under.filter(Q(valid_from__gt=on) | Q(valid_to__gt=on)).select_related("org").first()
    if late is not None:
        raise DomainError(
            f"{late.name} ({late.org.code}), thuộc {root.name}, đã có thay đổi ghi nhận sau ngày {format_date(on)}; "
            "các thay đổi phải ghi theo thứ tự thời gian: hãy chọn ngày muộn hơn.",
            field="on",
            rule=rules.CHRONOLOGY,
        )
    return list(under.filter(valid_to__isnull=True).select_related("kind", "category").order_by("path"))


def _reparent(
    actor: Any,
    root: OrgPeriod,
    new_parent: OrgPeriod | None,
    on: dt.date,
    event: Restructuring,
) -> list[OrgPeriod]:
    """Close the open periods of `root`'s subtree at `on` and open them again under `new_parent` (the root may
    also get a new name, kind or category). Returns the new periods, root first."""
    subtree = _open_subtree(root, on)
    old_prefix_len = len(root.path) - 9
    new_prefix = new_parent.path if new_parent else ""
    _close(subtree, on, event, actor)
    fresh = []
    for p in subtree:
        is_root = p.pk == root.pk
        path = new_prefix + p.path[old_prefix_len:]
        fresh.append(
            OrgPeriod(
                org_id=p.org_id,
                parent_id=(new_parent.org_id if new_parent else None) if is_root else p.parent_id,
                name=p.name,
                search_key=p.search_key,
                sort_key=p.sort_key,
                kind=p.kind,
                category=p.category,
                path=path,
                depth=len(path) // 9,
                valid_from=on,
                opened_by=event,
            )
        )
    _create(fresh, event, actor)
    _set_current_paths({p.org_id: p.path for p in fresh})
    return fresh


def _check_no_cycle(org_period: OrgPeriod, new_parent: OrgPeriod | None) -> None:
    if new_parent is not None and new_parent.path.startswith(org_period.path):
        raise DomainError(
            f"Không thể đặt {org_period.name} dưới {new_parent.name}: {new_parent.name} là chính nó hoặc thuộc "
            "cấp dưới của nó. Hãy chọn một tổ chức cấp trên khác.",
            field="parent",
            rule=rules.CYCLE,
        )


def _children(org_period: OrgPeriod) -> list[OrgPeriod]:
    return list(
        OrgPeriod.objects.filter(parent_id=org_period.org_id, valid_to__isnull=True)
        .select_related("org", "kind")
        .order_by("sort_key")
    )


def _check_child_keys(child_moves: Mapping[int, Destination] | None, parents: list[OrgPeriod]) -> None:
    """Every organization named in `child_moves` must be a child of one of `parents` (else the user mistyped)."""
    if not child_moves:
        return
    ids = set(
        OrgPeriod.objects.filter(
            parent_id__in=[p.org_id for p in parents], valid_to__isnull=True
        ).values_list("org_id", flat=True)
    )
    strangers = [k for k in child_moves if k not in ids]
    if strangers:
        codes = ", ".join(
            Organization.objects.filter(pk__in=strangers).values_list("code", flat=True)
        ) or str(strangers)
        raise DomainError(
            f"{codes} không phải tổ chức cấp dưới của tổ chức đang thay đổi; hãy bỏ khỏi danh sách chuyển.",
            field="children",
            rule=rules.CHILDREN,
        )


def _dispose_children(
    actor: Any,
    org_period: OrgPeriod,
    on: dt.date,
    event: Restructuring,
    child_moves: Mapping[int, Destination] | None,
    *,
    allow_stay: bool = False,
    named: Mapping[str, Organization] | None = None,
) -> list[tuple[Organization, str]]:
    """Move or dissolve every child of `org_period` as `child_moves` says (org id → new parent, DISSOLVE, or a
    name from `named` such as TARGET or "part:0")."""
    child_moves = child_moves or {}
    named = named or {}
    children = [c for c in _children(org_period) if c.valid_from <= on]
    missing = [c for c in children if c.org_id not in child_moves]
    if missing and not allow_stay:
        names = ", ".join(f"{c.name} ({c.org.code})" for c in missing[:10])
        more = f" và {len(missing) - 10} tổ chức khác" if len(missing) > 10 else ""
        raise DomainError(
            f"{org_period.name} còn {len(missing)} tổ chức cấp dưới chưa được chỉ định nơi chuyển đến: "
            f"{names}{more}. Hãy chọn cho mỗi tổ chức nơi chuyển đến hoặc chọn giải thể cùng.",
            field="children",
            rule=rules.CHILDREN,
        )
    links: list[tuple[Organization, str]] = []
    for child in children:
        if child.org_id not in child_moves:
            continue
        target = child_moves[child.org_id]
        if isinstance(target, str):
            if target not in named:
                raise DomainError(
                    f"Nơi chuyển đến “{target}” của {child.name} không hợp lệ; hãy chọn lại.",
                    field="children",
                    rule=rules.CHILDREN,
                )
            target = named[target]
        links.append((child.org, RestructuringOrg.Role.CHILD))
        if target is DISSOLVE:
            _dissolve_subtree(actor, child, on, event)
            continue
        target_period = _parent_period(target, on, "children")
        _check_scope(actor, target.current_path)
        _check_no_cycle(child, target_period)
        if target_period is not None and target_period.path.startswith(org_period.path):
            raise DomainError(
                f"Không thể chuyển {child.name} vào {target_period.name} vì {target_period.name} cũng thuộc "
                f"{org_period.name}; hãy chọn tổ chức ở ngoài.",
                field="children",
                rule=rules.CHILDREN,
            )
        rules.check_placement(child.kind, target_period.kind if target_period else None, on, field="children")
        _reparent(actor, child, target_period, on, event)
        _bump(child.org, actor, event.summary[:100])
    return links


def _dissolve_subtree(actor: Any, root: OrgPeriod, on: dt.date, event: Restructuring) -> None:
    subtree = _open_subtree(root, on)
    _close(subtree, on, event, actor)
    for p in subtree:
        org = Organization.objects.get(pk=p.org_id)
        _bump(org, actor, event.summary[:100], dissolved_on=on)


# --------------------------------------------------------------------------------------------- operations


def _validate_new(spec: NewOrg, on: dt.date, prefix: str = "") -> OrgPeriod | None:
    code = nfc(spec.code).upper()
    if not code:
        raise DomainError("Hãy nhập mã tổ chức.", field=prefix + "code")
    if len(code) > 40:
        raise DomainError("Mã tổ chức dài tối đa 40 ký tự.", field=prefix + "code")
    if Organization.objects.filter(code__iexact=code).exists():
        raise DomainError(
            f"Mã tổ chức {code} đã được dùng; hãy chọn mã khác.",
            field=prefix + "code",
            rule=rules.UNIQUE_CODE,
        )
    if not nfc(spec.name):
        raise DomainError("Hãy nhập tên tổ chức.", field=prefix + "name")
    if spec.kind is None:
        raise DomainError("Hãy chọn loại tổ chức.", field=prefix + "kind")
    parent_period = _parent_period(spec.parent, on, prefix + "parent")
    rules.check_placement(
        spec.kind, parent_period.kind if parent_period else None, on, field=prefix + "parent"
    )
    return parent_period


def _create_org(
    actor: Any, spec: NewOrg, on: dt.date, event: Restructuring, parent_period: OrgPeriod | None
) -> Organization:
    org = Organization(code=nfc(spec.code).upper(), established_on=on)
    stamp(org, actor, event.summary[:100]).save()
    period = _new_period(
        org,
        parent_period=parent_period,
        name=spec.name,
        kind=spec.kind,
        category=spec.category,
        on=on,
        event=event,
    )
    _create([period], event, actor)
    _set_current_paths({org.pk: period.path})
    org.current_path = period.path
    _check_scope(actor, period.path)
    return org


@transaction.atomic
def establish(actor: Any, spec: NewOrg, *, on: dt.date, decision: DecisionInput | Decision) -> Result:
    """Thành lập: a new organization under `spec.parent` (or at the top) from `on`."""
    on = _require_date(on)
    if spec.parent is not None:
        _check_scope(actor, spec.parent.current_path)
    elif actor is not None and not actor.is_superuser:
        raise DomainError(
            "Chỉ quản trị toàn hệ thống được thành lập tổ chức cấp cao nhất; hãy chọn tổ chức cấp trên.",
            field="parent",
        )
    parent_period = _validate_new(spec, on)
    summary = f"Thành lập {nfc(spec.name)} ({nfc(spec.code).upper()})"
    if parent_period:
        summary += f" trực thuộc {parent_period.name}"
    event = _event(actor, Restructuring.Op.ESTABLISH, on, None, summary, [])
    org = _create_org(actor, spec, on, event, parent_period)
    event.decision = _decision(actor, decision, org, on)
    event.save(update_fields=["decision"])
    RestructuringOrg.objects.create(restructuring=event, org=org, role=RestructuringOrg.Role.SUBJECT)
    if spec.parent:
        RestructuringOrg.objects.create(
            restructuring=event, org=spec.parent, role=RestructuringOrg.Role.PARENT
        )
    return Result(event, [org])


@transaction.atomic
def rename(
    actor: Any,
    org: Organization,
    *,
    on: dt.date,
    decision: DecisionInput | Decision,
    name: str | None = None,
    kind: OrgKind | None = None,
    category: CellCategory | None | _Keep = KEEP,
    expected_versions: Mapping[int, int] | None = None,
) -> Result:
    """Đổi tên / đổi loại: a new period with another name, kind or category (pass category=None to clear it)."""
    on = _require_date(on)
    org = Organization.objects.select_for_update().get(pk=org.pk)
    _check_scope(actor, org.current_path)
    _check_version(org, expected_versions)
    current = _alive_period(org, on)
    new_name = nfc(name) if name else current.name
    new_kind = kind or current.kind
    new_category = current.category if isinstance(category, _Keep) else category
    if (new_name, new_kind.pk, getattr(new_category, "pk", None)) == (
        current.name,
        current.kind_id,
        current.category_id,
    ):
        raise DomainError(
            "Tên, loại và phân loại đều không đổi; hãy nhập tên mới hoặc chọn loại mới.", field="name"
        )
    if new_kind != current.kind:
        parent_period = _parent_now(current, on)
        rules.check_placement(new_kind, parent_period.kind if parent_period else None, on, field="kind")
        for child in _children(current):
            rules.check_placement(child.kind, new_kind, on, field="kind")
    parts = []
    if new_name != current.name:
        parts.append(f"đổi tên {current.name} thành {new_name}")
    if new_kind != current.kind:
        parts.append(f"đổi loại {current.kind.name} thành {new_kind.name}")
    if getattr(new_category, "pk", None) != current.category_id:
        parts.append(f"phân loại: {new_category.name if new_category else 'không'}")
    text = "; ".join(parts)
    summary = text[:1].upper() + text[1:] + f" ({org.code})"
    event = _event(
        actor,
        Restructuring.Op.RENAME,
        on,
        _decision(actor, decision, org, on),
        summary,
        [(org, RestructuringOrg.Role.SUBJECT)],
        {
            "before": {
                "name": current.name,
                "kind": current.kind.name,
                "category": current.category.name if current.category else None,
            },
            "after": {
                "name": new_name,
                "kind": new_kind.name,
                "category": new_category.name if new_category else None,
            },
        },
    )
    _close([current], on, event, actor)
    _create(
        [
            _new_period(
                org,
                parent_period=_parent_now(current, on),
                name=new_name,
                kind=new_kind,
                category=new_category,
                on=on,
                event=event,
            )
        ],
        event,
        actor,
    )
    _bump(org, actor, summary[:100])
    return Result(event, [org])


@transaction.atomic
def move(
    actor: Any,
    org: Organization,
    *,
    new_parent: Organization | None,
    on: dt.date,
    decision: DecisionInput | Decision,
    expected_versions: Mapping[int, int] | None = None,
) -> Result:
    """Chuyển trực thuộc: `org` and its whole subtree go under `new_parent` from `on`."""
    on = _require_date(on)
    org = Organization.objects.select_for_update().get(pk=org.pk)
    _check_scope(actor, org.current_path)
    _check_version(org, expected_versions)
    current = _alive_period(org, on)
    if new_parent is None and actor is not None and not actor.is_superuser:
        raise DomainError("Hãy chọn tổ chức cấp trên mới.", field="parent")
    if new_parent is not None:
        _check_scope(actor, new_parent.current_path)
    if new_parent is not None and new_parent.pk == current.parent_id:
        raise DomainError(
            f"{current.name} đang trực thuộc tổ chức này; hãy chọn tổ chức cấp trên khác.", field="parent"
        )
    parent_period = _parent_period(new_parent, on)
    _check_no_cycle(current, parent_period)
    rules.check_placement(current.kind, parent_period.kind if parent_period else None, on)
    old_parent = _parent_now(current, on)
    old_parent_name = old_parent.name if old_parent else "cấp cao nhất"
    summary = (
        f"Chuyển {current.name} ({org.code}) từ {old_parent_name} sang "
        f"{parent_period.name if parent_period else 'cấp cao nhất'}"
    )
    links = [(org, RestructuringOrg.Role.SUBJECT)]
    if current.parent_id:
        links.append((current.parent, RestructuringOrg.Role.SOURCE))  # type: ignore[arg-type]
    if new_parent:
        links.append((new_parent, RestructuringOrg.Role.TARGET))
    event = _event(actor, Restructuring.Op.MOVE, on, _decision(actor, decision, org, on), summary, links)
    fresh = _reparent(actor, current, parent_period, on, event)
    _bump(org, actor, summary[:100])
    _check_scope(actor, fresh[0].path)
    return Result(event, [org])


@transaction.atomic
def dissolve(
    actor: Any,
    org: Organization,
    *,
    on: dt.date,
    decision: DecisionInput | Decision,
    child_moves: Mapping[int, Destination] | None = None,
    expected_versions: Mapping[int, int] | None = None,
) -> Result:
    """Giải thể: `org` ends on `on` (exclusive); each child is moved or dissolved as `child_moves` says."""
    on = _require_date(on)
    org = Organization.objects.select_for_update().get(pk=org.pk)
    _check_scope(actor, org.current_path)
    _check_version(org, expected_versions)
    current = _alive_period(org, on)
    if on == org.established_on:
        raise DomainError(
            f"{current.name} thành lập đúng ngày {format_date(on)}; ngày giải thể phải sau ngày thành lập.",
            field="on",
            rule=rules.EXISTS,
        )
    _check_child_keys(child_moves, [current])
    summary = f"Giải thể {current.name} ({org.code})"
    links = [(org, RestructuringOrg.Role.SUBJECT)]
    if current.parent_id:
        links.append((current.parent, RestructuringOrg.Role.PARENT))  # type: ignore[arg-type]
    event = _event(actor, Restructuring.Op.DISSOLVE, on, _decision(actor, decision, org, on), summary, links)
    child_links = _dispose_children(actor, current, on, event, child_moves)
    RestructuringOrg.objects.bulk_create(
        [RestructuringOrg(restructuring=event, org=o, role=r) for o, r in child_links], ignore_conflicts=True
    )
    _close([current], on, event, actor)
    _bump(org, actor, summary[:100], dissolved_on=on)
    return Result(event, [org])


@transaction.atomic
def merge(
    actor: Any,
    sources: list[Organization],
    *,
    on: dt.date,
    decision: DecisionInput | Decision,
    into: Organization | None = None,
    new: NewOrg | None = None,
    child_moves: Mapping[int, Destination] | None = None,
    expected_versions: Mapping[int, int] | None = None,
) -> Result:
    """Hợp nhất / sáp nhập: the sources end on `on`; either into an existing `into` (A into B) or into a `new`
    organization established on `on` (A and B into C). Children go where `child_moves` says (usually the
    target); a child left unmapped refuses the whole merge."""
    on = _require_date(on)
    if (into is None) == (new is None):
        raise DomainError(
            "Hãy chọn hợp nhất vào một tổ chức có sẵn hoặc thành lập tổ chức mới (chỉ một trong hai).",
            field="target",
        )
    sources = [Organization.objects.select_for_update().get(pk=s.pk) for s in sources]
    if not sources:
        raise DomainError("Hãy chọn ít nhất một tổ chức được hợp nhất.", field="sources")
    if len({s.pk for s in sources}) != len(sources):
        raise DomainError("Một tổ chức được chọn hai lần; hãy bỏ bớt.", field="sources")
    if new is not None and len(sources) < 2:
        raise DomainError(
            "Hợp nhất thành tổ chức mới cần ít nhất hai tổ chức; hãy chọn thêm tổ chức.", field="sources"
        )
    periods = []
    for s in sources:
        _check_scope(actor, s.current_path)
        _check_version(s, expected_versions)
        periods.append(_alive_period(s, on, field_name="sources"))
    if into is not None:
        if into.pk in {s.pk for s in sources}:
            raise DomainError(
                "Tổ chức nhận sáp nhập không thể đồng thời là tổ chức bị sáp nhập.", field="target"
            )
        _check_scope(actor, into.current_path)
        target_period = _alive_period(
            Organization.objects.select_for_update().get(pk=into.pk), on, field_name="target"
        )
        for p in periods:
            if target_period.path.startswith(p.path):
                raise DomainError(
                    f"{target_period.name} thuộc {p.name}; hãy chọn tổ chức nhận ở ngoài.",
                    field="target",
                    rule=rules.CYCLE,
                )
        target = into
    else:
        assert new is not None
        if new.parent is not None:
            _check_scope(actor, new.parent.current_path)
        parent_period = _validate_new(new, on, prefix="new_")
        for p in periods:
            if parent_period is not None and parent_period.path.startswith(p.path):
                raise DomainError(
                    f"Tổ chức cấp trên của tổ chức mới không thể thuộc {p.name}.",
                    field="new_parent",
                    rule=rules.CYCLE,
                )
    names = ", ".join(p.name for p in periods)
    target_name = target_period.name if into is not None else nfc(new.name)  # type: ignore[union-attr]
    _check_child_keys(child_moves, periods)
    summary = f"Hợp nhất {names} vào {target_name}"
    event = _event(
        actor, Restructuring.Op.MERGE, on, None, summary, [(s, RestructuringOrg.Role.SOURCE) for s in sources]
    )
    if new is not None:
        target = _create_org(actor, new, on, event, parent_period)
    event.decision = _decision(actor, decision, target, on)
    event.payload = {"sources": [s.code for s in sources], "target": target.code, "new": new is not None}
    event.save(update_fields=["decision", "payload"])
    RestructuringOrg.objects.create(restructuring=event, org=target, role=RestructuringOrg.Role.TARGET)
    for s, p in zip(sources, periods, strict=True):
        for o, r in _dispose_children(actor, p, on, event, child_moves, named={TARGET: target}):
            RestructuringOrg.objects.get_or_create(restructuring=event, org=o, role=r)
        _close([p], on, event, actor)
        _bump(s, actor, summary[:100], dissolved_on=on)
    return Result(event, [target])


@transaction.atomic
def split(
    actor: Any,
    org: Organization,
    *,
    on: dt.date,
    decision: DecisionInput | Decision,
    parts: list[NewOrg],
    child_moves: Mapping[int, Destination] | None = None,
    keep_source: bool = False,
    expected_versions: Mapping[int, int] | None = None,
) -> Result:
    """Chia tách: new organizations are established from `org` on `on`. Unless `keep_source`, `org` is dissolved
    and every child must be given a destination; with `keep_source`, unmapped children stay."""
    on = _require_date(on)
    org = Organization.objects.select_for_update().get(pk=org.pk)
    _check_scope(actor, org.current_path)
    _check_version(org, expected_versions)
    current = _alive_period(org, on)
    if not parts:
        raise DomainError("Hãy nhập ít nhất một tổ chức mới được tách ra.", field="parts")
    if not keep_source and len(parts) < 2:
        raise DomainError(
            "Chia tách (giải thể tổ chức cũ) cần ít nhất hai tổ chức mới; nếu chỉ tách một phần, "
            "hãy chọn giữ lại tổ chức cũ.",
            field="parts",
        )
    codes = [nfc(p.code).upper() for p in parts]
    if len(set(codes)) != len(codes):
        raise DomainError("Các tổ chức mới phải có mã khác nhau.", field="parts", rule=rules.UNIQUE_CODE)
    parent_periods = []
    for i, spec in enumerate(parts):
        if spec.parent is None:
            spec.parent = current.parent
        if spec.parent is not None:
            _check_scope(actor, spec.parent.current_path)
        pp = _validate_new(spec, on, prefix=f"parts-{i}-")
        if pp is not None and pp.path.startswith(current.path) and not keep_source:
            raise DomainError(
                f"Tổ chức mới {spec.name} không thể trực thuộc {current.name} đang bị giải thể.",
                field=f"parts-{i}-parent",
                rule=rules.CYCLE,
            )
        parent_periods.append(pp)
    _check_child_keys(child_moves, [current])
    summary = f"Chia tách {current.name} ({org.code}) thành " + ", ".join(nfc(p.name) for p in parts)
    if keep_source:
        summary = f"Tách từ {current.name} ({org.code}): " + ", ".join(nfc(p.name) for p in parts)
    event = _event(
        actor,
        Restructuring.Op.SPLIT,
        on,
        _decision(actor, decision, org, on),
        summary,
        [(org, RestructuringOrg.Role.SOURCE)],
    )
    created = [
        _create_org(actor, spec, on, event, pp) for spec, pp in zip(parts, parent_periods, strict=True)
    ]
    RestructuringOrg.objects.bulk_create(
        [RestructuringOrg(restructuring=event, org=o, role=RestructuringOrg.Role.TARGET) for o in created]
    )
    event.payload = {"source": org.code, "parts": [o.code for o in created], "keep_source": keep_source}
    event.save(update_fields=["payload"])
    named = {f"part:{i}": o for i, o in enumerate(created)}
    for o, r in _dispose_children(
        actor, current, on, event, child_moves, allow_stay=keep_source, named=named
    ):
        RestructuringOrg.objects.get_or_create(restructuring=event, org=o, role=r)
    if not keep_source:
        _close([current], on, event, actor)
        _bump(org, actor, summary[:100], dissolved_on=on)
    else:
        _bump(org, actor, summary[:100])
    return Result(event, created)


def find_org(code: str) -> Organization | None:
    return Organization.objects.filter(code__iexact=nfc(code)).first()


# ------------------------------------------------------------------------------------------ vocabularies


def _require_global(actor: Any) -> None:
    if actor is not None and not actor.is_superuser:
        raise DomainError("Chỉ quản trị toàn hệ thống được sửa danh mục dùng chung.")


@transaction.atomic
def save_vocabulary(
    actor: Any, model: type[OrgKind] | type[CellCategory], instance: Any | None, **values: Any
) -> Any:
    """Add or change a kind or a category. Names are unique; the code is made from the name once, then kept."""
    _require_global(actor)
    name = nfc(values.pop("name", ""))
    if not name:
        raise DomainError("Hãy nhập tên.", field="name")
    clash = model.objects.filter(name__iexact=name)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise DomainError(f"Đã có “{name}” trong danh mục; hãy chọn tên khác.", field="name")
    obj = instance or model()
    if instance is None:
        base = fold(name).replace(",", " ").replace(" ", "_")[:36] or "muc"
        code, i = base, 1
        while model.objects.filter(code=code).exists():
            i += 1
            code = f"{base}_{i}"
        obj.code = code
    obj.name = name
    for key, value in values.items():
        setattr(obj, key, value)
    stamp(obj, actor, "Sửa danh mục" if instance else "Thêm vào danh mục").save()
    transaction.on_commit(lambda: cache.delete(queries.VOCABULARY_KEY))
    return obj
