"""Annual evaluation in headless Chromium: the commission opens the year, a member fills in their self-assessment on
their own page, the cell reviews them, the committee decides in bulk (a quota warning refused, then overridden with
a justification), publishes, and the results page shows the published report.

Data: the `tree` fixture (commune X1 with cells C1, C2, C3); six official members in C1, one of them linked to a
login. The commission holds org_commission on the province. Screenshots (1280 and 390 wide) of the decision page
and the results page go to /tmp/browser-shots/.
"""

from __future__ import annotations

from importlib import import_module

import pytest

from coso.evaluation import services as ev
from coso.evaluation.models import EntryState, Evaluation, EvaluationPeriod, Level, PeriodState
from tests.meetings.helpers import official

from .conftest import make_user
from .playwright_expect import BROWSER_TEST, expect

pytestmark = BROWSER_TEST

PHONE = (390, 844)
YEAR = 2024


@pytest.fixture(autouse=True)
def evaluation_rules(vocabulary):
    """The schemes and dated rules of evaluation and the meeting thresholds (seeded by migrations), put back."""
    from django.apps import apps

    import_module("coso.meetings.migrations.0002_seed").seed(apps, None)
    import_module("coso.evaluation.migrations.0002_seed").seed(apps, None)


def lvl(period: EvaluationPeriod, code: str, subject: str = "member") -> Level:
    return Level.objects.get(scheme=period.scheme, subject=subject, code=code)


def test_self_assessment_review_bulk_decision_and_report(tree, live_server, logged_in, shot, page_problems):
    c1 = tree["C1"]
    an = official(c1, "Nguyễn Văn An")
    others = [
        official(c1, n)
        for n in ("Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Gấm")
    ]
    commission = make_user("bantochuc", grant_on=tree["T"])
    member_user = make_user("nguyenvanan")
    ev.link_account(None, member_user, an)

    # 1. the commission opens the year for commune X1 and sees the rule set chosen by the date
    page = logged_in(commission)
    page.goto(live_server.url + "/evaluation/")
    expect(page.get_by_role("link", name="Đánh giá, xếp loại")).to_be_visible()
    page.goto(live_server.url + "/evaluation/open/X1/")
    expect(page.get_by_role("heading", name="Mở đợt đánh giá")).to_be_visible()
    page.fill("#id_year", "199")
    page.get_by_role("button", name="Mở đợt đánh giá").click()
    expect(page.get_by_text("Năm từ 1930")).to_be_visible()
    page.fill("#id_year", str(YEAR))
    page.get_by_role("button", name="Mở đợt đánh giá").click()
    expect(page.locator("#period-rules")).to_contain_text("124-QĐ/TW")
    period = EvaluationPeriod.objects.get()
    assert period.entries.filter(subject="member").count() == 6

    # 2. the member fills in their self-assessment on their own page (phone)
    mine = logged_in(member_user, *PHONE)
    mine.goto(live_server.url + "/evaluation/mine/")
    mine.get_by_role("link", name="Tự đánh giá", exact=True).click()
    mine.fill("#id_self-comment", "Hoàn thành tốt các nhiệm vụ được giao, vận động làm đường thôn.")
    mine.select_option("#id_self-level", label="Hoàn thành xuất sắc nhiệm vụ")
    mine.get_by_role("button", name="Ghi bản tự đánh giá").click()
    expect(mine.locator("#self-summary")).to_contain_text("Hoàn thành xuất sắc nhiệm vụ")
    expect(mine.locator("#entry-state")).to_have_text("Đã tự đánh giá")
    shot(mine, "tu-danh-gia-390")

    # 3. the cell reviews the member: comments, the vote, the proposed level
    entry = period.entries.get(member=an)
    page.goto(live_server.url + f"/evaluation/entries/{entry.pk}/")
    page.fill("#id_review-comment", "Gương mẫu, có sáng kiến vận động nhân dân.")
    page.fill("#id_review-votes_for", "6")
    page.fill("#id_review-votes_against", "0")
    page.select_option("#id_review-level", label="Hoàn thành xuất sắc nhiệm vụ")
    page.get_by_role("button", name="Ghi nhận xét, đề xuất").click()
    expect(page.locator("#review-summary")).to_contain_text("tán thành 6")
    # the other proposals, recorded by the cell through the service
    for i, person in enumerate(others):
        ev.review(None, period.entries.get(member=person), level=lvl(period, "HTTNV" if i < 3 else "HTNV"))
    for cell in period.entries.filter(subject="org"):
        ev.review(None, cell, level=lvl(period, "HTTNV", "org"))
    page.goto(live_server.url + f"/evaluation/periods/{period.pk}/")
    page.get_by_role("button", name="Chuyển sang: đang nhận xét, đề xuất").click()
    expect(page.locator("#period-state")).to_have_text("Đang nhận xét, đề xuất")
    shot(page, "dot-danh-gia-1280")

    # 4. the bulk decision: the quota warning refuses the batch until a justification is written
    page.get_by_role("link", name="Quyết định xếp loại").click()
    expect(page.get_by_role("heading", name="Quyết định xếp loại")).to_be_visible()
    expect(page.locator(f"#line-{entry.pk}")).to_contain_text("EVAL.QUOTA")
    shot(page, "quyet-dinh-1280")
    narrow = logged_in(commission, *PHONE)
    narrow.goto(page.url)
    expect(narrow.locator(f"#line-{entry.pk}")).to_contain_text("vượt 20%")
    shot(narrow, "quyet-dinh-390")
    page.get_by_role("button", name="Quyết định các mức đã chọn").click()
    expect(page.locator("#decide-error")).to_contain_text("Chưa ghi gì")
    expect(page.locator(f"#line-{entry.pk} .refusal")).to_contain_text("vượt 20%")
    assert not Evaluation.objects.filter(state=EntryState.DECIDED).exists()
    page.fill(f"textarea[name='justification-{entry.pk}']", "Được Tỉnh ủy tặng bằng khen năm 2024")
    page.get_by_role("button", name="Quyết định các mức đã chọn").click()
    expect(page.get_by_text("Đã quyết định xếp loại 9 tổ chức, đảng viên.")).to_be_visible()
    page.get_by_role("button", name="Công bố kết quả").click()
    expect(page.locator("#period-state")).to_have_text("Đã công bố")
    period.refresh_from_db()
    assert period.state == PeriodState.PUBLISHED
    decided = period.entries.get(pk=entry.pk)
    assert decided.level.code == "HTXSNV" and decided.justification.startswith("Được Tỉnh ủy")

    # 5. the published report: counts per level with charts, Excel and .docx
    page.get_by_role("link", name=f"Kết quả năm {YEAR}").click()
    expect(page.get_by_role("heading", name=f"Kết quả xếp loại năm {YEAR}")).to_be_visible()
    expect(page.locator("#members-evaluated")).to_have_text("6")
    expect(page.locator("#member-chart")).to_contain_text("Hoàn thành xuất sắc nhiệm vụ")
    shot(page, "ket-qua-1280")
    href = page.get_by_role("link", name="Báo cáo (.docx)").get_attribute("href")
    report = page.request.get(live_server.url + "/evaluation/results/X1/" + (href or ""))
    assert report.ok and report.body()[:2] == b"PK"
    assert f"bao-cao-xep-loai-X1-{YEAR}.docx" in report.headers["content-disposition"]
    narrow.goto(page.url)
    expect(narrow.locator("#members-evaluated")).to_have_text("6")
    shot(narrow, "ket-qua-390")
    # the member sees their published result
    mine.goto(live_server.url + "/evaluation/mine/")
    expect(mine.locator("#my-evaluations")).to_contain_text("Hoàn thành xuất sắc nhiệm vụ")
    assert page_problems.items == [], "Trình duyệt gặp lỗi: " + "; ".join(page_problems.items)
