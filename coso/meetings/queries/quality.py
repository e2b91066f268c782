"""Quality of meetings: scores, criteria, programmes' figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count

from coso.core.dates import add_months, last_of_month, today
from coso.core.scope import restrict
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from ..models import (
    Meeting,
    MeetingScore,
    ProgrammeCell,
    QualityProgramme,
)
from .compliance import _cells_on, _confine, _scope_paths


def _halves(date_from: dt.date, date_to: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Half-years (1/1–30/6, 1/7–31/12) that meet [date_from, date_to]."""
    result = []
    start = dt.date(date_from.year, 1 if date_from.month <= 6 else 7, 1)
    while start <= date_to:
        end = last_of_month(add_months(start, 5))
        result.append((start, end))
        start = add_months(start, 6)
    return result


@dataclass
class QualityHalf:
    """Meeting quality over one half-year: per cell and rolled up."""

    start: dt.date
    end: dt.date
    scored: int = 0
    average: float | None = None
    levels: dict[str, int] = field(default_factory=dict)
    cells: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{'6 tháng đầu' if self.start.month == 1 else '6 tháng cuối'} năm {self.start.year}"

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "label": self.label,
            "scored": self.scored,
            "average": self.average,
            "levels": self.levels,
            "cells": self.cells,
        }


def quality_summary(cell: Organization, date_from: dt.date, date_to: dt.date) -> tuple[int, float | None]:
    """How many of the cell's held meetings in [date_from, date_to] were scored, and their average total (2
    decimals; None when none was): what the evaluation of the cell looks at. The caller has the cell in scope."""
    found = MeetingScore.objects.filter(
        meeting__org=cell,
        meeting__status=Meeting.Status.HELD,
        meeting__date__gte=date_from,
        meeting__date__lte=date_to,
    ).aggregate(n=Count("id"), avg=Avg("total"))
    return found["n"] or 0, round(float(found["avg"]), 2) if found["avg"] is not None else None


def quality_over_time(
    user: Any,
    org: Organization,
    date_from: dt.date,
    date_to: dt.date,
    *,
    cell_ids: Sequence[int] | None = None,
) -> list[QualityHalf]:
    """Meeting quality every 6 months (seed 004): scored meetings of organizations under `org` on their date,
    per cell (count, average total) and rolled up (count, average, meetings per level). `cell_ids` narrows to
    some cells (a programme's pilots)."""
    paths = orgs_queries.paths_of(org)
    base = MeetingScore.objects.filter(
        orgs_queries.placed_under(paths, "meeting__org_id", "meeting__date"),
        meeting__status=Meeting.Status.HELD,
    )
    _scope, scope_paths = _scope_paths(user, org)
    base = _confine(base, user, scope_paths)
    if cell_ids is not None:
        base = base.filter(meeting__org_id__in=list(cell_ids))
    result = []
    for start, end in _halves(date_from, date_to):
        qs = base.filter(meeting__date__gte=max(start, date_from), meeting__date__lte=min(end, date_to))
        half = QualityHalf(start, end)
        roll = qs.aggregate(n=Count("id"), avg=Avg("total"))
        half.scored = roll["n"] or 0
        half.average = round(float(roll["avg"]), 2) if roll["avg"] is not None else None
        half.levels = {
            row["level"]: row["n"] for row in qs.values("level").annotate(n=Count("id")).order_by("level")
        }
        per_cell = list(
            qs.values("meeting__org_id").annotate(n=Count("id"), avg=Avg("total")).order_by("meeting__org_id")
        )
        names = orgs_queries.labels_on([r["meeting__org_id"] for r in per_cell], end)
        half.cells = [
            {
                "org": names[r["meeting__org_id"]][0],
                "org_name": names[r["meeting__org_id"]][1],
                "scored": r["n"],
                "average": round(float(r["avg"]), 2),
            }
            for r in per_cell
        ]
        result.append(half)
    return result


@dataclass
class ProgrammeReport:
    programme: QualityProgramme
    pilots: list[dict[str, Any]]
    rolled_out: int
    cells_total: int
    pilot_quality: list[QualityHalf]
    all_quality: list[QualityHalf]

    def as_json(self) -> dict[str, Any]:
        return {
            "programme": self.programme.name,
            "org": self.programme.org.code,
            "from": self.programme.date_from.isoformat(),
            "to": self.programme.date_to.isoformat(),
            "pilots": self.pilots,
            "rolled_out": self.rolled_out,
            "cells_total": self.cells_total,
            "pilot_quality": [h.as_json() for h in self.pilot_quality],
            "all_quality": [h.as_json() for h in self.all_quality],
        }


def programme_report(user: Any, programme: QualityProgramme, as_of: dt.date | None = None) -> ProgrammeReport:
    """A quality programme as of a date: its pilot cells, how many cells it reached, and meeting quality every
    6 months for the pilots and for every cell of the organization, over the programme's period up to as_of."""
    as_of = as_of or today()
    rows = list(
        restrict(ProgrammeCell.objects.filter(programme=programme), user).order_by(
            "-pilot", "selected_on", "id"
        )
    )
    names = orgs_queries.labels_on([r.org_id for r in rows], as_of)
    pilots = [
        {
            "org": names[r.org_id][0],
            "org_name": names[r.org_id][1],
            "selected_on": r.selected_on.isoformat() if r.selected_on else None,
            "rolled_out_on": r.rolled_out_on.isoformat() if r.rolled_out_on else None,
        }
        for r in rows
        if r.pilot
    ]
    rolled = sum(1 for r in rows if r.rolled_out_on is not None and r.rolled_out_on <= as_of)
    cells_total = _cells_on(programme.org, as_of, None).count()
    end = min(programme.date_to, as_of)
    pilot_ids = [r.org_id for r in rows if r.pilot]
    return ProgrammeReport(
        programme=programme,
        pilots=pilots,
        rolled_out=rolled,
        cells_total=cells_total,
        pilot_quality=quality_over_time(user, programme.org, programme.date_from, end, cell_ids=pilot_ids),
        all_quality=quality_over_time(user, programme.org, programme.date_from, end),
    )
