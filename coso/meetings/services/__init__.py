"""Every write about cell meetings: one function per operation, one transaction, checked, with history.

Each function takes the acting user (`actor`; None for the system: the demo loader, command-line imports), checks
the actor's scope on the organization it touches (permission CHANGE_MEETINGS: sysadmin, organization commission,
committee office, cell secretary) and refuses with a Vietnamese `DomainError` naming its rule; a refused operation
writes nothing. Edits of a meeting, its minutes or its score carry the version they were made against
(`expected_version`); a stale edit is refused.

Who is on a meeting's attendance list is decided by the members' dated rows on the meeting date (DOMAIN §3):
- members whose **official** membership is in the cell (or, for a đảng bộ's whole-committee meeting, in a cell
  under it) on that date, with their status then (a member recognised later is probationary at an earlier
  meeting) and their flags then (exempt, suspended); a member temporarily attending elsewhere on that date is
  listed at home as `away` (counted, not expected);
- members whose **temporary** membership is in the cell on that date: listed as guests (role `guest`), counted at
  home, not in the host's figures;
- cadres a committee assigned to attend (`assign_attendee`), role `cadre` (or their member row when they belong
  to the cell).
The meeting's opening figures are recomputed from the list every time it changes (`_recompute`).

The writes live by subject in this package (`rhythm`, `meetings`, `attendance`, `dues`, `book`, `minutes`,
`resolutions`, `quality`, `programme`; what they share in `_common`); every name is importable from
`coso.meetings.services` as before.
"""

from __future__ import annotations

from ._common import (  # noqa: F401
    P,
    R,
    _bump,
    _check_kind,
    _check_scope,
    _held,
    _lock,
    _not_cancelled,
    _past,
    org_on,
)
from .attendance import (  # noqa: F401
    _FIGURES,
    _STANDING_FIELDS,
    Eligible,
    Mark,
    _eligible,
    _eligible_on,
    _figures,
    _recompute,
    _refresh,
    _standing,
    _standing_values,
    assign_attendee,
    attendance_list,
    mark_attendance,
)
from .book import BookEntry, _book_row, record_book  # noqa: F401
from .dues import record_dues  # noqa: F401
from .meetings import (  # noqa: F401
    AgendaInput,
    MeetingInput,
    _agenda,
    _apply,
    _check_data,
    cancel_meeting,
    mark_invitation_sent,
    plan_meeting,
    update_meeting,
)
from .minutes import (  # noqa: F401
    _MINUTES_FIELDS,
    MinutesInput,
    _clean_minutes,
    _json,
    adopt_minutes,
    amend_minutes,
    save_minutes,
)
from .programme import _in_programme, _programme_cell, create_programme, roll_out, select_pilot, snapshot  # noqa: F401
from .quality import _check_criteria, criteria_set_for, save_criteria_set, score_meeting  # noqa: F401
from .resolutions import add_resolution, add_task, follow_up_task  # noqa: F401
from .rhythm import set_rhythm  # noqa: F401

__all__ = [
    "AgendaInput",
    "Eligible",
    "Mark",
    "MeetingInput",
    "MinutesInput",
    "add_resolution",
    "add_task",
    "adopt_minutes",
    "amend_minutes",
    "assign_attendee",
    "attendance_list",
    "cancel_meeting",
    "create_programme",
    "criteria_set_for",
    "follow_up_task",
    "mark_attendance",
    "mark_invitation_sent",
    "plan_meeting",
    "record_dues",
    "roll_out",
    "save_criteria_set",
    "save_minutes",
    "score_meeting",
    "select_pilot",
    "set_rhythm",
    "update_meeting",
]
