"""The demo evaluation results: 2016–2024 through the importer's write path (history kept) with the real mix of
levels and seed 000's commune story, and an open 2025 period with some of the work done."""

import datetime as dt

from coso.accounts import demo as accounts_demo
from coso.accounts.models import User
from coso.evaluation import demo as evaluation_demo
from coso.evaluation import queries as q
from coso.evaluation.models import Evaluation, EvaluationPeriod, PeriodKind
from coso.members import demo as members_demo
from coso.orgs import demo as orgs_demo
from coso.orgs.models import Organization

D = dt.date


def test_demo_evaluation(db):
    quiet = lambda _m: None  # noqa: E731
    assert orgs_demo.load(log=quiet)
    assert accounts_demo.load(log=quiet)
    assert members_demo.load(log=quiet)
    assert evaluation_demo.load(log=quiet)
    assert not evaluation_demo.load(log=quiet)
    admin = User.objects.get(username="admin")
    province = Organization.objects.get(code="SL")
    imported = EvaluationPeriod.objects.filter(kind=PeriodKind.IMPORTED)
    assert sorted(imported.values_list("year", flat=True)) == list(range(2016, 2025))
    assert Evaluation.history.count() >= Evaluation.objects.count()  # type: ignore[attr-defined]
    old = q.results(admin, province, 2016)
    assert old.scheme.code == "TRUOC_2018" and "Trong sạch vững mạnh" in old.organizations
    r = q.results(admin, province, 2024)
    assert r.scheme.code == "BON_MUC" and r.members_not_evaluated_total > 0
    members, orgs = r.members_by_rank, r.organizations_by_rank
    total = sum(members.values())
    assert total > 1000
    assert (
        0.06 < members[1] / total < 0.14 and 0.7 < members[2] / total < 0.9 and 0 < members[4] / total < 0.03
    )
    assert members[1] * 100 <= 20 * members[2]  # within the quota overall
    assert orgs[2] > orgs[1] > 0 and orgs[2] > orgs[3]
    # seed 000: one commune committee not completing its tasks in 2016, HTTNV or better 2017–2020
    story = evaluation_demo.EvaluationDemo(quiet).story_commune()
    assert story is not None
    ranks = {t.year: t.rank for t in q.trends(admin, story, 2016, 2020)}
    assert ranks[2016] == 4 and all(ranks[y] <= 2 for y in range(2017, 2021))
    assert any(u["org"] == story.code for u in q.weak_units(admin, province, 2016))
    # 2025: open, some self-assessed and reviewed, some not
    period = EvaluationPeriod.objects.get(kind=PeriodKind.YEAR, year=2025)
    assert period.scheme.code == "QD366" and period.state == "reviewing"
    progress = q.progress(admin, period, D(2026, 1, 5)).as_json()
    states = progress["by_state"]
    assert (
        states["Đã tự đánh giá"] > 0 and states["Đã nhận xét, đề xuất"] > 0 and states["Chưa tự đánh giá"] > 0
    )
    assert any(
        line.findings or line.entry.proposed_level for line in q.decision_sheet(admin, period, meetings=False)
    )
