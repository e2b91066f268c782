"""Meeting documents as Word files (python-docx), in the Party's format (Hướng dẫn 36-HD/VPTW): the issuing body
top left with "*" and the number, "ĐẢNG CỘNG SẢN VIỆT NAM" top right with the place and date line, the title,
the body, the signatures. Minutes (biên bản), resolution (nghị quyết) and invitation (giấy triệu tập)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from coso.core import documents as docs
from coso.orgs import queries as orgs_queries

from . import queries
from .models import Attendance, Meeting, Minutes, Resolution

PLACE_WORDS = ("xã ", "phường ", "thị trấn ", "huyện ", "quận ", "thị xã ", "thành phố ", "tỉnh ", "đặc khu ")


def _name(meeting: Meeting) -> str:
    return orgs_queries.name_on(meeting.org, meeting.date)


def _upper_body(meeting: Meeting) -> str:
    """The organization directly above the meeting's (shown above its name in the header), if any."""
    chain = orgs_queries.ancestors(meeting.org, meeting.date)
    return chain[-1].name if chain else ""


def _place(meeting: Meeting) -> str:
    """The locality for the place and date line: from the grassroots organization's name ("Đảng bộ xã Bình
    Minh" → "Bình Minh"), else dots to fill in by hand."""
    chain = [*orgs_queries.ancestors(meeting.org, meeting.date)]
    period = orgs_queries.nearest_period(meeting.org, meeting.date)
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
    return docs.BLANK


def _document() -> Any:
    return docs.document(font_size=14, top_margin=2)


def _header(doc: Any, meeting: Meeting, number: str, on: dt.date) -> None:
    upper = _upper_body(meeting)
    name = _name(meeting).upper()
    issuer = [(upper.upper(), ""), (name, "bold")] if upper else [(name, "bold")]
    docs.letterhead(doc, issuer, number, _place(meeting), on, gap=True)


def _cell_sign_off(doc: Any, name: str, *, recipients: list[str] | None = None, signer: str = "") -> None:
    """Signed for the cell's committee by its secretary (bí thư)."""
    docs.sign_off(
        doc,
        [(f"T/M {docs.committee(name).upper()}", "bold"), ("BÍ THƯ", "bold")],
        recipients=recipients or (),
        name=signer,
    )


def _time(t: dt.time | None) -> str:
    return f"{t:%H} giờ {t:%M}" if t else "…… giờ ……"


def minutes_docx(minutes: Minutes) -> bytes:
    """The minutes (Số …-BB/CB): time, place, chair, secretary, present / total, absentees with reasons,
    agenda, proceedings, each speaker's opinion, conclusions, vote results, closing; signed by the secretary
    and the chair."""
    meeting = minutes.meeting
    doc = _document()
    _header(doc, meeting, "Số ……-BB/CB", minutes.adopted_on or meeting.date)
    docs.title(
        doc,
        "BIÊN BẢN",
        f"{meeting.get_kind_display()} {docs.long_date(meeting.date)}".upper(),
        space_before=True,
    )
    name = _name(meeting)
    doc.add_paragraph(
        f"Thời gian: bắt đầu lúc {_time(minutes.opened_at or meeting.start_time)}, {docs.long_date(meeting.date)}."
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
        docs.heading(doc, "NỘI DUNG SINH HOẠT")
        for i in items:
            doc.add_paragraph(
                f"{i.order}. {i.title}" + (f" (trình bày: {i.presenter})" if i.presenter else "")
            )
    if minutes.proceedings:
        docs.heading(doc, "DIỄN BIẾN")
        for line in minutes.proceedings.splitlines():
            doc.add_paragraph(line)
    if minutes.speakers:
        docs.heading(doc, "Ý KIẾN THẢO LUẬN")
        for s in minutes.speakers:
            p = doc.add_paragraph("- Đồng chí ")
            p.add_run(s["name"]).bold = True
            p.add_run(f": {s['opinion']}")
    docs.heading(doc, "KẾT LUẬN CỦA CHỦ TRÌ")
    for line in (minutes.conclusions or "……………").splitlines():
        doc.add_paragraph(line)
    docs.heading(doc, "BIỂU QUYẾT")
    total = minutes.votes_for + minutes.votes_against + minutes.votes_abstain
    pct = (
        f" ({100 * minutes.votes_for / meeting.present:.1f}% số đảng viên có mặt)" if meeting.present else ""
    )
    doc.add_paragraph(
        f"Số đảng viên biểu quyết: {total}; tán thành {minutes.votes_for}{pct}; không tán thành "
        f"{minutes.votes_against}; không biểu quyết {minutes.votes_abstain}."
    )
    adopted = (
        f"Biên bản đã được thông qua trước chi bộ {docs.long_date(minutes.adopted_on)}"
        if minutes.adopted_on
        else "Biên bản chưa được thông qua"
    )
    doc.add_paragraph(f"Cuộc họp kết thúc lúc {_time(minutes.closed_at)} cùng ngày. {adopted}.")
    docs.signatures(doc, [("Thư ký", minutes.secretary_name), ("Chủ trì", minutes.chair_name)])
    return docs.to_bytes(doc)


def resolution_docx(resolution: Resolution) -> bytes:
    """The resolution (Số …-NQ/CB): title, content, tasks with owners and deadlines; signed for the cell."""
    meeting = resolution.meeting
    doc = _document()
    number = f"Số {resolution.number}" if resolution.number else "Số ……-NQ/CB"
    _header(doc, meeting, number, meeting.date)
    docs.title(doc, "NGHỊ QUYẾT", resolution.title.upper(), space_before=True)
    name = _name(meeting)
    doc.add_paragraph(
        f"Căn cứ Điều lệ Đảng; căn cứ kết quả {meeting.get_kind_display().lower()} {docs.long_date(meeting.date)}, "
        f"{name} quyết nghị:"
    )
    for line in (resolution.content or "").splitlines():
        doc.add_paragraph(line)
    tasks = list(resolution.tasks.order_by("deadline", "id"))
    if tasks:
        docs.heading(doc, "NHIỆM VỤ VÀ PHÂN CÔNG THỰC HIỆN")
        docs.table(
            doc,
            ["TT", "Nhiệm vụ", "Phụ trách", "Thời hạn"],
            [
                [i, t.description, t.owner_text, t.deadline.strftime("%d/%m/%Y")]
                for i, t in enumerate(tasks, 1)
            ],
            centered=False,
        )
    doc.add_paragraph("")
    doc.add_paragraph(
        "Chi ủy có trách nhiệm tổ chức thực hiện; nghị quyết được kiểm điểm tại các kỳ sinh hoạt tiếp theo."
    )
    upper = _upper_body(meeting)
    recipients = [f"- {docs.committee(upper)} (báo cáo);"] if upper else []
    recipients += ["- Đảng viên trong chi bộ;", "- Lưu."]
    _cell_sign_off(doc, name, recipients=recipients, signer=meeting.chair.full_name if meeting.chair else "")
    return docs.to_bytes(doc)


def invitation_docx(meeting: Meeting) -> bytes:
    """The invitation (giấy triệu tập) with the meeting's time, place, focus issue and agenda."""
    doc = _document()
    name = _name(meeting)
    _header(doc, meeting, "Số ……-GTT/CB", meeting.invitation_sent_on or meeting.date)
    docs.title(doc, "GIẤY TRIỆU TẬP", meeting.get_kind_display().upper(), space_before=True)
    text = queries.invitation_text(meeting, name)
    for line in text.splitlines()[2:]:
        doc.add_paragraph(line)
    _cell_sign_off(doc, name)
    return docs.to_bytes(doc)
