"""Excel exports of the organization tree: the list (re-importable) and the structure report.

The list has the import template's columns first, in the same order, so a file exported here can be imported into
another installation (a round trip); a few extra columns for people to read come after them and the import
ignores them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from coso.core.dates import format_date
from coso.core.excel import Sheet, table_bytes, workbook_bytes

from . import queries
from .importer import BATCH, COLUMNS, SHEET_TITLE, establishment_decisions
from .models import Organization, OrgPeriod
from .queries import StructureReport

EXTRA_COLUMNS = ["Cấp trên (tên)", "Tình trạng"]
LIST_COLUMNS = [*COLUMNS, *EXTRA_COLUMNS]


def _status(org: Organization, as_of: dt.date) -> str:
    if org.dissolved_on is None:
        return "Đang hoạt động"
    if org.dissolved_on <= as_of:
        return f"Đã giải thể ngày {format_date(org.dissolved_on)}"
    return f"Giải thể từ ngày {format_date(org.dissolved_on)}"


def org_list_rows(periods: Iterable[OrgPeriod], as_of: dt.date) -> list[list[Any]]:
    """The rows of the list export: one per period (organization as it stood on `as_of`), in a few queries."""
    items = list(periods)
    orgs = {p.org_id: p.org for p in items}
    decisions = establishment_decisions(orgs.values())
    parent_ids = sorted({p.parent_id for p in items if p.parent_id})
    parent_codes: dict[int, str] = {}
    parent_names: dict[int, str] = {}
    for start in range(0, len(parent_ids), BATCH):
        chunk = parent_ids[start : start + BATCH]
        parent_codes.update(Organization.objects.filter(pk__in=chunk).values_list("pk", "code"))
        parent_names.update(queries.names_on(chunk, as_of))
    rows = []
    for p in items:
        org = orgs[p.org_id]
        rows.append(
            [
                org.code,
                p.name,
                p.kind.name,
                p.category.name if p.category else "",
                parent_codes.get(p.parent_id, "") if p.parent_id else "",
                org.established_on,
                org.dissolved_on,
                decisions.get(org.pk) or "",
                parent_names.get(p.parent_id, "") if p.parent_id else "",
                _status(org, as_of),
            ]
        )
    return rows


def org_list_xlsx(periods: Iterable[OrgPeriod], as_of: dt.date) -> bytes:
    """The organization list as .xlsx: the import template's columns (a round trip works), then the parent's
    name and the status. `periods` are the (already scoped) periods to list, e.g. `filters.OrgFilter(...).qs`."""
    if isinstance(periods, QuerySet) and not periods.query.is_sliced:
        periods = periods.select_related("org", "kind", "category")
    return table_bytes(SHEET_TITLE, LIST_COLUMNS, org_list_rows(periods, as_of))


def structure_xlsx(report: StructureReport) -> bytes:
    """The structure report as .xlsx: a title with the organization and the date, the totals and counts by
    kind, then a second sheet by kind × category."""
    name = report.period.name if report.period else report.org.code
    title = f"Cơ cấu tổ chức của {name} ({report.org.code})"
    when = f"Tính đến ngày {format_date(report.as_of)}"
    if report.period is None:
        when += " — tổ chức không tồn tại vào ngày này"
    summary: list[list[Any]] = [
        ["Tổ chức cơ sở đảng (đảng bộ cơ sở, chi bộ cơ sở)", report.grassroots_total],
        ["Chi bộ trực thuộc đảng ủy cơ sở", report.cells_total],
        ["Tổng số tổ chức trực thuộc (mọi cấp)", report.total],
        [],
        ["Theo loại tổ chức", ""],
        *[[kind, n] for kind, n in report.by_kind.items()],
    ]
    detail = [
        [kind, category, n]
        for kind, categories in report.by_category.items()
        for category, n in categories.items()
    ]
    return workbook_bytes(
        [
            Sheet(title="Cơ cấu", headers=["Chỉ tiêu", "Số lượng"], rows=summary, heading=[title, when]),
            Sheet(
                title="Theo loại và phân loại",
                headers=["Loại", "Phân loại", "Số lượng"],
                rows=detail,
                heading=[title, when],
            ),
        ]
    )
