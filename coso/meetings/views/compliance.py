"""The compliance of a subtree with the meeting rhythm: figures, alerts, the Excel file."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coso.core import pages
from coso.core.dates import format_date
from coso.core.errors import DomainError
from coso.core.excel import Sheet, workbook_bytes
from coso.orgs import queries as orgs_queries

from .. import queries


def _pct(n: int, total: int) -> int:
    return round(100 * n / total) if total else 0


def _compliance_xlsx(report: queries.Compliance) -> bytes:
    heading = [
        f"Tình hình sinh hoạt chi bộ – {report.org_name}",
        f"Từ {format_date(report.date_from)} đến {format_date(report.date_to)}, số liệu đến ngày "
        f"{format_date(report.as_of)}",
    ]
    rate = report.attendance_rate
    summary = [
        ("Số chi bộ", report.cells),
        ("Số tháng tính", report.months),
        ("Kỳ thường kỳ đã họp (chi bộ × tháng)", report.regular_held),
        ("Kỳ thường kỳ phải họp", report.regular_expected),
        ("Quý có sinh hoạt chuyên đề", report.thematic_quarters_met),
        ("Quý phải có sinh hoạt chuyên đề", report.thematic_quarters_expected),
        ("Tỷ lệ dự họp (%)", round(100 * rate, 2) if rate is not None else None),
    ]
    rows = [
        (
            r.code,
            r.name,
            r.cells,
            r.regular_held,
            r.regular_expected,
            r.thematic_quarters_met,
            r.thematic_quarters_expected,
            round(100 * r.attendance_rate, 2) if r.attendance_rate is not None else None,
        )
        for r in report.rows
    ]
    a = report.alerts
    alerts = (
        [
            ("Chi bộ lâu không sinh hoạt", x["org"], x["org_name"], f"{x['days']} ngày")
            for x in a.cells_without_meeting
        ]
        + [("Biên bản chưa thông qua", x["org"], "", x["date"]) for x in a.minutes_not_adopted]
        + [("Nhiệm vụ quá hạn", x["org"], x["description"], x["deadline"]) for x in a.overdue_tasks]
        + [("Vắng không lý do", x["org"], x["name"], ", ".join(x["months"])) for x in a.absent_members]
        + [("Chưa đóng đảng phí", x["org"], x["name"], ", ".join(x["months"])) for x in a.unpaid_dues_members]
    )
    return workbook_bytes(
        [
            Sheet("Tổng hợp", ["Chỉ tiêu", "Số liệu"], summary, heading=heading),
            Sheet(
                "Theo đơn vị",
                [
                    "Mã",
                    "Tên",
                    "Số chi bộ",
                    "Thường kỳ đã họp",
                    "Thường kỳ phải họp",
                    "Quý có chuyên đề",
                    "Quý phải có chuyên đề",
                    "Tỷ lệ dự họp (%)",
                ],
                rows,
                heading=heading,
            ),
            Sheet("Cảnh báo", ["Loại", "Mã tổ chức", "Nội dung", "Chi tiết"], alerts, heading=heading),
        ]
    )


def _vn(iso: str | None) -> str:
    return format_date(dt.date.fromisoformat(iso)) if iso else ""


def _alerts_shown(alerts: queries.Alerts) -> dict[str, Any]:
    """The alert lists with their dates as dd/mm/yyyy (the query keeps ISO dates for the API and the CLI)."""
    return {
        "cells_without_meeting": [
            {**x, "last_held": _vn(x["last_held"])} for x in alerts.cells_without_meeting[:50]
        ],
        "cells_without_meeting_total": alerts.cells_without_meeting_total,
        "minutes_not_adopted": [{**x, "date": _vn(x["date"])} for x in alerts.minutes_not_adopted[:50]],
        "minutes_not_adopted_total": alerts.minutes_not_adopted_total,
        "overdue_tasks": [{**x, "deadline": _vn(x["deadline"])} for x in alerts.overdue_tasks[:50]],
        "overdue_tasks_total": alerts.overdue_tasks_total,
        "absent_members": alerts.absent_members,
        "unpaid_dues_members": alerts.unpaid_dues_members,
    }


@login_required
def compliance(request: HttpRequest, code: str) -> HttpResponse:
    """Compliance of a subtree over a period as of a date, a row per child (each links to the same page for it),
    charts, alerts to the cells, Excel."""
    org, as_of, frm, to, errors = _compliance_args(request, code)
    xlsx = request.GET.get("format") == "xlsx"
    # the page shows the figures at once and loads the alerts beside them (compliance_alerts); Excel has both
    report = queries.compliance(request.user, org, frm, to, as_of, alerts=xlsx)
    if xlsx:
        return pages.xlsx_response(
            _compliance_xlsx(report), f"sinh-hoat-chi-bo-{org.code}-{as_of:%Y%m%d}.xlsx"
        )
    query = {"from": format_date(frm), "to": format_date(to)}
    if request.GET.get("as_of"):
        query["as_of"] = format_date(as_of)
    rows = [
        {
            "r": r,
            "regular_pct": _pct(r.regular_held, r.regular_expected),
            "thematic_pct": _pct(r.thematic_quarters_met, r.thematic_quarters_expected),
            "rate_pct": round(100 * r.attendance_rate) if r.attendance_rate is not None else None,
            "is_self": r.org_id == org.pk,
        }
        for r in report.rows
    ]
    rate = report.attendance_rate
    period = orgs_queries.nearest_period(org, as_of)
    return render(
        request,
        "meetings/compliance.html",
        {
            "org": org,
            "report": report,
            "rows": rows,
            "query": urlencode(query),
            "from_text": format_date(frm),
            "to_text": format_date(to),
            "errors": errors,
            "regular_pct": _pct(report.regular_held, report.regular_expected),
            "thematic_pct": _pct(report.thematic_quarters_met, report.thematic_quarters_expected),
            "rate_pct": round(100 * rate, 1) if rate is not None else None,
            "ancestors": orgs_queries.ancestors(org, as_of, request.user),
            "is_cell": bool(period and period.kind.is_cell),
            "thresholds": report.thresholds,
        },
    )


def _compliance_args(
    request: HttpRequest, code: str
) -> tuple[Any, dt.date, dt.date, dt.date, dict[str, str]]:
    """The organization (in scope), as-of date and period of a compliance request; a wrong period is said in
    `errors` and the current year shown instead."""
    org = orgs_queries.get_org(request.user, code)
    as_of = pages.as_of(request)
    errors: dict[str, str] = {}
    frm = pages.get_date(request, "from", dt.date(as_of.year, 1, 1), errors)
    to = pages.get_date(request, "to", dt.date(as_of.year, 12, 31), errors)
    try:
        queries.check_period(frm, to)
    except DomainError as exc:
        errors["from"] = pages.error_text(exc)
        frm, to = dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 31)
    return org, as_of, frm, to, errors


@login_required
def compliance_alerts(request: HttpRequest, code: str) -> HttpResponse:
    """The alerts panel of the compliance page (loaded by the page once its figures are shown)."""
    org, as_of, frm, to, _errors = _compliance_args(request, code)
    alerts = queries.compliance_alerts(request.user, org, frm, to, as_of)
    return render(request, "meetings/_compliance_alerts.html", {"alerts": _alerts_shown(alerts), "a": alerts})
