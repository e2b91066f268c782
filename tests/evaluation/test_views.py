"""The evaluation pages: each renders and shows the numbers of the queries; each form writes through the service
or refuses (the error next to its field, the input kept) writing nothing; the downloads open."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from coso.accounts.models import User
from coso.accounts.services import grant_role
from coso.core.text import fold
from coso.evaluation import queries as q
from coso.evaluation import services as ev
from coso.evaluation.models import EntryState, Evaluation, EvaluationPeriod, PeriodState, Reconsideration

from .helpers import D, entry, level, members, open_year, xlsx

PASSWORD = "mat-khau-dai-123"


@pytest.fixture
def commission(tree):
    user = User.objects.create_user("bantochuc", password=PASSWORD)
    grant_role(None, user=user, role="org_commission", org=tree["X1"])
    return user


@pytest.fixture
def client_c(client, commission):
    client.force_login(commission)
    return client


def _history() -> int:
    return Evaluation.history.count()  # type: ignore[attr-defined]


def test_index_lists_the_periods_in_scope(tree, client_c):
    open_year(tree["X1"], 2024)
    open_year(tree["X2"], 2024)
    body = client_c.get(reverse("evaluation:index")).content.decode()
    assert "Đảng bộ xã An Lạc" in body and "Bình Minh" not in body


def test_open_period_shows_the_rules_and_refuses_writing_nothing(tree, client_c):
    url = reverse("evaluation:open", kwargs={"code": "X1"})
    page = client_c.get(url).content.decode()
    assert "366-QĐ/TW" in page and "132-QĐ/TW" in page  # the versions by date
    r = client_c.post(url, {"kind": "year", "year": "2024", "subjects": ["members", "cells"]})
    period = EvaluationPeriod.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("evaluation:period", kwargs={"pk": period.pk})
    assert period.scheme.code == "BON_MUC" and period.entries.filter(subject="org").count() == 3
    # the same year again: DomainError next to "year", the input kept, nothing written
    r = client_c.post(url, {"kind": "year", "year": "2024", "title": "Lần hai", "subjects": ["members"]})
    body = r.content.decode()
    assert r.status_code == 200 and "EVAL.DUPLICATE" in body and 'value="Lần hai"' in body
    assert EvaluationPeriod.objects.count() == 1
    # a quarter needs its dates; a bad date is refused by the form
    r = client_c.post(url, {"kind": "quarter", "date_from": "31/02/2025", "subjects": ["members"]})
    assert r.status_code == 200 and "dd/mm/yyyy" in r.content.decode()
    assert EvaluationPeriod.objects.count() == 1


def test_period_page_shows_progress(tree, client_c, commission):
    people = members(tree["C1"], 3)
    period = open_year(tree["X1"])
    ev.submit_self_assessment(None, entry(period, member=people[0]), comment="Tốt")
    r = client_c.get(reverse("evaluation:period", kwargs={"pk": period.pk}))
    body = r.content.decode()
    progress = q.progress(commission, period)
    assert progress.by_state["Đã tự đánh giá"] == 1
    for label, n in progress.by_state.items():
        assert f'<td>{label}</td><td class="num">{n}</td>' in body
    assert people[1].full_name in body and "Chưa tự đánh giá (5)" in body  # 2 members + 3 cells


def test_period_page_shows_the_entries_a_page_at_a_time_found_by_name_or_state(tree, client_c):
    # a province period has thousands of entries: the page shows 50 at a time, the counts stay whole
    people = members(tree["C1"], 55)
    period = open_year(tree["X1"])
    ev.submit_self_assessment(None, entry(period, member=people[0]), comment="Tốt")
    url = reverse("evaluation:period", kwargs={"pk": period.pk})
    body = client_c.get(url).content.decode()
    rows = body.split('id="member-entries"')[1].split("</table>")[0]
    assert rows.count("<tr>") == 1 + 50  # the header, then a page
    assert "Đảng viên (55)" in body and "Trang 1 / 2" in body
    assert "Chưa tự đánh giá (57)" in body and "Xem tất cả 57" in body  # 54 members + 3 cells
    second = (
        client_c.get(url, {"page": 2}).content.decode().split('id="member-entries"')[1].split("</table>")[0]
    )
    assert second.count("<tr>") == 1 + 5
    # found by name without accents, and by how far they got
    name = people[7].full_name
    found = client_c.get(url, {"q": fold(name).upper()}).content.decode()
    assert name in found.split('id="member-entries"')[1] and "phù hợp" in found
    done = client_c.get(url, {"state": "self_assessed"}).content.decode().split('id="member-entries"')[1]
    assert people[0].full_name in done and people[1].full_name not in done
    assert "Không có đảng viên nào phù hợp" in client_c.get(url, {"q": "khong-co-ai"}).content.decode()


def test_member_self_assessment_on_their_own_page(tree, client):
    a, b = members(tree["C1"], 2)
    user = User.objects.create_user("dangvien", password=PASSWORD)
    ev.link_account(None, user, a)
    period = open_year(tree["X1"])
    client.force_login(user)
    assert a.full_name in client.get(reverse("evaluation:mine")).content.decode()
    mine, other = entry(period, member=a), entry(period, member=b)
    assert client.get(reverse("evaluation:entry", kwargs={"pk": other.pk})).status_code == 404
    url = reverse("evaluation:entry", kwargs={"pk": mine.pk})
    assert client.get(url).status_code == 200
    # a review by the member is refused (404), nothing written
    before = _history()
    r = client.post(url, {"action": "review", "review-level": level(period, "HTXSNV").pk})
    assert r.status_code == 404 and _history() == before
    r = client.post(
        url,
        {
            "action": "self",
            "self-comment": "Hoàn thành tốt nhiệm vụ",
            "self-level": level(period, "HTTNV").pk,
            "self-version": mine.version,
        },
    )
    assert r.status_code == 302
    mine.refresh_from_db()
    assert mine.state == EntryState.SELF_ASSESSED and mine.self_level.code == "HTTNV" and mine.self_by == user
    # a stale edit is caught: the message shown, the input kept, nothing written
    before = _history()
    r = client.post(url, {"action": "self", "self-comment": "Sửa lại", "self-version": mine.version - 1})
    body = r.content.decode()
    assert r.status_code == 200 and "vừa được người khác thay đổi" in body and "Sửa lại" in body
    assert _history() == before


def test_cell_review_refuses_too_many_votes(tree, client_c):
    people = members(tree["C1"], 3)
    period = open_year(tree["X1"])
    e = entry(period, member=people[0])
    url = reverse("evaluation:entry", kwargs={"pk": e.pk})
    before = _history()
    data = {
        "action": "review",
        "review-level": level(period, "HTTNV").pk,
        "review-comment": "Gương mẫu",
        "review-votes_for": "5",
        "review-votes_against": "0",
        "review-version": e.version,
    }
    r = client_c.post(url, data)
    body = r.content.decode()
    assert r.status_code == 200 and "EVAL.VOTES" in body and "Gương mẫu" in body and _history() == before
    r = client_c.post(url, {**data, "review-votes_for": "3"})
    assert r.status_code == 302
    e.refresh_from_db()
    assert (e.state, e.proposed_level.code, e.votes_for) == (EntryState.REVIEWED, "HTTNV", 3)


def _decision_world(tree):
    people = members(tree["C1"], 3)
    period = open_year(tree["X1"])
    for i, p in enumerate(people):
        ev.review(None, entry(period, member=p), level=level(period, "HTXSNV" if i == 0 else "HTNV"))
    ev.advance(None, period, PeriodState.REVIEWING)
    return people, period


def test_bulk_decision_needs_a_justification_for_each_warning(tree, client_c, commission):
    people, period = _decision_world(tree)
    url = reverse("evaluation:decide", kwargs={"pk": period.pk})
    page = client_c.get(url).content.decode()
    sheet = q.decision_sheet(commission, period)
    warned = [line for line in sheet if line.findings]
    assert [line.entry.member_id for line in warned] == [people[0].pk]
    assert "EVAL.QUOTA" in page and "vượt 20%" in page
    assert "Sinh hoạt thường kỳ" in page  # the cells' meeting facts beside their lines
    data = {}
    for line in sheet:
        e = line.entry
        data[f"level-{e.pk}"] = str((e.proposed_level or level(period, "HTTNV", "org")).pk)
        data[f"version-{e.pk}"] = str(e.version)
    before = _history()
    r = client_c.post(url, data)
    body = r.content.decode()
    assert r.status_code == 200 and "Chưa ghi gì" in body and "refusal" in body and _history() == before
    assert not Evaluation.objects.filter(state=EntryState.DECIDED).exists()
    data[f"justification-{entry(period, member=people[0]).pk}"] = "Có thành tích đột xuất được tỉnh khen"
    r = client_c.post(url, data)
    assert r.status_code == 302
    first = entry(period, member=people[0])
    assert first.state == EntryState.DECIDED and first.level.code == "HTXSNV"
    assert [w["rule"] for w in first.warnings] == ["EVAL.QUOTA"] and first.justification.startswith(
        "Có thành tích"
    )
    r = client_c.post(reverse("evaluation:step", kwargs={"pk": period.pk}), {"publish": "1"})
    period.refresh_from_db()
    assert r.status_code == 302 and period.state == PeriodState.PUBLISHED


def _published(tree):
    people, period = _decision_world(tree)
    items = [
        ev.DecisionInput(e, e.proposed_level or level(period, "HTTNV", "org"), justification="Có lý do")
        for e in period.entries.all()
    ]
    ev.decide(None, period, items)
    ev.publish(None, period)
    return people, period


def test_results_page_equals_the_queries_and_downloads_open(tree, client_c, commission):
    _people, period = _published(tree)
    url = reverse("evaluation:results", kwargs={"code": "X1"})
    r = client_c.get(url, {"year": 2024})
    body = r.content.decode()
    result = q.results(commission, tree["X1"], 2024)
    assert result.members_evaluated == 3 and result.members["Hoàn thành nhiệm vụ"] == 2
    assert f'id="members-evaluated">{result.members_evaluated}<' in body
    for name, n in result.members.items():
        assert f"<div>{name}</div>" in body
        share = f"{result.percent(result.members)[name]:.2f}".replace(".", ",")
        assert f'{n} <span class="subtle small">({share}%)' in body
    cells = q.cell_counts(commission, tree["X1"], 2024)
    assert cells["Hoàn thành tốt nhiệm vụ"] == 3 and sum(cells.values()) == 3
    assert 'id="cell-chart"' in body and "Chi bộ trực thuộc theo mức xếp loại (3)" in body
    x = client_c.get(url, {"year": 2024, "format": "xlsx"})
    wb = load_workbook(io.BytesIO(x.content))
    rows = {row[0]: row[1] for row in wb["Đảng viên"].iter_rows(values_only=True) if row[0]}
    assert rows["Hoàn thành nhiệm vụ"] == 2 and rows["Hoàn thành xuất sắc nhiệm vụ"] == 1
    cell_rows = {row[0]: row[1] for row in wb["Chi bộ trực thuộc"].iter_rows(values_only=True) if row[0]}
    assert cell_rows["Hoàn thành tốt nhiệm vụ"] == 3
    d = client_c.get(url, {"year": 2024, "format": "docx"})
    doc = Document(io.BytesIO(d.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "BÁO CÁO" in text and "năm 2024" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "Hoàn thành nhiệm vụ" in cells and "66,67%" in cells


def test_cell_counts_follow_scope_publication_and_reconsideration(tree, commission):
    """`queries.cell_counts`: the cells of the subtree per level, published only, read as known on `as_of`."""
    _people, period = _decision_world(tree)
    cells = list(period.entries.filter(subject="org"))
    ev.decide(None, period, [ev.DecisionInput(e, level(period, "HTTNV", "org")) for e in cells])
    assert sum(q.cell_counts(commission, tree["X1"], 2024).values()) == 0  # not published yet
    ev.decide(
        None,
        period,
        [
            ev.DecisionInput(e, e.proposed_level, justification="Có lý do")
            for e in period.entries.filter(subject="member")
        ],
    )
    ev.publish(None, period, on=D(2025, 1, 10))
    assert q.cell_counts(commission, tree["X1"], 2024)["Hoàn thành tốt nhiệm vụ"] == 3
    assert sum(q.cell_counts(commission, tree["H1"], 2024).values()) == 3  # X1's cells, under H1
    outsider = User.objects.create_user("x2", password=PASSWORD)
    grant_role(None, user=outsider, role="org_commission", org=tree["X2"])
    assert sum(q.cell_counts(outsider, tree["X1"], 2024).values()) == 0
    ev.reconsider(
        None,
        cells[0],
        level=level(period, "HTNV", "org"),
        number="3-QĐ/ĐU",
        decided_on=D(2025, 3, 1),
        body="Đảng ủy xã",
        reason="Xem xét lại",
    )
    now = q.cell_counts(commission, tree["X1"], 2024)
    then = q.cell_counts(commission, tree["X1"], 2024, as_of=D(2025, 2, 1))
    assert (now["Hoàn thành nhiệm vụ"], then["Hoàn thành nhiệm vụ"]) == (1, 0)


def test_trends_and_weak_units(tree, client_c, commission):
    period = open_year(tree["H1"], 2023)
    ev.advance(None, period, PeriodState.REVIEWING)
    ev.decide(
        None,
        period,
        [ev.DecisionInput(e, level(period, "KHTNV", "org")) for e in period.entries.filter(subject="org")],
    )
    ev.publish(None, period)
    grant_role(None, user=commission, role="org_commission", org=tree["H1"])
    commission = User.objects.get(pk=commission.pk)  # the scope is cached on the instance
    r = client_c.get(reverse("evaluation:results", kwargs={"code": "H1"}), {"year": 2023})
    weak = q.weak_units(commission, tree["H1"], 2023)
    body = r.content.decode()
    assert len(weak) == 5 and f'id="weak-count">{len(weak)}<' in body and "Chi bộ thôn Đông" in body
    r = client_c.get(reverse("evaluation:trends", kwargs={"code": "X1"}), {"year": 2024, "years": 3})
    rows = q.trends(commission, tree["X1"], 2022, 2024)
    body = r.content.decode()
    assert [t.level for t in rows] == [None, "Không hoàn thành nhiệm vụ", None]
    assert "Không hoàn thành nhiệm vụ" in body and "<td>2022</td>" in body


def test_reconsideration_form_on_a_decided_entry(tree, client_c):
    people, period = _published(tree)
    e = entry(period, member=people[1])
    url = reverse("evaluation:entry", kwargs={"pk": e.pk})
    data = {
        "action": "reconsider",
        "rc-level": level(period, "HTTNV").pk,
        "rc-number": "",
        "rc-decided_on": "01/03/2025",
        "rc-body": "Đảng ủy xã An Lạc",
        "rc-reason": "Bổ sung thành tích",
        "rc-version": e.version,
    }
    r = client_c.post(url, data)
    assert r.status_code == 200 and "Hãy nhập thông tin này" in r.content.decode()
    assert not Reconsideration.objects.exists()
    r = client_c.post(url, {**data, "rc-number": "15-QĐ/ĐU"})
    assert r.status_code == 302
    e.refresh_from_db()
    assert e.level.code == "HTTNV" and Reconsideration.objects.get().level_before.code == "HTNV"
    assert "15-QĐ/ĐU" in client_c.get(url).content.decode()


def test_import_lists_every_error_then_previews_and_writes(tree, client_c):
    t = client_c.get(reverse("evaluation:import_template"))
    assert t.status_code == 200 and t.content[:2] == b"PK"
    url = reverse("evaluation:import")
    bad = xlsx(
        [[2017, "Tổ chức", "C1", "", "Không có mức này"], [2017, "Chi bộ", "C2", "", "Trong sạch vững mạnh"]]
    )
    # the check and the write run as background jobs (tests/evaluation/test_import_jobs.py): the upload and the
    # confirm redirect to the job's page, which shows the errors, the preview or the result
    r = client_c.post(url, {"file": bad}, follow=True)
    body = r.content.decode()
    assert r.status_code == 200 and 'id="import-errors"' in body and body.count("<tr><td>") >= 2
    assert not EvaluationPeriod.objects.exists()
    good = xlsx(
        [
            [2017, "Tổ chức", "C1", "", "Trong sạch vững mạnh"],
            [2017, "Tổ chức", "C2", "", "Hoàn thành tốt nhiệm vụ"],
        ]
    )
    r = client_c.post(url, {"file": good})
    assert r.status_code == 302
    check_url = r["Location"]
    body = client_c.get(check_url).content.decode()
    assert 'id="import-preview"' in body and not EvaluationPeriod.objects.exists()
    r = client_c.post(check_url, {"confirm": "1"})
    assert r.status_code == 302
    write_url = r["Location"]
    assert Evaluation.objects.filter(year=2017).count() == 2
    # a second confirm of the same file writes nothing: it shows the same write
    r = client_c.post(check_url, {"confirm": "1"})
    assert r.status_code == 302 and r["Location"] == write_url
    assert Evaluation.objects.filter(year=2017).count() == 2


def test_out_of_scope_reads_as_not_found(tree, client_c):
    period = open_year(tree["X2"], 2024)
    for name, kwargs in (
        ("evaluation:period", {"pk": period.pk}),
        ("evaluation:decide", {"pk": period.pk}),
        ("evaluation:entry", {"pk": period.entries.first().pk}),
        ("evaluation:results", {"code": "X2"}),
        ("evaluation:open", {"code": "X2"}),
    ):
        assert client_c.get(reverse(name, kwargs=kwargs)).status_code == 404
    assert D(2024, 1, 1)


def test_scored_self_assessment_and_org_facts(tree, client_c):
    people = members(tree["C1"], 1)
    period = open_year(tree["X1"], 2025)
    assert period.scheme.code == "QD366"
    e = entry(period, member=people[0])
    url = reverse("evaluation:entry", kwargs={"pk": e.pk})
    page = client_c.get(url).content.decode()
    assert 'name="self-score_general"' in page and "tối đa 30 điểm" in page
    before = _history()
    data = {"action": "self", "self-score_general": "31", "self-score_tasks": "60", "self-comment": "Tự chấm"}
    r = client_c.post(url, {**data, "self-version": e.version})
    body = r.content.decode()
    assert r.status_code == 200 and "từ 0 đến 30" in body and 'value="60"' in body and _history() == before
    r = client_c.post(url, {**data, "self-score_general": "28", "self-version": e.version})
    assert r.status_code == 302
    e.refresh_from_db()
    assert e.self_scores == {"general": 28.0, "tasks": 60.0}
    cell = entry(period, org=tree["C1"])
    url = reverse("evaluation:entry", kwargs={"pk": cell.pk})
    r = client_c.post(url, {"action": "facts", "facts-targets_met_pct": "45", "facts-version": cell.version})
    assert r.status_code == 302
    cell.refresh_from_db()
    assert cell.facts == {"targets_met_pct": 45.0}
    r = client_c.post(
        url, {"action": "facts", "facts-subunits_disciplined": "-1", "facts-version": cell.version}
    )
    assert r.status_code == 200 and "Không thể là số âm" in r.content.decode()
