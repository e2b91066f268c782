"""The meeting list's filters are one FilterSet shared by the page and the API: the same meetings for the same
query string; a value the list cannot use is a Vietnamese 400/404 from the API and no rows (or no narrowing)
on the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tests.meetings.helpers import plan
from tests.meetings.test_api import api, url  # noqa: F401 (the API client fixture)

D = dt.date


@pytest.fixture
def meetings(tree):
    return [
        plan(tree["C1"], D(2023, 3, 4)),
        plan(tree["C1"], D(2023, 4, 4), kind="thematic"),
        plan(tree["C2"], D(2023, 4, 5)),
        plan(tree["C3"], D(2023, 6, 5)),
        plan(tree["C4"], D(2023, 4, 6)),  # outside the user's scope
    ]


def _page_ids(client: Client, params: dict[str, str]) -> list[int]:
    r = client.get(reverse("meetings:index"), params)
    assert r.status_code == 200
    return [m.pk for m in r.context["items"]]


def _api_ids(api, params: dict[str, str]) -> list[int]:  # noqa: F811
    r = api.get(url("meeting-list"), params)
    assert r.status_code == 200, r.json()
    return [m["id"] for m in r.json()["results"]]


def test_page_and_api_list_the_same_meetings(api, meetings, tree):  # noqa: F811
    page = Client()
    page.force_login(api.user)
    for params in (
        {},
        {"org": "X1"},
        {"org": "c1"},
        {"org": "X1", "from": "2023-04-01", "to": "2023-04-30"},
        {"kind": "thematic"},
        {"status": "planned", "org": "C2"},
    ):
        assert _page_ids(page, params) == _api_ids(api, params), params
    assert _api_ids(api, {"org": "X1", "from": "2023-04-01", "to": "2023-04-30"}) == [
        meetings[2].pk,
        meetings[1].pk,
    ]
    # the page also reads dd/mm/yyyy, and names the organization it narrowed to
    assert _page_ids(page, {"org": "X1", "from": "01/04/2023", "to": "30/04/2023"}) == [
        meetings[2].pk,
        meetings[1].pk,
    ]
    assert page.get(reverse("meetings:index"), {"org": "X1"}).context["under"] == tree["X1"]


def test_values_the_list_cannot_use(api, meetings):  # noqa: F811
    page = Client()
    page.force_login(api.user)
    # an organization outside the scope: the API's 404 names the parameter; the page shows nothing
    r = api.get(url("meeting-list"), {"org": "C4"})
    assert r.status_code == 404
    assert r.json()["detail"] == (
        "Không tìm thấy tổ chức mã “C4” (org) hoặc tổ chức không thuộc phạm vi của bạn."
    )
    assert _page_ids(page, {"org": "C4"}) == []
    # a date that is not one: the API's 400 names the parameter; the page ignores it
    r = api.get(url("meeting-list"), {"from": "31/02/2023"})
    assert r.status_code == 400 and r.json()["field"] == "from"
    assert "không phải ngày hợp lệ (from)" in r.json()["detail"]
    assert _page_ids(page, {"from": "31/02/2023"}) == _api_ids(api, {})
    # an unknown status: no meeting from the API, the page's list is not narrowed
    assert _api_ids(api, {"status": "xyz"}) == []
    assert _page_ids(page, {"status": "xyz"}) == _api_ids(api, {})
