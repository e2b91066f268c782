"""The command-line classification report, registered when EvaluationConfig.ready() imports this module:

    coso report evaluation --org CODE --year YYYY [--as-of D] [--all] [--json]

The JSON object's keys are a contract: `org`, `year`, `scheme` (the code of the scheme of that year),
`organizations` (level name → number of grassroots organizations of the subtree, the organization itself
excluded), `members` (level name → number of members) and `members_not_evaluated` (each with its `reason`), plus
the percentages, the counts by rank and the scheme's name and source (`queries.Results.as_json`). By default only
published results count; `--all` adds decided results not yet published. The command line runs as the system.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coso.core.dates import format_date, parse_as_of
from coso.core.registry import Entry, register_report
from coso.core.text import nfc
from coso.orgs.models import Organization
from coso.orgs.reports_cli import SystemReader

from . import queries as q


def _arguments(parser: Any) -> None:
    parser.add_argument("--org", required=True, help="Mã tổ chức (ví dụ H1).")
    parser.add_argument("--year", required=True, type=int, help="Năm xếp loại (ví dụ 2017).")
    parser.add_argument(
        "--as-of", dest="as_of", default=None, help="Kết quả đã biết đến ngày (mặc định: hôm nay)."
    )
    parser.add_argument(
        "--all", dest="all", action="store_true", help="Tính cả kết quả đã quyết định chưa công bố."
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
    year = int(options["year"])
    if not 1930 <= year <= as_of.year:
        raise CommandError(f"Năm {year} không hợp lệ; hãy ghi năm từ 1930 đến {as_of.year}.")
    report = q.results(SystemReader(), org, year, as_of=as_of, published_only=not options.get("all"))
    if options.get("json"):
        command.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
        return
    command.stdout.write(results_text(report))


def results_text(r: q.Results) -> str:
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

register_report(EVALUATION)
