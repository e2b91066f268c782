"""Every write of evaluation and classification: one function per step, one transaction, checked, with history.

The steps (Quy định 124-QĐ/TW; DOMAIN §6): an organization commission opens a period for a subtree
(`open_period`: the scheme is chosen by the period's last day, the subjects and the not-evaluated members are
listed); members and organizations assess themselves (`submit_self_assessment`); the cell (for its members) or the
appraising body (for organizations) reviews and proposes (`review`, `record_facts` for what the caps need);
the grassroots committee or the competent superior decides in bulk (`check` shows every rule a proposal breaks,
`decide` needs a justification for each overridden warning), then publishes (`publish`). A decided result changes
only through `reconsider` (a recorded decision, before → after kept).

Each function takes the acting user (`actor`; None for the system), checks the actor's scope (permission EVALUATE,
or the member themselves for their own self-assessment through `MemberAccount`), and refuses with a Vietnamese
`DomainError` naming its rule. Edits carry the `version` they were made against (`expected_version`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from coso.core.bulk import CREATED, insert_rows, record_history
from coso.core.dates import active_on, format_date, today
from coso.core.errors import DomainError, StaleEdit
from coso.core.fields import prefix_range
from coso.core.history import stamp
from coso.core.rules import as_rule
from coso.core.scope import EVALUATE, check_path, scope_for
from coso.core.text import nfc
from coso.members.models import ACTIVE_STATUSES, Member, Membership, MemberStatus
from coso.orgs import queries as orgs_queries
from coso.orgs.models import SEGMENT, Organization

from . import rules
from .checks import check, levels_of, not_evaluated_reasons, scheme_on
from .models import (
    JSON_DEFAULTS,
    EntryState,
    Evaluation,
    EvaluationPeriod,
    Level,
    MemberAccount,
    PeriodKind,
    PeriodState,
    Reconsideration,
    Subject,
)
from .rules import Finding, RuleBook

DECIDED_STATES = (EntryState.DECIDED,)


def _user(actor: Any) -> Any:
    """The actor as a user row for foreign keys (None for the system or a reader without a row)."""
    return actor if getattr(actor, "pk", None) else None


def _check_scope(actor: Any, org: Organization) -> None:
    if actor is not None:
        check_path(actor, org.current_path, EVALUATE)


# ------------------------------------------------------------------------------------------- schemes, levels


def _check_level(period: EvaluationPeriod, entry: Evaluation, level: Level | None, field_name: str) -> None:
    if level is not None and (level.scheme_id != period.scheme_id or level.subject != entry.subject):
        names = ", ".join(f"“{x.name}”" for x in levels_of(period.scheme, entry.subject))
        raise DomainError(
            f"Mức “{level.name}” không thuộc phương thức xếp loại của đợt ({period.scheme.name}); hãy chọn một "
            f"trong: {names}.",
            field=field_name,
            rule=rules.LEVEL,
        )


# -------------------------------------------------------------------------------------------- open a period


@dataclass
class PeriodInput:
    """What the organization commission sets when opening a period. A yearly period needs only `year`; other
    kinds need `date_from` and `date_to`. `subjects`: which of "members", "cells", "grassroots" are evaluated.
    `include_root`: also evaluate the root organization itself (a superior evaluating one unit)."""

    kind: str = PeriodKind.YEAR
    year: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    title: str = ""
    self_due: dt.date | None = None
    review_due: dt.date | None = None
    decision_due: dt.date | None = None
    subjects: tuple[str, ...] = ("members", "cells", "grassroots")
    include_root: bool = False


def _dates(data: PeriodInput) -> tuple[dt.date, dt.date, int]:
    if data.kind == PeriodKind.YEAR:
        year = data.year or (data.date_to.year if data.date_to else None)
        if not year:
            raise DomainError("Hãy nhập năm đánh giá.", field="year", rule=rules.PERIOD)
        return dt.date(year, 1, 1), dt.date(year, 12, 31), year
    if data.date_from is None or data.date_to is None:
        raise DomainError(
            "Hãy nhập ngày bắt đầu và ngày kết thúc của kỳ đánh giá.", field="date_from", rule=rules.PERIOD
        )
    if data.date_from > data.date_to:
        raise DomainError("Ngày bắt đầu phải trước ngày kết thúc.", field="date_from", rule=rules.PERIOD)
    return data.date_from, data.date_to, data.year or data.date_to.year


@transaction.atomic
def open_period(actor: Any, org: Organization, data: PeriodInput) -> EvaluationPeriod:
    """Open a period for the subtree of `org` as it stands on the period's last day: the scheme in force then,
    one entry per member with an official membership in a cell of the subtree on that day (those the rules do
    not evaluate are listed with their reason), and one per cell and grassroots organization."""
    _check_scope(actor, org)
    if data.kind not in (PeriodKind.YEAR, PeriodKind.QUARTER, PeriodKind.TERM, PeriodKind.AD_HOC):
        raise DomainError(
            "Hãy chọn loại đợt: năm, quý, nhiệm kỳ hoặc đột xuất.", field="kind", rule=rules.PERIOD
        )
    date_from, date_to, year = _dates(data)
    scheme, ruleset = scheme_on(date_to)
    kinds = ruleset.params.get("period_kinds") or ["year"]
    if data.kind not in kinds:
        allowed = ", ".join(PeriodKind(k).label.lower() for k in kinds)
        raise DomainError(
            f"Quy định áp dụng ngày {format_date(date_to)} chỉ cho phép đánh giá: {allowed}.",
            field="kind",
            rule=as_rule(ruleset),
        )
    root = orgs_queries.period_on(org, date_to)
    if root is None:
        raise DomainError(
            f"Tổ chức {org.code} không tồn tại vào ngày {format_date(date_to)}; hãy chọn kỳ khác.",
            field="date_to",
            rule=rules.PERIOD,
        )
    annual = data.kind == PeriodKind.YEAR
    if (
        annual
        and Evaluation.objects.filter(annual=True, year=year, **prefix_range("path", root.path)).exists()
    ):
        raise DomainError(
            f"Đã có kết quả xếp loại năm {year} trong {root.name} (đợt khác hoặc kết quả đã nhập); mỗi tổ chức, "
            "đảng viên chỉ có một kết quả mỗi năm.",
            field="year",
            rule=rules.DUPLICATE,
        )
    title = nfc(data.title) or f"{PeriodKind(data.kind).label} {year} – {root.name}"
    period = EvaluationPeriod(
        org=org,
        kind=data.kind,
        year=year,
        date_from=date_from,
        date_to=date_to,
        title=title[:255],
        scheme=scheme,
        ruleset=ruleset,
        criteria=ruleset.params.get("criteria") or [],
        self_due=data.self_due,
        review_due=data.review_due,
        decision_due=data.decision_due,
        opened_by=_user(actor),
    )
    stamp(period, actor, "Mở đợt đánh giá").save()
    book = RuleBook(date_to)
    rows: list[dict[str, Any]] = []
    places = list(orgs_queries.placements(date_to, within=root.path).select_related("kind").order_by("path"))
    base = {**JSON_DEFAULTS, "period_id": period.pk, "year": year, "annual": annual}
    for p in places:
        if p.org_id == org.pk and not data.include_root:
            continue
        wanted = (p.kind.is_grassroots and "grassroots" in data.subjects) or (
            p.kind.is_cell and not p.kind.is_grassroots and "cells" in data.subjects
        )
        if p.org_id == org.pk and data.include_root:
            wanted = True
        if wanted:
            rows.append(
                {
                    **base,
                    "subject": Subject.ORG,
                    "org_id": p.org_id,
                    "path": p.path,
                    "is_grassroots": p.kind.is_grassroots,
                    "state": EntryState.PENDING,
                }
            )
    if "members" in data.subjects:
        cells = {p.org_id: p.path for p in places if p.kind.is_cell}
        active = MemberStatus.objects.filter(active_on(date_to), status__in=ACTIVE_STATUSES).values(
            "member_id"
        )
        placed = list(
            Membership.objects.filter(
                active_on(date_to),
                kind=Membership.Kind.OFFICIAL,
                org_id__in=list(cells),
                member_id__in=active,
            )
            .order_by("org_id", "member_id")
            .values_list("member_id", "org_id")
        )
        reasons = not_evaluated_reasons([m for m, _o in placed], date_to, book)
        for member_id, cell_id in placed:
            reason = reasons.get(member_id, "")
            rows.append(
                {
                    **base,
                    "subject": Subject.MEMBER,
                    "member_id": member_id,
                    "org_id": cell_id,
                    "path": cells[cell_id],
                    "state": EntryState.NOT_EVALUATED if reason else EntryState.PENDING,
                    "not_evaluated_reason": reason[:255],
                }
            )
    ids = insert_rows(Evaluation, rows)
    record_history(Evaluation, ids=ids, user=_user(actor), reason="Mở đợt đánh giá", history_type=CREATED)
    return period


# ------------------------------------------------------------------------------------------- the entries


def _lock(entry: Evaluation, expected_version: int | None) -> Evaluation:
    locked = (
        Evaluation.objects.select_for_update().select_related("period", "period__scheme").get(pk=entry.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit("Kết quả đánh giá này vừa được người khác thay đổi; hãy tải lại trang và nhập lại.")
    return locked


def _save(entry: Evaluation, actor: Any, reason: str, fields: Sequence[str]) -> Evaluation:
    entry.version += 1
    stamp(entry, actor, reason).save(update_fields=[*fields, "version"])
    return entry


def _evaluated(entry: Evaluation) -> None:
    if entry.state == EntryState.NOT_EVALUATED:
        raise DomainError(
            f"Đảng viên này không đánh giá, xếp loại trong kỳ: {entry.not_evaluated_reason}.",
            rule=rules.STATE,
        )


def _period_state(period: EvaluationPeriod, allowed: Sequence[str], what: str) -> None:
    if period.state not in allowed:
        raise DomainError(
            f"Đợt “{period.title}” đang ở bước “{PeriodState(period.state).label.lower()}”: không thể {what}.",
            rule=rules.STATE,
        )


def _not_decided(entry: Evaluation) -> None:
    if entry.state in DECIDED_STATES:
        raise DomainError(
            "Kết quả này đã được quyết định; chỉ thay đổi được bằng quyết định xem xét lại.",
            rule=rules.RECONSIDER,
        )


def _clean_scores(period: EvaluationPeriod, scores: Mapping[str, Any] | None) -> dict[str, float]:
    """Scores by criterion code, each within its maximum (scored schemes); nothing for unscored schemes."""
    if not scores:
        return {}
    if not period.scheme.scored:
        raise DomainError(
            f"Phương thức “{period.scheme.name}” không chấm điểm; hãy để trống điểm.",
            field="scores",
            rule=rules.LEVEL,
        )
    maxima = {str(c["code"]): float(c["points"]) for c in period.criteria}
    clean: dict[str, float] = {}
    for code, value in scores.items():
        if code not in maxima:
            raise DomainError(
                f"Không có tiêu chí “{code}” trong khung của đợt; hãy chấm: {', '.join(maxima)}.",
                field="scores",
                rule=as_rule(period.ruleset),
            )
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise DomainError(
                f"Điểm “{value}” của tiêu chí {code} không phải là số.", field="scores"
            ) from None
        if not 0 <= number <= maxima[code]:
            raise DomainError(
                f"Điểm tiêu chí {code} phải từ 0 đến {maxima[code]:g}; đã nhập {value}.",
                field="scores",
                rule=as_rule(period.ruleset),
            )
        clean[code] = number
    return clean


@transaction.atomic
def submit_self_assessment(
    actor: Any,
    entry: Evaluation,
    *,
    scores: Mapping[str, Any] | None = None,
    comment: str = "",
    level: Level | None = None,
    expected_version: int | None = None,
) -> Evaluation:
    """A member's self-assessment (by the member through their `MemberAccount`, or collected by the cell with
    EVALUATE), or an organization's collective self-assessment (EVALUATE on the organization)."""
    entry = _lock(entry, expected_version)
    period = entry.period
    uid = getattr(actor, "pk", None)
    own = (
        entry.subject == Subject.MEMBER
        and uid is not None
        and entry.member_id is not None
        and MemberAccount.objects.filter(user_id=uid, member_id=entry.member_id).exists()
    )
    if actor is not None and not own:
        if not scope_for(actor, EVALUATE).covers(entry.org.current_path):
            raise DomainError(
                "Chỉ đảng viên tự đánh giá bản thân, hoặc chi bộ / cấp ủy có thẩm quyền ghi thay.",
                rule=rules.SELF,
            )
    _evaluated(entry)
    _not_decided(entry)
    _period_state(period, (PeriodState.OPEN, PeriodState.REVIEWING), "tự đánh giá")
    _check_level(period, entry, level, "level")
    entry.self_scores = _clean_scores(period, scores)
    entry.self_comment = nfc(comment)
    entry.self_level = level
    entry.self_at = timezone.now()
    entry.self_by = _user(actor)
    if entry.state == EntryState.PENDING:
        entry.state = EntryState.SELF_ASSESSED
    return _save(
        entry,
        actor,
        "Tự đánh giá",
        ["self_scores", "self_comment", "self_level", "self_at", "self_by", "state"],
    )


@transaction.atomic
def review(
    actor: Any,
    entry: Evaluation,
    *,
    level: Level | None,
    comment: str = "",
    votes_for: int | None = None,
    votes_against: int | None = None,
    scores: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Evaluation:
    """The cell's review of a member (comments, the vote, the proposed level), or the appraising body's proposal
    for an organization. The findings of the rules are shown again at the decision."""
    entry = _lock(entry, expected_version)
    _check_scope(actor, entry.org)
    period = entry.period
    _evaluated(entry)
    _not_decided(entry)
    _period_state(
        period, (PeriodState.OPEN, PeriodState.REVIEWING, PeriodState.DECIDING), "nhận xét, đề xuất"
    )
    _check_level(period, entry, level, "level")
    for value, name in ((votes_for, "votes_for"), (votes_against, "votes_against")):
        if value is not None and value < 0:
            raise DomainError("Số phiếu không thể âm.", field=name, rule=rules.VOTES)
    if entry.subject == Subject.MEMBER and (votes_for or votes_against):
        members = Membership.objects.filter(
            active_on(period.date_to), org_id=entry.org_id, kind=Membership.Kind.OFFICIAL
        ).count()
        if (votes_for or 0) + (votes_against or 0) > members:
            raise DomainError(
                f"Tổng số phiếu {(votes_for or 0) + (votes_against or 0)} vượt số đảng viên của chi bộ ({members}).",
                field="votes_for",
                rule=rules.VOTES,
            )
    entry.review_scores = _clean_scores(period, scores)
    entry.review_comment = nfc(comment)
    entry.votes_for, entry.votes_against = votes_for, votes_against
    entry.proposed_level = level
    entry.reviewed_at = timezone.now()
    entry.reviewed_by = _user(actor)
    entry.state = EntryState.REVIEWED
    return _save(
        entry,
        actor,
        "Nhận xét, đề xuất xếp loại",
        [
            "review_scores",
            "review_comment",
            "votes_for",
            "votes_against",
            "proposed_level",
            "reviewed_at",
            "reviewed_by",
            "state",
        ],
    )


FACT_KEYS = {
    "targets_met_pct": float,
    "leadership_disciplined": bool,
    "subunits_disciplined": int,
    "subunits_total": int,
}


@transaction.atomic
def record_facts(
    actor: Any, entry: Evaluation, facts: Mapping[str, Any], *, expected_version: int | None = None
) -> Evaluation:
    """Record on an organization's entry the facts EVAL.ORG_CAP needs and the app cannot derive: % of targets met
    (`targets_met_pct`), leadership disciplined (`leadership_disciplined`), sub-units disciplined
    (`subunits_disciplined` of `subunits_total`; the total defaults to the sub-organizations evaluated in the
    period). A value of None removes a fact."""
    entry = _lock(entry, expected_version)
    _check_scope(actor, entry.org)
    if entry.subject != Subject.ORG:
        raise DomainError("Chỉ ghi số liệu điều kiện cho tổ chức.", rule=rules.STATE)
    _not_decided(entry)
    current = dict(entry.facts or {})
    for key, value in facts.items():
        if key not in FACT_KEYS:
            raise DomainError(f"Không có số liệu “{key}”; hãy dùng: {', '.join(FACT_KEYS)}.", field=key)
        if value is None or value == "":
            current.pop(key, None)
            continue
        try:
            cast = FACT_KEYS[key](value)
        except (TypeError, ValueError):
            raise DomainError(f"Giá trị “{value}” của {key} không hợp lệ.", field=key) from None
        if isinstance(cast, int | float) and not isinstance(cast, bool) and cast < 0:
            raise DomainError(f"{key} không thể âm.", field=key)
        current[key] = cast
    if "subunits_disciplined" in current and "subunits_total" not in current:
        current["subunits_total"] = (
            Evaluation.objects.filter(
                period_id=entry.period_id, subject=Subject.ORG, **prefix_range("path", entry.path)
            )
            .annotate(n=Length("path"))
            .filter(n=len(entry.path) + SEGMENT)
            .count()
        )
    if current.get("subunits_disciplined", 0) > current.get("subunits_total", 0):
        raise DomainError(
            "Số tổ chức trực thuộc bị kỷ luật vượt tổng số tổ chức trực thuộc.", field="subunits_disciplined"
        )
    entry.facts = current
    return _save(entry, actor, "Ghi số liệu điều kiện xếp loại", ["facts"])


@dataclass
class DecisionInput:
    """One line of the decision page: the entry, the level decided, the justification when it overrides a
    warning, and the version the line was shown with."""

    entry: Evaluation
    level: Level
    justification: str = ""
    expected_version: int | None = None


@dataclass
class Refusal:
    entry_id: int
    findings: list[Finding] = field(default_factory=list)
    message: str = ""


class DecisionRefused(DomainError):
    """A decision batch refused: `refusals` lists, per entry, the warnings that need a justification."""

    def __init__(self, message: str, refusals: list[Refusal]):
        super().__init__(message, rule=rules.OVERRIDE)
        self.refusals = refusals


@transaction.atomic
def decide(
    actor: Any, period: EvaluationPeriod, items: Sequence[DecisionInput], *, on: dt.date | None = None
) -> list[Evaluation]:
    """The grassroots committee (or the competent superior: EVALUATE on the period's root) decides levels in bulk.
    Every rule finding of the batch (caps, quota, roll-up, score) must be answered by a justification on its line,
    or the whole batch is refused (`DecisionRefused`, listing them all) and nothing is written. The findings are
    kept on the entry (`warnings`) with the justification. A decided entry changes only by `reconsider`."""
    period = EvaluationPeriod.objects.select_for_update().select_related("scheme", "org").get(pk=period.pk)
    _check_scope(actor, period.org)
    _period_state(period, (PeriodState.REVIEWING, PeriodState.DECIDING), "quyết định xếp loại")
    on = on or today()
    ids = [i.entry.pk for i in items]
    if len(set(ids)) != len(ids):
        raise DomainError("Mỗi tổ chức, đảng viên chỉ có một dòng quyết định.", rule=rules.DUPLICATE)
    locked = {
        e.pk: e
        for e in Evaluation.objects.select_for_update()
        .filter(pk__in=ids, period=period)
        .select_related("period")
    }
    proposals: dict[int, Level | None] = {}
    for item in items:
        entry = locked.get(item.entry.pk)
        if entry is None:
            raise DomainError("Có dòng không thuộc đợt đánh giá này; hãy tải lại trang.", rule=rules.STATE)
        if item.expected_version is not None and entry.version != item.expected_version:
            raise StaleEdit("Có kết quả vừa được người khác thay đổi; hãy tải lại trang và quyết định lại.")
        _evaluated(entry)
        _not_decided(entry)
        _check_level(period, entry, item.level, "level")
        proposals[entry.pk] = item.level
    findings = check(period, proposals, only=ids)
    refusals = [
        Refusal(item.entry.pk, findings[item.entry.pk])
        for item in items
        if findings.get(item.entry.pk) and not nfc(item.justification)
    ]
    if refusals:
        lines = "; ".join(str(f) for r in refusals for f in r.findings)
        raise DecisionRefused(
            f"{len(refusals)} đề xuất vi phạm quy định; hãy sửa mức xếp loại hoặc ghi lý do cho từng trường hợp: "
            f"{lines}",
            refusals,
        )
    rows = []
    for item in items:
        entry = locked[item.entry.pk]
        entry.level = item.level
        entry.rank = item.level.rank
        entry.decided_on = on
        entry.decided_by = _user(actor)
        entry.warnings = [f.as_json() for f in findings.get(entry.pk, [])]
        entry.justification = nfc(item.justification) if entry.warnings else ""
        entry.state = EntryState.DECIDED
        entry.version += 1
        rows.append(entry)
    if rows:
        bulk_update_with_history(
            rows,
            Evaluation,
            ["level", "rank", "decided_on", "decided_by", "warnings", "justification", "state", "version"],
            default_user=_user(actor),
            default_change_reason="Quyết định xếp loại",
        )
    if period.state != PeriodState.DECIDING:
        period.state = PeriodState.DECIDING
        period.version += 1
        stamp(period, actor, "Quyết định xếp loại").save(update_fields=["state", "version"])
    return rows


@transaction.atomic
def advance(
    actor: Any, period: EvaluationPeriod, state: str, *, expected_version: int | None = None
) -> EvaluationPeriod:
    """Move the period to the next step (open → reviewing → deciding); publishing is `publish`."""
    period = EvaluationPeriod.objects.select_for_update().select_related("org").get(pk=period.pk)
    _check_scope(actor, period.org)
    if expected_version is not None and period.version != expected_version:
        raise StaleEdit("Đợt đánh giá vừa được người khác thay đổi; hãy tải lại trang.")
    order: list[str] = [PeriodState.OPEN, PeriodState.REVIEWING, PeriodState.DECIDING]
    if period.state not in order or state not in order or order.index(state) <= order.index(period.state):
        raise DomainError(
            f"Không thể chuyển đợt từ “{PeriodState(period.state).label.lower()}” sang “{state}”.",
            rule=rules.STATE,
        )
    period.state = state
    period.version += 1
    stamp(period, actor, f"Chuyển bước: {PeriodState(state).label}").save(update_fields=["state", "version"])
    return period


@transaction.atomic
def publish(actor: Any, period: EvaluationPeriod, *, on: dt.date | None = None) -> EvaluationPeriod:
    """Publish the results: every evaluated subject must have a decided level."""
    period = EvaluationPeriod.objects.select_for_update().select_related("org").get(pk=period.pk)
    _check_scope(actor, period.org)
    _period_state(period, (PeriodState.REVIEWING, PeriodState.DECIDING), "công bố kết quả")
    waiting = period.entries.exclude(state__in=[EntryState.DECIDED, EntryState.NOT_EVALUATED]).count()
    if waiting:
        raise DomainError(
            f"Còn {waiting} tổ chức, đảng viên chưa được quyết định xếp loại; hãy quyết định hết rồi công bố.",
            rule=rules.STATE,
        )
    period.state = PeriodState.PUBLISHED
    period.published_on = on or today()
    period.published_by = _user(actor)
    period.version += 1
    stamp(period, actor, "Công bố kết quả").save(
        update_fields=["state", "published_on", "published_by", "version"]
    )
    return period


@transaction.atomic
def reconsider(
    actor: Any,
    entry: Evaluation,
    *,
    level: Level,
    number: str,
    decided_on: dt.date,
    body: str,
    reason: str,
    justification: str = "",
    expected_version: int | None = None,
) -> Reconsideration:
    """Change a decided result by a recorded reconsideration decision (number, date, body, reason). The level
    before and after are kept on the `Reconsideration` row; the rules are checked again against the new level
    (a finding needs a justification)."""
    entry = _lock(entry, expected_version)
    period = entry.period
    _check_scope(actor, period.org)
    if entry.state != EntryState.DECIDED or entry.level is None:
        raise DomainError("Chỉ xem xét lại kết quả đã được quyết định.", rule=rules.RECONSIDER)
    _check_level(period, entry, level, "level")
    for value, name, label in (
        (number, "number", "số quyết định"),
        (body, "body", "cấp quyết định"),
        (reason, "reason", "lý do"),
    ):
        if not nfc(value):
            raise DomainError(
                f"Hãy nhập {label} của quyết định xem xét lại.", field=name, rule=rules.RECONSIDER
            )
    if decided_on > today():
        raise DomainError(
            "Ngày quyết định xem xét lại ở tương lai.", field="decided_on", rule=rules.RECONSIDER
        )
    if entry.level_id == level.pk:
        raise DomainError("Mức xếp loại mới trùng mức đã quyết định.", field="level", rule=rules.RECONSIDER)
    findings = (
        check(period, {entry.pk: level}, only=[entry.pk]).get(entry.pk, [])
        if period.kind != PeriodKind.IMPORTED
        else []
    )
    if findings and not nfc(justification):
        raise DecisionRefused(
            "Mức xếp loại mới vi phạm quy định; hãy ghi lý do: " + "; ".join(str(f) for f in findings),
            [Refusal(entry.pk, findings)],
        )
    row = Reconsideration(
        evaluation=entry,
        number=nfc(number),
        decided_on=decided_on,
        body=nfc(body),
        reason=nfc(reason),
        level_before=entry.level,
        level_after=level,
        justification=nfc(justification),
        warnings=[f.as_json() for f in findings],
        created_by=_user(actor),
    )
    stamp(row, actor, f"Xem xét lại: {nfc(number)}").save()
    entry.level = level
    entry.rank = level.rank
    entry.warnings = [f.as_json() for f in findings]
    entry.justification = nfc(justification) if findings else ""
    _save(entry, actor, f"Xem xét lại: {nfc(number)}", ["level", "rank", "warnings", "justification"])
    return row


@transaction.atomic
def link_account(actor: Any, user: Any, member: Member) -> MemberAccount:
    """Link a login to a member (for their own self-assessment); EVALUATE on the member's cell."""
    _check_scope(actor, member.home_org)
    existing = MemberAccount.objects.filter(Q(user=user) | Q(member=member)).first()
    if existing is not None:
        raise DomainError("Tài khoản hoặc đảng viên này đã được liên kết.", field="user", rule=rules.SELF)
    account = MemberAccount(user=user, member=member)
    stamp(account, actor, "Liên kết tài khoản đảng viên").save()
    return account
