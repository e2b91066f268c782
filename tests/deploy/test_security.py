"""Security of a deployment: login throttling, expiring API tokens, API throttling, the session's idle timeout, and
the Content-Security-Policy with the other headers on every kind of page."""

from __future__ import annotations

import datetime as dt
import pathlib
import re

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from coso.accounts.services import issue_token
from tests.orgs.test_api import PASSWORD, client_for, make_user

TEMPLATES = pathlib.Path(__file__).resolve().parents[2] / "coso" / "templates"


def login(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_wrong_passwords_lock_the_login_even_for_the_right_one_then_it_cools_off(tree, settings):
    make_user("tentinh", "org_commission", tree["T"])
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "tentinh", "sai-mat-khau").status_code == 200  # the form again, with its message
    locked = login(client, "tentinh", "sai-mat-khau")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Tạm khóa đăng nhập" in text and f"{settings.AXES_FAILURE_LIMIT} lần" in text and "15 phút" in text
    # the right password is refused while the lock holds, and the attempts are on record
    assert login(client, "tentinh", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get(username="tentinh")
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
    # after the cool-off, the right password logs in again
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(minutes=1)
    )
    assert login(client, "tentinh", PASSWORD).status_code == 302
    # another user name from the same address was never locked
    make_user("xa1", "org_commission", tree["X1"])
    assert login(Client(), "xa1", PASSWORD).status_code == 302


def test_an_expired_token_is_refused_with_a_message_that_says_what_to_do(tree, settings):
    user = make_user("tinh", "org_commission", tree["T"])
    client = client_for(user)
    assert client.get(reverse("api:me")).status_code == 200
    Token.objects.filter(user=user).update(
        created=timezone.now() - dt.timedelta(days=settings.COSO_TOKEN_DAYS)
    )
    refused = client.get(reverse("api:me"))
    assert refused.status_code == 401
    assert "Token đã hết hạn" in refused.json()["detail"] and "coso token" in refused.json()["detail"]
    fresh = client_for(None)
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user).key}")
    assert fresh.get(reverse("api:me")).status_code == 200


def test_the_api_throttles_a_user_and_an_anonymous_caller(tree, settings):
    settings.COSO_API_RATES = {"user": "3/minute", "anon": "2/minute"}
    client = client_for(make_user("tinh", "org_commission", tree["T"]))
    answers = [client.get(reverse("api:me")).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    body = client.get(reverse("api:me")).json()
    assert body["detail"].startswith("Quá nhiều yêu cầu") and "giây" in body["detail"]
    anonymous = [client_for(None).get(reverse("api:org-list")).status_code for _ in range(3)]
    assert anonymous == [401, 401, 429]


def test_the_session_ends_after_the_idle_time_and_each_request_renews_it(tree, settings):
    client = Client()
    client.force_login(make_user("tinh", "org_commission", tree["T"]))
    response = client.get(reverse("orgs:list"))
    assert response.status_code == 200
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE == 30 * 60
    assert cookie["httponly"]


PAGES = [
    ("login page", "accounts:login", (), False),
    ("list", "orgs:list", (), True),
    ("tree", "orgs:tree", (), True),
    ("detail", "orgs:detail", ("X1",), True),
    ("form", "orgs:rename", ("X1",), True),
    ("report", "members:statistics", ("X1",), True),
    ("evaluation", "evaluation:index", (), True),
    ("meetings", "meetings:index", (), True),
    ("API answer", "api:me", (), True),
    ("API docs", "api:docs", (), True),
    ("not found", None, (), True),
]


@pytest.mark.parametrize(("kind", "name", "args", "signed_in"), PAGES, ids=[p[0] for p in PAGES])
def test_every_kind_of_page_carries_the_security_headers(tree, kind, name, args, signed_in):
    client = Client()
    if signed_in:
        client.force_login(make_user("tinh", "org_commission", tree["T"]))
    url = reverse(name, args=args) if name else "/khong-co-trang-nay/"
    response = client.get(url)
    assert response.status_code == (404 if name is None else 200), (kind, response.status_code)
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    if signed_in:
        assert "no-store" in response["Cache-Control"]
    if response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        inline = [s for s in re.findall(r"<script\b[^>]*>", html) if "src=" not in s]
        assert not inline, f"{kind}: inline script {inline}"
        assert not re.search(r"\son[a-z]+=", html), f"{kind}: an inline event handler"


def test_no_template_holds_an_inline_script_a_handler_or_a_style_element():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        assert not [s for s in re.findall(r"<script\b[^>]*>", text) if "src=" not in s], path
        assert not re.search(r"\son(click|submit|change|input|load|keyup|keydown)=", text), path
        assert "<style" not in text, path
