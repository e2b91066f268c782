"""A meeting's resolutions, their tasks and the follow-up of each task at later meetings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from coso.core.dates import format_date
from coso.core.errors import DomainError
from coso.core.history import stamp
from coso.core.text import nfc
from coso.members.models import Member

from .. import rules
from ..models import (
    Meeting,
    Resolution,
    ResolutionTask,
    TaskFollowUp,
)
from ._common import _check_scope, _held, _lock


@transaction.atomic
def add_resolution(
    actor: Any, meeting: Meeting, *, title: str, number: str = "", content: str = ""
) -> Resolution:
    """A resolution adopted at a held meeting."""
    meeting = _lock(meeting)
    _check_scope(actor, meeting.org)
    _held(meeting, "ghi nghị quyết")
    if not nfc(title):
        raise DomainError("Hãy ghi trích yếu nghị quyết.", field="title")
    resolution = Resolution(
        meeting=meeting, number=nfc(number), title=nfc(title), content=(content or "").strip()
    )
    stamp(resolution, actor, "Ghi nghị quyết").save()
    return resolution


@transaction.atomic
def add_task(
    actor: Any,
    resolution: Resolution,
    *,
    description: str,
    deadline: dt.date,
    owner_member: Member | None = None,
    owner_text: str = "",
) -> ResolutionTask:
    """A task of a resolution, with its owner (a member, or a text: "Chi ủy", "Tổ dân vận"...) and deadline."""
    meeting = resolution.meeting
    _check_scope(actor, meeting.org)
    if not nfc(description):
        raise DomainError("Hãy ghi nội dung nhiệm vụ.", field="description")
    if owner_member is None and not nfc(owner_text):
        raise DomainError("Hãy chọn người hoặc ghi bộ phận phụ trách.", field="owner_text", rule=rules.TASK)
    if deadline < meeting.date:
        raise DomainError(
            f"Thời hạn phải từ ngày ra nghị quyết {format_date(meeting.date)} trở đi.",
            field="deadline",
            rule=rules.TASK,
        )
    task = ResolutionTask(
        resolution=resolution,
        description=nfc(description),
        owner_member=owner_member,
        owner_text=nfc(owner_text) or (owner_member.full_name if owner_member else ""),
        deadline=deadline,
    )
    stamp(task, actor, "Giao nhiệm vụ").save()
    return task


@transaction.atomic
def follow_up_task(
    actor: Any, task: ResolutionTask, *, meeting: Meeting, status: str, note: str = ""
) -> TaskFollowUp:
    """A later held meeting of the same organization reviews an open task and sets its status (open, done,
    cancelled: done or cancelled close it on that meeting's date)."""
    task = ResolutionTask.objects.select_for_update().select_related("resolution__meeting").get(pk=task.pk)
    origin = task.resolution.meeting
    meeting = _lock(meeting)
    _check_scope(actor, meeting.org)
    if status not in ResolutionTask.Status.values:
        raise DomainError("Hãy chọn tình trạng của nhiệm vụ.", field="status")
    if task.status != ResolutionTask.Status.OPEN:
        raise DomainError(
            f"Nhiệm vụ đã {task.get_status_display().lower()} ngày {format_date(task.closed_on)}.",
            field="status",
            rule=rules.TASK,
        )
    if meeting.org_id != origin.org_id or meeting.pk == origin.pk or meeting.date < origin.date:
        raise DomainError(
            "Nhiệm vụ được kiểm điểm ở một kỳ sinh hoạt sau của chính tổ chức đã ra nghị quyết.",
            field="meeting",
            rule=rules.TASK,
        )
    _held(meeting, "kiểm điểm nhiệm vụ")
    follow = TaskFollowUp(task=task, meeting=meeting, note=nfc(note), status=status)
    stamp(follow, actor, "Kiểm điểm nhiệm vụ").save()
    if status != ResolutionTask.Status.OPEN:
        task.status = status
        task.closed_on = meeting.date
        stamp(task, actor, "Kiểm điểm nhiệm vụ").save(update_fields=["status", "closed_on"])
    return follow
