"""Pages of the member registry (thin: parse the request, call a query or a service, render).

Every member read goes through `coso.core.scope` (out of scope answers 404); every write calls a service with
the acting user, and a refusal shows next to its field with the rule and its source.

The pages live by subject in this package (`lists`, `record`, `admission`, `operations`, `transfers`, `due`,
`bulk_move`, `statistics`, `excel_import`; what they share in `_common`); `coso.members.urls` reads them from
here.
"""

from __future__ import annotations

from ._common import PAGE_SIZE, RECOGNITION_WORKING_DAYS, _can_change, _member, _members  # noqa: F401
from .admission import admit  # noqa: F401
from .bulk_move import _after_bulk_move, _grassroots_cells, bulk_move  # noqa: F401
from .due import due  # noqa: F401
from .excel_import import IMPORT, SHOWN_CELLS, SHOWN_ERRORS, _import_summary, _refusal  # noqa: F401
from .lists import member_list  # noqa: F401
from .operations import (  # noqa: F401
    OPS,
    _discipline,
    _exit,
    _flag,
    _FormInvalid,
    _member_op,
    _profile,
    _recognise,
    _transfer,
    discipline,
    exit_party,
    flag,
    profile,
    recognise,
    transfer,
)
from .record import _labelled, _record_context, detail, member_history  # noqa: F401
from .statistics import org_summary, statistics, structure_checks  # noqa: F401
from .transfers import _transfer_obj, _transfer_step, confirm_arrival, confirm_return, transfer_letter  # noqa: F401
