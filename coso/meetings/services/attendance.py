"""Who must attend a meeting (the members' dated rows on its date), the roll call and the meeting's figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from coso.core.dates import format_date, holds_on
from coso.core.errors import DomainError
from coso.core.history import stamp
from coso.core.scope import restrict
from coso.core.text import nfc
from coso.members.models import ACTIVE_STATUSES, Member, MemberFlag, Membership, MemberStatus, Status
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from .. import rules
from ..models import (
    Attendance,
    AttendanceAssignment,
    Meeting,
    MeetingKind,
    must_attend,
)
from ._common import P, R, _bump, _check_scope, _lock, _not_cancelled, _past, org_on


@dataclass
class Eligible:
    """Someone who may be on the list of a meeting on its date, with their standing then."""

    member_id: int
    name: str
    role: str
    status: str
    exempt: bool = False
    suspended: bool = False
    away: bool = False


def _eligible(period: orgs_queries.Period, on: dt.date) -> dict[int, Eligible]:
    """Members attending `period`'s organization on `on` (see `_eligible_on`)."""
    return _eligible_on({on: period})[on]


def _eligible_on(dated: Mapping[dt.date, orgs_queries.Period]) -> dict[dt.date, dict[int, Eligible]]:
    """For each date, the members attending the organization as it stood then (`dated[date]`, a period of one
    organization): official membership in a cell under it (role member) or temporary membership there (role
    guest), with an active status then, their flags then, and whether an official member attends elsewhere then
    (away). In five queries for any number of dates: the dated rows overlapping the dates' span are read once and
    sorted out per date here."""
    lo, hi = min(dated), max(dated)
    overlap = Q(valid_from__lte=hi) & (Q(valid_to__isnull=True) | Q(valid_to__gt=lo))
    places = list(
        orgs_queries.placements_during(lo, hi, within=sorted({p.path for p in dated.values()})).values_list(
            "org_id", "path", "valid_from", "valid_to"
        )
    )
    rows = list(
        Membership.objects.filter(overlap, org_id__in={p[0] for p in places}).values_list(
            "member_id", "kind", "org_id", "valid_from", "valid_to", "member__full_name"
        )
    )
    ids = {r[0] for r in rows}
    statuses = list(
        MemberStatus.objects.filter(overlap, member_id__in=ids).values_list(
            "member_id", "status", "valid_from", "valid_to"
        )
    )
    flags = list(
        MemberFlag.objects.filter(overlap, member_id__in=ids).values_list(
            "member_id", "kind", "valid_from", "valid_to"
        )
    )
    temporary = list(
        Membership.objects.filter(
            overlap,
            member_id__in={r[0] for r in rows if r[1] == Membership.Kind.OFFICIAL},
            kind=Membership.Kind.TEMPORARY,
        ).values_list("member_id", "org_id", "valid_from", "valid_to")
    )
    result: dict[dt.date, dict[int, Eligible]] = {}
    for on, period in dated.items():
        cells = {org for org, path, f, t in places if path.startswith(period.path) and holds_on(on, f, t)}
        here = [
            (mid, kind, name) for mid, kind, org, f, t, name in rows if org in cells and holds_on(on, f, t)
        ]
        status_on = {mid: status for mid, status, f, t in statuses if holds_on(on, f, t)}
        flags_on = {(mid, kind) for mid, kind, f, t in flags if holds_on(on, f, t)}
        official_here = {mid for mid, kind, _n in here if kind == Membership.Kind.OFFICIAL}
        away = {
            mid
            for mid, org, f, t in temporary
            if mid in official_here and org not in cells and holds_on(on, f, t)
        }
        people: dict[int, Eligible] = {}
        for mid, kind, name in here:
            status = status_on.get(mid)
            if status not in ACTIVE_STATUSES:
                continue
            if kind == Membership.Kind.TEMPORARY and mid in official_here:
                continue  # attends a cell of its own subtree: listed once, as a member
            people[mid] = Eligible(
                member_id=mid,
                name=name,
                role=R.MEMBER if kind == Membership.Kind.OFFICIAL else R.GUEST,
                status=str(status),
                exempt=(mid, MemberFlag.Kind.EXEMPT) in flags_on,
                suspended=(mid, MemberFlag.Kind.SUSPENDED) in flags_on,
                away=mid in away,
            )
        result[on] = people
    return result


def _standing_values(e: Eligible) -> dict[str, Any]:
    """The attendance row's copy of `e`'s standing on the meeting date."""
    return {
        "role": e.role,
        "status_on": e.status,
        "exempt": e.exempt,
        "suspended": e.suspended,
        "away": e.away,
        "name": e.name,
    }


def _standing(row: Attendance, e: Eligible) -> bool:
    """Copy `e`'s standing on the meeting date onto `row`; True when something changed."""
    changed = False
    for key, value in _standing_values(e).items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


_STANDING_FIELDS = ["role", "status_on", "exempt", "suspended", "away", "name"]


def _refresh(meeting: Meeting, period: orgs_queries.Period, actor: Any) -> dict[int, Eligible]:
    """Bring the list to the meeting date: add the members and guests missing (not for a committee meeting,
    whose list is what was marked), update everyone's standing then, drop unmarked people who are no longer
    eligible; refuse when a marked person is no longer eligible."""
    eligible = _eligible(period, meeting.date)
    rows = list(Attendance.objects.select_for_update().filter(meeting=meeting))
    by_member = {r.member_id: r for r in rows if r.member_id is not None}
    to_update: list[Attendance] = []
    for row in rows:
        if row.member_id is None:
            continue
        e = eligible.get(row.member_id)
        if e is None:
            if row.assignment_id is not None:
                if row.role != R.CADRE:
                    row.role, row.status_on, row.exempt, row.suspended, row.away = (
                        R.CADRE,
                        "",
                        False,
                        False,
                        False,
                    )
                    to_update.append(row)
                continue
            if row.presence != P.UNKNOWN:
                raise DomainError(
                    f"{row.name} đã được điểm danh nhưng không sinh hoạt tại tổ chức này vào ngày "
                    f"{format_date(meeting.date)}; hãy kiểm tra lại ngày họp.",
                    field="date",
                    rule=rules.ATTENDEE,
                )
            stamp(row, actor, "Cập nhật danh sách").delete()
            continue
        if _standing(row, e):
            to_update.append(row)
    if to_update:
        bulk_update_with_history(
            to_update,
            Attendance,
            _STANDING_FIELDS,
            default_user=actor,
            default_change_reason="Cập nhật danh sách",
        )
    if meeting.kind != MeetingKind.COMMITTEE:
        fresh = []
        for mid, e in eligible.items():
            if mid in by_member:
                continue
            row = Attendance(meeting=meeting, member_id=mid)
            _standing(row, e)
            fresh.append(row)
        if fresh:
            bulk_create_with_history(
                fresh, Attendance, default_user=actor, default_change_reason="Lập danh sách dự họp"
            )
    return eligible


_FIGURES = [
    "official",
    "probationary",
    "exempt",
    "suspended",
    "away",
    "expected",
    "present",
    "present_expected",
    "absent_excused",
    "absent_unexcused",
    "guests",
]


def _figures(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The opening figures of a list (DOMAIN §3) from its rows' role, status_on, exempt, suspended, away and
    presence: official, probationary, exempt, suspended and away members; those who had to attend (members
    neither exempt, suspended nor away) and how many of them were present or absent with or without a reason;
    members present; guests and cadres present."""
    counts = dict.fromkeys(_FIGURES, 0)
    for row in rows:
        present = row["presence"] == P.PRESENT
        if row["role"] != R.MEMBER:
            counts["guests"] += present
            continue
        counts["official"] += row["status_on"] == Status.OFFICIAL
        counts["probationary"] += row["status_on"] == Status.PROBATIONARY
        counts["exempt"] += row["exempt"]
        counts["suspended"] += row["suspended"]
        counts["away"] += row["away"]
        counts["present"] += present
        if must_attend(row["role"], row["exempt"], row["suspended"], row["away"]):
            counts["expected"] += 1
            counts["present_expected"] += present
            counts["absent_excused"] += row["presence"] == P.ABSENT_EXCUSED
            counts["absent_unexcused"] += row["presence"] == P.ABSENT_UNEXCUSED
    return counts


def _recompute(meeting: Meeting) -> None:
    """The opening figures from the list (set on `meeting`, saved by the caller)."""
    rows = Attendance.objects.filter(meeting=meeting).values(
        "role", "status_on", "exempt", "suspended", "away", "presence"
    )
    for key, value in _figures(rows).items():
        setattr(meeting, key, value)


@transaction.atomic
def attendance_list(actor: Any, meeting: Meeting, *, expected_version: int | None = None) -> list[Attendance]:
    """Prepare (or bring up to date) the attendance list of `meeting` from the memberships on its date: the
    cell's members with their status and flags then, temporary guests, assigned cadres. Recomputes the figures.
    Returns the list: members first, then guests, then cadres."""
    meeting = _lock(meeting, expected_version)
    _check_scope(actor, meeting.org)
    _not_cancelled(meeting)
    period = org_on(meeting.org, meeting.date)
    _refresh(meeting, period, actor)
    _recompute(meeting)
    _bump(meeting, actor, "Lập danh sách dự họp", _FIGURES)
    return list(Attendance.objects.filter(meeting=meeting).order_by("role", "name", "id"))


@dataclass
class Mark:
    """One line of the roll call: the person by `member` (a Member or its id) or by `attendance_id` (an
    assigned cadre outside the system), and their presence with the reason of an absence."""

    presence: str
    reason: str = ""
    member: Member | int | None = None
    attendance_id: int | None = None


@transaction.atomic
def mark_attendance(
    actor: Any, meeting: Meeting, marks: Sequence[Mark], *, expected_version: int | None = None
) -> Meeting:
    """The roll call (bulk): present, absent with a reason, absent without. The list is first brought to the
    meeting date; a person who is neither a member attending the organization then nor an assigned attendee is
    refused (MEET.ATTENDEE). Recording attendance records the meeting as held (not before its date) and
    recomputes the figures."""
    meeting = _lock(meeting, expected_version)
    _check_scope(actor, meeting.org)
    _not_cancelled(meeting)
    _past(meeting.date, "date", "Chưa đến ngày họp: ngày")
    period = org_on(meeting.org, meeting.date)
    eligible = _refresh(meeting, period, actor)
    rows = {r.pk: r for r in Attendance.objects.select_for_update().filter(meeting=meeting)}
    by_member = {r.member_id: r for r in rows.values() if r.member_id is not None}
    changed: dict[int, Attendance] = {}
    for mark in marks:
        if mark.presence not in P.values:
            raise DomainError("Hãy chọn có mặt, vắng có lý do hoặc vắng không lý do.", field="presence")
        reason = nfc(mark.reason)
        if mark.presence == P.ABSENT_EXCUSED and not reason:
            raise DomainError("Vắng có lý do: hãy ghi lý do vắng.", field="reason")
        if mark.attendance_id is not None:
            row = rows.get(mark.attendance_id)
            if row is None:
                raise DomainError(
                    "Người này không có trong danh sách dự họp của cuộc sinh hoạt này.",
                    field="attendance",
                    rule=rules.ATTENDEE,
                )
        else:
            mid = mark.member.pk if isinstance(mark.member, Member) else mark.member
            if mid is None:
                raise DomainError("Hãy chọn người được điểm danh.", field="member")
            row = by_member.get(mid)
            if row is None:
                e = eligible.get(mid)
                if e is None:
                    # named only when the actor may see the person: a refusal must not reveal who is where
                    person = (
                        restrict(Member.objects.filter(pk=mid), actor)
                        .values_list("full_name", flat=True)
                        .first()
                    )
                    raise DomainError(
                        f"{person or 'Người này'} không sinh hoạt tại {period.name} vào ngày "
                        f"{format_date(meeting.date)} và không được phân công dự; không điểm danh được.",
                        field="member",
                        rule=rules.ATTENDEE,
                    )
                row = Attendance(meeting=meeting, member_id=mid)
                _standing(row, e)
                stamp(row, actor, "Điểm danh").save()
                rows[row.pk] = row
                by_member[mid] = row
        row.presence = mark.presence
        row.reason = "" if mark.presence == P.PRESENT else reason
        changed[row.pk] = row
    if changed:
        bulk_update_with_history(
            list(changed.values()),
            Attendance,
            ["presence", "reason"],
            default_user=actor,
            default_change_reason="Điểm danh",
        )
    _recompute(meeting)
    fields = list(_FIGURES)
    if meeting.status == Meeting.Status.PLANNED:
        meeting.status = Meeting.Status.HELD
        fields.append("status")
    _bump(meeting, actor, "Điểm danh", fields)
    return meeting


@transaction.atomic
def assign_attendee(
    actor: Any,
    meeting: Meeting,
    *,
    assigning_org: Organization,
    name: str = "",
    title: str = "",
    user: Any = None,
    member: Member | None = None,
    note: str = "",
) -> AttendanceAssignment:
    """A committee (`assigning_org`, above the meeting's organization on its date) assigns one of its members
    or a higher-level cadre to attend (seed 003). The person is put on the list (as a cadre, or on their own
    member row when they belong to the cell) and their presence is marked with the others."""
    meeting = _lock(meeting)
    _check_scope(actor, assigning_org)
    _not_cancelled(meeting)
    above = org_on(assigning_org, meeting.date, "assigning_org")
    cell = org_on(meeting.org, meeting.date)
    if not (cell.path.startswith(above.path) and cell.path != above.path):
        raise DomainError(
            f"{cell.name} không trực thuộc {above.name} vào ngày {format_date(meeting.date)}; cấp ủy chỉ phân công dự "
            "sinh hoạt ở tổ chức trực thuộc mình.",
            field="assigning_org",
            rule=rules.ASSIGN,
        )
    full_name = nfc(name) or (member.full_name if member else "") or (str(user) if user else "")
    if not full_name:
        raise DomainError("Hãy ghi họ và tên người được phân công.", field="name")
    clash = AttendanceAssignment.objects.filter(meeting=meeting)
    if (member is not None and clash.filter(assignee_member=member).exists()) or (
        user is not None and clash.filter(assignee_user=user).exists()
    ):
        raise DomainError(f"{full_name} đã được phân công dự cuộc sinh hoạt này.", rule=rules.ASSIGN)
    assignment = AttendanceAssignment(
        meeting=meeting,
        assigning_org=assigning_org,
        assignee_user=user,
        assignee_member=member,
        assignee_name=full_name,
        assignee_title=nfc(title),
        note=nfc(note),
        assigned_by=actor,
    )
    stamp(assignment, actor, "Phân công dự sinh hoạt").save()
    row = None
    if member is not None:
        row = Attendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
    if row is not None:
        row.assignment = assignment
        stamp(row, actor, "Phân công dự sinh hoạt").save(update_fields=["assignment"])
    else:
        stamp(
            Attendance(meeting=meeting, member=member, name=full_name, role=R.CADRE, assignment=assignment),
            actor,
            "Phân công dự sinh hoạt",
        ).save()
    _recompute(meeting)
    _bump(meeting, actor, "Phân công dự sinh hoạt", _FIGURES)
    return assignment
