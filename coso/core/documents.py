"""Official documents as Word files (python-docx), in the Party's document format (Hướng dẫn 36-HD/VPTW): the
issuing body top left with “*” and the number, “ĐẢNG CỘNG SẢN VIỆT NAM” top right with the place and date line,
the title, the body, then the recipients and the signature. Every app's letters, minutes and reports are built
from these pieces, so they look the same.

A line of a block is `(text, style)`, the style "" (plain), "bold" or "italic".
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

Line = tuple[str, str]
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
BLANK = "……………"  # a gap to fill in by hand


def long_date(d: dt.date) -> str:
    """The date as a document writes it: “ngày 05 tháng 03 năm 2025”."""
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def committee(name: str) -> str:
    """The committee that signs for an organization: “Đảng bộ xã X” → “Đảng ủy xã X”, “Chi bộ Y” → “Chi ủy Y”."""
    for org_word, body in (("Đảng bộ", "Đảng ủy"), ("Chi bộ", "Chi ủy")):
        if name.startswith(org_word):
            return body + name[len(org_word) :]
    return name


def document(
    *, font_size: int = 13, left_margin: float = 3, right_margin: float = 2, top_margin: float | None = None
) -> Any:
    """A new document: A4 margins in cm (left for the binding), Times New Roman."""
    doc = Document()
    section = doc.sections[0]
    section.left_margin = Cm(left_margin)
    section.right_margin = Cm(right_margin)
    if top_margin is not None:
        section.top_margin = section.bottom_margin = Cm(top_margin)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(font_size)
    return doc


def _write(cell: Any, lines: Sequence[Line]) -> None:
    """`lines` into a table cell: the first into its empty first paragraph, the others as new paragraphs."""
    for i, (text, style) in enumerate(lines):
        paragraph = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        run = paragraph.add_run(text)
        run.bold = style == "bold" or None
        run.italic = style == "italic" or None


def _center(*cells: Any) -> None:
    for cell in cells:
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def paragraph(container: Any, text: str, *, bold: bool = False, italic: bool = False) -> None:
    """A new paragraph in `container` (a document or a table cell) with `text` bold or italic (empty allowed)."""
    run = container.add_paragraph().add_run(text)
    run.bold = bold
    run.italic = italic


def letterhead(
    doc: Any, issuer: Sequence[Line], number: str, place: str, on: dt.date, *, gap: bool = False
) -> None:
    """The header table: the issuing body (its lines, e.g. the body above it then its own name in bold), “*” and
    the document's number on the left; the Party's name and “place, date” on the right (`gap`: a blank line
    between them)."""
    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.rows[0].cells
    _write(left, [*issuer, ("*", ""), (number, "")])
    _write(
        right,
        [(PARTY, "bold"), *([("", "")] if gap else []), (f"{place or BLANK}, {long_date(on)}", "italic")],
    )
    _center(left, right)


def title(doc: Any, text: str, sub: str = "", *, space_before: bool = False, sub_bold: bool = True) -> None:
    """The document's name, centred in bold (15 pt), and the line under it."""
    if space_before:
        doc.add_paragraph("")
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = True
    run.font.size = Pt(15)
    if sub:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(sub).bold = sub_bold or None


def heading(doc: Any, text: str) -> None:
    """A section heading of the body, in bold."""
    doc.add_paragraph().add_run(text).bold = True


def table(doc: Any, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, centered: bool = True) -> None:
    """A gridded table with a bold header row."""
    grid = doc.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    if centered:
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(grid.rows[0].cells, headers, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        for cell, value in zip(grid.add_row().cells, row, strict=True):
            cell.text = str(value)


def sign_off(doc: Any, signer: Sequence[Line], *, recipients: Sequence[str] = (), name: str = "") -> None:
    """The end of a document: “Nơi nhận:” and its lines on the left (when there are recipients), the signer's
    block on the right (its lines, room for the signature and seal, then the signer's name)."""
    block = doc.add_table(rows=1, cols=2)
    left, right = block.rows[0].cells
    if recipients:
        _write(left, [("Nơi nhận:", "bold"), *((r, "") for r in recipients)])
    _write(right, [*signer, ("", ""), ("", ""), ("", ""), *([(name, "bold")] if name else [])])
    _center(right)


def signatures(doc: Any, signers: Sequence[tuple[str, str]]) -> None:
    """Signers side by side (the secretary and the chair of a meeting): each role in capitals, “(Ký, ghi rõ họ
    tên)”, room to sign, the name."""
    doc.add_paragraph("")
    block = doc.add_table(rows=1, cols=len(signers))
    for cell, (role, name) in zip(block.rows[0].cells, signers, strict=True):
        _write(
            cell,
            [
                (role.upper(), "bold"),
                ("(Ký, ghi rõ họ tên)", "italic"),
                ("", ""),
                ("", ""),
                ("", ""),
                (name, "bold"),
            ],
        )
        _center(cell)


def to_bytes(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
