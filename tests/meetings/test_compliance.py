"""Compliance over a hand-built year: a cell moved mid-year, a cell dissolved mid-year, the alerts at their
boundaries, and the `coso report meetings` contract."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from coso.accounts.models import User
from coso.accounts.services import grant_role
from coso.core.scope import SystemReader
from coso.meetings import queries as q
from coso.meetings import services as ms
from coso.meetings.models import Attendance
from coso.orgs import services as s
from tests.conftest import decision
from tests.meetings.helpers import held, official

D = dt.date
P = Attendance.Presence
SYSTEM = SystemReader()
YEAR = (D(2023, 1, 1), D(2023, 12, 31))
AS_OF = D(2023, 12, 31)
CONTRACT = {
    "org",
    "cells",
    "regular_held",
    "regular_expected",
    "thematic_quarters_met",
    "thematic_quarters_expected",
    "attendance_rate",
}


def numbers(org, as_of=AS_OF, user=SYSTEM, frm=YEAR[0], to=YEAR[1]):
    r = q.compliance(user, org, frm, to, as_of)
    return (
        r.cells,
        r.regular_held,
        r.regular_expected,
        r.thematic_quarters_met,
        r.thematic_quarters_expected,
        r.attendance_rate,
    )


@pytest.fixture
def year(tree):
    """2023: C1 meets every month (thematic in Q1-Q3); C2 meets Jan-Mar and Aug-Dec and moves from X1 to X2 on
    01/07; C3 meets Jan, Feb and 04/05, and is dissolved on 15/05; C4 and S1 never meet."""
    c1, c2, c3 = tree["C1"], tree["C2"], tree["C3"]
    a = official(c1, "Nguyễn Văn An")
    b = official(c1, "Trần Thị Bình")
    s.move(None, c2, new_parent=tree["X2"], on=D(2023, 7, 1), decision=decision("15-QĐ/HU", D(2023, 6, 20)))
    s.dissolve(None, c3, on=D(2023, 5, 15), decision=decision("16-QĐ/HU", D(2023, 5, 10)))
    for month in range(1, 13):
        marks = []
        if month == 1:
            marks = [(a, P.PRESENT), (b, P.PRESENT)]
        elif month in (2, 3, 4):
            marks = [(a, P.PRESENT), (b, P.ABSENT_UNEXCUSED)]
        held(c1, D(2023, month, 4), marks=marks)
    for month in (2, 5, 8):
        held(c1, D(2023, month, 20), kind="thematic")
    for month in (1, 2, 3, 8, 9, 10, 11, 12):
        held(c2, D(2023, month, 4))
    for on in (D(2023, 1, 4), D(2023, 2, 4), D(2023, 5, 4)):
        held(c3, on)
    return {**tree, "a": a, "b": b}


def test_subtree_numbers_follow_placement_on_each_month_end(year):
    # X1: C1 12/12; C2 Jan-Jun under X1 (3 held of 6); C3 whole months Jan-Apr (2 of 4), May is partial
    # attendance: C1's 15 member meetings list 2 expected members; 5 presences marked
    assert numbers(year["X1"]) == (3, 17, 22, 3, 7, round(5 / 30, 4))
    # X2: C4 0/12; C2 Jul-Dec under X2 (Aug-Dec held: 5 of 6); quarters C4 4 + C2 Q3, Q4
    assert numbers(year["X2"]) == (2, 5, 18, 0, 6, None)
    # the province adds the grassroots cell S1 (a chi bộ cơ sở meets monthly too)
    assert numbers(year["T"]) == (5, 22, 52, 3, 17, round(5 / 30, 4))
    # a cell alone
    assert numbers(year["C2"]) == (1, 8, 12, 0, 4, None)
    assert numbers(year["C3"]) == (1, 2, 4, 0, 1, None)


def test_rows_drill_down_and_months_not_yet_ended(year):
    r = q.compliance(SYSTEM, year["H1"], *YEAR, AS_OF)
    rows = {row.code: row for row in r.rows}
    assert set(rows) == {"X1", "S1"}
    assert (rows["X1"].regular_held, rows["X1"].regular_expected, rows["X1"].cells) == (17, 22, 3)
    assert (rows["S1"].regular_held, rows["S1"].regular_expected) == (0, 12)
    x1 = {row.code: row for row in q.compliance(SYSTEM, year["X1"], *YEAR, AS_OF).rows}
    assert (x1["C2"].regular_held, x1["C2"].regular_expected) == (3, 6)
    assert (x1["C3"].regular_held, x1["C3"].regular_expected) == (2, 4)
    # as of 15/06 only January-May have ended; Q1 is the only quarter
    assert numbers(year["X1"], as_of=D(2023, 6, 15)) == (3, 10, 14, 1, 3, round(5 / 14, 4))
    # the yearly bar: cells expected all 12 months here and under 11 meetings
    bar = {
        (b["org"], b["regular_held"]) for b in q.compliance(SYSTEM, year["T"], *YEAR, AS_OF).below_year_bar
    }
    assert bar == {("C2", 8), ("C4", 0), ("S1", 0)}
    assert q.compliance(SYSTEM, year["X1"], *YEAR, AS_OF).below_year_bar == []  # C2 only 6 months in X1


def test_alerts(year):
    r = q.compliance(SYSTEM, year["X2"], *YEAR, AS_OF)
    silent = {c["org"]: c["days"] for c in r.alerts.cells_without_meeting}
    assert set(silent) == {"C4"}
    x1 = q.compliance(SYSTEM, year["X1"], *YEAR, AS_OF)
    assert x1.alerts.cells_without_meeting == []
    # every held meeting of X1's cells on its date has minutes not adopted: C1 15, C2 3, C3 3
    assert x1.alerts.minutes_not_adopted_total == 21
    first = year["C1"]
    meeting = q.meetings(SYSTEM).get(org=first, date=D(2023, 1, 4))
    ms.adopt_minutes(None, ms.save_minutes(None, meeting, ms.MinutesInput(conclusions="Nhất trí")))
    assert q.compliance(SYSTEM, year["X1"], *YEAR, AS_OF).alerts.minutes_not_adopted_total == 20
    # adopted after the as-of date: still pending then
    meeting = q.meetings(SYSTEM).get(org=first, date=D(2023, 2, 4))
    minutes = ms.save_minutes(None, meeting, ms.MinutesInput())
    ms.adopt_minutes(None, minutes, on=D(2024, 1, 10))
    assert q.compliance(SYSTEM, year["X1"], *YEAR, AS_OF).alerts.minutes_not_adopted_total == 20
    assert q.compliance(SYSTEM, year["X1"], *YEAR, D(2024, 1, 10)).alerts.minutes_not_adopted_total == 19
    # b: unexcused in February, March, April: 3 months
    assert [(m["name"], m["months"]) for m in x1.alerts.absent_members] == [
        ("Trần Thị Bình", ["2023-02", "2023-03", "2023-04"])
    ]
    # overdue tasks as of a date, open then
    res = ms.add_resolution(None, meeting, title="Làm đường")
    task = ms.add_task(None, res, description="Vận động", owner_text="Chi ủy", deadline=D(2023, 3, 1))
    assert q.compliance(SYSTEM, year["X1"], *YEAR, D(2023, 3, 1)).alerts.overdue_tasks_total == 0
    assert q.compliance(SYSTEM, year["X1"], *YEAR, D(2023, 3, 2)).alerts.overdue_tasks_total == 1
    ms.follow_up_task(
        None, task, meeting=q.meetings(SYSTEM).get(org=first, date=D(2023, 4, 4)), status="done"
    )
    assert q.compliance(SYSTEM, year["X1"], *YEAR, D(2023, 3, 2)).alerts.overdue_tasks_total == 1
    assert q.compliance(SYSTEM, year["X1"], *YEAR, D(2023, 4, 5)).alerts.overdue_tasks_total == 0


def test_member_alert_boundaries(tree):
    cell = tree["C1"]
    e = official(cell, "Vũ Thị Em")
    f = official(cell, "Đỗ Văn Phúc")
    g = official(tree["C2"], "Lý Văn Giang")  # C2 records no dues: not flagged wholesale
    held(cell, D(2023, 1, 4), marks=[(e, P.ABSENT_UNEXCUSED), (f, P.ABSENT_UNEXCUSED)])
    held(cell, D(2023, 2, 4), marks=[(e, P.ABSENT_UNEXCUSED), (f, P.ABSENT_UNEXCUSED)])
    held(cell, D(2023, 2, 20), kind="thematic", marks=[(f, P.ABSENT_UNEXCUSED)])  # same month: still 2
    held(cell, D(2023, 3, 4), marks=[(e, P.ABSENT_UNEXCUSED), (f, P.ABSENT_EXCUSED, "Đi công tác")])
    held(tree["C2"], D(2023, 1, 4), marks=[(g, P.ABSENT_UNEXCUSED)])
    ms.record_dues(None, cell, month=D(2023, 1, 1), payments={e: 20000, f: 20000}, paid_on=D(2023, 1, 4))
    ms.record_dues(None, cell, month=D(2023, 2, 1), payments={f: 20000}, paid_on=D(2023, 2, 4))
    alerts = q.compliance(SYSTEM, tree["X1"], D(2023, 1, 1), D(2023, 12, 31), D(2023, 5, 1)).alerts
    assert [(m["name"], m["count"]) for m in alerts.absent_members] == [("Vũ Thị Em", 3)]
    # January to April have ended: e paid January only (3 unpaid), f January and February (2 unpaid)
    assert [(m["name"], m["months"]) for m in alerts.unpaid_dues_members] == [
        ("Vũ Thị Em", ["2023-02", "2023-03", "2023-04"])
    ]
    # on 30/04 April has not ended: 2 unpaid months, no alert
    alerts = q.compliance(SYSTEM, tree["X1"], D(2023, 1, 1), D(2023, 12, 31), D(2023, 4, 30)).alerts
    assert alerts.unpaid_dues_members == []
    # a new calendar year starts from zero
    alerts = q.compliance(SYSTEM, tree["X1"], D(2023, 1, 1), D(2023, 12, 31), D(2024, 1, 5)).alerts
    assert alerts.absent_members == [] and alerts.unpaid_dues_members == []


def test_scope_of_the_reader(year):
    user = User.objects.create_user("xem.x2", password="mat-khau-dai-123")
    grant_role(None, user=user, role="viewer", org=year["X2"])
    # a reader of X2 asking about the province gets the part under X2 today (C2 and C4)
    assert numbers(year["T"], user=user)[:3] == (2, 8, 24)
    assert numbers(year["X2"], user=user) == numbers(year["X2"])


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_cli_json_contract_and_text(year):
    text = run(
        "report",
        "meetings",
        "--org",
        "X1",
        "--from",
        "2023-01-01",
        "--to",
        "2023-12-31",
        "--as-of",
        "2023-12-31",
        "--json",
    )
    data = json.loads(text)
    assert CONTRACT <= set(data)
    assert (data["org"], data["cells"], data["regular_held"], data["regular_expected"]) == ("X1", 3, 17, 22)
    assert (data["thematic_quarters_met"], data["thematic_quarters_expected"]) == (3, 7)
    assert data["attendance_rate"] == round(5 / 30, 4)
    assert text.strip().count("\n") == 0
    empty = json.loads(
        run(
            "report",
            "meetings",
            "--org",
            "C4",
            "--from",
            "2023-01-01",
            "--to",
            "2023-12-31",
            "--as-of",
            "2024-01-01",
            "--json",
        )
    )
    assert empty["attendance_rate"] is None and empty["regular_expected"] == 12
    table = run(
        "report",
        "meetings",
        "--org",
        "x1",
        "--from",
        "01/01/2023",
        "--to",
        "31/12/2023",
        "--as-of",
        "31/12/2023",
    )
    assert "Tình hình sinh hoạt chi bộ của Đảng bộ xã An Lạc (X1)" in table
    assert "17/22" in table and "Trần Thị Bình" in table
