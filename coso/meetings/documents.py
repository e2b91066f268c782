"""Meeting documents as Word files (python-docx), in the Party's format (Hướng dẫn 36-HD/VPTW): the issuing body
top left with "*" and the number, "ĐẢNG CỘNG SẢN VIỆT NAM" top right with the place and date line, the title,
the body, the signatures. Minutes (biên bản), resolution (nghị quyết) and invitation (giấy triệu tập)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from coso.orgs import queries as oq

from . import queries
from .models import Attendance, Meeting, Minutes, Resolution

PLACE_WORDS = ("xã ", "phường ", "thị trấn ", "huyện ", "quận ", "thị xã ", "thành phố ", "tỉnh ", "đặc khu ")


def _name(meeting: Meeting) -> str:
    period = oq.display_period(meeting.org, meeting.date)
    return period.name if period else meeting.org.code


def _upper_body(meeting: Meeting) -> str:
    """The organization directly above the meeting's (shown above its name in the header), if any."""
    chain = oq.ancestors(meeting.org, meeting.date)
    return chain[-1].name if chain else ""


def _place(meeting: Meeting) -> str:
    """The locality for the place and date line: from the grassroots organization's name ("Đảng bộ xã Bình
    Minh" → "Bình Minh"), else dots to fill in by hand."""
    chain = [*oq.ancestors(meeting.org, meeting.date)]
    period = oq.display_period(meeting.org, meeting.date)
    if period is not None:
        chain.append(period)
    for p in reversed(chain):
        lowered = p.name
        for prefix in ("Đảng bộ ", "Chi bộ "):
            if lowered.startswith(prefix):
                rest = lowered[len(prefix) :]
                for word in PLACE_WORDS:
                    if rest.lower().startswith(word):
                        return rest[len(word) :]
    return "……………"


def _run(container: Any, text: str, *, bold: bool = False, italic: bool = False) -> None:
    """A new paragraph in `container` (a document or a table cell) with `text` bold or italic (empty allowed)."""
    run = container.add_paragraph().add_run(text)
    run.bold = bold
    run.italic = italic


def _long_date(d: dt.date) -> str:
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year}"


def _committee(name: str) -> str:
    for org_word, committee in (("Đảng bộ", "Đảng ủy"), ("Chi bộ", "Chi ủy")):
        if name.startswith(org_word):
            return committee + name[len(org_word) :]
    return name


def _document() -> Any:
    doc = Document()
    section = doc.sections[0]
    section.left_margin = Cm(3)
    section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(14)
    return doc


def _header(doc: Any, meeting: Meeting, number: str, on: dt.date) -> None:
    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.rows[0].cells
    upper = _upper_body(meeting)
    if upper:
        left.paragraphs[0].add_run(upper.upper())
        left.add_paragraph(_name(meeting).upper()).runs[0].bold = True
    else:
        left.paragraphs[0].add_run(_name(meeting).upper()).bold = True
    left.add_paragraph("*")
    left.add_paragraph(number)
    right.paragraphs[0].add_run("ĐẢNG CỘNG SẢN VIỆT NAM").bold = True
    right.add_paragraph("")
    right.add_paragraph(f"{_place(meeting)}, {_long_date(on)}").runs[0].italic = True
    for cell in (left, right):
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _title(doc: Any, text: str, sub: str = "") -> None:
    doc.add_paragraph("")
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(text)
    run.bold = True
    run.font.size = Pt(15)
    if sub:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(sub).bold = True


def _heading(doc: Any, text: str) -> None:
    doc.add_paragraph().add_run(text).bold = True


def _signatures(doc: Any, left: tuple[str, str], right: tuple[str, str]) -> None:
    doc.add_paragraph("")
    table = doc.add_table(rows=1, cols=2)
    for cell, (role, name) in zip(table.rows[0].cells, (left, right), strict=True):
        cell.paragraphs[0].add_run(role.upper()).bold = True
        _run(cell, "(Ký, ghi rõ họ tên)", italic=True)
        for _ in range(3):
            cell.add_paragraph("")
        _run(cell, name, bold=True)
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _bytes(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _time(t: dt.time | None) -> str:
    return f"{t:%H} giờ {t:%M}" if t else "…… giờ ……"


def minutes_docx(minutes: Minutes) -> bytes:
    """The minutes (Số …-BB/CB): time, place, chair, secretary, present / total, absentees with reasons,
    agenda, proceedings, each speaker's opinion, conclusions, vote results, closing; signed by the secretary
    and the chair."""
    meeting = minutes.meeting
    doc = _document()
    _header(doc, meeting, "Số ……-BB/CB", minutes.adopted_on or meeting.date)
    _title(doc, "BIÊN BẢN", f"{meeting.get_kind_display()} {_long_date(meeting.date)}".upper())
    name = _name(meeting)
    doc.add_paragraph(
        f"Thời gian: bắt đầu lúc {_time(minutes.opened_at or meeting.start_time)}, {_long_date(meeting.date)}."
    )
    doc.add_paragraph(f"Địa điểm: {meeting.place or '……………'}.")
    if meeting.focus_issue:
        doc.add_paragraph(f"Vấn đề trọng tâm: {meeting.focus_issue}.")
    doc.add_paragraph(f"Chủ trì: đồng chí {minutes.chair_name or '……………'}.")
    doc.add_paragraph(f"Thư ký: đồng chí {minutes.secretary_name or '……………'}.")
    members = meeting.official + meeting.probationary
    doc.add_paragraph(
        f"Tổng số đảng viên của {name}: {members} đồng chí (chính thức {meeting.official}, dự bị "
        f"{meeting.probationary}); miễn sinh hoạt: {meeting.exempt}; có mặt {meeting.present}/{members}; vắng "
        f"{meeting.absent_excused + meeting.absent_unexcused} (có lý do {meeting.absent_excused}, không lý do "
        f"{meeting.absent_unexcused})."
    )
    absent = list(
        meeting.attendance.filter(
            presence__in=[Attendance.Presence.ABSENT_EXCUSED, Attendance.Presence.ABSENT_UNEXCUSED]
        ).order_by("name")
    )
    if absent:
        doc.add_paragraph("Đảng viên vắng mặt:")
        for a in absent:
            why = a.reason or ("không có lý do" if a.presence == Attendance.Presence.ABSENT_UNEXCUSED else "")
            doc.add_paragraph(
                f"- Đồng chí {a.name}: {a.get_presence_display().lower()}"
                + (f" ({why})" if why else "")
                + "."
            )
    guests = list(meeting.attendance.filter(role=Attendance.Role.CADRE, presence=Attendance.Presence.PRESENT))
    if guests:
        doc.add_paragraph(
            "Đại biểu dự: "
            + "; ".join(
                g.name
                + (f", {g.assignment.assignee_title}" if g.assignment and g.assignment.assignee_title else "")
                for g in guests
            )
            + "."
        )
    items = list(meeting.agenda.order_by("order"))
    if items:
        _heading(doc, "NỘI DUNG SINH HOẠT")
        for i in items:
            doc.add_paragraph(
                f"{i.order}. {i.title}" + (f" (trình bày: {i.presenter})" if i.presenter else "")
            )
    if minutes.proceedings:
        _heading(doc, "DIỄN BIẾN")
        for line in minutes.proceedings.splitlines():
            doc.add_paragraph(line)
    if minutes.speakers:
        _heading(doc, "Ý KIẾN THẢO LUẬN")
        for s in minutes.speakers:
            p = doc.add_paragraph("- Đồng chí ")
            p.add_run(s["name"]).bold = True
            p.add_run(f": {s['opinion']}")
    _heading(doc, "KẾT LUẬN CỦA CHỦ TRÌ")
    for line in (minutes.conclusions or "……………").splitlines():
        doc.add_paragraph(line)
    _heading(doc, "BIỂU QUYẾT")
    total = minutes.votes_for + minutes.votes_against + minutes.votes_abstain
    pct = (
        f" ({100 * minutes.votes_for / meeting.present:.1f}% số đảng viên có mặt)" if meeting.present else ""
    )
    doc.add_paragraph(
        f"Số đảng viên biểu quyết: {total}; tán thành {minutes.votes_for}{pct}; không tán thành "
        f"{minutes.votes_against}; không biểu quyết {minutes.votes_abstain}."
    )
    adopted = (
        f"Biên bản đã được thông qua trước chi bộ {_long_date(minutes.adopted_on)}"
        if minutes.adopted_on
        else "Biên bản chưa được thông qua"
    )
    doc.add_paragraph(f"Cuộc họp kết thúc lúc {_time(minutes.closed_at)} cùng ngày. {adopted}.")
    _signatures(doc, ("Thư ký", minutes.secretary_name), ("Chủ trì", minutes.chair_name))
    return _bytes(doc)


def resolution_docx(resolution: Resolution) -> bytes:
    """The resolution (Số …-NQ/CB): title, content, tasks with owners and deadlines; signed for the cell."""
    meeting = resolution.meeting
    doc = _document()
    number = f"Số {resolution.number}" if resolution.number else "Số ……-NQ/CB"
    _header(doc, meeting, number, meeting.date)
    _title(doc, "NGHỊ QUYẾT", resolution.title.upper())
    name = _name(meeting)
    doc.add_paragraph(
        f"Căn cứ Điều lệ Đảng; căn cứ kết quả {meeting.get_kind_display().lower()} {_long_date(meeting.date)}, "
        f"{name} quyết nghị:"
    )
    for line in (resolution.content or "").splitlines():
        doc.add_paragraph(line)
    tasks = list(resolution.tasks.order_by("deadline", "id"))
    if tasks:
        _heading(doc, "NHIỆM VỤ VÀ PHÂN CÔNG THỰC HIỆN")
        table = doc.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, ("TT", "Nhiệm vụ", "Phụ trách", "Thời hạn"), strict=True):
            cell.paragraphs[0].add_run(text).bold = True
        for i, t in enumerate(tasks, start=1):
            cells = table.add_row().cells
            for cell, text in zip(
                cells, (str(i), t.description, t.owner_text, t.deadline.strftime("%d/%m/%Y")), strict=True
            ):
                cell.text = text
    doc.add_paragraph("")
    doc.add_paragraph(
        "Chi ủy có trách nhiệm tổ chức thực hiện; nghị quyết được kiểm điểm tại các kỳ sinh hoạt tiếp theo."
    )
    sign = doc.add_table(rows=1, cols=2)
    recv, signer = sign.rows[0].cells
    recv.paragraphs[0].add_run("Nơi nhận:").bold = True
    upper = _upper_body(meeting)
    if upper:
        recv.add_paragraph(f"- {_committee(upper)} (báo cáo);")
    recv.add_paragraph("- Đảng viên trong chi bộ;")
    recv.add_paragraph("- Lưu.")
    signer.paragraphs[0].add_run(f"T/M {_committee(name).upper()}").bold = True
    _run(signer, "BÍ THƯ", bold=True)
    for _ in range(3):
        signer.add_paragraph("")
    chair = meeting.chair.full_name if meeting.chair else ""
    _run(signer, chair, bold=True)
    for p in signer.paragraphs:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return _bytes(doc)


def invitation_docx(meeting: Meeting) -> bytes:
    """The invitation (giấy triệu tập) with the meeting's time, place, focus issue and agenda."""
    doc = _document()
    name = _name(meeting)
    _header(doc, meeting, "Số ……-GTT/CB", meeting.invitation_sent_on or meeting.date)
    _title(doc, "GIẤY TRIỆU TẬP", meeting.get_kind_display().upper())
    text = queries.invitation_text(meeting, name)
    for line in text.splitlines()[2:]:
        doc.add_paragraph(line)
    sign = doc.add_table(rows=1, cols=2)
    signer = sign.rows[0].cells[1]
    signer.paragraphs[0].add_run(f"T/M {_committee(name).upper()}").bold = True
    _run(signer, "BÍ THƯ", bold=True)
    for _ in range(3):
        signer.add_paragraph("")
    for p in signer.paragraphs:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return _bytes(doc)
