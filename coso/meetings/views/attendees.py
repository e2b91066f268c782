"""Who went where: the cadres assigned to attend the cells' meetings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coso.core import pages
from coso.core.dates import format_date
from coso.core.scope import CHANGE_MEETINGS
from coso.core.text import person_sort_key
from coso.orgs import queries as orgs_queries

from .. import forms, queries, services
from ._common import P, _form_page, _meeting, _meeting_context


@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """A committee assigns one of its members or a higher-level cadre to attend this meeting (seed 003)."""
    meeting = _meeting(request, pk, CHANGE_MEETINGS)
    above = orgs_queries.ancestors(meeting.org, meeting.date, request.user, CHANGE_MEETINGS)
    form = forms.AssignForm(
        request.POST or None, initial={"assigning_org": above[-1].org_id if above else None}
    )
    form.fields["assigning_org"].choices = [("", "— chọn —")] + [  # type: ignore[attr-defined]
        (p.org_id, p.name) for p in reversed(above)
    ]
    orgs = {p.org_id: p.org for p in above}

    def call(d: dict[str, Any]) -> HttpResponse:
        a = services.assign_attendee(
            request.user,
            meeting,
            assigning_org=orgs[d["assigning_org"]],
            name=d["name"],
            title=d.get("title") or "",
            note=d.get("note") or "",
        )
        messages.success(request, f"Đã phân công {a.assignee_name} dự sinh hoạt.")
        return redirect("meetings:detail", pk=meeting.pk)

    ctx = _meeting_context(request, meeting)
    ctx.update(title="Phân công dự sinh hoạt", back=reverse("meetings:detail", kwargs={"pk": meeting.pk}))
    if not above:
        ctx["intro"] = "Bạn không thuộc cấp ủy cấp trên của tổ chức này nên không phân công được."
    return _form_page(request, form, call, ctx, mapping={"user": "name", "member": "name"})


@login_required
def assignments(request: HttpRequest, code: str) -> HttpResponse:
    """Who went where: the assignments made by a committee (and those under it) over a period."""
    org = orgs_queries.get_org(request.user, code)
    as_of = pages.as_of(request)
    errors: dict[str, str] = {}
    frm = pages.get_date(request, "from", dt.date(as_of.year, 1, 1), errors)
    to = pages.get_date(request, "to", dt.date(as_of.year, 12, 31), errors)
    rows = queries.assignments(request.user, org, frm, to)
    names = orgs_queries.names_on(
        {r.meeting.org_id for r in rows} | {r.assignment.assigning_org_id for r in rows}, as_of
    )
    people: dict[str, dict[str, Any]] = {}
    for r in rows:
        person = people.setdefault(
            r.assignment.assignee_name, {"name": r.assignment.assignee_name, "n": 0, "present": 0}
        )
        person["n"] += 1
        person["present"] += 1 if r.presence == P.PRESENT else 0
    return render(
        request,
        "meetings/assignments.html",
        {
            "org": org,
            "org_name": orgs_queries.name_on(org, as_of),
            "rows": rows,
            "names": names,
            "people": sorted(people.values(), key=lambda p: person_sort_key(p["name"])),
            "from_text": format_date(frm),
            "to_text": format_date(to),
            "errors": errors,
        },
    )
