"""What the meeting pages share: the meeting looked up in scope, the user's permissions, the context of a meeting's tabs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from coso.core import pages
from coso.core.scope import CHANGE_MEETINGS, VIEW, get_scoped
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from ..models import (
    Attendance,
    Meeting,
)

PAGE_SIZE = 50
P = Attendance.Presence
ROLE_ORDER: dict[str, int] = {"member": 0, "guest": 1, "cadre": 2}


def _can_change(request: HttpRequest, org: Organization | None = None) -> bool:
    return pages.can_change(request, CHANGE_MEETINGS, org)


def _meeting(request: HttpRequest, pk: int, permission: str = VIEW) -> Meeting:
    return get_scoped(
        Meeting.objects.select_related("org", "chair", "secretary"), request.user, permission, pk=pk
    )


def _meeting_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    return {
        "meeting": meeting,
        "org": meeting.org,
        "org_name": orgs_queries.name_on(meeting.org, meeting.date),
        "can_change": _can_change(request, meeting.org),
    }


def _form_page(
    request: HttpRequest,
    form: Any,
    call: Callable[[dict[str, Any]], HttpResponse],
    ctx: dict[str, Any],
    *,
    mapping: dict[str, str] | None = None,
    template: str = "meetings/form.html",
) -> HttpResponse:
    """`coso.core.pages.form_page` with the meetings' form page as the default template."""
    return pages.form_page(request, form, call, ctx, template=template, mapping=mapping)
