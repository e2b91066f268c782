"""The summary report of a year's classification (báo cáo kết quả đánh giá, xếp loại) as a Word document in the
Party's document format (header table: the issuing committee left, "ĐẢNG CỘNG SẢN VIỆT NAM" right; title; body;
tables; signature), built from the pieces of `coso.core.documents`."""

from __future__ import annotations

from typing import Any

from coso.core import documents as docs
from coso.core.dates import today

from . import rules
from .queries import Results


def _pct(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + "%"


def summary_report(
    r: Results, weak: list[dict[str, Any]], cells: dict[str, int] | None = None, place: str = ""
) -> bytes:
    """The report of `r` (one year under one organization) with its weak units."""
    on = today()
    committee = docs.committee(r.org_name)
    doc = docs.document()
    docs.letterhead(doc, [(r.org_name.upper(), "bold"), (committee.upper(), "bold")], "Số ……-BC/…", place, on)
    docs.title(
        doc, "BÁO CÁO", f"Kết quả đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm {r.year}"
    )

    doc.add_paragraph(
        f"Thực hiện {r.scheme_source} ({r.scheme.name}), {committee} báo cáo kết quả đánh giá, xếp loại chất lượng "
        f"năm {r.year} của các tổ chức cơ sở đảng và đảng viên trong {r.org_name} như sau:"
    )
    docs.heading(doc, "1. Đối với tổ chức cơ sở đảng")
    doc.add_paragraph(
        f"Tổng số tổ chức cơ sở đảng: {r.organizations_total}; đã đánh giá, xếp loại: {r.organizations_evaluated}."
    )
    org_pct = r.percent(r.organizations)
    docs.table(
        doc,
        ["Mức xếp loại", "Số lượng", "Tỷ lệ"],
        [[k, v, _pct(org_pct[k])] for k, v in r.organizations.items()],
    )
    if cells and sum(cells.values()):
        doc.add_paragraph(f"Chi bộ trực thuộc, đảng bộ bộ phận đã đánh giá, xếp loại: {sum(cells.values())}.")
        cell_pct = r.percent(cells)
        docs.table(
            doc, ["Mức xếp loại", "Số lượng", "Tỷ lệ"], [[k, v, _pct(cell_pct[k])] for k, v in cells.items()]
        )
    docs.heading(doc, "2. Đối với đảng viên")
    doc.add_paragraph(
        f"Đảng viên được đánh giá, xếp loại: {r.members_evaluated}; không đánh giá, xếp loại: "
        f"{r.members_not_evaluated_total} (miễn, đình chỉ sinh hoạt, mới kết nạp hoặc chưa có kết quả)."
    )
    mem_pct = r.percent(r.members)
    docs.table(
        doc,
        ["Mức xếp loại", "Số lượng", "Tỷ lệ"],
        [[k, v, _pct(mem_pct[k])] for k, v in r.members.items()],
    )
    docs.heading(doc, "3. Tổ chức đảng yếu kém, không hoàn thành nhiệm vụ")
    if weak:
        docs.table(
            doc,
            ["Tổ chức", "Xếp loại", "Các năm trước (bậc)"],
            [
                [
                    w["org_name"],
                    w["level"] or "",
                    ", ".join(f"{y}: {k}" for y, k in w["earlier_ranks"].items()),
                ]
                for w in weak
            ],
        )
    else:
        doc.add_paragraph("Không có tổ chức đảng nào.")
    note = doc.add_paragraph(rules.RANK_NOTE)
    note.runs[0].italic = True

    docs.sign_off(
        doc,
        [(f"T/M {committee.upper()}", "bold"), ("(Ký tên, đóng dấu)", "italic")],
        recipients=["- Cấp ủy cấp trên;", "- Lưu."],
    )
    return docs.to_bytes(doc)
