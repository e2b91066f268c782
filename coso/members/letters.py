"""The transfer letter (giấy giới thiệu sinh hoạt đảng) as a Word document, built with python-docx."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from coso.core.dates import active_on
from coso.orgs import queries as oq
from coso.orgs.models import Organization

from .models import Status, Transfer


def _name(org: Organization | None, on: dt.date) -> str:
    if org is None:
        return ""
    period = oq.display_period(org, on)
    return period.name if period else org.code


def _issuer(org: Organization | None, on: dt.date) -> str:
    """The committee that issues the letter: the grassroots organization above the sending cell (or the cell)."""
    if org is None:
        return ""
    for p in reversed(oq.ancestors(org, on)):
        if p.kind.is_grassroots:
            return p.name
    return _name(org, on)


def _committee(name: str) -> str:
    """The committee that signs for an organization: "Đảng bộ xã X" → "Đảng ủy xã X", "Chi bộ Y" → "Chi ủy Y"."""
    for org_word, committee in (("Đảng bộ", "Đảng ủy"), ("Chi bộ", "Chi ủy")):
        if name.startswith(org_word):
            return committee + name[len(org_word) :]
    return name


def _long_date(d: dt.date) -> str:
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def transfer_letter(transfer: Transfer, place: str = "") -> bytes:
    """The letter for `transfer`: what the member presents at the receiving organization."""
    member = transfer.member
    on = transfer.left_on
    status = member.statuses.filter(active_on(on)).first()
    official = status is not None and status.status == Status.OFFICIAL
    sender = _name(transfer.from_org, on) or transfer.from_outside
    receiver = _name(transfer.to_org, on) or transfer.to_outside
    issuer = _issuer(transfer.from_org, on) or sender
    committee = _committee(issuer)
    days = (transfer.present_by - transfer.left_on).days

    doc = Document()
    section = doc.sections[0]
    section.left_margin = section.right_margin = Cm(2)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)

    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.rows[0].cells
    left.paragraphs[0].add_run(issuer.upper()).bold = True
    left.add_paragraph(committee.upper()).runs[0].bold = True
    left.add_paragraph("*")
    left.add_paragraph(f"Số {transfer.letter_number or '……'}-GGT")
    right.paragraphs[0].add_run("ĐẢNG CỘNG SẢN VIỆT NAM").bold = True
    right.add_paragraph(f"{place or '……………'}, {_long_date(on)}").runs[0].italic = True
    for cell in (left, right):
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG")
    run.bold = True
    run.font.size = Pt(15)
    sub = doc.add_paragraph(f"({transfer.get_kind_display()})")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER

    lines = [
        f"{committee} trân trọng giới thiệu:",
        f"Đồng chí: {member.full_name}",
        f"Sinh ngày: {member.birth_date:%d/%m/%Y}",
        f"Số thẻ đảng viên: {transfer.card_number or '……'}    Số lý lịch đảng viên: {transfer.vitae_number or '……'}",
        f"Là đảng viên {'chính thức' if official else 'dự bị'}; vào Đảng ngày {member.joined_on:%d/%m/%Y}"
        + (f", chính thức ngày {member.recognised_on:%d/%m/%Y}" if official and member.recognised_on else "")
        + ".",
        f"Hiện sinh hoạt tại: {sender}",
        f"Được chuyển sinh hoạt đảng đến: {receiver}",
    ]
    if transfer.return_due:
        lines.append(f"Thời gian sinh hoạt tạm thời đến ngày: {transfer.return_due:%d/%m/%Y}")
    if transfer.reason:
        lines.append(f"Lý do: {transfer.reason}")
    dues = f"tháng {transfer.dues_paid_to:%m/%Y}" if transfer.dues_paid_to else "tháng ……"
    lines += [
        f"Đồng chí đã đóng đảng phí đến hết {dues}.",
        f"Đề nghị đồng chí trình giấy giới thiệu này tại nơi đến trong vòng {days} ngày, "
        f"chậm nhất ngày {transfer.present_by:%d/%m/%Y}.",
        f"Đề nghị {receiver} tiếp nhận và quản lý đảng viên theo quy định.",
    ]
    for text in lines:
        doc.add_paragraph(text)

    sign = doc.add_table(rows=1, cols=2)
    recv, signer = sign.rows[0].cells
    recv.paragraphs[0].add_run("Nơi nhận:").bold = True
    recv.add_paragraph(f"- {receiver};")
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
