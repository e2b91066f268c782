"""API of cell meetings (/api/v1/meetings/...).

Thin views: parse, call `coso.meetings.services` with `actor=request.user` (the services check the
CHANGE_MEETINGS scope and refuse with a `DomainError`: 400 {"detail", "field", "rule"}) or `coso.meetings.queries`,
and serialize. Objects in the URL are read through `coso.core.scope.get_scoped`: one out of scope answers 404, as
an unknown one does. Organizations named in a body are looked up among those the user may change, members and
meetings among those the user may see, so one out of scope reads as unknown (400 naming the field).
Dates are ISO (YYYY-MM-DD); reads take `as_of` where the answer depends on a date.

The endpoints live by subject in this package (`meetings`, `dues`, `minutes`, `resolutions`, `quality`,
`assignments`, `rhythm`, `compliance`, `programmes`; what they share in `_common`); `coso.api_urls` reads them
from here.
"""

from __future__ import annotations

from ._common import CODE, FROM, ORG_FILTER, TO, _detail, _meeting, _meeting_body, _member, _org_body, _period  # noqa: F401
from .assignments import MeetingAssignmentView, WhoWentWhereView  # noqa: F401
from .compliance import ComplianceView  # noqa: F401
from .dues import DuesListView  # noqa: F401
from .meetings import (  # noqa: F401
    AgendaView,
    AttendanceView,
    MeetingCancelView,
    MeetingDetailView,
    MeetingListView,
    _meeting_data,
)
from .minutes import (  # noqa: F401
    AmendmentListView,
    MinutesAdoptView,
    MinutesAmendView,
    MinutesView,
    _minutes,
    _minutes_input,
)
from .programmes import (  # noqa: F401
    ProgrammeDetailView,
    ProgrammeListView,
    ProgrammePilotView,
    ProgrammeReportView,
    ProgrammeRollOutView,
    _programme,
)
from .quality import CriteriaSetListView, ScoreView  # noqa: F401
from .resolutions import ResolutionListView, ResolutionTaskView, TaskFollowUpView, TaskListView, _tasks  # noqa: F401
from .rhythm import BookView, CalendarView, RhythmView  # noqa: F401

__all__ = [
    "AgendaView",
    "AmendmentListView",
    "AttendanceView",
    "BookView",
    "CalendarView",
    "ComplianceView",
    "CriteriaSetListView",
    "DuesListView",
    "MeetingAssignmentView",
    "MeetingCancelView",
    "MeetingDetailView",
    "MeetingListView",
    "MinutesAdoptView",
    "MinutesAmendView",
    "MinutesView",
    "ProgrammeDetailView",
    "ProgrammeListView",
    "ProgrammePilotView",
    "ProgrammeReportView",
    "ProgrammeRollOutView",
    "ResolutionListView",
    "ResolutionTaskView",
    "RhythmView",
    "ScoreView",
    "TaskFollowUpView",
    "TaskListView",
    "WhoWentWhereView",
]
