"""The accounts API: /api/v1/me/ and role grants within the requester's grant scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from coso.accounts.models import RoleGrant, User
from coso.accounts.services import create_user, grant_role, issue_token

PASSWORD = "Coso-kiem-thu-2025!"


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user).key}")
    return client


def make_user(username: str, role: str | None = None, org: Any = None) -> User:
    user = create_user(None, username=username, password=PASSWORD, full_name=f"Cán bộ {username}")
    if role is not None:
        grant_role(None, user=user, role=role, org=org)
    return user


def url(name: str, *args: Any) -> str:
    return reverse(f"api:{name}", args=args)


@pytest.fixture
def people(tree) -> dict[str, User]:
    """A province commission, a commune commission (X1), a viewer on X2 and a user with no grant yet."""
    return {
        "tinh": make_user("tinh", "org_commission", tree["T"]),
        "xa1": make_user("xa1", "org_commission", tree["X1"]),
        "xem2": make_user("xem2", "viewer", tree["X2"]),
        "moi": make_user("moi"),
    }


def test_me_shows_the_user_and_their_active_grants(tree, people):
    me = client_for(people["xa1"]).get(url("me"))
    assert me.status_code == 200
    data = me.json()
    assert (data["username"], data["full_name"], data["is_superuser"]) == ("xa1", "Cán bộ xa1", False)
    assert [(g["role"], g["role_display"], g["org"], g["org_name"]) for g in data["grants"]] == [
        ("org_commission", "Ban Tổ chức", "X1", "Đảng bộ xã An Lạc")
    ]
    assert data["can_change_orgs"] is True and data["can_grant"] is True
    viewer = client_for(people["xem2"]).get(url("me")).json()
    assert viewer["can_change_orgs"] is False and viewer["can_grant"] is False
    assert client_for(people["moi"]).get(url("me")).json()["grants"] == []


def test_session_login_works_too(tree, people):
    client = APIClient()
    signed_in = client.post(reverse("accounts:login"), {"username": "xa1", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert client.get(url("me")).json()["username"] == "xa1"
    assert APIClient().get(url("me")).status_code == 401


def test_grants_list_is_scoped(tree, people):
    province = client_for(people["tinh"]).get(url("grant-list")).json()
    assert {(g["username"], g["org"]) for g in province["results"]} == {
        ("tinh", "T"),
        ("xa1", "X1"),
        ("xem2", "X2"),
    }
    commune = client_for(people["xa1"]).get(url("grant-list")).json()
    assert [(g["username"], g["org"], g["active"]) for g in commune["results"]] == [("xa1", "X1", True)]
    # holding no grant permission, a viewer lists nothing (its own grants are on /me/)
    assert client_for(people["xem2"]).get(url("grant-list")).json()["results"] == []


def test_grants_list_filters(tree, people):
    client = client_for(people["tinh"])
    assert [g["username"] for g in client.get(url("grant-list") + "?org=x2").json()["results"]] == ["xem2"]
    assert [g["org"] for g in client.get(url("grant-list") + "?username=XA1").json()["results"]] == ["X1"]
    assert client.get(url("grant-list") + "?active=false").json()["count"] == 0
    r = client.get(url("grant-list") + "?active=maybe")
    assert r.status_code == 400 and r.json()["field"] == "active"


def test_grant_and_revoke_within_scope(tree, people):
    client = client_for(people["xa1"])
    r = client.post(
        url("grant-list"), {"username": "MOI", "role": "cell_secretary", "org": "c1"}, format="json"
    )
    assert r.status_code == 201, r.json()
    grant = r.json()
    assert (grant["username"], grant["role"], grant["org"], grant["granted_by"], grant["active"]) == (
        "moi",
        "cell_secretary",
        "C1",
        "xa1",
        True,
    )
    assert grant["org_name"] == "Chi bộ thôn Đông"
    newcomer = client_for(people["moi"])
    assert newcomer.get(reverse("api:org-detail", args=["C1"])).status_code == 200
    assert newcomer.get(reverse("api:org-detail", args=["C2"])).status_code == 404
    assert client.get(url("grant-detail", grant["id"])).json()["id"] == grant["id"]

    r = client.post(url("grant-revoke", grant["id"]))
    assert r.status_code == 200
    assert r.json()["active"] is False and r.json()["revoked_by"] == "xa1" and r.json()["revoked_at"]
    assert newcomer.get(reverse("api:org-detail", args=["C1"])).status_code == 404
    again = client.post(url("grant-revoke", grant["id"]))
    assert again.status_code == 400 and "thu hồi" in again.json()["detail"]
    assert RoleGrant.objects.filter(user=people["moi"]).count() == 1  # revoked grants stay


def test_grants_out_of_scope_are_not_found_or_unknown(tree, people):
    commune = client_for(people["xa1"])
    theirs = RoleGrant.objects.get(user=people["xem2"])
    assert commune.get(url("grant-detail", theirs.pk)).status_code == 404
    r = commune.post(url("grant-revoke", theirs.pk))
    assert r.status_code == 404
    assert r.json()["detail"] == "Không tìm thấy hoặc không thuộc phạm vi của bạn."
    before = RoleGrant.objects.count()
    out_of_scope = commune.post(
        url("grant-list"), {"username": "moi", "role": "viewer", "org": "X2"}, format="json"
    )
    unknown = commune.post(
        url("grant-list"), {"username": "moi", "role": "viewer", "org": "NOPE"}, format="json"
    )
    assert out_of_scope.status_code == unknown.status_code == 400
    assert out_of_scope.json()["field"] == "org"
    assert out_of_scope.json()["detail"].replace("X2", "NOPE") == unknown.json()["detail"]
    assert RoleGrant.objects.count() == before


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"username": "ai-do", "role": "viewer", "org": "C1"}, "username", "Không có người dùng “ai-do”"),
        ({"username": "moi", "role": "vua", "org": "C1"}, "role", "“vua” không phải vai trò hợp lệ"),
        ({"username": "moi", "role": "viewer"}, "org", "Hãy nhập mã tổ chức."),
        ({"username": "moi", "role": "sysadmin", "org": "C1"}, "role", "Chỉ quản trị toàn hệ thống"),
        ({"username": "xa1", "role": "org_commission", "org": "X1"}, "role", "đã có vai trò Ban Tổ chức"),
    ],
)
def test_bad_grants_are_400_naming_the_field(tree, people, data, field, words):
    before = RoleGrant.objects.count()
    r = client_for(people["xa1"]).post(url("grant-list"), data, format="json")
    assert r.status_code == 400, r.json()
    assert r.json()["field"] == field
    assert words in r.json()["detail"]
    assert RoleGrant.objects.count() == before


def test_only_grant_holders_may_grant(tree, people):
    r = client_for(people["xem2"]).post(
        url("grant-list"), {"username": "moi", "role": "viewer", "org": "X2"}, format="json"
    )
    assert r.status_code == 403
    assert r.json()["detail"] == "Bạn không có quyền cấp vai trò cho người dùng."
    own = RoleGrant.objects.get(user=people["xem2"])
    assert client_for(people["xem2"]).post(url("grant-revoke", own.pk)).status_code == 404


def test_superuser_may_grant_sysadmin(tree, people):
    root = User.objects.create_superuser("quantri", password=PASSWORD)
    r = client_for(root).post(
        url("grant-list"), {"username": "moi", "role": "sysadmin", "org": "T"}, format="json"
    )
    assert r.status_code == 201, r.json()
    assert r.json()["granted_by"] == "quantri"
