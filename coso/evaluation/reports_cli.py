"""The command-line classification report, registered in EvaluationConfig.ready():

    coso report evaluation --org CODE --year YYYY [--as-of D] [--all] [--json]

The JSON object's keys are a contract: `org`, `year`, `scheme` (the code of the scheme of that year),
`organizations` (level name → number of grassroots organizations of the subtree, the organization itself
excluded), `members` (level name → number of members) and `members_not_evaluated` (each with its `reason`), plus
the percentages, the counts by rank and the scheme's name and source (`queries.Results.as_json`). By default only
published results count; `--all` adds decided results not yet published. The command line runs as the system.
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
    cli.add_org(parser, "H1")
    parser.add_argument("--year", required=True, type=int, help="Năm xếp loại (ví dụ 2017).")
    cli.add_as_of(parser, "Kết quả đã biết đến ngày (mặc định: hôm nay).")
    parser.add_argument(
        "--all", dest="all", action="store_true", help="Tính cả kết quả đã quyết định chưa công bố."
    )
    cli.add_json(parser)


def run(command: BaseCommand, **options: Any) -> None:
    org = cli.org_option(options)
    as_of = cli.as_of_option(options)
    year = int(options["year"])
    if not 1930 <= year <= as_of.year:
        raise CommandError(f"Năm {year} không hợp lệ; hãy ghi năm từ 1930 đến {as_of.year}.")
    report = queries.results(SystemReader(), org, year, as_of=as_of, published_only=not options.get("all"))
    cli.write_report(command, options, report, results_text)


def results_text(r: queries.Results) -> str:
    """The results as a readable Vietnamese table."""
    lines = [
        f"Kết quả xếp loại năm {r.year} của {r.org_name} ({r.org.code}), tính đến ngày {format_date(r.as_of)}",
        f"Phương thức: {r.scheme.name} – {r.scheme_source}",
        "",
        f"Tổ chức cơ sở đảng: {r.organizations_evaluated} đã xếp loại / {r.organizations_total}",
    ]
    width = max([len(k) for k in [*r.organizations, *r.members]] + [10]) + 2
    for name, n in r.organizations.items():
        lines.append(f"  {name:<{width}}{n:>8}  {r.percent(r.organizations)[name]:>6.2f}%")
    lines += ["", f"Đảng viên: {r.members_evaluated} đã xếp loại"]
    for name, n in r.members.items():
        lines.append(f"  {name:<{width}}{n:>8}  {r.percent(r.members)[name]:>6.2f}%")
    lines += ["", f"Đảng viên không xếp loại: {r.members_not_evaluated_total}"]
    for row in r.members_not_evaluated:
        lines.append(f"  {row['name']} ({row['cell_name']}): {row['reason']}")
    return "\n".join(lines)


EVALUATION = Entry(
    name="evaluation",
    help="Kết quả đánh giá, xếp loại của một năm dưới một tổ chức (tổ chức cơ sở đảng, đảng viên, số không xếp loại).",
    add_arguments=_arguments,
    run=run,
)
