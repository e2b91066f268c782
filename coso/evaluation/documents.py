"""The summary report of a year's classification (báo cáo kết quả đánh giá, xếp loại) as a Word document in the
Party's document format (header table: the issuing committee left, "ĐẢNG CỘNG SẢN VIỆT NAM" right; title; body;
tables; signature), built with python-docx like `coso.members.letters`."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from coso.core.dates import today

from . import rules
from .queries import Results


def _committee(name: str) -> str:
    """The committee that signs for an organization: "Đảng bộ xã X" → "Đảng ủy xã X", "Chi bộ Y" → "Chi ủy Y"."""
    for org_word, committee in (("Đảng bộ", "Đảng ủy"), ("Chi bộ", "Chi ủy")):
        if name.startswith(org_word):
            return committee + name[len(org_word) :]
    return name


def _long_date(d: dt.date) -> str:
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def _table(doc: Any, headers: list[str], rows: list[list[Any]]) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)


def _pct(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + "%"


def summary_report(
    r: Results, weak: list[dict[str, Any]], cells: dict[str, int] | None = None, place: str = ""
) -> bytes:
    """The report of `r` (one year under one organization) with its weak units."""
    on = today()
    committee = _committee(r.org_name)
    doc = Document()
    section = doc.sections[0]
    section.left_margin = Cm(3)
    section.right_margin = Cm(2)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)

    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.rows[0].cells
    left.paragraphs[0].add_run(r.org_name.upper()).bold = True
    left.add_paragraph(committee.upper()).runs[0].bold = True
    left.add_paragraph("*")
    left.add_paragraph("Số ……-BC/…")
    right.paragraphs[0].add_run("ĐẢNG CỘNG SẢN VIỆT NAM").bold = True
    right.add_paragraph(f"{place or '……………'}, {_long_date(on)}").runs[0].italic = True
    for cell in (left, right):
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("BÁO CÁO")
    run.bold = True
    run.font.size = Pt(15)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.add_run(f"Kết quả đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm {r.year}").bold = True

    doc.add_paragraph(
        f"Thực hiện {r.scheme_source} ({r.scheme.name}), {committee} báo cáo kết quả đánh giá, xếp loại chất lượng "
        f"năm {r.year} của các tổ chức cơ sở đảng và đảng viên trong {r.org_name} như sau:"
    )
    doc.add_paragraph().add_run("1. Đối với tổ chức cơ sở đảng").bold = True
    doc.add_paragraph(
        f"Tổng số tổ chức cơ sở đảng: {r.organizations_total}; đã đánh giá, xếp loại: {r.organizations_evaluated}."
    )
    org_pct = r.percent(r.organizations)
    _table(
        doc,
        ["Mức xếp loại", "Số lượng", "Tỷ lệ"],
        [[k, v, _pct(org_pct[k])] for k, v in r.organizations.items()],
    )
    if cells and sum(cells.values()):
        doc.add_paragraph(f"Chi bộ trực thuộc, đảng bộ bộ phận đã đánh giá, xếp loại: {sum(cells.values())}.")
        cell_pct = r.percent(cells)
        _table(
            doc, ["Mức xếp loại", "Số lượng", "Tỷ lệ"], [[k, v, _pct(cell_pct[k])] for k, v in cells.items()]
        )
    doc.add_paragraph().add_run("2. Đối với đảng viên").bold = True
    doc.add_paragraph(
        f"Đảng viên được đánh giá, xếp loại: {r.members_evaluated}; không đánh giá, xếp loại: "
        f"{r.members_not_evaluated_total} (miễn, đình chỉ sinh hoạt, mới kết nạp hoặc chưa có kết quả)."
    )
    mem_pct = r.percent(r.members)
    _table(
        doc,
        ["Mức xếp loại", "Số lượng", "Tỷ lệ"],
        [[k, v, _pct(mem_pct[k])] for k, v in r.members.items()],
    )
    doc.add_paragraph().add_run("3. Tổ chức đảng yếu kém, không hoàn thành nhiệm vụ").bold = True
    if weak:
        _table(
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

    sign = doc.add_table(rows=1, cols=2)
    recv, signer = sign.rows[0].cells
    recv.paragraphs[0].add_run("Nơi nhận:").bold = True
    recv.add_paragraph("- Cấp ủy cấp trên;")
    recv.add_paragraph("- Lưu.")
    signer.paragraphs[0].add_run(f"T/M {committee.upper()}").bold = True
    signer.add_paragraph("(Ký tên, đóng dấu)").runs[0].italic = True
    for _ in range(3):
        signer.add_paragraph("")
    for p in signer.paragraphs:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
