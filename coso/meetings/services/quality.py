"""The quality of a meeting: dated criteria sets and the score of a meeting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q

from coso.core.dates import format_date, today
from coso.core.errors import DomainError, StaleEdit
from coso.core.history import stamp
from coso.core.scope import CHANGE_MEETINGS, scope_for
from coso.core.text import nfc
from coso.orgs.models import Organization

from .. import rules
from ..models import (
    Meeting,
    MeetingScore,
    QualityCriteriaSet,
)
from ._common import _check_scope, _held, _lock, _past, org_on


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
            f"Chưa có bộ tiêu chí chất lượng sinh hoạt có hiệu lực ngày {format_date(on)}; quản trị cần bổ sung.",
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
        stamp(previous, actor, "Thay bộ tiêu chí").save(update_fields=["effective_to"])
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
    stamp(cs, actor, "Ban hành bộ tiêu chí").save()
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
    stamp(score, actor, "Đánh giá chất lượng sinh hoạt").save()
    return score
