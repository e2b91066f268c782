"""Reads of the organization tree, always as of a date and always scoped.

Every function takes the user (whose grants narrow the result through `coso.core.scope.restrict`) and an
`as_of` date. Subtree reads are one indexed range query on the period path.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from coso.core.dates import active_on
from coso.core.fields import prefix_range
from coso.core.scope import VIEW, get_scoped, restrict, scope_for
from coso.core.text import fold

from .models import SEGMENT, CellCategory, Decision, Organization, OrgKind, OrgPeriod, Restructuring


def orgs(user: Any, permission: str = VIEW) -> QuerySet[Organization]:
    return restrict(Organization.objects.all(), user, permission)


def get_org(user: Any, code: str, permission: str = VIEW) -> Organization:
    """One organization by code, in the user's scope, else 404."""
    return get_scoped(Organization.objects.all(), user, permission, code__iexact=code)


def periods(user: Any, as_of: dt.date, within: str | None = None) -> QuerySet[OrgPeriod]:
    """The placements of every organization in scope that exists on `as_of` (under the path `within`)."""
    qs = OrgPeriod.objects.filter(active_on(as_of))
    if within is not None:
        qs = qs.filter(**prefix_range("path", within))
    return restrict(qs, user, within=within).order_by()


def period_of(org: Organization, as_of: dt.date) -> OrgPeriod | None:
    """The organization as it stood on `as_of` (None if it did not exist then)."""
    return org.periods.filter(active_on(as_of)).select_related("kind", "category", "parent").first()


def last_period(org: Organization) -> OrgPeriod | None:
    return org.periods.select_related("kind", "category", "parent").order_by("-valid_from", "-id").first()


def display_period(org: Organization, as_of: dt.date) -> OrgPeriod | None:
    """What to show for `org` on `as_of`: its period then, or its last one if it no longer exists."""
    return period_of(org, as_of) or last_period(org)


def subtree(
    user: Any, org: Organization, as_of: dt.date, *, include_self: bool = True
) -> QuerySet[OrgPeriod]:
    """Everything under `org` as it stood on `as_of` (empty if `org` did not exist then)."""
    root = org.periods.filter(active_on(as_of)).values_list("path", "depth").first()
    if root is None:
        return OrgPeriod.objects.none()
    path, depth = root
    qs = periods(user, as_of, within=path)
    if not include_self:
        qs = qs.filter(depth__gt=depth)
    return qs


# ------------------------------------------------------------------------------------------------- the tree


@dataclass
class Node:
    period: OrgPeriod
    descendants: int = 0
    grassroots: int = 0
    cells: int = 0
    children: int = 0
    loaded: list[Node] | None = None  # children already fetched (the tree opens a lone root)

    @property
    def org(self) -> Organization:
        return self.period.org


def roots(user: Any, as_of: dt.date) -> QuerySet[OrgPeriod]:
    """The top of the tree the user sees on `as_of`: in scope, with a parent that is not (or none)."""
    scope = scope_for(user)
    qs = periods(user, as_of)
    if scope.is_global:
        return qs.filter(parent__isnull=True)
    return qs.filter(Q(parent__isnull=True) | ~scope.q("parent__current_path"))


def children_of(user: Any, org: Organization, as_of: dt.date) -> QuerySet[OrgPeriod]:
    return periods(user, as_of).filter(parent=org)


def nodes(user: Any, qs: QuerySet[OrgPeriod], as_of: dt.date) -> list[Node]:
    """Periods with the counts of what lies under each (grassroots organizations, cells, all), in 1-2 queries."""
    items = [Node(p) for p in qs.select_related("org", "kind", "category").order_by("sort_key", "id")]
    if not items:
        return items
    by_path = {n.period.path: n for n in items}
    for length in sorted({len(p) for p in by_path}):
        group = [p for p in by_path if len(p) == length]
        cond = Q()
        for path in group:
            cond |= Q(**prefix_range("path", path))
        rows = (
            periods(user, as_of)
            .filter(cond)
            .filter(depth__gt=length // SEGMENT)
            .annotate(head=Substr("path", 1, length))
            .values("head")
            .annotate(
                total=Count("id"),
                grassroots=Count("id", filter=Q(kind__is_grassroots=True)),
                cells=Count("id", filter=Q(kind__is_cell=True, kind__is_grassroots=False)),
                direct=Count("id", filter=Q(depth=length // SEGMENT + 1)),
            )
        )
        for row in rows:
            node = by_path.get(row["head"])
            if node:
                node.descendants, node.grassroots, node.cells = row["total"], row["grassroots"], row["cells"]
                node.children = row["direct"]
    return items


def ancestors(org: Organization, as_of: dt.date) -> list[OrgPeriod]:
    """The chain from the top down to (not including) `org` on `as_of`: the breadcrumb."""
    p = period_of(org, as_of)
    if p is None:
        return []
    ids = [int(s) for s in p.path.strip("/").split("/")[:-1]]
    found = {x.org_id: x for x in OrgPeriod.objects.filter(active_on(as_of), org_id__in=ids)}
    return [found[i] for i in ids if i in found]


# ------------------------------------------------------------------------------------------------ the list


def search(
    user: Any,
    as_of: dt.date,
    *,
    q: str = "",
    kind: OrgKind | None = None,
    category: CellCategory | None = None,
    under: Organization | None = None,
) -> QuerySet[OrgPeriod]:
    """The searchable list: accent-insensitive on name (or code), in Vietnamese order."""
    qs = periods(user, as_of) if under is None else subtree(user, under, as_of)
    if q:
        folded = fold(q)
        qs = qs.filter(Q(search_key__contains=folded) | Q(org__code__icontains=q.strip()))
    if kind is not None:
        qs = qs.filter(kind=kind)
    if category is not None:
        qs = qs.filter(category=category)
    return qs.select_related("org", "kind", "category", "parent").order_by("sort_key", "id")


def parent_names(items: list[OrgPeriod], as_of: dt.date) -> dict[int, str]:
    """The names of the parents of `items` on `as_of`, in one query."""
    ids = {p.parent_id for p in items if p.parent_id}
    return dict(OrgPeriod.objects.filter(active_on(as_of), org_id__in=ids).values_list("org_id", "name"))


# ------------------------------------------------------------------------------------------ the structure


@dataclass
class StructureReport:
    org: Organization
    as_of: dt.date
    period: OrgPeriod | None
    grassroots_total: int = 0
    cells_total: int = 0
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, dict[str, int]] = field(default_factory=dict)
    grassroots_by_kind: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "org": self.org.code,
            "org_name": self.period.name if self.period else None,
            "as_of": self.as_of.isoformat(),
            "exists": self.period is not None,
            "grassroots_total": self.grassroots_total,
            "cells_total": self.cells_total,
            "total": self.total,
            "by_kind": self.by_kind,
            "by_category": self.by_category,
        }


def structure_counts(user: Any, root: OrgPeriod, as_of: dt.date) -> list[Any]:
    """(kind_id, category_id, n) for everything under `root` on `as_of`, the root excluded: one grouped query."""
    return list(
        periods(user, as_of, within=root.path)
        .filter(depth__gt=root.depth)
        .values("kind_id", "category_id")
        .annotate(n=Count("id"))
        .order_by()
    )


VOCABULARY_KEY = "coso:orgs:vocabulary"


def vocabulary(*, fresh: bool = False) -> tuple[dict[int, tuple[str, bool, bool, int]], dict[int, str]]:
    """Kinds (name, is_grassroots, is_cell, order) and category names by id, for reports.

    Cached for 30 seconds per process (reports are read far more often than the vocabularies change);
    `services.save_vocabulary` clears this process's copy at once."""
    cached = None if fresh else cache.get(VOCABULARY_KEY)
    if cached is None:
        kinds = {
            pk: (name, grassroots, cell, order)
            for pk, name, grassroots, cell, order in OrgKind.objects.values_list(
                "pk", "name", "is_grassroots", "is_cell", "order"
            ).order_by()
        }
        categories = dict(CellCategory.objects.values_list("pk", "name").order_by())
        cached = (kinds, categories)
        cache.set(VOCABULARY_KEY, cached, 30)
    return cached


def structure(user: Any, org: Organization, as_of: dt.date) -> StructureReport:
    """Counts of grassroots organizations and of cells by kind and category under `org` on `as_of`."""
    root = org.periods.filter(active_on(as_of)).first()
    report = StructureReport(org=org, as_of=as_of, period=root)
    if root is None:
        return report
    rows = structure_counts(user, root, as_of)
    if not rows:
        return report
    kinds, categories = vocabulary()
    if any(
        r["kind_id"] not in kinds or (r["category_id"] and r["category_id"] not in categories) for r in rows
    ):
        kinds, categories = vocabulary(fresh=True)  # added in another process since it was cached
    by_kind: dict[str, int] = defaultdict(int)
    by_category: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        name, grassroots, cell, _order = kinds[row["kind_id"]]
        n = row["n"]
        report.total += n
        by_kind[name] += n
        by_category[name][categories.get(row["category_id"], "Chưa phân loại")] += n
        if grassroots:
            report.grassroots_total += n
        if cell and not grassroots:
            report.cells_total += n
    order = {name: (o, name) for name, _g, _c, o in kinds.values()}
    report.by_kind = {k: by_kind[k] for k in sorted(by_kind, key=lambda name: order[name])}
    report.by_category = {
        k: dict(sorted(by_category[k].items())) for k in sorted(by_category, key=lambda name: order[name])
    }
    return report


# --------------------------------------------------------------------------------------- decisions, events


def decisions(user: Any) -> QuerySet[Decision]:
    return restrict(Decision.objects.all(), user)


def restructurings(user: Any) -> QuerySet[Restructuring]:
    return restrict(Restructuring.objects.all(), user).select_related("decision", "created_by")


def events_of(org: Organization, *, own: bool = False) -> QuerySet[Restructuring]:
    """Restructurings that touched `org`; with `own`, only those where it was the subject, a source, a target
    or a moved child (not, say, the establishment of its own children)."""
    links = Q(links__org=org)
    if own:
        links &= Q(links__role__in=["subject", "source", "target", "child"])
    return (
        Restructuring.objects.filter(links)
        .distinct()
        .select_related("decision", "created_by")
        .order_by("-on", "-id")
    )
