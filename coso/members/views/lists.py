"""The list of members, searchable, as on a date."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coso.core import pages
from coso.core.dates import active_on
from coso.orgs import queries as orgs_queries

from .. import filters
from ..models import Membership, MemberStatus, Status
from ._common import PAGE_SIZE, _can_change, _members


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    """The members in scope, searchable; `?as_of=dd/mm/yyyy` (or yyyy-mm-dd) shows them as on that date: who
    was in each cell then (a member transferred away since still shows on the old cell's list), with the status
    and cell of that date. Today's list reads today's state kept on `Member` (any status, exits included)."""
    as_of = pages.as_of(request)
    found = filters.MemberFilter(request.GET, queryset=_members(request), request=request, as_of=as_of)
    qs, dated, under = found.qs, found.dated, found.under_found
    term = (request.GET.get("q") or "").strip()
    status = request.GET.get("status") or ""
    under_code = (request.GET.get("under") or "").strip()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page)
    cell_of = {m.pk: m.home_org_id for m in items}
    labels = dict(Status.choices)
    status_of = {m.pk: m.status for m in items}
    if dated:
        ids = list(cell_of)
        cell_of.update(
            Membership.objects.filter(active_on(as_of), member_id__in=ids, kind=Membership.Kind.OFFICIAL)
            .values_list("member_id", "org_id")
            .order_by("valid_from")
        )
        status_of.update(
            MemberStatus.objects.filter(active_on(as_of), member_id__in=ids)
            .values_list("member_id", "status")
            .order_by("valid_from")
        )
    names = orgs_queries.names_on(set(cell_of.values()), as_of)
    for m in items:
        m.cell_name = names.get(cell_of[m.pk], "")  # type: ignore[attr-defined]
        m.status_label = labels.get(status_of[m.pk], status_of[m.pk])  # type: ignore[attr-defined]
    under_name = orgs_queries.names_on({under.pk}, as_of).get(under.pk, "") if under else ""
    return render(
        request,
        "members/list.html",
        {
            "page": page,
            "items": items,
            "flt": {
                "q": term,
                "status": status,
                "under_code": under_code,
                "under": under,
                "under_name": under_name,
                "as_of": as_of,
                "dated": dated,
            },
            "statuses": Status.choices,
            "can_change": _can_change(request),
            "can_bulk": under is not None and not dated and _can_change(request, under),
        },
    )
