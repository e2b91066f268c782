"""Excel exports of the member registry: the statistics (one block per breakdown) and a member list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from coso.core.dates import format_date
from coso.core.excel import Sheet, table_bytes, workbook_bytes
from coso.orgs import queries as orgs_queries

from .models import Gender, Status
from .queries import MOVEMENTS, Statistics

LIST_COLUMNS = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Tôn giáo",
    "Số thẻ đảng viên",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Tình trạng",
    "Chi bộ",
]


def _block_rows(stats: Statistics) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["Đảng viên", None],
        ["Tổng số", stats.total],
        ["Chính thức", stats.official],
        ["Dự bị", stats.probationary],
    ]
    for _key, title, values in stats.breakdowns():
        rows += [[], [title, None]]
        rows += [[label, n] for label, n in values.items()]
        rows.append(["Cộng", sum(values.values())])
    rows += [[], [f"Biến động từ {format_date(stats.period_from)} đến {format_date(stats.as_of)}", None]]
    rows += [[MOVEMENTS[k], n] for k, n in stats.movements.items()]
    return rows


def statistics_xlsx(stats: Statistics) -> bytes:
    """The statistics as .xlsx: a title (organization and date), then one block per breakdown."""
    heading = [
        f"Thống kê đảng viên – {stats.org_name} ({stats.org.code})",
        f"Tính đến ngày {format_date(stats.as_of)}",
    ]
    return workbook_bytes(
        [
            Sheet(
                title="Thống kê đảng viên",
                headers=["Chỉ tiêu", "Số đảng viên"],
                rows=_block_rows(stats),
                heading=heading,
                widths=[44, 14],
            )
        ]
    )


def member_list_rows(rows: Iterable[Any], as_of: dt.date) -> list[list[Any]]:
    """One row per member (as `queries.members_under` returns them, with `cell_id` and `status_on`)."""
    items = list(rows)
    names = orgs_queries.names_on([getattr(m, "cell_id", None) or m.home_org_id for m in items], as_of)
    genders = dict(Gender.choices)
    statuses = dict(Status.choices)
    out = []
    for i, m in enumerate(items, start=1):
        status = getattr(m, "status_on", None) or m.status
        out.append(
            [
                i,
                m.full_name,
                m.birth_date,
                genders.get(m.gender, ""),
                str(m.ethnicity),
                str(m.religion),
                m.card_number,
                m.joined_on,
                m.recognised_on if m.recognised_on and m.recognised_on <= as_of else None,
                statuses.get(status, status),
                names.get(getattr(m, "cell_id", None) or m.home_org_id, ""),
            ]
        )
    return out


def member_list_xlsx(rows: Iterable[Any], as_of: dt.date) -> bytes:
    """A member list as .xlsx, e.g. `queries.members_under(...)` (already scoped and ordered)."""
    if isinstance(rows, QuerySet) and not rows.query.is_sliced:
        rows = rows.select_related("ethnicity", "religion")
    return table_bytes(
        "Danh sách đảng viên",
        LIST_COLUMNS,
        member_list_rows(rows, as_of),
        heading=[f"Danh sách đảng viên tính đến ngày {format_date(as_of)}"],
    )
