"""The paper book of past meetings brought in at once (a cell that starts using Coso)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from coso.core.bulk import CREATED, insert_rows, record_history
from coso.core.dates import first_of_month, format_date
from coso.core.errors import DomainError
from coso.core.scope import restrict
from coso.core.text import nfc
from coso.members.models import Member
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from .. import rules
from ..models import (
    Attendance,
    Meeting,
    MeetingKind,
    Minutes,
    must_attend,
)
from ._common import P, _check_kind, _check_scope, _past, org_on
from .attendance import _eligible_on, _figures, _standing_values


@dataclass
class BookEntry:
    """One meeting copied from a cell's paper book (sổ ghi biên bản sinh hoạt chi bộ): held on `date`, of
    `kind`, with its focus issue and place; `absent` names the members who were absent (member id → the reason
    written in the book; an empty reason is an absence without reason); everyone else on the list of that date
    who had to attend was present. The minutes were read out and adopted at the meeting (`adopted`) with the
    chair, secretary and conclusions the book gives."""

    date: dt.date
    kind: str = MeetingKind.REGULAR
    focus_issue: str = ""
    place: str = ""
    absent: Mapping[int, str] = field(default_factory=dict)
    chair_name: str = ""
    secretary_name: str = ""
    conclusions: str = ""
    adopted: bool = True


def _book_row(i: int, entry: BookEntry, exc: DomainError) -> DomainError:
    """`exc` said of line `i` of the book, so the user knows which line to fix."""
    return DomainError(
        f"Dòng {i} (ngày {format_date(entry.date)}): {exc.message}", field=exc.field, rule=exc.rule
    )


@transaction.atomic
def record_book(actor: Any, org: Organization, entries: Sequence[BookEntry]) -> list[Meeting]:
    """Nhập sổ sinh hoạt: record the meetings `org` already held, as its paper book gives them, in one go (a cell
    that starts using Coso brings its book of the year). Each line becomes a held meeting with its attendance
    list built from the members on that date (`_eligible_on`, the same rule as a roll call), the absences the
    book records, the figures computed from the list, and its minutes (adopted on the meeting date when the
    book says so). Every line is checked before anything is written: a date in the future, a date the
    organization did not exist, a kind it cannot hold, a committee meeting (its list is who the committee names:
    record it meeting by meeting), two lines or a recorded meeting of the same kind on the same day, an absent
    person who was not attending the organization then. A refusal names the line; nothing is written."""
    _check_scope(actor, org)
    if not entries:
        raise DomainError("Sổ chưa có cuộc sinh hoạt nào để nhập.", field="entries")
    periods: dict[dt.date, orgs_queries.Period] = {}
    seen: dict[tuple[dt.date, str], int] = {}
    its_periods = orgs_queries.periods_of(org)
    for i, entry in enumerate(entries, 1):
        try:
            _past(entry.date, "date", "Ngày họp")
            period = periods.get(entry.date) or org_on(org, entry.date, periods=its_periods)
            _check_kind(period, entry.kind)
            if entry.kind == MeetingKind.COMMITTEE:
                raise DomainError(
                    "họp cấp ủy có danh sách do cấp ủy xác định; hãy ghi từng cuộc ở trang lịch sinh hoạt.",
                    field="kind",
                    rule=rules.KIND,
                )
            if (entry.date, entry.kind) in seen:
                raise DomainError(
                    f"trùng với dòng {seen[entry.date, entry.kind]} (cùng ngày, cùng loại sinh hoạt).",
                    field="date",
                    rule=rules.STATE,
                )
        except DomainError as exc:
            raise _book_row(i, entry, exc) from exc
        seen[entry.date, entry.kind] = i
        periods[entry.date] = period
    recorded = (
        Meeting.objects.filter(org=org, date__in=periods)
        .exclude(status=Meeting.Status.CANCELLED)
        .values_list("date", "kind")
    )
    for on, kind in recorded:
        if (on, kind) in seen:
            entry = entries[seen[on, kind] - 1]
            raise _book_row(
                seen[on, kind],
                entry,
                DomainError(
                    f"{org.code} đã có {MeetingKind(kind).label.lower()} ngày này trong Coso; hãy bỏ dòng này "
                    "hoặc sửa cuộc đã có.",
                    field="date",
                    rule=rules.STATE,
                ),
            )
    eligible = _eligible_on(periods)
    lists: list[list[dict[str, Any]]] = []
    for i, entry in enumerate(entries, 1):
        people = eligible[entry.date]
        for mid in entry.absent:
            if mid not in people:
                named = (
                    restrict(Member.objects.filter(pk=mid), actor).values_list("full_name", flat=True).first()
                )
                raise _book_row(
                    i,
                    entry,
                    DomainError(
                        f"{named or 'người này'} không sinh hoạt tại {periods[entry.date].name} vào ngày họp; "
                        "hãy bỏ khỏi danh sách vắng.",
                        field="absent",
                        rule=rules.ATTENDEE,
                    ),
                )
        rows = []
        for mid, person in people.items():
            row = {"member_id": mid, "presence": P.UNKNOWN, "reason": "", **_standing_values(person)}
            if mid in entry.absent:
                row["reason"] = nfc(entry.absent[mid])
                row["presence"] = P.ABSENT_EXCUSED if row["reason"] else P.ABSENT_UNEXCUSED
            elif must_attend(person.role, person.exempt, person.suspended, person.away):
                row["presence"] = P.PRESENT
            rows.append(row)
        lists.append(rows)
    # set-based writes (a year's book is hundreds of rows), the history copied from the rows written
    reason = "Nhập sổ sinh hoạt"
    user_id = getattr(actor, "pk", None)
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    figures = [_figures(rows) for rows in lists]
    ids = insert_rows(
        Meeting,
        [
            {
                "org_id": org.pk,
                "kind": entry.kind,
                "date": entry.date,
                "month": first_of_month(entry.date),
                "place": nfc(entry.place),
                "focus_issue": nfc(entry.focus_issue),
                "status": Meeting.Status.HELD,
                "created_by_id": user_id,
                "created_at": created_at,
                **counts,
            }
            for entry, counts in zip(entries, figures, strict=True)
        ],
    )
    record_history(Meeting, ids=ids, user=actor, reason=reason, history_type=CREATED)
    attendance = [{"meeting_id": pk, **row} for pk, rows in zip(ids, lists, strict=True) for row in rows]
    record_history(
        Attendance, ids=insert_rows(Attendance, attendance), user=actor, reason=reason, history_type=CREATED
    )
    minutes = [
        {
            "meeting_id": pk,
            "chair_name": nfc(entry.chair_name),
            "secretary_name": nfc(entry.secretary_name),
            "conclusions": (entry.conclusions or "").strip(),
            "speakers": "[]",  # a JSON column written as its SQL value
            "votes_for": counts["present"],
            "adopted_on": entry.date if entry.adopted else None,
            "adopted_by_id": user_id if entry.adopted else None,
        }
        for pk, entry, counts in zip(ids, entries, figures, strict=True)
    ]
    record_history(
        Minutes, ids=insert_rows(Minutes, minutes), user=actor, reason=reason, history_type=CREATED
    )
    return list(Meeting.objects.filter(pk__in=ids).select_related("org").order_by("id"))
