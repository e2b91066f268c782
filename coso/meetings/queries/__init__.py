"""Reads of cell meetings, always scoped: compliance of a subtree over a period as of a date, the calendar, who went
where, meeting quality over time and the quality programme.

Compliance: the attribution rule
--------------------------------
The unit of account is **(cell, calendar month)** for regular meetings and **(cell, calendar quarter)** for
thematic meetings.

- *Which cells.* Organizations whose kind is a cell (`OrgKind.is_cell`): the cells under a grassroots committee
  (chi bộ trực thuộc) **and** the grassroots cells (chi bộ cơ sở), because a chi bộ cơ sở is a cell and meets
  monthly under the same Article 24 of the Charter. Committees (đảng bộ) are not units: their committee and
  whole-committee meetings are recorded but not judged here.
- *Which months.* The months whose **last day** falls in [date_from, min(date_to, as_of)]: a month is judged once
  it has ended (a report as of the 15th does not count the current month against anyone).
- *Expected.* A month is expected of a cell when the cell exists with a cell kind for the **whole** month
  (established on or before the 1st, not dissolved before the month's end). A cell established or dissolved
  mid-month owes nothing that month.
- *Where it counts.* The month is attributed to the subtree that held the cell on the month's **last day**
  (the cell's placement path then lies under the root's path then). A cell moved from one parent to another
  mid-year counts under its old parent for the months that ended before the move and under the new one after;
  a cell dissolved mid-year counts for the whole months it existed.
- *Held.* The (cell, month) is held when at least `per_month` (rule MEET.REGULAR in force on the month's last
  day; 1) meetings of a regular kind (regular, model, pilot: `REGULAR_KINDS`) with status held fall in that month.
  `regular_held` ≤ `regular_expected`; both count units, not meetings.
- *Thematic.* The same with quarters: a (cell, quarter) is expected when the cell exists for the whole quarter and
  the quarter's last day falls in the period; attributed by the placement on the quarter's last day; met when at
  least `per_quarter` (MEET.THEMATIC) thematic meetings are held in it.
- *Attendance rate* = Σ present_expected / Σ expected over the held member meetings (regular, thematic,
  extraordinary, model, pilot) in the expected (cell, month) units of the subtree: members present among those
  required to attend, over the members required to attend (official + probationary − exempt − suspended −
  temporarily attending elsewhere; guests and assigned cadres excluded). Rounded to 4 decimals; null when there
  is no such meeting with a roll call.
- *Yearly bar.* For each calendar year whose 12 months are all judged in the period, the cells expected all 12
  months in this subtree that held fewer than `min_per_year` (MEET.REGULAR on 31/12; 11 by default, seed 000).
- `cells` is the number of distinct cells with at least one expected month in the subtree.

The figures come from grouped SQL over the meetings' stored figures (no attendance scan, no loop over meetings):
one statement per kind of unit (months, quarters) over all of the root's paths (a root moved during the period has
several), using the path range of the placements (`coso.orgs.queries.placements_sql`) and the meetings' (org,
date) index.

Alerts (as of `as_of`; every list is capped at `ALERT_LIMIT` rows, with the full count beside it):
- cells (existing on as_of, under the root then) without a held regular meeting for more than
  `max_days_without_meeting` days (MEET.REGULAR; counted from the establishment when they never met);
- held meetings of the period (organizations under the root on the meeting date) whose minutes were not adopted
  by as_of;
- resolution tasks open on as_of with a deadline before it (meetings under the root on their date);
- members (official membership on as_of in a cell under the root) with unexcused absences in at least
  `absence_months` distinct months of as_of's calendar year up to as_of (MEET.MEMBER_ALERTS);
- members without dues paid for at least `unpaid_dues_months` of the months of as_of's year completed before
  as_of during which they held an official membership, in cells that record dues in Coso (a cell that recorded no
  payment in the year keeps its dues book elsewhere and is not flagged wholesale).
These are alerts to the cell, never automatic actions.

Scope: the numbers of a subtree the user's grants cover include everything that was under it on each date (its
history); a user asking about an organization above their grants gets the part under their grants (the cells
whose current placement is in scope).

The reads live by subject in this package (`calendar`, `attendees`, `compliance`, `quality`, `follow_ups`; what
they share in `_common`); every name is importable from `coso.meetings.queries` as before.
"""

from __future__ import annotations

from ._common import ALERT_LIMIT, meetings  # noqa: F401
from .attendees import AssignmentRow, assignments  # noqa: F401
from .calendar import CalendarMonth, attendance_of, calendar, expected_dates, invitation_text  # noqa: F401
from .compliance import (  # noqa: F401
    Alerts,
    ChildRow,
    Compliance,
    _alerts,
    _Bucket,
    _cells_on,
    _confine,
    _figures_sql,
    _member_alerts,
    _minutes_not_adopted,
    _month_buckets,
    _months,
    _quarter_buckets,
    _quarters,
    _Rules,
    _scope_paths,
    check_period,
    compliance,
    compliance_alerts,
)
from .follow_ups import open_tasks  # noqa: F401
from .quality import (  # noqa: F401
    ProgrammeReport,
    QualityHalf,
    _halves,
    programme_report,
    quality_over_time,
    quality_summary,
)
