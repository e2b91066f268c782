"""The resolutions' tasks still open before a meeting: what the meeting reviews."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from coso.core.scope import restrict
from coso.orgs.models import Organization

from ..models import (
    ResolutionTask,
)


def open_tasks(user: Any, org: Organization, before: dt.date) -> list[ResolutionTask]:
    """The resolution tasks of `org`'s meetings dated up to `before` still open then (not closed on or before
    that day): what a meeting on `before` reviews. Scoped; by deadline."""
    return list(
        restrict(
            ResolutionTask.objects.filter(resolution__meeting__org=org, resolution__meeting__date__lte=before)
            .filter(Q(status=ResolutionTask.Status.OPEN) | Q(closed_on__gt=before))
            .select_related("resolution__meeting"),
            user,
        ).order_by("deadline", "id")
    )
