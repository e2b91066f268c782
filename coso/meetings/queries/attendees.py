"""Who went where: cadres assigned to attend cells' meetings, and whether they did."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from coso.core.fields import prefix_range
from coso.core.scope import restrict
from coso.orgs.models import Organization

from ..models import (
    Attendance,
    AttendanceAssignment,
    Meeting,
)


@dataclass
class AssignmentRow:
    assignment: AttendanceAssignment
    meeting: Meeting
    cell_code: str
    presence: str
    presence_label: str

    def as_json(self) -> dict[str, Any]:
        return {
            "assignee": self.assignment.assignee_name,
            "title": self.assignment.assignee_title,
            "assigning_org": self.assignment.assigning_org.code,
            "org": self.cell_code,
            "date": self.meeting.date.isoformat(),
            "kind": self.meeting.kind,
            "meeting_status": self.meeting.status,
            "presence": self.presence,
        }


def assignments(
    user: Any, org: Organization, date_from: dt.date, date_to: dt.date, *, subtree: bool = True
) -> list[AssignmentRow]:
    """Who went where: the attendance assignments made by `org` (and, with `subtree`, by the committees under it)
    for meetings dated in [date_from, date_to], with the presence marked at the meeting."""
    qs = AttendanceAssignment.objects.filter(meeting__date__gte=date_from, meeting__date__lte=date_to)
    if subtree:
        qs = qs.filter(**prefix_range("assigning_org__current_path", org.current_path))
    else:
        qs = qs.filter(assigning_org=org)
    rows = []
    labels = dict(Attendance.Presence.choices)
    for a in (
        restrict(qs, user)
        .select_related("meeting__org", "assigning_org", "attendance")
        .order_by("meeting__date", "id")
    ):
        att = getattr(a, "attendance", None)
        presence = att.presence if att is not None else Attendance.Presence.UNKNOWN
        rows.append(AssignmentRow(a, a.meeting, a.meeting.org.code, presence, str(labels[presence])))
    return rows
