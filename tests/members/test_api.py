"""The member API: writes go through the services (rules, scope), reads are scoped and logged."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from coso.accounts.models import User
from coso.accounts.services import grant_role, issue_token
from coso.members.models import Member, MemberView

BASE = {
    "gender": "M",
    "ethnicity": "Kinh",
    "religion": "Không",
    "admission_decided_on": "2020-02-20",
    "joined_on": "2020-03-01",
    "decision_number": "5-QĐ/ĐU",
}


@pytest.fixture
def api(tree):
    user = User.objects.create_user("btc", password="mat-khau-dai-123")
    grant_role(None, user=user, role="org_commission", org=tree["T"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user).key}")
    client.user = user
    return client


def admit(api, name, cell="C1", birth="1990-05-10", **extra):
    r = api.post(
        reverse("api:member-list"),
        {**BASE, "full_name": name, "birth_date": birth, "cell": cell, **extra},
        format="json",
    )
    assert r.status_code == 201, r.json()
    return r.json()


def test_admit_list_search_and_read(api):
    for name in ("Trần Văn Bình", "Nguyễn Văn An", "Lê Thị Ánh"):
        admit(api, name)
    r = api.get(reverse("api:member-list")).json()
    assert [m["full_name"] for m in r["results"]] == ["Nguyễn Văn An", "Lê Thị Ánh", "Trần Văn Bình"]
    r = api.get(reverse("api:member-list"), {"q": "nguyen van an"}).json()
    assert [m["full_name"] for m in r["results"]] == ["Nguyễn Văn An"]
    pk = r["results"][0]["id"]
    detail = api.get(reverse("api:member-detail", args=[pk])).json()
    assert detail["status"] == "probationary" and detail["memberships"][0]["org"] == "C1"
    assert MemberView.objects.filter(member_id=pk, user=api.user).count() == 1


def test_refusals_name_their_rule_and_write_nothing(api):
    r = api.post(
        reverse("api:member-list"),
        {**BASE, "full_name": "Trẻ Quá", "birth_date": "2003-01-01", "cell": "C1"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["rule"]["code"] == "MEM.ADMISSION_AGE"
    r = api.post(
        reverse("api:member-list"),
        {**BASE, "full_name": "Sai Chỗ", "birth_date": "1990-01-01", "cell": "X1"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["rule"]["code"] == "MEM.CELL"
    assert not Member.objects.exists()
    pk = admit(api, "Nguyễn Văn An")["id"]
    r = api.post(
        reverse("api:member-recognise", args=[pk]), {"on": "2021-02-28", "version": 1}, format="json"
    )
    assert r.status_code == 400 and r.json()["rule"]["code"] == "MEM.PROBATION"
    r = api.post(reverse("api:member-recognise", args=[pk]), {"on": "2021-03-01"}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "version", r.json()
    r = api.post(
        reverse("api:member-recognise", args=[pk]), {"on": "2021-03-01", "version": 1}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "official"
    r = api.post(
        reverse("api:member-transfer", args=[pk]),
        {"kind": "official", "left_on": "2022-05-02", "to_org": "C4", "version": 1},
        format="json",
    )
    assert r.status_code == 409 and "tải lại" in r.json()["detail"], r.json()  # recognised since: version 2


def test_transfer_and_bulk_move(api, tree):
    pk = admit(api, "Nguyễn Văn An")["id"]
    r = api.post(
        reverse("api:member-transfer", args=[pk]),
        {"kind": "official", "left_on": "2022-05-02", "to_org": "C4", "version": 1},
        format="json",
    )
    assert r.status_code == 201 and r.json()["present_by"] == "2022-06-01"
    t = r.json()["id"]
    r = api.post(reverse("api:transfer-arrive", args=[t]), {"on": "2022-05-10"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "arrived"
    assert Member.objects.get(pk=pk).home_org.code == "C4"
    others = [
        admit(api, f"Đảng viên {i}", cell="C3", joined_on="2015-03-01", admission_decided_on="2015-02-20")
        for i in range(3)
    ]
    r = api.post(
        reverse("api:bulk-move"),
        {"from_cell": "C3", "to": "C2", "on": "2019-04-01", "reason": "Giải thể chi bộ cơ quan"},
        format="json",
    )
    assert r.status_code == 200 and r.json() == {"moved": 3}
    assert {Member.objects.get(pk=o["id"]).home_org.code for o in others} == {"C2"}


def test_another_commune_cannot_reach_members(api, tree):
    pk = admit(api, "Nguyễn Văn An", cell="C4")["id"]
    user = User.objects.create_user("xa1", password="mat-khau-dai-123")
    grant_role(None, user=user, role="org_commission", org=tree["X1"])
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user).key}")
    assert other.get(reverse("api:member-detail", args=[pk])).status_code == 404
    assert other.get(reverse("api:member-list")).json()["count"] == 0
    r = other.post(
        reverse("api:member-recognise", args=[pk]), {"on": "2021-03-01", "version": 1}, format="json"
    )
    assert r.status_code == 404


def test_statistics_and_structure_checks(api, tree):
    admit(api, "Nguyễn Văn An")
    r = api.get(reverse("api:member-statistics", args=["X1"]), {"as_of": "2020-06-01"})
    data = r.json()
    assert r.status_code == 200 and data["total"] == 1 and data["probationary"] == 1
    assert {"org", "as_of", "official", "by_gender", "by_age_band", "by_ethnicity", "by_theory_level"} <= set(
        data
    )
    r = api.get(reverse("api:structure-checks", args=["X1"]), {"as_of": "2020-06-01"})
    assert r.status_code == 200 and any(w["rule"] == "ORG.MEMBER_COUNTS" for w in r.json()["warnings"])


def test_schema_generates_without_warnings(db, tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
