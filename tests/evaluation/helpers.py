"""Builders for the evaluation tests: members through the member services, periods through the evaluation services."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from coso.core.excel import table_bytes
from coso.evaluation import services as ev
from coso.evaluation.models import Evaluation, EvaluationPeriod, Level
from tests.meetings.helpers import official

D = dt.date
HEADERS = ["Năm", "Đối tượng", "Mã tổ chức", "Số CCCD", "Xếp loại"]

__all__ = ["D", "HEADERS", "level", "members", "official", "open_year", "entry", "xlsx"]


def members(cell: Any, n: int, prefix: str = "Đảng viên") -> list[Any]:
    return [official(cell, f"{prefix} {cell.code} {i:03d}") for i in range(n)]


def open_year(org: Any, year: int = 2024, **kw: Any) -> EvaluationPeriod:
    period = ev.open_period(None, org, ev.PeriodInput(year=year, **kw))
    return period


def level(period: EvaluationPeriod, code: str, subject: str = "member") -> Level:
    return Level.objects.get(scheme=period.scheme, subject=subject, code=code)


def entry(period: EvaluationPeriod, *, member: Any = None, org: Any = None) -> Evaluation:
    if member is not None:
        return period.entries.get(member=member)
    return period.entries.get(subject="org", org=org)


def xlsx(rows: list[list[Any]], headers: list[str] | None = None) -> io.BytesIO:
    buf = io.BytesIO(table_bytes("Kết quả xếp loại", headers or HEADERS, rows))
    buf.name = "xep-loai.xlsx"
    return buf
