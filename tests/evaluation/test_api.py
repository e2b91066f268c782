"""The evaluation API: thin over the services (rules, scope, versions) and the queries; out of scope is 404."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from coso.accounts.models import User
from coso.accounts.services import grant_role, issue_token
from coso.evaluation import services as ev
from coso.evaluation.models import Evaluation, EvaluationPeriod, MemberAccount, Reconsideration
from tests.evaluation.helpers import HEADERS, members, xlsx


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user).key}")
    client.user = user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def api(tree):
    user = User.objects.create_user("btc.x1", password="mat-khau-dai-123")
    grant_role(None, user=user, role="org_commission", org=tree["X1"])
    return client_for(user)


def url(name: str, *args: object) -> str:
    return reverse(f"api:{name}", args=args)


def open_2024(api, org="X1"):
    r = api.post(url("evaluation-period-list"), {"org": org, "year": 2024}, format="json")
    assert r.status_code == 201, r.json()
    return r.json()


def entries(api, period_id, **params):
    r = api.get(url("evaluation-period-entries", period_id), params)
    assert r.status_code == 200, r.json()
    return r.json()["results"]


def test_open_list_advance_review_decide_publish_and_read_results(api, tree):
    people = members(tree["C1"], 5) + members(tree["C2"], 5)
    period = open_2024(api)
    assert period["scheme"] == "BON_MUC" and period["state"] == "open"
    listed = api.get(url("evaluation-period-list"), {"year": 2024}).json()["results"]
    assert [p["id"] for p in listed] == [period["id"]]
    rows = entries(api, period["id"], subject="member")
    assert len(rows) == 10 and {r["state"] for r in rows} == {"pending"}
    orgs = entries(api, period["id"], subject="org")
    assert {r["org"] for r in orgs} == {"C1", "C2", "C3"}

    # a member assesses themselves through their linked account
    me = User.objects.create_user("dv.c1", password="mat-khau-dai-123")
    ev.link_account(None, me, people[0])
    mine = client_for(me)
    own = next(r for r in rows if r["member"] == people[0].pk)
    other = next(r for r in rows if r["member"] == people[1].pk)
    r = mine.post(
        url("evaluation-entry-self", own["id"]),
        {"comment": "Hoàn thành tốt", "level": "HTTNV", "version": own["version"]},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["state"] == "self_assessed" and r.json()["self_level"] == "HTTNV"
    assert mine.post(url("evaluation-entry-self", other["id"]), {}, format="json").status_code == 404
    assert [e["id"] for e in mine.get(url("evaluation-my-entries")).json()["results"]] == [own["id"]]
    assert mine.get(url("evaluation-entry-detail", own["id"])).status_code == 200

    # a stale version is refused; an unknown level names the field
    r = api.post(url("evaluation-entry-review", own["id"]), {"level": "HTTNV", "version": 1}, format="json")
    assert r.status_code == 409 and r.json()["field"] == "version"
    r = api.post(url("evaluation-entry-review", own["id"]), {"level": "HTTNV"}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "version"
    r = api.post(url("evaluation-entry-review", own["id"]), {"level": "GIOI", "version": 2}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "level"

    # facts for an organization; the wrong key is named
    c1 = next(r for r in orgs if r["org"] == "C1")
    r = api.post(
        url("evaluation-entry-facts", c1["id"]),
        {"facts": {"targets_met_pct": 95}, "version": c1["version"]},
        format="json",
    )
    assert r.status_code == 200 and r.json()["facts"] == {"targets_met_pct": 95.0}
    r = api.post(
        url("evaluation-entry-facts", c1["id"]),
        {"facts": {"nope": 1}, "version": r.json()["version"]},
        format="json",
    )
    assert r.status_code == 400 and r.json()["field"] == "nope"

    r = api.post(
        url("evaluation-period-advance", period["id"]),
        {"state": "reviewing", "version": period["version"]},
        format="json",
    )
    assert r.status_code == 200 and r.json()["state"] == "reviewing"
    progress = api.get(url("evaluation-period-progress", period["id"])).json()
    assert len(progress["not_self_assessed"]) == 12  # 9 members and 3 cells

    # a batch breaking the quota (HTXSNV over 20% of HTTNV) is refused whole, listing the lines
    all_rows = entries(api, period["id"], subject="member") + entries(api, period["id"], subject="org")
    items = [
        {"entry": r["id"], "level": "HTXSNV" if i < 4 else "HTTNV", "version": r["version"]}
        for i, r in enumerate(all_rows)
    ]
    r = api.post(url("evaluation-period-decisions", period["id"]), {"items": items}, format="json")
    assert r.status_code == 400, r.json()
    refused = r.json()
    assert refused["rule"]["code"] and refused["refusals"]
    assert all(f["rule"] == "EVAL.QUOTA" for x in refused["refusals"] for f in x["findings"])
    assert not Evaluation.objects.filter(state="decided").exists()
    for item in items:
        item["justification"] = "Cấp ủy thống nhất, có thành tích nổi bật"
    r = api.post(
        url("evaluation-period-decisions", period["id"]), {"items": items, "on": "2025-01-10"}, format="json"
    )
    assert r.status_code == 200, r.json()
    assert len(r.json()["decided"]) == 13 and r.json()["findings"]
    sheet = api.get(url("evaluation-period-decisions", period["id"])).json()
    assert len(sheet["lines"]) == 13 and sheet["count"] == 13 and sheet["next"] is None
    # the sheet is paginated: pages of 5 lines hold the same 13 lines, in the same order
    pages = [
        api.get(url("evaluation-period-decisions", period["id"]), {"page": n, "page_size": 5}).json()
        for n in (1, 2, 3)
    ]
    assert [len(p["lines"]) for p in pages] == [5, 5, 3] and pages[0]["next"] and pages[2]["next"] is None
    assert [x["entry"] for p in pages for x in p["lines"]] == [x["entry"] for x in sheet["lines"]]

    r = api.post(url("evaluation-period-publish", period["id"]), {"on": "2025-01-15"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "published"

    r = api.get(url("evaluation-results", "X1"), {"year": 2024, "as_of": "2025-02-01"})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["members_evaluated"] == 10 and body["scheme"] == "BON_MUC"
    assert body["members"]["Hoàn thành xuất sắc nhiệm vụ"] == 4
    assert (
        api.get(url("evaluation-results", "X1"), {"year": 2024, "as_of": "2025-01-14"}).json()[
            "members_evaluated"
        ]
        == 0
    )  # not yet published then
    assert api.get(url("evaluation-results", "X1")).status_code == 400  # year required
    assert api.get(url("evaluation-results", "X2"), {"year": 2024}).status_code == 404

    # a reconsideration changes one result, before → after kept
    target = next(r for r in all_rows if r["subject"] == "member")
    r = api.post(
        url("evaluation-entry-reconsider", target["id"]),
        {"level": "HTNV", "number": "12-QĐ/ĐU", "decided_on": "2025-03-01", "body": "Đảng ủy xã",
         "reason": "Phát hiện vi phạm sau khi xếp loại", "justification": "x",
         "version": api.get(url("evaluation-entry-detail", target["id"])).json()["version"]},
        format="json",
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    assert r.json()["level_after"] == "HTNV" and Reconsideration.objects.count() == 1
    assert len(api.get(url("evaluation-entry-reconsider", target["id"])).json()["results"]) == 1

    trends = api.get(url("evaluation-trends", "X1"), {"from": 2023, "to": 2024}).json()
    assert [y["year"] for y in trends["years"]] == [2023, 2024]
    weak = api.get(url("evaluation-weak-units", "X1"), {"year": 2024}).json()
    assert weak["units"] == []


def test_out_of_scope_is_404_and_writes_nothing(api, tree):
    members(tree["C4"], 2)
    period = ev.open_period(None, tree["X2"], ev.PeriodInput(year=2024))
    entry = period.entries.filter(subject="member").first()
    before = (EvaluationPeriod.objects.count(), Evaluation.history.count())  # type: ignore[attr-defined]
    for name in ("evaluation-period-detail", "evaluation-period-entries", "evaluation-period-progress"):
        assert api.get(url(name, period.pk)).status_code == 404
    for name in ("evaluation-period-advance", "evaluation-period-publish", "evaluation-period-decisions"):
        assert api.post(url(name, period.pk), {"state": "reviewing"}, format="json").status_code == 404
    for name in ("evaluation-entry-self", "evaluation-entry-review", "evaluation-entry-facts"):
        assert api.post(url(name, entry.pk), {"level": "HTTNV"}, format="json").status_code == 404
    r = api.post(url("evaluation-period-list"), {"org": "X2", "year": 2023}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "org"
    assert api.get(url("evaluation-period-list")).json()["results"] == []
    assert (EvaluationPeriod.objects.count(), Evaluation.history.count()) == before  # type: ignore[attr-defined]


def test_schemes_and_import_dry_run_then_write(api, tree):
    schemes = api.get(url("evaluation-schemes")).json()["results"]
    assert {s["code"] for s in schemes} == {"TRUOC_2018", "BON_MUC", "QD366"}
    assert [
        s["code"] for s in api.get(url("evaluation-schemes"), {"on": "2016-12-31"}).json()["results"]
    ] == ["TRUOC_2018"]
    rows = [[2016, "Tổ chức", "C1", "", "Trong sạch vững mạnh"], [2019, "Tổ chức", "C1", "", "HTTNV"]]
    r = api.post(url("evaluation-import"), {"file": xlsx(rows), "dry_run": "true"}, format="multipart")
    assert r.status_code == 200, r.json()
    assert r.json()["ok"] and r.json()["rows"] == 2 and r.json()["created"] == 0
    assert not Evaluation.objects.exists()
    r = api.post(url("evaluation-import"), {"file": xlsx(rows)}, format="multipart")
    assert r.status_code == 201 and r.json()["created"] == 2
    bad = [[2019, "Tổ chức", "C4", "", "HTTNV"]]  # another commune: out of scope
    r = api.post(url("evaluation-import"), {"file": xlsx(bad, HEADERS)}, format="multipart")
    assert r.status_code == 400 and r.json()["errors"]
    assert Evaluation.objects.count() == 2


def test_schema_lists_the_evaluation_endpoints(db):
    schema = json.loads(APIClient().get(reverse("api:schema") + "?format=json").content)
    paths = {p for p in schema["paths"] if p.startswith("/api/v1/evaluation/")}
    assert {
        "/api/v1/evaluation/periods/",
        "/api/v1/evaluation/periods/{id}/decisions/",
        "/api/v1/evaluation/entries/{id}/self-assessment/",
        "/api/v1/evaluation/results/{code}/",
        "/api/v1/evaluation/import/",
    } <= paths
    assert not MemberAccount.objects.exists()
