"""The list of meetings, a cell's calendar and its rhythm."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coso.core import pages
from coso.core.dates import first_of_month, format_date, last_of_month, today
from coso.core.scope import CHANGE_MEETINGS, restrict
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from .. import filters, forms, queries, services
from ..models import (
    Meeting,
    MeetingRhythm,
)
from ._common import PAGE_SIZE, _can_change, _form_page


def _scope_roots(request: HttpRequest, on: dt.date) -> list[tuple[Organization, str]]:
    rows = list(orgs_queries.roots(request.user, on).select_related("org").order_by("sort_key", "id")[:30])
    return [(p.org, p.name) for p in rows]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The meetings in the user's scope, newest first; `?org=CODE` narrows to a subtree, `?status=` by status."""
    found = filters.MeetingFilter(
        request.GET, queryset=queries.meetings(request.user).select_related("org"), request=request
    )
    qs = found.qs
    code = (request.GET.get("org") or "").strip()
    under = found.found.get("org")
    status = request.GET.get("status") or ""
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page)
    names = orgs_queries.names_on({m.org_id for m in items}, today())
    for m in items:
        m.org_name = names.get(m.org_id, m.org.code)  # type: ignore[attr-defined]
    return render(
        request,
        "meetings/index.html",
        {
            "page": page,
            "items": items,
            "code": code,
            "under": under,
            "under_name": orgs_queries.name_on(under, today()) if under else "",
            "status": status,
            "statuses": Meeting.Status.choices,
            "roots": _scope_roots(request, today()),
        },
    )


# --------------------------------------------------------------------------------------- calendar, rhythm


@login_required
def calendar(request: HttpRequest, code: str) -> HttpResponse:
    """A cell's year: the day its rhythm gives each month, its meetings, the months without a regular one."""
    org = orgs_queries.get_org(request.user, code)
    as_of = pages.as_of(request)
    try:
        year = int(request.GET.get("year") or as_of.year)
    except ValueError:
        year = as_of.year
    year = min(max(year, 1930), 2100)
    months = queries.calendar(request.user, org, dt.date(year, 1, 1), dt.date(year, 12, 1))
    period = orgs_queries.nearest_period(org, dt.date(year, 12, 31) if year < as_of.year else as_of)
    is_cell = bool(period and period.kind.is_cell)
    now = today()
    rows: list[dict[str, Any]] = []
    for month in months:
        ended = last_of_month(month.month) < now
        exists = org.exists_on(month.month) or org.exists_on(last_of_month(month.month))
        rows.append(
            {
                "m": month,
                "missing": is_cell and ended and exists and not month.has_regular,
                "exists": exists,
            }
        )
    rhythms = list(
        restrict(MeetingRhythm.objects.filter(org=org), request.user).order_by("-valid_from", "-id")[:5]
    )
    return render(
        request,
        "meetings/calendar.html",
        {
            "org": org,
            "org_name": period.name if period else org.code,
            "is_cell": is_cell,
            "year": year,
            "rows": rows,
            "rhythm": next((r for r in rhythms if r.valid_to is None), None),
            "rhythms": rhythms,
            "can_change": _can_change(request, org),
            "held": sum(1 for m in months if m.has_regular),
            "missing": sum(1 for r in rows if r["missing"]),
        },
    )


@login_required
def rhythm(request: HttpRequest, code: str) -> HttpResponse:
    org = orgs_queries.get_org(request.user, code, CHANGE_MEETINGS)
    current = MeetingRhythm.objects.filter(org=org, valid_to__isnull=True).first()
    form = forms.RhythmForm(
        request.POST or None,
        initial={
            "day_of_month": current.day_of_month if current else 4,
            "valid_from": format_date(first_of_month(today())),
        },
    )

    def call(d: dict[str, Any]) -> HttpResponse:
        r = services.set_rhythm(
            request.user,
            org,
            day_of_month=d["day_of_month"],
            valid_from=d["valid_from"],
            note=d.get("note") or "",
        )
        messages.success(
            request, f"Đã đặt lịch sinh hoạt ngày {r.day_of_month} hằng tháng từ {format_date(r.valid_from)}."
        )
        return redirect("meetings:calendar", code=org.code)

    name = orgs_queries.name_on(org, today())
    return _form_page(
        request,
        form,
        call,
        {
            "title": "Lịch sinh hoạt định kỳ",
            "org": org,
            "org_name": name,
            "intro": (
                f"Lịch hiện nay: ngày {current.day_of_month} hằng tháng từ {format_date(current.valid_from)}; "
                "lịch mới thay từ ngày áp dụng."
                if current
                else "Chi bộ chưa có lịch sinh hoạt định kỳ."
            ),
            "back": reverse("meetings:calendar", kwargs={"code": org.code}),
        },
        mapping={"org": "__all__"},
    )
