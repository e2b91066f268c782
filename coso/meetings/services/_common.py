"""What every write about meetings shares: locking, versions, the actor's scope, refusals of past or future dates, the organization on a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from coso.core.dates import format_date, holds_on, today
from coso.core.errors import DomainError, StaleEdit
from coso.core.history import stamp
from coso.core.scope import CHANGE_MEETINGS, check_path
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from .. import rules
from ..models import (
    CELL_KINDS,
    COMMITTEE_KINDS,
    Attendance,
    Meeting,
    MeetingKind,
)

P = Attendance.Presence
R = Attendance.Role


def _check_scope(actor: Any, org: Organization | None) -> None:
    if actor is not None and org is not None:
        check_path(actor, org.current_path, CHANGE_MEETINGS)


def _past(d: dt.date | None, field_name: str, label: str) -> None:
    if d is not None and d > today():
        raise DomainError(
            f"{label} {format_date(d)} ở tương lai; hãy nhập ngày đã xảy ra.",
            field=field_name,
            rule=rules.PAST,
        )


def org_on(
    org: Organization,
    on: dt.date,
    field_name: str = "date",
    periods: Sequence[orgs_queries.Period] | None = None,
) -> orgs_queries.Period:
    """`org` as it stood on `on`; refused (MEET.ORG_EXISTS) when it did not exist then. `periods`: the org's
    periods (with their kind) already read, for many dates at once."""
    if on < org.established_on:
        raise DomainError(
            f"Tổ chức {org.code} thành lập ngày {format_date(org.established_on)}, chưa tồn tại vào ngày {format_date(on)}; "
            "hãy chọn ngày từ ngày thành lập trở đi.",
            field=field_name,
            rule=rules.ORG_EXISTS,
        )
    if org.dissolved_on is not None and on >= org.dissolved_on:
        raise DomainError(
            f"Tổ chức {org.code} đã giải thể ngày {format_date(org.dissolved_on)}, không còn tồn tại vào ngày "
            f"{format_date(on)}; hãy chọn ngày trước ngày giải thể.",
            field=field_name,
            rule=rules.ORG_EXISTS,
        )
    if periods is None:
        period = orgs_queries.period_on(org, on)
    else:
        period = next((p for p in periods if holds_on(on, p.valid_from, p.valid_to)), None)
    if period is None:
        raise DomainError(
            f"Tổ chức {org.code} không tồn tại vào ngày {format_date(on)}.",
            field=field_name,
            rule=rules.ORG_EXISTS,
        )
    return period


def _check_kind(period: orgs_queries.Period, kind: str) -> None:
    if kind not in MeetingKind.values:
        raise DomainError("Hãy chọn loại sinh hoạt trong danh sách.", field="kind", rule=rules.KIND)
    label = MeetingKind(kind).label.lower()
    if kind in CELL_KINDS and not period.kind.is_cell:
        raise DomainError(
            f"{period.name} là {period.kind.name}, không phải chi bộ; {label} là sinh hoạt của chi bộ.",
            field="kind",
            rule=rules.KIND,
        )
    if kind in COMMITTEE_KINDS and period.kind.is_cell:
        raise DomainError(
            f"{period.name} là chi bộ; {label} chỉ dành cho đảng bộ. Hãy chọn sinh hoạt thường kỳ.",
            field="kind",
            rule=rules.KIND,
        )


def _lock(meeting: Meeting, expected_version: int | None = None) -> Meeting:
    locked = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            f"Cuộc sinh hoạt ngày {format_date(locked.date)} vừa được người khác thay đổi; hãy tải lại trang và nhập lại."
        )
    return locked


def _bump(meeting: Meeting, actor: Any, reason: str, fields: Sequence[str] = ()) -> None:
    meeting.version += 1
    stamp(meeting, actor, reason).save(update_fields=[*fields, "version"])


def _not_cancelled(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise DomainError(
            f"Cuộc sinh hoạt ngày {format_date(meeting.date)} đã hủy; không ghi thêm được.", rule=rules.STATE
        )


def _held(meeting: Meeting, what: str) -> None:
    if meeting.status != Meeting.Status.HELD:
        raise DomainError(
            f"Cuộc sinh hoạt ngày {format_date(meeting.date)} chưa được ghi là đã họp (hãy điểm danh trước); "
            f"chưa thể {what}.",
            rule=rules.STATE,
        )
