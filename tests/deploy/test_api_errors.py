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
