"""A member's record: identity, dated statuses, memberships, history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coso.core import history
from coso.core.dates import format_date, today
from coso.orgs import queries as orgs_queries

from .. import services
from ..models import Member, MemberView, Status
from ._common import _can_change, _member


def _record_context(request: HttpRequest, member: Member) -> dict[str, Any]:
    as_of = today()
    return {
        "member": member,
        "cell_name": orgs_queries.names_on({member.home_org_id}, as_of).get(member.home_org_id, ""),
        "can_change": _can_change(request, member.home_org),
        "active": member.status in (Status.PROBATIONARY, Status.OFFICIAL),
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    services.log_view(request.user, member, request)
    ctx = _record_context(request, member)
    memberships = list(member.memberships.select_related("org").order_by("valid_from", "id"))
    transfers = list(member.transfers.select_related("from_org", "to_org"))
    ids = {m.org_id for m in memberships} | {t.from_org_id for t in transfers if t.from_org_id}
    ids |= {t.to_org_id for t in transfers if t.to_org_id}
    ctx.update(
        statuses=list(member.statuses.order_by("valid_from", "id")),
        flags=list(member.flags.order_by("valid_from", "id")),
        profiles=list(
            member.profiles.select_related("qualification", "occupation").order_by("valid_from", "id")
        ),
        memberships=memberships,
        transfers=transfers,
        names=orgs_queries.names_on(ids, today()),
        disciplines=list(member.disciplines.all()),
        views=list(MemberView.objects.filter(member=member).select_related("user")[:50]),
        view_count=MemberView.objects.filter(member=member).count(),
        probation_end=services.probation_end(member.joined_on)[0]
        if member.status == Status.PROBATIONARY
        else None,
        can_receive={t.pk for t in transfers if t.to_org and _can_change(request, t.to_org)},
    )
    return render(request, "members/detail.html", ctx)


@login_required
def member_history(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    services.log_view(request.user, member, request)
    ctx = _record_context(request, member)
    entries = _labelled(
        history.entries(
            member.history.order_by("history_date", "history_id"),
            "Hồ sơ",
            hidden=("search_key", "sort_key", "version"),
        ),
        Member,
    )
    related: list[tuple[Any, Callable[[Any], str]]] = [
        (member.statuses.all(), lambda r: f"Tình trạng từ {format_date(r.valid_from)}"),
        (member.flags.all(), lambda r: f"{r.get_kind_display()} từ {format_date(r.valid_from)}"),
        (member.profiles.all(), lambda r: f"Trình độ, nghề nghiệp từ {format_date(r.valid_from)}"),
        (member.memberships.all(), lambda r: f"Sinh hoạt đảng từ {format_date(r.valid_from)}"),
        (member.transfers.all(), str),
        (member.disciplines.all(), lambda r: f"Kỷ luật: {r}"),
    ]
    for rows, subject in related:
        for row in rows:
            records = row.history.order_by("history_date", "history_id")
            entries += _labelled(
                history.entries(records, subject(row), hidden=("member", "created_at")), type(row)
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    ctx["entries"] = entries
    return render(request, "members/history.html", ctx)


def _labelled(entries: list[history.Entry], model: Any) -> list[history.Entry]:
    """Show choice fields by their Vietnamese labels ("probationary" → "Dự bị") in history entries."""
    labels = {
        str(fld.verbose_name): {str(k): str(v) for k, v in fld.flatchoices}
        for fld in model._meta.concrete_fields
        if fld.choices
    }
    for entry in entries:
        for change in entry.changes:
            choices = labels.get(change.field)
            if choices:
                change.before = choices.get(change.before, change.before)
                change.after = choices.get(change.after, change.after)
    return entries
