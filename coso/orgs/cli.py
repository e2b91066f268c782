"""What every `coso report NAME` shares (the apps' `reports_cli` modules): the arguments `--org`, `--as-of`,
`--json` and other dates, the organization `--org` names, and the report printed as JSON or as text.

The command line runs as the system (`coso.core.scope.SystemReader`: a reader of the whole tree). Its errors are
`CommandError`s in Vietnamese that name the flag to fix.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from coso.core.dates import parse_as_of, parse_date
from coso.core.scope import SystemReader
from coso.core.text import nfc

from . import queries
from .models import Organization

AS_OF_HELP = "Tính đến ngày, dạng YYYY-MM-DD hoặc dd/mm/yyyy (mặc định: hôm nay)."


def add_org(parser: Any, example: str) -> None:
    parser.add_argument("--org", required=True, help=f"Mã tổ chức (ví dụ {example}).")


def add_as_of(parser: Any, help: str = AS_OF_HELP) -> None:
    parser.add_argument("--as-of", dest="as_of", default=None, help=help)


def add_json(parser: Any) -> None:
    parser.add_argument("--json", action="store_true", help="In một đối tượng JSON thay vì bảng.")


def org_option(options: dict[str, Any]) -> Organization:
    """The organization `--org` names (any case), or a CommandError saying to check the code."""
    code = nfc(options.get("org"))
    org = queries.orgs(SystemReader()).filter(code__iexact=code).first() if code else None
    if org is None:
        raise CommandError(f"Không tìm thấy tổ chức có mã “{code}”; hãy kiểm tra lại mã tổ chức (--org).")
    return org


def date_option(options: dict[str, Any], key: str, flag: str) -> dt.date:
    """A required date option (YYYY-MM-DD or dd/mm/yyyy)."""
    try:
        return parse_date(options.get(key))
    except ValueError as exc:
        raise CommandError(f"Ngày {flag} không hợp lệ: {exc}") from exc


def as_of_option(options: dict[str, Any]) -> dt.date:
    """`--as-of`, today when absent."""
    try:
        return parse_as_of(options.get("as_of"))
    except ValueError as exc:
        raise CommandError(f"Ngày --as-of không hợp lệ: {exc}") from exc


def write_report(
    command: BaseCommand, options: dict[str, Any], report: Any, text: Callable[[Any], str]
) -> None:
    """The report as one JSON object (`--json`: its `as_json()`, a contract) or as the readable text."""
    if options.get("json"):
        command.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        command.stdout.write(text(report))
