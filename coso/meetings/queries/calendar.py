"""A cell's calendar: the days its rhythm gives each month, its meetings, the months without one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from coso.core.dates import add_months, first_of_month, last_of_month
from coso.core.scope import restrict
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from ..models import (
    REGULAR_KINDS,
    Attendance,
    Meeting,
    MeetingRhythm,
)
from ._common import meetings


def expected_dates(org: Organization, month_from: dt.date, month_to: dt.date) -> list[dt.date]:
    """The regular-meeting dates the cell's rhythm gives for each month from `month_from` to `month_to` (both
    months included), on days the cell exists. A month with no rhythm in force has no date."""
    rhythms = list(
        MeetingRhythm.objects.filter(org=org, valid_from__lte=last_of_month(month_to))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=first_of_month(month_from)))
        .order_by("valid_from")
    )
    result: list[dt.date] = []
    month = first_of_month(month_from)
    while month <= month_to:
        last_day = last_of_month(month).day
        for r in rhythms:
            on = month.replace(day=min(r.day_of_month, last_day))
            if r.valid_from <= on and (r.valid_to is None or on < r.valid_to) and org.exists_on(on):
                result.append(on)
                break
        month = add_months(month, 1)
    return result


@dataclass
class CalendarMonth:
    month: dt.date
    expected_date: dt.date | None
    meetings: list[Meeting] = field(default_factory=list)

    @property
    def has_regular(self) -> bool:
        return any(m.kind in REGULAR_KINDS and m.status != Meeting.Status.CANCELLED for m in self.meetings)


def calendar(user: Any, org: Organization, month_from: dt.date, month_to: dt.date) -> list[CalendarMonth]:
    """The cell's calendar month by month: the date its rhythm gives, and its meetings (any status)."""
    first, last = first_of_month(month_from), last_of_month(month_to)
    expected = {d.replace(day=1): d for d in expected_dates(org, first, last)}
    rows = list(meetings(user).filter(org=org, date__gte=first, date__lte=last).order_by("date", "id"))
    result = []
    month = first
    while month <= last:
        result.append(CalendarMonth(month, expected.get(month), [m for m in rows if m.month == month]))
        month = add_months(month, 1)
    return result


def attendance_of(user: Any, meeting: Meeting) -> list[Attendance]:
    """The attendance list of a meeting (members, then guests, then cadres), scoped."""
    return list(
        restrict(Attendance.objects.filter(meeting=meeting), user)
        .select_related("assignment")
        .order_by("role", "name", "id")
    )


def invitation_text(meeting: Meeting, org_name: str | None = None) -> str:
    """The invitation (giấy triệu tập) as plain Vietnamese text, for printing or sending."""
    name = org_name or orgs_queries.name_on(meeting.org, meeting.date)
    when = meeting.date.strftime("%d/%m/%Y")
    if meeting.start_time:
        when = f"{meeting.start_time:%H giờ %M}, ngày {when}"
    lines = [
        f"GIẤY TRIỆU TẬP – {name.upper()}",
        f"{meeting.get_kind_display()}",
        f"Thời gian: {when}",
        f"Địa điểm: {meeting.place or '(sẽ thông báo)'}",
    ]
    if meeting.focus_issue:
        lines.append(f"Vấn đề trọng tâm: {meeting.focus_issue}")
    items = list(meeting.agenda.order_by("order"))
    if items:
        lines.append("Nội dung:")
        lines += [f"  {i.order}. {i.title}" + (f" ({i.presenter})" if i.presenter else "") for i in items]
    if meeting.invitation_note:
        lines += ["", meeting.invitation_note]
    lines += ["", "Đề nghị các đồng chí đảng viên có mặt đúng giờ; vắng mặt phải báo cáo và nêu rõ lý do."]
    return "\n".join(lines)
