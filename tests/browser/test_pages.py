"""The real pages in headless Chromium: log in, browse the tree, look at the past, record a merge, see errors
next to the fields, and read the pages on a phone.

Data: the `tree` fixture (province T → districts H1, H2 → communes X1, X2 → cells C1..C4, school cell S1 from
2002). Screenshots of every step go to /tmp/browser-shots/.
"""

from __future__ import annotations

import re

import pytest

from coso.orgs.models import Organization, Restructuring

from .conftest import PASSWORD, make_user
from .playwright_expect import BROWSER_TEST, expect

pytestmark = BROWSER_TEST


def with_date(url: str, date: str) -> re.Pattern[str]:
    """`url?as_of=date`, the slashes of the date encoded or not."""
    return re.compile("^" + re.escape(url) + r"\?as_of=" + re.escape(date).replace("/", "(?:/|%2F)") + "$")


def fill_date_box(page, value: str) -> None:
    """Type a date in the navbar's "Ngày xem" box and press "Xem"."""
    page.get_by_label("Ngày xem").fill(value)
    with page.expect_navigation():
        page.locator("form.as-of-form").get_by_role("button", name="Xem").click()


def assert_no_problems(page_problems) -> None:
    assert page_problems.items == [], "Trình duyệt gặp lỗi: " + "; ".join(page_problems.items)


# ------------------------------------------------------------------------------------ 1. login and the tree


def test_login_then_tree_opens_nodes_through_htmx(tree, live_server, new_page, shot, page_problems):
    make_user("bantochuc", grant_on=tree["T"])
    page = new_page()

    page.goto(live_server.url + "/orgs/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/orgs/$"))
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    page.get_by_label("Tên đăng nhập").fill("bantochuc")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator(".alert-danger")).to_contain_text("Tên đăng nhập hoặc mật khẩu không đúng")
    expect(page.get_by_label("Tên đăng nhập")).to_have_value("bantochuc")
    shot(page, "sai-mat-khau")

    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Cây tổ chức đảng")).to_be_visible()
    expect(page).to_have_url(live_server.url + "/orgs/")
    # the static files behind the tree toggle are really there
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("getComputedStyle(document.querySelector('nav.navbar')).backgroundImage").startswith(
        "linear-gradient"
    )
    province = page.locator("li.org-node[data-code=T]")
    expect(province.locator(":scope > .node-row .node-name")).to_have_text("Đảng bộ tỉnh Sông Lam")
    # the only root comes open with its districts; a district's communes are not loaded yet
    expect(page.locator("li.org-node[data-code=H1]")).to_be_visible()
    expect(page.locator("li.org-node[data-code=X1]")).to_have_count(0)
    shot(page, "cay")

    district = page.locator("li.org-node[data-code=H1]")
    toggle = district.locator(":scope > .node-row .node-toggle")
    expect(toggle).to_have_text("+")
    loads: list[str] = []
    page.on("request", lambda r: loads.append(r.url) if "/children/" in r.url else None)
    with page.expect_response(re.compile(r"/orgs/H1/children/")) as response:
        toggle.click()
    assert response.value.status == 200
    expect(toggle).to_have_attribute("aria-expanded", "true")
    children = district.locator(":scope > ul > li.org-node")
    expect(children).to_have_count(2)
    # in Vietnamese alphabetical order ("Chi" before "Đảng")
    expect(children.locator(".node-name")).to_have_text(["Chi bộ Trường THPT Yên Phú", "Đảng bộ xã An Lạc"])
    expect(district.locator("li.org-node[data-code=X1] .badge-cells")).to_have_text("3 chi bộ")
    shot(page, "mo-huyen")

    # closing hides the children, opening again shows them without a second request
    toggle.click()
    expect(district.locator(":scope > ul")).to_be_hidden()
    toggle.click()
    expect(district.locator(":scope > ul")).to_be_visible()
    expect(children).to_have_count(2)
    assert len(loads) == 1, loads

    district.locator("li.org-node[data-code=X1] .node-name").click()
    # (a node loaded by the toggle links with ?as_of=<today> even when no date was chosen: see the report)
    expect(page).to_have_url(re.compile(r"/orgs/X1/(\?as_of=[0-9%F/]+)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Đảng bộ xã An Lạc")
    expect(page.locator(".breadcrumb")).to_contain_text("Đảng bộ huyện Yên Phú")
    shot(page, "trang-xa")
    assert_no_problems(page_problems)


# ------------------------------------------------------------------------ 2. the past, and the searchable list


def test_date_box_shows_the_past_and_list_search_ignores_accents(
    tree, live_server, logged_in, shot, page_problems
):
    page = logged_in(make_user("bantochuc", grant_on=tree["T"]))
    page.goto(live_server.url + "/orgs/")
    expect(page.locator(".as-of-banner")).to_have_count(0)

    fill_date_box(page, "01/06/2001")
    expect(page).to_have_url(with_date(live_server.url + "/orgs/", "01/06/2001"))
    expect(page.locator(".as-of-banner")).to_have_text("Đang xem dữ liệu như vào ngày 01/06/2001.")
    expect(page.get_by_label("Ngày xem")).to_have_value("01/06/2001")
    district = page.locator("li.org-node[data-code=H1]")
    expect(district.locator(":scope > .node-row .badge-grassroots")).to_have_text("1 TCCSĐ")
    district.locator(":scope > .node-row .node-toggle").click()
    expect(district.locator(":scope > ul > li.org-node")).to_have_count(1)  # the school cell came in 2002
    expect(district.locator("li.org-node[data-code=X1]")).to_be_visible()
    shot(page, "cay-2001")

    # the date follows the navbar to the list
    page.locator("nav.navbar").get_by_role("link", name="Danh sách").click()
    expect(page).to_have_url(with_date(live_server.url + "/orgs/list/", "01/06/2001"))
    expect(page.locator(".as-of-banner")).to_contain_text("01/06/2001")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(9)
    expect(page.locator("table")).not_to_contain_text("Chi bộ Trường THPT Yên Phú")
    shot(page, "danh-sach-2001")

    # the structure on that day, then today
    page.goto(live_server.url + "/orgs/T/structure/?as_of=01/06/2001")
    expect(page.locator("#grassroots-total")).to_have_text("2")
    expect(page.locator("#cells-total")).to_have_text("4")
    shot(page, "co-cau-2001")
    page.get_by_role("link", name="Hôm nay").click()
    expect(page.locator(".as-of-banner")).to_have_count(0)
    expect(page.locator("#grassroots-total")).to_have_text("3")

    # before the communes existed their page says so
    page.goto(live_server.url + "/orgs/C1/?as_of=01/06/2000")
    expect(page.locator(".badge.text-bg-warning")).to_have_text("Chưa thành lập vào ngày 01/06/2000")

    # accent-insensitive search
    page.goto(live_server.url + "/orgs/list/")
    expect(rows).to_have_count(10)
    page.get_by_label("Tên hoặc mã").fill("chi bo thon dong")
    page.get_by_role("button", name="Tìm").click()
    expect(page).to_have_url(re.compile(r"q=chi\+bo\+thon\+dong"))
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link")).to_have_text("Chi bộ thôn Đông")
    expect(page.get_by_label("Tên hoặc mã")).to_have_value("chi bo thon dong")
    shot(page, "tim-khong-dau")
    rows.first.get_by_role("link", name="Chi bộ thôn Đông").click()
    expect(page).to_have_url(live_server.url + "/orgs/C1/")
    assert_no_problems(page_problems)


# ---------------------------------------------------------------------------------------- 3. record a merge


def test_merge_through_the_forms(tree, live_server, logged_in, shot, page_problems):
    page = logged_in(make_user("bantochuc", grant_on=tree["T"]))
    page.goto(live_server.url + "/orgs/C2/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chi bộ thôn Tây")
    page.get_by_role("link", name="Hợp nhất", exact=True).click()
    expect(page).to_have_url(live_server.url + "/orgs/merge/?sources=C2")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hợp nhất / sáp nhập tổ chức")
    expect(page.locator("main form")).to_contain_text("Chi bộ thôn Tây (C2)")

    sources = page.get_by_label("Các tổ chức được hợp nhất")
    expect(sources).to_have_value("C2")
    page.get_by_label("Sáp nhập vào một tổ chức đang có").check()
    expect(page.locator(".mode-new").first).to_be_hidden()
    page.get_by_label("Tổ chức nhận sáp nhập").fill("C1")
    page.get_by_label("Ngày hiệu lực").fill("01/03/2024")
    page.get_by_label("Số quyết định").fill("125-QĐ/ĐU")
    page.get_by_label("Ngày quyết định").fill("20/02/2024")
    page.get_by_label("Cơ quan ban hành").fill("Đảng ủy xã An Lạc")
    shot(page, "form-hop-nhat")
    page.get_by_role("button", name="Ghi nhận").click()

    expect(page).to_have_url(with_date(live_server.url + "/orgs/C1/", "01/03/2024"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chi bộ thôn Đông")
    expect(page.locator(".alert-success")).to_contain_text("Đã ghi nhận:")
    expect(page.locator(".alert-success")).to_contain_text("Chi bộ thôn Tây")
    shot(page, "sau-hop-nhat")
    event = Restructuring.objects.get(op=Restructuring.Op.MERGE)
    assert event.decision.number == "125-QĐ/ĐU"
    assert Organization.objects.get(code="C2").dissolved_on is not None

    # the merged organization's history shows the event and its decision
    page.goto(live_server.url + "/orgs/C2/")
    expect(page.locator(".badge.text-bg-warning")).to_contain_text("Đã giải thể ngày 01/03/2024")
    page.get_by_role("link", name="Lịch sử", exact=True).click()
    expect(page).to_have_url(live_server.url + "/orgs/C2/history/")
    events = page.locator("table").first
    expect(events).to_contain_text("Hợp nhất / sáp nhập")
    expect(events).to_contain_text("Số 125-QĐ/ĐU ngày 20/02/2024")
    expect(events).to_contain_text("Cán bộ bantochuc")
    shot(page, "lich-su")

    # the commune's structure: three cells the day before, two on the day
    page.goto(live_server.url + "/orgs/X1/structure/")
    fill_date_box(page, "29/02/2024")
    expect(page.locator("#cells-total")).to_have_text("3")
    shot(page, "co-cau-hom-truoc")
    fill_date_box(page, "01/03/2024")
    expect(page.locator("#cells-total")).to_have_text("2")
    shot(page, "co-cau-ngay-hop-nhat")
    assert_no_problems(page_problems)


# ---------------------------------------------------------------------------- 4. errors next to the fields


def test_wrong_input_shows_the_error_next_to_the_field(tree, live_server, logged_in, shot, page_problems):
    page = logged_in(make_user("bantochuc", grant_on=tree["T"]))
    before = Organization.objects.count()
    page.goto(live_server.url + "/orgs/establish/?parent=X1")
    expect(page.get_by_label("Tổ chức cấp trên")).to_have_value("X1")
    page.get_by_label("Mã tổ chức").fill("C9")
    page.get_by_label("Tên tổ chức").fill("Chi bộ thôn Nam")
    page.get_by_label("Loại tổ chức").select_option(label="Chi bộ trực thuộc")
    page.get_by_label("Phân loại").select_option(label="Thôn, bản")
    page.get_by_label("Ngày hiệu lực").fill("31/02/2020")
    page.get_by_label("Số quyết định").fill("88-QĐ/ĐU")
    page.get_by_label("Ngày quyết định").fill("15/01/2020")
    page.get_by_role("button", name="Ghi nhận").click()

    on_field = page.locator(".field-on")
    expect(on_field.locator(".invalid-feedback")).to_have_text(
        "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy, ví dụ 01/07/2025."
    )
    expect(on_field.locator("input")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator(".invalid-feedback")).to_have_count(1)
    # what was typed is kept
    expect(page.get_by_label("Ngày hiệu lực")).to_have_value("31/02/2020")
    expect(page.get_by_label("Mã tổ chức")).to_have_value("C9")
    expect(page.get_by_label("Tên tổ chức")).to_have_value("Chi bộ thôn Nam")
    expect(page.get_by_label("Loại tổ chức").locator("option:checked")).to_have_text("Chi bộ trực thuộc")
    expect(page.get_by_label("Phân loại").locator("option:checked")).to_have_text("Thôn, bản")
    expect(page.get_by_label("Số quyết định")).to_have_value("88-QĐ/ĐU")
    expect(page.get_by_label("Ngày quyết định")).to_have_value("15/01/2020")
    shot(page, "ngay-sai")
    assert Organization.objects.count() == before

    # a cell under a district breaks the placement rule
    page.get_by_label("Ngày hiệu lực").fill("01/02/2020")
    page.get_by_label("Tổ chức cấp trên").fill("H1")
    page.get_by_role("button", name="Ghi nhận").click()
    parent_error = page.locator(".field-parent .invalid-feedback")
    expect(parent_error).to_contain_text("Chi bộ trực thuộc không thể trực thuộc Đảng bộ huyện")
    expect(parent_error).to_contain_text("Quy tắc ORG.KIND_PARENT")
    expect(page.locator(".field-on .invalid-feedback")).to_have_count(0)
    expect(page.get_by_label("Tổ chức cấp trên")).to_have_value("H1")
    expect(page.get_by_label("Ngày hiệu lực")).to_have_value("01/02/2020")
    expect(page.get_by_label("Tên tổ chức")).to_have_value("Chi bộ thôn Nam")
    shot(page, "sai-cap-tren")
    assert Organization.objects.count() == before

    # corrected, it is recorded
    page.get_by_label("Tổ chức cấp trên").fill("X1")
    page.get_by_role("button", name="Ghi nhận").click()
    expect(page).to_have_url(with_date(live_server.url + "/orgs/C9/", "01/02/2020"))
    expect(page.locator(".alert-success")).to_contain_text("Thành lập Chi bộ thôn Nam (C9)")
    assert Organization.objects.count() == before + 1
    assert_no_problems(page_problems)


# ------------------------------------------------------------------------------------------- 5. on a phone


PHONE = {"width": 375, "height": 800}


@pytest.mark.parametrize(
    "path",
    ["/orgs/list/", "/orgs/X1/", "/orgs/", "/orgs/merge/?sources=C2"],
    ids=["danh-sach", "trang-to-chuc", "cay", "form-hop-nhat"],
)
def test_phone_width_has_no_horizontal_overflow(tree, live_server, logged_in, shot, page_problems, path):
    page = logged_in(make_user("bantochuc", grant_on=tree["T"]), **PHONE)
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shot(page, "dien-thoai")
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= inner_width + 1, (
        f"{path} tràn ngang trên điện thoại: scrollWidth {scroll_width} > innerWidth {inner_width}"
    )
    assert_no_problems(page_problems)


def test_phone_menu_opens_and_the_date_box_works(tree, live_server, logged_in, shot, page_problems):
    page = logged_in(make_user("bantochuc", grant_on=tree["T"]), **PHONE)
    page.goto(live_server.url + "/orgs/list/")
    expect(page.get_by_label("Ngày xem")).to_be_hidden()  # folded into the menu
    page.get_by_role("button", name="Mở menu").click()  # Bootstrap's JS is loaded
    expect(page.get_by_label("Ngày xem")).to_be_visible()
    expect(page.locator("#nav")).to_have_class(re.compile(r"\bshow\b"))  # the opening animation is over
    shot(page, "menu-mo")
    fill_date_box(page, "01/06/2001")
    expect(page.locator(".as-of-banner")).to_contain_text("01/06/2001")
    expect(page.locator("table tbody tr")).to_have_count(9)
    assert_no_problems(page_problems)
