"""Party dues collected by a cell, at a meeting or on a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from coso.core.dates import add_months, first_of_month, format_date
from coso.core.errors import DomainError
from coso.members.models import Member
from coso.orgs.models import Organization

from .. import rules
from ..models import (
    DuesPayment,
    Meeting,
)
from ._common import _check_scope, _lock, _not_cancelled, _past, org_on
from .attendance import _eligible


@transaction.atomic
def record_dues(
    actor: Any,
    org: Organization,
    *,
    month: dt.date,
    payments: Mapping[Member, int] | Sequence[tuple[Member, int]],
    paid_on: dt.date | None = None,
    meeting: Meeting | None = None,
) -> list[DuesPayment]:
    """Dues collected by `org` for `month` (any day of it): amount in đồng per member. At a meeting, the date is
    the meeting's. Each payer attends `org` on the day paid (official or temporary membership) and is a member
    then; a member pays each month once (MEET.DUES). Nothing is written if one line is refused."""
    if meeting is not None:
        meeting = _lock(meeting)
        _not_cancelled(meeting)
        if meeting.org_id != org.pk:
            raise DomainError(
                "Cuộc sinh hoạt không thuộc chi bộ thu đảng phí.", field="meeting", rule=rules.DUES
            )
        paid_on = meeting.date
    if paid_on is None:
        raise DomainError("Hãy nhập ngày nộp đảng phí.", field="paid_on")
    _check_scope(actor, org)
    _past(paid_on, "paid_on", "Ngày nộp")
    period = org_on(org, paid_on, "paid_on")
    month = first_of_month(month)
    if month > add_months(first_of_month(paid_on), 12):
        raise DomainError("Chỉ nhận đóng trước tối đa 12 tháng.", field="month", rule=rules.DUES)
    eligible = _eligible(period, paid_on)
    items = list(payments.items()) if isinstance(payments, Mapping) else list(payments)
    seen: set[int] = set()
    rows = []
    for member, amount in items:
        if member.pk not in eligible:
            raise DomainError(
                f"{member.full_name} không sinh hoạt tại {period.name} vào ngày {format_date(paid_on)}.",
                field="payments",
                rule=rules.DUES,
            )
        if member.pk in seen or DuesPayment.objects.filter(member=member, month=month).exists():
            raise DomainError(
                f"{member.full_name} đã đóng đảng phí tháng {month:%m/%Y}.", field="payments", rule=rules.DUES
            )
        if int(amount) <= 0:
            raise DomainError(
                f"Số tiền đảng phí của {member.full_name} phải lớn hơn 0 đồng.",
                field="payments",
                rule=rules.DUES,
            )
        seen.add(member.pk)
        rows.append(
            DuesPayment(
                member=member,
                org=org,
                month=month,
                amount=int(amount),
                paid_on=paid_on,
                meeting=meeting,
                recorded_by=actor,
            )
        )
    if rows:
        bulk_create_with_history(rows, DuesPayment, default_user=actor, default_change_reason="Thu đảng phí")
    return rows
