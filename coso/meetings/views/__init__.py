"""Pages of cell meetings (thin: parse the request, call a query or a service, render).

Every read goes through `coso.core.scope` (out of scope answers 404); every write calls a service with the
acting user under the permission CHANGE_MEETINGS, and a refusal shows next to its field with the rule and its
source, the form re-rendered with what the user typed.

The pages live by subject in this package (`lists`, `meeting`, `dues`, `minutes`, `resolutions`, `score`,
`attendees`, `compliance`, `quality`; what they share in `_common`); `coso.meetings.urls` reads them from here.
"""

from __future__ import annotations

from ._common import PAGE_SIZE, ROLE_ORDER, P, _can_change, _form_page, _meeting, _meeting_context  # noqa: F401
from .attendees import assign, assignments  # noqa: F401
from .compliance import (  # noqa: F401
    _alerts_shown,
    _compliance_args,
    _compliance_xlsx,
    _pct,
    _vn,
    compliance,
    compliance_alerts,
)
from .dues import _parse_amount, dues  # noqa: F401
from .lists import _scope_roots, calendar, index, rhythm  # noqa: F401
from .meeting import (  # noqa: F401
    _attendance_rows,
    _meeting_input,
    _members_of,
    _next_date,
    attendance,
    cancel,
    detail,
    edit,
    invitation,
    invitation_docx,
    plan,
)
from .minutes import (  # noqa: F401
    _MINUTES_LABELS,
    SPEAKER_ROWS,
    _amendments,
    _minutes_initial,
    _minutes_input,
    _minutes_page,
    _shown,
    _speakers,
    adopt,
    amend,
    minutes,
    minutes_docx,
)
from .quality import criteria, criteria_add, programme, programme_add, programmes, quality  # noqa: F401
from .resolutions import follow_up, resolution, resolution_add, resolution_docx  # noqa: F401
from .score import score  # noqa: F401
