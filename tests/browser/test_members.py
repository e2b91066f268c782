"""The member pages in headless Chromium: an Excel import refused then accepted, a transfer from the letter to
the arrival, and the move of a whole cell.

Data: the `tree` fixture (province T → districts H1, H2 → communes X1, X2 → cells C1..C4, C3 the agency cell of
commune X1). The user holds org_commission on T. Screenshots of every step go to /tmp/browser-shots/.
"""

from __future__ import annotations

import datetime as dt
import re

from coso.members import services as m
from coso.members.models import Ethnicity, Member, Membership, Religion, Transfer

from .conftest import make_user
from .playwright_expect import BROWSER_TEST, expect

pytestmark = BROWSER_TEST

D = dt.date


def assert_no_problems(page_problems) -> None:
    assert page_problems.items == [], "Trình duyệt gặp lỗi: " + "; ".join(page_problems.items)


def admit(cell, name: str, joined: dt.date, cid: str = "") -> Member:
    """A probationary member of `cell` from `joined`, through the service (no actor)."""
    return m.admit(
        None,
        m.Identity(
            full_name=name,
            birth_date=D(1980, 5, 10),
            gender="M",
            ethnicity=Ethnicity.objects.get(name="Kinh"),
            religion=Religion.objects.get(name="Không"),
            citizen_id=cid,
        ),
        cell=cell,
        admission_decided_on=joined - dt.timedelta(days=10),
        joined_on=joined,
        decision_number="12-QĐ/ĐU",
    )


def official_cell_on(member: Member, on: dt.date) -> str | None:
    """The code of the cell where `member` is an official member on `on`."""
    row = (
        Membership.objects.filter(member=member, kind=Membership.Kind.OFFICIAL, valid_from__lte=on)
        .exclude(valid_to__lte=on)
        .select_related("org")
        .first()
    )
    return row.org.code if row else None


# ------------------------------------------------------------------------------------- 1. the Excel import


def row(name: str, cid: str, *, birth: str = "10/05/1980", gender: str = "Nam") -> list[str]:
    return [
        name,
        birth,
        gender,
        "Kinh",
        "Không",
        cid,
        "",
        "01/02/2010",
        "15/02/2010",
        "15/02/2011",
        "12/12",
        "Đại học",
        "Trung cấp",
        "Nông dân",
        "C1",
        "15/02/2010",
    ]


def workbook(path, rows: list[list[str]]):
    from openpyxl import Workbook

    from coso.members.importer import COLUMNS

    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for values in rows:
        sheet.append(values)
    book.save(path)
    return path


def test_import_with_errors_then_corrected(tree, tmp_path, live_server, logged_in, shot, page_problems):
    page = logged_in(make_user("bantochuc", grant_on=tree["T"]))
    page.goto(live_server.url + "/members/import/")
    expect(page.get_by_role("heading", name="Nhập danh sách đảng viên từ Excel")).to_be_visible()

    wrong = workbook(
        tmp_path / "dang-vien-loi.xlsx",
        [
            row("Nguyễn Văn An", "001080000001", gender="Khác"),
            row("Trần Thị Bình", "001080000002", birth="31/02/1985"),
        ],
    )
    page.get_by_label("Tệp Excel").set_input_files(str(wrong))
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra tệp").click()
    errors = page.locator("#import-errors")
    expect(errors).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("dang-vien-loi.xlsx có 2 lỗi"))).to_contain_text(
        "chưa ghi gì"
    )
    lines = errors.locator("tbody tr")
    expect(lines).to_have_count(2)
    # the first data row is line 2 of the sheet (line 1 holds the headers)
    expect(lines.nth(0).locator("td").nth(0)).to_have_text("2")
    expect(lines.nth(0).locator("td").nth(1)).to_have_text("Giới tính")
    expect(lines.nth(0).locator("td").nth(2)).to_have_text("Khác")
    expect(lines.nth(1).locator("td").nth(0)).to_have_text("3")
    expect(lines.nth(1).locator("td").nth(1)).to_have_text("Ngày sinh")
    expect(lines.nth(1).locator("td").nth(2)).to_have_text("31/02/1985")
    expect(page.get_by_role("button", name="Xác nhận nhập")).to_have_count(0)
    shot(page, "loi")
    assert Member.objects.count() == 0

    right = workbook(
        tmp_path / "dang-vien.xlsx",
        [row("Nguyễn Văn An", "001080000001"), row("Trần Thị Bình", "001080000002", birth="28/02/1985")],
    )
    page.get_by_label("Tệp Excel").set_input_files(str(right))
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator("#import-errors")).to_have_count(0)
    expect(page.get_by_role("heading", name="Tệp dang-vien.xlsx hợp lệ")).to_be_visible()
    expect(page.locator(".card.border-success")).to_contain_text("Sẽ thêm 2 đảng viên: 2 chính thức, 0 dự bị")
    shot(page, "hop-le")
    assert Member.objects.count() == 0

    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận nhập").click()
    # the write ran as a background job (at once under the tests): its page tells the outcome, links the list
    expect(page).to_have_url(re.compile(r"/members/import/jobs/\d+/$"))
    expect(page.locator(".alert-success")).to_contain_text("Đã nhập 2 đảng viên từ tệp dang-vien.xlsx.")
    shot(page, "da-nhap")
    with page.expect_navigation():
        page.get_by_role("link", name="Xem danh sách đảng viên").click()
    expect(page).to_have_url(live_server.url + "/members/?under=C1")
    table = page.locator("table tbody")
    expect(table.get_by_role("link", name="Nguyễn Văn An")).to_be_visible()
    expect(table.get_by_role("link", name="Trần Thị Bình")).to_be_visible()
    expect(table).to_contain_text("Chi bộ thôn Đông")
    shot(page, "danh-sach")
    assert sorted(Member.objects.values_list("full_name", flat=True)) == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert_no_problems(page_problems)


def test_import_progress_polls_until_the_job_ends(
    tree, tmp_path, live_server, logged_in, shot, page_problems, settings
):
    """With a worker that has not run the job yet, the page shows the progress bar and polls it every second;
    the bar follows the job, and when the job ends the page shows its outcome by itself."""
    from coso.core import jobs
    from coso.core.models import Job

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not run
    page = logged_in(make_user("bantochuc", grant_on=tree["T"]))
    page.goto(live_server.url + "/members/import/")
    good = workbook(tmp_path / "dang-vien.xlsx", [row("Nguyễn Văn An", "001080000001")])
    page.get_by_label("Tệp Excel").set_input_files(str(good))
    with page.expect_navigation():
        page.get_by_role("button", name="Kiểm tra tệp").click()
    progress = page.locator("#import-progress")
    expect(progress).to_be_visible()
    expect(progress).to_contain_text("Đang chờ kiểm tra…")
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING, done=6000, total=10000, message="Đang kiểm tra từng dòng của tệp…"
    )
    expect(progress.locator(".progress-bar")).to_have_text("60%")
    expect(progress).to_contain_text("Đã đọc 6.000 / khoảng 10.000 dòng")
    shot(page, "dang-kiem-tra")
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)  # the worker takes it now
    jobs.run_job.call(job.pk, "coso.core.import_flow.check_job")
    expect(page.get_by_role("heading", name="Tệp dang-vien.xlsx hợp lệ")).to_be_visible()
    expect(page.locator("#import-progress")).to_have_count(0)
    shot(page, "da-kiem-tra")
    assert Member.objects.count() == 0
    assert_no_problems(page_problems)


# ------------------------------------------------------------------------------------------ 2. a transfer


def test_transfer_letter_then_arrival(tree, live_server, logged_in, shot, page_problems):
    member = admit(tree["C1"], "Đỗ Thị Hoa", D(2015, 3, 1))
    page = logged_in(make_user("bantochuc", grant_on=tree["T"]))
    page.goto(f"{live_server.url}/members/{member.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đỗ Thị Hoa")
    expect(page.locator(".subtle").first).to_contain_text("Chi bộ thôn Đông")

    page.get_by_role("link", name="Chuyển sinh hoạt").click()
    expect(page).to_have_url(f"{live_server.url}/members/{member.pk}/transfer/")
    page.locator("#id_kind").select_option(label="Chuyển sinh hoạt chính thức")
    page.locator("#id_left_on").fill("01/06/2023")
    page.locator("#id_to_org").fill("C4")
    page.locator("#id_letter_number").fill("45")
    page.locator("#id_dues_paid_to").fill("01/05/2023")
    shot(page, "giay-gioi-thieu")
    with page.expect_navigation():
        page.get_by_role("button", name="Ghi nhận").click()
    expect(page).to_have_url(f"{live_server.url}/members/{member.pk}/")
    expect(page.locator(".alert-success")).to_contain_text(
        "Đã cấp giấy giới thiệu (chuyển sinh hoạt chính thức)"
    )
    transfer = Transfer.objects.get(member=member)
    assert transfer.to_org == tree["C4"] and transfer.state == Transfer.State.ISSUED
    line = page.locator(f"#transfer-{transfer.pk}")
    expect(line).to_contain_text("Chi bộ thôn Đông")
    expect(line).to_contain_text("Chi bộ thôn Bắc")
    expect(line).to_contain_text("Đã cấp giấy giới thiệu")
    shot(page, "da-cap")

    letter = line.get_by_role("link", name="Giấy giới thiệu (.docx)")
    with page.expect_download() as download:
        letter.click()
    assert download.value.failure() is None
    assert download.value.suggested_filename == f"giay-gioi-thieu-{transfer.pk}.docx"
    # Chromium reports the navigation it turned into a download as an aborted request: expected, not a problem
    page_problems.items = [
        p
        for p in page_problems.items
        if not (p.endswith("/letter.docx (net::ERR_ABORTED)") and "thất bại" in p)
    ]
    response = page.request.get(live_server.url + letter.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert response.body()[:2] == b"PK"

    line.get_by_role("link", name="Xác nhận đến").click()
    expect(page).to_have_url(f"{live_server.url}/members/transfers/{transfer.pk}/arrival/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác nhận đến nơi sinh hoạt mới: Đỗ Thị Hoa")
    # a day before leaving is refused next to the field, nothing written
    page.locator("#id_on").fill("15/05/2023")
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Ngày đến phải từ ngày chuyển đi 01/06/2023")
    transfer.refresh_from_db()
    assert transfer.state == Transfer.State.ISSUED
    page.locator("#id_on").fill("10/06/2023")
    shot(page, "xac-nhan-den")
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận").click()
    expect(page).to_have_url(f"{live_server.url}/members/{member.pk}/")
    expect(page.locator(".alert-success")).to_contain_text(
        "Đã xác nhận Đỗ Thị Hoa đến sinh hoạt từ 10/06/2023."
    )
    expect(page.locator(".subtle").first).to_contain_text("Chi bộ thôn Bắc")
    expect(page.locator(".subtle code").first).to_have_text("C4")
    expect(page.locator(f"#transfer-{transfer.pk}")).to_contain_text("đến 10/06/2023")
    shot(page, "da-den")

    member.refresh_from_db()
    assert member.home_org == tree["C4"]
    assert official_cell_on(member, D(2023, 6, 9)) == "C1"
    assert official_cell_on(member, D(2023, 6, 10)) == "C4"
    assert_no_problems(page_problems)


# ----------------------------------------------------------------------------------------- 3. a bulk move


def test_bulk_move_of_a_dissolved_cell(tree, live_server, logged_in, shot, page_problems):
    names = ["Lê Văn An", "Trần Thị Bình", "Phạm Văn Cường"]
    members = [admit(tree["C3"], name, D(2010, 3, 1)) for name in names]
    page = logged_in(make_user("bantochuc", grant_on=tree["T"]))
    page.goto(live_server.url + "/members/bulk-move/C3/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Chuyển sinh hoạt cả chi bộ: Chi bộ cơ quan xã An Lạc"
    )
    page.locator("#id_on").fill("01/04/2019")
    with page.expect_navigation():
        page.get_by_role("button", name="Tải lại danh sách theo ngày").click()
    expect(page.locator("#id_on")).to_have_value("01/04/2019")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(3)
    for name in names:
        expect(page.locator("table tbody")).to_contain_text(name)
    # only the other cells of the same commune are offered
    options = page.locator("#all_to option")
    expect(options).to_have_text(["— chọn chi bộ —", "Chi bộ thôn Đông (C1)", "Chi bộ thôn Tây (C2)"])

    # no cell chosen: every row is marked and nothing is written
    page.locator("#id_decision_number").fill("9-QĐ/ĐU")
    page.locator("#id_reason").fill("Giải thể chi bộ cơ quan xã")
    with page.expect_navigation():
        page.get_by_role("button", name="Chuyển tất cả").click()
    expect(page.locator(".alert-danger")).to_contain_text(
        "Hãy sửa các dòng được đánh dấu; chưa có gì được ghi."
    )
    expect(page.locator("table .invalid-feedback")).to_have_text(["Hãy chọn chi bộ chuyển đến."] * 3)
    expect(page.locator("#id_decision_number")).to_have_value("9-QĐ/ĐU")
    expect(page.locator("#id_reason")).to_have_value("Giải thể chi bộ cơ quan xã")
    shot(page, "chua-chon")
    assert Membership.objects.filter(org=tree["C3"], valid_to__isnull=True).count() == 3
    assert Membership.objects.filter(org=tree["C1"]).count() == 0

    page.locator("#all_to").select_option(label="Chi bộ thôn Đông (C1)")
    shot(page, "chon-c1")
    with page.expect_navigation():
        page.get_by_role("button", name="Chuyển tất cả").click()
    expect(page).to_have_url(re.compile(r"/members/\?under=C1$"))  # the receiving cell's list
    expect(page.locator(".alert-success")).to_contain_text("Đã chuyển 3 đảng viên từ ngày 01/04/2019.")
    shot(page, "da-chuyen")

    for member in members:
        assert official_cell_on(member, D(2019, 4, 1)) == "C1", member.full_name
        assert official_cell_on(member, D(2019, 3, 31)) == "C3", member.full_name
        member.refresh_from_db()
        assert member.home_org == tree["C1"]

    page.goto(live_server.url + "/members/?under=C1")
    for name in names:
        expect(page.locator("table tbody").get_by_role("link", name=name)).to_be_visible()
    assert_no_problems(page_problems)
