"""The meeting pages: each renders, each form writes through its service or refuses in Vietnamese writing
nothing (the user's input kept), the compliance page shows `queries.compliance`, downloads open."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from coso.accounts.models import User
from coso.accounts.services import grant_role
from coso.meetings import queries as q
from coso.meetings import services as ms
from coso.meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceAssignment,
    DuesPayment,
    Meeting,
    MeetingRhythm,
    MeetingScore,
    Minutes,
    MinutesAmendment,
    ProgrammeCell,
    QualityCriteriaSet,
    QualityProgramme,
    Resolution,
    ResolutionTask,
    TaskFollowUp,
)
from tests.meetings.helpers import held, official, plan

D = dt.date
P = Attendance.Presence
MEETING_DAY = D(2025, 3, 4)


@pytest.fixture
def cadre(tree):
    user = User.objects.create_user("ban.to.chuc", password="mat-khau-dai-123")
    grant_role(None, user=user, role="org_commission", org=tree["X1"])
    return user


@pytest.fixture
def people(tree):
    c1 = tree["C1"]
    return {
        "an": official(c1, "Nguyễn Văn An"),
        "binh": official(c1, "Trần Thị Bình"),
        "cuong": official(c1, "Lê Văn Cường"),
    }


@pytest.fixture
def full(tree, people, cadre):
    """A held meeting of C1 with minutes, a resolution and its task, a score, an assignment, dues, a
    programme of X1 with C1 as pilot."""
    c1 = tree["C1"]
    ms.set_rhythm(None, c1, day_of_month=4, valid_from=D(2025, 1, 1))
    meeting = plan(c1, MEETING_DAY, place="Nhà văn hóa thôn Đông", focus_issue="Làm đường giao thông")
    ms.assign_attendee(None, meeting, assigning_org=tree["X1"], name="Phạm Văn Dự", title="Đảng ủy viên")
    meeting = ms.mark_attendance(
        None,
        meeting,
        [
            ms.Mark(presence=P.PRESENT, member=people["an"]),
            ms.Mark(presence=P.PRESENT, member=people["binh"]),
            ms.Mark(presence=P.ABSENT_EXCUSED, member=people["cuong"], reason="Ốm"),
        ],
    )
    ms.record_dues(None, c1, month=MEETING_DAY, payments=[(people["an"], 30000)], meeting=meeting)
    minutes = ms.save_minutes(
        None,
        meeting,
        ms.MinutesInput(
            chair_name="Nguyễn Văn An",
            secretary_name="Trần Thị Bình",
            speakers=[{"name": "Trần Thị Bình", "opinion": "Đồng ý làm đường"}],
            conclusions="Thống nhất làm đường",
            votes_for=2,
        ),
    )
    res = ms.add_resolution(None, meeting, title="Nghị quyết tháng 3", number="03-NQ/CB")
    task = ms.add_task(
        None, res, description="Vận động làm đường", deadline=D(2025, 6, 30), owner_text="Chi ủy"
    )
    ms.score_meeting(None, meeting, scores=_full_scores(meeting), scored_on=MEETING_DAY)
    prog = ms.create_programme(None, tree["X1"], name="Đề án nâng cao chất lượng", date_from=D(2025, 1, 1),
                               date_to=D(2026, 12, 31))  # fmt: skip
    ms.select_pilot(None, prog, c1, on=D(2025, 2, 1))
    return {"meeting": meeting, "minutes": minutes, "res": res, "task": task, "prog": prog}


def _full_scores(meeting):
    cs = ms.criteria_set_for(meeting.org, meeting.date)
    return {c["code"]: int(c["points"]) - 1 for c in cs.criteria}


def test_every_page_renders(tree, full, cadre, client):
    client.force_login(cadre)
    m, res, task, prog = full["meeting"], full["res"], full["task"], full["prog"]
    pages = [
        reverse("meetings:index"),
        reverse("meetings:index") + "?org=X1&status=held",
        reverse("meetings:calendar", kwargs={"code": "C1"}) + "?year=2025",
        reverse("meetings:calendar", kwargs={"code": "X1"}),
        reverse("meetings:rhythm", kwargs={"code": "C1"}),
        reverse("meetings:plan", kwargs={"code": "C1"}),
        reverse("meetings:compliance", kwargs={"code": "X1"}),
        reverse("meetings:compliance", kwargs={"code": "C1"}),
        reverse("meetings:quality", kwargs={"code": "X1"}) + "?from=01/01/2025&to=31/12/2025",
        reverse("meetings:assignments", kwargs={"code": "X1"}) + "?from=01/01/2025&to=31/12/2025",
        reverse("meetings:criteria", kwargs={"code": "C1"}),
        reverse("meetings:criteria_add", kwargs={"code": "X1"}),
        reverse("meetings:programmes", kwargs={"code": "X1"}),
        reverse("meetings:programme_add", kwargs={"code": "X1"}),
        reverse("meetings:programme", kwargs={"pk": prog.pk}),
        reverse("meetings:resolution", kwargs={"pk": res.pk}),
        reverse("meetings:follow_up", kwargs={"pk": task.pk}),
        reverse("meetings:detail", kwargs={"pk": m.pk}),
        reverse("meetings:edit", kwargs={"pk": m.pk}),
        reverse("meetings:cancel", kwargs={"pk": m.pk}),
        reverse("meetings:invitation", kwargs={"pk": m.pk}),
        reverse("meetings:attendance", kwargs={"pk": m.pk}),
        reverse("meetings:dues", kwargs={"pk": m.pk}),
        reverse("meetings:minutes", kwargs={"pk": m.pk}),
        reverse("meetings:adopt", kwargs={"pk": m.pk}),
        reverse("meetings:resolution_add", kwargs={"pk": m.pk}),
        reverse("meetings:score", kwargs={"pk": m.pk}),
        reverse("meetings:assign", kwargs={"pk": m.pk}),
        reverse("orgs:detail", kwargs={"code": "C1"}),
    ]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
    body = client.get(reverse("meetings:detail", kwargs={"pk": m.pk})).content.decode()
    assert "04/03/2025" in body and "Làm đường giao thông" in body and "Phạm Văn Dự" in body
    body = client.get(reverse("meetings:attendance", kwargs={"pk": m.pk})).content.decode()
    # members in Vietnamese order (by given name): An, Bình, Cường
    assert body.index("Nguyễn Văn An") < body.index("Trần Thị Bình") < body.index("Lê Văn Cường")
    assert "Sinh hoạt chi bộ" in client.get(reverse("orgs:detail", kwargs={"code": "C1"})).content.decode()


def test_docx_downloads_open_in_the_party_format(full, cadre, client):
    from docx import Document

    client.force_login(cadre)
    m = full["meeting"]

    def text_of(url):
        r = client.get(url)
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
        doc = Document(io.BytesIO(r.content))
        parts = [p.text for p in doc.paragraphs]
        for table in doc.tables:
            for row in table.rows:
                parts += [c.text for c in row.cells]
        return "\n".join(parts)

    minutes = text_of(reverse("meetings:minutes_docx", kwargs={"pk": m.pk}))
    for needle in ("ĐẢNG CỘNG SẢN VIỆT NAM", "-BB/CB", "*", "BIÊN BẢN", "An Lạc, ngày 04 tháng 03 năm 2025",
                   "Trần Thị Bình: Đồng ý làm đường", "Lê Văn Cường", "THƯ KÝ", "CHỦ TRÌ"):  # fmt: skip
        assert needle in minutes, needle
    resolution = text_of(reverse("meetings:resolution_docx", kwargs={"pk": full["res"].pk}))
    assert "NGHỊ QUYẾT" in resolution and "Số 03-NQ/CB" in resolution and "Vận động làm đường" in resolution
    invitation = text_of(reverse("meetings:invitation_docx", kwargs={"pk": m.pk}))
    assert "GIẤY TRIỆU TẬP" in invitation and "Nhà văn hóa thôn Đông" in invitation


def test_plan_writes_through_the_service_and_keeps_input_on_refusal(tree, people, cadre, client):
    client.force_login(cadre)
    url = reverse("meetings:plan", kwargs={"code": "C1"})
    data = {
        "kind": "regular",
        "date": "31/02/2025",
        "place": "Hội trường thôn",
        "focus_issue": "Vệ sinh môi trường",
        "agenda": "Đánh giá tháng | Bí thư\nPhương hướng tháng tới",
    }
    r = client.post(url, data)
    assert r.status_code == 200 and "dd/mm/yyyy" in r.content.decode()
    assert "Vệ sinh môi trường" in r.content.decode() and "Hội trường thôn" in r.content.decode()
    r = client.post(url, {**data, "kind": "whole_committee", "date": "04/04/2025"})
    body = r.content.decode()
    assert r.status_code == 200 and "MEET.KIND" in body and "chỉ dành cho đảng bộ" in body
    r = client.post(url, {**data, "date": "04/04/2000"})
    assert "MEET.ORG_EXISTS" in r.content.decode()
    assert not Meeting.objects.exists() and not AgendaItem.objects.exists()
    r = client.post(url, {**data, "date": "04/04/2025", "chair": people["an"].pk, "start_time": "08:00"})
    meeting = Meeting.objects.get()
    assert r.status_code == 302 and r.url == reverse("meetings:detail", kwargs={"pk": meeting.pk})
    assert meeting.chair == people["an"] and meeting.start_time == dt.time(8, 0)
    assert [(a.title, a.presenter) for a in meeting.agenda.order_by("order")] == [
        ("Đánh giá tháng", "Bí thư"),
        ("Phương hướng tháng tới", ""),
    ]
    assert meeting.attendance.count() == 3  # the list comes from the members on the date


def test_edit_refuses_a_stale_version(tree, people, cadre, client):
    client.force_login(cadre)
    meeting = plan(tree["C1"], D(2025, 4, 4))
    url = reverse("meetings:edit", kwargs={"pk": meeting.pk})
    data = {"version": meeting.version, "kind": "thematic", "date": "05/04/2025", "place": "Nhà văn hóa"}
    ms.mark_invitation_sent(None, meeting, on=D(2025, 4, 1))  # someone else changes it meanwhile
    r = client.post(url, data)
    assert r.status_code == 200 and "vừa được người khác thay đổi" in r.content.decode()
    assert Meeting.objects.get().kind == "regular"
    data["version"] = Meeting.objects.get().version
    assert client.post(url, data).status_code == 302
    assert Meeting.objects.get().kind == "thematic"


def test_rhythm_form(tree, cadre, client):
    client.force_login(cadre)
    url = reverse("meetings:rhythm", kwargs={"code": "C1"})
    r = client.post(url, {"day_of_month": "40", "valid_from": "01/01/2025"})
    assert r.status_code == 200 and "từ 1 đến 31" in r.content.decode()
    assert client.post(url, {"day_of_month": "4", "valid_from": "01/01/2025"}).status_code == 302
    r = client.post(url, {"day_of_month": "5", "valid_from": "01/12/2024"})
    assert "MEET.RHYTHM" in r.content.decode()
    assert MeetingRhythm.objects.count() == 1
    body = client.get(reverse("meetings:calendar", kwargs={"code": "C1"}) + "?year=2025").content.decode()
    assert "ngày 4 hằng tháng" in body and "04/01/2025" in body


def test_attendance_marks_and_figures(tree, people, cadre, client):
    client.force_login(cadre)
    meeting = plan(tree["C1"], MEETING_DAY)
    url = reverse("meetings:attendance", kwargs={"pk": meeting.pk})
    rows = {a.member_id: a.pk for a in meeting.attendance.all()}
    an, binh, cuong = (rows[people[k].pk] for k in ("an", "binh", "cuong"))
    data = {
        "version": meeting.version,
        f"p-{an}": P.PRESENT,
        f"p-{binh}": P.ABSENT_EXCUSED,
        f"r-{binh}": "",
        f"p-{cuong}": P.ABSENT_UNEXCUSED,
    }
    r = client.post(url, data)
    body = r.content.decode()
    assert r.status_code == 200 and "hãy ghi lý do vắng" in body and "Chưa ghi gì" in body
    assert f'id="p-{binh}-excused" value="absent_excused" autocomplete="off" checked' in body  # choice kept
    assert Meeting.objects.get().status == "planned"
    assert not Attendance.objects.exclude(presence=P.UNKNOWN).exists()
    data[f"r-{binh}"] = "Đi công tác"
    r = client.post(url, data, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    body = r.content.decode()
    assert "<html" not in body and 'id="fig-present">1<' in body and 'id="fig-official">3<' in body
    meeting.refresh_from_db()
    assert (meeting.status, meeting.present, meeting.absent_excused, meeting.absent_unexcused) == (
        "held",
        1,
        1,
        1,
    )
    # a stale roll call is refused
    r = client.post(url, {**data, "version": meeting.version - 1, f"p-{cuong}": P.PRESENT})
    assert "vừa được người khác thay đổi" in r.content.decode()
    assert Meeting.objects.get().present == 1


def test_dues_at_the_meeting(tree, people, cadre, client):
    client.force_login(cadre)
    meeting = held(tree["C1"], MEETING_DAY, marks=[(people["an"], P.PRESENT)])
    url = reverse("meetings:dues", kwargs={"pk": meeting.pk})
    r = client.post(url, {"month": "03/2025", f"amount-{people['an'].pk}": "ba mươi"})
    assert (
        r.status_code == 200
        and "không phải số tiền" in r.content.decode()
        and "ba mươi" in r.content.decode()
    )
    assert not DuesPayment.objects.exists()
    r = client.post(
        url,
        {"month": "03/2025", f"amount-{people['an'].pk}": "30.000", f"amount-{people['binh'].pk}": "25000"},
    )
    assert r.status_code == 302
    assert sorted(DuesPayment.objects.values_list("amount", flat=True)) == [25000, 30000]
    assert "30.000 đ" in client.get(r.url).content.decode()
    # a malformed month in the address is said, not silently replaced
    body = client.get(url, {"month": "13-2025"}).content.decode()
    assert "Tháng «13-2025» không đúng dạng tháng/năm" in body and "30.000 đ" in body
    # one rule with the service: an amount sent for a member who already paid that month (another cadre
    # recorded it meanwhile) is refused with the service's reason, and nothing of the form is written
    cuong = official(tree["C1"], "Lê Văn Cường")
    second = held(
        tree["C1"], MEETING_DAY + dt.timedelta(days=1), marks=[(people["an"], P.PRESENT), (cuong, P.PRESENT)]
    )
    r = client.post(
        reverse("meetings:dues", kwargs={"pk": second.pk}),
        {"month": "03/2025", f"amount-{people['an'].pk}": "30.000", f"amount-{cuong.pk}": "20000"},
    )
    assert r.status_code == 200
    assert "Nguyễn Văn An đã đóng đảng phí tháng 03/2025" in r.content.decode()
    assert DuesPayment.objects.count() == 2


def test_minutes_written_then_adopted_then_frozen(tree, people, cadre, client):
    client.force_login(cadre)
    meeting = held(tree["C1"], MEETING_DAY, marks=[(people["an"], P.PRESENT), (people["binh"], P.PRESENT)])
    url = reverse("meetings:minutes", kwargs={"pk": meeting.pk})
    data = {
        "version": "0",  # the page showed no minutes yet
        "chair_name": "Nguyễn Văn An",
        "secretary_name": "Trần Thị Bình",
        "opened_at": "08:00",
        "closed_at": "10:30",
        "conclusions": "Thống nhất",
        "votes_for": "5",
        "votes_against": "0",
        "votes_abstain": "0",
        "speakers_count": "3",
        "speaker-name-0": "Trần Thị Bình",
        "speaker-opinion-0": "Đề nghị làm đường",
        "speaker-name-1": "Lê Văn Cường",
        "speaker-opinion-1": "",
    }
    r = client.post(url, data)
    body = r.content.decode()
    assert "Ý kiến thứ 2" in body and "Đề nghị làm đường" in body
    data["speaker-opinion-1"] = "Đồng ý"
    r = client.post(url, data)
    assert "MEET.VOTES" in r.content.decode() and "vượt số đảng viên có mặt (2)" in r.content.decode()
    assert not Minutes.objects.exists()
    data["votes_for"] = "2"
    assert client.post(url, data).status_code == 302
    # a second tab opened before they were written still says "no minutes yet": refused, the first kept
    r = client.post(url, {**data, "conclusions": "Của tab kia"})
    assert r.status_code == 200 and "vừa được người khác thay đổi" in r.content.decode()
    assert Minutes.objects.get().conclusions == "Thống nhất"
    minutes = Minutes.objects.get()
    assert minutes.speakers == [
        {"name": "Trần Thị Bình", "opinion": "Đề nghị làm đường"},
        {"name": "Lê Văn Cường", "opinion": "Đồng ý"},
    ]
    adopt = reverse("meetings:adopt", kwargs={"pk": meeting.pk})
    r = client.post(adopt, {"version": minutes.version, "on": "01/03/2025"})
    assert "từ ngày họp trở đi" in r.content.decode()
    assert client.post(adopt, {"version": minutes.version, "on": "04/03/2025"}).status_code == 302
    assert Minutes.objects.get().adopted_on == MEETING_DAY
    r = client.post(url, {**data, "version": Minutes.objects.get().version, "conclusions": "Sửa"})
    assert "MEET.MINUTES_LOCKED" in r.content.decode()
    assert Minutes.objects.get().conclusions == "Thống nhất"
    # … but an amendment with its date, reason and basis changes it, and the page shows before and after
    body = client.get(url).content.decode()
    amend = reverse("meetings:amend", kwargs={"pk": meeting.pk})
    assert amend in body
    form = {**data, "version": Minutes.objects.get().version, "conclusions": "Thống nhất làm đường liên thôn"}
    r = client.post(amend, {**form, "on": "20/03/2025", "reason": ""})
    assert "Hãy nhập thông tin này" in r.content.decode() and "liên thôn" in r.content.decode()
    r = client.post(amend, {**form, "on": "20/03/2025", "reason": "Ghi thiếu nội dung"})
    assert "Hãy ghi căn cứ đính chính" in r.content.decode()
    assert Minutes.objects.get().conclusions == "Thống nhất" and not MinutesAmendment.objects.exists()
    r = client.post(amend, {**form, "on": "20/03/2025", "reason": "Ghi thiếu nội dung", "decision": "QĐ 12"})
    assert r.status_code == 302
    amendment = MinutesAmendment.objects.get()
    assert amendment.before == {"conclusions": "Thống nhất"}
    assert amendment.after == {"conclusions": "Thống nhất làm đường liên thôn"}
    assert Minutes.objects.get().conclusions == "Thống nhất làm đường liên thôn"
    body = client.get(url).content.decode()
    assert "Các lần đính chính (1)" in body and "20/03/2025" in body and "Ghi thiếu nội dung" in body


def test_resolution_task_and_follow_up(tree, people, cadre, client):
    client.force_login(cadre)
    first = held(tree["C1"], MEETING_DAY, marks=[(people["an"], P.PRESENT)])
    planned = plan(tree["C1"], D(2025, 4, 4))
    r = client.post(reverse("meetings:resolution_add", kwargs={"pk": planned.pk}), {"title": "NQ"})
    assert "chưa được ghi là đã họp" in r.content.decode()
    r = client.post(
        reverse("meetings:resolution_add", kwargs={"pk": first.pk}), {"title": "Nghị quyết tháng 3"}
    )
    res = Resolution.objects.get()
    assert r.status_code == 302 and r.url == reverse("meetings:resolution", kwargs={"pk": res.pk})
    url = reverse("meetings:resolution", kwargs={"pk": res.pk})
    r = client.post(url, {"description": "Làm đường", "deadline": "30/06/2025"})
    assert "Hãy chọn người hoặc ghi bộ phận phụ trách" in r.content.decode()
    r = client.post(url, {"description": "Làm đường", "deadline": "01/01/2025", "owner_text": "Chi ủy"})
    assert "MEET.TASK" in r.content.decode() and not ResolutionTask.objects.exists()
    r = client.post(
        url, {"description": "Làm đường", "deadline": "30/06/2025", "owner_member": people["an"].pk}
    )
    task = ResolutionTask.objects.get()
    assert r.status_code == 302 and task.owner_text == "Nguyễn Văn An"
    second = held(tree["C1"], D(2025, 4, 4), marks=[(people["an"], P.PRESENT)])
    body = client.get(reverse("meetings:detail", kwargs={"pk": second.pk})).content.decode()
    assert "Làm đường" in body and reverse("meetings:follow_up", kwargs={"pk": task.pk}) in body
    fu = reverse("meetings:follow_up", kwargs={"pk": task.pk})
    r = client.post(fu, {"meeting": second.pk, "status": "done", "note": "Đã làm xong"})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.closed_on == D(2025, 4, 4) and TaskFollowUp.objects.count() == 1
    r = client.post(fu, {"meeting": second.pk, "status": "done"})
    assert "Nhiệm vụ đã đã hoàn thành" in r.content.decode() or "MEET.TASK" in r.content.decode()
    assert TaskFollowUp.objects.count() == 1


def test_score_against_the_criteria_in_force(tree, people, cadre, client):
    client.force_login(cadre)
    meeting = held(tree["C1"], MEETING_DAY, marks=[(people["an"], P.PRESENT)])
    cs = ms.criteria_set_for(meeting.org, meeting.date)
    url = reverse("meetings:score", kwargs={"pk": meeting.pk})
    first = cs.criteria[0]
    bad = {f"score-{c['code']}": "0" for c in cs.criteria} | {
        f"score-{first['code']}": str(first["points"] + 1)
    }
    r = client.post(url, {**bad, "scored_on": "05/03/2025", "version": "0"})
    assert f"từ 0 đến {first['points']}" in r.content.decode() and not MeetingScore.objects.exists()
    good = {f"score-{c['code']}": str(c["points"]) for c in cs.criteria}
    assert client.post(url, {**good, "scored_on": "05/03/2025", "version": "0"}).status_code == 302
    score = MeetingScore.objects.get()
    assert score.total == cs.max_total and score.level == cs.level_for(cs.max_total)


def test_compliance_page_shows_the_query_numbers_and_exports(tree, full, cadre, client):
    from openpyxl import load_workbook

    client.force_login(cadre)
    url = reverse("meetings:compliance", kwargs={"code": "X1"})
    query = {"from": "01/01/2025", "to": "31/12/2025", "as_of": "31/12/2025"}
    r = client.get(url, query)
    expected = q.compliance(cadre, tree["X1"], D(2025, 1, 1), D(2025, 12, 31), D(2025, 12, 31))
    shown = r.context["report"]
    # the page shows the figures at once; its alerts panel loads from its own URL, with the same alerts
    assert {k: v for k, v in shown.as_json().items() if k != "alerts"} == {
        k: v for k, v in expected.as_json().items() if k != "alerts"
    }
    body = r.content.decode()
    alerts_url = reverse("meetings:compliance_alerts", kwargs={"code": "X1"})
    assert f'hx-get="{alerts_url}?' in body
    panel = client.get(alerts_url, query)
    assert panel.context["a"].as_json() == expected.alerts.as_json()
    assert (
        f'Biên bản chưa thông qua <span class="badge text-bg-warning">{expected.alerts.minutes_not_adopted_total}<'
        in (panel.content.decode())
    )
    assert f'id="c-regular-held">{expected.regular_held}<' in body
    assert f'id="c-regular-expected">{expected.regular_expected}<' in body
    assert f'id="c-cells">{expected.cells}<' in body
    assert expected.regular_held == 1
    # each child links to the same page for the child
    assert reverse("meetings:compliance", kwargs={"code": "C1"}) + "?from=01%2F01%2F2025" in body
    r = client.get(url, {**query, "format": "xlsx"})
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    assert wb.sheetnames == ["Tổng hợp", "Theo đơn vị", "Cảnh báo"]
    rows = [row for row in wb["Theo đơn vị"].iter_rows(values_only=True)]
    c1 = next(row for row in rows if row and row[0] == "C1")
    assert c1[3] == 1 and c1[4] == 12
    r = client.get(url, {"from": "31/13/2025"})
    assert r.status_code == 200 and "dd/mm/yyyy" in r.content.decode()


def test_criteria_set_form(tree, cadre, client):
    client.force_login(cadre)
    url = reverse("meetings:criteria_add", kwargs={"code": "X1"})
    data = {
        "name": "Tiêu chí của xã An Lạc",
        "source": "Hướng dẫn 01-HD/ĐU",
        "effective_from": "01/01/2025",
        "criteria": "TC1 | Chuẩn bị chu đáo | 50\nTC2 | Thảo luận sôi nổi | năm mươi",
        "levels": "Tốt | 80\nKhá | 65\nKém | 0",
    }
    r = client.post(url, data)
    assert "Dòng 2" in r.content.decode() and "Chuẩn bị chu đáo" in r.content.decode()
    before = QualityCriteriaSet.objects.count()
    data["criteria"] = "TC1 | Chuẩn bị chu đáo | 50\nTC2 | Thảo luận sôi nổi | 50"
    assert client.post(url, data).status_code == 302
    assert QualityCriteriaSet.objects.count() == before + 1
    r = client.post(url, data)
    assert "MEET.QUALITY" in r.content.decode() and QualityCriteriaSet.objects.count() == before + 1
    body = client.get(
        reverse("meetings:criteria", kwargs={"code": "C1"}) + "?as_of=01/06/2025"
    ).content.decode()
    assert "Đang áp dụng" in body and "Tiêu chí của xã An Lạc" in body


def test_programme_pilot_and_roll_out(tree, cadre, client):
    client.force_login(cadre)
    r = client.post(
        reverse("meetings:programme_add", kwargs={"code": "X1"}),
        {"name": "Đề án 16", "date_from": "01/01/2025", "date_to": "01/01/2024"},
    )
    assert (
        "Ngày kết thúc phải sau ngày bắt đầu" in r.content.decode() and not QualityProgramme.objects.exists()
    )
    r = client.post(
        reverse("meetings:programme_add", kwargs={"code": "X1"}),
        {"name": "Đề án 16", "date_from": "01/01/2025", "date_to": "31/12/2026"},
    )
    prog = QualityProgramme.objects.get()
    url = reverse("meetings:programme", kwargs={"pk": prog.pk})
    r = client.post(url, {"action": "pilot", "cell": "C4", "on": "01/02/2025"})
    assert "trong phạm vi" in r.content.decode() and not ProgrammeCell.objects.exists()
    assert client.post(url, {"action": "pilot", "cell": "C1", "on": "01/02/2025"}).status_code == 302
    assert client.post(url, {"action": "roll_out", "on": "01/07/2025"}).status_code == 302
    assert ProgrammeCell.objects.filter(rolled_out_on=D(2025, 7, 1)).count() == 3
    body = client.get(url).content.decode()
    assert "Chi bộ thôn Đông" in body and "3/3" in body


def test_assign_cadre_and_who_went_where(tree, people, cadre, client):
    client.force_login(cadre)
    meeting = plan(tree["C1"], MEETING_DAY)
    url = reverse("meetings:assign", kwargs={"pk": meeting.pk})
    r = client.post(url, {"assigning_org": tree["X1"].pk, "name": ""})
    assert r.status_code == 200 and not AttendanceAssignment.objects.exists()
    r = client.post(url, {"assigning_org": tree["X1"].pk, "name": "Phạm Văn Dự", "title": "Đảng ủy viên"})
    assert r.status_code == 302 and AttendanceAssignment.objects.count() == 1
    body = client.get(
        reverse("meetings:assignments", kwargs={"code": "X1"}), {"from": "01/01/2025", "to": "31/12/2025"}
    ).content.decode()
    assert "Phạm Văn Dự" in body and "Chi bộ thôn Đông" in body


def test_cancel_and_invitation(tree, people, cadre, client):
    client.force_login(cadre)
    meeting = plan(tree["C1"], MEETING_DAY, place="Nhà văn hóa thôn Đông")
    inv = reverse("meetings:invitation", kwargs={"pk": meeting.pk})
    assert "GIẤY TRIỆU TẬP" in client.get(inv).content.decode()
    r = client.post(inv, {"version": meeting.version, "on": "01/01/2099"})
    assert "ở tương lai" in r.content.decode()
    assert client.post(inv, {"version": meeting.version, "on": "01/03/2025"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.invitation_sent_on == D(2025, 3, 1)
    url = reverse("meetings:cancel", kwargs={"pk": meeting.pk})
    r = client.post(url, {"version": meeting.version, "reason": ""})
    assert "Hãy nhập thông tin này" in r.content.decode()
    assert client.post(url, {"version": meeting.version, "reason": "Mưa bão"}).status_code == 302
    assert Meeting.objects.get().status == "cancelled"


def test_a_viewer_reads_but_cannot_write(tree, full, client):
    viewer = User.objects.create_user("xem", password="mat-khau-dai-123")
    grant_role(None, user=viewer, role="viewer", org=tree["X1"])
    client.force_login(viewer)
    m = full["meeting"]
    assert client.get(reverse("meetings:detail", kwargs={"pk": m.pk})).status_code == 200
    assert client.get(reverse("meetings:plan", kwargs={"code": "C1"})).status_code == 404
    before = Attendance.objects.filter(presence=P.PRESENT).count()
    r = client.post(reverse("meetings:attendance", kwargs={"pk": m.pk}), {"version": m.version})
    assert r.status_code == 404 and Attendance.objects.filter(presence=P.PRESENT).count() == before
    body = client.get(reverse("meetings:attendance", kwargs={"pk": m.pk})).content.decode()
    assert "Lưu điểm danh" not in body


def test_open_tasks_query(tree, people):
    first = held(tree["C1"], MEETING_DAY, marks=[(people["an"], P.PRESENT)])
    res = ms.add_resolution(None, first, title="NQ")
    t1 = ms.add_task(None, res, description="Một", deadline=D(2025, 5, 1), owner_text="Chi ủy")
    t2 = ms.add_task(None, res, description="Hai", deadline=D(2025, 4, 1), owner_text="Chi ủy")
    second = held(tree["C1"], D(2025, 4, 4), marks=[(people["an"], P.PRESENT)])
    ms.follow_up_task(None, t1, meeting=second, status="done")
    from coso.core.scope import SystemReader

    user = SystemReader()
    assert q.open_tasks(user, tree["C1"], D(2025, 3, 31)) == [t2, t1]  # by deadline; t1 closed later
    assert q.open_tasks(user, tree["C1"], D(2025, 4, 4)) == [t2]
    assert q.open_tasks(user, tree["C1"], D(2025, 3, 1)) == []
    assert q.open_tasks(user, tree["C2"], D(2025, 12, 31)) == []
