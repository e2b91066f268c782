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
