"""The command-line report and importer of the organization tree, registered in OrgsConfig.ready():

    coso report structure --org CODE [--as-of YYYY-MM-DD | dd/mm/yyyy] [--json]
    coso import orgs FILE.xlsx [--dry-run]

The command line runs as the system: it reads the whole tree (a global reader) and imports with actor None.
"""

from __future__ import annotations

import json
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coso.core.dates import format_date, parse_as_of
from coso.core.registry import Entry
from coso.core.text import nfc

from . import importer
from . import queries as q
from .models import Organization


class SystemReader:
    """A reader with a global scope (like a superuser) for the command line, which has no logged-in user."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    is_staff = True
    pk = None
    id = None

    def __str__(self) -> str:
        return "Hệ thống"


# ------------------------------------------------------------------------------------ report structure


def _structure_arguments(parser: Any) -> None:
    parser.add_argument("--org", required=True, help="Mã tổ chức (ví dụ H1).")
    parser.add_argument(
        "--as-of",
        dest="as_of",
        default=None,
        help="Tính đến ngày, dạng YYYY-MM-DD hoặc dd/mm/yyyy (mặc định: hôm nay).",
    )
    parser.add_argument("--json", action="store_true", help="In một đối tượng JSON thay vì bảng.")


def run_structure(command: BaseCommand, **options: Any) -> None:
    code = nfc(options.get("org"))
    org = Organization.objects.filter(code__iexact=code).first() if code else None
    if org is None:
        raise CommandError(f"Không tìm thấy tổ chức có mã “{code}”; hãy kiểm tra lại mã tổ chức (--org).")
    try:
        as_of = parse_as_of(options.get("as_of"))
    except ValueError as exc:
        raise CommandError(f"Ngày --as-of không hợp lệ: {exc}") from exc
    report = q.structure(SystemReader(), org, as_of)
    if options.get("json"):
        command.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
        return
    command.stdout.write(structure_text(report))


def structure_text(report: q.StructureReport) -> str:
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


# ----------------------------------------------------------------------------------------- import orgs


def _import_arguments(parser: Any) -> None:
    parser.add_argument("file", help="Tệp Excel .xlsx theo mẫu nhập tổ chức.")
    parser.add_argument(
        "--dry-run", dest="dry_run", action="store_true", help="Chỉ kiểm tra tệp, không ghi gì."
    )


def run_import(command: BaseCommand, **options: Any) -> None:
    path = options["file"]
    if not os.path.exists(path):
        raise CommandError(f"Không tìm thấy tệp {path}; hãy kiểm tra đường dẫn.")
    dry_run = bool(options.get("dry_run"))
    result = importer.import_orgs(path, None, dry_run=dry_run)
    if result.errors:
        for error in result.errors:
            command.stderr.write(str(error))
        raise CommandError(
            f"Tệp {os.path.basename(path)} có {len(result.errors)} lỗi; chưa ghi gì. Hãy sửa các lỗi trên rồi "
            "nhập lại."
        )
    plan = result.plan
    rows = plan.to_create
    skipped = len(plan.skipped)
    if dry_run:
        command.stdout.write(f"Tệp hợp lệ (chạy thử, chưa ghi gì): sẽ tạo {len(rows)} tổ chức.")
    else:
        command.stdout.write(f"Đã nhập {len(result.created)} tổ chức từ tệp {os.path.basename(path)}.")
    for kind, n in sorted(plan.by_kind().items()):
        command.stdout.write(f"  {kind}: {n}")
    if skipped:
        command.stdout.write(f"Bỏ qua {skipped} tổ chức đã có trong hệ thống với dữ liệu giống hệt.")
    if not dry_run and result.decisions:
        command.stdout.write(f"Ghi nhận {len(result.decisions)} quyết định.")


STRUCTURE = Entry(
    name="structure",
    help="Cơ cấu tổ chức dưới một tổ chức vào một ngày (số TCCSĐ, chi bộ, theo loại và phân loại).",
    add_arguments=_structure_arguments,
    run=run_structure,
)
IMPORT_ORGS = Entry(
    name="orgs",
    help="Nhập danh sách tổ chức đảng từ tệp Excel theo mẫu (cả tệp hoặc không gì).",
    add_arguments=_import_arguments,
    run=run_import,
)
