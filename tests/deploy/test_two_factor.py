"""Two-factor sign-in for the system administrator and the organization and inspection commissions, their API
tokens, and the access log the system administrator reads."""

from __future__ import annotations

import datetime as dt
import re
import sys
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from coso.accounts.models import TokenIssue, User
from coso.accounts.services import issue_token
from coso.core.models import AccessEvent
from tests.deploy.test_serve import coso, production_env
from tests.orgs.test_api import PASSWORD, make_user


@pytest.fixture
def two_factor_on(settings):
    settings.COSO_REQUIRE_2FA = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def code_for(user: User, steps_ahead: int = 0) -> str:
    """The code the cadre's authenticator app shows now (or `steps_ahead` periods of 30 s later)."""
    device = TOTPDevice.objects.filter(user=user).order_by("-id").first()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Client, username: str) -> object:
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD}, follow=True)


def test_a_commission_sets_up_its_app_then_signs_in_with_codes(tree, two_factor_on):
    user = make_user("tentinh", "org_commission", tree["T"])
    client = Client()
    r = sign_in(client, "tentinh")
    page = r.content.decode()
    assert r.redirect_chain[-1][0].startswith(reverse("accounts:two_factor"))
    assert "quét mã QR" in page and 'src="data:image/svg+xml' in page
    # until the code is given, nothing else opens: pages send back to the second step, the API says why
    r = client.get(reverse("orgs:list"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:two_factor"))
    api = client.get("/api/v1/orgs/")
    assert api.status_code == 403 and "xác thực hai lớp" in api.json()["detail"]
    # a wrong code is refused in words; the right one turns it on and shows ten recovery codes, once
    r = client.post(
        reverse("accounts:two_factor"), {"code": "000000" if code_for(user) != "000000" else "111111"}
    )
    assert "Mã chưa đúng" in r.content.decode()
    # straight after a wrong code the next try waits (the device's throttle doubles with each wrong code)
    r = client.post(reverse("accounts:two_factor"), {"code": code_for(user)})
    assert "chờ ít phút" in r.content.decode()
    device = TOTPDevice.objects.get(user=user)
    device.throttling_failure_timestamp -= dt.timedelta(seconds=2)  # two seconds later
    device.save()
    r = client.post(reverse("accounts:two_factor"), {"code": code_for(user), "next": "/orgs/list/"})
    page = r.content.decode()
    codes = re.findall(r"<code>(\d{4}-\d{4})</code>", page)
    assert "Đã bật xác thực hai lớp" in page and len(codes) == 10
    assert client.get(reverse("orgs:list")).status_code == 200
    # next sign-in: the app's code, or a recovery code once
    client.post(reverse("accounts:logout"))
    second = Client()
    sign_in(second, "tentinh")
    r = second.post(reverse("accounts:two_factor"), {"code": codes[0]})
    assert r.status_code == 302 and second.get(reverse("orgs:list")).status_code == 200
    third = Client()
    sign_in(third, "tentinh")
    r = third.post(reverse("accounts:two_factor"), {"code": codes[0]})
    assert r.status_code == 200 and "Mã chưa đúng" in r.content.decode()
    kinds = list(AccessEvent.objects.filter(username="tentinh").values_list("what", flat=True))
    assert "Bật xác thực hai lớp (ứng dụng xác thực)" in kinds and "Nhập sai mã xác thực" in kinds
    assert any(k.startswith("Xác thực bằng mã khôi phục (còn 9 mã)") for k in kinds)


def test_other_roles_sign_in_with_the_password_alone(tree, two_factor_on):
    make_user("bithu", "cell_secretary", tree["C1"])
    r = sign_in(Client(), "bithu")
    assert r.redirect_chain[-1][0] == reverse("orgs:tree")


def test_a_superuser_needs_it_too(db, two_factor_on):
    User.objects.create_superuser("quantri", password=PASSWORD)
    r = sign_in(Client(), "quantri")
    assert r.redirect_chain[-1][0].startswith(reverse("accounts:two_factor"))


def test_tokens_of_such_accounts_work_only_when_made_after_the_second_step(tree, two_factor_on, settings):
    user = make_user("tentinh", "org_commission", tree["T"])
    # a token made with the password alone (while two factors were off on this server) is refused now
    settings.COSO_REQUIRE_2FA = False
    client = Client()
    sign_in(client, "tentinh")
    client.post(reverse("accounts:token"))
    old = TokenIssue.objects.get(token__user=user)
    assert old.how == TokenIssue.How.PASSWORD
    settings.COSO_REQUIRE_2FA = True
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old.token_id}")
    r = api.get("/api/v1/orgs/")
    assert r.status_code == 401 and "token tạo sau khi đăng nhập có mã xác thực" in r.json()["detail"]
    # one made on the profile page after the second step works
    client = Client()
    sign_in(client, "tentinh")
    client.post(reverse("accounts:two_factor"), {"code": code_for(user)})
    page = client.post(reverse("accounts:token")).content.decode()
    key = re.search(r'id="token-value"[^>]*>(\w+)<', page).group(1)
    assert TokenIssue.objects.get(token__key=key).how == TokenIssue.How.TWO_FACTOR
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/orgs/").status_code == 200
    # and one made on the server (`coso token`) stays valid: the server's shell is trusted
    from io import StringIO

    out = StringIO()
    call_command("token", "tentinh", stdout=out)
    api.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
    assert api.get("/api/v1/orgs/").status_code == 200
    # a token of an account without two factors is untouched
    viewer = make_user("xem", "viewer", tree["T"])
    api.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(viewer, TokenIssue.How.PASSWORD).key}")
    assert api.get("/api/v1/orgs/").status_code == 200


def test_a_lost_phone_is_reset_on_the_server(tree, two_factor_on):
    user = make_user("tentinh", "org_commission", tree["T"])
    client = Client()
    sign_in(client, "tentinh")
    client.post(reverse("accounts:two_factor"), {"code": code_for(user)})
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    call_command("reset_2fa", "tentinh", stdout=sys.stdout)
    assert not TOTPDevice.objects.filter(user=user).exists()
    r = sign_in(Client(), "tentinh")
    assert "quét mã QR" in r.content.decode()  # sets up a new app


def test_production_settings_turn_it_on_and_one_setting_turns_it_off(tmp_path):
    probe = [
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.COSO_REQUIRE_2FA)",
    ]
    assert coso(*probe, env=production_env(tmp_path)).stdout.strip() == "True"
    off = production_env(tmp_path, COSO_REQUIRE_2FA="0")
    assert coso(*probe, env=off).stdout.strip() == "False"
    demo = {k: v for k, v in production_env(tmp_path).items() if k != "COSO_DEBUG"}
    assert coso(*probe, env=demo).stdout.strip() == "False"  # `make run`: DEBUG on, passwords alone


# ------------------------------------------------------------------------------------------ access log


def test_the_access_log_shows_logins_views_exports_and_imports_to_the_system_administrator(tree, settings):
    from tests.members.test_services import admit

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_user("tentinh", "org_commission", tree["T"])
    member = admit(tree["C1"], name="Nguyễn Văn An")
    cadre = Client()
    cadre.post(reverse("accounts:login"), {"username": "tentinh", "password": "sai"})
    sign_in(cadre, "tentinh")
    cadre.get(reverse("members:detail", args=[member.pk]))
    r = cadre.get(reverse("orgs:export"))
    assert r["Content-Disposition"].startswith("attachment")
    # a province cadre does not read the log
    assert cadre.get(reverse("accounts:access_log")).status_code == 404

    User.objects.create_superuser("quantri", password=PASSWORD)
    admin = Client()
    sign_in(admin, "quantri")
    page = admin.get(reverse("accounts:access_log")).content.decode()
    for text in (
        "Đăng nhập sai",
        "Đăng nhập bằng mật khẩu",
        f"Hồ sơ đảng viên Nguyễn Văn An (mã {member.pk})",
        "Tải xuống tệp to-chuc-",
    ):
        assert text in page, text
    views = admin.get(reverse("accounts:access_log"), {"kind": "view"}).content.decode()
    table = views.split('id="access-log"')[1]
    assert "Nguyễn Văn An" in table and "Đăng nhập sai" not in table
    book = admin.get(reverse("accounts:access_log"), {"kind": "login_failed", "format": "xlsx"})
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(book.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Lúc", "Tên đăng nhập", "Loại") and rows[1][1] == "tentinh"
    assert len(rows) == 2


@pytest.mark.django_db
def test_a_written_import_is_logged_with_its_rows_and_a_check_is_not():
    from coso.orgs.importer import import_orgs
    from tests.orgs.test_import import DISTRICT, xlsx

    import_orgs(xlsx(DISTRICT), None, dry_run=True)
    assert not AccessEvent.objects.filter(kind="import").exists()  # a check reads, writes nothing
    assert import_orgs(xlsx(DISTRICT), None).errors == []
    event = AccessEvent.objects.get(kind="import")
    assert event.what == f"Nhập {len(DISTRICT)} dòng từ tệp to-chuc.xlsx"
    assert event.username == "máy chủ (lệnh coso import)" and event.user is None
