"""Evaluation rules at their boundaries: schemes by date, not evaluated, caps, quota, roll-up, score; the override
needing a justification; reconsideration keeping before → after; self-assessment rights."""

from __future__ import annotations

import pytest

from coso.accounts.models import User
from coso.accounts.services import grant_role
from coso.core.errors import DomainError
from coso.evaluation import services as ev
from coso.evaluation.models import EntryState, Evaluation, PeriodState, Reconsideration
from coso.members import services as m
from coso.members.models import Discipline, MemberFlag
from tests.members.test_services import admit

from .helpers import D, entry, level, members, official, open_year


def codes(findings):
    return sorted({f.rule.code for f in findings})


@pytest.mark.parametrize(
    ("on", "scheme", "source"),
    [
        (D(2017, 12, 31), "TRUOC_2018", "Ban Tổ chức Trung ương"),
        (D(2018, 3, 7), "TRUOC_2018", "Ban Tổ chức Trung ương"),
        (D(2018, 3, 8), "BON_MUC", "132-QĐ/TW"),
        (D(2023, 12, 31), "BON_MUC", "124-QĐ/TW"),
        (D(2024, 12, 31), "BON_MUC", "124-QĐ/TW"),
        (D(2025, 12, 31), "QD366", "366-QĐ/TW"),
    ],
)
def test_scheme_chosen_by_the_period_end(db, on, scheme, source):
    found, ruleset = ev.scheme_on(on)
    assert found.code == scheme and source in ruleset.source


def test_period_shows_its_scheme_and_subjects(tree):
    a = official(tree["C1"], "Nguyễn Văn An")
    period = open_year(tree["X1"], 2017)
    assert period.scheme.code == "TRUOC_2018" and period.ruleset.code == "EVAL.SCHEME"
    subjects = {(e.subject, e.org.code, e.member_id) for e in period.entries.select_related("org")}
    assert subjects == {("org", "C1", None), ("org", "C2", None), ("org", "C3", None), ("member", "C1", a.pk)}
    with pytest.raises(DomainError) as e:  # one annual result a year
        open_year(tree["X1"], 2017)
    assert e.value.rule.code == "EVAL.DUPLICATE"
    with pytest.raises(DomainError) as e:  # quarters only from Quy định 366
        ev.open_period(
            None, tree["X1"], ev.PeriodInput(kind="quarter", date_from=D(2024, 1, 1), date_to=D(2024, 3, 31))
        )
    assert e.value.rule.code == "EVAL.SCHEME"
    q = ev.open_period(
        None, tree["X1"], ev.PeriodInput(kind="quarter", date_from=D(2025, 10, 1), date_to=D(2025, 12, 31))
    )
    assert q.scheme.code == "QD366" and [c["points"] for c in q.criteria] == [30, 70]


def test_not_evaluated_reasons(tree):
    c1 = tree["C1"]
    exempt = official(c1, "Người Miễn")
    m.set_flag(None, exempt, kind=MemberFlag.Kind.EXEMPT, on=D(2024, 5, 1))
    suspended = official(c1, "Người Đình Chỉ")
    m.set_flag(None, suspended, kind=MemberFlag.Kind.SUSPENDED, on=D(2024, 12, 31))
    six = admit(c1, name="Đủ Sáu Tháng", joined=D(2024, 7, 1))  # 01/07 → 01/01: 6 whole months
    short = admit(c1, name="Chưa Đủ", joined=D(2024, 7, 2))
    ended = official(c1, "Hết Miễn")
    m.set_flag(None, ended, kind=MemberFlag.Kind.EXEMPT, on=D(2024, 1, 1))
    m.end_flag(None, ended, kind=MemberFlag.Kind.EXEMPT, on=D(2024, 12, 31))
    period = open_year(tree["X1"], 2024)
    state = {
        e.member.full_name: (e.state, e.not_evaluated_reason) for e in period.entries.filter(subject="member")
    }
    assert state["Người Miễn"][0] == EntryState.NOT_EVALUATED and "Miễn sinh hoạt" in state["Người Miễn"][1]
    assert state["Người Đình Chỉ"][0] == EntryState.NOT_EVALUATED and "Đình chỉ" in state["Người Đình Chỉ"][1]
    assert state["Chưa Đủ"][0] == EntryState.NOT_EVALUATED and "02/07/2024" in state["Chưa Đủ"][1]
    assert state["Đủ Sáu Tháng"][0] == EntryState.PENDING
    assert state["Hết Miễn"][0] == EntryState.PENDING
    assert six and short
    with pytest.raises(DomainError):
        ev.submit_self_assessment(None, entry(period, member=exempt), comment="x")


def _quota_world(tree, best: int, good: int):
    people = members(tree["C1"], best + good)
    period = open_year(tree["X1"])
    xs, tot = level(period, "HTXSNV"), level(period, "HTTNV")
    proposals = {entry(period, member=p).pk: (xs if i < best else tot) for i, p in enumerate(people)}
    return period, proposals


@pytest.mark.parametrize(
    ("best", "good", "warned"),
    [(1, 10, False), (2, 10, False), (3, 10, True), (0, 0, False), (1, 4, True), (1, 5, False)],
)
def test_quota_boundary(tree, best, good, warned):
    period, proposals = _quota_world(tree, best, good)
    findings = ev.check(period, proposals)
    quota = [e for e, fs in findings.items() if "EVAL.QUOTA" in codes(fs)]
    assert bool(quota) is warned
    if warned:
        assert len(quota) == best
        message = findings[quota[0]][0].message
        assert "Quy định 132-QĐ/TW" in findings[quota[0]][0].rule.source and "vượt 20%" in message


def test_quota_counts_within_each_grassroots_organization(tree):
    a = members(tree["C1"], 1, "X1")  # X1: 1 HTXSNV, no HTTNV → over
    b = members(tree["C4"], 6, "X2")  # X2: 1 HTXSNV, 5 HTTNV → at the limit
    period = open_year(tree["T"])
    xs, tot = level(period, "HTXSNV"), level(period, "HTTNV")
    proposals = {entry(period, member=a[0]).pk: xs}
    proposals |= {entry(period, member=p).pk: (xs if i == 0 else tot) for i, p in enumerate(b)}
    findings = ev.check(period, proposals)
    assert [e for e, fs in findings.items() if "EVAL.QUOTA" in codes(fs)] == [entry(period, member=a[0]).pk]


@pytest.mark.parametrize(
    ("decided_on", "self_found", "capped"),
    [
        (D(2024, 1, 1), False, True),
        (D(2024, 12, 31), False, True),
        (D(2023, 12, 31), False, False),
        (D(2024, 6, 1), True, False),
    ],
)
def test_member_cap_discipline_in_the_period(tree, decided_on, self_found, capped):
    a = official(tree["C1"], "Nguyễn Văn An")
    m.record_discipline(
        None,
        a,
        form=Discipline.Form.REPRIMAND,
        violation_on=D(2023, 12, 1),
        decided_on=decided_on,
        deciding_body="Chi bộ",
        self_found=self_found,
    )
    period = open_year(tree["X1"])
    e = entry(period, member=a)
    findings = ev.check(period, {e.pk: level(period, "HTNV")})
    assert ("EVAL.MEMBER_CAP" in codes(findings.get(e.pk, []))) is capped
    assert not ev.check(period, {e.pk: level(period, "KHTNV")}).get(e.pk)


@pytest.mark.parametrize(
    ("facts", "capped"),
    [
        ({"targets_met_pct": 50}, False),
        ({"targets_met_pct": 49.9}, True),
        ({"subunits_disciplined": 1, "subunits_total": 5}, False),
        ({"subunits_disciplined": 2, "subunits_total": 9}, True),
        ({"leadership_disciplined": True}, True),
    ],
)
def test_org_cap_boundaries(tree, facts, capped):
    period = open_year(tree["H1"])
    x1 = entry(period, org=tree["X1"])
    ev.record_facts(None, x1, facts)
    findings = ev.check(period, {x1.pk: level(period, "HTTNV", "org")})
    assert ("EVAL.ORG_CAP" in codes(findings.get(x1.pk, []))) is capped


def test_subunits_total_defaults_to_the_sub_organizations(tree):
    period = open_year(tree["H1"])
    x1 = ev.record_facts(None, entry(period, org=tree["X1"]), {"subunits_disciplined": 1})
    assert x1.facts == {"subunits_disciplined": 1, "subunits_total": 3}


@pytest.mark.parametrize(
    ("levels", "warned"),
    [
        (["HTTNV"] * 4 + ["HTNV"], False),  # 80% HTTNV, 100% HTNV: at the limit
        (["HTTNV"] * 3 + ["HTNV"] * 2, True),  # 60% HTTNV
        (["HTTNV"] * 4 + ["KHTNV"], True),  # 80% HTNV or better
        (["HTXSNV"] * 5, False),
    ],
)
def test_rollup_of_a_cell(tree, levels, warned):
    people = members(tree["C1"], len(levels))
    period = open_year(tree["X1"])
    cell = entry(period, org=tree["C1"])
    proposals = {
        entry(period, member=p).pk: level(period, code) for p, code in zip(people, levels, strict=True)
    }
    proposals[cell.pk] = level(period, "HTXSNV", "org")
    findings = ev.check(period, proposals, only=[cell.pk])
    assert ("EVAL.ROLLUP" in codes(findings.get(cell.pk, []))) is warned


def test_rollup_of_a_committee_over_its_sub_organizations(tree):
    period = open_year(tree["H1"])
    org = lambda code: level(period, code, "org")  # noqa: E731
    x1 = entry(period, org=tree["X1"])
    cells = [entry(period, org=tree[c]) for c in ("C1", "C2", "C3")]
    ok = {
        x1.pk: org("HTXSNV"),
        cells[0].pk: org("HTTNV"),
        cells[1].pk: org("HTTNV"),
        cells[2].pk: org("HTTNV"),
    }
    assert not ev.check(period, ok, only=[x1.pk])
    bad = ok | {cells[2].pk: org("HTNV")}  # 2/3 HTTNV < 80%
    assert codes(ev.check(period, bad, only=[x1.pk])[x1.pk]) == ["EVAL.ROLLUP"]


def test_override_needs_a_justification_and_keeps_the_warnings(tree):
    a = official(tree["C1"], "Nguyễn Văn An")
    m.record_discipline(
        None,
        a,
        form=Discipline.Form.REPRIMAND,
        violation_on=D(2024, 2, 1),
        decided_on=D(2024, 3, 1),
        deciding_body="Chi bộ",
    )
    b = official(tree["C1"], "Trần Thị Bình")
    period = open_year(tree["X1"])
    ea, eb = entry(period, member=a), entry(period, member=b)
    ev.review(None, ea, level=level(period, "HTTNV"), comment="Tốt", votes_for=2, votes_against=0)
    with pytest.raises(DomainError) as e:  # deciding before the review step
        ev.decide(None, period, [ev.DecisionInput(eb, level(period, "HTTNV"))])
    assert e.value.rule.code == "EVAL.STATE"
    ev.advance(None, period, PeriodState.REVIEWING)
    batch = [ev.DecisionInput(ea, level(period, "HTTNV")), ev.DecisionInput(eb, level(period, "HTTNV"))]
    with pytest.raises(ev.DecisionRefused) as refused:
        ev.decide(None, period, batch)
    assert refused.value.rule.code == "EVAL.OVERRIDE"
    assert [r.entry_id for r in refused.value.refusals] == [ea.pk]
    assert "EVAL.MEMBER_CAP" in str(refused.value) and "Quy định 132-QĐ/TW" in str(refused.value)
    assert not Evaluation.objects.filter(state=EntryState.DECIDED).exists()
    batch[0].justification = "Kỷ luật đã được xóa theo quyết định 5-QĐ/ĐU"
    ev.decide(None, period, batch, on=D(2025, 1, 10))
    ea.refresh_from_db()
    assert ea.state == EntryState.DECIDED and ea.level.code == "HTTNV" and ea.rank == 2
    assert [w["rule"] for w in ea.warnings] == ["EVAL.MEMBER_CAP"] and ea.justification.startswith("Kỷ luật")
    assert ea.history.count() >= 3
    with pytest.raises(DomainError) as e:  # a decided result changes only by reconsideration
        ev.decide(None, period, [ev.DecisionInput(ea, level(period, "KHTNV"))])
    assert e.value.rule.code == "EVAL.RECONSIDER"


def test_reconsideration_keeps_before_and_after(tree):
    a = official(tree["C1"], "Nguyễn Văn An")
    period = open_year(tree["X1"])
    ea = entry(period, member=a)
    ev.advance(None, period, PeriodState.REVIEWING)
    with pytest.raises(DomainError) as e:  # publishing with subjects undecided
        ev.publish(None, period)
    assert "chưa được quyết định" in e.value.message
    ev.decide(
        None,
        period,
        [ev.DecisionInput(e, level(period, "HTNV")) for e in period.entries.all() if e.subject == "member"],
    )
    for org_entry in period.entries.filter(subject="org"):
        ev.decide(None, period, [ev.DecisionInput(org_entry, level(period, "HTTNV", "org"))])
    ev.publish(None, period, on=D(2025, 1, 20))
    with pytest.raises(DomainError):
        ev.reconsider(
            None,
            ea,
            level=level(period, "HTTNV"),
            number="",
            decided_on=D(2025, 3, 1),
            body="Đảng ủy",
            reason="x",
        )
    row = ev.reconsider(
        None,
        ea,
        level=level(period, "HTTNV"),
        number="15-QĐ/ĐU",
        decided_on=D(2025, 3, 1),
        body="Đảng ủy xã An Lạc",
        reason="Bổ sung kết quả công tác",
    )
    ea.refresh_from_db()
    assert (row.level_before.code, row.level_after.code, ea.level.code, ea.rank) == (
        "HTNV",
        "HTTNV",
        "HTTNV",
        2,
    )
    assert Reconsideration.objects.count() == 1
    before = ea.history.order_by("history_date", "history_id").last().prev_record
    assert before is not None and before.level_id == level(period, "HTNV").pk


def test_self_assessment_by_the_member_only(tree):
    a = official(tree["C1"], "Nguyễn Văn An")
    b = official(tree["C1"], "Trần Thị Bình")
    user = User.objects.create_user("an", password="mat-khau-dai-123")
    other = User.objects.create_user("khac", password="mat-khau-dai-123")
    ev.link_account(None, user, a)
    period = open_year(tree["X1"])
    e = ev.submit_self_assessment(
        user, entry(period, member=a), comment="Hoàn thành tốt", level=level(period, "HTTNV")
    )
    assert e.state == EntryState.SELF_ASSESSED and e.self_by == user
    with pytest.raises(DomainError) as err:
        ev.submit_self_assessment(user, entry(period, member=b), comment="x")
    assert err.value.rule.code == "EVAL.SELF"
    with pytest.raises(DomainError):
        ev.submit_self_assessment(other, entry(period, member=a), comment="x")
    secretary = User.objects.create_user("bithu", password="mat-khau-dai-123")
    grant_role(None, user=secretary, role="cell_secretary", org=tree["C1"])
    ev.submit_self_assessment(secretary, entry(period, member=b), comment="Ghi thay")
    with pytest.raises(DomainError):  # a level of another scheme / subject
        ev.submit_self_assessment(user, entry(period, member=a), level=level(period, "HTTNV", "org"))


def test_scored_scheme_checks_the_score(tree):
    a = official(tree["C1"], "Nguyễn Văn An")
    period = open_year(tree["X1"], 2025)
    assert period.scheme.code == "QD366"
    e = entry(period, member=a)
    with pytest.raises(DomainError):
        ev.submit_self_assessment(None, e, scores={"general": 31, "tasks": 60})
    ev.submit_self_assessment(None, e, scores={"general": 25, "tasks": 64})  # 89
    findings = ev.check(period, {e.pk: level(period, "HTXSNV")})
    score = [f for f in findings[e.pk] if f.rule.code == "EVAL.SCORE"]
    assert len(score) == 1 and "89 điểm" in score[0].message and "366-QĐ/TW" in score[0].rule.source
    assert not ev.check(period, {e.pk: level(period, "HTTNV")}).get(e.pk)
    ev.review(
        None, e, level=level(period, "HTXSNV"), scores={"general": 26, "tasks": 64}
    )  # 90: at the threshold
    assert "EVAL.SCORE" not in codes(ev.check(period).get(e.pk, []))


@pytest.mark.parametrize(
    ("total", "best_allowed"),
    [(90, "HTXSNV"), (89, "HTTNV"), (70, "HTTNV"), (69, "HTNV"), (50, "HTNV"), (49, "KHTNV")],
)
def test_score_thresholds_at_and_just_under(tree, total, best_allowed):
    """QĐ 366 (2025): 90 / 70 / 50 points; the level allowed by the score is fine, one rank better warns."""
    order = ["HTXSNV", "HTTNV", "HTNV", "KHTNV"]
    a = official(tree["C1"], "Nguyễn Văn An")
    period = open_year(tree["X1"], 2025)
    e = entry(period, member=a)
    ev.submit_self_assessment(None, e, scores={"general": min(total, 30), "tasks": total - min(total, 30)})
    assert "EVAL.SCORE" not in codes(ev.check(period, {e.pk: level(period, best_allowed)}).get(e.pk, []))
    better = order.index(best_allowed) - 1
    if better >= 0:
        findings = ev.check(period, {e.pk: level(period, order[better])})[e.pk]
        assert [f for f in findings if f.rule.code == "EVAL.SCORE" and f"{total} điểm" in f.message]
