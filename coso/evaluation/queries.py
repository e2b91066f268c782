"""Reads of evaluation and classification, always scoped.

Results are uniform across entered and imported data: a year's classification is the `Evaluation` rows of the
annual periods (kind `year`, or `imported` for historical results) of that year with a decided level, under the
organization's path as the tree stood on the period's last day (`Evaluation.path`, one indexed range). By default
only published periods count (imported results are published on import) and the results are read as known on
`as_of` (a reconsideration decided after `as_of` is read with its level before).

- `results(user, org, year | period, as_of)`: counts and percentages per level for members and for grassroots
  organizations (TCCSĐ) of the subtree, the organization itself excluded as in the structure report; who was not
  evaluated and why. `.as_json()` is the contract of `coso report evaluation`.
- `progress(user, period)`: who has not self-assessed, not been reviewed, not been decided.
- `trends(user, org, year_from, year_to)`: the organization's own level year by year and the subtree's counts,
  compared by rank across schemes (`rules.RANK_NOTE`).
- `weak_units(user, org, year)`: organizations at rank 4 (KHTNV / yếu kém) with their earlier years.
- `decision_sheet(user, period)`: the decision page's lines: proposals, the rules they break, and beside each cell
  its meeting compliance and average meeting quality over the period (coso.meetings; seed 004).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from coso.core.dates import active_on, today
from coso.core.fields import prefix_range
from coso.core.scope import VIEW, restrict
from coso.meetings import queries as meetings_queries
from coso.members.models import ACTIVE_STATUSES, Member, Membership, MemberStatus
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from . import rules
from .checks import check, not_evaluated_reasons, scheme_on
from .models import (
    EntryState,
    Evaluation,
    EvaluationPeriod,
    Level,
    PeriodState,
    Reconsideration,
    Scheme,
    Subject,
)
from .rules import Finding, pct

LIST_LIMIT = 500
NO_RESULT = "Chưa có kết quả xếp loại"


def periods(user: Any, permission: str = VIEW) -> QuerySet[EvaluationPeriod]:
    """Every period whose root organization the user may see."""
    return restrict(EvaluationPeriod.objects.select_related("org", "scheme", "ruleset"), user, permission)


def entries(user: Any, period: EvaluationPeriod, permission: str = VIEW) -> QuerySet[Evaluation]:
    """The entries of `period` the user may see (by the organization evaluated or the member's cell)."""
    return restrict(
        period.entries.select_related("member", "org", "level", "proposed_level", "self_level"),
        user,
        permission,
    )


def root_path(org: Organization, as_of: dt.date) -> str | None:
    """The path the results of `org`'s subtree are read under on `as_of`: its placement then by the fallback
    rule of `coso.orgs.queries` (a dissolved organization's results under its last path)."""
    period = orgs_queries.nearest_period(org, as_of)
    return period.path if period else None


# ------------------------------------------------------------------------------------------------ results


@dataclass
class Results:
    """The classification of the subtree of `org` for a year (or one period) as known on `as_of`."""

    org: Organization
    org_name: str
    year: int
    date_to: dt.date
    as_of: dt.date
    scheme: Scheme
    scheme_source: str
    period: EvaluationPeriod | None = None
    published_only: bool = True
    organizations: dict[str, int] = field(default_factory=dict)
    members: dict[str, int] = field(default_factory=dict)
    organizations_by_rank: dict[int, int] = field(default_factory=dict)
    members_by_rank: dict[int, int] = field(default_factory=dict)
    organizations_total: int = 0
    schemes: list[str] = field(default_factory=list)
    members_not_evaluated: list[dict[str, Any]] = field(default_factory=list)
    members_not_evaluated_total: int = 0

    @property
    def organizations_evaluated(self) -> int:
        return sum(self.organizations.values())

    @property
    def members_evaluated(self) -> int:
        return sum(self.members.values())

    def percent(self, counts: dict[str, int]) -> dict[str, float]:
        total = sum(counts.values())
        return {k: pct(v, total) for k, v in counts.items()}

    def as_json(self) -> dict[str, Any]:
        return {
            "org": self.org.code,
            "org_name": self.org_name,
            "year": self.year,
            "period": self.period.pk if self.period else None,
            "as_of": self.as_of.isoformat(),
            "published_only": self.published_only,
            "scheme": self.scheme.code,
            "scheme_name": self.scheme.name,
            "scheme_source": self.scheme_source,
            "schemes": self.schemes,
            "rank_note": rules.RANK_NOTE,
            "organizations": dict(self.organizations),
            "organizations_percent": self.percent(self.organizations),
            "organizations_by_rank": {str(k): v for k, v in self.organizations_by_rank.items()},
            "organizations_evaluated": self.organizations_evaluated,
            "organizations_total": self.organizations_total,
            "members": dict(self.members),
            "members_percent": self.percent(self.members),
            "members_by_rank": {str(k): v for k, v in self.members_by_rank.items()},
            "members_evaluated": self.members_evaluated,
            "members_not_evaluated": self.members_not_evaluated,
            "members_not_evaluated_total": self.members_not_evaluated_total,
        }


def _published(qs: QuerySet[Evaluation], as_of: dt.date, published_only: bool) -> QuerySet[Evaluation]:
    if published_only:
        return qs.filter(period__state=PeriodState.PUBLISHED, period__published_on__lte=as_of)
    return qs


def _ranks_as_of(
    qs: QuerySet[Evaluation], as_of: dt.date
) -> list[tuple[int, str, bool, int, int | None, int]]:
    """(id, subject, is_grassroots, rank, member id, org id) of the decided entries, with a reconsideration decided
    after `as_of` undone (the level before the earliest such reconsideration)."""
    rows = list(
        qs.filter(state=EntryState.DECIDED, rank__isnull=False).values_list(
            "pk", "subject", "is_grassroots", "rank", "member_id", "org_id"
        )
    )
    later = _later_ranks(qs, as_of)
    return [(pk, s, g, later.get(pk) or rank or 0, m, o) for pk, s, g, rank, m, o in rows]


def _later_ranks(qs: QuerySet[Evaluation], as_of: dt.date) -> dict[int, int]:
    """Entry id → the rank before the earliest reconsideration decided after `as_of`, for the entries of `qs`."""
    return {
        e: r
        for e, r in Reconsideration.objects.filter(evaluation__in=qs.values("pk"), decided_on__gt=as_of)
        .order_by("evaluation_id", "-decided_on", "-id")
        .values_list("evaluation_id", "level_before__rank")
    }


def _named(scheme: Scheme, subject: str, by_rank: Counter[int]) -> dict[str, int]:
    """Counts by rank under the names of `scheme` (every level, zeros included, best first)."""
    return {
        level.name: by_rank.get(level.rank, 0)
        for level in Level.objects.filter(scheme=scheme, subject=subject).order_by("rank")
    }


def results(
    user: Any,
    org: Organization,
    year: int | None = None,
    *,
    period: EvaluationPeriod | None = None,
    as_of: dt.date | None = None,
    published_only: bool = True,
) -> Results:
    """The results of the subtree of `org` for `year` (annual periods and imported results) or for one `period`."""
    if period is None and year is None:
        raise ValueError("year or period")
    as_of = as_of or today()
    date_to = period.date_to if period is not None else dt.date(int(year or 0), 12, 31)
    year = period.year if period is not None else int(year or 0)
    scheme, ruleset = (period.scheme, period.ruleset) if period is not None else scheme_on(date_to)
    result = Results(
        org=org,
        org_name=orgs_queries.name_on(org, date_to),
        year=year,
        date_to=date_to,
        as_of=as_of,
        scheme=scheme,
        scheme_source=ruleset.source,
        period=period,
        published_only=published_only,
    )
    root = root_path(org, date_to)
    if root is None:
        result.organizations = _named(scheme, Subject.ORG, Counter())
        result.members = _named(scheme, Subject.MEMBER, Counter())
        return result
    base = Evaluation.objects.filter(**prefix_range("path", root))
    base = base.filter(period=period) if period is not None else base.filter(annual=True, year=year)
    base = restrict(base, user)
    counted = _published(base, as_of, published_only)
    decided = counted.filter(state=EntryState.DECIDED, rank__isnull=False)
    org_ranks: Counter[int] = Counter()
    member_ranks: Counter[int] = Counter()
    level_ids: set[int] = set()
    # one grouped scan of the decided entries (the whole nation is millions of rows: never fetched one by one)
    for subject, grassroots, rank, level_id, n in (
        decided.values_list("subject", "is_grassroots", "rank", "level_id").annotate(n=Count("id")).order_by()
    ):
        level_ids.add(level_id)
        if subject == Subject.MEMBER:
            member_ranks[rank] += n
        elif grassroots:
            org_ranks[rank] += n
    # the organization itself is not counted among its grassroots organizations
    for rank in decided.filter(subject=Subject.ORG, org=org, is_grassroots=True).values_list(
        "rank", flat=True
    ):
        org_ranks[rank or 0] -= 1
    # a reconsideration decided after `as_of` is read with its level before (few rows)
    later = _later_ranks(decided, as_of)
    if later:
        for pk, subject, grassroots, rank, _m, org_id in decided.filter(pk__in=list(later)).values_list(
            "pk", "subject", "is_grassroots", "rank", "member_id", "org_id"
        ):
            if subject == Subject.MEMBER:
                member_ranks[rank or 0] -= 1
                member_ranks[later[pk]] += 1
            elif grassroots and org_id != org.pk:
                org_ranks[rank or 0] -= 1
                org_ranks[later[pk]] += 1
    org_ranks = Counter({k: v for k, v in org_ranks.items() if v})
    member_ranks = Counter({k: v for k, v in member_ranks.items() if v})
    result.schemes = sorted(
        set(Level.objects.filter(pk__in=sorted(level_ids)).values_list("scheme__code", flat=True).distinct())
    )
    result.organizations = _named(scheme, Subject.ORG, org_ranks)
    result.members = _named(scheme, Subject.MEMBER, member_ranks)
    result.organizations_by_rank = {r: org_ranks.get(r, 0) for r in range(1, rules.WORST + 1)}
    result.members_by_rank = {r: member_ranks.get(r, 0) for r in range(1, rules.WORST + 1)}
    result.organizations_total = (
        orgs_queries.periods(user, date_to, within=root)
        .filter(kind__is_grassroots=True)
        .exclude(org=org)
        .count()
    )
    _not_evaluated(user, result, base, root, decided.filter(subject=Subject.MEMBER))
    return result


def _not_evaluated(
    user: Any, result: Results, base: QuerySet[Evaluation], root: str, evaluated: QuerySet[Any]
) -> None:
    """Members of the subtree on the period's last day without a result, with the reason: the one recorded when the
    period was opened, else the rules' (exempt, suspended, recently admitted), else no result recorded."""
    date_to = result.date_to
    recorded = {
        member_id: (reason, org_id)
        for member_id, reason, org_id in base.filter(
            subject=Subject.MEMBER, state=EntryState.NOT_EVALUATED
        ).values_list("member_id", "not_evaluated_reason", "org_id")
    }
    active = MemberStatus.objects.filter(active_on(date_to), status__in=ACTIVE_STATUSES).values("member_id")
    cells = orgs_queries.placements(date_to, within=root).values("org_id")
    # the members placed in the subtree without a decided result: an anti-join (NOT EXISTS: PostgreSQL plans NOT IN
    # over millions of rows as a rescanned subplan), not the whole subtree in memory
    missing = dict(
        restrict(
            Membership.objects.filter(
                active_on(date_to), kind=Membership.Kind.OFFICIAL, org_id__in=cells, member_id__in=active
            ),
            user,
        )
        .exclude(Exists(evaluated.filter(member_id=OuterRef("member_id"))))
        .values_list("member_id", "org_id")
    )
    for member_id, (_reason, org_id) in recorded.items():
        missing.setdefault(member_id or 0, org_id)
    computed = not_evaluated_reasons([m for m in missing if m not in recorded], date_to)
    people = dict(Member.objects.filter(pk__in=list(missing)).values_list("pk", "full_name"))
    cids = dict(Member.objects.filter(pk__in=list(missing)).values_list("pk", "citizen_id"))
    names = orgs_queries.labels_on(set(missing.values()), date_to)
    rows = []
    for member_id, org_id in missing.items():
        reason = recorded[member_id][0] if member_id in recorded else computed.get(member_id, NO_RESULT)
        code, name = names.get(org_id, ("", ""))
        rows.append(
            {
                "member_id": member_id,
                "name": people.get(member_id, ""),
                "citizen_id": cids.get(member_id) or "",
                "cell": code,
                "cell_name": name,
                "reason": reason,
            }
        )
    rows.sort(key=lambda r: (r["cell_name"], r["name"]))
    result.members_not_evaluated_total = len(rows)
    result.members_not_evaluated = rows[:LIST_LIMIT]


def member_counts(user: Any, org: Organization, year: int, as_of: dt.date | None = None) -> dict[str, int]:
    """Members per level (the year's scheme) in the subtree of `org`."""
    return results(user, org, year, as_of=as_of).members


def organization_counts(
    user: Any, org: Organization, year: int, as_of: dt.date | None = None
) -> dict[str, int]:
    """Grassroots organizations per level (the year's scheme) in the subtree of `org`, `org` excluded."""
    return results(user, org, year, as_of=as_of).organizations


# ----------------------------------------------------------------------------------------------- progress


@dataclass
class Progress:
    period: EvaluationPeriod
    by_state: dict[str, int] = field(default_factory=dict)
    not_self_assessed: list[dict[str, Any]] = field(default_factory=list)
    not_reviewed: list[dict[str, Any]] = field(default_factory=list)
    not_decided: list[dict[str, Any]] = field(default_factory=list)
    overdue: dict[str, bool] = field(default_factory=dict)
    # how many there are in each list (the lists stop at LIST_LIMIT)
    counts: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "period": self.period.pk,
            "title": self.period.title,
            "state": self.period.state,
            "by_state": self.by_state,
            "not_self_assessed": self.not_self_assessed,
            "not_reviewed": self.not_reviewed,
            "not_decided": self.not_decided,
            "overdue": self.overdue,
            "counts": self.counts,
        }


def progress(
    user: Any, period: EvaluationPeriod, as_of: dt.date | None = None, *, limit: int = LIST_LIMIT
) -> Progress:
    """Who has not self-assessed, who has not been reviewed, who has not been decided (the subjects the user
    sees; the first `limit` of each list, and how many there are), and which deadlines have passed with work
    outstanding on `as_of` (default today)."""
    as_of = as_of or today()
    qs = entries(user, period)
    result = Progress(period)
    counts = dict(qs.values_list("state").annotate(n=Count("id")).order_by())
    result.by_state = {label: counts.get(value, 0) for value, label in EntryState.choices}
    pending = qs.exclude(state=EntryState.NOT_EVALUATED)
    lists = {
        "not_self_assessed": list(pending.filter(state=EntryState.PENDING)[:limit]),
        "not_reviewed": list(
            pending.filter(state__in=[EntryState.PENDING, EntryState.SELF_ASSESSED])[:limit]
        ),
        "not_decided": list(pending.exclude(state=EntryState.DECIDED)[:limit]),
    }
    names = orgs_queries.labels_on({e.org_id for rows in lists.values() for e in rows}, period.date_to)

    def line(e: Evaluation) -> dict[str, Any]:
        code, name = names.get(e.org_id, ("", ""))
        return {
            "entry": e.pk,
            "subject": e.subject,
            "name": e.member.full_name if e.member is not None else name,
            "org": code,
            "org_name": name,
            "state": e.state,
        }

    result.not_self_assessed = [line(e) for e in lists["not_self_assessed"]]
    result.not_reviewed = [line(e) for e in lists["not_reviewed"]]
    result.not_decided = [line(e) for e in lists["not_decided"]]
    n = {value: counts.get(value, 0) for value in EntryState.values}
    result.counts = {
        "not_self_assessed": n[EntryState.PENDING],
        "not_reviewed": n[EntryState.PENDING] + n[EntryState.SELF_ASSESSED],
        "not_decided": n[EntryState.PENDING] + n[EntryState.SELF_ASSESSED] + n[EntryState.REVIEWED],
    }
    result.overdue = {
        "self": bool(period.self_due and as_of > period.self_due and result.not_self_assessed),
        "review": bool(period.review_due and as_of > period.review_due and result.not_reviewed),
        "decision": bool(period.decision_due and as_of > period.decision_due and result.not_decided),
    }
    return result


# ---------------------------------------------------------------------------------------- trends, weak units


@dataclass
class TrendYear:
    year: int
    scheme: str
    level: str | None
    rank: int | None
    members_by_rank: dict[int, int]
    organizations_by_rank: dict[int, int]

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "scheme": self.scheme,
            "level": self.level,
            "rank": self.rank,
            "members_by_rank": {str(k): v for k, v in self.members_by_rank.items()},
            "organizations_by_rank": {str(k): v for k, v in self.organizations_by_rank.items()},
        }


def trends(
    user: Any, org: Organization, year_from: int, year_to: int, *, as_of: dt.date | None = None
) -> list[TrendYear]:
    """Year by year: the organization's own published level (name in that year's scheme, and rank) and the ranks of
    its subtree's members and grassroots organizations. Compare years by rank (`rules.RANK_NOTE`)."""
    as_of = as_of or today()
    result = []
    for year in range(year_from, year_to + 1):
        r = results(user, org, year, as_of=as_of)
        own = (
            _published(
                restrict(
                    Evaluation.objects.filter(annual=True, year=year, subject=Subject.ORG, org=org), user
                ),
                as_of,
                True,
            )
            .filter(state=EntryState.DECIDED)
            .first()
        )
        rank = level = None
        if own is not None:
            rank = dict(
                (pk, rk)
                for pk, _s, _g, rk, _m, _o in _ranks_as_of(Evaluation.objects.filter(pk=own.pk), as_of)
            ).get(own.pk)
            if own.level is not None and rank is not None:
                found = Level.objects.filter(
                    scheme_id=own.level.scheme_id, subject=Subject.ORG, rank=rank
                ).first()
                level = found.name if found else None
        result.append(TrendYear(year, r.scheme.code, level, rank, r.members_by_rank, r.organizations_by_rank))
    return result


def weak_units(
    user: Any, org: Organization, year: int, *, as_of: dt.date | None = None, history: int = 3
) -> list[dict[str, Any]]:
    """Organizations of the subtree (cells and grassroots organizations, `org` included) at rank 4 in `year`, with
    their ranks in the `history` years before (to follow remediation, seed 000)."""
    as_of = as_of or today()
    date_to = dt.date(year, 12, 31)
    root = root_path(org, date_to)
    if root is None:
        return []
    qs = _published(
        restrict(
            Evaluation.objects.filter(
                annual=True, year=year, subject=Subject.ORG, **prefix_range("path", root)
            ),
            user,
        ),
        as_of,
        True,
    )
    weak = [(pk, org_id) for pk, _s, _g, rank, _m, org_id in _ranks_as_of(qs, as_of) if rank == rules.WORST]
    if not weak:
        return []
    org_ids = {o for _pk, o in weak}
    earlier: dict[int, dict[int, int]] = defaultdict(dict)
    before = _published(
        restrict(
            Evaluation.objects.filter(
                annual=True, subject=Subject.ORG, org_id__in=org_ids, year__gte=year - history, year__lt=year
            ),
            user,
        ),
        as_of,
        True,
    )
    years = dict(before.values_list("pk", "year"))
    for pk, _s, _g, rank, _m, org_id in _ranks_as_of(before, as_of):
        earlier[org_id][years[pk]] = rank
    levels = dict(qs.values_list("pk", "level__name"))
    names = orgs_queries.labels_on(org_ids, date_to)
    rows = [
        {
            "org": names.get(o, ("", ""))[0],
            "org_name": names.get(o, ("", ""))[1],
            "year": year,
            "level": levels.get(pk),
            "rank": rules.WORST,
            "earlier_ranks": {str(y): r for y, r in sorted(earlier[o].items())},
        }
        for pk, o in weak
    ]
    rows.sort(key=lambda r: (r["org_name"], r["org"]))
    return rows


# ------------------------------------------------------------------------------------------ decision sheet


def meeting_facts(user: Any, cell: Organization, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """A cell's meeting compliance (coso.meetings `compliance`) and average meeting quality over the period: what
    the committee looks at beside the cell's proposal (seed 004 counts meeting results in the classification)."""
    c = meetings_queries.compliance(user, cell, date_from, date_to, alerts=False)
    scored, average = meetings_queries.quality_summary(cell, date_from, date_to)
    return {
        "regular_held": c.regular_held,
        "regular_expected": c.regular_expected,
        "thematic_quarters_met": c.thematic_quarters_met,
        "thematic_quarters_expected": c.thematic_quarters_expected,
        "attendance_rate": c.attendance_rate,
        "quality_scored": scored,
        "quality_average": average,
    }


@dataclass
class SheetLine:
    """One line of the decision page."""

    entry: Evaluation
    name: str
    org_name: str
    findings: list[Finding]
    meetings: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        e = self.entry
        return {
            "entry": e.pk,
            "version": e.version,
            "subject": e.subject,
            "name": self.name,
            "org": e.org.code,
            "org_name": self.org_name,
            "state": e.state,
            "not_evaluated_reason": e.not_evaluated_reason,
            "self_level": e.self_level.name if e.self_level else None,
            "self_scores": e.self_scores,
            "proposed_level": e.proposed_level.name if e.proposed_level else None,
            "votes_for": e.votes_for,
            "votes_against": e.votes_against,
            "facts": e.facts,
            "level": e.level.name if e.level else None,
            "justification": e.justification,
            "findings": [f.as_json() for f in self.findings],
            "meetings": self.meetings,
        }


def sheet_entries(user: Any, period: EvaluationPeriod) -> QuerySet[Evaluation]:
    """The entries of the decision sheet, in its order (organizations, then members, by place in the tree)."""
    return entries(user, period).order_by("subject", "path", "id")


def decision_sheet(
    user: Any, period: EvaluationPeriod, *, meetings: bool = True, only: Collection[int] | None = None
) -> list[SheetLine]:
    """Every entry of the period the user sees (or those of them whose id is in `only`: a page of the sheet), with
    the rules its current proposal (decided level, else the review's) breaks, and for each cell its meeting facts
    over the period."""
    findings = check(period)
    chosen = sheet_entries(user, period)
    if only is not None:
        chosen = chosen.filter(pk__in=list(only))
    qs = list(chosen)
    names = orgs_queries.labels_on({e.org_id for e in qs}, period.date_to)
    cell_ids = set(
        orgs_queries.placements(period.date_to, orgs=[e.org_id for e in qs if e.subject == Subject.ORG])
        .filter(kind__is_cell=True)
        .values_list("org_id", flat=True)
    )
    lines = []
    for e in qs:
        org_name = names.get(e.org_id, ("", ""))[1]
        facts = None
        if meetings and e.subject == Subject.ORG and e.org_id in cell_ids:
            facts = meeting_facts(user, e.org, period.date_from, period.date_to)
        lines.append(
            SheetLine(
                entry=e,
                name=e.member.full_name if e.member_id and e.member else org_name,
                org_name=org_name,
                findings=findings.get(e.pk, []),
                meetings=facts,
            )
        )
    return lines


def cell_counts(user: Any, org: Organization, year: int, as_of: dt.date | None = None) -> dict[str, int]:
    """Sub-organizations of the subtree of `org` that are not grassroots organizations (chi bộ trực thuộc, đảng bộ
    bộ phận), per level of the year's scheme, `org` excluded: what a commune committee's results page shows beside
    the grassroots organizations (published results as known on `as_of`, like `results`)."""
    as_of = as_of or today()
    date_to = dt.date(year, 12, 31)
    scheme, _ruleset = scheme_on(date_to)
    root = root_path(org, date_to)
    ranks: Counter[int] = Counter()
    if root is not None:
        qs = _published(
            restrict(
                Evaluation.objects.filter(
                    annual=True,
                    year=year,
                    subject=Subject.ORG,
                    is_grassroots=False,
                    **prefix_range("path", root),
                ).exclude(org=org),
                user,
            ),
            as_of,
            True,
        )
        for _pk, _s, _g, rank, _m, _o in _ranks_as_of(qs, as_of):
            ranks[rank] += 1
    return _named(scheme, Subject.ORG, ranks)
