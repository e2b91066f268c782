"""The Excel import of members (the shared import flow)."""

from __future__ import annotations

from typing import Any

from coso.core import pages
from coso.core.dates import today
from coso.core.errors import DomainError
from coso.core.import_flow import ExcelImportFlow
from coso.orgs import queries as orgs_queries

from ._common import _can_change

# The import runs as two background jobs, a check then the write, through the flow shared with the other
# imports (`coso.core.import_flow`). The handlers below run in the task worker, not in a request.

SHOWN_ERRORS = 1000  # errors kept for the page (a file may have one per row)
SHOWN_CELLS = 200  # cells listed in the preview


def _import_summary(result: Any) -> dict[str, Any]:
    """What the page shows after a check or a write, small enough for the job's JSON (not the plan itself)."""
    plan = result.plan
    by_cell = plan.by_cell() if result.ok else {}
    ids = {plan.cells[c][0] for c in list(by_cell)[:SHOWN_CELLS] if c in plan.cells}
    names = orgs_queries.names_on(ids, today())
    return {
        "ok": result.ok,
        "filename": plan.filename,
        "error_count": len(result.errors),
        "errors": [
            {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
            for e in result.errors[:SHOWN_ERRORS]
        ],
        "rows": len(plan.rows),
        "official": plan.official if result.ok else 0,
        "probationary": plan.probationary if result.ok else 0,
        "cells": [
            [code, names.get(plan.cells[code][0], "") if code in plan.cells else "", n]
            for code, n in list(by_cell.items())[:SHOWN_CELLS]
        ],
        "cell_count": len(by_cell),
        "created": result.created,
        "under": next(iter(by_cell)) if len(by_cell) == 1 else "",
    }


def _refusal(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return f"Không nhập được: {pages.error_text(exc)}. Chưa ghi gì; hãy chọn lại tệp để kiểm tra."
    return (
        "Không nhập được: tệp có chi bộ không thuộc phạm vi bạn được quyền thay đổi. Chưa ghi gì; hãy sửa cột "
        "“Mã chi bộ” rồi chọn lại tệp."
    )


IMPORT = ExcelImportFlow(
    name="coso.members.views.IMPORT",
    namespace="members",
    importer="coso.members.importer.import_members",
    sample="coso.members.importer.template_bytes",
    sample_name="mau-nhap-dang-vien.xlsx",
    can_write=_can_change,
    refused="Bạn không có quyền thay đổi đảng viên.",
    page="Nhập đảng viên từ Excel",
    noun="đảng viên",
    written="Đã nhập {count} đảng viên.",
    not_xlsx="Tệp “{name}” không phải tệp Excel .xlsx; hãy lưu lại theo định dạng .xlsx rồi chọn lại.",
    reading="Đã đọc {done} / khoảng {total} dòng",
    summary=_import_summary,
    refusal=_refusal,
)
