"""What the writes and the reads of evaluation both need (so the queries never import the services): the scheme
of classification in force on a date and its levels, why a member is not evaluated, and every rule the proposals
of a period break (the checks a decision must pass and the decision page shows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db.models import Q

from coso.core.dates import active_on, add_months, format_date, months_between
from coso.core.models import RuleSet
from coso.core.rules import rule_in_force
from coso.core.text import nfc
from coso.members.models import Discipline, Member, MemberFlag
from coso.orgs import queries as orgs_queries
from coso.orgs.models import SEGMENT

from . import rules
from .models import EntryState, EvaluationPeriod, Level, Scheme, Subject
from .rules import Finding, RuleBook


def scheme_on(as_of: dt.date) -> tuple[Scheme, RuleSet]:
    """The scheme in force on `as_of` (the period's last day) and the EVAL.SCHEME version that chose it."""
    ruleset = rule_in_force(rules.SCHEME, as_of)
    return Scheme.objects.get(code=ruleset.params["scheme"]), ruleset


def levels_of(scheme: Scheme, subject: str) -> list[Level]:
    """The levels of `scheme` for organizations or members, best first."""
    return list(Level.objects.filter(scheme=scheme, subject=subject).order_by("rank"))


def find_level(scheme: Scheme, subject: str, text: str) -> Level | None:
    """The level of `scheme` named `text` (its name or its code, NFC, case-insensitive)."""
    key = nfc(text).casefold()
    for level in levels_of(scheme, subject):
        if key in (nfc(level.name).casefold(), level.code.casefold()):
            return level
    return None


def not_evaluated_reasons(
    member_ids: Iterable[int], date_to: dt.date, book: RuleBook | None = None
) -> dict[int, str]:
    """Why members are not evaluated in a period ending `date_to` (EVAL.NOT_EVALUATED in force then): exempt
    from activities or suspended on `date_to`, or admitted less than `min_months_since_admission` whole months
    before the day after the period's end (admitted 01/07 is evaluated for the year ending 31/12; 02/07 is not)."""
    book = book or RuleBook(date_to)
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    rule = book.rule(rules.NOT_EVALUATED)
    params = book.get(rules.NOT_EVALUATED).params
    kinds = [
        k
        for k, on in (
            (MemberFlag.Kind.EXEMPT, params.get("exempt")),
            (MemberFlag.Kind.SUSPENDED, params.get("suspended")),
        )
        if on
    ]
    reasons: dict[int, str] = {}
    labels: dict[str, str] = {
        MemberFlag.Kind.EXEMPT: "Miễn sinh hoạt",
        MemberFlag.Kind.SUSPENDED: "Đình chỉ sinh hoạt",
    }
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        if kinds:
            for member_id, kind in (
                MemberFlag.objects.filter(active_on(date_to), member_id__in=chunk, kind__in=kinds)
                .order_by("member_id", "kind")
                .values_list("member_id", "kind")
            ):
                reasons.setdefault(member_id, f"{labels[kind]} (theo {rule.source})")
        months = params.get("min_months_since_admission")
        if months:
            after = date_to + dt.timedelta(days=1)
            for member_id, joined in Member.objects.filter(
                pk__in=chunk, joined_on__gt=add_months(after, -int(months))
            ).values_list("pk", "joined_on"):
                if member_id not in reasons and months_between(joined, after) < int(months):
                    reasons[member_id] = (
                        f"Vào Đảng ngày {format_date(joined)}, chưa đủ {months} tháng đến hết kỳ (theo {rule.source})"
                    )
    return reasons


def _labels(period: EvaluationPeriod) -> tuple[dict[int, tuple[str, bool]], dict[int, str]]:
    """(org id → (name, is cell) on the period's last day), (member id → name) for the period's entries."""
    root = orgs_queries.path_on(period.org, period.date_to) or ""
    orgs = {
        org_id: (name, is_cell)
        for org_id, name, is_cell in orgs_queries.placements(period.date_to, within=root).values_list(
            "org_id", "name", "kind__is_cell"
        )
    }
    members = dict(
        Member.objects.filter(
            pk__in=period.entries.filter(subject=Subject.MEMBER).values("member_id")
        ).values_list("pk", "full_name")
    )
    return orgs, members


def subjects(
    period: EvaluationPeriod, proposals: Mapping[int, Level | None] | None = None
) -> list[rules.Subject]:
    """The period's entries as the checks see them, each with the rank proposed now: `proposals` (entry id →
    level) first, then the decided level, then the review's proposal."""
    proposals = proposals or {}
    orgs, members = _labels(period)
    disciplined = set(
        Discipline.objects.filter(
            member_id__in=period.entries.filter(subject=Subject.MEMBER).values("member_id"),
            decided_on__gte=period.date_from,
            decided_on__lte=period.date_to,
            self_found=False,
        ).values_list("member_id", flat=True)
    )
    result = []
    for e in period.entries.select_related("level", "proposed_level").order_by("path", "id"):
        if e.pk in proposals:
            chosen = proposals[e.pk]
            rank = chosen.rank if chosen is not None else None
        elif e.level is not None:
            rank = e.level.rank
        else:
            rank = e.proposed_level.rank if e.proposed_level is not None else None
        name, is_cell = orgs.get(e.org_id, (str(e.org_id), False))
        label = members.get(e.member_id or 0, "") if e.subject == Subject.MEMBER else name
        result.append(
            rules.Subject(
                entry_id=e.pk,
                subject=e.subject,
                path=e.path,
                rank=rank,
                label=f"Đồng chí {label}" if e.subject == Subject.MEMBER else label,
                is_cell=is_cell and e.subject == Subject.ORG,
                is_grassroots=e.is_grassroots,
                facts=e.facts,
                scores=e.scores,
                disciplined=e.member_id in disciplined,
                evaluated=e.state != EntryState.NOT_EVALUATED,
            )
        )
    return result


def grassroots_of(period: EvaluationPeriod) -> dict[str, str]:
    """Path → name of the grassroots organizations (TCCSĐ) on the period's last day that hold the period's root or
    lie under it: the groups of the quota."""
    on = period.date_to
    root = orgs_queries.path_on(period.org, on) or ""
    above = [root[:i] for i in range(SEGMENT, len(root) + 1, SEGMENT)]
    return dict(
        orgs_queries.placements(on)
        .filter(kind__is_grassroots=True)
        .filter(Q(path__in=above) | orgs_queries.under(root))
        .values_list("path", "name")
    )


def check(
    period: EvaluationPeriod,
    proposals: Mapping[int, Level | None] | None = None,
    *,
    only: Iterable[int] | None = None,
) -> dict[int, list[Finding]]:
    """Every rule the proposals of `period` break (entry id → findings), judged by the rules in force on the
    period's last day, with `proposals` (entry id → level) in place of the recorded ones. The quota and the
    roll-up count the whole period. `only`: report the findings of these entries only."""
    book = RuleBook(period.date_to)
    return rules.check(
        book,
        subjects(period, proposals),
        scored=period.scheme.scored,
        grassroots=grassroots_of(period),
        only=set(only) if only is not None else None,
    )
