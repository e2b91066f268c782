"""What the meeting reads share: the meetings in a user's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from coso.core.scope import VIEW, restrict

from ..models import (
    Meeting,
)

ALERT_LIMIT = 500


def meetings(user: Any, permission: str = VIEW) -> QuerySet[Meeting]:
    """Every meeting the user may see (by its organization's current placement)."""
    return restrict(Meeting.objects.all(), user, permission)
