"""The command-line meeting compliance report, registered in MeetingsConfig.ready():

    coso report meetings --org CODE --from YYYY-MM-DD --to YYYY-MM-DD [--as-of YYYY-MM-DD] [--json]

The JSON object carries at least `org`, `cells`, `regular_held`, `regular_expected`, `thematic_quarters_met`,
`thematic_quarters_expected`, `attendance_rate` (a contract: exact names), plus the drill-down rows, the yearly
bar and the alerts. The command line runs as the system (a global reader).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coso.core.dates import format_date
from coso.core.errors import DomainError
from coso.core.registry import Entry
from coso.core.scope import SystemReader
from coso.orgs import cli

from . import queries


def _arguments(parser: Any) -> None:
    cli.add_org(parser, "X1")
    parser.add_argument(
        "--from", dest="date_from", required=True, help="Từ ngày, YYYY-MM-DD hoặc dd/mm/yyyy."
    )
    parser.add_argument("--to", dest="date_to", required=True, help="Đến ngày, YYYY-MM-DD hoặc dd/mm/yyyy.")
    cli.add_as_of(parser, "Tính đến ngày (mặc định: hôm nay); tháng chưa kết thúc vào ngày này chưa tính.")
    cli.add_json(parser)


def run(command: BaseCommand, **options: Any) -> None:
    org = cli.org_option(options)
    date_from = cli.date_option(options, "date_from", "--from")
    date_to = cli.date_option(options, "date_to", "--to")
    if date_from > date_to:
        raise CommandError("Ngày --from phải trước hoặc bằng ngày --to.")
    as_of = cli.as_of_option(options)
    try:
        report = queries.compliance(SystemReader(), org, date_from, date_to, as_of)
    except DomainError as exc:
        raise CommandError(exc.message) from exc
    cli.write_report(command, options, report, compliance_text)


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def compliance_text(report: queries.Compliance) -> str:
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
