"""Two cadres edit the same record in two browser sessions: the first to save wins, the second is told the
record changed since their page was opened, nothing of theirs is written and what they typed is still in the
form. One test per kind of record a cadre edits: an organization, a member's profile, a meeting.

Data: the `tree` fixture (commune X1 with cells C1, C2, C3); the users are organization commission cadres of the
province, each in their own browser context (own cookies).
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest

from coso.core.dates import today
from coso.meetings.models import Meeting
from coso.orgs import queries as oq
from tests.meetings.helpers import official, plan
from tests.members.test_services import admit

from .conftest import make_user
from .playwright_expect import BROWSER_TEST, expect

pytestmark = BROWSER_TEST

STALE = "vừa được người khác thay đổi"


@pytest.fixture
def two_cadres(tree, logged_in):
    """Two pages, one per cadre, both with the province's organization commission scope."""
    return logged_in(make_user("canbo1", grant_on=tree["T"])), logged_in(
        make_user("canbo2", grant_on=tree["T"])
    )


def fill_decision(page, on: str) -> None:
    page.get_by_label("Ngày hiệu lực").fill(on)
    page.get_by_label("Số quyết định").fill("15-QĐ/ĐU")
    page.get_by_label("Ngày quyết định").fill(on)


def test_an_organization_renamed_in_two_sessions(tree, live_server, two_cadres, shot, page_problems):
    first, second = two_cadres
    for page in (first, second):
        page.goto(live_server.url + "/orgs/C1/rename/")
        expect(page.get_by_label("Tên mới")).to_be_visible()
    first.get_by_label("Tên mới").fill("Chi bộ thôn Đông Hải")
    fill_decision(first, "01/03/2024")
    first.get_by_role("button", name="Ghi nhận").click()
    expect(first.locator(".alert-success")).to_contain_text("Đã ghi nhận")

    second.get_by_label("Tên mới").fill("Chi bộ thôn Đông Mới")
    fill_decision(second, "01/04/2024")
    second.get_by_role("button", name="Ghi nhận").click()
    expect(second.locator(".alert-danger")).to_contain_text(STALE)
    expect(second.get_by_label("Tên mới")).to_have_value("Chi bộ thôn Đông Mới")  # nothing typed is lost
    shot(second, "doi-ten-bi-tu-choi")
    assert oq.period_on(tree["C1"], dt.date(2024, 5, 1)).name == "Chi bộ thôn Đông Hải"
    assert not page_problems.items, page_problems.items


def test_a_member_profile_edited_in_two_sessions(tree, live_server, two_cadres, shot, page_problems):
    member = admit(tree["C1"], joined=dt.date(2020, 3, 1))
    first, second = two_cadres
    for page in (first, second):
        page.goto(live_server.url + f"/members/{member.pk}/profile/")
        expect(page.get_by_label("Trình độ giáo dục phổ thông")).to_be_visible()
    on = (today() - dt.timedelta(days=30)).strftime("%d/%m/%Y")
    first.get_by_label("Từ ngày").fill(on)
    first.get_by_label("Trình độ giáo dục phổ thông").fill("12/12")
    first.get_by_role("button", name="Ghi nhận").click()
    expect(first.locator(".alert-success")).to_be_visible()

    second.get_by_label("Từ ngày").fill(on)
    second.get_by_label("Trình độ giáo dục phổ thông").fill("10/12")
    second.get_by_role("button", name="Ghi nhận").click()
    expect(second.locator(".alert-danger")).to_contain_text(STALE)
    expect(second.get_by_label("Trình độ giáo dục phổ thông")).to_have_value("10/12")
    shot(second, "ho-so-bi-tu-choi")
    current = [p.education for p in member.profiles.all() if p.valid_to is None]
    assert current == ["12/12"]
    assert not page_problems.items, page_problems.items


def test_a_meeting_edited_in_two_sessions(tree, live_server, two_cadres, shot, page_problems, vocabulary):
    from django.apps import apps

    import_module("coso.meetings.migrations.0002_seed").seed(apps, None)
    official(tree["C1"], "Nguyễn Văn An")
    meeting = plan(tree["C1"], today() + dt.timedelta(days=7), place="Nhà văn hóa thôn")
    first, second = two_cadres
    for page in (first, second):
        page.goto(live_server.url + f"/meetings/{meeting.pk}/edit/")
        expect(page.get_by_label("Địa điểm")).to_have_value("Nhà văn hóa thôn")
    first.get_by_label("Địa điểm").fill("Hội trường xã")
    first.get_by_role("button", name="Ghi nhận").click()
    expect(first.locator(".alert-success")).to_contain_text("Đã lưu thay đổi")

    second.get_by_label("Địa điểm").fill("Nhà ông Ba")
    second.get_by_role("button", name="Ghi nhận").click()
    expect(second.locator(".alert-danger")).to_contain_text(STALE)
    expect(second.get_by_label("Địa điểm")).to_have_value("Nhà ông Ba")
    shot(second, "sinh-hoat-bi-tu-choi")
    assert Meeting.objects.get(pk=meeting.pk).place == "Hội trường xã"
    assert not page_problems.items, page_problems.items
