"""Scope: every URL pattern of the app, pages and API, is checked against a user of another commune.

A user with the organization-commission role on commune X1 must neither read nor change anything of commune X2:
every URL that names an object of X2 answers 404 to GET and POST and writes nothing; every list, export and
search shows nothing of X2. A new URL pattern fails this test until it is added to COVERED below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.authtoken.models import Token

from coso.accounts.models import RoleGrant, User
from coso.accounts.services import grant_role
from coso.core.models import Job
from coso.members.models import Member, Membership, MemberStatus, MemberView, Transfer
from coso.orgs import services as s
from coso.orgs.models import Decision, Organization, OrgPeriod, Restructuring
from tests import evaluation_scope as EVALUATION
from tests.conftest import decision, establish

D = dt.date


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield prefix + p.name, p


def all_url_names() -> set[str]:
    names = set()
    for name, _pattern in walk(get_resolver().url_patterns):
        if name.startswith(("djdt:", "admin:")):
            continue
        names.add(name)
    return names


@pytest.fixture
def world(tree):
    """Commune X1 belongs to user A; everything asked for below lives in commune X2."""
    x2 = tree["X2"]
    c4 = tree["C4"]
    # an event and a decision that concern X2 only
    res = s.rename(
        None, c4, on=D(2010, 1, 1), decision=decision("77-QĐ/ĐU", D(2009, 12, 1)), name="Chi bộ thôn Bắc Hà"
    )
    a = User.objects.create_user("a.x1", password="mat-khau-dai-123")
    b = User.objects.create_user("b.x2", password="mat-khau-dai-123")
    grant_role(None, user=a, role="org_commission", org=tree["X1"])
    grant_b = grant_role(None, user=b, role="org_commission", org=x2)
    token = Token.objects.create(user=a)
    from coso.members import services as ms
    from coso.members.models import Ethnicity, Religion

    b_member = ms.admit(
        None,
        ms.Identity(
            full_name="Hoàng Thị Xuân Mai",
            birth_date=D(1990, 5, 10),
            gender="F",
            ethnicity=Ethnicity.objects.get(name="Kinh"),
            religion=Religion.objects.get(name="Không"),
        ),
        cell=c4,
        admission_decided_on=D(2020, 2, 20),
        joined_on=D(2020, 3, 1),
    )
    b_transfer = ms.issue_transfer(
        None,
        b_member,
        ms.TransferInput(
            kind="temporary", left_on=D(2023, 1, 1), return_due=D(2023, 7, 1), to_outside="Hà Nội"
        ),
    )
    # a meeting of B's cell with everything hanging off it (attendance, minutes, a resolution and its task, a
    # score, an assigned cadre, dues), B's rhythm, criteria set and programme
    from coso.meetings import services as mt

    b_rhythm = mt.set_rhythm(None, c4, day_of_month=4, valid_from=D(2023, 1, 1))
    b_meeting = mt.plan_meeting(
        None, c4, mt.MeetingInput(kind="regular", date=D(2023, 3, 4), place="Nhà văn hóa thôn Bắc Hà")
    )
    b_assignment = mt.assign_attendee(
        None, b_meeting, assigning_org=x2, name="Lê Văn Dự", title="Đảng ủy viên"
    )
    b_meeting = mt.mark_attendance(None, b_meeting, [mt.Mark(presence="present", member=b_member)])
    mt.record_dues(None, c4, month=D(2023, 3, 1), payments=[(b_member, 30000)], meeting=b_meeting)
    b_minutes = mt.save_minutes(
        None, b_meeting, mt.MinutesInput(chair_name="Hoàng Thị Xuân Mai", conclusions="Thống nhất kế hoạch")
    )
    b_resolution = mt.add_resolution(None, b_meeting, title="Nghị quyết tháng 3 của Chi bộ thôn Bắc")
    b_task = mt.add_task(None, b_resolution, description="Vận động làm đường", deadline=D(2023, 6, 30),
                         owner_text="Chi ủy")  # fmt: skip
    b_criteria = mt.save_criteria_set(
        None, org=x2, name="Tiêu chí của xã Bình Minh", source="Hướng dẫn 05-HD/ĐU", effective_from=D(2022, 1, 1),
        criteria=[{"code": "c1", "text": "Chuẩn bị chu đáo", "points": 100}],
        levels=[{"name": "Tốt", "min": 80}, {"name": "Khá", "min": 65}, {"name": "Trung bình", "min": 50},
                {"name": "Kém", "min": 0}],
    )  # fmt: skip
    b_score = mt.score_meeting(None, b_meeting, scores={"c1": 85})
    b_programme = mt.create_programme(
        None, x2, name="Đề án nâng cao chất lượng sinh hoạt chi bộ xã Bình Minh", date_from=D(2022, 1, 1),
        date_to=D(2025, 12, 31),
    )  # fmt: skip
    # an import checked by B, ready to confirm: only B may see it or start its write
    b_job = Job.objects.create(
        kind="members.import.check",
        user=b,
        state=Job.State.DONE,
        params={"filename": "dang-vien-binh-minh.xlsx"},
        result={"ok": True, "rows": 1, "cells": [["C4", "Chi bộ thôn Bắc", 1]], "error_count": 0},
    )
    b_orgs_job = Job.objects.create(  # an organizations import of B's, checked and ready to confirm
        kind="orgs.import.check",
        user=b,
        state=Job.State.DONE,
        params={"filename": "to-chuc-binh-minh.xlsx", "flow": "coso.orgs.views.IMPORT"},
        result={
            "ok": True,
            "rows": 1,
            "to_create": 1,
            "by_kind": [["Chi bộ trực thuộc", 1]],
            "error_count": 0,
        },
    )
    w = {
        "tree": tree,
        "a": a,
        "b_job": b_job,
        "b_orgs_job": b_orgs_job,
        "token": token.key,
        "b_org": x2,
        "b_cell": c4,
        "b_event": res.event,
        "b_decision": res.event.decision,
        "b_grant": grant_b,
        "b_member": b_member,
        "b_transfer": b_transfer,
        "b_rhythm": b_rhythm,
        "b_meeting": b_meeting,
        "b_assignment": b_assignment,
        "b_minutes": b_minutes,
        "b_resolution": b_resolution,
        "b_task": b_task,
        "b_criteria": b_criteria,
        "b_score": b_score,
        "b_programme": b_programme,
        # what must never show to A (codes as rendered, so that A's own query echoed back does not count)
        "b_names": [
            "Đảng bộ xã Bình Minh",
            "Chi bộ thôn Bắc",
            "<code>X2</code>",
            "<code>C4</code>",
            "b.x2",
            "Hoàng Thị Xuân Mai",
            '"code":"X2"',
            '"code": "X2"',
            '"code":"C4"',
            '"code": "C4"',
        ],
    }
    w.update(EVALUATION.world(w))  # B's evaluation period and entries (tests/evaluation_scope.py)
    return w


# kwargs builders for URLs that name an object of commune X2
def code(w: dict[str, Any]) -> dict[str, Any]:
    return {"code": w["b_org"].code}


def event_pk(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_event"].pk}


def decision_pk(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_decision"].pk}


def grant_pk(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_grant"].pk}


def member_pk(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_member"].pk}


def transfer_pk(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_transfer"].pk}


def job_pk(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_job"].pk}


def orgs_job_pk(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_orgs_job"].pk}


def cell_code(w: dict[str, Any]) -> dict[str, Any]:
    return {"code": w["b_cell"].code}


def meeting_pk(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_meeting"].pk}


def resolution_pk(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_resolution"].pk}


def task_pk(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_task"].pk}


def programme_pk(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_programme"].pk}


OBJECT = "object"  # names an object of X2: 404 on GET and POST
LIST = "list"  # no object in the URL: the answer must not mention X2
WRITE_FORM = "write"  # a form without an object: posting X2's codes is refused and writes nothing
PUBLIC = "public"  # no data of any commune (login, schema, docs, vocabularies)
ADMIN_ONLY = "admin"  # the whole installation's data (the access log): superusers only, 404 to anyone else

COVERED: dict[str, tuple[str, Callable[[dict[str, Any]], dict[str, Any]] | None]] = {
    "home": (PUBLIC, None),
    "accounts:login": (PUBLIC, None),
    "accounts:logout": (PUBLIC, None),
    "accounts:password_change": (PUBLIC, None),
    "accounts:password_change_done": (PUBLIC, None),
    "accounts:profile": (LIST, None),
    "accounts:token": (PUBLIC, None),
    "accounts:grants": (LIST, None),
    "accounts:two_factor": (PUBLIC, None),  # the user's own second step: no data of any commune
    "accounts:recovery_codes": (PUBLIC, None),
    "accounts:access_log": (ADMIN_ONLY, None),
    "accounts:revoke": (OBJECT, grant_pk),
    "orgs:tree": (LIST, None),
    "orgs:list": (LIST, None),
    "orgs:export": (LIST, None),
    "orgs:lookup": (LIST, None),
    "orgs:establish": (WRITE_FORM, None),
    "orgs:merge": (WRITE_FORM, None),
    "orgs:import": (WRITE_FORM, None),
    "orgs:import_template": (PUBLIC, None),
    "orgs:import_job": (OBJECT, orgs_job_pk),  # only the job's owner sees it
    "orgs:import_job_progress": (OBJECT, orgs_job_pk),
    "orgs:vocabulary": (PUBLIC, None),
    "orgs:decision_file": (OBJECT, decision_pk),
    "orgs:restructuring": (OBJECT, event_pk),
    "orgs:detail": (OBJECT, code),
    "orgs:children": (OBJECT, code),
    "orgs:history": (OBJECT, code),
    "orgs:structure": (OBJECT, code),
    "orgs:rename": (OBJECT, code),
    "orgs:move": (OBJECT, code),
    "orgs:dissolve": (OBJECT, code),
    "orgs:split": (OBJECT, code),
    "members:list": (LIST, None),
    "members:due": (LIST, None),
    "members:admit": (WRITE_FORM, None),
    "members:import": (WRITE_FORM, None),
    "members:import_template": (PUBLIC, None),
    "members:import_job": (OBJECT, job_pk),  # only the job's owner sees it
    "members:import_job_progress": (OBJECT, job_pk),
    "members:bulk_move": (OBJECT, code),
    "members:statistics": (OBJECT, code),
    "members:structure_checks": (OBJECT, code),
    "members:org_summary": (OBJECT, code),
    "members:detail": (OBJECT, member_pk),
    "members:history": (OBJECT, member_pk),
    "members:recognise": (OBJECT, member_pk),
    "members:flag": (OBJECT, member_pk),
    "members:exit": (OBJECT, member_pk),
    "members:discipline": (OBJECT, member_pk),
    "members:profile": (OBJECT, member_pk),
    "members:transfer": (OBJECT, member_pk),
    "members:transfer_letter": (OBJECT, transfer_pk),
    "members:confirm_arrival": (OBJECT, transfer_pk),
    "members:confirm_return": (OBJECT, transfer_pk),
    "meetings:index": (LIST, None),
    "meetings:calendar": (OBJECT, cell_code),
    "meetings:rhythm": (OBJECT, cell_code),
    "meetings:plan": (OBJECT, cell_code),
    "meetings:compliance": (OBJECT, code),
    "meetings:compliance_alerts": (OBJECT, code),
    "meetings:quality": (OBJECT, code),
    "meetings:assignments": (OBJECT, code),
    "meetings:criteria": (OBJECT, code),
    "meetings:criteria_add": (OBJECT, code),
    "meetings:programmes": (OBJECT, code),
    "meetings:programme_add": (OBJECT, code),
    "meetings:programme": (OBJECT, programme_pk),
    "meetings:resolution": (OBJECT, resolution_pk),
    "meetings:resolution_docx": (OBJECT, resolution_pk),
    "meetings:follow_up": (OBJECT, task_pk),
    "meetings:detail": (OBJECT, meeting_pk),
    "meetings:edit": (OBJECT, meeting_pk),
    "meetings:cancel": (OBJECT, meeting_pk),
    "meetings:invitation": (OBJECT, meeting_pk),
    "meetings:invitation_docx": (OBJECT, meeting_pk),
    "meetings:attendance": (OBJECT, meeting_pk),
    "meetings:dues": (OBJECT, meeting_pk),
    "meetings:minutes": (OBJECT, meeting_pk),
    "meetings:adopt": (OBJECT, meeting_pk),
    "meetings:amend": (OBJECT, meeting_pk),
    "meetings:minutes_docx": (OBJECT, meeting_pk),
    "meetings:resolution_add": (OBJECT, meeting_pk),
    "meetings:score": (OBJECT, meeting_pk),
    "meetings:assign": (OBJECT, meeting_pk),
    "api:schema": (PUBLIC, None),
    "api:docs": (PUBLIC, None),
}
COVERED.update(__import__("tests.api_scope", fromlist=["API_COVERED"]).API_COVERED)
COVERED.update(EVALUATION.COVERED)


def test_every_url_pattern_is_covered():
    missing = sorted(all_url_names() - set(COVERED))
    assert not missing, f"URL patterns not covered by the scope test: {missing}"


def snapshot() -> tuple[int, ...]:
    return (
        Organization.objects.count(),
        OrgPeriod.objects.count(),
        Decision.objects.count(),
        Restructuring.objects.count(),
        RoleGrant.objects.filter(revoked_at__isnull=True).count(),
        Member.objects.count(),
        Member.history.count(),
        Membership.history.count(),
        MemberStatus.objects.count(),
        Transfer.history.count(),
        MemberView.objects.count(),
        Job.objects.count(),
        *EVALUATION.snapshot(),
    )


@pytest.mark.django_db
def test_object_urls_answer_404_to_another_commune(world, client):
    client.force_login(world["a"])
    api_headers = {"HTTP_AUTHORIZATION": f"Token {world['token']}"}
    checked = 0
    for name, (kind, build) in COVERED.items():
        if kind != OBJECT:
            continue
        url = reverse(name, kwargs=build(world))
        before = snapshot()
        headers = api_headers if name.startswith("api:") else {}
        get = client.get(url, **headers)
        post = client.post(url, {"name": "X", "on": "01/01/2020"}, **headers)
        # a POST-only URL may refuse GET with 405; then its POST must say 404
        assert get.status_code in (404, 405), f"GET {url} ({name}) gave {get.status_code}"
        assert post.status_code in (404, 405), f"POST {url} ({name}) gave {post.status_code}"
        assert 404 in (get.status_code, post.status_code), f"{url} ({name}) never answered 404"
        assert snapshot() == before, f"POST {url} ({name}) wrote something"
        checked += 1
    assert checked >= 10


@pytest.mark.django_db
def test_pages_of_the_whole_installation_are_404_to_a_commune_user(world, client):
    client.force_login(world["a"])
    names = [name for name, (kind, _build) in COVERED.items() if kind == ADMIN_ONLY]
    assert names
    for name in names:
        r = client.get(reverse(name), {"format": "xlsx"})
        assert r.status_code == 404, f"{name} gave {r.status_code}"
        assert client.get(reverse(name)).status_code == 404


@pytest.mark.django_db
def test_lists_show_nothing_of_another_commune(world, client):
    client.force_login(world["a"])
    api_headers = {"HTTP_AUTHORIZATION": f"Token {world['token']}"}
    for name, (kind, _build) in COVERED.items():
        if kind != LIST:
            continue
        url = reverse(name)
        is_api = name.startswith("api:")
        headers = api_headers if is_api else {}
        # pages take dd/mm/yyyy, the API ISO dates
        queries = [
            {},
            {"as_of": "2015-01-01" if is_api else "01/01/2015"},
            {"q": "binh minh"},
            {"q": "X2"},
            {"under": "X2"},
            {"org": "X2"},
        ]
        for query in queries:
            response = client.get(url, query, **headers)
            # naming another commune's organization as a filter may answer 404: that too shows nothing
            allowed = (200, 404) if set(query) & {"under", "org"} else (200,)
            assert response.status_code in allowed, f"GET {url} {query} gave {response.status_code}"
            body = _text(response)
            for needle in world["b_names"]:
                assert needle not in body, f"{url} {query} shows {needle!r} of another commune"
    # and A still sees their own commune
    assert "Đảng bộ xã An Lạc" in client.get(reverse("orgs:list")).content.decode()


def _text(response: Any) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        import io

        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row
        )
    return response.content.decode()


@pytest.mark.django_db
def test_write_forms_refuse_another_communes_objects(world, client):
    client.force_login(world["a"])
    before = snapshot()
    common = {"on": "01/01/2021", "decision_number": "1-QĐ", "decision_date": "01/12/2020"}
    r = client.post(
        reverse("orgs:establish"),
        {
            **common,
            "code": "NEW1",
            "name": "Chi bộ mới",
            "kind": world["b_cell"].periods.first().kind_id,
            "parent": "X2",
        },
    )
    assert r.status_code == 200 and "phạm vi" in r.content.decode()
    r = client.post(reverse("orgs:merge"), {**common, "sources": "C4", "mode": "into", "into": "C1"})
    assert r.status_code == 200 and "C4" in r.content.decode()
    r = client.post(reverse("orgs:merge"), {**common, "sources": "C1", "mode": "into", "into": "C4"})
    assert r.status_code == 200
    r = client.post(reverse("accounts:grants"), {"g-username": "a.x1", "g-role": "viewer", "g-org": "X2"})
    assert r.status_code == 200 and "phạm vi" in r.content.decode()
    assert snapshot() == before
    api_cases = __import__("tests.api_scope", fromlist=["api_write_cases"]).api_write_cases(world)
    for url, body in api_cases:
        r = client.post(
            url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {world['token']}"
        )
        assert r.status_code in (400, 404), f"POST {url} {body} gave {r.status_code}"
        assert snapshot() == before, f"POST {url} {body} wrote something"
    for url, body, is_api in EVALUATION.write_cases(world):
        if is_api:
            r = client.post(
                url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {world['token']}"
            )
        else:
            r = client.post(url, body)
        assert r.status_code in (200, 400, 404), f"POST {url} {body} gave {r.status_code}"
        assert snapshot() == before, f"POST {url} {body} wrote something"


@pytest.mark.django_db
def test_scope_follows_todays_subtree(tree):
    """A grant covers the subtree as it stands today: an organization moved in leaves the old scope."""
    u = User.objects.create_user("h1", password="mat-khau-dai-123")
    grant_role(None, user=u, role="viewer", org=tree["H1"])
    from coso.orgs.queries import orgs

    assert orgs(u).filter(code="X1").exists()
    s.move(None, tree["X1"], new_parent=tree["H2"], on=D(2020, 1, 1), decision=decision())
    u = User.objects.get(pk=u.pk)
    assert not orgs(u).filter(code="X1").exists()
    assert orgs(u).filter(code="S1").exists()
    establish("C9", "Chi bộ thôn Mới", "Chi bộ trực thuộc", tree["X2"], on=D(2021, 1, 1))
    assert not orgs(u).filter(code="C9").exists()
