"""A cell's meeting rhythm (the day of the month its regular meeting falls on)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from coso.core.dates import format_date
from coso.core.errors import DomainError
from coso.core.history import stamp
from coso.core.text import nfc
from coso.orgs.models import Organization

from .. import rules
from ..models import (
    MeetingRhythm,
)
from ._common import _check_scope, org_on


@transaction.atomic
def set_rhythm(
    actor: Any, org: Organization, *, day_of_month: int, valid_from: dt.date, note: str = ""
) -> MeetingRhythm:
    """The cell meets on `day_of_month` of each month from `valid_from` (the 4th in seed 004); the rhythm in
    force until then is closed that day. A day past the month's end means its last day."""
    _check_scope(actor, org)
    period = org_on(org, valid_from, "valid_from")
    if not period.kind.is_cell:
        raise DomainError(f"{period.name} không phải chi bộ.", field="org", rule=rules.RHYTHM)
    if not 1 <= int(day_of_month) <= 31:
        raise DomainError("Ngày sinh hoạt phải từ 1 đến 31.", field="day_of_month", rule=rules.RHYTHM)
    current = MeetingRhythm.objects.select_for_update().filter(org=org, valid_to__isnull=True).first()
    if current is not None:
        if current.valid_from >= valid_from:
            raise DomainError(
                f"Đã có lịch sinh hoạt từ ngày {format_date(current.valid_from)}; lịch mới phải bắt đầu sau ngày đó.",
                field="valid_from",
                rule=rules.RHYTHM,
            )
        current.valid_to = valid_from
        stamp(current, actor, "Thay lịch sinh hoạt").save(update_fields=["valid_to"])
    elif MeetingRhythm.objects.filter(org=org, valid_to__gt=valid_from).exists():
        raise DomainError(
            f"Đã có lịch sinh hoạt ghi sau ngày {format_date(valid_from)}.",
            field="valid_from",
            rule=rules.RHYTHM,
        )
    rhythm = MeetingRhythm(org=org, day_of_month=int(day_of_month), note=nfc(note), valid_from=valid_from)
    stamp(rhythm, actor, "Đặt lịch sinh hoạt").save()
    return rhythm
