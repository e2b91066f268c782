"""Members due for recognition (probation ending)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coso.core.dates import add_months, add_working_days, today
from coso.core.rules import rule_in_force
from coso.core.scope import CHANGE_MEMBERS, restrict
from coso.orgs import queries as orgs_queries

from .. import services
from ..models import Member, Status, Transfer
from ._common import RECOGNITION_WORKING_DAYS, _can_change, _members


@login_required
def due(request: HttpRequest) -> HttpResponse:
    now = today()
    months = int(rule_in_force("MEM.PROBATION", now).params["months"])
    ended_before = add_months(now, -months)
    probationary = list(
        _members(request)
        .filter(status=Status.PROBATIONARY, joined_on__lte=ended_before)
        .order_by("joined_on", "id")
    )
    due_rows: list[tuple[Member, dt.date, dt.date]] = []
    overdue_rows: list[tuple[Member, dt.date, dt.date]] = []
    for m in probationary:
        end = services.probation_end(m.joined_on)[0]
        deadline = add_working_days(end, RECOGNITION_WORKING_DAYS)
        (overdue_rows if deadline < now else due_rows).append((m, end, deadline))
    transfers = restrict(Transfer.objects.select_related("member", "from_org", "to_org"), request.user)
    late_transfers = list(
        transfers.filter(state=Transfer.State.ISSUED).filter(Q(present_by__lt=now) | Q(paperwork_due__lt=now))
    )
    late_ids = {t.pk for t in late_transfers}
    pending = [
        t
        for t in transfers.filter(state=Transfer.State.ISSUED, to_org__isnull=False).order_by(
            "present_by", "id"
        )
        if t.pk not in late_ids
    ]
    late_returns = list(
        transfers.filter(kind=Transfer.Kind.TEMPORARY, state=Transfer.State.ARRIVED, return_due__lt=now)
    )
    ids = {m.home_org_id for m in probationary}
    for t in late_transfers + late_returns + pending:
        ids |= {i for i in (t.from_org_id, t.to_org_id) if i}
    visible = set(
        _members(request)
        .filter(pk__in=[t.member_id for t in late_transfers + late_returns + pending])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "members/due.html",
        {
            "due_rows": due_rows,
            "overdue_rows": overdue_rows,
            "late_transfers": late_transfers,
            "late_returns": late_returns,
            "names": orgs_queries.names_on(ids, now),
            "visible": visible,
            "changeable": set(
                _members(request, CHANGE_MEMBERS)
                .filter(pk__in=[m.pk for m in probationary])
                .values_list("pk", flat=True)
            ),
            "pending": pending,
            "can_receive": {
                t.pk for t in late_transfers + pending if t.to_org and _can_change(request, t.to_org)
            },
            "can_return": {t.pk for t in late_returns if t.from_org and _can_change(request, t.from_org)},
            "working_days": RECOGNITION_WORKING_DAYS,
        },
    )
