"""A truthful API: every error in JSON, ids and paging parameters checked (a 400 naming the parameter, never a
500 or an HTML page), lists paginated."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.meetings.helpers import official
from tests.orgs.test_api import client_for, make_user

BAD_IDS = ["abc", "-1", "0", "1.5", "99999999999999999999"]
ID_ROUTES = [
    ("GET", "/api/v1/members/{}/"),
    ("POST", "/api/v1/members/{}/exit/"),
    ("POST", "/api/v1/members/{}/transfer/"),
    ("POST", "/api/v1/members/{}/recognise/"),
    ("POST", "/api/v1/members/{}/flags/"),
    ("POST", "/api/v1/members/{}/discipline/"),
    ("GET", "/api/v1/transfers/{}/"),
    ("POST", "/api/v1/transfers/{}/arrive/"),
    ("POST", "/api/v1/transfers/{}/return/"),
    ("GET", "/api/v1/decisions/{}/"),
    ("GET", "/api/v1/restructurings/{}/"),
    ("GET", "/api/v1/grants/{}/"),
    ("GET", "/api/v1/meetings/{}/"),
    ("GET", "/api/v1/meetings/{}/minutes/"),
    ("GET", "/api/v1/meetings/programmes/{}/"),
    ("GET", "/api/v1/evaluation/periods/{}/"),
    ("GET", "/api/v1/evaluation/periods/{}/decisions/"),
    ("GET", "/api/v1/evaluation/entries/{}/"),
]


@pytest.fixture
def province(tree):
    return client_for(make_user("tinh", "org_commission", tree["T"]))


@pytest.mark.parametrize(("method", "route"), ID_ROUTES, ids=[f"{m} {r}" for m, r in ID_ROUTES])
def test_an_id_that_is_not_a_number_is_a_400_naming_it(province, method, route):
    for bad in BAD_IDS:
        url = route.format(bad)
        r = province.get(url) if method == "GET" else province.post(url, {}, format="json")
        assert r.status_code == 400, f"{method} {url}: {r.status_code}"
        body = r.json()
        assert body["field"] == "id" and bad in body["detail"], body


def test_an_unknown_id_or_address_is_a_404_in_json(province):
    for url in (
        "/api/v1/members/987654/",
        "/api/v1/meetings/987654/",
        "/api/v1/khong-co/",
        "/api/v1/orgs/X1/khong/",
    ):
        r = province.get(url)
        assert r.status_code == 404, url
        assert r["Content-Type"].startswith("application/json"), url
        assert r.json()["detail"], url


def test_without_a_login_errors_are_json_too(db):
    r = client_for(None).get("/api/v1/khong-co/")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json")


def test_page_and_page_size_are_checked(province, tree):
    for n in range(3):
        official(tree["C1"], f"Đảng viên {n}")
    url = reverse("api:member-list")
    assert province.get(url, {"page_size": 2}).json()["count"] == 3
    for params, name in (
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page_size": "x"}, "page_size"),
        ({"page_size": "5000"}, "page_size"),
    ):
        r = province.get(url, params)
        assert r.status_code == 400, params
        assert r.json()["field"] == name, (params, r.json())
    assert province.get(url, {"page": "2", "page_size": "2"}).status_code == 200
    past = province.get(url, {"page": "3", "page_size": "2"})
    assert past.status_code == 404 and "chỉ có 2 trang" in past.json()["detail"]
    assert province.get(url, {"page": "last", "page_size": "2"}).json()["results"]


def test_a_page_is_a_vietnamese_page_and_not_json(tree):
    from django.test import Client

    r = Client().get("/khong-co-trang-nay/")
    assert r.status_code == 404 and "Không tìm thấy trang" in r.content.decode()


def _schema():
    from rest_framework.test import APIClient

    return APIClient().get(reverse("api:schema") + "?format=json").json()


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_every_list_an_operation_reads_is_answered_a_page_at_a_time(province, tree):
    """A GET never answers a bare array: every list comes as {count, next, previous, results}. Kept as arrays,
    as the organization tree's API has always answered and documented them: the two vocabularies (a dozen
    kinds and categories) and one organization's direct children, periods and the roots of a user's tree
    (bounded by the tree's fan-out, read a level at a time)."""
    schema = _schema()
    arrays = {
        "/api/v1/categories/",
        "/api/v1/kinds/",
        "/api/v1/orgs/{code}/children/",
        "/api/v1/orgs/{code}/periods/",
        "/api/v1/tree/",
    }
    bare = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get or path in arrays:
            continue
        body = get["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema")
        if body and _resolve(schema, body).get("type") == "array":
            bare.append(path)
    assert bare == []
    from tests.meetings.helpers import held

    meeting = held(tree["C1"], __import__("datetime").date(2023, 3, 4))
    r = province.get(f"/api/v1/meetings/{meeting.pk}/agenda/", {"page_size": 1})
    assert r.status_code == 200 and set(r.json()) == {"count", "next", "previous", "results"}
    r = province.get(f"/api/v1/meetings/{meeting.pk}/attendance/")
    assert r.json()["count"] == len(r.json()["results"])


def test_a_text_field_sent_as_a_number_is_refused_naming_it(province, tree):
    import datetime as dt

    from tests.meetings.helpers import held

    meeting = held(tree["C1"], dt.date(2023, 3, 4))
    url = f"/api/v1/meetings/{meeting.pk}/resolutions/"
    for title in (0, 1.5, True, ["Nghị quyết"], {"a": 1}):
        r = province.post(url, {"title": title, "number": "", "content": ""}, format="json")
        assert r.status_code == 400, title
        assert r.json()["field"] == "title" and "chuỗi ký tự" in r.json()["detail"], r.json()
    assert meeting.resolutions.count() == 0
    r = province.post(url, {"title": "Nghị quyết tháng 3", "number": "", "content": ""}, format="json")
    assert r.status_code == 201


def test_a_year_or_a_count_out_of_range_is_a_400_naming_it(province):
    base = "/api/v1/evaluation/weak-units/T/"
    for params, name in (
        ({"year": "-3196"}, "year"),
        ({"year": "99999"}, "year"),
        ({"year": "2024", "history": "234956"}, "history"),
        ({"year": "2024", "history": "-1"}, "history"),
    ):
        r = province.get(base, params)
        assert r.status_code == 400, params
        assert r.json()["field"] == name, r.json()
    assert province.get(base, {"year": "2024"}).status_code == 200
    r = province.get("/api/v1/evaluation/trends/T/", {"from": "1", "to": "5"})
    assert r.status_code == 400 and r.json()["field"] == "to"


def test_an_empty_optional_parameter_means_left_out_as_the_schema_says(province):
    assert (
        province.get("/api/v1/orgs/", {"as_of": ""}).json()["count"]
        == province.get("/api/v1/orgs/").json()["count"]
    )
    assert province.get("/api/v1/tree/", {"as_of": ""}).status_code == 200
    schema = _schema()
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            for p in op.get("parameters", []):
                if p["in"] == "query" and not p.get("required"):
                    assert p.get("allowEmptyValue") is True, (method, path, p["name"])
            assert "414" in op["responses"], (method, path)


def test_the_schema_admits_what_the_api_writes():
    """Local times as "19:30:00", an account without e-mail, a 400 that is an input error and not a refusal."""
    import re

    schema = _schema()
    components = schema["components"]["schemas"]
    time = components["MeetingDetail"]["properties"]["start_time"]
    assert (
        "format" not in time and re.match(time["pattern"], "19:30:00") and re.match(time["pattern"], "19:30")
    )
    assert not re.match(time["pattern"], "25:00")
    assert "format" not in components["Me"]["properties"]["email"]
    refused = components["EvaluationDecisionRefused"]
    assert "refusals" not in refused.get("required", []) and "field" in refused["properties"]
    put = schema["paths"]["/api/v1/meetings/{id}/agenda/"]["put"]
    assert (
        _resolve(schema, put["responses"]["200"]["content"]["application/json"]["schema"])["type"] == "array"
    )
    assert not [p for p in put.get("parameters", []) if p["name"] in ("page", "page_size")]


def test_a_malformed_as_of_is_refused_even_where_it_is_read_only_with_another_parameter(province):
    for url in ("/api/v1/meetings/tasks/", "/api/v1/meetings/criteria-sets/", "/api/v1/orgs/"):
        r = province.get(url, {"as_of": "AAA"})
        assert r.status_code == 400 and r.json()["field"] == "as_of", url
        assert province.get(url, {"as_of": "2024-01-31"}).status_code == 200, url


def test_a_filter_value_the_list_cannot_read_is_a_400_naming_it(province):
    for url, name in (("/api/v1/restructurings/", "from"), ("/api/v1/meetings/dues/", "month")):
        r = province.get(url, {name: "\x00"})
        assert r.status_code == 400 and r.json()["field"] == name, (url, r.content)
