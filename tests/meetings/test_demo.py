"""The demo meetings: recorded through the services (history kept), with the gaps and alerts a compliance page
should show. A quicker load (the first cells of the demo commune, the first paper books of the others) than
`coso load_demo`'s whole province."""

import datetime as dt

from coso.accounts import demo as accounts_demo
from coso.accounts.models import User
from coso.core.dates import last_of_month, today
from coso.core.fields import prefix_range
from coso.meetings import demo as meetings_demo
from coso.meetings import queries as q
from coso.meetings.models import (
    AttendanceAssignment,
    Meeting,
    MeetingRhythm,
    MeetingScore,
    ProgrammeCell,
    QualityProgramme,
)
from coso.members import demo as members_demo
from coso.orgs import demo as orgs_demo
from coso.orgs.models import Organization

D = dt.date


def test_demo_meetings(db):
    quiet = lambda _m: None  # noqa: E731
    assert not meetings_demo.load(log=quiet)  # nothing to hang meetings on yet
    assert orgs_demo.load(log=quiet)
    assert accounts_demo.load(log=quiet)
    assert members_demo.load(log=quiet)
    assert meetings_demo.load(log=quiet, limit=12)
    assert not meetings_demo.load(log=quiet)
    admin = User.objects.get(username="admin")
    commune = meetings_demo.MeetingDemo(quiet).commune()
    now = today()
    last = meetings_demo.last_complete_month(now)
    # everything went through the services: each meeting has its history
    held = Meeting.objects.filter(status=Meeting.Status.HELD)
    assert held.count() > 200
    assert Meeting.history.values("id").distinct().count() == Meeting.objects.count()
    assert held.order_by("date").first().date.replace(day=1) == D(2025, 1, 1)
    assert held.order_by("-date").first().date <= last_of_month(last)
    assert MeetingRhythm.objects.filter(day_of_month=4).exists()  # seed 004: the 4th of each month
    assert held.filter(kind="thematic").exists() and held.filter(kind="pilot").exists()
    assert MeetingScore.objects.exists() and AttendanceAssignment.objects.exists()
    programme = QualityProgramme.objects.get()
    assert ProgrammeCell.objects.filter(programme=programme, pilot=True).exists()
    province = Organization.objects.get(code="SL")
    assert (
        ProgrammeCell.objects.filter(rolled_out_on__isnull=False).count()
        == q._cells_on(province, D(2025, 7, 1), None).count()
    )
    # this year's compliance of the demo commune: gaps and alerts
    year = (D(now.year, 1, 1), last_of_month(last))
    c = q.compliance(admin, commune, *year, now)
    assert c.cells >= 12
    assert 0 < c.regular_held < c.regular_expected
    assert 0 < c.thematic_quarters_met < c.thematic_quarters_expected
    assert c.attendance_rate is not None and 0.75 < c.attendance_rate < 1
    a = c.alerts
    assert a.absent_members and all(m["count"] >= 3 for m in a.absent_members)
    assert a.unpaid_dues_members
    assert a.overdue_tasks_total > 0 and a.minutes_not_adopted_total > 0
    assert a.cells_without_meeting_total >= 1
    # the other cells of the province brought their paper books (nhập sổ sinh hoạt): the province page adds
    # their meetings to the demo commune's, and still expects meetings of the cells with no book
    books = held.exclude(**prefix_range("org__current_path", commune.current_path))
    assert books.exists() and books.filter(kind="thematic").exists()
    assert {h.history_change_reason for h in Meeting.history.filter(id__in=books.values("id"))} == {
        "Nhập sổ sinh hoạt"
    }
    p = q.compliance(admin, province, *year, now, alerts=False)
    assert p.regular_held > c.regular_held and p.regular_expected > p.regular_held
