"""Structure checks of DOMAIN §2 that need member counts: warnings for the superior body, never refusals.

For each cell and each grassroots organization under an organization on a date, counting **official** members
(where their official membership is):
- a party organization needs at least 3 official members;
- a cell with fewer than 9 official members elects only a secretary (and at most one deputy); with 9 or more it
  elects a cell committee (chi ủy) of at most 7 (informational);
- a grassroots organization with fewer than 30 members is normally a chi bộ cơ sở, with 30 or more a đảng bộ cơ sở.

The thresholds are the dated rule set ORG.MEMBER_COUNTS (seeded by migration members 0004); every warning names it
and its source.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from coso.core.rules import rule_in_force
from coso.orgs.models import SEGMENT, Organization

from . import queries
from .models import Status

MEMBER_COUNTS = "ORG.MEMBER_COUNTS"

WARNING = "warning"
INFO = "info"

MIN_MEMBERS = "min_members"
CELL_SECRETARY = "cell_secretary"
CELL_COMMITTEE = "cell_committee"
GRASSROOTS_KIND = "grassroots_kind"


@dataclass(frozen=True)
class StructureWarning:
    """One finding about one organization on a date."""

    org_id: int
    org_code: str
    org_name: str
    kind: str
    official: int
    check: str  # min_members, cell_secretary, cell_committee, grassroots_kind
    level: str  # "warning" or "info"
    message: str
    rule_code: str
    rule_name: str
    source: str

    def as_json(self) -> dict[str, Any]:
        return {
            "org": self.org_code,
            "org_name": self.org_name,
            "kind": self.kind,
            "official": self.official,
            "check": self.check,
            "level": self.level,
            "message": self.message,
            "rule": self.rule_code,
            "rule_name": self.rule_name,
            "source": self.source,
        }


def official_counts(user: Any, org: Organization, as_of: dt.date) -> dict[int, int]:
    """Official members per cell (organization id) under `org` on `as_of`: one grouped query."""
    return {
        row["cell_id"]: row["n"]
        for row in queries.members_under(user, org, as_of, status=Status.OFFICIAL)
        .values("cell_id")  # type: ignore[misc]  # annotated by queries.members_under
        .annotate(n=Count("id"))
        .order_by()
    }


def structure_warnings(user: Any, org: Organization, as_of: dt.date) -> list[StructureWarning]:
    """The findings for every cell and grassroots organization under `org` (itself included) on `as_of`, in tree
    order: fewer than the minimum of official members (warning), secretary only / cell committee (information,
    for cells), and a grassroots kind that does not fit its count (warning)."""
    units = list(
        queries.cells_under(user, org, as_of)
        .values_list(
            "org_id", "org__code", "name", "path", "kind__name", "kind__is_cell", "kind__is_grassroots"
        )
        .order_by("path")
    )
    if not units:
        return []
    ruleset = rule_in_force(MEMBER_COUNTS, as_of)
    params = ruleset.params
    minimum = int(params.get("min_members", 3))
    committee_from = int(params.get("cell_committee_from", 9))
    committee_max = int(params.get("cell_committee_max", 7))
    grassroots_from = int(params.get("grassroots_committee_from", 30))

    per_cell = official_counts(user, org, as_of)
    path_of = {org_id: path for org_id, _c, _n, path, _k, _ic, _ig in units}
    totals: dict[str, int] = {}
    for cell_id, n in per_cell.items():
        path = path_of.get(cell_id)
        if path is None:
            continue
        for end in range(SEGMENT, len(path) + 1, SEGMENT):
            totals[path[:end]] = totals.get(path[:end], 0) + n

    found: list[StructureWarning] = []

    def add(row: tuple[Any, ...], n: int, check: str, level: str, message: str) -> None:
        org_id, code, name, _path, kind, _ic, _ig = row
        found.append(
            StructureWarning(
                org_id=org_id,
                org_code=code,
                org_name=name,
                kind=kind,
                official=n,
                check=check,
                level=level,
                message=message,
                rule_code=ruleset.code,
                rule_name=ruleset.title,
                source=ruleset.source,
            )
        )

    for row in units:
        _org_id, _code, name, path, kind, is_cell, is_grassroots = row
        if not (is_cell or is_grassroots):
            continue
        n = totals.get(path, 0)
        if n < minimum:
            add(
                row,
                n,
                MIN_MEMBERS,
                WARNING,
                f"{name} chỉ có {n} đảng viên chính thức; một tổ chức đảng cần ít nhất {minimum} đảng viên "
                "chính thức. Cấp ủy cấp trên xem xét ghép, hợp nhất hoặc bổ sung đảng viên.",
            )
        if is_cell:
            if n < committee_from:
                add(
                    row,
                    n,
                    CELL_SECRETARY,
                    INFO,
                    f"{name} có {n} đảng viên chính thức (dưới {committee_from}): chỉ bầu bí thư chi bộ, nếu cần "
                    "thì bầu một phó bí thư; không bầu chi ủy.",
                )
            else:
                add(
                    row,
                    n,
                    CELL_COMMITTEE,
                    INFO,
                    f"{name} có {n} đảng viên chính thức (từ {committee_from} trở lên): bầu chi ủy, không quá "
                    f"{committee_max} ủy viên.",
                )
        if is_grassroots:
            if is_cell and n >= grassroots_from:
                add(
                    row,
                    n,
                    GRASSROOTS_KIND,
                    WARNING,
                    f"{name} là {kind} nhưng có {n} đảng viên chính thức (từ {grassroots_from} trở lên): thông "
                    "thường nên là đảng bộ cơ sở. Cấp ủy cấp trên xem xét.",
                )
            elif not is_cell and n < grassroots_from:
                add(
                    row,
                    n,
                    GRASSROOTS_KIND,
                    WARNING,
                    f"{name} là {kind} nhưng chỉ có {n} đảng viên chính thức (dưới {grassroots_from}): thông "
                    "thường là chi bộ cơ sở. Cấp ủy cấp trên xem xét.",
                )
    return found
