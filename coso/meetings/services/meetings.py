"""Planning, changing and cancelling a meeting, and its invitation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from coso.core.dates import format_date
from coso.core.errors import DomainError
from coso.core.history import stamp
from coso.core.text import nfc
from coso.members.models import Member
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from .. import rules
from ..models import (
    AgendaItem,
    Meeting,
)
from ._common import _bump, _check_kind, _check_scope, _lock, _not_cancelled, _past, org_on
from .attendance import _FIGURES, _eligible, _recompute, _refresh


@dataclass
class MeetingInput:
    kind: str
    date: dt.date
    start_time: dt.time | None = None
    place: str = ""
    focus_issue: str = ""
    preparation_date: dt.date | None = None
    preparation_note: str = ""
    chair: Member | None = None
    secretary: Member | None = None
    invitation_note: str = ""


@dataclass
class AgendaInput:
    title: str
    presenter: str = ""


def _agenda(meeting: Meeting, items: Sequence[AgendaInput | str], actor: Any) -> None:
    rows = []
    for i, item in enumerate(items):
        data = AgendaInput(item) if isinstance(item, str) else item
        title = nfc(data.title)
        if not title:
            raise DomainError(f"Nội dung thứ {i + 1} của chương trình đang trống.", field="agenda")
        rows.append(AgendaItem(meeting=meeting, order=i + 1, title=title, presenter=nfc(data.presenter)))
    if rows:
        bulk_create_with_history(rows, AgendaItem, default_user=actor, default_change_reason="Chương trình")


def _check_data(org: Organization, data: MeetingInput) -> orgs_queries.Period:
    period = org_on(org, data.date)
    _check_kind(period, data.kind)
    if data.preparation_date is not None and data.preparation_date > data.date:
        raise DomainError(
            "Cấp ủy họp chuẩn bị trước ngày sinh hoạt; hãy chọn ngày họp chuẩn bị không sau ngày họp.",
            field="preparation_date",
            rule=rules.STATE,
        )
    if data.chair is not None or data.secretary is not None:
        people = _eligible(period, data.date)
        for person, name in ((data.chair, "chair"), (data.secretary, "secretary")):
            if person is not None and person.pk not in people:
                raise DomainError(
                    f"{person.full_name} không sinh hoạt tại {period.name} vào ngày {format_date(data.date)}.",
                    field=name,
                    rule=rules.ATTENDEE,
                )
    return period


def _apply(meeting: Meeting, data: MeetingInput) -> list[str]:
    values = {
        "kind": data.kind,
        "date": data.date,
        "start_time": data.start_time,
        "place": nfc(data.place),
        "focus_issue": nfc(data.focus_issue),
        "preparation_date": data.preparation_date,
        "preparation_note": nfc(data.preparation_note),
        "chair": data.chair,
        "secretary": data.secretary,
        "invitation_note": (data.invitation_note or "").strip(),
    }
    changed = []
    for key, value in values.items():
        current = getattr(meeting, key)
        if current != value:
            setattr(meeting, key, value)
            changed.append(key)
    return changed


@transaction.atomic
def plan_meeting(
    actor: Any, org: Organization, data: MeetingInput, *, agenda: Sequence[AgendaInput | str] = ()
) -> Meeting:
    """Plan a meeting of `org` (kind, date, place, the one focus issue, agenda, the committee's preparation
    meeting, chair and secretary), and prepare its attendance list from the members on that date."""
    _check_scope(actor, org)
    period = _check_data(org, data)
    meeting = Meeting(org=org, created_by=actor)
    _apply(meeting, data)
    stamp(meeting, actor, "Lên kế hoạch sinh hoạt").save()
    _agenda(meeting, agenda, actor)
    _refresh(meeting, period, actor)
    _recompute(meeting)
    stamp(meeting, actor, "Lên kế hoạch sinh hoạt").save()
    return meeting


@transaction.atomic
def update_meeting(
    actor: Any,
    meeting: Meeting,
    data: MeetingInput,
    *,
    agenda: Sequence[AgendaInput | str] | None = None,
    expected_version: int | None = None,
) -> Meeting:
    """Change a planned or held meeting's details (the agenda too when given). A new date re-checks that the
    organization existed then and rebuilds the list for that date; a held meeting cannot move to the future."""
    meeting = _lock(meeting, expected_version)
    _check_scope(actor, meeting.org)
    _not_cancelled(meeting)
    if meeting.status == Meeting.Status.HELD:
        _past(data.date, "date", "Cuộc sinh hoạt đã họp; ngày họp")
    period = _check_data(meeting.org, data)
    changed = _apply(meeting, data)
    if agenda is not None:
        for item in meeting.agenda.all():
            stamp(item, actor, "Sửa chương trình").delete()
        _agenda(meeting, agenda, actor)
    if "date" in changed or "kind" in changed:
        _refresh(meeting, period, actor)
        _recompute(meeting)
        changed += _FIGURES
    _bump(meeting, actor, "Sửa cuộc sinh hoạt", changed)
    return meeting


@transaction.atomic
def cancel_meeting(
    actor: Any, meeting: Meeting, *, reason: str, expected_version: int | None = None
) -> Meeting:
    """Cancel a planned meeting (a held meeting happened and stays)."""
    meeting = _lock(meeting, expected_version)
    _check_scope(actor, meeting.org)
    if meeting.status != Meeting.Status.PLANNED:
        raise DomainError(
            f"Chỉ hủy được cuộc sinh hoạt dự kiến; cuộc này {meeting.get_status_display().lower()}.",
            rule=rules.STATE,
        )
    if not nfc(reason):
        raise DomainError("Hãy ghi lý do hủy.", field="reason")
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = nfc(reason)
    _bump(meeting, actor, "Hủy cuộc sinh hoạt", ["status", "cancel_reason"])
    return meeting


@transaction.atomic
def mark_invitation_sent(
    actor: Any, meeting: Meeting, *, on: dt.date, note: str | None = None, expected_version: int | None = None
) -> Meeting:
    """Record that the invitation (giấy triệu tập / giấy mời) was printed or sent on `on`."""
    meeting = _lock(meeting, expected_version)
    _check_scope(actor, meeting.org)
    _not_cancelled(meeting)
    _past(on, "on", "Ngày gửi giấy mời")
    meeting.invitation_sent_on = on
    fields = ["invitation_sent_on"]
    if note is not None:
        meeting.invitation_note = note.strip()
        fields.append("invitation_note")
    _bump(meeting, actor, "Gửi giấy mời", fields)
    return meeting
