"""Reads of the organization tree, always as of a date.

**The organization through time** (the first section) is the one public way into `OrgPeriod`: nothing outside
`coso.orgs` reads that model or its table. Its one fallback rule, for naming and showing an organization on a
date D (`nearest_period`, `name_on`, `names_on`, `labels_on`): the period in force on D; when the organization
did not exist that day, the nearest one in time — its last period begun on or before D (dissolved, or gone from
the tree, since), else its first (established after D). Periods left empty by two operations on the same day are
never shown. Checks and counts use the strict reads (`period_on`, `path_on`: None when it did not exist on D).

Lists for a user (the later sections) take the user, whose grants narrow the result through
`coso.core.scope.restrict`, and an `as_of` date; the unscoped `placements*` reads are for services, importers and
report statements that confine their rows by their own rules. Subtree reads are one indexed range query on the
period path.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr

from coso.core import sql
from coso.core.dates import active_on
from coso.core.fields import prefix_range
from coso.core.scope import VIEW, get_scoped, restrict, scope_for
from coso.core.text import nfc

from .models import SEGMENT, CellCategory, Decision, Organization, OrgKind, OrgPeriod, Restructuring


def orgs(user: Any, permission: str = VIEW) -> QuerySet[Organization]:
    return restrict(Organization.objects.all(), user, permission)


def get_org(user: Any, code: str, permission: str = VIEW) -> Organization:
    """One organization by code, in the user's scope, else 404."""
    return get_scoped(Organization.objects.all(), user, permission, code__iexact=code)


# ------------------------------------------------------------------------------ the organization through time

Period = OrgPeriod  # the public name of a placement period in the other apps' annotations


def period_on(org: Organization | int, as_of: dt.date) -> OrgPeriod | None:
    """The organization as it stood on `as_of` (with its kind, category and parent), None if it did not exist
    then."""
    return (
        OrgPeriod.objects.filter(active_on(as_of), org=org)
        .select_related("kind", "category", "parent")
        .first()
    )


def path_on(org: Organization | int, as_of: dt.date) -> str | None:
    """The organization's path on `as_of`, None if it did not exist then."""
    return OrgPeriod.objects.filter(active_on(as_of), org=org).values_list("path", flat=True).first()


def _empty(valid_from: dt.date, valid_to: dt.date | None) -> bool:
    return valid_to is not None and valid_to <= valid_from


def nearest(rows: Sequence[Any], as_of: dt.date) -> Any:
    """The fallback rule (module docstring) over one organization's periods in order of (valid_from, id); each
    row has `valid_from` and `valid_to` (attributes or the items 0 and 1 of a tuple)."""

    def dates(row: Any) -> tuple[dt.date, dt.date | None]:
        return (row[0], row[1]) if isinstance(row, tuple) else (row.valid_from, row.valid_to)

    shown = [r for r in rows if not _empty(*dates(r))]
    for row in reversed(shown):
        start, end = dates(row)
        if start <= as_of and (end is None or as_of < end):
            return row
    before = [r for r in shown if dates(r)[0] <= as_of]
    if before:
        return before[-1]
    return shown[0] if shown else None


def periods_of(org: Organization | int) -> list[OrgPeriod]:
    """Every period of the organization, oldest first, with its kind, category and parent (its life, as the
    organization's page shows it, or for checks over many dates)."""
    return list(
        OrgPeriod.objects.filter(org=org)
        .select_related("kind", "category", "parent")
        .order_by("valid_from", "id")
    )


def all_periods(org_ids: Iterable[int]) -> QuerySet[OrgPeriod]:
    """Every period of these organizations (any date), oldest first per organization, unscoped (importers check
    a file's dates against them)."""
    return OrgPeriod.objects.filter(org_id__in=org_ids).order_by("org_id", "valid_from", "id")


def nearest_period(org: Organization | int, as_of: dt.date) -> OrgPeriod | None:
    """The period to show the organization by on `as_of`, by the fallback rule (module docstring)."""
    return nearest(periods_of(org), as_of)  # type: ignore[no-any-return]


def last_period(org: Organization) -> OrgPeriod | None:
    """The organization's latest period (its current name and placement, or its last before dissolution)."""
    return (
        OrgPeriod.objects.filter(org=org)
        .select_related("kind", "category", "parent")
        .order_by("-valid_from", "-id")
        .first()
    )


def latest_name(org_field: str = "pk") -> Subquery:
    """The name of the organization in `org_field` in its latest period (its name now, or when dissolved), as a
    subquery to annotate rows that show an organization (grants, lists)."""
    return Subquery(
        OrgPeriod.objects.filter(org=OuterRef(org_field)).order_by("-valid_from", "-id").values("name")[:1]
    )


class Labels(dict[int, tuple[str, str]]):
    """(code, name) per organization on a date, and `children`: the children on that date of the organization
    asked for (`labels_on(..., children_of=)`)."""

    children: list[int]


def labels_on(org_ids: Iterable[int], as_of: dt.date, *, children_of: Organization | None = None) -> Labels:
    """(code, name) of each organization on `as_of` by the fallback rule (module docstring); with `children_of`,
    also the children of that organization on `as_of` and their labels. One statement (the organizations asked
    for and the children are a UNION, so both use their index): reports name thousands of organizations."""
    labels = Labels()
    labels.children = []
    ids = sorted(set(org_ids))
    arms: list[str] = []
    params: list[Any] = []
    if ids:
        ids_in, ids_params = sql.in_list(ids)
        arms.append(f"SELECT id FROM {Organization._meta.db_table} WHERE id IN {ids_in}")
        params += ids_params
    if children_of is not None:
        d = sql.date_placeholder()
        arms.append(
            f"SELECT org_id FROM {OrgPeriod._meta.db_table} WHERE parent_id = %s AND valid_from <= {d} "
            f"AND (valid_to IS NULL OR valid_to > {d})"
        )
        params += [children_of.pk, sql.date_param(as_of), sql.date_param(as_of)]
    if not arms:
        return labels
    rows = sql.fetch(
        f"SELECT p.org_id, o.code, p.name, p.valid_from, p.valid_to, p.parent_id "
        f"FROM {OrgPeriod._meta.db_table} p JOIN {Organization._meta.db_table} o ON o.id = p.org_id "
        f"WHERE p.org_id IN ({' UNION '.join(arms)}) ORDER BY p.org_id, p.valid_from, p.id",
        params,
    )
    by_org: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for org_id, code, name, valid_from, valid_to, parent_id in rows:
        by_org[org_id].append((sql.as_date(valid_from), sql.as_date(valid_to), code, name, parent_id))
    for org_id, periods_ in by_org.items():
        chosen = nearest(periods_, as_of)
        if chosen is not None:
            labels[org_id] = (chosen[2], chosen[3])
        if children_of is not None and any(
            parent == children_of.pk
            and start <= as_of
            and (end is None or as_of < end)
            and not _empty(start, end)
            for start, end, _code, _name, parent in periods_
        ):
            labels.children.append(org_id)
    return labels


def names_on(org_ids: Iterable[int], as_of: dt.date) -> dict[int, str]:
    """The name of each organization on `as_of` by the fallback rule (module docstring), in one statement."""
    return {org_id: name for org_id, (_code, name) in labels_on(org_ids, as_of).items()}


def name_on(org: Organization, as_of: dt.date) -> str:
    """The organization's name on `as_of` by the fallback rule, else its code."""
    return names_on([org.pk], as_of).get(org.pk, org.code)


def ancestors(org: Organization, as_of: dt.date, user: Any = None, permission: str = VIEW) -> list[OrgPeriod]:
    """The chain from the top down to (not including) `org` on `as_of`: the breadcrumb; with `user`, only the
    ancestors in the user's scope (for `permission`)."""
    path = path_on(org, as_of)
    if path is None:
        return []
    ids = [int(s) for s in path.strip("/").split("/")[:-1]]
    qs = OrgPeriod.objects.filter(active_on(as_of), org_id__in=ids).select_related("org", "kind")
    if user is not None:
        qs = restrict(qs, user, permission)
    found = {x.org_id: x for x in qs}
    return [found[i] for i in ids if i in found]


def placements(
    as_of: dt.date, *, within: str | Sequence[str] | None = None, orgs: Iterable[int] | None = None
) -> QuerySet[OrgPeriod]:
    """The placements (periods) in force on `as_of`, unscoped: under the path(s) `within`, or of the
    organizations `orgs`. For services, importers and reports that confine their rows by their own rules; pages
    and the API list through `periods(user, ...)`."""
    qs = OrgPeriod.objects.filter(active_on(as_of))
    if within is not None:
        qs = qs.filter(under(within))
    if orgs is not None:
        qs = qs.filter(org_id__in=orgs)
    return qs.order_by()


def placements_during(
    start: dt.date,
    end: dt.date,
    *,
    within: str | Sequence[str] | None = None,
    orgs: Iterable[int] | None = None,
) -> QuerySet[OrgPeriod]:
    """The placements in force at some time in [start, end], unscoped (see `placements`)."""
    qs = OrgPeriod.objects.filter(Q(valid_from__lte=end) & (Q(valid_to__isnull=True) | Q(valid_to__gt=start)))
    if within is not None:
        qs = qs.filter(under(within))
    if orgs is not None:
        qs = qs.filter(org_id__in=orgs)
    return qs.order_by()


def paths_of(org: Organization | int) -> list[str]:
    """Every path the organization has had (moved organizations have several), sorted."""
    return sorted(set(OrgPeriod.objects.filter(org=org).values_list("path", flat=True)))


def under(paths: str | Sequence[str], prefix: str = "") -> Q:
    """A placement's path (`prefix + "path"`) lies under one of `paths`."""
    q = Q(pk__in=[])
    for path in [paths] if isinstance(paths, str) else paths:
        q |= Q(**prefix_range(f"{prefix}path", path))
    return q


def placed_under(paths: Sequence[str], org_field: str, date_field: str) -> Q:
    """A row's organization (the id in `org_field`) was under one of `paths` on the row's date (`date_field`).

    Two conditions on purpose: the plain `IN` over the organizations ever under `paths` lets the database start
    from those (few) organizations and use the (org, date) index; the `EXISTS` then checks the placement on the
    date itself."""
    ever = OrgPeriod.objects.filter(under(paths)).values("org_id")
    then = OrgPeriod.objects.filter(
        under(paths),
        Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef(date_field)),
        org_id=OuterRef(org_field),
        valid_from__lte=OuterRef(date_field),
    )
    return Q(**{f"{org_field}__in": ever}) & Q(Exists(then))


def timeline(org: Organization | int) -> list[tuple[str, str, dt.date, dt.date | None]]:
    """(name, path, valid_from, valid_to) of every period of the organization, oldest first, in one raw statement
    (a report's root at a commune's size: the ORM's own cost per query showed)."""
    pk = org if isinstance(org, int) else org.pk
    return [
        (name, path, sql.as_date(valid_from), sql.as_date(valid_to))
        for name, path, valid_from, valid_to in sql.fetch(
            f"SELECT name, path, valid_from, valid_to FROM {OrgPeriod._meta.db_table} WHERE org_id = %s "
            "ORDER BY valid_from, id",
            [pk],
        )
    ]


def placements_sql(
    paths: Sequence[str],
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    cells: bool = False,
    scope_paths: Sequence[str] | None = None,
) -> tuple[str, list[Any]]:
    """A SELECT of the placements under `paths`, for report statements other apps write in SQL (meetings
    compliance): columns `org_id`, `path`, `valid_from`, `valid_to` of the placement and `code`,
    `established_on`, `dissolved_on` of its organization; only those in force at some time in [start, end]
    when the dates are given, only cells with `cells`, only organizations whose current path lies under
    `scope_paths` when given (an empty list: none). The database flattens it into the statement using it."""
    d = sql.date_placeholder()
    under_sql = " OR ".join(["(p.path >= %s AND p.path < %s)"] * len(paths)) or "1 = 0"
    params: list[Any] = [x for path in paths for x in (path, path + "\uffff")]
    where = f"({under_sql})"
    kind = ""
    if cells:
        kind = f" JOIN {OrgKind._meta.db_table} k ON k.id = p.kind_id"
        where += " AND k.is_cell"
    if end is not None:
        where += f" AND p.valid_from <= {d}"
        params.append(sql.date_param(end))
    if start is not None:
        where += f" AND (p.valid_to IS NULL OR p.valid_to > {d})"
        params.append(sql.date_param(start))
    if scope_paths is not None:
        where += (
            " AND ("
            + (" OR ".join(["(o.current_path >= %s AND o.current_path < %s)"] * len(scope_paths)) or "1 = 0")
            + ")"
        )
        params += [x for sp in scope_paths for x in (sp, sp + "\uffff")]
    text = (
        "SELECT p.org_id AS org_id, p.path AS path, p.valid_from AS valid_from, p.valid_to AS valid_to, "
        "o.code AS code, o.established_on AS established_on, o.dissolved_on AS dissolved_on "
        f"FROM {OrgPeriod._meta.db_table} p{kind} JOIN {Organization._meta.db_table} o ON o.id = p.org_id "
        f"WHERE {where}"
    )
    return text, params


# ------------------------------------------------------------------------------------------------ for a user


def periods(
    user: Any, as_of: dt.date, within: str | None = None, *, permission: str = VIEW
) -> QuerySet[OrgPeriod]:
    """The placements of every organization in scope (for `permission`) that exists on `as_of` (under the path
    `within`)."""
    qs = OrgPeriod.objects.filter(active_on(as_of))
    if within is not None:
        qs = qs.filter(**prefix_range("path", within))
    return restrict(qs, user, permission, within=within).order_by()


def periods_during(user: Any, org: Organization, start: dt.date, end: dt.date) -> QuerySet[OrgPeriod]:
    """The placements of the organizations in scope under `org` at some time in [start, end] (under the path `org`
    had then): what a report over a period counts, whatever restructurings happened in it."""
    roots = list(
        OrgPeriod.objects.filter(org=org, valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
        .values_list("path", "valid_from", "valid_to")
    )
    if not roots:
        return OrgPeriod.objects.none()
    cond = Q()
    for path, vf, vt in roots:
        lo = max(start, vf)
        hi = end if vt is None else min(end, vt - dt.timedelta(days=1))
        cond |= Q(**prefix_range("path", path), valid_from__lte=hi) & (
            Q(valid_to__isnull=True) | Q(valid_to__gt=lo)
        )
    return restrict(OrgPeriod.objects.filter(cond), user).order_by()


def subtree(
    user: Any, org: Organization, as_of: dt.date, *, include_self: bool = True
) -> QuerySet[OrgPeriod]:
    """Everything under `org` as it stood on `as_of` (empty if `org` did not exist then)."""
    root = OrgPeriod.objects.filter(active_on(as_of), org=org).values_list("path", "depth").first()
    if root is None:
        return OrgPeriod.objects.none()
    path, depth = root
    qs = periods(user, as_of, within=path)
    if not include_self:
        qs = qs.filter(depth__gt=depth)
    return qs


def scope_tops(user: Any, as_of: dt.date) -> list[Organization]:
    """The top organizations of the user's scope: the granted ones (for a whole-country user, the roots of the
    tree on `as_of`)."""
    scope = scope_for(user)
    if scope.is_global:
        return list(
            Organization.objects.filter(
                pk__in=periods(user, as_of).filter(parent__isnull=True).values("org_id")
            )
        )
    return list(Organization.objects.filter(current_path__in=scope.paths))


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


# ------------------------------------------------------------------------------------------------ the list


def parent_names(items: list[OrgPeriod], as_of: dt.date) -> dict[int, str]:
    """The names of the parents of `items` on `as_of`, in one statement."""
    return names_on({p.parent_id for p in items if p.parent_id}, as_of)


def parents_when_begun(items: Sequence[OrgPeriod]) -> dict[int, str]:
    """For each period (by its id), the name its parent had on the day the period began, in one query."""
    ids = {p.parent_id for p in items if p.parent_id}
    periods: dict[int, list[OrgPeriod]] = defaultdict(list)
    for p in all_periods(ids):
        periods[p.org_id].append(p)
    result = {}
    for p in items:
        if p.parent_id:
            chosen = nearest(periods.get(p.parent_id, []), p.valid_from)
            if chosen is not None:
                result[p.pk] = chosen.name
    return result


def open_children(orgs: Iterable[Organization]) -> list[OrgPeriod]:
    """The current placements of the organizations under `orgs` (what a dissolution, merge or split must send
    somewhere), by parent then in Vietnamese order."""
    return list(
        OrgPeriod.objects.filter(parent__in=list(orgs), valid_to__isnull=True)
        .select_related("org", "kind", "category")
        .order_by("parent_id", "sort_key")
    )


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


def find_kind(text: str, *, active_only: bool) -> OrgKind | None:
    """A kind by its code or its name (case-insensitive)."""
    wanted = nfc(text).casefold()
    kinds = OrgKind.objects.all()
    if active_only:
        kinds = kinds.filter(active=True)
    for k in kinds:
        if wanted in (k.code.casefold(), nfc(k.name).casefold()):
            return k
    return None


def find_category(text: str, *, active_only: bool) -> CellCategory | None:
    """A category by its code or its name (case-insensitive)."""
    wanted = nfc(text).casefold()
    categories = CellCategory.objects.all()
    if active_only:
        categories = categories.filter(active=True)
    for c in categories:
        if wanted in (c.code.casefold(), nfc(c.name).casefold()):
            return c
    return None


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
    root = OrgPeriod.objects.filter(active_on(as_of), org=org).first()
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
