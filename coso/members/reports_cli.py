"""The command-line member statistics, registered in MembersConfig.ready():

    coso report members --org CODE [--as-of YYYY-MM-DD | dd/mm/yyyy] [--from YYYY-MM-DD] [--json]

The command line runs as the system (a global reader).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coso.core.dates import format_date
from coso.core.registry import Entry
from coso.core.scope import SystemReader
from coso.orgs import cli

from . import queries


def _arguments(parser: Any) -> None:
    cli.add_org(parser, "X1")
    cli.add_as_of(parser)
    parser.add_argument(
        "--from",
        dest="period_from",
        default=None,
        help="Biến động tính từ ngày (mặc định: ngày 01/01 của năm tính đến).",
    )
    cli.add_json(parser)


def run(command: BaseCommand, **options: Any) -> None:
    org = cli.org_option(options)
    as_of = cli.as_of_option(options)
    period_from = None
    if options.get("period_from"):
        period_from = cli.date_option(options, "period_from", "--from")
        if period_from > as_of:
            raise CommandError("Ngày --from phải trước hoặc bằng ngày --as-of.")
    stats = queries.statistics(SystemReader(), org, as_of, period_from=period_from)
    cli.write_report(command, options, stats, statistics_text)


def statistics_text(stats: queries.Statistics) -> str:
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
            [(queries.MOVEMENTS[k], n) for k, n in stats.movements.items()],
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
