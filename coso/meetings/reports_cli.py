"""The command-line meeting compliance report, registered when MeetingsConfig.ready() imports this module:

    coso report meetings --org CODE --from YYYY-MM-DD --to YYYY-MM-DD [--as-of YYYY-MM-DD] [--json]

The JSON object carries at least `org`, `cells`, `regular_held`, `regular_expected`, `thematic_quarters_met`,
`thematic_quarters_expected`, `attendance_rate` (a contract: exact names), plus the drill-down rows, the yearly
bar and the alerts. The command line runs as the system (a global reader).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coso.core.dates import format_date, parse_as_of, parse_date
from coso.core.errors import DomainError
from coso.core.registry import Entry, register_report
from coso.core.text import nfc
from coso.orgs.models import Organization
from coso.orgs.reports_cli import SystemReader

from . import queries as q


def _arguments(parser: Any) -> None:
    parser.add_argument("--org", required=True, help="Mã tổ chức (ví dụ X1).")
    parser.add_argument(
        "--from", dest="date_from", required=True, help="Từ ngày, YYYY-MM-DD hoặc dd/mm/yyyy."
    )
    parser.add_argument("--to", dest="date_to", required=True, help="Đến ngày, YYYY-MM-DD hoặc dd/mm/yyyy.")
    parser.add_argument(
        "--as-of",
        dest="as_of",
        default=None,
        help="Tính đến ngày (mặc định: hôm nay); tháng chưa kết thúc vào ngày này chưa tính.",
    )
    parser.add_argument("--json", action="store_true", help="In một đối tượng JSON thay vì bảng.")


def _date(options: dict[str, Any], key: str, flag: str) -> Any:
    try:
        return parse_date(options.get(key))
    except ValueError as exc:
        raise CommandError(f"Ngày {flag} không hợp lệ: {exc}") from exc


def run(command: BaseCommand, **options: Any) -> None:
    code = nfc(options.get("org"))
    org = Organization.objects.filter(code__iexact=code).first() if code else None
    if org is None:
        raise CommandError(f"Không tìm thấy tổ chức có mã “{code}”; hãy kiểm tra lại mã tổ chức (--org).")
    date_from = _date(options, "date_from", "--from")
    date_to = _date(options, "date_to", "--to")
    if date_from > date_to:
        raise CommandError("Ngày --from phải trước hoặc bằng ngày --to.")
    try:
        as_of = parse_as_of(options.get("as_of"))
    except ValueError as exc:
        raise CommandError(f"Ngày --as-of không hợp lệ: {exc}") from exc
    try:
        report = q.compliance(SystemReader(), org, date_from, date_to, as_of)
    except DomainError as exc:
        raise CommandError(exc.message) from exc
    if options.get("json"):
        command.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
        return
    command.stdout.write(compliance_text(report))


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def compliance_text(report: q.Compliance) -> str:
    """The compliance report as readable Vietnamese text."""
    lines = [
        f"Tình hình sinh hoạt chi bộ của {report.org_name} ({report.org.code})",
        f"Từ {format_date(report.date_from)} đến {format_date(report.date_to)}, tính đến ngày "
        f"{format_date(report.as_of)} ({report.months} tháng, {report.quarters} quý đã kết thúc)",
        "",
        f"  Số chi bộ:                         {report.cells}",
        f"  Sinh hoạt thường kỳ (chi bộ-tháng): {report.regular_held}/{report.regular_expected}",
        f"  Sinh hoạt chuyên đề (chi bộ-quý):   {report.thematic_quarters_met}/{report.thematic_quarters_expected}",
        f"  Tỷ lệ đảng viên dự họp:            {_rate(report.attendance_rate)}",
    ]
    if report.rows:
        lines += ["", "Theo đơn vị trực thuộc:"]
        width = max(len(r.name) for r in report.rows) + 2
        for r in report.rows:
            lines.append(
                f"  {r.name:<{width}} thường kỳ {r.regular_held}/{r.regular_expected}, chuyên đề "
                f"{r.thematic_quarters_met}/{r.thematic_quarters_expected}, dự họp {_rate(r.attendance_rate)}"
            )
    if report.below_year_bar:
        lines += ["", f"Chi bộ sinh hoạt dưới {report.min_per_year} kỳ/năm:"]
        lines += [
            f"  {b['org_name']} ({b['org']}) năm {b['year']}: {b['regular_held']} kỳ"
            for b in report.below_year_bar
        ]
    a = report.alerts
    sections = [
        (
            f"Chi bộ lâu không sinh hoạt ({a.cells_without_meeting_total})",
            [f"{c['org_name']} ({c['org']}): {c['days']} ngày" for c in a.cells_without_meeting],
        ),
        (
            f"Biên bản chưa thông qua ({a.minutes_not_adopted_total})",
            [f"{m['org']} ngày {m['date']}" for m in a.minutes_not_adopted],
        ),
        (
            f"Nhiệm vụ nghị quyết quá hạn ({a.overdue_tasks_total})",
            [f"{t['org']}: {t['description']} (hạn {t['deadline']})" for t in a.overdue_tasks],
        ),
        (
            f"Đảng viên vắng không lý do nhiều tháng ({len(a.absent_members)})",
            [f"{m['name']} – {m['org_name']}: {', '.join(m['months'])}" for m in a.absent_members],
        ),
        (
            f"Đảng viên chưa đóng đảng phí nhiều tháng ({len(a.unpaid_dues_members)})",
            [f"{m['name']} – {m['org_name']}: {', '.join(m['months'])}" for m in a.unpaid_dues_members],
        ),
    ]
    for title, items in sections:
        if items:
            lines += ["", f"{title}:"] + [f"  {i}" for i in items]
    lines += ["", "Các cảnh báo để chi bộ xem xét; Coso không tự động xử lý."]
    return "\n".join(lines)


MEETINGS = Entry(
    name="meetings",
    help="Tình hình sinh hoạt chi bộ của một tổ chức trong một khoảng thời gian (thường kỳ, chuyên đề, dự họp, "
    "cảnh báo).",
    add_arguments=_arguments,
    run=run,
)

register_report(MEETINGS)
