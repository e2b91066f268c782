"""Nhập sổ sinh hoạt: a cell's past meetings copied from its paper book, in one transaction, by the same rules as
a roll call (the list of each date, the figures, history), refused line by line with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from coso.accounts.models import User
from coso.accounts.services import grant_role
from coso.core.errors import DomainError, NotInScope
from coso.core.scope import SystemReader
from coso.meetings import queries as q
from coso.meetings import services as ms
from coso.meetings.models import Attendance, Meeting, Minutes
from coso.meetings.serializers import FIGURES  # the figures the API gives of a meeting
from coso.members import services as m
from coso.orgs import services as s
from tests.conftest import decision
from tests.meetings.helpers import held, official
from tests.members.test_services import admit

D = dt.date
P = Attendance.Presence


def figures(meeting):
    meeting.refresh_from_db()
    return {k: getattr(meeting, k) for k in FIGURES}


@pytest.fixture
def cell(tree):
    """C1 in 2023: An and Bình official; Cường admitted 01/03/2023 (probationary); Dũng exempt from 01/06/2023."""
    c1 = tree["C1"]
    people = {
        "an": official(c1, "Nguyễn Văn An"),
        "binh": official(c1, "Trần Thị Bình"),
        "dung": official(c1, "Lê Văn Dũng"),
        "cuong": admit(c1, name="Phạm Văn Cường", joined=D(2023, 3, 1)),
    }
    m.set_flag(None, people["dung"], kind="exempt", on=D(2023, 6, 1), reason="Tuổi cao, sức yếu")
    return c1, people


def test_book_lines_become_held_meetings_like_a_roll_call(cell):
    c1, p = cell
    book = [
        ms.BookEntry(D(2023, 1, 4), focus_issue="Làm đường giao thông", place="Nhà văn hóa thôn"),
        ms.BookEntry(D(2023, 3, 4), absent={p["binh"].pk: "Ốm"}, chair_name="Nguyễn Văn An"),
        ms.BookEntry(D(2023, 3, 18), kind="thematic", focus_issue="Chuyên đề chuyển đổi số"),
        ms.BookEntry(D(2023, 7, 4), absent={p["an"].pk: "", p["dung"].pk: ""}, adopted=False),
    ]
    made = ms.record_book(None, c1, book)
    assert [x.date for x in made] == [e.date for e in book]
    assert all(x.status == Meeting.Status.HELD for x in made)
    # each line has the list of its own date: Cường only from March, Dũng exempt from June
    assert Attendance.objects.filter(meeting=made[0]).count() == 3
    assert set(Attendance.objects.filter(meeting=made[1]).values_list("member__full_name", flat=True)) == {
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Lê Văn Dũng",
        "Phạm Văn Cường",
    }
    assert figures(made[0]) == dict.fromkeys(FIGURES, 0) | {
        "official": 3,
        "expected": 3,
        "present": 3,
        "present_expected": 3,
    }
    july = figures(made[3])
    assert (july["official"], july["probationary"], july["exempt"], july["expected"]) == (3, 1, 1, 3)
    assert (july["present_expected"], july["absent_unexcused"], july["absent_excused"]) == (2, 1, 0)
    absent = Attendance.objects.get(meeting=made[1], member=p["binh"])
    assert (absent.presence, absent.reason) == (P.ABSENT_EXCUSED, "Ốm")
    # the same marks taken as a roll call on the same day give the same figures
    roll_call = held(
        c1,
        D(2023, 7, 4),
        kind="pilot",
        marks=[
            (p["an"], P.ABSENT_UNEXCUSED),
            (p["binh"], P.PRESENT),
            (p["cuong"], P.PRESENT),
            (p["dung"], P.ABSENT_UNEXCUSED),
        ],
    )
    assert figures(roll_call) == july
    # minutes adopted on the meeting date unless the book says otherwise; history says where it came from
    assert Minutes.objects.get(meeting=made[1]).adopted_on == D(2023, 3, 4)
    assert Minutes.objects.get(meeting=made[1]).chair_name == "Nguyễn Văn An"
    assert Minutes.objects.get(meeting=made[3]).adopted_on is None
    assert made[0].history.get().history_change_reason == "Nhập sổ sinh hoạt"
    assert Attendance.history.filter(meeting_id=made[0].pk).count() == 3
    # and compliance counts them
    r = q.compliance(SystemReader(), c1, D(2023, 1, 1), D(2023, 12, 31), D(2023, 12, 31))
    assert (r.regular_held, r.thematic_quarters_met) == (3, 1)  # months with a regular meeting: 1, 3, 7


def test_book_refused_line_by_line_and_nothing_written(cell, tree):
    c1, p = cell
    other = official(tree["C2"], "Hoàng Thị Em")
    s.dissolve(None, tree["C3"], on=D(2023, 5, 15), decision=decision("16-QĐ/HU", D(2023, 5, 10)))
    tree["C3"].refresh_from_db()
    ok = ms.BookEntry(D(2023, 1, 4))
    cases = [
        (c1, [ok, ms.BookEntry(dt.date.today() + dt.timedelta(days=2))], "MEET.PAST", "Dòng 2"),
        (c1, [ok, ms.BookEntry(D(2023, 2, 4), absent={other.pk: ""})], "MEET.ATTENDEE", "Dòng 2"),
        (c1, [ok, ms.BookEntry(D(2023, 1, 4))], "MEET.STATE", "trùng với dòng 1"),
        (c1, [ms.BookEntry(D(2023, 2, 4), kind="whole_committee")], "MEET.KIND", "Dòng 1"),
        (tree["X1"], [ms.BookEntry(D(2023, 2, 4), kind="committee")], "MEET.KIND", "họp cấp ủy"),
        (tree["C3"], [ok, ms.BookEntry(D(2023, 6, 4))], "MEET.ORG_EXISTS", "đã giải thể ngày 15/05/2023"),
    ]
    for org, book, rule, text in cases:
        with pytest.raises(DomainError) as e:
            ms.record_book(None, org, book)
        assert e.value.rule.code == rule, (rule, str(e.value))
        assert text in str(e.value)
    assert not Meeting.objects.exists() and not Attendance.objects.exists()
    # a meeting already recorded in Coso on that day is not entered twice
    held(c1, D(2023, 2, 4))
    with pytest.raises(DomainError) as e:
        ms.record_book(None, c1, [ok, ms.BookEntry(D(2023, 2, 4))])
    assert "Dòng 2" in str(e.value) and "đã có sinh hoạt thường kỳ" in str(e.value)
    assert Meeting.objects.count() == 1
    with pytest.raises(DomainError) as e:
        ms.record_book(None, c1, [])
    assert Meeting.objects.count() == 1


def test_book_respects_scope(cell, tree):
    c1, _p = cell
    other = User.objects.create_user("bt.c2", password="mat-khau-dai-123")
    grant_role(None, user=other, role="cell_secretary", org=tree["C2"])
    own = User.objects.create_user("bt.c1", password="mat-khau-dai-123")
    grant_role(None, user=own, role="cell_secretary", org=tree["C1"])
    with pytest.raises(NotInScope):
        ms.record_book(other, c1, [ms.BookEntry(D(2023, 1, 4))])
    assert not Meeting.objects.exists()
    made = ms.record_book(own, c1, [ms.BookEntry(D(2023, 1, 4))])
    assert made[0].history.get().history_user == own
    assert Minutes.objects.get(meeting=made[0]).adopted_by == own
