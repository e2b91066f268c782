"""Every write to the member registry: one function per operation, one transaction, checked, with history.

Dated rows are closed and opened, never overwritten. Each function takes the acting user (`actor`; None for the
system: the demo loader, imports run from the command line), checks the actor's scope on the organizations it
touches (permission CHANGE_MEMBERS), and refuses with a Vietnamese `DomainError` that names its rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from simple_history.utils import bulk_update_with_history

from coso.core import access
from coso.core.bulk import CREATED, record_history
from coso.core.dates import active_on, add_months, add_working_days, format_date, months_between, today
from coso.core.errors import DomainError, Rule, StaleEdit
from coso.core.history import stamp
from coso.core.rules import as_rule, rule_in_force
from coso.core.scope import CHANGE_MEMBERS, check_path
from coso.core.text import fold, nfc, person_sort_key
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from .models import (
    ACTIVE_STATUSES,
    Discipline,
    Ethnicity,
    Member,
    MemberFlag,
    MemberProfile,
    Membership,
    MemberStatus,
    MemberView,
    Occupation,
    Qualification,
    Religion,
    Status,
    Transfer,
)

CITIZEN_ID = Rule("MEM.CITIZEN_ID", "Số CCCD gồm 12 chữ số và không trùng", "Luật Căn cước 2023, Điều 12")
OVERLAP = Rule(
    "MEM.OVERLAP",
    "Một đảng viên chỉ sinh hoạt chính thức ở một chi bộ tại một thời điểm",
    "Điều lệ Đảng, Điều 7",
)
CELL = Rule("MEM.CELL", "Đảng viên sinh hoạt tại chi bộ đang tồn tại vào ngày đó", "Điều lệ Đảng, Điều 24")
PAST = Rule("MEM.PAST", "Ngày của việc đã xảy ra không thể ở tương lai", "Nguyên tắc dữ liệu của Coso")
DISCIPLINE = Rule(
    "MEM.DISCIPLINE_FORM",
    "Hình thức kỷ luật theo loại đảng viên",
    "Điều lệ Đảng, Điều 35; Quy định 69-QĐ/TW (2022)",
)
STATUS = Rule("MEM.STATUS", "Thao tác phù hợp với tình trạng của đảng viên", "Điều lệ Đảng, Điều 5, 8")


def _past(d: dt.date | None, field: str, label: str) -> None:
    if d is not None and d > today():
        raise DomainError(
            f"{label} {format_date(d)} ở tương lai; hãy nhập ngày đã xảy ra.", field=field, rule=PAST
        )


def _check_scope(actor: Any, org: Organization | None) -> None:
    if actor is not None and org is not None:
        check_path(actor, org.current_path, CHANGE_MEMBERS)


def cell_on(org: Organization, on: dt.date, field: str = "org") -> orgs_queries.Period:
    """`org` as it stood on `on`, required to be a cell (chi bộ) that exists then."""
    period = orgs_queries.period_on(org, on)
    if period is None:
        raise DomainError(
            f"Chi bộ {org.code} không tồn tại vào ngày {format_date(on)}; hãy chọn chi bộ đang tồn tại.",
            field=field,
            rule=CELL,
        )
    if not period.kind.is_cell:
        raise DomainError(
            f"{period.name} là {period.kind.name}, không phải chi bộ; đảng viên chỉ sinh hoạt tại chi bộ.",
            field=field,
            rule=CELL,
        )
    return period


def probation_end(joined_on: dt.date) -> tuple[dt.date, Rule]:
    """The first day a probationary member admitted on `joined_on` can be recognised, by the rule then in force."""
    ruleset = rule_in_force("MEM.PROBATION", joined_on)
    return add_months(joined_on, int(ruleset.params["months"])), as_rule(ruleset)


@dataclass
class Identity:
    full_name: str
    birth_date: dt.date
    gender: str
    ethnicity: Ethnicity
    religion: Religion
    citizen_id: str = ""
    card_number: str = ""
    vitae_number: str = ""


@dataclass
class Profile:
    education: str = ""
    qualification: Qualification | None = None
    theory_level: str = ""
    occupation: Occupation | None = None
    academic_title: str = ""


def _check_identity(identity: Identity, exclude: int | None = None) -> str:
    name = nfc(identity.full_name)
    if not name:
        raise DomainError("Hãy nhập họ và tên.", field="full_name")
    _past(identity.birth_date, "birth_date", "Ngày sinh")
    cid = (identity.citizen_id or "").strip()
    if cid:
        if len(cid) != 12 or not cid.isdigit():
            raise DomainError(
                f"Số CCCD “{cid}” phải gồm đúng 12 chữ số.", field="citizen_id", rule=CITIZEN_ID
            )
        clash = Member.objects.filter(citizen_id=cid)
        if exclude:
            clash = clash.exclude(pk=exclude)
        other = clash.first()
        if other is not None:
            raise DomainError(
                f"Số CCCD {cid} đã có ở đảng viên {other.full_name}; hãy kiểm tra lại.",
                field="citizen_id",
                rule=CITIZEN_ID,
            )
    return name


@transaction.atomic
def admit(
    actor: Any,
    identity: Identity,
    *,
    cell: Organization,
    admission_decided_on: dt.date,
    joined_on: dt.date,
    decision_number: str = "",
    reviewed_on: dt.date | None = None,
    over_60_approval: str = "",
    profile: Profile | None = None,
) -> Member:
    """Kết nạp: a new probationary member of `cell` from the admission ceremony (`joined_on`).

    Age is checked at the cell's review (`reviewed_on`, by default the admission decision date): 18 to 60 years in
    months by the rule in force then; over 60 needs the approval recorded."""
    _check_scope(actor, cell)
    name = _check_identity(identity)
    _past(admission_decided_on, "admission_decided_on", "Ngày quyết định kết nạp")
    _past(joined_on, "joined_on", "Ngày vào Đảng")
    if joined_on < admission_decided_on:
        raise DomainError(
            "Ngày vào Đảng (lễ kết nạp) phải từ ngày quyết định kết nạp trở đi.", field="joined_on"
        )
    review = reviewed_on or admission_decided_on
    ruleset = rule_in_force("MEM.ADMISSION_AGE", review)
    age = months_between(identity.birth_date, review)
    low, high = int(ruleset.params["min_months"]), int(ruleset.params["max_months"])
    if age < low:
        raise DomainError(
            f"Ngày {format_date(review)} người này mới {age // 12} tuổi {age % 12} tháng, chưa đủ "
            f"{low // 12} tuổi để kết nạp.",
            field="birth_date",
            rule=as_rule(ruleset),
        )
    if age > high and not nfc(over_60_approval):
        raise DomainError(
            f"Ngày {format_date(review)} người này đã {age // 12} tuổi, quá {high // 12} tuổi: hãy ghi văn "
            "bản đồng ý của cấp có thẩm quyền.",
            field="over_60_approval",
            rule=as_rule(ruleset),
        )
    cell_on(cell, joined_on, "cell")
    member = Member(
        full_name=name,
        search_key=fold(name),
        sort_key=person_sort_key(name),
        birth_date=identity.birth_date,
        gender=identity.gender,
        ethnicity=identity.ethnicity,
        religion=identity.religion,
        citizen_id=(identity.citizen_id or "").strip() or None,
        card_number=nfc(identity.card_number),
        vitae_number=nfc(identity.vitae_number),
        admission_decided_on=admission_decided_on,
        joined_on=joined_on,
        over_60_approval=nfc(over_60_approval),
        status=Status.PROBATIONARY,
        home_org=cell,
    )
    stamp(member, actor, "Kết nạp đảng viên").save()
    stamp(
        MemberStatus(
            member=member,
            status=Status.PROBATIONARY,
            valid_from=joined_on,
            decision_number=nfc(decision_number),
            decision_date=admission_decided_on,
        ),
        actor,
        "Kết nạp",
    ).save()
    stamp(Membership(member=member, org=cell, valid_from=joined_on), actor, "Kết nạp").save()
    p = profile or Profile()
    stamp(
        MemberProfile(
            member=member,
            valid_from=joined_on,
            education=p.education,
            qualification=p.qualification,
            theory_level=p.theory_level,
            occupation=p.occupation,
            academic_title=p.academic_title,
        ),
        actor,
        "Kết nạp",
    ).save()
    return member


def _lock(member: Member, expected_version: int | None) -> Member:
    locked = Member.objects.select_for_update().get(pk=member.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            f"Hồ sơ {locked.full_name} vừa được người khác thay đổi; hãy tải lại trang và nhập lại."
        )
    return locked


def _current_status(member: Member) -> MemberStatus:
    current = member.statuses.filter(valid_to__isnull=True).first()
    if current is None:
        raise DomainError(f"{member.full_name} không còn là đảng viên.", rule=STATUS)
    return current


def _bump(member: Member, actor: Any, reason: str, **changes: Any) -> None:
    for key, value in changes.items():
        setattr(member, key, value)
    member.version += 1
    stamp(member, actor, reason).save(update_fields=[*changes, "version"])


@transaction.atomic
def recognise(
    actor: Any,
    member: Member,
    *,
    on: dt.date,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    expected_version: int | None = None,
) -> Member:
    """Công nhận chính thức: not before the probation (12 months by default) has ended."""
    member = _lock(member, expected_version)
    _check_scope(actor, member.home_org)
    _past(on, "on", "Ngày công nhận")
    current = _current_status(member)
    if current.status != Status.PROBATIONARY:
        raise DomainError(
            f"{member.full_name} đang là đảng viên {current.get_status_display().lower()}, không phải dự bị.",
            rule=STATUS,
        )
    earliest, rule = probation_end(member.joined_on)
    if on < earliest:
        raise DomainError(
            f"{member.full_name} vào Đảng ngày {format_date(member.joined_on)}; chỉ được công nhận chính "
            f"thức từ ngày {format_date(earliest)}.",
            field="on",
            rule=rule,
        )
    if on < current.valid_from:
        raise DomainError(
            "Ngày công nhận trước một thay đổi đã ghi; hãy kiểm tra ngày.", field="on", rule=STATUS
        )
    current.valid_to = on
    stamp(current, actor, "Công nhận chính thức").save(update_fields=["valid_to"])
    stamp(
        MemberStatus(
            member=member,
            status=Status.OFFICIAL,
            valid_from=on,
            decision_number=nfc(decision_number),
            decision_date=decision_date or on,
        ),
        actor,
        "Công nhận chính thức",
    ).save()
    _bump(member, actor, "Công nhận chính thức", status=Status.OFFICIAL, recognised_on=on)
    return member


EXITS = {Status.REMOVED, Status.EXPELLED, Status.LEFT, Status.DECEASED, Status.NOT_RECOGNISED}
EXIT_CHOICES = [(str(x.value), x.label) for x in Status if x in EXITS]


@transaction.atomic
def end_membership(
    actor: Any,
    member: Member,
    *,
    status: str,
    on: dt.date,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    issuer: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> Member:
    """Xóa tên, khai trừ, ra khỏi Đảng, từ trần, không công nhận chính thức: the member's life in the Party ends
    on `on` (their memberships and flags close that day)."""
    if status not in EXITS:
        raise DomainError("Hãy chọn một hình thức ra khỏi Đảng hợp lệ.", field="status")
    member = _lock(member, expected_version)
    _check_scope(actor, member.home_org)
    _past(on, "on", "Ngày")
    current = _current_status(member)
    if status == Status.NOT_RECOGNISED and current.status != Status.PROBATIONARY:
        raise DomainError("Chỉ đảng viên dự bị mới có thể không được công nhận chính thức.", rule=STATUS)
    if on < current.valid_from:
        raise DomainError(
            f"Ngày {format_date(on)} trước thay đổi đã ghi ngày {format_date(current.valid_from)}.",
            field="on",
            rule=STATUS,
        )
    label = Status(status).label
    current.valid_to = on
    stamp(current, actor, label).save(update_fields=["valid_to"])
    stamp(
        MemberStatus(
            member=member,
            status=status,
            valid_from=on,
            decision_number=nfc(decision_number),
            decision_date=decision_date,
            issuer=nfc(issuer),
            note=nfc(note),
        ),
        actor,
        label,
    ).save()
    _close_open(member.memberships.filter(valid_to__isnull=True), on, actor, label)
    _close_open(member.flags.filter(valid_to__isnull=True), on, actor, label)
    for pending in member.transfers.filter(state=Transfer.State.ISSUED):
        pending.state = Transfer.State.CANCELLED
        stamp(pending, actor, label).save(update_fields=["state"])
    _bump(member, actor, label, status=status)
    return member


def _close_open(qs: Any, on: dt.date, actor: Any, reason: str) -> None:
    rows = list(qs)
    for row in rows:
        if row.valid_from > on:
            raise DomainError(
                f"Đã có thay đổi ghi từ ngày {format_date(row.valid_from)}, sau ngày {format_date(on)}.",
                field="on",
                rule=STATUS,
            )
        row.valid_to = on
    if rows:
        bulk_update_with_history(
            rows, type(rows[0]), ["valid_to"], default_user=actor, default_change_reason=reason[:100]
        )


@transaction.atomic
def set_flag(
    actor: Any,
    member: Member,
    *,
    kind: str,
    on: dt.date,
    decision_number: str = "",
    decision_date: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> MemberFlag:
    """Miễn sinh hoạt / đình chỉ sinh hoạt from `on`."""
    member = _lock(member, expected_version)
    _check_scope(actor, member.home_org)
    _past(on, "on", "Ngày")
    if member.status not in ACTIVE_STATUSES:
        raise DomainError(f"{member.full_name} không còn là đảng viên.", rule=STATUS)
    if member.flags.filter(kind=kind).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on)).exists():
        raise DomainError(
            f"{member.full_name} đã có {MemberFlag.Kind(kind).label.lower()} chưa kết thúc.",
            field="kind",
            rule=STATUS,
        )
    flag = MemberFlag(
        member=member,
        kind=kind,
        valid_from=on,
        decision_number=nfc(decision_number),
        decision_date=decision_date,
        reason=nfc(reason),
    )
    stamp(flag, actor, MemberFlag.Kind(kind).label).save()
    _bump(member, actor, MemberFlag.Kind(kind).label)
    return flag


@transaction.atomic
def end_flag(
    actor: Any, member: Member, *, kind: str, on: dt.date, expected_version: int | None = None
) -> MemberFlag:
    member = _lock(member, expected_version)
    _check_scope(actor, member.home_org)
    _past(on, "on", "Ngày kết thúc")
    flag = member.flags.filter(kind=kind, valid_to__isnull=True).first()
    if flag is None:
        raise DomainError(
            f"{member.full_name} không có {MemberFlag.Kind(kind).label.lower()} đang hiệu lực.",
            field="kind",
            rule=STATUS,
        )
    if on <= flag.valid_from:
        raise DomainError(
            f"Ngày kết thúc phải sau ngày bắt đầu {format_date(flag.valid_from)}.", field="on", rule=STATUS
        )
    flag.valid_to = on
    stamp(flag, actor, "Kết thúc " + MemberFlag.Kind(kind).label.lower()).save(update_fields=["valid_to"])
    _bump(member, actor, "Kết thúc " + MemberFlag.Kind(kind).label.lower())
    return flag


@transaction.atomic
def record_discipline(
    actor: Any,
    member: Member,
    *,
    form: str,
    violation_on: dt.date,
    decided_on: dt.date,
    deciding_body: str,
    decision_number: str = "",
    self_found: bool = False,
    note: str = "",
    expected_version: int | None = None,
) -> Discipline:
    """A disciplinary measure; probationary members may only be reprimanded or warned."""
    member = _lock(member, expected_version)
    _check_scope(actor, member.home_org)
    _past(violation_on, "violation_on", "Ngày vi phạm")
    _past(decided_on, "decided_on", "Ngày quyết định")
    if decided_on < violation_on:
        raise DomainError("Ngày quyết định kỷ luật phải từ ngày vi phạm trở đi.", field="decided_on")
    status_then = member.statuses.filter(active_on(decided_on)).first()
    if status_then is None or status_then.status not in ACTIVE_STATUSES:
        raise DomainError(
            f"Ngày {format_date(decided_on)} {member.full_name} không phải đảng viên.",
            field="decided_on",
            rule=STATUS,
        )
    allowed = [Discipline.Form.REPRIMAND, Discipline.Form.WARNING]
    if status_then.status == Status.OFFICIAL:
        allowed += [Discipline.Form.DISMISSAL, Discipline.Form.EXPULSION]
    if form not in allowed:
        names = ", ".join(Discipline.Form(f).label.lower() for f in allowed)
        raise DomainError(
            f"Đảng viên {status_then.get_status_display().lower()} chỉ bị kỷ luật bằng: {names}.",
            field="form",
            rule=DISCIPLINE,
        )
    if not nfc(deciding_body):
        raise DomainError("Hãy nhập cấp quyết định kỷ luật.", field="deciding_body")
    record = Discipline(
        member=member,
        form=form,
        violation_on=violation_on,
        decided_on=decided_on,
        deciding_body=nfc(deciding_body),
        decision_number=nfc(decision_number),
        self_found=self_found,
        note=nfc(note),
    )
    stamp(record, actor, "Kỷ luật " + Discipline.Form(form).label.lower()).save()
    _bump(member, actor, "Kỷ luật")
    return record


@transaction.atomic
def update_profile(
    actor: Any, member: Member, *, on: dt.date, profile: Profile, expected_version: int | None = None
) -> MemberProfile:
    """New education, qualification, political theory or occupation from `on` (the past keeps the old values).
    With `expected_version`, an edit made against an older version of the record is refused (StaleEdit)."""
    member = _lock(member, expected_version)
    _check_scope(actor, member.home_org)
    _past(on, "on", "Ngày")
    current = member.profiles.filter(valid_to__isnull=True).first()
    if current is not None:
        if on < current.valid_from:
            raise DomainError(
                f"Đã có thông tin ghi từ ngày {format_date(current.valid_from)}; hãy chọn ngày sau đó.",
                field="on",
                rule=STATUS,
            )
        current.valid_to = on
        stamp(current, actor, "Cập nhật trình độ").save(update_fields=["valid_to"])
    row = MemberProfile(
        member=member,
        valid_from=on,
        education=profile.education,
        qualification=profile.qualification,
        theory_level=profile.theory_level,
        occupation=profile.occupation,
        academic_title=profile.academic_title,
    )
    stamp(row, actor, "Cập nhật trình độ").save()
    _bump(member, actor, "Cập nhật trình độ")
    return row


# ------------------------------------------------------------------------------------------- memberships


def _official(member: Member) -> Membership | None:
    return member.memberships.filter(kind=Membership.Kind.OFFICIAL, valid_to__isnull=True).first()


def _move(
    actor: Any,
    member: Member,
    target: Organization,
    on: dt.date,
    reason: str,
    transfer: Transfer | None = None,
) -> Membership:
    """Close the official membership at `on` and open one at `target` (a cell existing then)."""
    cell_on(target, on, "to_org")
    current = _official(member)
    if current is not None:
        if current.org_id == target.pk:
            raise DomainError(
                f"{member.full_name} đang sinh hoạt tại chi bộ này.", field="to_org", rule=OVERLAP
            )
        if current.valid_from > on:
            raise DomainError(
                f"{member.full_name} sinh hoạt tại chi bộ hiện nay từ {format_date(current.valid_from)}, sau "
                f"ngày {format_date(on)}; hãy chọn ngày muộn hơn.",
                field="on",
                rule=OVERLAP,
            )
        current.valid_to = on
        stamp(current, actor, reason).save(update_fields=["valid_to"])
    elif member.memberships.filter(kind=Membership.Kind.OFFICIAL, valid_to__gt=on).exists():
        raise DomainError(
            f"{member.full_name} đã có sinh hoạt chính thức sau ngày {format_date(on)}.",
            field="on",
            rule=OVERLAP,
        )
    row = Membership(member=member, org=target, valid_from=on, transfer=transfer)
    stamp(row, actor, reason).save()
    _bump(member, actor, reason, home_org=target)
    return row


@dataclass
class TransferInput:
    kind: str
    left_on: dt.date
    to_org: Organization | None = None
    to_outside: str = ""
    letter_number: str = ""
    return_due: dt.date | None = None
    dues_paid_to: dt.date | None = None
    reason: str = ""
    decision_number: str = ""


@transaction.atomic
def issue_transfer(
    actor: Any, member: Member, data: TransferInput, expected_version: int | None = None
) -> Transfer:
    """Cấp giấy giới thiệu: the member leaves their cell for another cell in the system or outside it.

    Due dates come from the rule in force: the letter is presented within 30 days, the paperwork done within 60
    working days. An official transfer to a cell of the system moves the member when the receiving side confirms
    arrival; to outside the system it ends their membership here on the day they leave (they remain a member of
    the Party). A temporary transfer keeps them counted at home and attending at the host cell."""
    member = _lock(member, expected_version)
    _check_scope(actor, member.home_org)
    _past(data.left_on, "left_on", "Ngày chuyển đi")
    if member.status not in ACTIVE_STATUSES:
        raise DomainError(f"{member.full_name} không còn là đảng viên.", rule=STATUS)
    home = _official(member)
    if home is None:
        raise DomainError(
            f"{member.full_name} hiện không sinh hoạt tại chi bộ nào trong hệ thống.", rule=STATUS
        )
    if data.to_org is None and not nfc(data.to_outside):
        raise DomainError("Hãy chọn chi bộ nhận hoặc ghi nơi nhận ngoài hệ thống.", field="to_org")
    if data.to_org is not None:
        cell_on(data.to_org, data.left_on, "to_org")
        if data.to_org.pk == home.org_id:
            raise DomainError("Chi bộ nhận trùng chi bộ đang sinh hoạt.", field="to_org", rule=OVERLAP)
    if member.transfers.filter(state=Transfer.State.ISSUED).exists():
        raise DomainError(
            f"{member.full_name} đang có giấy giới thiệu chưa hoàn tất; hãy xác nhận hoặc hủy trước.",
            rule=STATUS,
        )
    ruleset = rule_in_force("MEM.TRANSFER", data.left_on)
    params = ruleset.params
    if data.kind == Transfer.Kind.TEMPORARY:
        if data.return_due is None:
            raise DomainError("Chuyển sinh hoạt tạm thời cần ngày trở về.", field="return_due")
        span = months_between(data.left_on, data.return_due)
        if span < int(params["temporary_min_months"]) or span > int(params["study_max_months"]):
            raise DomainError(
                f"Chuyển sinh hoạt tạm thời từ {params['temporary_min_months']} tháng đến dưới "
                f"{params['temporary_max_months']} tháng (đi học đến {params['study_max_months']} "
                "tháng); hãy kiểm tra ngày trở về.",
                field="return_due",
                rule=as_rule(ruleset),
            )
    transfer = Transfer(
        member=member,
        kind=data.kind,
        from_org=home.org,
        to_org=data.to_org,
        to_outside=nfc(data.to_outside),
        left_on=data.left_on,
        letter_number=nfc(data.letter_number),
        present_by=data.left_on + dt.timedelta(days=int(params["present_within_days"])),
        paperwork_due=add_working_days(data.left_on, int(params["paperwork_working_days"])),
        return_due=data.return_due,
        card_number=member.card_number,
        vitae_number=member.vitae_number,
        dues_paid_to=data.dues_paid_to,
        reason=nfc(data.reason),
        decision_number=nfc(data.decision_number),
        created_by=actor,
    )
    stamp(transfer, actor, transfer.get_kind_display()).save()
    if data.to_org is None and data.kind == Transfer.Kind.OFFICIAL:
        home.valid_to = data.left_on
        stamp(home, actor, "Chuyển ra ngoài hệ thống").save(update_fields=["valid_to"])
        transfer.state = Transfer.State.ARRIVED
        transfer.arrived_on = data.left_on
        stamp(transfer, actor, "Chuyển ra ngoài hệ thống").save(update_fields=["state", "arrived_on"])
    _bump(member, actor, transfer.get_kind_display())
    return transfer


@transaction.atomic
def confirm_arrival(actor: Any, transfer: Transfer, *, on: dt.date) -> Transfer:
    """The receiving cell confirms the member presented the letter and attends from `on`."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.state != Transfer.State.ISSUED or transfer.to_org is None:
        raise DomainError("Giấy giới thiệu này không chờ xác nhận.", rule=STATUS)
    _check_scope(actor, transfer.to_org)
    _past(on, "on", "Ngày đến")
    if on < transfer.left_on:
        raise DomainError(
            f"Ngày đến phải từ ngày chuyển đi {format_date(transfer.left_on)} trở đi.", field="on"
        )
    member = _lock(transfer.member, None)
    if transfer.kind == Transfer.Kind.OFFICIAL:
        _move(actor, member, transfer.to_org, on, "Chuyển sinh hoạt chính thức", transfer)
    else:
        cell_on(transfer.to_org, on, "to_org")
        stamp(
            Membership(
                member=member,
                org=transfer.to_org,
                kind=Membership.Kind.TEMPORARY,
                valid_from=on,
                valid_to=transfer.return_due,
                transfer=transfer,
            ),
            actor,
            "Sinh hoạt tạm thời",
        ).save()
    transfer.state = Transfer.State.ARRIVED
    transfer.arrived_on = on
    stamp(transfer, actor, "Xác nhận đến").save(update_fields=["state", "arrived_on"])
    return transfer


@transaction.atomic
def confirm_return(actor: Any, transfer: Transfer, *, on: dt.date) -> Transfer:
    """A temporarily transferred member is back home: their attendance at the host cell ends on `on`."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.kind != Transfer.Kind.TEMPORARY or transfer.state != Transfer.State.ARRIVED:
        raise DomainError("Chỉ xác nhận trở về cho đảng viên đang sinh hoạt tạm thời.", rule=STATUS)
    _check_scope(actor, transfer.from_org)
    _past(on, "on", "Ngày trở về")
    if transfer.arrived_on and on <= transfer.arrived_on:
        raise DomainError("Ngày trở về phải sau ngày đến.", field="on")
    guest = transfer.member.memberships.filter(transfer=transfer, kind=Membership.Kind.TEMPORARY).first()
    if guest is not None:
        if on <= guest.valid_from:
            raise DomainError("Ngày trở về phải sau ngày đến.", field="on")
        guest.valid_to = on
        stamp(guest, actor, "Trở về").save(update_fields=["valid_to"])
    transfer.state = Transfer.State.RETURNED
    transfer.returned_on = on
    stamp(transfer, actor, "Trở về").save(update_fields=["state", "returned_on"])
    return transfer


@transaction.atomic
def bulk_move(
    actor: Any,
    source: Organization,
    mapping: Mapping[int, Organization],
    *,
    on: dt.date,
    reason: str,
    decision_number: str = "",
) -> int:
    """Move every member of `source` (official on `on`) to the cells `mapping` gives (member id → cell), in one
    transaction: seed 003's dissolution of commune-agency cells. Every member must be mapped; nothing is written
    if one is not, or if a target is not a cell existing on `on`."""
    _check_scope(actor, source)
    rows = list(
        Membership.objects.select_for_update()
        .filter(active_on(on), org=source, kind=Membership.Kind.OFFICIAL)
        .values_list("pk", "member_id", "valid_from", "valid_to", "member__full_name")
    )
    missing = [name for _pk, member_id, _f, _t, name in rows if member_id not in mapping]
    if missing:
        raise DomainError(
            f"Còn {len(missing)} đảng viên chưa được chọn chi bộ chuyển đến: "
            + ", ".join(missing[:10])
            + ("…" if len(missing) > 10 else ""),
            field="mapping",
            rule=OVERLAP,
        )
    later = [name for _pk, _m, start, end, name in rows if start > on or (end is not None and end > on)]
    if later:
        raise DomainError(
            f"{later[0]} đã có thay đổi sinh hoạt sau ngày {format_date(on)}.",
            field="on",
            rule=OVERLAP,
        )
    targets = {t.pk: t for t in mapping.values()}
    for target in targets.values():
        cell_on(target, on, "mapping")
        _check_scope(actor, target)
        if target.pk == source.pk:
            raise DomainError("Chi bộ chuyển đến không thể là chi bộ đang giải thể.", field="mapping")
    if decision_number:
        reason = f"{nfc(reason)} (Quyết định số {nfc(decision_number)})"
    reason = reason[:100]
    # Set-based: one UPDATE per chunk and per target, the history rows copied by INSERT … SELECT
    # (coso.core.bulk), so 3,000 members move in well under the 2 s the issue allows.
    closed = [pk for pk, *_rest in rows]
    for start in range(0, len(closed), 2000):
        Membership.objects.filter(pk__in=closed[start : start + 2000]).update(valid_to=on)
    record_history(Membership, ids=closed, user=actor, reason=reason)
    fresh = Membership.objects.bulk_create(
        [Membership(member_id=m, org_id=mapping[m].pk, valid_from=on) for _pk, m, *_rest in rows],
        batch_size=2000,
    )
    record_history(Membership, ids=[m.pk for m in fresh], user=actor, reason=reason, history_type=CREATED)
    by_target: dict[int, list[int]] = {}
    for _pk, member_id, *_rest in rows:
        by_target.setdefault(mapping[member_id].pk, []).append(member_id)
    for target_id, members in by_target.items():
        for start in range(0, len(members), 2000):
            Member.objects.filter(pk__in=members[start : start + 2000]).update(
                home_org_id=target_id, version=F("version") + 1
            )
    record_history(Member, ids=[m for _pk, m, *_rest in rows], user=actor, reason=reason)
    return len(rows)


def log_view(user: Any, member: Member, request: Any = None) -> None:
    """Record that `user` opened `member`'s record: on the record's own list of views and in the access log."""
    MemberView.objects.create(member=member, user=user)
    access.record(
        user, access.Kind.VIEW, f"Hồ sơ đảng viên {member.full_name} (mã {member.pk})", request=request
    )
