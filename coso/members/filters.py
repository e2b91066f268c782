"""The filters of the member list, shared by its page (/members/) and its API (GET /api/v1/members/)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from coso.core.dates import active_on, today
from coso.core.fields import prefix_range
from coso.core.text import fold, nfc
from coso.orgs import queries as orgs_queries
from coso.orgs.filters import OrgFilterSet
from coso.orgs.models import Organization

from . import queries
from .models import ACTIVE_STATUSES, Member, Status


class MemberFilter(OrgFilterSet):
    """Members searched without accents on the name (or by the exact card or citizen ID number), by status
    (“active”: probationary or official), under an organization (by code: empty when none in scope has it).

    Today's list (the queryset: the members in scope) reads today's state kept on `Member`. With `as_of` before
    or after today, the list is the members as they stood then: those counted in a cell under the organization
    (or anywhere in the user's scope) on that date, or, for an exit status, those in that status then."""

    q = django_filters.CharFilter(method="filter_q")
    status = django_filters.CharFilter(method="filter_status")
    under = django_filters.CharFilter(method="filter_under")

    def __init__(self, *args: Any, as_of: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.as_of = as_of or today()
        self.dated = self.as_of != today()
        self.under_found: Organization | None = None

    def _under(self, value: str) -> Organization | None:
        self.under_found = orgs_queries.orgs(self.user).filter(code__iexact=nfc(value)).first()
        return self.under_found

    def filter_q(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        term = value.strip()
        return qs.filter(Q(search_key__contains=fold(term)) | Q(card_number=term) | Q(citizen_id=term))

    def filter_status(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value in Status.values:
            return qs.filter(status=value)
        if value == "active":
            return qs.filter(status__in=[Status.PROBATIONARY, Status.OFFICIAL])
        return qs.none() if self.api else qs  # the page: an unknown status does not narrow the list

    def filter_under(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        org = self._under(value)
        return qs.filter(**prefix_range(Member.SCOPE_PATH, org.current_path)) if org else qs.none()

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.dated:
            return super().filter_queryset(queryset)
        data = self.form.cleaned_data
        code = data.get("under") or ""
        under = self._under(code) if code else None
        found = (
            self._on_date(queryset, under, data.get("status") or "") if under or not code else queryset.none()
        )
        return self.filters["q"].filter(found, data.get("q"))

    def _on_date(self, members: QuerySet[Any], under: Organization | None, status: str) -> QuerySet[Any]:
        as_of = self.as_of
        if status in Status.values and status not in ACTIVE_STATUSES:
            qs = members.filter(active_on(as_of, "statuses__"), statuses__status=status)
            return qs.filter(**prefix_range(Member.SCOPE_PATH, under.current_path)) if under else qs
        narrowed = status if status in ACTIVE_STATUSES else None
        roots = [under] if under else orgs_queries.scope_tops(self.user, as_of)
        if len(roots) == 1:
            return queries.members_under(self.user, roots[0], as_of, status=narrowed)
        found = Q(pk__in=[])
        for root in roots:
            found |= Q(pk__in=queries.members_under(self.user, root, as_of, status=narrowed).values("pk"))
        return Member.objects.filter(found)

    @property
    def qs(self) -> QuerySet[Any]:
        return super().qs.order_by("sort_key", "id")
