"""The pages under the Content-Security-Policy (no inline script): what used to be inline handlers still works —
a confirmation before revoking a grant, "Mã tổ chức khác" on the evaluation page, the year list that reloads the
results — and the browser reports nothing blocked (every browser test checks that, see conftest.new_page)."""

from __future__ import annotations

from importlib import import_module

import pytest

from coso.accounts.models import RoleGrant

from .conftest import make_user
from .playwright_expect import BROWSER_TEST, expect

pytestmark = BROWSER_TEST


@pytest.fixture(autouse=True)
def evaluation_rules(vocabulary):
    from django.apps import apps

    import_module("coso.meetings.migrations.0002_seed").seed(apps, None)
    import_module("coso.evaluation.migrations.0002_seed").seed(apps, None)


def test_pages_carry_the_policy_and_their_buttons_work_without_inline_script(
    tree, live_server, logged_in, shot
):
    commission = make_user("bantochuc", grant_on=tree["T"])
    make_user("canbo.xa", grant_on=tree["X1"])
    page = logged_in(commission)

    response = page.goto(live_server.url + "/grants/")
    policy = response.headers["content-security-policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    grant = RoleGrant.objects.get(user__username="canbo.xa")
    row = page.locator("tr", has_text="canbo.xa")

    # dismissing the confirmation revokes nothing; accepting it revokes the grant
    page.once("dialog", lambda d: d.dismiss())
    row.get_by_role("button", name="Thu hồi").click()
    expect(row.get_by_role("button", name="Thu hồi")).to_be_visible()
    grant.refresh_from_db()
    assert grant.revoked_at is None
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        row.get_by_role("button", name="Thu hồi").click()
    grant.refresh_from_db()
    assert grant.revoked_at is not None

    # "Mã tổ chức khác" goes to that organization's results, the code trimmed
    page.goto(live_server.url + "/evaluation/")
    page.get_by_label("Mã tổ chức").fill("  X1 ")
    with page.expect_navigation():
        page.get_by_role("button", name="Xem kết quả").click()
    assert page.url.endswith("/evaluation/results/X1/")

    # the year list reloads the page for the chosen year
    with page.expect_navigation():
        page.locator("select#year").select_option("2023")
    assert "year=2023" in page.url
    shot(page, "results-2023")


def test_two_factor_set_up_on_a_phone_then_the_access_log(tree, live_server, new_page, shot, settings):
    """A province commission signs in on a phone with two factors on: scans (here: reads) the QR code's secret,
    types the app's code, gets the recovery codes; the system administrator then finds it in the access log."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from coso.accounts.models import User

    from .conftest import PASSWORD

    settings.COSO_REQUIRE_2FA = True
    user = make_user("bantochuc", grant_on=tree["T"])
    page = new_page(390, 844)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Tên đăng nhập").fill("bantochuc")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", name="Xác thực hai lớp")).to_be_visible()
    expect(page.get_by_alt_text("Mã QR để thêm tài khoản Coso vào ứng dụng xác thực")).to_be_visible()
    shot(page, "cai-xac-thuc-hai-lop-390")
    device = TOTPDevice.objects.get(user=user)
    secret = page.locator("#otp-secret").inner_text().replace(" ", "")
    assert secret and secret in __import__("base64").b32encode(device.bin_key).decode()
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    page.get_by_label("Mã xác thực").fill(code)
    page.get_by_role("button", name="Xác nhận và bật").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    shot(page, "ma-khoi-phuc-390")
    page.get_by_role("link", name="Tôi đã cất mã, tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/2fa/" not in page.url

    User.objects.create_superuser("quantri", password=PASSWORD)
    TOTPDevice.objects.create(user=User.objects.get(username="quantri"), name="app", confirmed=True)
    admin = new_page()
    admin.goto(live_server.url + "/login/")
    admin.get_by_label("Tên đăng nhập").fill("quantri")
    admin.get_by_label("Mật khẩu").fill(PASSWORD)
    admin.get_by_role("button", name="Đăng nhập").click()
    admin_device = TOTPDevice.objects.get(user__username="quantri")
    totp = TOTP(
        admin_device.bin_key, admin_device.step, admin_device.t0, admin_device.digits, admin_device.drift
    )
    admin.get_by_label("Mã xác thực").fill(f"{totp.token():06d}")
    admin.get_by_role("button", name="Tiếp tục").click()
    admin.goto(live_server.url + "/access-log/")
    log = admin.locator("#access-log")
    expect(log).to_contain_text("Bật xác thực hai lớp (ứng dụng xác thực)")
    expect(log).to_contain_text("bantochuc")
    shot(admin, "nhat-ky-truy-cap")
