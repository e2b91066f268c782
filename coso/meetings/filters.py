"""The filters of the meetings app's lists, shared by a page and its API: the meetings (/meetings/ and GET
/api/v1/meetings/), the dues collected, the resolutions' tasks and the quality programmes."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from coso.core.api import parse_query_bool
from coso.core.dates import today
from coso.core.filters import DateFilter, MonthFilter, ValueFilter, with_parameters
from coso.orgs.filters import OrgFilterSet, SubtreeFilter

from .models import Meeting, MeetingKind, ResolutionTask


@with_parameters(
    {"from": DateFilter("date", "gte", param="from"), "to": DateFilter("date", "lte", param="to")}
)
class MeetingFilter(OrgFilterSet):
    """Meetings of the organizations under one (by code, as the tree stands today), from and to a date, of a
    kind, in a status; newest first."""

    org = SubtreeFilter("org__current_path")
    kind = ValueFilter("kind", MeetingKind.values)
    status = ValueFilter("status", Meeting.Status.values)

    @property
    def qs(self) -> QuerySet[Any]:
        return super().qs.order_by("-date", "-id")


class DuesFilter(OrgFilterSet):
    """Dues collected by the cells under an organization, in a month (any day of it); newest month first."""

    org = SubtreeFilter("org__current_path")
    month = MonthFilter("month", param="month")

    @property
    def qs(self) -> QuerySet[Any]:
        return super().qs.order_by("-month", "org__code", "member__sort_key", "id")


class TaskFilter(OrgFilterSet):
    """Resolution tasks of the meetings under an organization, in a status; `overdue`: those still open on
    `as_of` (today when empty) past their deadline. Soonest deadline first."""

    org = SubtreeFilter("resolution__meeting__org__current_path")
    status = ValueFilter("status", ResolutionTask.Status.values)
    overdue = django_filters.CharFilter(method="filter_overdue")

    def filter_overdue(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if not parse_query_bool(value, name):
            return qs
        raw = (self.data.get("as_of") or "").strip()
        on = (self.date("as_of", raw) if raw else None) or today()
        return qs.filter(
            Q(status=ResolutionTask.Status.OPEN) | Q(closed_on__gt=on),
            deadline__lt=on,
            resolution__meeting__date__lte=on,
        )

    @property
    def qs(self) -> QuerySet[Any]:
        return super().qs.order_by("deadline", "id")


class ProgrammeFilter(OrgFilterSet):
    """Quality programmes of the organizations under one; the latest first."""

    org = SubtreeFilter("org__current_path")

    @property
    def qs(self) -> QuerySet[Any]:
        return super().qs.order_by("-date_from", "id")
