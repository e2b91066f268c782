"""The command-line member statistics, registered when MembersConfig.ready() imports this module:

    coso report members --org CODE [--as-of YYYY-MM-DD | dd/mm/yyyy] [--from YYYY-MM-DD] [--json]

The command line runs as the system (a global reader).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coso.core.dates import format_date, parse_as_of, parse_date
from coso.core.registry import Entry, register_report
from coso.core.text import nfc
from coso.orgs.models import Organization
from coso.orgs.reports_cli import SystemReader

from . import queries as q


def _arguments(parser: Any) -> None:
    parser.add_argument("--org", required=True, help="Mã tổ chức (ví dụ X1).")
    parser.add_argument(
        "--as-of",
        dest="as_of",
        default=None,
        help="Tính đến ngày, dạng YYYY-MM-DD hoặc dd/mm/yyyy (mặc định: hôm nay).",
    )
    parser.add_argument(
        "--from",
        dest="period_from",
        default=None,
        help="Biến động tính từ ngày (mặc định: ngày 01/01 của năm tính đến).",
    )
    parser.add_argument("--json", action="store_true", help="In một đối tượng JSON thay vì bảng.")


def run(command: BaseCommand, **options: Any) -> None:
    code = nfc(options.get("org"))
    org = Organization.objects.filter(code__iexact=code).first() if code else None
    if org is None:
        raise CommandError(f"Không tìm thấy tổ chức có mã “{code}”; hãy kiểm tra lại mã tổ chức (--org).")
    try:
        as_of = parse_as_of(options.get("as_of"))
    except ValueError as exc:
        raise CommandError(f"Ngày --as-of không hợp lệ: {exc}") from exc
    period_from = None
    if options.get("period_from"):
        try:
            period_from = parse_date(options["period_from"])
        except ValueError as exc:
            raise CommandError(f"Ngày --from không hợp lệ: {exc}") from exc
        if period_from > as_of:
            raise CommandError("Ngày --from phải trước hoặc bằng ngày --as-of.")
    stats = q.statistics(SystemReader(), org, as_of, period_from=period_from)
    if options.get("json"):
        command.stdout.write(json.dumps(stats.as_json(), ensure_ascii=False))
        return
    command.stdout.write(statistics_text(stats))


def statistics_text(stats: q.Statistics) -> str:
    """The statistics as a readable Vietnamese table."""
    if stats.period is None:
        return f"Tổ chức {stats.org.code} không tồn tại vào ngày {format_date(stats.as_of)}."
    blocks: list[tuple[str, list[tuple[str, int]]]] = [
        (
            "Đảng viên",
            [
                ("Tổng số", stats.total),
                ("Chính thức", stats.official),
                ("Dự bị", stats.probationary),
            ],
        )
    ]
    blocks += [(title, list(values.items())) for _key, title, values in stats.breakdowns()]
    blocks.append(
        (
            f"Biến động từ {format_date(stats.period_from)} đến {format_date(stats.as_of)}",
            [(q.MOVEMENTS[k], n) for k, n in stats.movements.items()],
        )
    )
    labels = [label for _t, rows in blocks for label, _n in rows]
    width = max([len(label) for label in labels] + [10]) + 2
    lines = [
        f"Thống kê đảng viên của {stats.org_name} ({stats.org.code}) tính đến ngày {format_date(stats.as_of)}",
    ]
    for title, rows in blocks:
        lines += ["", f"{title}:"]
        lines += [f"  {label:<{width}}{n:>8}" for label, n in rows]
    return "\n".join(lines)


MEMBERS = Entry(
    name="members",
    help="Thống kê đảng viên dưới một tổ chức vào một ngày (chính thức, dự bị, các cơ cấu, biến động).",
    add_arguments=_arguments,
    run=run,
)

register_report(MEMBERS)
