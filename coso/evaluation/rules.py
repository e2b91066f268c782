"""Rules of evaluation and classification, each a dated rule set (`coso.core.models.RuleSet`, seeded by migration
evaluation 0002) read on the period's last day, and each warning naming its rule and source.

- EVAL.SCHEME: which scheme (`Scheme` and its levels) applies, the period kinds allowed, the criteria frame.
  Before 08/03/2018 the "trong sạch vững mạnh / đủ tư cách" scheme; from Quy định 132-QĐ/TW (08/3/2018, with
  Hướng dẫn 21-HD/BTCTW) and Quy định 124-QĐ/TW (10/10/2023) the four levels HTXSNV/HTTNV/HTNV/KHTNV; from
  Quy định 366-QĐ/TW (30/8/2025) the four levels from a 100-point score (30 general + 70 task results).
- EVAL.NOT_EVALUATED: members not evaluated (exempt, suspended on the period's last day; admitted less than
  `min_months_since_admission` whole months before the day after the period's end).
- EVAL.MEMBER_CAP: a member disciplined in the period (decision date in the period) is at most rank 4 (KHTNV)
  unless every such discipline was self-found and fixed (`Discipline.self_found`).
- EVAL.ORG_CAP: an organization whose leadership was disciplined, or with more than `max_disciplined_subunits_pct`
  % of its sub-units disciplined, or that met under `min_targets_met_pct` % of its targets, is at most rank 4.
  These facts are recorded on the organization's entry (`Evaluation.facts`): the app cannot derive them.
- EVAL.QUOTA: within each grassroots organization, the rank-1 (HTXSNV) count may not exceed `ratio_pct` % of the
  rank-2 (HTTNV) count, separately for members and for organizations under it. Exact integer arithmetic:
  100 × HTXSNV ≤ ratio_pct × HTTNV is within the quota (at the limit is fine, one over warns).
- EVAL.ROLLUP: a cell at rank 1 needs `min_pct_rank3` % of its (evaluated) members at rank 3 or better and
  `min_pct_rank2` % at rank 2 or better; a committee at rank 1 the same over its direct sub-organizations.
- EVAL.SCORE (scored schemes): the level may not be better than the score allows (thresholds 90 / 70 / 50), and
  each criterion is scored within its maximum.

Levels are compared by rank (1 = best … 4), so the same checks read every scheme. Findings are warnings: the
deciding body may decide against them with a written justification (EVAL.OVERRIDE).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from coso.core.errors import Rule
from coso.core.models import RuleSet
from coso.core.rules import as_rule, rule_in_force

SCHEME = "EVAL.SCHEME"
NOT_EVALUATED = "EVAL.NOT_EVALUATED"
MEMBER_CAP = "EVAL.MEMBER_CAP"
ORG_CAP = "EVAL.ORG_CAP"
QUOTA = "EVAL.QUOTA"
ROLLUP = "EVAL.ROLLUP"
SCORE = "EVAL.SCORE"
DATED = (SCHEME, NOT_EVALUATED, MEMBER_CAP, ORG_CAP, QUOTA, ROLLUP, SCORE)

WORST = 4
RANK_NOTE = (
    "So sánh giữa các năm theo bậc của mức xếp loại (1 = cao nhất … 4 = không hoàn thành nhiệm vụ / yếu kém), "
    "vì tên mức thay đổi theo quy định từng thời kỳ."
)

OVERRIDE = Rule(
    "EVAL.OVERRIDE",
    "Quyết định khác với cảnh báo của quy định phải ghi rõ lý do",
    "Quy định 124-QĐ/TW (2023), nguyên tắc đánh giá khách quan, có căn cứ; nguyên tắc lưu vết của Coso",
)
STATE = Rule(
    "EVAL.STATE",
    "Thao tác phù hợp với bước của đợt đánh giá (tự đánh giá → nhận xét, đề xuất → quyết định → công bố)",
    "Quy định 124-QĐ/TW (2023), quy trình đánh giá, xếp loại",
)
RECONSIDER = Rule(
    "EVAL.RECONSIDER",
    "Kết quả đã quyết định chỉ thay đổi bằng quyết định xem xét lại (số, ngày, cấp quyết định, lý do)",
    "Quy định 124-QĐ/TW (2023); nguyên tắc lưu vết của Coso",
)
LEVEL = Rule(
    "EVAL.LEVEL",
    "Mức xếp loại thuộc phương thức xếp loại của đợt và đúng đối tượng (tổ chức / đảng viên)",
    "Quy định về đánh giá, xếp loại chất lượng áp dụng cho đợt",
)
VOTES = Rule(
    "EVAL.VOTES",
    "Số phiếu là số không âm; tổng số phiếu không vượt số đảng viên của chi bộ",
    "Điều lệ Đảng, Điều 10",
)
SELF = Rule(
    "EVAL.SELF",
    "Đảng viên tự đánh giá bản thân; tập thể tự đánh giá do cấp ủy, chi bộ thực hiện",
    "Quy định 124-QĐ/TW (2023), quy trình đánh giá",
)
PERIOD = Rule(
    "EVAL.PERIOD",
    "Đợt đánh giá có thời gian hợp lệ và không trùng đợt xếp loại năm khác của cùng tổ chức",
    "Nguyên tắc dữ liệu của Coso",
)
DUPLICATE = Rule(
    "EVAL.DUPLICATE",
    "Mỗi tổ chức, đảng viên có một kết quả xếp loại mỗi năm",
    "Quy định 124-QĐ/TW (2023), đánh giá, xếp loại hằng năm",
)


@dataclass(frozen=True)
class Finding:
    """A warning on a proposal: the rule and its source, and what is wrong."""

    rule: Rule
    message: str

    def as_json(self) -> dict[str, str]:
        return {
            "rule": self.rule.code,
            "name": self.rule.name,
            "source": self.rule.source,
            "message": self.message,
        }

    def __str__(self) -> str:
        return f"{self.message} [Quy tắc {self.rule}]"


class RuleBook:
    """The versions of the evaluation rules in force on one date (the period's last day), read once."""

    def __init__(self, on: dt.date):
        self.on = on
        self._sets: dict[str, RuleSet] = {}

    def get(self, code: str) -> RuleSet:
        if code not in self._sets:
            self._sets[code] = rule_in_force(code, self.on)  # raises MissingRule with its message
        return self._sets[code]

    def param(self, code: str, key: str, default: Any = None) -> Any:
        return self.get(code).params.get(key, default)

    def rule(self, code: str) -> Rule:
        return as_rule(self.get(code))


def pct(part: int, whole: int) -> float:
    """A percentage with 2 decimals (0 when there is nothing to divide)."""
    return round(100 * part / whole, 2) if whole else 0.0


def score_rank(book: RuleBook, scores: Mapping[str, Any]) -> tuple[int, int] | None:
    """(total, the best rank the total allows) under a scored scheme; None without scores."""
    if not scores:
        return None
    total = int(sum(float(v or 0) for v in scores.values()))
    thresholds = {int(k): int(v) for k, v in (book.param(SCORE, "thresholds") or {}).items()}
    for rank in sorted(thresholds):
        if total >= thresholds[rank]:
            return total, rank
    return total, WORST


@dataclass
class Subject:
    """What the checks need of one entry: its id, kind, path, rank proposed, facts, and for members the
    disciplines decided in the period."""

    entry_id: int
    subject: str  # "member" | "org"
    path: str
    rank: int | None
    label: str
    is_cell: bool = False
    is_grassroots: bool = False
    facts: Mapping[str, Any] | None = None
    scores: Mapping[str, Any] | None = None
    disciplined: bool = False  # disciplined in the period, not self-found
    evaluated: bool = True


SEGMENT = 9


def check(
    book: RuleBook,
    subjects: Iterable[Subject],
    *,
    scored: bool,
    grassroots: Mapping[str, str],
    only: set[int] | None = None,
) -> dict[int, list[Finding]]:
    """Every rule finding of the proposals in `subjects` (one period, each with the rank proposed now), keyed by
    entry id. `grassroots` maps the path of each grassroots organization holding or under the period's root to its
    name (the quota groups). `only` limits the findings reported to these entries (all subjects still count for
    the quota and the roll-up)."""
    subjects = list(subjects)
    items = [s for s in subjects if s.evaluated]
    found: dict[int, list[Finding]] = defaultdict(list)
    wanted = (lambda i: True) if only is None else (lambda i: i in only)

    # caps
    member_cap, org_cap = book.rule(MEMBER_CAP), book.rule(ORG_CAP)
    max_sub = book.param(ORG_CAP, "max_disciplined_subunits_pct", 20)
    min_targets = book.param(ORG_CAP, "min_targets_met_pct", 50)
    cap_rank = int(book.param(MEMBER_CAP, "cap_rank", WORST))
    org_cap_rank = int(book.param(ORG_CAP, "cap_rank", WORST))
    for s in items:
        if not wanted(s.entry_id) or s.rank is None:
            continue
        if s.subject == "member" and s.disciplined and s.rank < cap_rank:
            found[s.entry_id].append(
                Finding(
                    member_cap,
                    f"{s.label} bị kỷ luật trong kỳ đánh giá (không phải tự phát hiện, khắc phục): chỉ xếp loại "
                    "không hoàn thành nhiệm vụ.",
                )
            )
        if s.subject == "org" and s.rank < org_cap_rank:
            facts = s.facts or {}
            reasons = []
            if facts.get("leadership_disciplined"):
                reasons.append("tập thể lãnh đạo bị kỷ luật")
            total, bad = facts.get("subunits_total"), facts.get("subunits_disciplined")
            if total and bad is not None and 100 * int(bad) > float(max_sub) * int(total):
                reasons.append(f"{bad}/{total} tổ chức trực thuộc bị kỷ luật, quá {max_sub}%")
            met = facts.get("targets_met_pct")
            if met is not None and float(met) < float(min_targets):
                reasons.append(f"chỉ đạt {met}% chỉ tiêu, dưới {min_targets}%")
            if reasons:
                found[s.entry_id].append(
                    Finding(
                        org_cap,
                        f"{s.label}: {'; '.join(reasons)} nên chỉ xếp loại không hoàn thành nhiệm vụ.",
                    )
                )

    # score (scored schemes)
    if scored:
        score_rule = book.rule(SCORE)
        maxima = {str(c["code"]): float(c["points"]) for c in book.param(SCHEME, "criteria", []) or []}
        for s in items:
            if not wanted(s.entry_id) or s.rank is None:
                continue
            scores = s.scores or {}
            for code, value in scores.items():
                if code in maxima and not 0 <= float(value or 0) <= maxima[code]:
                    found[s.entry_id].append(
                        Finding(
                            score_rule,
                            f"{s.label}: điểm “{code}” là {value}, phải từ 0 đến {maxima[code]:g}.",
                        )
                    )
            result = score_rank(book, scores)
            if result is None:
                found[s.entry_id].append(
                    Finding(score_rule, f"{s.label} chưa có điểm chấm theo khung 100 điểm.")
                )
            elif s.rank < result[1]:
                found[s.entry_id].append(
                    Finding(
                        score_rule,
                        f"{s.label} được {result[0]} điểm: chỉ đạt mức bậc {result[1]}, không thể xếp bậc {s.rank}.",
                    )
                )

    # quota, within each grassroots organization
    ratio = book.param(QUOTA, "ratio_pct")
    if ratio is not None:
        quota = book.rule(QUOTA)
        roots = sorted(grassroots, key=len, reverse=True)

        def group(s: Subject) -> str | None:
            for g in roots:
                if s.path.startswith(g) and (s.subject == "member" or s.path != g):
                    return g
            return None

        counts: dict[tuple[str, str], list[Subject]] = defaultdict(list)
        for s in items:
            g = group(s)
            if g is not None:
                counts[(g, s.subject)].append(s)
        names = dict(grassroots)
        for (g, kind), members in counts.items():
            best = [s for s in members if s.rank == 1]
            good = sum(1 for s in members if s.rank == 2)
            if best and 100 * len(best) > float(ratio) * good:
                limit = int(float(ratio) * good // 100)
                what = "đảng viên" if kind == "member" else "tổ chức trực thuộc"
                for s in best:
                    if wanted(s.entry_id):
                        found[s.entry_id].append(
                            Finding(
                                quota,
                                f"{names.get(g, g)}: {len(best)} {what} hoàn thành xuất sắc nhiệm vụ, vượt {ratio:g}% "
                                f"của {good} {what} hoàn thành tốt nhiệm vụ (tối đa {limit}).",
                            )
                        )

    # roll-up
    rollup = book.rule(ROLLUP)
    need3 = float(book.param(ROLLUP, "min_pct_rank3", 100))
    need2 = float(book.param(ROLLUP, "min_pct_rank2", 80))
    for s in items:
        if not wanted(s.entry_id) or s.subject != "org" or s.rank != 1:
            continue
        if s.is_cell:
            under = [m for m in items if m.subject == "member" and m.path == s.path]
            what = "đảng viên"
        else:
            under = [
                o
                for o in items
                if o.subject == "org" and o.path.startswith(s.path) and len(o.path) == len(s.path) + SEGMENT
            ]
            what = "tổ chức trực thuộc"
        if not under:
            continue
        n = len(under)
        ok3 = sum(1 for u in under if u.rank is not None and u.rank <= 3)
        ok2 = sum(1 for u in under if u.rank is not None and u.rank <= 2)
        missing = sum(1 for u in under if u.rank is None)
        problems = []
        if 100 * ok3 < need3 * n:
            problems.append(f"{ok3}/{n} {what} hoàn thành nhiệm vụ trở lên (cần {need3:g}%)")
        if 100 * ok2 < need2 * n:
            problems.append(f"{ok2}/{n} {what} hoàn thành tốt nhiệm vụ trở lên (cần {need2:g}%)")
        if problems:
            note = f"; {missing} chưa xếp loại" if missing else ""
            found[s.entry_id].append(
                Finding(
                    rollup,
                    f"{s.label} đề xuất hoàn thành xuất sắc nhiệm vụ nhưng chỉ có {'; '.join(problems)}{note}.",
                )
            )
    return dict(found)
