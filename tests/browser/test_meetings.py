"""Cell meetings in headless Chromium: plan a meeting from the cell's calendar, take the roll call on a phone,
write and adopt the minutes, then find the meeting counted in the compliance page of the commune.

Data: the `tree` fixture (commune X1 with cells C1, C2, C3); three official members in C1. The user is the
organization commission of the province. Screenshots (1280 and 390 wide) go to /tmp/browser-shots/.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest

from coso.core.dates import today
from coso.meetings import services as ms
from coso.meetings.models import Meeting, Minutes
from tests.meetings.helpers import official

from .conftest import make_user
from .playwright_expect import BROWSER_TEST, expect

pytestmark = BROWSER_TEST

PHONE = (390, 844)


@pytest.fixture(autouse=True)
def meeting_rules(vocabulary):
    """The meeting thresholds and the national criteria set (seeded by meetings 0002), put back for each test."""
    from django.apps import apps

    import_module("coso.meetings.migrations.0002_seed").seed(apps, None)


def last_month_meeting_day() -> dt.date:
    first = today().replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=4)


def test_plan_roll_call_minutes_then_compliance(tree, live_server, logged_in, shot, page_problems):
    c1 = tree["C1"]
    for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"):
        official(c1, name)
    day = last_month_meeting_day()
    ms.set_rhythm(None, c1, day_of_month=4, valid_from=dt.date(day.year - 1, 1, 1))
    user = make_user("bantochuc", grant_on=tree["T"])

    # 1. the calendar, then plan the meeting (desktop)
    page = logged_in(user)
    page.goto(live_server.url + "/meetings/")
    page.get_by_role("link", name="Sinh hoạt chi bộ", exact=True).first.click()
    expect(page.get_by_role("heading", name="Sinh hoạt chi bộ")).to_be_visible()
    page.goto(live_server.url + f"/meetings/org/C1/?year={day.year}")
    expect(page.get_by_text("ngày 4 hằng tháng")).to_be_visible()
    shot(page, "lich-1280")
    page.get_by_role("link", name="+ Lên kế hoạch sinh hoạt").click()
    expect(page.get_by_role("heading", name="Lên kế hoạch sinh hoạt")).to_be_visible()
    page.select_option("#id_kind", "regular")
    page.fill("#id_date", "31/02/2025")
    page.fill("#id_place", "Nhà văn hóa thôn Đông")
    page.fill("#id_focus_issue", "Làm đường giao thông nông thôn")
    page.fill("#id_agenda", "Đánh giá tình hình tháng | Bí thư chi bộ\nBàn việc làm đường")
    page.get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_text("Ngày không hợp lệ")).to_be_visible()
    expect(page.locator("#id_focus_issue")).to_have_value("Làm đường giao thông nông thôn")  # nothing lost
    page.fill("#id_date", day.strftime("%d/%m/%Y"))
    page.fill("#id_start_time", "08:00")
    page.get_by_role("button", name="Ghi nhận").click()
    expect(page.get_by_role("heading", name=f"Sinh hoạt thường kỳ ngày {day:%d/%m/%Y}")).to_be_visible()
    meeting = Meeting.objects.get()
    assert meeting.attendance.count() == 3 and meeting.status == "planned"
    page.goto(live_server.url + f"/meetings/org/C1/?year={day.year}")
    expect(page.locator(".cal-meeting").first).to_contain_text("Sinh hoạt thường kỳ")
    shot(page, "lich-ke-hoach-1280")
    narrow = logged_in(user, *PHONE)
    narrow.goto(live_server.url + f"/meetings/org/C1/?year={day.year}")
    shot(narrow, "lich-390")

    # 2. the roll call on a phone: figures recomputed in place (htmx)
    phone = logged_in(user, *PHONE)
    phone.goto(live_server.url + f"/meetings/{meeting.pk}/attendance/")
    expect(phone.locator("#fig-official")).to_have_text("3")
    expect(phone.locator("#fig-present")).to_have_text("0")
    shot(phone, "diem-danh-390-truoc")
    row = phone.locator(".att-row", has_text="Lê Văn Cường")
    row.get_by_text("Vắng có lý do").click()
    phone.get_by_role("button", name="Lưu điểm danh").click()
    expect(phone.locator("#attendance-error")).to_contain_text("hãy ghi lý do vắng")
    expect(phone.locator(".att-row", has_text="Lê Văn Cường").locator("input.p-excused")).to_be_checked()
    phone.locator(".att-row", has_text="Nguyễn Văn An").get_by_text("Có mặt").click()
    phone.locator(".att-row", has_text="Trần Thị Bình").get_by_text("Có mặt").click()
    phone.locator(".att-row", has_text="Lê Văn Cường").get_by_placeholder("Lý do vắng").fill("Đi công tác")
    phone.get_by_role("button", name="Lưu điểm danh").click()
    expect(phone.locator("#fig-present")).to_have_text("2")
    expect(phone.locator("#fig-absent")).to_have_text("1")
    expect(phone.get_by_text("Đã lưu điểm danh (3 người).")).to_be_visible()
    shot(phone, "diem-danh-390")
    box = phone.locator(".att-row", has_text="Nguyễn Văn An").get_by_text("Có mặt").bounding_box()
    assert box is not None and box["height"] >= 44, box  # a big tap target
    meeting.refresh_from_db()
    assert (meeting.status, meeting.present, meeting.absent_excused) == ("held", 2, 1)
    page.goto(live_server.url + f"/meetings/{meeting.pk}/attendance/")
    shot(page, "diem-danh-1280")

    # 3. the minutes, then adopt them (desktop)
    page.goto(live_server.url + f"/meetings/{meeting.pk}/minutes/")
    page.fill("#id_chair_name", "Nguyễn Văn An")
    page.fill("#id_secretary_name", "Trần Thị Bình")
    page.fill("#id_closed_at", "10:30")
    page.get_by_label("Người phát biểu 1").fill("Trần Thị Bình")
    page.get_by_label("Ý kiến 1").fill("Đề nghị mỗi hộ góp ngày công làm đường.")
    page.fill("#id_conclusions", "Chi bộ thống nhất làm 500 m đường bê tông trong quý.")
    page.fill("#id_votes_for", "2")
    page.get_by_role("button", name="Lưu biên bản").click()
    expect(page.get_by_text("Đã lưu biên bản.")).to_be_visible()
    expect(page.get_by_label("Người phát biểu 1")).to_have_value("Trần Thị Bình")
    shot(page, "bien-ban-1280")
    narrow.goto(live_server.url + f"/meetings/{meeting.pk}/minutes/")
    shot(narrow, "bien-ban-390")
    page.get_by_role("button", name="Thông qua biên bản").click()
    expect(page.get_by_role("alert").first).to_have_text(f"Biên bản đã được thông qua ngày {day:%d/%m/%Y}.")
    expect(page.get_by_role("link", name="Tải biên bản .docx")).to_be_visible()
    assert Minutes.objects.get().adopted_on == day
    shot(page, "bien-ban-thong-qua-1280")

    # 4. counted in the commune's compliance
    last = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    query = f"?from=01/{day:%m/%Y}&to={last:%d/%m/%Y}"
    page.goto(live_server.url + "/meetings/org/X1/compliance/" + query)
    expect(page.locator("#c-regular-held")).to_have_text("1")
    expect(page.locator("#c-regular-expected")).to_have_text("3")
    expect(page.locator("#c-rate")).to_have_text("66,7%")
    # the alerts panel loads beside the figures: the adopted minutes are not among the pending ones
    expect(page.locator("#compliance-alerts")).to_contain_text("Chi bộ không sinh hoạt quá")
    expect(page.locator("#compliance-alerts [role=status]")).to_have_count(0)
    expect(page.locator("#compliance-alerts")).to_contain_text("Biên bản chưa thông qua 0")
    shot(page, "tinh-hinh-1280")
    page.get_by_role("link", name="Chi bộ thôn Đông").click()
    expect(page.get_by_role("heading", name="Tình hình sinh hoạt chi bộ")).to_be_visible()
    expect(page.locator("#c-regular-held")).to_have_text("1")
    expect(page.locator("#c-regular-expected")).to_have_text("1")
    narrow.goto(live_server.url + "/meetings/org/X1/compliance/" + query)
    shot(narrow, "tinh-hinh-390")
    assert page_problems.items == [], "Trình duyệt gặp lỗi: " + "; ".join(page_problems.items)
