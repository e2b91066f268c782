"""The transfer letter (giấy giới thiệu sinh hoạt đảng) as a Word document, built with python-docx."""

from __future__ import annotations

import datetime as dt

from coso.core import documents as docs
from coso.core.dates import active_on
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from .models import Status, Transfer


def _name(org: Organization | None, on: dt.date) -> str:
    if org is None:
        return ""
    return orgs_queries.name_on(org, on)


def _issuer(org: Organization | None, on: dt.date) -> str:
    """The committee that issues the letter: the grassroots organization above the sending cell (or the cell)."""
    if org is None:
        return ""
    for p in reversed(orgs_queries.ancestors(org, on)):
        if p.kind.is_grassroots:
            return p.name
    return _name(org, on)


def transfer_letter(transfer: Transfer, place: str = "") -> bytes:
    """The letter for `transfer`: what the member presents at the receiving organization."""
    member = transfer.member
    on = transfer.left_on
    status = member.statuses.filter(active_on(on)).first()
    official = status is not None and status.status == Status.OFFICIAL
    sender = _name(transfer.from_org, on) or transfer.from_outside
    receiver = _name(transfer.to_org, on) or transfer.to_outside
    issuer = _issuer(transfer.from_org, on) or sender
    committee = docs.committee(issuer)
    days = (transfer.present_by - transfer.left_on).days

    doc = docs.document(left_margin=2)
    docs.letterhead(
        doc,
        [(issuer.upper(), "bold"), (committee.upper(), "bold")],
        f"Số {transfer.letter_number or '……'}-GGT",
        place,
        on,
    )
    docs.title(doc, "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG", f"({transfer.get_kind_display()})", sub_bold=False)

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

    docs.sign_off(
        doc,
        [(f"T/M {committee.upper()}", "bold"), ("(Ký tên, đóng dấu)", "italic")],
        recipients=[f"- {receiver};", "- Lưu."],
    )
    return docs.to_bytes(doc)
