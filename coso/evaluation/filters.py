"""The filters of the evaluation lists (GET /api/v1/evaluation/periods/ and a period's entries)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from coso.core.filters import IntegerFilter, ValueFilter
from coso.orgs.filters import OrgFilterSet, SubtreeFilter

from .models import EntryState, PeriodKind, PeriodState, Subject


class PeriodFilter(OrgFilterSet):
    """Evaluation periods of the organizations under one, of a year, a kind, a state; the latest first."""

    org = SubtreeFilter("org__current_path")
    year = IntegerFilter("year", param="year")
    kind = ValueFilter("kind", PeriodKind.values)
    state = ValueFilter("state", PeriodState.values)

    @property
    def qs(self) -> QuerySet[Any]:
        return super().qs.order_by("-date_to", "-id")


class EntryFilter(OrgFilterSet):
    """A period's entries: organizations or members, in a state, decided at a level (by its code), of the
    organizations under one; in the order of the tree."""

    subject = ValueFilter("subject", Subject.values)
    state = ValueFilter("state", EntryState.values)
    level = django_filters.CharFilter(field_name="level__code", lookup_expr="iexact")
    org = SubtreeFilter("org__current_path")

    @property
    def qs(self) -> QuerySet[Any]:
        return super().qs.order_by("subject", "path", "id")
