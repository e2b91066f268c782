"""Demo evaluation results of the demo province (Đảng bộ tỉnh Sông Lam), 2016–2024, and an open 2025 period.

- 2016–2024: the yearly classification of every grassroots organization, cell and member as the tree stood on
  31/12, written through the importer's own write path (`importer.apply`: one published period of kind `imported`
  per year, history rows) under the scheme of each year (2016–2017 before Quy định 132: trong sạch vững mạnh / đủ
  tư cách; from 2018 the four levels). The mix follows seed 001: most organizations HTTNV or TSVM, ≈12% HTXSNV
  (within the 20% quota), a few weak units (≈2%); members ≈10% HTXSNV, ≈80% HTTNV, ≈9% HTNV, ≈1% KHTNV. Members
  the rules do not evaluate (exempt, suspended, admitted under 6 months before the year's end) have no result.
  Seed 000's story: one commune committee does not complete its tasks in 2016, then HTTNV in 2017 and HTXSNV in
  2018–2020.
- 2025: a yearly period of the demo commune SL-X002 (Quy định 366, scored) in the review step: about two thirds
  of its members have assessed themselves, half of those have been reviewed with a proposed level, the cells
  have assessed themselves and a few been reviewed, so the progress and decision pages show real work.
Deterministic (a fixed seed); a few seconds.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction

from coso.core.bulk import analyze
from coso.core.dates import active_on
from coso.members.models import ACTIVE_STATUSES, Membership, MemberStatus
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from . import checks, importer, services
from .models import Evaluation, Level, PeriodState, Subject

SEED = 366
YEARS = range(2016, 2025)
OPEN_YEAR = 2025
OPEN_COMMUNE = "SL-X002"
# cumulative shares (out of 1000) of ranks 1, 2, 3; the rest is rank 4
ORG_MIX = (120, 870, 980)
MEMBER_MIX = (100, 900, 990)


def _rank(rng: random.Random, mix: tuple[int, int, int]) -> int:
    x = rng.randrange(1000)
    return 1 if x < mix[0] else 2 if x < mix[1] else 3 if x < mix[2] else 4


class EvaluationDemo:
    def __init__(self, log: Callable[[str], None]):
        self.log = log
        self.rng = random.Random(SEED)
        self.story: Organization | None = None

    def levels(self, year: int) -> dict[tuple[str, int], Level]:
        scheme, _ruleset = checks.scheme_on(dt.date(year, 12, 31))
        return {(lv.subject, lv.rank): lv for lv in Level.objects.filter(scheme=scheme)}

    def story_commune(self) -> Organization | None:
        """A commune committee alive 2016–2020 (seed 000's story)."""
        alive = [
            set(
                orgs_queries.placements(dt.date(y, 12, 31))
                .filter(kind__is_grassroots=True, name__startswith="Đảng bộ xã")
                .values_list("org_id", flat=True)
            )
            for y in (2016, 2020)
        ]
        ids = sorted(alive[0] & alive[1])
        return Organization.objects.get(pk=ids[len(ids) // 3]) if ids else None

    def year_rows(self, year: int) -> list[importer.Resolved]:
        on = dt.date(year, 12, 31)
        levels = self.levels(year)
        rows: list[importer.Resolved] = []
        places = {
            p.org_id: p
            for p in orgs_queries.placements(on).select_related("kind").order_by("path")
            if p.kind.is_grassroots or p.kind.is_cell
        }
        for org_id, p in places.items():
            rank = _rank(self.rng, ORG_MIX)
            if self.story is not None and org_id == self.story.pk and year <= 2020:
                rank = {2016: 4, 2017: 2}.get(year, 1)
            rows.append(
                importer.Resolved(
                    line=len(rows) + 2,
                    year=year,
                    subject=Subject.ORG,
                    level=levels[(Subject.ORG, rank)],
                    org_id=org_id,
                    path=p.path,
                    is_grassroots=p.kind.is_grassroots,
                )
            )
        cells = {o: p.path for o, p in places.items() if p.kind.is_cell}
        active = MemberStatus.objects.filter(active_on(on), status__in=ACTIVE_STATUSES).values("member_id")
        placed = dict(
            Membership.objects.filter(
                active_on(on), kind=Membership.Kind.OFFICIAL, org_id__in=list(cells), member_id__in=active
            )
            .order_by("member_id", "valid_from")
            .values_list("member_id", "org_id")
        )
        skipped = checks.not_evaluated_reasons(list(placed), on)
        for member_id, cell_id in sorted(placed.items()):
            if member_id in skipped:
                continue
            rows.append(
                importer.Resolved(
                    line=len(rows) + 2,
                    year=year,
                    subject=Subject.MEMBER,
                    level=levels[(Subject.MEMBER, _rank(self.rng, MEMBER_MIX))],
                    org_id=cell_id,
                    path=cells[cell_id],
                    is_grassroots=False,
                    member_id=member_id,
                )
            )
        return rows

    def history(self) -> None:
        self.story = self.story_commune()
        plan = importer.ImportPlan(filename="ket-qua-xep-loai-2016-2024.xlsx")
        for year in YEARS:
            plan.rows.extend(self.year_rows(year))
        result = importer.apply(plan, None, plan.filename)
        story = f"; {self.story.code}: KHTNV 2016 → HTTNV 2017 → HTXSNV 2018–2020" if self.story else ""
        self.log(f"  kết quả 2016–2024: {result.created} dòng trong {len(result.periods)} đợt nhập{story}")

    def open_year(self) -> None:
        commune = Organization.objects.filter(code=OPEN_COMMUNE).first()
        if commune is None or orgs_queries.period_on(commune, dt.date(OPEN_YEAR, 12, 31)) is None:
            return
        period = services.open_period(
            None,
            commune,
            services.PeriodInput(
                year=OPEN_YEAR,
                self_due=dt.date(OPEN_YEAR + 1, 1, 10),
                review_due=dt.date(OPEN_YEAR + 1, 1, 20),
                decision_due=dt.date(OPEN_YEAR + 1, 1, 31),
            ),
        )
        levels = {(lv.subject, lv.rank): lv for lv in checks.levels_of(period.scheme, Subject.MEMBER)}
        levels.update({(lv.subject, lv.rank): lv for lv in checks.levels_of(period.scheme, Subject.ORG)})
        rng = self.rng
        assessed = reviewed = 0
        for entry in (
            period.entries.exclude(state="not_evaluated")
            .select_related("org")
            .order_by("subject", "path", "id")
        ):
            if rng.random() > (0.85 if entry.subject == Subject.ORG else 0.65):
                continue
            rank = _rank(rng, MEMBER_MIX if entry.subject == Subject.MEMBER else ORG_MIX)
            score = {1: 92, 2: 80, 3: 60, 4: 45}[rank] + rng.randrange(0, 6)
            general = min(30, round(score * 0.3))
            scores = {"general": general, "tasks": min(70, score - general)}
            entry = services.submit_self_assessment(
                None,
                entry,
                scores=scores,
                comment="Hoàn thành các nhiệm vụ được giao trong năm."
                if rank <= 2
                else "Còn hạn chế trong thực hiện nhiệm vụ.",
                level=levels[(entry.subject, rank)],
            )
            assessed += 1
            if rng.random() < 0.5:
                services.review(
                    None,
                    entry,
                    level=levels[(entry.subject, rank)],
                    comment="Chi bộ thống nhất với tự đánh giá.",
                    scores=scores,
                )
                reviewed += 1
        services.advance(None, period, PeriodState.REVIEWING)
        total = Evaluation.objects.filter(period=period).count()
        self.log(
            f"  đợt {OPEN_YEAR} của {OPEN_COMMUNE}: {total} đối tượng, {assessed} đã tự đánh giá, "
            f"{reviewed} đã nhận xét, đề xuất"
        )


def load(log: Callable[[str], None] = print) -> bool:
    """Load the demo results once (after the demo members and meetings); does nothing if results exist."""
    if Evaluation.objects.exists() or not Organization.objects.filter(code="SL").exists():
        return False
    log("Đang nạp kết quả đánh giá, xếp loại mẫu ...")
    demo = EvaluationDemo(log)
    with transaction.atomic():
        demo.history()
        analyze()
        demo.open_year()
    log(f"Xong: {Evaluation.objects.count()} kết quả đánh giá.")
    return True
