"""Meeting services: every refusal names its rule and writes nothing; figures follow the members' dated rows."""

from __future__ import annotations

import datetime as dt

import pytest

from coso.accounts.models import User
from coso.accounts.services import grant_role
from coso.core.errors import DomainError, NotInScope, StaleEdit
from coso.core.scope import SystemReader
from coso.meetings import queries as q
from coso.meetings import services as ms
from coso.meetings.models import (
    Attendance,
    AttendanceAssignment,
    DuesPayment,
    Meeting,
    MeetingRhythm,
    Minutes,
    MinutesAmendment,
    ResolutionTask,
)
from coso.members import services as m
from coso.orgs import services as s
from tests.conftest import decision
from tests.meetings.helpers import held, official, plan
from tests.members.test_services import admit

D = dt.date
P = Attendance.Presence


def figures(meeting):
    meeting.refresh_from_db()
    return {
        k: getattr(meeting, k)
        for k in (
            "official",
            "probationary",
            "exempt",
            "away",
            "expected",
            "present",
            "present_expected",
            "absent_excused",
            "absent_unexcused",
            "guests",
        )
    }


def test_meeting_only_while_the_cell_exists(tree):
    c = tree["C3"]
    s.dissolve(None, c, on=D(2020, 6, 1), decision=decision(signed_on=D(2020, 5, 20)))
    c.refresh_from_db()
    for on in (D(2000, 12, 31), D(2020, 6, 1), D(2021, 1, 4)):
        with pytest.raises(DomainError) as e:
            plan(c, on)
        assert e.value.rule.code == "MEET.ORG_EXISTS"
    assert "đã giải thể ngày 01/06/2020" in str(e.value)
    plan(c, D(2020, 5, 31))  # the last day it exists
    assert Meeting.objects.count() == 1


def test_kind_fits_the_organization(tree):
    with pytest.raises(DomainError) as e:
        plan(tree["X1"], D(2020, 5, 4), kind="regular")
    assert e.value.rule.code == "MEET.KIND"
    with pytest.raises(DomainError) as e:
        plan(tree["C1"], D(2020, 5, 4), kind="whole_committee")
    assert e.value.rule.code == "MEET.KIND"
    assert not Meeting.objects.exists()
    plan(tree["X1"], D(2020, 5, 4), kind="whole_committee")
    plan(tree["X1"], D(2020, 5, 5), kind="committee")
    plan(tree["S1"], D(2020, 5, 4), kind="thematic")  # a chi bộ cơ sở is a cell


def test_figures_follow_status_and_flags_on_the_meeting_date(tree):
    a = admit(tree["C1"], name="Nguyễn Văn An", joined=D(2020, 3, 1))
    b = official(tree["C1"], "Trần Thị Bình")
    c = official(tree["C1"], "Lê Văn Cường")
    m.set_flag(None, c, kind="exempt", on=D(2020, 6, 1), reason="Tuổi cao")
    m.recognise(None, a, on=D(2021, 3, 1))
    first = held(
        tree["C1"],
        D(2020, 10, 4),
        marks=[(a, P.PRESENT), (b, P.ABSENT_UNEXCUSED), (c, P.PRESENT)],
    )
    assert figures(first) == {
        "official": 2,  # b, c: a was recognised later, so probationary here
        "probationary": 1,
        "exempt": 1,
        "away": 0,
        "expected": 2,
        "present": 2,
        "present_expected": 1,
        "absent_excused": 0,
        "absent_unexcused": 1,
        "guests": 0,
    }
    assert first.status == Meeting.Status.HELD and first.attendance_rate == 0.5
    later = held(tree["C1"], D(2021, 4, 4), marks=[(a, P.PRESENT), (b, P.ABSENT_EXCUSED, "Ốm")])
    f = figures(later)
    assert (f["official"], f["probationary"], f["expected"], f["absent_excused"]) == (3, 0, 2, 1)
    # the earlier meeting still reads as it was
    assert figures(first)["probationary"] == 1
    row = Attendance.objects.get(meeting=first, member=a)
    assert row.status_on == "probationary" and row.history.count() >= 2


def test_temporary_guest_listed_at_host_and_counted_at_home(tree):
    d = official(tree["C1"], "Phạm Văn Dũng")
    host = official(tree["C4"], "Hoàng Thị Em")
    t = m.issue_transfer(
        None,
        d,
        m.TransferInput(kind="temporary", left_on=D(2022, 1, 3), to_org=tree["C4"], return_due=D(2022, 9, 1)),
    )
    m.confirm_arrival(None, t, on=D(2022, 1, 10))
    at_host = held(tree["C4"], D(2022, 3, 4), marks=[(d, P.PRESENT), (host, P.PRESENT)])
    assert Attendance.objects.get(meeting=at_host, member=d).role == Attendance.Role.GUEST
    f = figures(at_host)
    assert (f["official"], f["expected"], f["present"], f["guests"]) == (1, 1, 1, 1)
    at_home = held(tree["C1"], D(2022, 3, 4))
    row = Attendance.objects.get(meeting=at_home, member=d)
    assert row.role == Attendance.Role.MEMBER and row.away
    f = figures(at_home)
    assert (f["official"], f["away"], f["expected"]) == (1, 1, 0)


def test_attendance_only_for_members_on_the_date(tree):
    a = official(tree["C1"], "Nguyễn Văn An")
    other = official(tree["C2"], "Trần Thị Bình")
    meeting = plan(tree["C1"], D(2020, 5, 4))
    version = meeting.version
    with pytest.raises(DomainError) as e:
        ms.mark_attendance(None, meeting, [ms.Mark(P.PRESENT, member=a), ms.Mark(P.PRESENT, member=other)])
    assert e.value.rule.code == "MEET.ATTENDEE"
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED and meeting.version == version
    assert Attendance.objects.get(meeting=meeting, member=a).presence == P.UNKNOWN
    assert not Attendance.objects.filter(member=other).exists()
    # a member who joined after the meeting date is not on its list
    late = admit(tree["C1"], name="Lê Văn Cường", joined=D(2020, 6, 1))
    with pytest.raises(DomainError):
        ms.mark_attendance(None, meeting, [ms.Mark(P.PRESENT, member=late)])
    # an excused absence needs its reason
    with pytest.raises(DomainError) as e:
        ms.mark_attendance(None, meeting, [ms.Mark(P.ABSENT_EXCUSED, member=a)])
    assert e.value.field == "reason"
    # not before the date
    future = plan(tree["C1"], dt.date.today() + dt.timedelta(days=3))
    with pytest.raises(DomainError) as e:
        ms.mark_attendance(None, future, [])
    assert e.value.rule.code == "MEET.PAST"


def test_stale_edit_refused(tree):
    meeting = plan(tree["C1"], D(2020, 5, 4))
    ms.update_meeting(
        None,
        meeting,
        ms.MeetingInput(kind="regular", date=D(2020, 5, 5), place="Nhà văn hóa"),
        expected_version=meeting.version,
    )
    with pytest.raises(StaleEdit):
        ms.update_meeting(
            None, meeting, ms.MeetingInput(kind="regular", date=D(2020, 5, 6)), expected_version=1
        )
    meeting.refresh_from_db()
    assert meeting.date == D(2020, 5, 5) and meeting.month == D(2020, 5, 1) and meeting.place == "Nhà văn hóa"


def test_cancel_only_planned(tree):
    meeting = held(tree["C1"], D(2020, 5, 4))
    with pytest.raises(DomainError) as e:
        ms.cancel_meeting(None, meeting, reason="Trùng lịch")
    assert e.value.rule.code == "MEET.STATE"
    other = plan(tree["C1"], D(2020, 6, 4))
    with pytest.raises(DomainError):
        ms.cancel_meeting(None, other, reason="  ")
    ms.cancel_meeting(None, other, reason="Mưa bão")
    other.refresh_from_db()
    assert other.status == Meeting.Status.CANCELLED
    with pytest.raises(DomainError):
        ms.mark_attendance(None, other, [])


def test_minutes_frozen_after_adoption_except_by_amendment(tree):
    a = official(tree["C1"], "Nguyễn Văn An")
    meeting = held(tree["C1"], D(2020, 5, 4), marks=[(a, P.PRESENT)])
    data = ms.MinutesInput(
        chair_name="Nguyễn Văn An",
        speakers=[{"name": "Nguyễn Văn An", "opinion": "Đồng ý"}],
        conclusions="Thống nhất làm đường.",
        votes_for=1,
    )
    with pytest.raises(DomainError) as e:
        ms.save_minutes(None, meeting, ms.MinutesInput(votes_for=2))
    assert e.value.rule.code == "MEET.VOTES"
    minutes = ms.save_minutes(None, meeting, data)
    with pytest.raises(DomainError) as e:
        ms.amend_minutes(None, minutes, data, on=D(2020, 5, 5), reason="x", decision="NQ 1")
    assert e.value.rule.code == "MEET.MINUTES_LOCKED"
    ms.adopt_minutes(None, minutes)
    minutes.refresh_from_db()
    assert minutes.adopted and minutes.adopted_on == D(2020, 5, 4)
    changed = ms.MinutesInput(**{**data.__dict__, "conclusions": "Thống nhất làm đường thôn."})
    with pytest.raises(DomainError) as e:
        ms.save_minutes(None, meeting, changed)
    assert e.value.rule.code == "MEET.MINUTES_LOCKED"
    with pytest.raises(DomainError):  # no basis
        ms.amend_minutes(None, minutes, changed, on=D(2020, 6, 4), reason="Ghi thiếu chữ")
    minutes.refresh_from_db()
    assert minutes.conclusions == "Thống nhất làm đường." and not MinutesAmendment.objects.exists()
    later = held(tree["C1"], D(2020, 6, 4))
    amendment = ms.amend_minutes(
        None, minutes, changed, on=D(2020, 6, 4), reason="Ghi thiếu chữ", adopting_meeting=later
    )
    assert amendment.before == {"conclusions": "Thống nhất làm đường."}
    assert amendment.after == {"conclusions": "Thống nhất làm đường thôn."}
    assert Minutes.objects.get(pk=minutes.pk).conclusions == "Thống nhất làm đường thôn."


def test_dues_once_a_month_by_members_of_the_cell(tree):
    a = official(tree["C1"], "Nguyễn Văn An")
    b = official(tree["C2"], "Trần Thị Bình")
    meeting = held(tree["C1"], D(2020, 5, 4), marks=[(a, P.PRESENT)])
    with pytest.raises(DomainError) as e:
        ms.record_dues(None, tree["C1"], month=D(2020, 5, 1), payments={a: 30000, b: 30000}, meeting=meeting)
    assert e.value.rule.code == "MEET.DUES"
    assert not DuesPayment.objects.exists()
    ms.record_dues(None, tree["C1"], month=D(2020, 5, 1), payments={a: 30000}, meeting=meeting)
    with pytest.raises(DomainError) as e:
        ms.record_dues(None, tree["C1"], month=D(2020, 5, 20), payments=[(a, 10000)], paid_on=D(2020, 5, 25))
    assert "đã đóng đảng phí tháng 05/2020" in e.value.message
    row = DuesPayment.objects.get()
    assert (row.amount, row.meeting_id, row.paid_on) == (30000, meeting.pk, D(2020, 5, 4))


def test_resolution_tasks_followed_up_later(tree):
    first = held(tree["C1"], D(2020, 5, 4))
    planned = plan(tree["C1"], D(2020, 6, 4))
    with pytest.raises(DomainError):
        ms.add_resolution(None, planned, title="Không được")
    res = ms.add_resolution(None, first, number="05-NQ/CB", title="Làm đường thôn")
    with pytest.raises(DomainError) as e:
        ms.add_task(None, res, description="Vận động", owner_text="Chi ủy", deadline=D(2020, 5, 1))
    assert e.value.rule.code == "MEET.TASK"
    task = ms.add_task(
        None, res, description="Vận động hiến đất", owner_text="Chi ủy", deadline=D(2020, 7, 1)
    )
    with pytest.raises(DomainError):  # same meeting
        ms.follow_up_task(None, task, meeting=first, status="done")
    other_cell = held(tree["C2"], D(2020, 6, 4))
    with pytest.raises(DomainError):
        ms.follow_up_task(None, task, meeting=other_cell, status="done")
    ms.mark_attendance(None, planned, [])
    ms.follow_up_task(None, task, meeting=planned, status="open", note="Đạt 60%")
    later = held(tree["C1"], D(2020, 7, 4))
    ms.follow_up_task(None, task, meeting=later, status="done", note="Xong")
    task.refresh_from_db()
    assert task.status == ResolutionTask.Status.DONE and task.closed_on == D(2020, 7, 4)
    assert task.follow_ups.count() == 2


def test_quality_score_uses_nearest_criteria_set(tree):
    meeting = held(tree["C1"], D(2021, 5, 4))
    national = ms.criteria_set_for(tree["C1"], meeting.date)
    assert national.org is None and national.max_total == 100
    full = {c["code"]: c["points"] for c in national.criteria}
    score = ms.score_meeting(None, meeting, scores=full, scored_on=D(2021, 5, 10))
    assert (score.total, score.level) == (100, "Tốt")
    with pytest.raises(DomainError) as e:
        ms.score_meeting(None, meeting, scores={**full, "CB": 99})
    assert e.value.rule.code == "MEET.QUALITY"
    province = ms.save_criteria_set(
        None,
        org=tree["T"],
        name="Tiêu chí của tỉnh",
        source="Đề án 16-ĐA/TU",
        effective_from=D(2021, 1, 1),
        criteria=[
            {"code": "A", "text": "Chuẩn bị", "points": 40},
            {"code": "B", "text": "Nội dung", "points": 60},
        ],
        levels=[{"name": "Tốt", "min": 80}, {"name": "Khá", "min": 60}, {"name": "Kém", "min": 0}],
    )
    assert ms.criteria_set_for(tree["C1"], D(2021, 5, 4)) == province
    assert ms.criteria_set_for(tree["C1"], D(2020, 12, 31)) == national
    score = ms.score_meeting(None, meeting, scores={"A": 30, "B": 35}, scored_on=D(2021, 5, 10))
    assert (score.total, score.level, score.criteria_set_id, score.version) == (65, "Khá", province.pk, 2)
    halves = q.quality_over_time(SystemReader(), tree["T"], D(2021, 1, 1), D(2021, 12, 31))
    assert [h.scored for h in halves] == [1, 0] and halves[0].average == 65.0
    assert halves[0].levels == {"Khá": 1} and halves[0].cells[0]["org"] == "C1"


def test_rhythm_and_calendar(tree):
    ms.set_rhythm(None, tree["C1"], day_of_month=4, valid_from=D(2020, 1, 1))
    ms.set_rhythm(None, tree["C1"], day_of_month=31, valid_from=D(2020, 3, 10))
    with pytest.raises(DomainError) as e:
        ms.set_rhythm(None, tree["C1"], day_of_month=5, valid_from=D(2020, 3, 1))
    assert e.value.rule.code == "MEET.RHYTHM"
    assert MeetingRhythm.objects.count() == 2
    dates = q.expected_dates(tree["C1"], D(2020, 1, 1), D(2020, 4, 1))
    # March: the 4th is still under the first rhythm (the new one starts on the 10th)
    assert dates == [D(2020, 1, 4), D(2020, 2, 4), D(2020, 3, 4), D(2020, 4, 30)]
    plan(tree["C1"], D(2020, 2, 5))
    months = q.calendar(SystemReader(), tree["C1"], D(2020, 1, 1), D(2020, 3, 1))
    assert [(c.expected_date, c.has_regular) for c in months] == [
        (D(2020, 1, 4), False),
        (D(2020, 2, 4), True),
        (D(2020, 3, 4), False),
    ]


def test_assigned_cadres_and_who_went_where(tree):
    a = official(tree["C1"], "Nguyễn Văn An")
    meeting = plan(tree["C1"], D(2020, 5, 4))
    cadre = ms.assign_attendee(
        None, meeting, assigning_org=tree["H1"], name="Dương Đăng Quyền", title="Huyện ủy viên"
    )
    ms.assign_attendee(None, meeting, assigning_org=tree["X1"], member=a)  # a committee member of the cell
    with pytest.raises(DomainError) as e:
        ms.assign_attendee(None, meeting, assigning_org=tree["X2"], name="Người khác")
    assert e.value.rule.code == "MEET.ASSIGN"
    with pytest.raises(DomainError):
        ms.assign_attendee(None, meeting, assigning_org=tree["X1"], member=a)
    assert AttendanceAssignment.objects.count() == 2
    row = Attendance.objects.get(assignment=cadre)
    ms.mark_attendance(
        None, meeting, [ms.Mark(P.PRESENT, attendance_id=row.pk), ms.Mark(P.PRESENT, member=a)]
    )
    f = figures(meeting)
    assert (f["official"], f["present"], f["guests"]) == (1, 1, 1)
    rows = q.assignments(SystemReader(), tree["H1"], D(2020, 1, 1), D(2020, 12, 31))
    assert [(r.assignment.assignee_name, r.cell_code, r.presence) for r in rows] == [
        ("Dương Đăng Quyền", "C1", "present"),
        ("Nguyễn Văn An", "C1", "present"),
    ]
    only_h1 = q.assignments(SystemReader(), tree["H1"], D(2020, 1, 1), D(2020, 12, 31), subtree=False)
    assert len(only_h1) == 1
    assert "Sinh hoạt thường kỳ" in q.invitation_text(meeting)


def test_scope_refuses_an_actor_outside(tree):
    other = User.objects.create_user("bt.c2", password="mat-khau-dai-123")
    grant_role(None, user=other, role="cell_secretary", org=tree["C2"])
    own = User.objects.create_user("bt.c1", password="mat-khau-dai-123")
    grant_role(None, user=own, role="cell_secretary", org=tree["C1"])
    viewer = User.objects.create_user("xem.x1", password="mat-khau-dai-123")
    grant_role(None, user=viewer, role="viewer", org=tree["X1"])
    for actor in (other, viewer):
        with pytest.raises(NotInScope):
            plan(tree["C1"], D(2020, 5, 4), actor=actor)
    meeting = plan(tree["C1"], D(2020, 5, 4), actor=own)
    with pytest.raises(NotInScope):
        ms.mark_attendance(other, meeting, [])
    with pytest.raises(NotInScope):
        ms.set_rhythm(other, tree["C1"], day_of_month=4, valid_from=D(2020, 1, 1))
    ms.mark_attendance(own, meeting, [])
    assert Meeting.objects.get().history.first().history_user == own
    office = User.objects.create_user("vp.x1", password="mat-khau-dai-123")
    grant_role(None, user=office, role="committee_office", org=tree["X1"])
    ms.assign_attendee(office, meeting, assigning_org=tree["X1"], name="Cán bộ xã")
    with pytest.raises(NotInScope):
        ms.assign_attendee(own, meeting, assigning_org=tree["X1"], name="Cán bộ khác")
    with pytest.raises(DomainError):  # national criteria only by system administrators
        ms.save_criteria_set(
            office,
            org=None,
            name="x",
            source="y",
            effective_from=D(2024, 1, 1),
            criteria=[{"code": "A", "text": "a", "points": 10}],
            levels=[{"name": "Tốt", "min": 5}],
        )


def test_programme_pilot_then_roll_out(tree):
    prog = ms.create_programme(
        None,
        tree["X1"],
        name="Đề án 16-ĐA/TU",
        date_from=D(2020, 1, 3),
        date_to=D(2025, 12, 31),
        decision_number="16-ĐA/TU",
    )
    ms.select_pilot(None, prog, tree["C1"], on=D(2020, 2, 1))
    with pytest.raises(DomainError) as e:
        ms.select_pilot(None, prog, tree["C4"], on=D(2020, 2, 1))
    assert e.value.rule.code == "MEET.PROGRAMME"
    assert ms.roll_out(None, prog, on=D(2020, 9, 1)) == 3
    report = q.programme_report(SystemReader(), prog, as_of=D(2021, 1, 1))
    assert [p["org"] for p in report.pilots] == ["C1"] and report.rolled_out == 3 and report.cells_total == 3


def test_attendance_refusal_does_not_name_a_person_outside_the_scope(tree):
    secretary = User.objects.create_user("bi.thu.x1", password="mat-khau-dai-123")
    grant_role(None, user=secretary, role="org_commission", org=tree["X1"])
    neighbour = official(tree["C2"], "Trần Thị Bình")  # in X1: the secretary may see her
    stranger = official(tree["C4"], "Hoàng Văn Kín")  # in X2: outside the secretary's scope
    meeting = plan(tree["C1"], D(2020, 5, 4), actor=secretary)
    with pytest.raises(DomainError) as e:
        ms.mark_attendance(secretary, meeting, [ms.Mark(P.PRESENT, member=stranger)])
    assert "Hoàng Văn Kín" not in e.value.message and e.value.message.startswith("Người này không sinh hoạt")
    with pytest.raises(DomainError) as e:
        ms.mark_attendance(secretary, meeting, [ms.Mark(P.PRESENT, member=neighbour)])
    assert e.value.message.startswith("Trần Thị Bình không sinh hoạt tại Chi bộ thôn Đông")
