"""A meeting's minutes: written, adopted, then changed only by a recorded amendment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from coso.core.dates import format_date
from coso.core.errors import DomainError, StaleEdit
from coso.core.history import stamp
from coso.core.text import nfc

from .. import rules
from ..models import (
    Meeting,
    Minutes,
    MinutesAmendment,
)
from ._common import _check_scope, _held, _lock, _not_cancelled, _past


@dataclass
class MinutesInput:
    chair_name: str = ""
    secretary_name: str = ""
    opened_at: dt.time | None = None
    closed_at: dt.time | None = None
    proceedings: str = ""
    speakers: list[dict[str, str]] = field(default_factory=list)  # [{"name", "opinion"}]
    conclusions: str = ""
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0


_MINUTES_FIELDS = [f for f in MinutesInput.__dataclass_fields__]


def _clean_minutes(meeting: Meeting, data: MinutesInput) -> dict[str, Any]:
    speakers = []
    for i, s in enumerate(data.speakers or []):
        speaker, opinion = nfc(str(s.get("name", ""))), (str(s.get("opinion", "")) or "").strip()
        if not speaker or not opinion:
            raise DomainError(f"Ý kiến thứ {i + 1}: hãy ghi người phát biểu và nội dung.", field="speakers")
        speakers.append({"name": speaker, "opinion": opinion})
    votes = (int(data.votes_for), int(data.votes_against), int(data.votes_abstain))
    if min(votes) < 0:
        raise DomainError("Số phiếu không thể âm.", field="votes_for", rule=rules.VOTES)
    if meeting.status == Meeting.Status.HELD and sum(votes) > meeting.present:
        raise DomainError(
            f"Tổng số phiếu {sum(votes)} vượt số đảng viên có mặt ({meeting.present}).",
            field="votes_for",
            rule=rules.VOTES,
        )
    return {
        "chair_name": nfc(data.chair_name) or (meeting.chair.full_name if meeting.chair else ""),
        "secretary_name": nfc(data.secretary_name)
        or (meeting.secretary.full_name if meeting.secretary else ""),
        "opened_at": data.opened_at,
        "closed_at": data.closed_at,
        "proceedings": (data.proceedings or "").strip(),
        "speakers": speakers,
        "conclusions": (data.conclusions or "").strip(),
        "votes_for": votes[0],
        "votes_against": votes[1],
        "votes_abstain": votes[2],
    }


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.time) else value


@transaction.atomic
def save_minutes(
    actor: Any, meeting: Meeting, data: MinutesInput, *, expected_version: int | None = None
) -> Minutes:
    """Write or rewrite the structured minutes (chair, secretary, speakers and opinions, conclusions, votes) of a
    meeting not cancelled; refused once adopted (MEET.MINUTES_LOCKED: use `amend_minutes`). `expected_version`
    is the minutes' version."""
    meeting = _lock(meeting)
    _check_scope(actor, meeting.org)
    _not_cancelled(meeting)
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is not None:
        if minutes.adopted:
            raise DomainError(
                f"Biên bản đã thông qua ngày {format_date(minutes.adopted_on)}; chỉ được đính chính có ghi lý do và căn "
                "cứ.",
                rule=rules.MINUTES_LOCKED,
            )
        if expected_version is not None and minutes.version != expected_version:
            raise StaleEdit("Biên bản vừa được người khác thay đổi; hãy tải lại trang và nhập lại.")
    values = _clean_minutes(meeting, data)
    if minutes is None:
        minutes = Minutes(meeting=meeting, **values)
        stamp(minutes, actor, "Ghi biên bản").save()
        return minutes
    for key, value in values.items():
        setattr(minutes, key, value)
    minutes.version += 1
    stamp(minutes, actor, "Sửa biên bản").save()
    return minutes


@transaction.atomic
def adopt_minutes(
    actor: Any, minutes: Minutes, *, on: dt.date | None = None, expected_version: int | None = None
) -> Minutes:
    """The meeting adopts its minutes (before closing: by default on the meeting date). From then on they change
    only through `amend_minutes`."""
    minutes = Minutes.objects.select_for_update().select_related("meeting__org").get(pk=minutes.pk)
    meeting = minutes.meeting
    _check_scope(actor, meeting.org)
    _held(meeting, "thông qua biên bản")
    if minutes.adopted:
        raise DomainError(
            f"Biên bản đã thông qua ngày {format_date(minutes.adopted_on)}.", rule=rules.MINUTES_LOCKED
        )
    if expected_version is not None and minutes.version != expected_version:
        raise StaleEdit(
            "Biên bản vừa được người khác thay đổi; hãy tải lại trang và xem lại trước khi thông qua."
        )
    on = on or meeting.date
    _past(on, "on", "Ngày thông qua")
    if on < meeting.date:
        raise DomainError("Biên bản chỉ thông qua từ ngày họp trở đi.", field="on", rule=rules.STATE)
    minutes.adopted_on = on
    minutes.adopted_by = actor
    minutes.version += 1
    stamp(minutes, actor, "Thông qua biên bản").save(update_fields=["adopted_on", "adopted_by", "version"])
    return minutes


@transaction.atomic
def amend_minutes(
    actor: Any,
    minutes: Minutes,
    data: MinutesInput,
    *,
    on: dt.date,
    reason: str,
    decision: str = "",
    adopting_meeting: Meeting | None = None,
    expected_version: int | None = None,
) -> MinutesAmendment:
    """The only way to change adopted minutes: a recorded amendment with its date, reason and basis (a decision,
    or a later meeting of the same organization that adopted it), keeping the changed fields before and after."""
    minutes = Minutes.objects.select_for_update().select_related("meeting__org").get(pk=minutes.pk)
    meeting = minutes.meeting
    _check_scope(actor, meeting.org)
    if not minutes.adopted:
        raise DomainError(
            "Biên bản chưa thông qua: hãy sửa trực tiếp, không cần đính chính.", rule=rules.MINUTES_LOCKED
        )
    if expected_version is not None and minutes.version != expected_version:
        raise StaleEdit("Biên bản vừa được người khác thay đổi; hãy tải lại trang và nhập lại.")
    if not nfc(reason):
        raise DomainError("Hãy ghi lý do đính chính.", field="reason", rule=rules.MINUTES_LOCKED)
    if not nfc(decision) and adopting_meeting is None:
        raise DomainError(
            "Hãy ghi căn cứ đính chính (quyết định) hoặc cuộc họp đã thông qua việc đính chính.",
            field="decision",
            rule=rules.MINUTES_LOCKED,
        )
    _past(on, "on", "Ngày đính chính")
    if on < (minutes.adopted_on or meeting.date):
        raise DomainError("Ngày đính chính phải từ ngày thông qua biên bản trở đi.", field="on")
    if adopting_meeting is not None:
        adopting_meeting = Meeting.objects.get(pk=adopting_meeting.pk)
        if (
            adopting_meeting.org_id != meeting.org_id
            or adopting_meeting.status != Meeting.Status.HELD
            or adopting_meeting.date < meeting.date
            or adopting_meeting.pk == meeting.pk
        ):
            raise DomainError(
                "Cuộc họp thông qua đính chính phải là một cuộc họp sau, đã họp, của chính tổ chức này.",
                field="adopting_meeting",
                rule=rules.MINUTES_LOCKED,
            )
    values = _clean_minutes(meeting, data)
    before, after = {}, {}
    for key, value in values.items():
        if getattr(minutes, key) != value:
            before[key] = _json(getattr(minutes, key))
            after[key] = _json(value)
            setattr(minutes, key, value)
    if not after:
        raise DomainError("Nội dung đính chính không khác biên bản hiện có.", field="proceedings")
    minutes.version += 1
    stamp(minutes, actor, "Đính chính biên bản").save()
    amendment = MinutesAmendment(
        minutes=minutes,
        on=on,
        reason=nfc(reason),
        decision=nfc(decision),
        adopting_meeting=adopting_meeting,
        before=before,
        after=after,
        created_by=actor,
    )
    stamp(amendment, actor, "Đính chính biên bản").save()
    return amendment
