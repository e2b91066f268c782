"""Compliance with the meeting rhythm over a subtree and a span (the attribution rule in the package's docstring), and its alerts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from coso.core import sql
from coso.core.dates import active_on, add_months, first_of_month, last_of_month, today
from coso.core.errors import DomainError
from coso.core.models import RuleSet
from coso.core.rules import rule_in_force
from coso.core.scope import VIEW, Scope, restrict, scope_for
from coso.members.models import Membership
from coso.orgs import queries as orgs_queries
from coso.orgs.models import SEGMENT, Organization

from .. import rules
from ..models import (
    MEMBER_KINDS,
    REGULAR_KINDS,
    THEMATIC_KINDS,
    Attendance,
    DuesPayment,
    Meeting,
    Minutes,
    ResolutionTask,
)
from ._common import ALERT_LIMIT


@dataclass(frozen=True)
class _Bucket:
    first: dt.date
    last: dt.date
    need: int
    year: int
    bar: int
    months: tuple[dt.date, ...]


def _months(date_from: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Calendar months whose last day lies in [date_from, end]."""
    result = []
    month = first_of_month(date_from)
    while True:
        last = last_of_month(month)
        if last > end:
            break
        if last >= date_from:
            result.append((month, last))
        month = add_months(month, 1)
    return result


def _quarters(date_from: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    result = []
    q = dt.date(date_from.year, 3 * ((date_from.month - 1) // 3) + 1, 1)
    while True:
        last = last_of_month(add_months(q, 2))
        if last > end:
            break
        if last >= date_from:
            result.append((q, last))
        q = add_months(q, 3)
    return result


class _Rules:
    """The dated thresholds, read once per report: every version of the meeting rules in one query."""

    CODES = (rules.REGULAR, rules.THEMATIC, rules.MEMBER_ALERTS)

    def __init__(self) -> None:
        self._sets: dict[str, list[RuleSet]] | None = None

    def get(self, code: str, on: dt.date) -> RuleSet:
        if self._sets is None:
            self._sets = {c: [] for c in self.CODES}
            # raw SQL: the report is a few statements, where the ORM's own cost per query shows (~2 ms)
            params_field = RuleSet._meta.get_field("params")
            for pk, rule_code, title, source, effective_from, effective_to, params in sql.fetch(
                "SELECT id, code, title, source, effective_from, effective_to, params FROM "
                f"{RuleSet._meta.db_table} WHERE code IN ({', '.join(['%s'] * len(self.CODES))}) "
                "ORDER BY effective_from DESC",
                list(self.CODES),
            ):
                self._sets[rule_code].append(
                    RuleSet(
                        id=pk,
                        code=rule_code,
                        title=title,
                        source=source,
                        effective_from=sql.as_date(effective_from),
                        effective_to=sql.as_date(effective_to),
                        params=params_field.from_db_value(params, None, connection),  # type: ignore[attr-defined,arg-type]
                    )
                )
        for r in self._sets.get(code, []):
            if r.effective_from <= on and (r.effective_to is None or on < r.effective_to):
                return r
        return rule_in_force(code, on)  # raises MissingRule with its message

    def param(self, code: str, on: dt.date, key: str) -> int:
        return int(self.get(code, on).params[key])


def _month_buckets(date_from: dt.date, end: dt.date, rs: _Rules) -> list[_Bucket]:
    result = []
    for first, last in _months(date_from, end):
        result.append(
            _Bucket(
                first,
                last,
                rs.param(rules.REGULAR, last, "per_month"),
                first.year,
                rs.param(rules.REGULAR, dt.date(first.year, 12, 31), "min_per_year"),
                (first,),
            )
        )
    return result


def _quarter_buckets(date_from: dt.date, end: dt.date, rs: _Rules) -> list[_Bucket]:
    return [
        _Bucket(
            first,
            last,
            rs.param(rules.THEMATIC, last, "per_quarter"),
            first.year,
            0,
            (first, add_months(first, 1), add_months(first, 2)),
        )
        for first, last in _quarters(date_from, end)
    ]


def _figures_sql(
    months: Sequence[_Bucket],
    quarters: Sequence[_Bucket],
    paths: Sequence[str],
    scope_paths: Sequence[str] | None,
) -> tuple[str, list[Any]]:
    """The one statement of the figures: per (child, cell, year) `c`, then the rows per child, the distinct cells
    and the cells under the yearly bar (over all children: a cell moved within the subtree during the year is
    judged on its 12 months).

    `b` holds the month buckets; a month closing a quarter bucket also carries the quarter (`q_first`,
    `q_need`): a (cell, quarter) unit is the (cell, month) unit of its last month whose cell existed from the
    quarter's first day, so the units `u` are computed once for both: the cells' placements under the root during
    the period (`pl`, read once with the organizations' dates) crossed with the months, each with `child` (the id
    of the root's child holding the cell, the root's own id when the root is a cell) and `qx` (1 when the row is
    also a quarter unit). `um` sums each unit's held meetings (index probes on (org, date), as the raw SQL of the
    benchmark does) from `m_from`: the month's first day, or the quarter's for a quarter unit, so the same probe
    counts the month's figures and the quarter's thematic meetings (`th`). On PostgreSQL each unit sums its own
    meetings in a LATERAL subquery; SQLite, which has no LATERAL, joins and groups per unit."""
    meeting = Meeting._meta.db_table
    d = sql.date_placeholder()
    params: list[Any] = []
    closing = {q.months[-1]: q for q in quarters}
    b_rows = []
    for b in months:
        q = closing.get(b.first)
        b_rows.append(f"({d}, {d}, %s, %s, %s, {d}, %s)")
        params += [
            sql.date_param(b.first),
            sql.date_param(b.last),
            b.need,
            b.year,
            b.bar,
            sql.date_param(q.first) if q else None,
            q.need if q else 0,
        ]
    # the child of the root: the first segment below the root's path (paths differ in length when the root
    # moved, hence one CASE arm per path)
    # (as an integer: the organization id the segment spells, cheaper to sort and group by than the text)
    child_sql = (
        "CASE "
        + " ".join(
            f"WHEN x.path = %s THEN {int(path[-SEGMENT:-1])} WHEN x.path >= %s AND x.path < %s "
            f"THEN CAST(substr(x.path, {len(path) + 1}, {SEGMENT - 1}) AS INTEGER)"
            for path in paths
        )
        + " END"
    )
    child_params = [x for path in paths for x in (path, path, path + "\uffff")]
    # the cells' placements under the root during the period (with their child of the root and the cell's own
    # dates), once each: then crossed with the months, cheaper than joining the organizations for every month
    placements, placement_params = orgs_queries.placements_sql(
        paths, start=months[0].last, end=months[-1].last, cells=True, scope_paths=scope_paths
    )
    materialized = " MATERIALIZED" if connection.vendor == "postgresql" else ""
    pl_sql = (
        f"pl AS{materialized} (SELECT x.org_id AS org_id, {child_sql} AS child, x.valid_from AS valid_from, "
        f"x.valid_to AS valid_to, x.established_on AS established_on, x.dissolved_on AS dissolved_on "
        f"FROM ({placements}) x)"
    )
    params += child_params + placement_params
    quarter = "b.q_first IS NOT NULL AND pl.established_on <= b.q_first"
    u_sql = (
        f"u AS (SELECT pl.org_id AS org_id, pl.child AS child, b.b_first AS b_first, b.b_last AS b_last, "
        f"b.need AS need, b.yr AS yr, b.bar AS bar, CASE WHEN {quarter} THEN 1 ELSE 0 END AS qx, "
        f"CASE WHEN {quarter} THEN b.q_first ELSE b.b_first END AS m_from, b.q_need AS q_need FROM b "
        f"JOIN pl ON pl.valid_from <= b.b_last AND (pl.valid_to IS NULL OR pl.valid_to > b.b_last) "
        f"AND pl.established_on <= b.b_first AND (pl.dissolved_on IS NULL OR pl.dissolved_on > b.b_last))"
    )
    regular_in, regular_params = sql.in_list(REGULAR_KINDS)
    member_in, member_params = sql.in_list(MEMBER_KINDS)
    thematic_in, thematic_params = sql.in_list(THEMATIC_KINDS)
    in_month = "m.date >= u.b_first"
    sums = (
        f"SUM(CASE WHEN {in_month} AND m.kind IN {regular_in} THEN 1 ELSE 0 END) AS n, "
        f"SUM(CASE WHEN {in_month} AND m.kind IN {member_in} THEN m.present_expected ELSE 0 END) AS pe, "
        f"SUM(CASE WHEN {in_month} AND m.kind IN {member_in} THEN m.expected ELSE 0 END) AS ex, "
        f"SUM(CASE WHEN m.kind IN {thematic_in} THEN 1 ELSE 0 END) AS th"
    )
    probe = "m.org_id = u.org_id AND m.date >= u.m_from AND m.date <= u.b_last AND m.status = %s"
    if connection.vendor == "postgresql":
        # each unit sums its own few meetings (LATERAL): no sort and regrouping of every (unit, meeting) pair
        um_sql = (
            "um AS (SELECT u.child, u.org_id, u.yr, u.b_first, u.need, u.bar, u.qx, u.q_need, x.n, x.pe, x.ex, x.th "
            f"FROM u LEFT JOIN LATERAL (SELECT {sums} FROM {meeting} m WHERE {probe}) x ON TRUE)"
        )
    else:  # SQLite has no LATERAL: join, then group per unit
        um_sql = (
            f"um AS (SELECT u.child AS child, u.org_id AS org_id, u.yr AS yr, u.b_first AS b_first, "
            f"MAX(u.need) AS need, MAX(u.bar) AS bar, MAX(u.qx) AS qx, MAX(u.q_need) AS q_need, {sums} "
            f"FROM u LEFT JOIN {meeting} m ON {probe} GROUP BY u.child, u.org_id, u.yr, u.b_first)"
        )
    params += regular_params + member_params + member_params + thematic_params + [Meeting.Status.HELD]
    statement = (
        f"WITH b (b_first, b_last, need, yr, bar, q_first, q_need) AS (VALUES {', '.join(b_rows)}), "
        f"{pl_sql}, {u_sql}, {um_sql}, "
        "c AS (SELECT child, org_id, yr, COUNT(*) AS units, "
        "SUM(CASE WHEN COALESCE(n, 0) >= need THEN 1 ELSE 0 END) AS held, COALESCE(SUM(pe), 0) AS pe, "
        "COALESCE(SUM(ex), 0) AS ex, MAX(bar) AS bar, SUM(qx) AS qx, "
        "SUM(CASE WHEN qx = 1 AND COALESCE(th, 0) >= q_need THEN 1 ELSE 0 END) AS qm "
        "FROM um GROUP BY child, org_id, yr) "
        "SELECT 0, child, COUNT(DISTINCT org_id), SUM(units), SUM(held), SUM(pe), SUM(ex), SUM(qx), SUM(qm) "
        "FROM c GROUP BY child "
        "UNION ALL SELECT 1, NULL, COUNT(DISTINCT org_id), 0, 0, 0, 0, 0, 0 FROM c "
        "UNION ALL SELECT 2, NULL, org_id, yr, SUM(held), 0, 0, 0, 0 FROM c GROUP BY org_id, yr "
        "HAVING SUM(units) = 12 AND SUM(held) < MAX(bar)"
    )
    return statement, params


@dataclass
class ChildRow:
    """One organization of the drill-down: a child of the root (or the root itself when it is a cell)."""

    org_id: int
    code: str
    name: str
    cells: int = 0
    regular_expected: int = 0
    regular_held: int = 0
    thematic_quarters_expected: int = 0
    thematic_quarters_met: int = 0
    present: int = 0
    expected_attendance: int = 0

    @property
    def attendance_rate(self) -> float | None:
        return round(self.present / self.expected_attendance, 4) if self.expected_attendance else None

    def as_json(self) -> dict[str, Any]:
        return {
            "org": self.code,
            "org_name": self.name,
            "cells": self.cells,
            "regular_held": self.regular_held,
            "regular_expected": self.regular_expected,
            "thematic_quarters_met": self.thematic_quarters_met,
            "thematic_quarters_expected": self.thematic_quarters_expected,
            "attendance_rate": self.attendance_rate,
        }


@dataclass
class Alerts:
    cells_without_meeting: list[dict[str, Any]] = field(default_factory=list)
    cells_without_meeting_total: int = 0
    minutes_not_adopted: list[dict[str, Any]] = field(default_factory=list)
    minutes_not_adopted_total: int = 0
    overdue_tasks: list[dict[str, Any]] = field(default_factory=list)
    overdue_tasks_total: int = 0
    absent_members: list[dict[str, Any]] = field(default_factory=list)
    unpaid_dues_members: list[dict[str, Any]] = field(default_factory=list)
    # the rules they were found under (for the page; the JSON carries them in the report's `thresholds`)
    max_days_without_meeting: int | None = None
    member_rule_source: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "cells_without_meeting": self.cells_without_meeting,
            "cells_without_meeting_total": self.cells_without_meeting_total,
            "minutes_not_adopted": self.minutes_not_adopted,
            "minutes_not_adopted_total": self.minutes_not_adopted_total,
            "overdue_tasks": self.overdue_tasks,
            "overdue_tasks_total": self.overdue_tasks_total,
            "absent_members": self.absent_members,
            "unpaid_dues_members": self.unpaid_dues_members,
        }


@dataclass
class Compliance:
    """Meeting compliance of the subtree of `org` over [date_from, date_to] as of `as_of` (module docstring)."""

    org: Organization
    org_name: str
    date_from: dt.date
    date_to: dt.date
    as_of: dt.date
    months: int = 0
    quarters: int = 0
    cells: int = 0
    regular_held: int = 0
    regular_expected: int = 0
    thematic_quarters_met: int = 0
    thematic_quarters_expected: int = 0
    present: int = 0
    expected_attendance: int = 0
    min_per_year: int | None = None
    below_year_bar: list[dict[str, Any]] = field(default_factory=list)
    rows: list[ChildRow] = field(default_factory=list)
    alerts: Alerts = field(default_factory=Alerts)
    thresholds: dict[str, Any] = field(default_factory=dict)

    @property
    def attendance_rate(self) -> float | None:
        return round(self.present / self.expected_attendance, 4) if self.expected_attendance else None

    def as_json(self) -> dict[str, Any]:
        return {
            "org": self.org.code,
            "org_name": self.org_name,
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "as_of": self.as_of.isoformat(),
            "months": self.months,
            "quarters": self.quarters,
            "cells": self.cells,
            "regular_held": self.regular_held,
            "regular_expected": self.regular_expected,
            "thematic_quarters_met": self.thematic_quarters_met,
            "thematic_quarters_expected": self.thematic_quarters_expected,
            "attendance_rate": self.attendance_rate,
            "present": self.present,
            "expected_attendance": self.expected_attendance,
            "min_per_year": self.min_per_year,
            "below_year_bar": self.below_year_bar,
            "rows": [r.as_json() for r in self.rows],
            "alerts": self.alerts.as_json(),
            "thresholds": self.thresholds,
        }


def _scope_paths(user: Any, org: Organization) -> tuple[Scope, list[str] | None]:
    """None when the user's scope covers `org` (its whole history counts), else the granted paths to confine
    the cells to."""
    scope = scope_for(user, VIEW)
    if scope.is_global or scope.covers(org.current_path):
        return scope, None
    return scope, list(scope.paths)


def check_period(date_from: dt.date, date_to: dt.date) -> None:
    """A report period runs forwards."""
    if date_from > date_to:
        raise DomainError("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.", field="date_from")


def compliance(
    user: Any,
    org: Organization,
    date_from: dt.date,
    date_to: dt.date,
    as_of: dt.date | None = None,
    *,
    alerts: bool = True,
) -> Compliance:
    """Meeting compliance of the subtree of `org` over [date_from, date_to] as of `as_of` (default today): the
    contract numbers, a row per child of `org` (the root itself when it is a cell), the yearly bar and, unless
    `alerts` is False, the alert lists. The attribution rule is in the module docstring."""
    as_of = as_of or today()
    check_period(date_from, date_to)
    end = min(date_to, as_of)
    rs = _Rules()
    # the root's periods (name, path, from, to) through time, in one raw statement (see _Rules)
    history = orgs_queries.timeline(org)
    period = next(
        (h for h in history if h[2] <= end and (h[3] is None or end < h[3])), history[-1] if history else None
    )
    result = Compliance(
        org=org,
        org_name=period[0] if period else org.code,
        date_from=date_from,
        date_to=date_to,
        as_of=as_of,
    )
    _scope, scope_paths = _scope_paths(user, org)
    month_buckets = _month_buckets(date_from, end, rs) if end >= date_from else []
    quarter_buckets = _quarter_buckets(date_from, end, rs) if end >= date_from else []
    result.months, result.quarters = len(month_buckets), len(quarter_buckets)
    paths = sorted({h[1] for h in history})
    rows: dict[int, ChildRow] = {}

    def row(org_id: int) -> ChildRow:
        if org_id not in rows:
            rows[org_id] = ChildRow(org_id, "", "")
        return rows[org_id]

    below: list[tuple[int, int, int]] = []
    if month_buckets:
        statement, params = _figures_sql(month_buckets, quarter_buckets, paths, scope_paths)
        for tag, child, n1, n2, n3, n4, n5, n6, n7 in sql.fetch(statement, params):
            if tag == 0:
                r = row(int(child))
                r.cells += int(n1)
                r.regular_expected += int(n2)
                r.regular_held += int(n3 or 0)
                r.present += int(n4 or 0)
                r.expected_attendance += int(n5 or 0)
                r.thematic_quarters_expected += int(n6 or 0)
                r.thematic_quarters_met += int(n7 or 0)
            elif tag == 1:
                result.cells = int(n1)
            else:
                below.append((int(n1), int(n2), int(n3 or 0)))
    # the children of the root on the end date are shown even with nothing to count; their names come in the
    # same query as those of the organizations counted
    ref = end if end >= date_from else date_to
    names = orgs_queries.labels_on(list(rows) + [b[0] for b in below], ref, children_of=org)
    for child_id in names.children:
        row(child_id)
    for r in rows.values():
        r.code, r.name = names.get(r.org_id, (str(r.org_id), str(r.org_id)))
    result.rows = sorted(rows.values(), key=lambda r: (r.name, r.code))
    result.regular_expected = sum(r.regular_expected for r in rows.values())
    result.regular_held = sum(r.regular_held for r in rows.values())
    result.thematic_quarters_expected = sum(r.thematic_quarters_expected for r in rows.values())
    result.thematic_quarters_met = sum(r.thematic_quarters_met for r in rows.values())
    result.present = sum(r.present for r in rows.values())
    result.expected_attendance = sum(r.expected_attendance for r in rows.values())
    years = sorted({b.year for b in month_buckets if sum(1 for x in month_buckets if x.year == b.year) == 12})
    if years:
        result.min_per_year = rs.param(rules.REGULAR, dt.date(years[-1], 12, 31), "min_per_year")
    result.below_year_bar = [
        {"org": names[o][0], "org_name": names[o][1], "year": y, "regular_held": h}
        for o, y, h in sorted(below, key=lambda x: (x[1], names[x[0]][1]))
    ][:ALERT_LIMIT]
    regular = rs.get(rules.REGULAR, as_of)
    member_rule = rs.get(rules.MEMBER_ALERTS, as_of)
    result.thresholds = {
        rules.REGULAR: {"params": regular.params, "source": regular.source},
        rules.MEMBER_ALERTS: {"params": member_rule.params, "source": member_rule.source},
    }
    if quarter_buckets:
        thematic = rs.get(rules.THEMATIC, quarter_buckets[-1].last)
        result.thresholds[rules.THEMATIC] = {"params": thematic.params, "source": thematic.source}
    if alerts:
        result.alerts = _alerts(user, org, date_from, end, as_of, rs, scope_paths)
    return result


def compliance_alerts(
    user: Any, org: Organization, date_from: dt.date, date_to: dt.date, as_of: dt.date | None = None
) -> Alerts:
    """The alert lists of `compliance` alone (the page shows the figures first and loads these beside them)."""
    as_of = as_of or today()
    check_period(date_from, date_to)
    _scope, scope_paths = _scope_paths(user, org)
    return _alerts(user, org, date_from, min(date_to, as_of), as_of, _Rules(), scope_paths)


# ------------------------------------------------------------------------------------------------- alerts


def _confine(qs: QuerySet[Any], user: Any, scope_paths: list[str] | None) -> QuerySet[Any]:
    return qs if scope_paths is None else restrict(qs, user)


def _cells_on(org: Organization, on: dt.date, scope_paths: list[str] | None) -> QuerySet[orgs_queries.Period]:
    """The cells under `org` on `on`, confined to the organizations whose current path lies under
    `scope_paths` when given."""
    path = orgs_queries.path_on(org, on)
    qs = orgs_queries.placements(on, within=[path] if path else []).filter(kind__is_cell=True)
    if scope_paths is not None:
        qs = qs.filter(Scope(False, tuple(scope_paths)).q("org__current_path"))
    return qs


def _alerts(
    user: Any,
    org: Organization,
    date_from: dt.date,
    end: dt.date,
    as_of: dt.date,
    rs: _Rules,
    scope_paths: list[str] | None,
) -> Alerts:
    paths = orgs_queries.paths_of(org)

    # cells without a regular meeting for more than N days
    days = rs.param(rules.REGULAR, as_of, "max_days_without_meeting")
    alerts = Alerts(
        max_days_without_meeting=days, member_rule_source=rs.get(rules.MEMBER_ALERTS, as_of).source
    )
    cutoff = as_of - dt.timedelta(days=days)
    last_held = (
        Meeting.objects.filter(
            org_id=OuterRef("org_id"), status=Meeting.Status.HELD, kind__in=REGULAR_KINDS, date__lte=as_of
        )
        .order_by("-date")
        .values("date")[:1]
    )
    silent = (
        _cells_on(org, as_of, scope_paths)
        .annotate(last_held=Subquery(last_held))
        .filter(Q(last_held__lt=cutoff) | Q(last_held__isnull=True, org__established_on__lt=cutoff))
    )
    alerts.cells_without_meeting_total = silent.count()
    for p in silent.order_by(Coalesce("last_held", "org__established_on"), "sort_key")[:ALERT_LIMIT].values(
        "org__code", "name", "last_held", "org__established_on"
    ):
        since = p["last_held"] or p["org__established_on"]
        alerts.cells_without_meeting.append(
            {
                "org": p["org__code"],
                "org_name": p["name"],
                "last_held": p["last_held"].isoformat() if p["last_held"] else None,
                "days": (as_of - since).days,
            }
        )

    # held meetings whose minutes were not adopted by as_of
    alerts.minutes_not_adopted_total, alerts.minutes_not_adopted = _minutes_not_adopted(
        paths, date_from, end, as_of, scope_paths
    )

    # resolution tasks open on as_of past their deadline
    overdue = _confine(
        ResolutionTask.objects.filter(
            orgs_queries.placed_under(paths, "resolution__meeting__org_id", "resolution__meeting__date"),
            Q(status=ResolutionTask.Status.OPEN) | Q(closed_on__gt=as_of),
            deadline__lt=as_of,
            resolution__meeting__date__lte=as_of,
        ),
        user,
        scope_paths,
    )
    alerts.overdue_tasks_total = overdue.count()
    for t in overdue.order_by("deadline", "id")[:ALERT_LIMIT].values(
        "id", "description", "owner_text", "deadline", "resolution__meeting__org__code"
    ):
        alerts.overdue_tasks.append(
            {
                "task": t["id"],
                "org": t["resolution__meeting__org__code"],
                "description": t["description"],
                "owner": t["owner_text"],
                "deadline": t["deadline"].isoformat(),
                "days_overdue": (as_of - t["deadline"]).days,
            }
        )

    alerts.absent_members, alerts.unpaid_dues_members = _member_alerts(org, as_of, rs, scope_paths)
    return alerts


def _minutes_not_adopted(
    paths: Sequence[str], date_from: dt.date, end: dt.date, as_of: dt.date, scope_paths: Sequence[str] | None
) -> tuple[int, list[dict[str, Any]]]:
    """Held meetings in [date_from, end] of organizations under `paths` on the meeting date, whose minutes were
    not adopted by as_of: (their number, the first ALERT_LIMIT by date). One statement driven from the
    placements under the root (an index range), then each organization's meetings by the (org, date) index."""
    d = sql.date_placeholder()
    placements, params = orgs_queries.placements_sql(paths, scope_paths=scope_paths)
    # `pend` is read twice (the count, the first rows), so it is computed once and whole: a LIMIT on the
    # statement cannot tempt the planner into walking every meeting of the country in date order
    statement = (
        f"WITH pend AS (SELECT m.id AS id, p.code AS code, m.date AS date, m.kind AS kind FROM ({placements}) p "
        f"JOIN {Meeting._meta.db_table} m ON m.org_id = p.org_id AND m.date >= p.valid_from "
        f"AND (p.valid_to IS NULL OR m.date < p.valid_to) "
        f"WHERE m.status = %s AND m.date >= {d} AND m.date <= {d} "
        f"AND NOT EXISTS (SELECT 1 FROM {Minutes._meta.db_table} mi WHERE mi.meeting_id = m.id "
        f"AND mi.adopted_on <= {d})) "
        f"SELECT id, code, date, kind, (SELECT COUNT(*) FROM pend) FROM pend ORDER BY date, id LIMIT {ALERT_LIMIT}"
    )
    params += [Meeting.Status.HELD, sql.date_param(date_from), sql.date_param(end), sql.date_param(as_of)]
    rows = sql.fetch(statement, params)
    total = int(rows[0][4]) if rows else 0
    return total, [
        {"meeting": i, "org": code, "date": str(on), "kind": kind} for i, code, on, kind, _n in rows
    ]


def _member_alerts(
    org: Organization, as_of: dt.date, rs: _Rules, scope_paths: list[str] | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Members (official membership on as_of in a cell under `org` then) with `absence_months` months of
    unexcused absence, or `unpaid_dues_months` unpaid months, in as_of's calendar year (MEET.MEMBER_ALERTS)."""
    absence_n = rs.param(rules.MEMBER_ALERTS, as_of, "absence_months")
    dues_n = rs.param(rules.MEMBER_ALERTS, as_of, "unpaid_dues_months")
    year_start = dt.date(as_of.year, 1, 1)
    home = Membership.objects.filter(
        active_on(as_of),
        kind=Membership.Kind.OFFICIAL,
        org_id__in=_cells_on(org, as_of, scope_paths).values("org_id"),
    )
    flagged = list(
        Attendance.objects.filter(
            presence=Attendance.Presence.ABSENT_UNEXCUSED,
            member__isnull=False,
            role__in=[Attendance.Role.MEMBER, Attendance.Role.GUEST],
            exempt=False,
            suspended=False,
            away=False,
            meeting__status=Meeting.Status.HELD,
            meeting__date__gte=year_start,
            meeting__date__lte=as_of,
            member_id__in=home.values("member_id"),
        )
        .values("member_id")
        .annotate(n=Count("meeting__month", distinct=True))
        .filter(n__gte=absence_n)
        .values_list("member_id", flat=True)
    )
    homes = {
        mid: (oid, name)
        for mid, oid, name in home.filter(member_id__in=flagged).values_list(
            "member_id", "org_id", "member__full_name"
        )
    }
    months: dict[int, list[str]] = {}
    for mid, month in (
        Attendance.objects.filter(
            member_id__in=flagged,
            presence=Attendance.Presence.ABSENT_UNEXCUSED,
            role__in=[Attendance.Role.MEMBER, Attendance.Role.GUEST],
            exempt=False,
            suspended=False,
            away=False,
            meeting__status=Meeting.Status.HELD,
            meeting__date__gte=year_start,
            meeting__date__lte=as_of,
        )
        .values_list("member_id", "meeting__month")
        .distinct()
        .order_by("member_id", "meeting__month")
    ):
        months.setdefault(mid, []).append(f"{month:%Y-%m}")

    # unpaid dues over the months of the year completed before as_of
    completed = [dt.date(as_of.year, m, 1) for m in range(1, as_of.month)]
    unpaid: dict[int, list[str]] = {}
    dues_homes: dict[int, tuple[int, str]] = {}
    if len(completed) >= dues_n:
        upto = completed[-1]
        paid_in_year = DuesPayment.objects.filter(month__gte=year_start, month__lte=upto, paid_on__lte=as_of)
        count = (
            paid_in_year.filter(member_id=OuterRef("member_id"))
            .values("member_id")
            .annotate(c=Count("id"))
            .values("c")
        )
        candidates = list(
            home.filter(org_id__in=paid_in_year.values("org_id"))
            .annotate(paid=Coalesce(Subquery(count), 0))
            .filter(paid__lte=len(completed) - dues_n)
            .values_list("member_id", "org_id", "member__full_name")
        )
        ids = [c[0] for c in candidates]
        covered: dict[int, set[dt.date]] = {}
        for mid, vf, vt in (
            Membership.objects.filter(
                member_id__in=ids, kind=Membership.Kind.OFFICIAL, valid_from__lte=last_of_month(upto)
            )
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=year_start))
            .values_list("member_id", "valid_from", "valid_to")
        ):
            for m in completed:
                if vf <= last_of_month(m) and (vt is None or vt > m):
                    covered.setdefault(mid, set()).add(m)
        paid: dict[int, set[dt.date]] = {}
        for mid, month in paid_in_year.filter(member_id__in=ids).values_list("member_id", "month"):
            paid.setdefault(mid, set()).add(month)
        for mid, oid, name in candidates:
            missing = sorted(covered.get(mid, set()) - paid.get(mid, set()))
            if len(missing) >= dues_n:
                unpaid[mid] = [f"{m:%Y-%m}" for m in missing]
                dues_homes[mid] = (oid, name)
    names = orgs_queries.labels_on(
        {oid for oid, _n in homes.values()} | {oid for oid, _n in dues_homes.values()}, as_of
    )

    def line(mid: int, oid: int, name: str, key: str, values: list[str]) -> dict[str, Any]:
        code, org_name = names.get(oid, (str(oid), str(oid)))
        return {
            "member": mid,
            "name": name,
            "org": code,
            "org_name": org_name,
            key: values,
            "count": len(values),
        }

    absent_rows = [line(mid, *homes[mid], "months", months.get(mid, [])) for mid in sorted(homes)]
    unpaid_rows = [line(mid, *dues_homes[mid], "months", unpaid[mid]) for mid in sorted(unpaid)]
    return absent_rows[:ALERT_LIMIT], unpaid_rows[:ALERT_LIMIT]
