"""The meetings API: every operation through the services (rules, scope, versions), reads scoped, the
compliance contract, and the schema."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from coso.accounts.models import User
from coso.accounts.services import grant_role, issue_token
from coso.meetings.models import DuesPayment, Meeting, Minutes, ProgrammeCell, QualityProgramme
from tests.meetings.helpers import official

D = dt.date


@pytest.fixture
def api(tree):
    """A cadre of commune X1's organization commission (may change meetings under X1, nothing of X2)."""
    user = User.objects.create_user("btc.x1", password="mat-khau-dai-123")
    grant_role(None, user=user, role="org_commission", org=tree["X1"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user).key}")
    client.user = user
    return client


@pytest.fixture
def people(tree):
    return {
        "an": official(tree["C1"], "Nguyễn Văn An"),
        "binh": official(tree["C1"], "Trần Thị Bình"),
        "cuong": official(tree["C4"], "Lê Văn Cường"),
    }


def url(name, *args):
    return reverse(f"api:{name}", args=args)


def plan(api, on="2023-03-04", org="C1", kind="regular", **extra):
    r = api.post(url("meeting-list"), {"org": org, "kind": kind, "date": on, **extra}, format="json")
    assert r.status_code == 201, r.json()
    return r.json()


def held(api, people, on="2023-03-04", kind="regular", absent="absent_unexcused"):
    m = plan(api, on, kind=kind)
    marks = [
        {"member": people["an"].pk, "presence": "present"},
        {
            "member": people["binh"].pk,
            "presence": absent,
            "reason": "Ốm" if absent == "absent_excused" else "",
        },
    ]
    r = api.post(url("meeting-attendance", m["id"]), {"marks": marks, "version": m["version"]}, format="json")
    assert r.status_code == 200, r.json()
    return r.json()


def version(api, meeting_id):
    """The meeting's version as a client reads it before a change."""
    return api.get(url("meeting-detail", meeting_id)).json()["version"]


def test_plan_update_cancel_and_list(api, people):
    m = plan(
        api,
        focus_issue="Làm đường giao thông nông thôn",
        chair=people["an"].pk,
        agenda=[
            {"title": "Kiểm điểm nghị quyết tháng trước"},
            {"title": "Bàn việc làm đường", "presenter": "An"},
        ],
    )
    assert m["status"] == "planned" and m["official"] == 2 and m["expected"] == 2
    assert [a["title"] for a in m["agenda"]] == ["Kiểm điểm nghị quyết tháng trước", "Bàn việc làm đường"]
    assert m["chair"] == people["an"].pk
    # PATCH changes only what is sent; a stale version is refused
    r = api.patch(
        url("meeting-detail", m["id"]), {"place": "Nhà văn hóa", "version": m["version"]}, format="json"
    )
    assert r.status_code == 200 and r.json()["place"] == "Nhà văn hóa"
    assert r.json()["focus_issue"] == "Làm đường giao thông nông thôn"
    r = api.patch(url("meeting-detail", m["id"]), {"place": "Khác", "version": m["version"]}, format="json")
    assert r.status_code == 409 and "người khác" in r.json()["detail"] and r.json()["field"] == "version"
    r = api.patch(url("meeting-detail", m["id"]), {"place": "Khác"}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "version"
    r = api.put(
        url("meeting-agenda", m["id"]),
        {"items": [{"title": "Một việc"}], "version": version(api, m["id"])},
        format="json",
    )
    assert r.status_code == 200 and [a["title"] for a in r.json()] == ["Một việc"]
    assert [a["title"] for a in api.get(url("meeting-agenda", m["id"])).json()["results"]] == ["Một việc"]
    # a thematic meeting at a commune is refused with its rule; a whole-committee one at a cell too
    r = api.post(url("meeting-list"), {"org": "X1", "kind": "thematic", "date": "2023-03-10"}, format="json")
    assert r.status_code == 400 and r.json()["rule"]["code"] == "MEET.KIND"
    # list filters
    plan(api, "2023-04-04", kind="thematic")
    plan(api, "2023-04-05", org="C2")
    rows = api.get(url("meeting-list"), {"org": "C1"}).json()["results"]
    assert [r["date"] for r in rows] == ["2023-04-04", "2023-03-04"]
    rows = api.get(url("meeting-list"), {"kind": "thematic"}).json()["results"]
    assert [r["org"] for r in rows] == ["C1"]
    rows = api.get(url("meeting-list"), {"from": "2023-04-01", "to": "2023-04-30", "org": "X1"}).json()[
        "results"
    ]
    assert len(rows) == 2
    # cancel: a reason is required; a cancelled meeting is not held
    r = api.post(
        url("meeting-cancel", m["id"]), {"reason": "", "version": version(api, m["id"])}, format="json"
    )
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = api.post(
        url("meeting-cancel", m["id"]), {"reason": "Bão", "version": version(api, m["id"])}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert api.get(url("meeting-list"), {"status": "cancelled"}).json()["count"] == 1
    r = api.post(
        url("meeting-attendance", m["id"]), {"marks": [], "version": version(api, m["id"])}, format="json"
    )
    assert r.status_code == 400 and r.json()["rule"]["code"] == "MEET.STATE"


def test_attendance_dues_minutes_resolutions(api, people):
    m = held(api, people)
    assert m["status"] == "held" and m["present"] == 1 and m["absent_unexcused"] == 1
    assert m["attendance_rate"] == 0.5
    rows = api.get(url("meeting-attendance", m["id"])).json()["results"]
    assert {(r["name"], r["presence"]) for r in rows} == {
        ("Nguyễn Văn An", "present"),
        ("Trần Thị Bình", "absent_unexcused"),
    }
    # a member of another commune cannot be marked: unknown here (400), nothing written
    r = api.post(
        url("meeting-attendance", m["id"]),
        {"marks": [{"member": people["cuong"].pk, "presence": "present"}], "version": m["version"]},
        format="json",
    )
    assert r.status_code == 400 and r.json()["field"] == "marks[0].member"
    assert "Lê Văn Cường" not in r.json()["detail"]
    # dues at the meeting; twice the same month is refused
    body = {
        "org": "C1",
        "month": "2023-03-01",
        "meeting": m["id"],
        "payments": [{"member": people["an"].pk, "amount": 30000}],
    }
    r = api.post(url("dues-list"), body, format="json")
    assert r.status_code == 201 and r.json()[0]["paid_on"] == "2023-03-04"
    r = api.post(url("dues-list"), body, format="json")
    assert r.status_code == 400 and r.json()["rule"]["code"] == "MEET.DUES"
    rows = api.get(url("dues-list"), {"org": "C1", "month": "2023-03-15"}).json()["results"]
    assert [(r["member_name"], r["amount"]) for r in rows] == [("Nguyễn Văn An", 30000)]
    assert api.get(url("dues-list"), {"month": "2023-04-01"}).json()["count"] == 0
    # minutes: save, adopt, then locked; an amendment keeps before and after
    assert api.get(url("meeting-minutes", m["id"])).status_code == 404
    r = api.put(
        url("meeting-minutes", m["id"]),
        {"chair_name": "Nguyễn Văn An", "conclusions": "Làm đường", "votes_for": 1,
         "speakers": [{"name": "Trần Thị Bình", "opinion": "Đồng ý"}], "version": 0},
        format="json",
    )  # fmt: skip
    assert r.status_code == 200 and r.json()["adopted"] is False
    written = r.json()["version"]
    # a second first writing (version 0: "there were none") is stale: the minutes exist now
    r = api.put(url("meeting-minutes", m["id"]), {"conclusions": "Khác", "version": 0}, format="json")
    assert r.status_code == 409 and r.json()["field"] == "version"
    r = api.put(url("meeting-minutes", m["id"]), {"votes_for": 5, "version": written}, format="json")
    assert r.status_code == 400 and r.json()["rule"]["code"] == "MEET.VOTES"
    r = api.post(url("meeting-minutes-adopt", m["id"]), {"version": written}, format="json")
    assert r.status_code == 200 and r.json()["adopted_on"] == "2023-03-04"
    r = api.put(
        url("meeting-minutes", m["id"]),
        {"conclusions": "Khác", "version": r.json()["version"]},
        format="json",
    )
    assert r.status_code == 400 and r.json()["rule"]["code"] == "MEET.MINUTES_LOCKED"
    minutes = r = api.get(url("meeting-minutes", m["id"])).json()
    amend = {
        **{k: minutes[k] for k in ("chair_name", "secretary_name", "proceedings", "speakers", "votes_for")},
        "conclusions": "Làm đường liên thôn",
        "on": "2023-04-04",
        "reason": "Ghi thiếu",
        "decision": "Chi bộ thống nhất ngày 04/04/2023",
        "version": minutes["version"],
    }
    r = api.post(url("meeting-minutes-amend", m["id"]), amend, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["before"] == {"conclusions": "Làm đường"}
    assert r.json()["after"] == {"conclusions": "Làm đường liên thôn"}
    assert [a["reason"] for a in api.get(url("meeting-amendments", m["id"])).json()["results"]] == [
        "Ghi thiếu"
    ]
    # a resolution with a task; overdue as of a later date; followed up at a later meeting
    r = api.post(url("meeting-resolutions", m["id"]), {"title": "Nghị quyết tháng 3"}, format="json")
    assert r.status_code == 201
    res = r.json()
    r = api.post(
        url("resolution-tasks", res["id"]),
        {"description": "Vận động làm đường", "deadline": "2023-03-31", "owner_member": people["an"].pk},
        format="json",
    )
    assert r.status_code == 201 and r.json()["owner_text"] == "Nguyễn Văn An"
    task = r.json()
    r = api.post(
        url("resolution-tasks", res["id"]),
        {"description": "Trước hạn", "deadline": "2023-03-01", "owner_text": "Chi ủy"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["rule"]["code"] == "MEET.TASK"
    overdue = api.get(url("task-list"), {"overdue": "true", "as_of": "2023-04-10"}).json()["results"]
    assert [t["id"] for t in overdue] == [task["id"]]
    assert api.get(url("task-list"), {"overdue": "true", "as_of": "2023-03-20"}).json()["count"] == 0
    later = held(api, people, "2023-04-04")
    r = api.post(
        url("task-follow-up", task["id"]),
        {"meeting": later["id"], "status": "done", "note": "Xong"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["status"] == "done" and r.json()["closed_on"] == "2023-04-04"
    assert api.get(url("task-list"), {"overdue": "true", "as_of": "2023-05-01"}).json()["count"] == 0
    assert [r["title"] for r in api.get(url("meeting-resolutions", m["id"])).json()["results"]] == [
        "Nghị quyết tháng 3"
    ]


def test_score_and_criteria_sets(api, people, tree):
    m = held(api, people)
    sets = api.get(url("criteria-set-list"), {"org": "C1", "as_of": "2023-03-04"}).json()["results"]
    assert len(sets) == 1 and sets[0]["org"] is None and sets[0]["applies"]
    codes = [c["code"] for c in sets[0]["criteria"]]
    r = api.put(
        url("meeting-score", m["id"]), {"scores": {c: 10 for c in codes}, "version": 0}, format="json"
    )
    assert r.status_code == 200 and r.json()["total"] == 10 * len(codes)
    assert api.get(url("meeting-score", m["id"])).json()["level"] == r.json()["level"]
    scored = r.json()["version"]
    r = api.put(url("meeting-score", m["id"]), {"scores": {codes[0]: 10}, "version": scored}, format="json")
    assert r.status_code == 400 and r.json()["rule"]["code"] == "MEET.QUALITY"
    # the commune's own set takes precedence for its cells from its date; a national one needs a sysadmin
    body = {
        "org": "X1",
        "name": "Tiêu chí xã An Lạc",
        "source": "Hướng dẫn 3-HD/ĐU",
        "effective_from": "2023-01-01",
        "criteria": [
            {"code": "a", "text": "Chuẩn bị", "points": 50},
            {"code": "b", "text": "Nội dung", "points": 50},
        ],
        "levels": [{"name": "Tốt", "min": 80}, {"name": "Kém", "min": 0}],
    }
    r = api.post(url("criteria-set-list"), body, format="json")
    assert r.status_code == 201 and r.json()["max_total"] == 100
    sets = api.get(url("criteria-set-list"), {"org": "C1", "as_of": "2023-03-04"}).json()["results"]
    assert [(s["org"], s["applies"]) for s in sets] == [(None, False), ("X1", True)]
    r = api.post(url("criteria-set-list"), {**body, "org": ""}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "org"
    r = api.put(
        url("meeting-score", m["id"]), {"scores": {"a": 45, "b": 40}, "version": scored}, format="json"
    )
    assert r.status_code == 200 and r.json()["level"] == "Tốt"


def test_assignments_rhythm_calendar_programme(api, people, tree):
    r = api.post(url("meeting-rhythm", "C1"), {"day_of_month": 4, "valid_from": "2023-01-01"}, format="json")
    assert r.status_code == 201
    assert [x["day_of_month"] for x in api.get(url("meeting-rhythm", "C1")).json()["results"]] == [4]
    r = api.post(url("meeting-rhythm", "C1"), {"day_of_month": 4, "valid_from": "2022-01-01"}, format="json")
    assert r.status_code == 400 and r.json()["rule"]["code"] == "MEET.RHYTHM"
    m = plan(api, "2023-02-04")
    cal = api.get(url("meeting-calendar", "C1"), {"from": "2023-01-01", "to": "2023-03-31"}).json()["results"]
    assert [(c["expected_date"], c["has_regular"]) for c in cal] == [
        ("2023-01-04", False),
        ("2023-02-04", True),
        ("2023-03-04", False),
    ]
    # a committee assigns a cadre to a cell's meeting under it; not another commune's committee
    r = api.post(
        url("meeting-assignments", m["id"]),
        {"assigning_org": "X1", "name": "Phạm Văn Dự", "title": "Đảng ủy viên"},
        format="json",
    )
    assert r.status_code == 201
    r = api.post(url("meeting-assignments", m["id"]), {"assigning_org": "X2", "name": "Ai Đó"}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "assigning_org"
    assert [a["assignee_name"] for a in api.get(url("meeting-assignments", m["id"])).json()["results"]] == [
        "Phạm Văn Dự"
    ]
    rows = api.get(url("who-went-where", "X1"), {"from": "2023-01-01", "to": "2023-12-31"}).json()["results"]
    assert [(r["assignee"], r["org"], r["presence"]) for r in rows] == [("Phạm Văn Dự", "C1", "unknown")]
    # a programme: pilot, roll-out to every cell, report
    r = api.post(
        url("programme-list"),
        {"org": "X1", "name": "Đề án nâng cao chất lượng sinh hoạt chi bộ", "date_from": "2023-01-01",
         "date_to": "2025-12-31", "decision_number": "16-ĐA/ĐU"},
        format="json",
    )  # fmt: skip
    assert r.status_code == 201
    pk = r.json()["id"]
    r = api.post(url("programme-cells", pk), {"org": "C4", "on": "2023-02-01"}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "org"
    r = api.post(url("programme-cells", pk), {"org": "C1", "on": "2023-02-01"}, format="json")
    assert r.status_code == 201 and r.json()["pilot"]
    r = api.post(url("programme-roll-out", pk), {"on": "2023-06-01"}, format="json")
    assert r.status_code == 200 and r.json()["rolled_out"] == 3
    assert len(api.get(url("programme-cells", pk)).json()["results"]) == 3
    report = api.get(url("programme-report", pk), {"as_of": "2023-12-31"}).json()
    assert report["rolled_out"] == 3 and [p["org"] for p in report["pilots"]] == ["C1"]
    assert api.get(url("programme-detail", pk)).json()["name"].startswith("Đề án")
    assert [p["id"] for p in api.get(url("programme-list")).json()["results"]] == [pk]


def test_compliance_contract(api, people):
    for month in range(1, 13):
        if month == 6:
            continue  # a month missed
        held(
            api, people, f"2023-{month:02d}-04", absent="absent_unexcused" if month <= 3 else "absent_excused"
        )
    held(api, people, "2023-02-20", kind="thematic")
    r = api.get(
        url("meeting-compliance", "C1"), {"from": "2023-01-01", "to": "2023-12-31", "as_of": "2023-12-31"}
    )
    assert r.status_code == 200
    c = r.json()
    assert (c["cells"], c["regular_held"], c["regular_expected"]) == (1, 11, 12)
    assert (c["thematic_quarters_met"], c["thematic_quarters_expected"]) == (1, 4)
    assert c["attendance_rate"] == 0.5
    assert [a["name"] for a in c["alerts"]["absent_members"]] == ["Trần Thị Bình"]
    assert c["alerts"]["minutes_not_adopted_total"] == 12
    c = api.get(
        url("meeting-compliance", "X1"), {"from": "2023-01-01", "to": "2023-12-31", "as_of": "2023-12-31"}
    ).json()
    assert (c["cells"], c["regular_expected"]) == (3, 36)
    assert {r["org"] for r in c["rows"]} == {"C1", "C2", "C3"}
    # as_of defaults to today; bad dates name the parameter; another commune is not found
    r = api.get(url("meeting-compliance", "X1"), {"from": "2023-13-01"})
    assert r.status_code == 400 and r.json()["field"] == "from"
    assert api.get(url("meeting-compliance", "X2")).status_code == 404
    c = api.get(
        url("meeting-compliance", "X1"), {"alerts": "false", "from": "2023-01-01", "to": "2023-12-31"}
    ).json()
    assert c["alerts"]["absent_members"] == [] and c["regular_held"] == 11


def test_refusals_write_nothing(api, people, tree):
    before = (Meeting.objects.count(), DuesPayment.objects.count(), Minutes.objects.count())
    r = api.post(url("meeting-list"), {"org": "C4", "kind": "regular", "date": "2023-03-04"}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "org"
    r = api.post(
        url("meeting-list"),
        {"org": "C1", "kind": "regular", "date": "2023-03-04", "chair": people["cuong"].pk},
        format="json",
    )
    assert r.status_code == 400 and r.json()["field"] == "chair"
    r = api.post(url("meeting-list"), {"org": "C1", "kind": "weekly", "date": "2023-03-04"}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "kind" and "weekly" in r.json()["detail"]
    r = api.post(url("meeting-list"), {"org": "C1", "kind": "regular", "date": "04/03/2023"}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "date"
    r = api.post(
        url("dues-list"),
        {"org": "C1", "month": "2023-03-01", "paid_on": "2023-03-04",
         "payments": [{"member": people["an"].pk, "amount": 1}, {"member": people["cuong"].pk, "amount": 1}]},
        format="json",
    )  # fmt: skip
    assert r.status_code == 400 and r.json()["field"] == "payments[1].member"
    assert (Meeting.objects.count(), DuesPayment.objects.count(), Minutes.objects.count()) == before
    assert not QualityProgramme.objects.exists() and not ProgrammeCell.objects.exists()
    # a viewer reads but does not write
    viewer = User.objects.create_user("xem", password="mat-khau-dai-123")
    grant_role(None, user=viewer, role="viewer", org=tree["X1"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(viewer).key}")
    assert client.get(url("meeting-list")).status_code == 200
    r = client.post(
        url("meeting-list"), {"org": "C1", "kind": "regular", "date": "2023-03-04"}, format="json"
    )
    assert r.status_code == 400 and r.json()["field"] == "org"
    assert Meeting.objects.count() == before[0]


def test_schema_lists_the_meeting_endpoints_and_validates(db):
    r = APIClient().get(reverse("api:schema") + "?format=json")
    assert r.status_code == 200
    schema = json.loads(r.content)
    validate_schema(schema)
    paths = set(schema["paths"])
    for p in (
        "/api/v1/meetings/",
        "/api/v1/meetings/{id}/",
        "/api/v1/meetings/{id}/attendance/",
        "/api/v1/meetings/{id}/minutes/amend/",
        "/api/v1/meetings/tasks/",
        "/api/v1/meetings/dues/",
        "/api/v1/meetings/compliance/{code}/",
        "/api/v1/meetings/programmes/{id}/report/",
    ):
        assert p in paths, p


def test_book_of_past_meetings(api, people, tree):
    """Nhập sổ sinh hoạt through the API: lines checked before anything is written, absences by member id,
    another commune's cell unknown."""
    book = url("meeting-book", "C1")
    lines = [
        {
            "date": "2023-01-04",
            "focus_issue": "Làm đường",
            "absent": [{"member": people["binh"].pk, "reason": "Ốm"}],
        },
        {"date": "2023-02-04", "absent": [{"member": people["binh"].pk}]},
        {"date": "2023-02-18", "kind": "thematic", "adopted": False},
    ]
    refused = api.post(book, {"entries": [*lines, {"date": "2023-02-04"}]}, format="json")
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("Dòng 4 (ngày 04/02/2023): trùng với dòng 2")
    assert not Meeting.objects.exists()
    # a person out of the user's scope and not in the cell reads as unknown
    stranger = [{"date": "2023-01-04", "absent": [{"member": people["cuong"].pk}]}]
    r = api.post(book, {"entries": stranger}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "entries[0].absent[0].member"
    r = api.post(book, {"entries": lines}, format="json")
    assert r.status_code == 201, r.json()
    made = r.json()
    assert [x["status"] for x in made] == ["held"] * 3
    assert (made[0]["absent_excused"], made[1]["absent_unexcused"], made[2]["present"]) == (1, 1, 2)
    assert Minutes.objects.filter(adopted_on__isnull=True).count() == 1
    assert api.post(url("meeting-book", "C4"), {"entries": lines}, format="json").status_code == 404
