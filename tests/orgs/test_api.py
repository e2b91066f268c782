"""The organization API under /api/v1/: reads as of a date, restructurings, scope, refusals and the schema."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from coso.accounts.models import User
from coso.accounts.services import create_user, grant_role, issue_token
from coso.core.text import sort_key
from coso.orgs import services as s
from coso.orgs.models import Decision, Organization, OrgPeriod, Restructuring
from tests.conftest import decision

D = dt.date
PASSWORD = "Coso-kiem-thu-2025!"


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user).key}")
    return client


def make_user(username: str, role: str | None = None, org: Organization | None = None) -> User:
    user = create_user(None, username=username, password=PASSWORD, full_name=f"Cán bộ {username}")
    if role is not None:
        grant_role(None, user=user, role=role, org=org)
    return user


@pytest.fixture
def admin(db) -> APIClient:
    return client_for(User.objects.create_superuser("quantri", password=PASSWORD))


@pytest.fixture
def province(tree) -> APIClient:
    """Ban Tổ chức of the province: may see and change the whole tree."""
    return client_for(make_user("tinh", "org_commission", tree["T"]))


@pytest.fixture
def commune(tree) -> APIClient:
    """Ban Tổ chức of commune X1 only."""
    return client_for(make_user("xa1", "org_commission", tree["X1"]))


def url(name: str, *args: Any, **query: Any) -> str:
    base = reverse(f"api:{name}", args=args)
    if query:
        base += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return base


def codes(items: list[dict[str, Any]]) -> list[str]:
    return [i["code"] for i in items]


def body(op: str, on: str = "2020-01-01", **fields: Any) -> dict[str, Any]:
    """A restructuring body; the version of the organizations changed is the fixtures' first one unless given
    (a client always sends the version it read)."""
    if op in ("move", "rename", "dissolve", "split"):
        fields.setdefault("version", 1)
    if op == "merge" and isinstance(fields.get("sources"), list):
        fields.setdefault("versions", {str(c): 1 for c in fields["sources"]})
    return {
        "op": op,
        "on": on,
        "decision": {
            "number": "15-QĐ/TU",
            "signed_on": "2019-12-20",
            "issuer": "Tỉnh ủy",
            "summary": "Sắp xếp",
        },
        **fields,
    }


def counts() -> tuple[int, int, int, int]:
    return (
        Organization.objects.count(),
        OrgPeriod.objects.count(),
        Restructuring.objects.count(),
        Decision.objects.count(),
    )


def post(client: APIClient, data: dict[str, Any]) -> Any:
    return client.post(url("restructuring-list"), data, format="json")


# ------------------------------------------------------------------------------------------ authentication


def test_anonymous_and_bad_token_are_refused_in_vietnamese(tree):
    r = APIClient().get(url("org-list"))
    assert r.status_code == 401
    assert "Authorization: Token" in r.json()["detail"]
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token khong-co-token-nay")
    r = bad.get(url("org-list"))
    assert r.status_code == 401
    assert "token" in r.json()["detail"].lower()


def test_api_root_lists_the_endpoints(province):
    r = province.get(url("api-root"))
    assert r.status_code == 200
    assert {"orgs", "restructurings", "decisions", "kinds", "categories", "grants"} <= set(r.json())


# ---------------------------------------------------------------------------------------------------- list


def test_list_as_of_a_date_in_vietnamese_order(tree, province):
    r = province.get(url("org-list", as_of="2010-01-01"))
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == 10
    names = [i["name"] for i in data["results"]]
    assert names == sorted(names, key=sort_key)
    x1 = next(i for i in data["results"] if i["code"] == "X1")
    assert x1 == {
        "code": "X1",
        "name": "Đảng bộ xã An Lạc",
        "kind": "Đảng bộ cơ sở",
        "kind_code": "dang_bo_co_so",
        "category": None,
        "category_code": None,
        "valid_from": "2000-01-01",
        "valid_to": None,
        "parent": "H1",
        "parent_name": "Đảng bộ huyện Yên Phú",
        "depth": 3,
        "established_on": "2000-01-01",
        "dissolved_on": None,
        "version": 1,
    }
    early = province.get(url("org-list", as_of="2000-06-01")).json()
    assert sorted(codes(early["results"])) == ["H1", "H2", "T", "X1", "X2"]


def test_list_search_and_filters(tree, province):
    def found(**query: Any) -> list[str]:
        r = province.get(url("org-list", as_of="2010-01-01", **query))
        assert r.status_code == 200, r.json()
        return sorted(codes(r.json()["results"]))

    assert found(q="an lac") == ["C3", "X1"]  # accents ignored
    assert found(q="ĐÔNG") == ["C1", "H2"]
    assert found(q="s1") == ["S1"]  # the code too
    assert found(kind="chi_bo_truc_thuoc") == ["C1", "C2", "C3", "C4"]
    assert found(kind="Chi bộ trực thuộc") == ["C1", "C2", "C3", "C4"]
    assert found(category="Trường học") == ["S1"]
    assert found(category="thon_ban", under="x1") == ["C1", "C2"]
    assert found(under="X1") == ["C1", "C2", "C3", "X1"]


def test_list_pagination(tree, province):
    r = province.get(url("org-list", as_of="2010-01-01", page_size=3)).json()
    assert r["count"] == 10 and len(r["results"]) == 3 and r["next"]
    r = province.get(url("org-list", as_of="2010-01-01", page=99))
    assert r.status_code == 404
    assert "Trang không hợp lệ" in r.json()["detail"]


@pytest.mark.parametrize("value", ["2025-13-01", "01/07/2025", "hôm qua"])
def test_bad_as_of_is_a_400_in_vietnamese(tree, province, value):
    for name, args in [("org-list", ()), ("org-detail", ("X1",)), ("tree", ()), ("org-structure", ("T",))]:
        r = province.get(url(name, *args, as_of=value))
        assert r.status_code == 400, name
        assert r.json()["field"] == "as_of"
        assert "YYYY-MM-DD" in r.json()["detail"]


def test_unknown_filters_are_refused(tree, province):
    r = province.get(url("org-list", kind="khong_co"))
    assert r.status_code == 400 and r.json()["field"] == "kind"
    r = province.get(url("org-list", category="khong_co"))
    assert r.status_code == 400 and r.json()["field"] == "category"
    r = province.get(url("org-list", under="NOPE"))
    assert r.status_code == 404 and "NOPE" in r.json()["detail"]


# ---------------------------------------------------------------------------------------- one organization


def test_detail_as_of_with_children(tree, province):
    r = province.get(url("org-detail", "x1") + "?as_of=2010-01-01")  # codes are case-insensitive
    assert r.status_code == 200
    data = r.json()
    assert data["code"] == "X1" and data["exists"] is True and data["as_of"] == "2010-01-01"
    assert data["parent"] == "H1" and data["parent_name"] == "Đảng bộ huyện Yên Phú"
    assert codes(data["children"]) == ["C3", "C1", "C2"]  # Vietnamese order of their names
    assert data["children"][0]["category"] == "Cơ quan"
    before_cells = province.get(url("org-detail", "X1", as_of="2000-06-01")).json()
    assert before_cells["children"] == []
    r = province.get(url("org-detail", "NOPE"))
    assert r.status_code == 404
    assert r.json()["detail"] == "Không tìm thấy hoặc không thuộc phạm vi của bạn."


def test_detail_of_a_dissolved_org_shows_its_last_state(tree, province):
    s.dissolve(None, tree["C3"], on=D(2019, 4, 1), decision=decision("12-QĐ/HU", D(2019, 3, 20)))
    data = province.get(url("org-detail", "C3", as_of="2020-01-01")).json()
    assert data["exists"] is False
    assert data["name"] == "Chi bộ cơ quan xã An Lạc"
    assert data["dissolved_on"] == "2019-04-01" and data["valid_to"] == "2019-04-01"
    assert data["children"] == []
    assert province.get(url("org-detail", "C3", as_of="2019-03-31")).json()["exists"] is True


def test_subtree_is_flat_with_parents_and_depth(tree, province):
    r = province.get(url("org-subtree", "H1", as_of="2010-01-01"))
    assert r.status_code == 200
    rows = r.json()["results"]
    assert codes(rows) == ["H1", "X1", "C1", "C2", "C3", "S1"]  # parents before their children
    by_code = {row["code"]: row for row in rows}
    assert by_code["H1"]["parent"] == "T" and by_code["H1"]["depth"] == 2
    assert by_code["C2"]["parent"] == "X1" and by_code["C2"]["depth"] == 4
    assert by_code["S1"]["parent"] == "H1" and by_code["S1"]["parent_name"] == "Đảng bộ huyện Yên Phú"
    assert province.get(url("org-subtree", "H1", as_of="1999-01-01")).json()["results"] == []


def test_structure_as_of(tree, province):
    r = province.get(url("org-structure", "T", as_of="2010-01-01"))
    assert r.status_code == 200
    data = r.json()
    assert data["org"] == "T" and data["as_of"] == "2010-01-01" and data["exists"] is True
    assert data["grassroots_total"] == 3 and data["cells_total"] == 4
    assert data["by_kind"]["Đảng bộ huyện"] == 2
    assert data["by_category"]["Chi bộ trực thuộc"] == {"Cơ quan": 1, "Thôn, bản": 3}
    assert province.get(url("org-structure", "T", as_of="2000-06-01")).json()["cells_total"] == 0


def test_tree_and_children_with_counts(tree, province):
    roots = province.get(url("tree", as_of="2010-01-01")).json()
    assert codes(roots) == ["T"]
    assert (roots[0]["children"], roots[0]["descendants"], roots[0]["grassroots"], roots[0]["cells"]) == (
        2,
        9,
        3,
        4,
    )
    children = province.get(url("org-children", "T", as_of="2010-01-01")).json()
    assert codes(children) == ["H2", "H1"]  # Đông Hà before Yên Phú
    h1 = children[1]
    assert (h1["children"], h1["descendants"], h1["grassroots"], h1["cells"]) == (2, 5, 2, 3)
    assert h1["parent"] == "T" and h1["kind_code"] == "dang_bo_huyen"


# --------------------------------------------------------------------------------------- periods, history


def test_periods_and_history_after_a_move(tree, province):
    r = post(province, body("move", org="x1", parent="H2"))
    assert r.status_code == 201, r.json()
    periods = province.get(url("org-periods", "X1")).json()
    assert [(p["parent"], p["valid_from"], p["valid_to"]) for p in periods] == [
        ("H1", "2000-01-01", "2020-01-01"),
        ("H2", "2020-01-01", None),
    ]
    assert periods[0]["parent_name"] == "Đảng bộ huyện Yên Phú"
    assert periods[1]["opened_by"] == r.json()["id"] == periods[0]["closed_by"]

    history = province.get(url("org-history", "X1")).json()
    assert history["org"] == "X1"
    # its own establishment, those of its three cells (as their parent), and the move
    assert [e["op"] for e in history["events"]] == ["move"] + ["establish"] * 4
    move = history["events"][0]
    assert move["decision"]["number"] == "15-QĐ/TU" and move["decision"]["issuer"] == "Tỉnh ủy"
    assert move["decision"]["signed_on"] == "2019-12-20" and move["on"] == "2020-01-01"
    assert "Chuyển Đảng bộ xã An Lạc" in move["summary"]
    closed = [
        c
        for entry in history["changes"]
        for c in entry["changes"]
        if entry["who"] == "Cán bộ tinh" and c["field"] == "đến ngày"
    ]
    assert closed == [{"field": "đến ngày", "before": "—", "after": "01/01/2020"}]
    assert any(e["action"] == "Tạo mới" and e["who"] == "Hệ thống" for e in history["changes"])
    whens = [e["when"] for e in history["changes"]]
    assert whens == sorted(whens, reverse=True)


# ------------------------------------------------------------------------------------------ restructurings


def test_establish_then_read_event_and_decision(tree, province):
    r = post(
        province,
        body(
            "establish",
            code="c5",
            name="Chi bộ tổ dân phố 5",
            kind="chi_bo_truc_thuoc",
            category="Tổ dân phố",
            parent="X2",
        ),
    )
    assert r.status_code == 201, r.json()
    event = r.json()
    assert event["op"] == "establish" and event["op_display"] == "Thành lập" and event["result"] == ["C5"]
    assert {(o["code"], o["role"]) for o in event["orgs"]} == {("C5", "subject"), ("X2", "parent")}
    assert event["decision"]["number"] == "15-QĐ/TU" and event["created_by"] == "tinh"
    c5 = province.get(url("org-detail", "C5", as_of="2020-01-01")).json()
    assert (c5["parent"], c5["category"], c5["established_on"]) == ("X2", "Tổ dân phố", "2020-01-01")

    listed = province.get(url("restructuring-list", org="c5")).json()
    assert [e["id"] for e in listed["results"]] == [event["id"]]
    assert province.get(url("restructuring-detail", event["id"])).json()["summary"] == event["summary"]
    in_range = province.get(url("restructuring-list", **{"from": "2019-06-01", "to": "2020-01-01"})).json()
    assert [e["id"] for e in in_range["results"]] == [event["id"]]
    assert province.get(url("restructuring-list", op="merge")).json()["count"] == 0
    assert province.get(url("restructuring-list", op="xyz")).json()["field"] == "op"
    assert province.get(url("restructuring-list", to="2020-31-12")).json()["field"] == "to"

    decisions = province.get(url("decision-list", q="15-QĐ")).json()["results"]
    assert [d["id"] for d in decisions] == [event["decision"]["id"]]
    one = province.get(url("decision-detail", event["decision"]["id"])).json()
    assert one["org"] == "C5" and one["restructurings"] == [event["id"]] and one["file"] is None
    assert province.get(url("decision-list", org="X2", **{"from": "2019-12-21"})).json()["count"] == 0


def test_merge_through_the_api_then_structure_before_and_after(tree, province):
    r = post(
        province,
        body(
            "merge",
            sources=["C1", "c2"],
            new={
                "code": "C12",
                "name": "Chi bộ thôn Đông Tây",
                "kind": "Chi bộ trực thuộc",
                "category": "thon_ban",
                "parent": "X1",
            },
        ),
    )
    assert r.status_code == 201, r.json()
    assert r.json()["result"] == ["C12"]
    assert {(o["code"], o["role"]) for o in r.json()["orgs"]} == {
        ("C1", "source"),
        ("C2", "source"),
        ("C12", "target"),
    }
    names = {o["code"]: o["name"] for o in r.json()["orgs"]}
    assert names["C1"] == "Chi bộ thôn Đông"  # the name the source had when it was merged
    before = province.get(url("org-structure", "X1", as_of="2019-12-31")).json()
    after = province.get(url("org-structure", "X1", as_of="2020-01-01")).json()
    assert (before["cells_total"], after["cells_total"]) == (3, 2)
    assert after["by_category"]["Chi bộ trực thuộc"] == {"Cơ quan": 1, "Thôn, bản": 1}
    gone = province.get(url("org-detail", "C1", as_of="2020-01-01")).json()
    assert gone["exists"] is False and gone["dissolved_on"] == "2020-01-01"


def test_merge_into_an_existing_org_places_the_children(tree, province):
    x1_version = province.get(url("org-detail", "X1")).json()["version"]
    r = post(
        province,
        body(
            "merge",
            on="2021-01-01",
            sources=["X1"],
            into="X2",
            children={"C1": "target", "C2": "X2", "C3": None},
            versions={"x1": x1_version},
        ),
    )
    assert r.status_code == 201, r.json()
    assert province.get(url("org-structure", "X2", as_of="2021-01-01")).json()["cells_total"] == 3
    assert province.get(url("org-structure", "T", as_of="2021-01-01")).json()["grassroots_total"] == 2
    assert province.get(url("org-structure", "T", as_of="2020-12-31")).json()["grassroots_total"] == 3
    assert province.get(url("org-detail", "C3", as_of="2021-01-01")).json()["exists"] is False


def test_rename_dissolve_and_split(tree, province):
    r = post(province, body("rename", org="C1", name="Chi bộ thôn Đông Hải", category=None, version=1))
    assert r.status_code == 201, r.json()
    c1 = province.get(url("org-detail", "C1", as_of="2020-01-01")).json()
    assert (c1["name"], c1["category"], c1["version"]) == ("Chi bộ thôn Đông Hải", None, 2)
    assert province.get(url("org-detail", "C1", as_of="2019-12-31")).json()["name"] == "Chi bộ thôn Đông"

    r = post(province, body("dissolve", on="2020-02-01", org="X2", children={"C4": "X1"}))
    assert r.status_code == 201, r.json()
    assert province.get(url("org-detail", "C4", as_of="2020-02-01")).json()["parent"] == "X1"

    r = post(
        province,
        body(
            "split",
            on="2020-03-01",
            org="X1",
            parts=[
                {"code": "X1A", "name": "Đảng bộ xã An Lạc A", "kind": "dang_bo_co_so"},
                {"code": "X1B", "name": "Đảng bộ xã An Lạc B", "kind": "dang_bo_co_so", "parent": "H1"},
            ],
            children={"C1": "part:0", "C2": "part:1", "C3": "part:1", "C4": None},
        ),
    )
    assert r.status_code == 201, r.json()
    assert r.json()["result"] == ["X1A", "X1B"]
    a = province.get(url("org-structure", "X1A", as_of="2020-03-01")).json()
    b = province.get(url("org-structure", "X1B", as_of="2020-03-01")).json()
    assert (a["cells_total"], b["cells_total"]) == (1, 2)
    assert province.get(url("org-detail", "X1A", as_of="2020-03-01")).json()["parent"] == "H1"


def test_stale_version_is_refused(tree, province):
    assert (
        post(province, body("rename", org="X1", name="Đảng bộ xã An Lạc Mới", version=1)).status_code == 201
    )
    before = counts()
    r = post(province, body("rename", on="2020-06-01", org="X1", name="Đảng bộ xã An Lạc 2", version=1))
    assert r.status_code == 409
    assert r.json()["field"] == "version" and "tải lại" in r.json()["detail"]
    assert counts() == before


def test_refused_operation_names_the_rule_and_writes_nothing(tree, province):
    before = counts()
    r = post(
        province, body("establish", code="CX", name="Chi bộ lạc chỗ", kind="Chi bộ trực thuộc", parent="H1")
    )
    assert r.status_code == 400
    data = r.json()
    assert data["rule"]["code"] == "ORG.KIND_PARENT"
    assert "Điều lệ Đảng" in data["rule"]["source"]
    assert data["field"] == "parent"
    assert "Chi bộ trực thuộc không thể trực thuộc Đảng bộ huyện" in data["detail"]
    assert counts() == before
    assert Organization.objects.filter(code="CX").count() == 0


def test_service_fields_are_named_as_in_the_body(tree, province):
    future = (D.today() + dt.timedelta(days=30)).isoformat()
    r = post(province, body("rename", org="X1", name="Khác", decision={"number": "1", "signed_on": future}))
    assert r.status_code == 400 and r.json()["field"] == "decision.signed_on"
    r = post(
        province,
        body(
            "merge",
            sources=["C1", "C2"],
            new={"code": "C1", "name": "Trùng mã", "kind": "chi_bo_truc_thuoc", "parent": "X1"},
        ),
    )
    assert r.status_code == 400 and r.json()["field"] == "new.code" and r.json()["rule"]["code"] == "ORG.CODE"
    r = post(
        province,
        body(
            "split",
            org="X1",
            parts=[
                {"code": "P1", "name": "Phần 1", "kind": "dang_bo_co_so"},
                {"code": "P2", "name": "Phần 2", "kind": "chi_bo_truc_thuoc", "parent": "H1"},
            ],
            children={"C1": "part:0", "C2": "part:0", "C3": "part:0"},
        ),
    )
    assert r.status_code == 400 and r.json()["field"] == "parts[1].parent"
    r = post(province, body("dissolve", org="X1"))
    assert (
        r.status_code == 400
        and r.json()["field"] == "children"
        and r.json()["rule"]["code"] == "ORG.CHILDREN"
    )


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"on": "2020-01-01"}, "op", "Hãy chọn thao tác"),
        (body("reorganize"), "op", "“reorganize” không phải thao tác hợp lệ"),
        (body("move", org="NOPE", parent="H2"), "org", "“NOPE”"),
        (body("move", org="X1", parent="NOPE"), "parent", "“NOPE”"),
        (body("move", org="X1"), "parent", "Hãy nhập tổ chức cấp trên mới."),
        (body("move", on="01/01/2020", org="X1", parent="H2"), "on", "YYYY-MM-DD"),
        ({**body("move", org="X1", parent="H2"), "on": None}, "on", "Ngày hiệu lực không được để trống."),
        (
            {k: v for k, v in body("move", org="X1", parent="H2").items() if k != "on"},
            "on",
            "Hãy nhập ngày hiệu lực.",
        ),
        (
            body("move", org="X1", parent="H2", decision={"signed_on": "2019-01-01"}),
            "decision.number",
            "Hãy nhập số quyết định.",
        ),
        (body("move", org="X1", parent="H2", decision="15-QĐ"), "decision", "phải là một đối tượng JSON"),
        (body("dissolve", org="X1", children={"ZZ": None}), "children.ZZ", "“ZZ”"),
        (body("dissolve", org="X1", children={"C1": "NOPE"}), "children.C1", "“NOPE”"),
        (body("dissolve", org="X1", children={"C1": "target"}), "children.C1", "“target”"),
        (body("merge", sources=["C1", "NOPE"], into="C3"), "sources[1]", "“NOPE”"),
        (body("merge", sources=[], into="C3"), "sources", "không được để trống"),
        (body("merge", sources=["C1"], into="C3", versions={"C2": 1}), "versions", "“C2”"),
        (body("establish", code="C9", name="Chi bộ 9", kind="khong_co", parent="X1"), "kind", "“khong_co”"),
        (
            body(
                "establish", code="C9", name="Chi bộ 9", kind="chi_bo_truc_thuoc", category="?", parent="X1"
            ),
            "category",
            "“?”",
        ),
        (
            body("split", org="X1", parts=[{"code": "P1", "kind": "dang_bo_co_so"}]),
            "parts[0].name",
            "Hãy nhập tên tổ chức.",
        ),
        (body("split", org="X1", parts="X1A"), "parts", "danh sách"),
        (body("rename", org="X1", name="A", version="một"), "version", "số nguyên"),
        (
            {k: v for k, v in body("rename", org="X1", name="A").items() if k != "version"},
            "version",
            "Hãy gửi version",
        ),
        (
            {k: v for k, v in body("merge", sources=["C1", "C2"], into="C3").items() if k != "versions"},
            "versions",
            "Hãy nhập",
        ),
        (body("merge", sources=["C1", "C2"], into="C3", versions={"C1": 1}), "versions", "C2"),
        (
            body(
                "split",
                org="X1",
                parts=[{"code": "P", "name": "P", "kind": "dang_bo_co_so"}],
                keep_source="ừ",
            ),
            "keep_source",
            "true hoặc false",
        ),
    ],
)
def test_bad_bodies_are_400_naming_the_field(tree, province, data, field, words):
    before = counts()
    r = post(province, data)
    assert r.status_code == 400, r.json()
    assert r.json()["field"] == field, r.json()
    assert words in r.json()["detail"]
    assert field in r.json().get("errors", {field: []})
    assert counts() == before


def test_not_json_is_refused_in_vietnamese(tree, province):
    r = province.post(url("restructuring-list"), "{không phải json", content_type="application/json")
    assert r.status_code == 400 and "JSON" in r.json()["detail"]
    r = province.post(url("restructuring-list"), {"op": "move"})  # multipart
    assert r.status_code == 415 and "application/json" in r.json()["detail"]
    r = province.post(url("restructuring-list"), [1, 2], format="json")
    assert r.status_code == 400
    r = province.delete(url("restructuring-list"))
    assert r.status_code == 405 and "DELETE" in r.json()["detail"]


def test_a_viewer_cannot_write(tree):
    viewer = client_for(make_user("xem", "viewer", tree["T"]))
    assert viewer.get(url("org-detail", "X1")).status_code == 200
    r = post(viewer, body("rename", org="X1", name="Khác"))
    assert r.status_code == 400 and r.json()["field"] == "org"  # read-only: nothing it may change
    assert Restructuring.objects.filter(op="rename").count() == 0


def test_only_a_superuser_places_an_org_at_the_top(tree, province, admin):
    data = body("establish", code="T2", name="Đảng bộ tỉnh Núi Hồng", kind="dang_bo_tinh", parent=None)
    r = post(province, data)
    assert r.status_code == 400 and r.json()["field"] == "parent"
    r = post(admin, data)
    assert r.status_code == 201, r.json()
    assert codes(admin.get(url("tree", as_of="2020-01-01")).json()) == ["T2", "T"]


def test_vocabularies(tree, province):
    kinds = {k["code"]: k for k in province.get(url("kind-list")).json()}
    assert kinds["chi_bo_truc_thuoc"] == {
        "code": "chi_bo_truc_thuoc",
        "name": "Chi bộ trực thuộc",
        "is_grassroots": False,
        "is_cell": True,
        "order": 70,
        "active": True,
    }
    assert kinds["dang_bo_co_so"]["is_grassroots"] is True
    categories = province.get(url("category-list")).json()
    assert [c["name"] for c in categories][:2] == ["Thôn, bản", "Tổ dân phố"]


# ---------------------------------------------------------------------------------------------------- scope


def test_commune_user_sees_only_its_subtree(tree, commune):
    listed = commune.get(url("org-list", as_of="2010-01-01")).json()
    assert sorted(codes(listed["results"])) == ["C1", "C2", "C3", "X1"]
    assert codes(commune.get(url("tree", as_of="2010-01-01")).json()) == ["X1"]
    x1 = commune.get(url("org-detail", "X1", as_of="2010-01-01")).json()
    assert x1["parent"] == "H1"  # the parent is named, not opened
    assert commune.get(url("org-detail", "H1")).status_code == 404


def test_commune_lists_mention_nothing_of_another_commune(tree, commune):
    needles = ["Đảng bộ xã Bình Minh", "Chi bộ thôn Bắc", '"code":"X2"', '"code":"C4"', '"parent":"X2"']
    for name in ("org-list", "tree", "restructuring-list", "decision-list", "me"):
        for query in ({}, {"q": "binh minh"}, {"q": "X2"}, {"q": "C4"}, {"as_of": "2015-01-01"}):
            r = commune.get(url(name), query)
            assert r.status_code == 200, (name, query)
            text = r.content.decode()
            assert not [n for n in needles if n in text], (name, query)


@pytest.mark.parametrize(
    "name", ["org-detail", "org-subtree", "org-periods", "org-history", "org-structure", "org-children"]
)
def test_another_communes_org_is_not_found_on_every_read(tree, commune, name):
    r = commune.get(url(name, "X2", as_of="2010-01-01"))
    assert r.status_code == 404
    assert r.json()["detail"] == "Không tìm thấy hoặc không thuộc phạm vi của bạn."
    assert commune.get(url(name, "C4")).status_code == 404
    assert commune.get(url(name, "X1")).status_code == 200


def test_another_communes_events_and_decisions_are_not_found(tree, commune, province):
    for param_url in (
        url("org-list", under="X2"),
        url("restructuring-list", org="X2"),
        url("decision-list", org="X2"),
    ):
        r = commune.get(param_url)
        assert r.status_code == 404 and "X2" in r.json()["detail"]
    theirs = Restructuring.objects.get(op="establish", links__org__code="C4")
    assert commune.get(url("restructuring-detail", theirs.pk)).status_code == 404
    assert commune.get(url("decision-detail", theirs.decision_id)).status_code == 404
    mine = Restructuring.objects.get(op="establish", links__org__code="C1")
    assert commune.get(url("restructuring-detail", mine.pk)).status_code == 200
    listed = {e["id"] for e in commune.get(url("restructuring-list")).json()["results"]}
    assert mine.pk in listed and theirs.pk not in listed
    decisions = {d["id"] for d in commune.get(url("decision-list")).json()["results"]}
    assert mine.decision_id in decisions and theirs.decision_id not in decisions
    assert len(province.get(url("restructuring-list")).json()["results"]) == Restructuring.objects.count()


def test_commune_user_cannot_touch_another_commune(tree, commune):
    before = counts()
    attempts = [
        (body("move", org="C1", parent="X2"), "parent"),
        (body("rename", org="X2", name="Đảng bộ xã Bình Minh Mới"), "org"),
        (body("dissolve", org="C4"), "org"),
        (body("dissolve", org="C1", children={"C4": None}), "children.C4"),
        (body("merge", sources=["C1", "C4"], into="C2"), "sources[1]"),
        (body("merge", sources=["C1"], into="C4"), "into"),
        (body("establish", code="C9", name="Chi bộ 9", kind="chi_bo_truc_thuoc", parent="X2"), "parent"),
    ]
    for data, field in attempts:
        r = post(commune, data)
        assert r.status_code == 400, (data, r.json())
        assert r.json()["field"] == field
        # out of scope reads exactly like a code that does not exist
        unknown = json.loads(json.dumps(data).replace('"X2"', '"NOPE"').replace('"C4"', '"NOPE"'))
        r2 = post(commune, unknown)
        assert r2.status_code == 400
        assert r2.json()["field"] == field.replace("C4", "NOPE")
        assert r2.json()["detail"] == r.json()["detail"].replace("“X2”", "“NOPE”").replace("“C4”", "“NOPE”")
    assert counts() == before
    mine = post(commune, body("rename", org="c1", name="Chi bộ thôn Đông Hải"))
    assert mine.status_code == 201, mine.json()


# --------------------------------------------------------------------------------------------------- schema


def test_schema_lists_every_endpoint_and_validates(db):
    r = APIClient().get(url("schema") + "?format=json")
    assert r.status_code == 200
    schema = json.loads(r.content)
    validate_schema(schema)
    assert {
        "/api/v1/orgs/",
        "/api/v1/orgs/{code}/",
        "/api/v1/orgs/{code}/subtree/",
        "/api/v1/orgs/{code}/periods/",
        "/api/v1/orgs/{code}/history/",
        "/api/v1/orgs/{code}/structure/",
        "/api/v1/orgs/{code}/children/",
        "/api/v1/tree/",
        "/api/v1/restructurings/",
        "/api/v1/restructurings/{id}/",
        "/api/v1/decisions/",
        "/api/v1/decisions/{id}/",
        "/api/v1/decisions/{id}/file/",
        "/api/v1/kinds/",
        "/api/v1/categories/",
        "/api/v1/grants/",
        "/api/v1/grants/{id}/",
        "/api/v1/grants/{id}/revoke/",
        "/api/v1/me/",
        "/api/v1/members/",
        "/api/v1/members/{id}/",
        "/api/v1/members/{id}/recognise/",
        "/api/v1/members/{id}/exit/",
        "/api/v1/members/{id}/flags/",
        "/api/v1/members/{id}/discipline/",
        "/api/v1/members/{id}/transfer/",
        "/api/v1/transfers/",
        "/api/v1/transfers/{id}/",
        "/api/v1/transfers/{id}/arrive/",
        "/api/v1/transfers/{id}/return/",
        "/api/v1/bulk-moves/",
        "/api/v1/member-statistics/{code}/",
        "/api/v1/structure-checks/{code}/",
    } == {
        p for p in schema["paths"] if not p.startswith(("/api/v1/meetings/", "/api/v1/evaluation/"))
    }  # tests/meetings/test_api.py, tests/evaluation/test_api.py
    as_of = {p["name"] for p in schema["paths"]["/api/v1/orgs/{code}/structure/"]["get"]["parameters"]}
    assert {"code", "as_of"} <= as_of
    assert "post" in schema["paths"]["/api/v1/restructurings/"]
    assert APIClient().get(url("docs")).status_code == 200
