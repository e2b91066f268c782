"""Reads of the member registry, always scoped and always as of a date.

Subtree reads start from the cells under an organization as the tree stood on `as_of` (its placements in the
range of the organization's path, narrowed by the user's scope through `coso.orgs.queries.periods`) and join the
memberships and statuses valid on `as_of`: one query, no per-row work. A member is counted where their
**official** membership is (DOMAIN §3): a temporary member attends at the host cell but is counted at home.

Scope follows the cells: a user sees the members of the cells in their subtree as of the date asked, including
members who have since moved out of it (they were there then).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Case, Count, Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from coso.core.dates import active_on, add_months, years_before
from coso.core.models import RuleSet
from coso.core.scope import VIEW, restrict
from coso.core.text import fold
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from .models import (
    ACTIVE_STATUSES,
    Ethnicity,
    Gender,
    Member,
    Membership,
    MemberStatus,
    Occupation,
    Qualification,
    Religion,
    Status,
    TheoryLevel,
)

# Age on `as_of` in whole years: (label, lowest age, highest age or None). One constant: the page, the export,
# the API and the command line all read it.
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("Dưới 30", 0, 29),
    ("30-40", 30, 40),
    ("41-50", 41, 50),
    ("51-60", 51, 60),
    ("Trên 60", 61, None),
)
# Party age (years since the joining date) on `as_of`.
PARTY_AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("Dưới 10 năm", 0, 9),
    ("10-19", 10, 19),
    ("20-29", 20, 29),
    ("30-39", 30, 39),
    ("40-49", 40, 49),
    ("50 năm trở lên", 50, None),
)
UNKNOWN = "Chưa cập nhật"
OVERDUE_AFTER_DAYS = 30

# Movements over [period_from, as_of]: key → Vietnamese label.
MOVEMENTS: dict[str, str] = {
    "admitted": "Kết nạp",
    "recognised": "Công nhận chính thức",
    "transferred_in": "Chuyển đến",
    "transferred_out": "Chuyển đi",
    "removed": "Xóa tên",
    "expelled": "Khai trừ",
    "deceased": "Từ trần",
    "left": "Ra khỏi Đảng",
    "not_recognised": "Không công nhận chính thức",
}
_STATUS_MOVEMENT: dict[str, str] = {
    Status.PROBATIONARY: "admitted",
    Status.OFFICIAL: "recognised",
    Status.REMOVED: "removed",
    Status.EXPELLED: "expelled",
    Status.DECEASED: "deceased",
    Status.LEFT: "left",
    Status.NOT_RECOGNISED: "not_recognised",
}


def _band_case(field_name: str, bands: Sequence[tuple[str, int, int | None]], as_of: dt.date) -> Case:
    """A CASE that puts `field_name` (a date) into its band of whole years on `as_of`."""
    whens = []
    default = bands[-1][0]
    for label, _low, high in bands:
        if high is None:
            default = label
            break
        whens.append(When(**{f"{field_name}__gt": years_before(as_of, high + 1)}, then=Value(label)))
    return Case(*whens, default=Value(default))


# ------------------------------------------------------------------------------------------------- lists


def members(user: Any, permission: str = VIEW) -> QuerySet[Member]:
    """Every member the user may see (by the organization of their official membership today)."""
    return restrict(Member.objects.all(), user, permission)


def cells_under(
    user: Any, org: Organization, as_of: dt.date, *, path: str | None = None
) -> QuerySet[orgs_queries.Period]:
    """The organizations (cells and above) under `org` on `as_of`, `org` included, within the user's scope.
    `path`: `org`'s path on `as_of` when the caller has it already."""
    root = path or orgs_queries.path_on(org, as_of)
    if root is None:
        return orgs_queries.periods(user, as_of).none()
    return orgs_queries.periods(user, as_of, within=root)


def _placed(
    user: Any, org: Organization, as_of: dt.date, kind: str, path: str | None = None
) -> QuerySet[Member]:
    """Members whose membership of `kind` on `as_of` is in a cell under `org`, with their status on `as_of`
    (active statuses only). Annotated: `cell_id` (the cell of that membership), `status_on`."""
    cells = cells_under(user, org, as_of, path=path).values("org_id")
    return (
        Member.objects.annotate(
            ms=FilteredRelation(
                "memberships", condition=Q(memberships__kind=kind) & active_on(as_of, "memberships__")
            ),
            st=FilteredRelation("statuses", condition=active_on(as_of, "statuses__")),
        )
        .filter(ms__org_id__in=cells, st__status__in=ACTIVE_STATUSES)
        .annotate(cell_id=F("ms__org_id"), status_on=F("st__status"))
    )


def _search(qs: QuerySet[Member], q: str, status: str | None) -> QuerySet[Member]:
    if q and fold(q):
        qs = qs.filter(search_key__contains=fold(q))
    if status:
        qs = qs.filter(st__status=status)  # type: ignore[misc]  # the FilteredRelation of _placed
    return qs.order_by("sort_key", "id")


def members_under(
    user: Any, org: Organization, as_of: dt.date, *, q: str = "", status: str | None = None
) -> QuerySet[Member]:
    """The members counted under `org` on `as_of` (official membership in a cell under it), in Vietnamese order
    (given name first); `q` searches the name without accents ("nguyen van an" finds "Nguyễn Văn An"); `status`
    narrows to "official" or "probationary" on `as_of`. Each row carries `cell_id` and `status_on`."""
    return _search(_placed(user, org, as_of, Membership.Kind.OFFICIAL), q, status)


def attending_under(
    user: Any, org: Organization, as_of: dt.date, *, q: str = "", status: str | None = None
) -> QuerySet[Member]:
    """Members temporarily attending a cell under `org` on `as_of` (counted where they officially belong).
    `cell_id` is the host cell."""
    return _search(_placed(user, org, as_of, Membership.Kind.TEMPORARY), q, status)


# -------------------------------------------------------------------------------------------- recognition


@dataclass
class DueRecognition:
    """A probationary member whose probation has ended on `as_of`: due, or overdue past the threshold."""

    member: Member
    cell_id: int
    probation_end: dt.date
    days_past: int
    overdue: bool


def _probation_rules() -> list[RuleSet]:
    return list(RuleSet.objects.filter(code="MEM.PROBATION").order_by("-effective_from"))


def _probation_end(rules: list[RuleSet], joined_on: dt.date) -> dt.date:
    for r in rules:
        if r.effective_from <= joined_on and (r.effective_to is None or r.effective_to > joined_on):
            return add_months(joined_on, int(r.params["months"]))
    return add_months(joined_on, 12)


def due_recognitions(
    user: Any, org: Organization, as_of: dt.date, *, overdue_after_days: int = OVERDUE_AFTER_DAYS
) -> list[DueRecognition]:
    """Probationary members under `org` on `as_of` whose probation (MEM.PROBATION months from the joining date,
    by the rule in force then) has ended: due for the cell's recognition resolution; overdue when more than
    `overdue_after_days` days have passed since. Oldest first."""
    rules = _probation_rules()
    result = []
    for member in members_under(user, org, as_of, status=Status.PROBATIONARY):
        end = _probation_end(rules, member.joined_on)
        if end > as_of:
            continue
        days = (as_of - end).days
        result.append(
            DueRecognition(member, member.cell_id, end, days, days > overdue_after_days)  # type: ignore[attr-defined]
        )
    result.sort(key=lambda d: (d.probation_end, d.member.sort_key, d.member.pk))
    return result


# ---------------------------------------------------------------------------------------------- statistics


BREAKDOWNS: tuple[tuple[str, str], ...] = (
    ("by_gender", "Giới tính"),
    ("by_age_band", "Độ tuổi"),
    ("by_ethnicity", "Dân tộc"),
    ("by_religion", "Tôn giáo"),
    ("by_education", "Trình độ giáo dục phổ thông"),
    ("by_qualification", "Trình độ chuyên môn"),
    ("by_theory_level", "Lý luận chính trị"),
    ("by_occupation", "Nghề nghiệp"),
    ("by_party_age", "Tuổi đảng"),
)


@dataclass
class Statistics:
    """Counts of the members under an organization on a date, with the breakdowns of the statistical forms
    (label → count) and the movements over [period_from, as_of]."""

    org: Organization
    as_of: dt.date
    period_from: dt.date
    period: orgs_queries.Period | None
    total: int = 0
    official: int = 0
    probationary: int = 0
    by_gender: dict[str, int] = field(default_factory=dict)
    by_age_band: dict[str, int] = field(default_factory=dict)
    by_ethnicity: dict[str, int] = field(default_factory=dict)
    by_religion: dict[str, int] = field(default_factory=dict)
    by_education: dict[str, int] = field(default_factory=dict)
    by_qualification: dict[str, int] = field(default_factory=dict)
    by_theory_level: dict[str, int] = field(default_factory=dict)
    by_occupation: dict[str, int] = field(default_factory=dict)
    by_party_age: dict[str, int] = field(default_factory=dict)
    movements: dict[str, int] = field(default_factory=dict)

    @property
    def org_name(self) -> str:
        return self.period.name if self.period else self.org.code

    def breakdowns(self) -> list[tuple[str, str, dict[str, int]]]:
        """(key, Vietnamese title, label → count) in the order of the statistical forms."""
        return [(key, title, getattr(self, key)) for key, title in BREAKDOWNS]

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "org": self.org.code,
            "org_name": self.period.name if self.period else None,
            "as_of": self.as_of.isoformat(),
            "from": self.period_from.isoformat(),
            "exists": self.period is not None,
            "total": self.total,
            "official": self.official,
            "probationary": self.probationary,
        }
        for key, _title, values in self.breakdowns():
            data[key] = dict(values)
        data["movements"] = dict(self.movements)
        return data


def _zeroes(labels: Iterable[str]) -> dict[str, int]:
    return dict.fromkeys(labels, 0)


def _ordered(counts: Counter[str], order: Sequence[str]) -> dict[str, int]:
    """Counts in vocabulary order; labels not in the vocabulary after, then "Chưa cập nhật" last."""
    rank = {name: i for i, name in enumerate(order)}
    keys = sorted(counts, key=lambda k: (k == UNKNOWN, rank.get(k, len(rank)), k))
    return {k: counts[k] for k in keys if counts[k]}


def _names(model: Any) -> tuple[dict[int, str], list[str]]:
    rows = list(model.objects.order_by("order", "name").values_list("pk", "name"))
    return dict(rows), [name for _pk, name in rows]


def statistics(
    user: Any, org: Organization, as_of: dt.date, *, period_from: dt.date | None = None
) -> Statistics:
    """The statistics of the subtree of `org` as it stood on `as_of`: status, the breakdowns (attributes valid on
    `as_of`: statuses and profiles are dated rows), and the movements from `period_from` (default: 1 January of
    `as_of`'s year) to `as_of`, both included. Exited members are not counted; a temporary member is counted where
    they officially belong. The counts come from one grouped query."""
    start = period_from or dt.date(as_of.year, 1, 1)
    root = orgs_queries.period_on(org, as_of)
    stats = Statistics(org=org, as_of=as_of, period_from=start, period=root)
    stats.by_gender = _zeroes(Gender.labels)
    stats.by_age_band = _zeroes(label for label, _l, _h in AGE_BANDS)
    stats.by_theory_level = _zeroes(TheoryLevel.labels)
    stats.by_party_age = _zeroes(label for label, _l, _h in PARTY_AGE_BANDS)
    stats.movements = _zeroes(MOVEMENTS)
    if root is None:
        return stats
    counts = _breakdowns(
        _placed(user, org, as_of, Membership.Kind.OFFICIAL, root.path)
        .annotate(pr=FilteredRelation("profiles", condition=active_on(as_of, "profiles__")))
        .values(
            s=F("st__status"),
            g=F("gender"),
            age=_band_case("birth_date", AGE_BANDS, as_of),
            party=_band_case("joined_on", PARTY_AGE_BANDS, as_of),
            e=F("ethnicity_id"),
            r=F("religion_id"),
            edu=Coalesce(F("pr__education"), Value("")),
            qual=F("pr__qualification_id"),
            theory=Coalesce(F("pr__theory_level"), Value("")),
            occ=F("pr__occupation_id"),
        )
        .order_by()
    )
    ethnicities, ethnicity_order = _names(Ethnicity)
    religions, religion_order = _names(Religion)
    qualifications, qualification_order = _names(Qualification)
    occupations, occupation_order = _names(Occupation)
    genders = dict(Gender.choices)
    theories = dict(TheoryLevel.choices)
    for value, n in counts["s"].items():
        stats.total += n
        if value == Status.OFFICIAL:
            stats.official += n
        else:
            stats.probationary += n
    for value, n in counts["g"].items():
        gender = genders.get(value, UNKNOWN)
        stats.by_gender[gender] = stats.by_gender.get(gender, 0) + n
    for value, n in counts["age"].items():
        stats.by_age_band[value] += n
    for value, n in counts["party"].items():
        stats.by_party_age[value] += n
    for value, n in counts["theory"].items():
        theory = str(theories.get(value) or value)
        stats.by_theory_level[theory] = stats.by_theory_level.get(theory, 0) + n
    eth: Counter[str] = Counter()
    rel: Counter[str] = Counter()
    edu: Counter[str] = Counter()
    qual: Counter[str] = Counter()
    occ: Counter[str] = Counter()
    for target, key, names in (
        (eth, "e", ethnicities),
        (rel, "r", religions),
        (qual, "qual", qualifications),
        (occ, "occ", occupations),
    ):
        for value, n in counts[key].items():
            target[names.get(value, UNKNOWN)] += n
    for value, n in counts["edu"].items():
        edu[value or UNKNOWN] += n
    stats.by_ethnicity = _ordered(eth, ethnicity_order)
    stats.by_religion = _ordered(rel, religion_order)
    stats.by_education = _ordered(edu, sorted(edu, key=_education_rank))
    stats.by_qualification = _ordered(qual, qualification_order)
    stats.by_occupation = _ordered(occ, occupation_order)
    stats.movements = movements(user, org, start, as_of)
    return stats


_COLUMNS = ("s", "g", "age", "party", "e", "r", "edu", "qual", "theory", "occ")


def _breakdowns(rows: QuerySet[Any, Any]) -> dict[str, Counter[Any]]:
    """Count the rows of `rows` (a `.values()` query with the columns `_COLUMNS`) by each column separately.

    On PostgreSQL one scan with GROUPING SETS (one group per value of each column); on SQLite the rows are
    materialized once and grouped by each column there (SQLite has no GROUPING SETS: one GROUP BY over all the
    columns together gave a province's ~6,000 combinations to fold in Python, half the page's time); on an SQLite
    before 3.35 (no MATERIALIZED) that GROUP BY folded here. Each reads the rows once."""
    counts: dict[str, Counter[Any]] = {key: Counter() for key in _COLUMNS}
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 35):
        sql, params = rows.query.sql_with_params()
        each = " UNION ALL ".join(
            f"SELECT {i}, {column}, COUNT(*) FROM t GROUP BY {column}" for i, column in enumerate(_COLUMNS)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"WITH t AS MATERIALIZED ({sql}) {each}", params)
            for i, value, n in cursor.fetchall():
                counts[_COLUMNS[i]][value] += n
        return counts
    if connection.vendor == "postgresql":
        sql, params = rows.query.sql_with_params()
        cols = ", ".join(_COLUMNS)
        sets = ", ".join(f"({c})" for c in _COLUMNS)
        full = (1 << len(_COLUMNS)) - 1
        which = {full ^ (1 << (len(_COLUMNS) - 1 - i)): key for i, key in enumerate(_COLUMNS)}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT GROUPING({cols}), {cols}, COUNT(*) FROM ({sql}) t GROUP BY GROUPING SETS ({sets})",
                params,
            )
            for row in cursor.fetchall():
                key = which[row[0]]
                counts[key][row[1 + _COLUMNS.index(key)]] += row[-1]
        return counts
    for row in rows.annotate(n=Count("*")):
        n = row["n"]
        for key in _COLUMNS:
            counts[key][row[key]] += n
    return counts


def _education_rank(value: str) -> tuple[int, int, str]:
    """'12/12' before '10/10' before '9/12' (by years completed, then system)."""
    grade, _, system = value.partition("/")
    try:
        return (-int(grade), -int(system or 0), value)
    except ValueError:
        return (0, 0, value)


def movements(user: Any, org: Organization, start: dt.date, end: dt.date) -> dict[str, int]:
    """Movements of members under `org` between `start` and `end` (both included), by the dated rows:
    admitted (probationary from), recognised (official from), the exits, and official transfers in and out of the
    subtree (a move between two cells under `org` is neither; a transfer out of the system is a transfer out)."""
    result = _zeroes(MOVEMENTS)
    units = orgs_queries.periods_during(user, org, start, end).values("org_id")
    official = Membership.objects.filter(kind=Membership.Kind.OFFICIAL)
    # A status that starts on D counts under `org` if the member's official membership there covers D
    # (admission, recognition) or ends on D (an exit closes it that day).
    there = official.filter(
        member_id=OuterRef("member_id"),
        org_id__in=units,
        valid_from__lte=OuterRef("valid_from"),
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=OuterRef("valid_from")))
    for row in (
        MemberStatus.objects.filter(valid_from__gte=start, valid_from__lte=end)
        .filter(Exists(there))
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        key = _STATUS_MOVEMENT.get(row["status"])
        if key:
            result[key] += row["n"]
    inside = official.filter(org_id__in=units)
    # In: an official membership under `org` starting in the period, not continuing one under `org`, and not the
    # one opened at admission.
    before = inside.filter(member_id=OuterRef("member_id"), valid_to=OuterRef("valid_from"))
    earlier = official.filter(member_id=OuterRef("member_id"), valid_from__lt=OuterRef("valid_from"))
    result["transferred_in"] = (
        inside.filter(valid_from__gte=start, valid_from__lte=end)
        .exclude(Exists(before))
        .exclude(Q(valid_from=F("member__joined_on")) & ~Exists(earlier))
        .count()
    )
    # Out: an official membership under `org` ending in the period, not followed by one under `org`, and not
    # closed by an exit from the Party that day.
    after = inside.filter(member_id=OuterRef("member_id"), valid_from=OuterRef("valid_to"))
    exit_ = MemberStatus.objects.filter(
        member_id=OuterRef("member_id"),
        valid_from=OuterRef("valid_to"),
        status__in=[s for s in Status.values if s not in ACTIVE_STATUSES],
    )
    result["transferred_out"] = (
        inside.filter(valid_to__gte=start, valid_to__lte=end)
        .exclude(Exists(after))
        .exclude(Exists(exit_))
        .count()
    )
    return result
