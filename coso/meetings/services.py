"""Every write about cell meetings: one function per operation, one transaction, checked, with history.

Each function takes the acting user (`actor`; None for the system: the demo loader, command-line imports), checks
the actor's scope on the organization it touches (permission CHANGE_MEETINGS: sysadmin, organization commission,
committee office, cell secretary) and refuses with a Vietnamese `DomainError` naming its rule; a refused operation
writes nothing. Edits of a meeting, its minutes or its score carry the version they were made against
(`expected_version`); a stale edit is refused.

Who is on a meeting's attendance list is decided by the members' dated rows on the meeting date (DOMAIN §3):
- members whose **official** membership is in the cell (or, for a đảng bộ's whole-committee meeting, in a cell
  under it) on that date, with their status then (a member recognised later is probationary at an earlier
  meeting) and their flags then (exempt, suspended); a member temporarily attending elsewhere on that date is
  listed at home as `away` (counted, not expected);
- members whose **temporary** membership is in the cell on that date: listed as guests (role `guest`), counted at
  home, not in the host's figures;
- cadres a committee assigned to attend (`assign_attendee`), role `cadre` (or their member row when they belong
  to the cell).
The meeting's opening figures are recomputed from the list every time it changes (`_recompute`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from coso.core.bulk import CREATED, insert_rows, record_history
from coso.core.dates import add_months, first_of_month, today
from coso.core.errors import DomainError, StaleEdit
from coso.core.scope import CHANGE_MEETINGS, check_path, restrict, scope_for
from coso.core.text import nfc
from coso.members.models import ACTIVE_STATUSES, Member, MemberFlag, Membership, MemberStatus, Status
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from . import rules
from .models import (
    CELL_KINDS,
    COMMITTEE_KINDS,
    AgendaItem,
    Attendance,
    AttendanceAssignment,
    DuesPayment,
    Meeting,
    MeetingKind,
    MeetingRhythm,
    MeetingScore,
    Minutes,
    MinutesAmendment,
    ProgrammeCell,
    QualityCriteriaSet,
    QualityProgramme,
    Resolution,
    ResolutionTask,
    TaskFollowUp,
    must_attend,
)

P = Attendance.Presence
R = Attendance.Role


# ------------------------------------------------------------------------------------------------ helpers


def _fmt(d: dt.date | None) -> str:
    return d.strftime("%d/%m/%Y") if d else ""


def _stamp(obj: Any, actor: Any, reason: str) -> Any:
    obj._history_user = actor
    obj._change_reason = reason[:100]
    return obj


def _check_scope(actor: Any, org: Organization | None) -> None:
    if actor is not None and org is not None:
        check_path(actor, org.current_path, CHANGE_MEETINGS)


def _past(d: dt.date | None, field_name: str, label: str) -> None:
    if d is not None and d > today():
        raise DomainError(
            f"{label} {_fmt(d)} ở tương lai; hãy nhập ngày đã xảy ra.", field=field_name, rule=rules.PAST
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
            f"Tổ chức {org.code} thành lập ngày {_fmt(org.established_on)}, chưa tồn tại vào ngày {_fmt(on)}; "
            "hãy chọn ngày từ ngày thành lập trở đi.",
            field=field_name,
            rule=rules.ORG_EXISTS,
        )
    if org.dissolved_on is not None and on >= org.dissolved_on:
        raise DomainError(
            f"Tổ chức {org.code} đã giải thể ngày {_fmt(org.dissolved_on)}, không còn tồn tại vào ngày "
            f"{_fmt(on)}; hãy chọn ngày trước ngày giải thể.",
            field=field_name,
            rule=rules.ORG_EXISTS,
        )
    if periods is None:
        period = orgs_queries.period_on(org, on)
    else:
        period = next((p for p in periods if _during(on, p.valid_from, p.valid_to)), None)
    if period is None:
        raise DomainError(
            f"Tổ chức {org.code} không tồn tại vào ngày {_fmt(on)}.", field=field_name, rule=rules.ORG_EXISTS
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
            f"Cuộc sinh hoạt ngày {_fmt(locked.date)} vừa được người khác thay đổi; hãy tải lại trang và nhập lại."
        )
    return locked


def _bump(meeting: Meeting, actor: Any, reason: str, fields: Sequence[str] = ()) -> None:
    meeting.version += 1
    _stamp(meeting, actor, reason).save(update_fields=[*fields, "version"])


def _not_cancelled(meeting: Meeting) -> None:
    if meeting.status == Meeting.Status.CANCELLED:
        raise DomainError(
            f"Cuộc sinh hoạt ngày {_fmt(meeting.date)} đã hủy; không ghi thêm được.", rule=rules.STATE
        )


def _held(meeting: Meeting, what: str) -> None:
    if meeting.status != Meeting.Status.HELD:
        raise DomainError(
            f"Cuộc sinh hoạt ngày {_fmt(meeting.date)} chưa được ghi là đã họp (hãy điểm danh trước); "
            f"chưa thể {what}.",
            rule=rules.STATE,
        )


# ------------------------------------------------------------------------------------------------- rhythm


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
                f"Đã có lịch sinh hoạt từ ngày {_fmt(current.valid_from)}; lịch mới phải bắt đầu sau ngày đó.",
                field="valid_from",
                rule=rules.RHYTHM,
            )
        current.valid_to = valid_from
        _stamp(current, actor, "Thay lịch sinh hoạt").save(update_fields=["valid_to"])
    elif MeetingRhythm.objects.filter(org=org, valid_to__gt=valid_from).exists():
        raise DomainError(
            f"Đã có lịch sinh hoạt ghi sau ngày {_fmt(valid_from)}.", field="valid_from", rule=rules.RHYTHM
        )
    rhythm = MeetingRhythm(org=org, day_of_month=int(day_of_month), note=nfc(note), valid_from=valid_from)
    _stamp(rhythm, actor, "Đặt lịch sinh hoạt").save()
    return rhythm


# ------------------------------------------------------------------------------------------------ meetings


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
                    f"{person.full_name} không sinh hoạt tại {period.name} vào ngày {_fmt(data.date)}.",
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
    _stamp(meeting, actor, "Lên kế hoạch sinh hoạt").save()
    _agenda(meeting, agenda, actor)
    _refresh(meeting, period, actor)
    _recompute(meeting)
    _stamp(meeting, actor, "Lên kế hoạch sinh hoạt").save()
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
            _stamp(item, actor, "Sửa chương trình").delete()
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


# ---------------------------------------------------------------------------------------------- attendance


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


def _during(on: dt.date, valid_from: dt.date, valid_to: dt.date | None) -> bool:
    """The dated row [valid_from, valid_to) holds on `on` (`active_on` read in Python)."""
    return valid_from <= on and (valid_to is None or valid_to > on)


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
        cells = {org for org, path, f, t in places if path.startswith(period.path) and _during(on, f, t)}
        here = [
            (mid, kind, name) for mid, kind, org, f, t, name in rows if org in cells and _during(on, f, t)
        ]
        status_on = {mid: status for mid, status, f, t in statuses if _during(on, f, t)}
        flags_on = {(mid, kind) for mid, kind, f, t in flags if _during(on, f, t)}
        official_here = {mid for mid, kind, _n in here if kind == Membership.Kind.OFFICIAL}
        away = {
            mid
            for mid, org, f, t in temporary
            if mid in official_here and org not in cells and _during(on, f, t)
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
                    f"{_fmt(meeting.date)}; hãy kiểm tra lại ngày họp.",
                    field="date",
                    rule=rules.ATTENDEE,
                )
            _stamp(row, actor, "Cập nhật danh sách").delete()
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
                        f"{_fmt(meeting.date)} và không được phân công dự; không điểm danh được.",
                        field="member",
                        rule=rules.ATTENDEE,
                    )
                row = Attendance(meeting=meeting, member_id=mid)
                _standing(row, e)
                _stamp(row, actor, "Điểm danh").save()
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
            f"{cell.name} không trực thuộc {above.name} vào ngày {_fmt(meeting.date)}; cấp ủy chỉ phân công dự "
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
    _stamp(assignment, actor, "Phân công dự sinh hoạt").save()
    row = None
    if member is not None:
        row = Attendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
    if row is not None:
        row.assignment = assignment
        _stamp(row, actor, "Phân công dự sinh hoạt").save(update_fields=["assignment"])
    else:
        _stamp(
            Attendance(meeting=meeting, member=member, name=full_name, role=R.CADRE, assignment=assignment),
            actor,
            "Phân công dự sinh hoạt",
        ).save()
    _recompute(meeting)
    _bump(meeting, actor, "Phân công dự sinh hoạt", _FIGURES)
    return assignment


# ---------------------------------------------------------------------------------------------------- dues


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
                f"{member.full_name} không sinh hoạt tại {period.name} vào ngày {_fmt(paid_on)}.",
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


# ------------------------------------------------------------------------------------ the paper book


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
    return DomainError(f"Dòng {i} (ngày {_fmt(entry.date)}): {exc.message}", field=exc.field, rule=exc.rule)


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


# ------------------------------------------------------------------------------------------------- minutes


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
                f"Biên bản đã thông qua ngày {_fmt(minutes.adopted_on)}; chỉ được đính chính có ghi lý do và căn "
                "cứ.",
                rule=rules.MINUTES_LOCKED,
            )
        if expected_version is not None and minutes.version != expected_version:
            raise StaleEdit("Biên bản vừa được người khác thay đổi; hãy tải lại trang và nhập lại.")
    values = _clean_minutes(meeting, data)
    if minutes is None:
        minutes = Minutes(meeting=meeting, **values)
        _stamp(minutes, actor, "Ghi biên bản").save()
        return minutes
    for key, value in values.items():
        setattr(minutes, key, value)
    minutes.version += 1
    _stamp(minutes, actor, "Sửa biên bản").save()
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
            f"Biên bản đã thông qua ngày {_fmt(minutes.adopted_on)}.", rule=rules.MINUTES_LOCKED
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
    _stamp(minutes, actor, "Thông qua biên bản").save(update_fields=["adopted_on", "adopted_by", "version"])
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
    _stamp(minutes, actor, "Đính chính biên bản").save()
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
    _stamp(amendment, actor, "Đính chính biên bản").save()
    return amendment


# --------------------------------------------------------------------------------------------- resolutions


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
    _stamp(resolution, actor, "Ghi nghị quyết").save()
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
            f"Thời hạn phải từ ngày ra nghị quyết {_fmt(meeting.date)} trở đi.",
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
    _stamp(task, actor, "Giao nhiệm vụ").save()
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
            f"Nhiệm vụ đã {task.get_status_display().lower()} ngày {_fmt(task.closed_on)}.",
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
    _stamp(follow, actor, "Kiểm điểm nhiệm vụ").save()
    if status != ResolutionTask.Status.OPEN:
        task.status = status
        task.closed_on = meeting.date
        _stamp(task, actor, "Kiểm điểm nhiệm vụ").save(update_fields=["status", "closed_on"])
    return follow


# ------------------------------------------------------------------------------------------------- quality


def criteria_set_for(org: Organization, on: dt.date) -> QualityCriteriaSet:
    """The criteria set in force on `on` for a meeting of `org`: the one of the nearest organization above (or
    `org` itself) on that date that has a set in force, else the national one (no organization)."""
    period = org_on(org, on)
    ancestors = [int(seg) for seg in period.path.split("/") if seg]
    found = list(
        QualityCriteriaSet.objects.filter(
            Q(org_id__in=ancestors) | Q(org__isnull=True), effective_from__lte=on
        )
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
        .order_by("-effective_from")
    )
    rank = {org_id: i for i, org_id in enumerate(ancestors)}
    found.sort(key=lambda s: -(rank[s.org_id] + 1) if s.org_id is not None else 0)
    if not found:
        raise DomainError(
            f"Chưa có bộ tiêu chí chất lượng sinh hoạt có hiệu lực ngày {_fmt(on)}; quản trị cần bổ sung.",
            rule=rules.QUALITY,
        )
    return found[0]


def _check_criteria(criteria: Sequence[Mapping[str, Any]], levels: Sequence[Mapping[str, Any]]) -> None:
    if not criteria:
        raise DomainError("Bộ tiêu chí cần ít nhất một tiêu chí.", field="criteria", rule=rules.QUALITY)
    codes = [str(c.get("code", "")).strip() for c in criteria]
    if any(not c for c in codes) or len(set(codes)) != len(codes):
        raise DomainError("Mỗi tiêu chí cần một mã riêng, không trùng.", field="criteria", rule=rules.QUALITY)
    for c in criteria:
        if not nfc(str(c.get("text", ""))) or int(c.get("points", 0)) <= 0:
            raise DomainError(
                f"Tiêu chí {c.get('code')}: hãy ghi nội dung và số điểm tối đa lớn hơn 0.",
                field="criteria",
                rule=rules.QUALITY,
            )
    if not levels or any(not nfc(str(lv.get("name", ""))) or int(lv.get("min", -1)) < 0 for lv in levels):
        raise DomainError(
            "Hãy ghi các mức xếp loại với tên và điểm tối thiểu (từ 0).", field="levels", rule=rules.QUALITY
        )


@transaction.atomic
def save_criteria_set(
    actor: Any,
    *,
    org: Organization | None,
    name: str,
    source: str,
    effective_from: dt.date,
    criteria: Sequence[Mapping[str, Any]],
    levels: Sequence[Mapping[str, Any]],
    effective_to: dt.date | None = None,
) -> QualityCriteriaSet:
    """A new criteria set of `org` (a province, say) or national (`org` None: system administrators only), in
    force from `effective_from`. The open-ended set of the same organization that started earlier ends that day;
    any other overlap is refused (every rule is dated, none is overwritten)."""
    if org is None:
        if actor is not None and not scope_for(actor, CHANGE_MEETINGS).is_global:
            raise DomainError("Chỉ quản trị hệ thống ban hành bộ tiêu chí toàn quốc.", field="org")
    else:
        _check_scope(actor, org)
    _check_criteria(criteria, levels)
    if effective_to is not None and effective_to <= effective_from:
        raise DomainError("Ngày hết hiệu lực phải sau ngày hiệu lực.", field="effective_to")
    same = QualityCriteriaSet.objects.select_for_update().filter(org=org)
    previous = same.filter(effective_to__isnull=True, effective_from__lt=effective_from).first()
    if previous is not None:
        previous.effective_to = effective_from
        _stamp(previous, actor, "Thay bộ tiêu chí").save(update_fields=["effective_to"])
    overlap = same.filter(Q(effective_to__isnull=True) | Q(effective_to__gt=effective_from))
    if effective_to is not None:
        overlap = overlap.filter(effective_from__lt=effective_to)
    if overlap.exists():
        raise DomainError(
            "Đã có bộ tiêu chí của cấp này có hiệu lực trong khoảng thời gian đó.",
            field="effective_from",
            rule=rules.QUALITY,
        )
    cs = QualityCriteriaSet(
        org=org,
        name=nfc(name),
        source=nfc(source),
        effective_from=effective_from,
        effective_to=effective_to,
        criteria=[
            {"code": str(c["code"]).strip(), "text": nfc(str(c["text"])), "points": int(c["points"])}
            for c in criteria
        ],
        levels=sorted(
            [{"name": nfc(str(lv["name"])), "min": int(lv["min"])} for lv in levels], key=lambda x: -x["min"]
        ),
    )
    _stamp(cs, actor, "Ban hành bộ tiêu chí").save()
    return cs


@transaction.atomic
def score_meeting(
    actor: Any,
    meeting: Meeting,
    *,
    scores: Mapping[str, int],
    scored_on: dt.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> MeetingScore:
    """Score a held meeting against the criteria set in force for it (every criterion, 0 to its points); the
    total and level follow. Scoring again replaces the score (history keeps the old one); `expected_version` is
    the score's version."""
    meeting = _lock(meeting)
    _check_scope(actor, meeting.org)
    _held(meeting, "đánh giá chất lượng")
    cs = criteria_set_for(meeting.org, meeting.date)
    clean: dict[str, int] = {}
    for c in cs.criteria:
        code = c["code"]
        if code not in scores:
            raise DomainError(f"Chưa chấm tiêu chí {code}: {c['text']}.", field="scores", rule=rules.QUALITY)
        value = int(scores[code])
        if not 0 <= value <= int(c["points"]):
            raise DomainError(
                f"Tiêu chí {code} chấm từ 0 đến {c['points']} điểm (đã nhập {value}).",
                field="scores",
                rule=rules.QUALITY,
            )
        clean[code] = value
    unknown = set(scores) - set(clean)
    if unknown:
        raise DomainError(
            f"Tiêu chí không có trong bộ “{cs.name}”: {', '.join(sorted(unknown))}.",
            field="scores",
            rule=rules.QUALITY,
        )
    scored_on = scored_on or today()
    _past(scored_on, "scored_on", "Ngày đánh giá")
    total = sum(clean.values())
    score = MeetingScore.objects.select_for_update().filter(meeting=meeting).first()
    if score is None:
        score = MeetingScore(meeting=meeting)
    elif expected_version is not None and score.version != expected_version:
        raise StaleEdit("Kết quả đánh giá vừa được người khác thay đổi; hãy tải lại trang.")
    else:
        score.version += 1
    score.criteria_set = cs
    score.scores = clean
    score.total = total
    score.level = cs.level_for(total)
    score.scored_on = scored_on
    score.scored_by = actor
    score.note = nfc(note)
    _stamp(score, actor, "Đánh giá chất lượng sinh hoạt").save()
    return score


# ----------------------------------------------------------------------------------------------- programme


@transaction.atomic
def create_programme(
    actor: Any,
    org: Organization,
    *,
    name: str,
    date_from: dt.date,
    date_to: dt.date,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    note: str = "",
) -> QualityProgramme:
    """A programme to raise meeting quality (Đề án 16-ĐA/TU 2020-2025 of seed 004) run by `org`."""
    _check_scope(actor, org)
    org_on(org, date_from, "date_from")
    if not nfc(name):
        raise DomainError("Hãy ghi tên đề án.", field="name")
    if date_to <= date_from:
        raise DomainError("Ngày kết thúc phải sau ngày bắt đầu.", field="date_to", rule=rules.PROGRAMME)
    programme = QualityProgramme(
        org=org,
        name=nfc(name),
        decision_number=nfc(decision_number),
        decision_date=decision_date,
        date_from=date_from,
        date_to=date_to,
        note=(note or "").strip(),
        created_by=actor,
    )
    _stamp(programme, actor, "Tạo đề án").save()
    return programme


def _in_programme(programme: QualityProgramme, on: dt.date) -> None:
    if not programme.date_from <= on <= programme.date_to:
        raise DomainError(
            f"Ngày {_fmt(on)} ngoài thời gian của đề án ({_fmt(programme.date_from)} – {_fmt(programme.date_to)}).",
            field="on",
            rule=rules.PROGRAMME,
        )


def _programme_cell(programme: QualityProgramme, cell: Organization, on: dt.date) -> orgs_queries.Period:
    _in_programme(programme, on)
    above = org_on(programme.org, on, "on")
    period = org_on(cell, on, "org")
    if not period.kind.is_cell or not period.path.startswith(above.path):
        raise DomainError(
            f"{period.name} không phải chi bộ thuộc {above.name} vào ngày {_fmt(on)}.",
            field="org",
            rule=rules.PROGRAMME,
        )
    return period


@transaction.atomic
def select_pilot(
    actor: Any, programme: QualityProgramme, cell: Organization, *, on: dt.date, note: str = ""
) -> ProgrammeCell:
    """Choose `cell` as a pilot (sinh hoạt điểm) of the programme on `on`, to learn from before rolling out."""
    _check_scope(actor, programme.org)
    _programme_cell(programme, cell, on)
    row = ProgrammeCell.objects.select_for_update().filter(programme=programme, org=cell).first()
    if row is not None:
        raise DomainError("Chi bộ này đã có trong đề án.", field="org", rule=rules.PROGRAMME)
    row = ProgrammeCell(programme=programme, org=cell, pilot=True, selected_on=on, note=nfc(note))
    _stamp(row, actor, "Chọn chi bộ điểm").save()
    return row


@transaction.atomic
def roll_out(
    actor: Any, programme: QualityProgramme, *, on: dt.date, cells: Sequence[Organization] | None = None
) -> int:
    """Roll the programme out on `on` to `cells` (default: every cell under the programme's organization then),
    pilots included. Returns how many cells were rolled out."""
    _check_scope(actor, programme.org)
    if cells is None:
        _in_programme(programme, on)
        above = org_on(programme.org, on, "on")
        ids = list(
            orgs_queries.placements(on, within=above.path)
            .filter(kind__is_cell=True)
            .values_list("org_id", flat=True)
            .order_by("org_id")
        )
    else:
        for cell in cells:
            _programme_cell(programme, cell, on)
        ids = sorted({c.pk for c in cells})
    existing = {r.org_id: r for r in ProgrammeCell.objects.select_for_update().filter(programme=programme)}
    update = [r for oid, r in existing.items() if oid in ids and r.rolled_out_on is None]
    for r in update:
        r.rolled_out_on = on
    if update:
        bulk_update_with_history(
            update, ProgrammeCell, ["rolled_out_on"], default_user=actor, default_change_reason="Triển khai"
        )
    fresh = [
        ProgrammeCell(programme=programme, org_id=oid, rolled_out_on=on) for oid in ids if oid not in existing
    ]
    if fresh:
        bulk_create_with_history(fresh, ProgrammeCell, default_user=actor, default_change_reason="Triển khai")
    return len(update) + len(fresh)


def snapshot(minutes: Minutes) -> dict[str, Any]:
    """The minutes' fields as JSON (for pages that show an amendment's context)."""
    return {k: _json(getattr(minutes, k)) for k in _MINUTES_FIELDS}


__all__ = [
    "AgendaInput",
    "Eligible",
    "Mark",
    "MeetingInput",
    "MinutesInput",
    "add_resolution",
    "add_task",
    "adopt_minutes",
    "amend_minutes",
    "assign_attendee",
    "attendance_list",
    "cancel_meeting",
    "create_programme",
    "criteria_set_for",
    "follow_up_task",
    "mark_attendance",
    "mark_invitation_sent",
    "plan_meeting",
    "record_dues",
    "roll_out",
    "save_criteria_set",
    "save_minutes",
    "score_meeting",
    "select_pilot",
    "set_rhythm",
    "update_meeting",
]
