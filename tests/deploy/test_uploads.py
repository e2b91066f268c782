"""Uploaded decision files: stored under a random name, never served under MEDIA_URL, downloaded only through
the page and the API that check login and scope, under the name they were uploaded with."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from coso.orgs import services as s
from coso.orgs.models import Decision
from tests.conftest import new
from tests.orgs.test_api import client_for, make_user

D = dt.date
CONTENT = b"%PDF-1.4 quyet dinh thanh lap chi bo"


@pytest.fixture
def uploaded(tree, settings, tmp_path) -> Decision:
    settings.MEDIA_ROOT = tmp_path / "media"
    upload = SimpleUploadedFile("Quyết định 125-QĐ thành lập.pdf", CONTENT, content_type="application/pdf")
    s.establish(
        None,
        new("C9", "Chi bộ thôn Nam", "Chi bộ trực thuộc", tree["X1"], "Thôn, bản"),
        on=D(2020, 5, 1),
        decision=s.DecisionInput(
            number="125-QĐ/ĐU", signed_on=D(2020, 4, 20), issuer="Đảng ủy xã", file=upload
        ),
    )
    return Decision.objects.get(number="125-QĐ/ĐU")


def test_the_file_is_stored_under_a_random_name_and_keeps_its_own(uploaded):
    stored = uploaded.file.name
    assert re.fullmatch(r"decisions/\d{4}/[0-9a-f]{32}\.pdf", stored), stored
    assert uploaded.file_name == "Quyết định 125-QĐ thành lập.pdf"


def test_media_url_serves_nothing_logged_in_or_not(uploaded, settings):
    settings.DEBUG = True
    url = settings.MEDIA_URL + uploaded.file.name
    assert Client().get(url).status_code == 404
    client = Client()
    client.force_login(make_user("quantri-xa", "org_commission", uploaded.org))
    assert client.get(url).status_code == 404


def test_the_page_downloads_it_within_scope_only(uploaded, tree):
    url = reverse("orgs:decision_file", args=[uploaded.pk])
    assert Client().get(url).status_code == 302  # to the login page
    inside, outside = Client(), Client()
    inside.force_login(make_user("xa1", "org_commission", tree["X1"]))
    outside.force_login(make_user("xa2", "org_commission", tree["X2"]))
    r = inside.get(url)
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == CONTENT
    assert "filename*=utf-8''Quy%E1%BA%BFt" in r["Content-Disposition"]
    assert outside.get(url).status_code == 404


def test_the_api_link_downloads_it_with_a_token_within_scope_only(uploaded, tree):
    inside = client_for(make_user("xa1", "org_commission", tree["X1"]))
    body = inside.get(reverse("api:decision-detail", args=[uploaded.pk])).json()
    assert body["file_name"] == "Quyết định 125-QĐ thành lập.pdf"
    assert body["file"] == "http://testserver" + reverse("api:decision-file", args=[uploaded.pk])
    r = inside.get(body["file"])
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == CONTENT
    outside = client_for(make_user("xa2", "org_commission", tree["X2"]))
    assert outside.get(body["file"]).status_code == 404
    assert client_for(None).get(body["file"]).status_code in (401, 403)


def test_a_decision_without_a_file_has_no_link(tree):
    client = client_for(make_user("tinh", "org_commission", tree["T"]))
    first = client.get(reverse("api:decision-list")).json()["results"][0]
    assert first["file"] is None and first["file_name"] == ""
    assert client.get(reverse("api:decision-file", args=[first["id"]])).status_code == 404
