"""The command-line report of the organization tree, registered in OrgsConfig.ready():

    coso report structure --org CODE [--as-of YYYY-MM-DD | dd/mm/yyyy] [--json]

The command line runs as the system: it reads the whole tree (a global reader). `coso import orgs` is the
importer's (`coso.orgs.importer.IMPORT_ORGS`).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from coso.core.dates import format_date
from coso.core.registry import Entry
from coso.core.scope import SystemReader

from . import cli, queries

# ------------------------------------------------------------------------------------ report structure


def _structure_arguments(parser: Any) -> None:
    cli.add_org(parser, "H1")
    cli.add_as_of(parser)
    cli.add_json(parser)


def run_structure(command: BaseCommand, **options: Any) -> None:
    org = cli.org_option(options)
    report = queries.structure(SystemReader(), org, cli.as_of_option(options))
    cli.write_report(command, options, report, structure_text)


def structure_text(report: queries.StructureReport) -> str:
    """The structure report as a readable Vietnamese table."""
    if report.period is None:
        org = report.org
        life = f"thành lập ngày {format_date(org.established_on)}"
        if org.dissolved_on:
            life += f", giải thể ngày {format_date(org.dissolved_on)}"
        return f"Tổ chức {org.code} không tồn tại vào ngày {format_date(report.as_of)} ({life})."
    lines = [
        f"Cơ cấu tổ chức của {report.period.name} ({report.org.code}) tính đến ngày {format_date(report.as_of)}",
        "",
    ]
    summary = [
        ("Tổ chức cơ sở đảng", report.grassroots_total),
        ("Chi bộ trực thuộc đảng ủy cơ sở", report.cells_total),
        ("Tổng số tổ chức trực thuộc", report.total),
    ]
    detail = [(f"{kind} – {cat}", n) for kind, cats in report.by_category.items() for cat, n in cats.items()]
    width = max(len(label) for label, _ in [*summary, *report.by_kind.items(), *detail])
    lines += [f"{label:<{width}}  {n:>7}" for label, n in summary]
    if report.by_kind:
        lines += ["", "Theo loại tổ chức:"]
        lines += [f"{label:<{width}}  {n:>7}" for label, n in report.by_kind.items()]
        lines += ["", "Theo loại và phân loại:"]
        lines += [f"{label:<{width}}  {n:>7}" for label, n in detail]
    return "\n".join(lines)


STRUCTURE = Entry(
    name="structure",
    help="Cơ cấu tổ chức dưới một tổ chức vào một ngày (số TCCSĐ, chi bộ, theo loại và phân loại).",
    add_arguments=_structure_arguments,
    run=run_structure,
)
