"""A meeting's resolutions and tasks, their follow-up."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from coso.core import pages
from coso.core.dates import format_date, today
from coso.core.scope import CHANGE_MEETINGS, VIEW, get_scoped

from .. import forms, queries, services
from ..models import (
    Meeting,
    Resolution,
    ResolutionTask,
)
from ._common import _form_page, _meeting, _meeting_context
from .meeting import _members_of


@login_required
def resolution_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, CHANGE_MEETINGS)
    form = forms.ResolutionForm(request.POST or None)

    def call(d: dict[str, Any]) -> HttpResponse:
        r = services.add_resolution(
            request.user,
            meeting,
            title=d["title"],
            number=d.get("number") or "",
            content=d.get("content") or "",
        )
        messages.success(request, "Đã ghi nghị quyết; hãy giao các nhiệm vụ.")
        return redirect("meetings:resolution", pk=r.pk)

    ctx = _meeting_context(request, meeting)
    ctx.update(title="Ghi nghị quyết", back=reverse("meetings:detail", kwargs={"pk": meeting.pk}), wide=True)
    return _form_page(request, form, call, ctx)


@login_required
def resolution(request: HttpRequest, pk: int) -> HttpResponse:
    """A resolution with its tasks (owner, deadline, status, follow-ups) and the form to add a task."""
    res = get_scoped(Resolution.objects.select_related("meeting__org"), request.user, VIEW, pk=pk)
    meeting = res.meeting
    if request.method == "POST":
        res = get_scoped(
            Resolution.objects.select_related("meeting__org"), request.user, CHANGE_MEETINGS, pk=pk
        )
    form = forms.TaskForm(request.POST or None, members=_members_of(request, meeting.org))

    def call(d: dict[str, Any]) -> HttpResponse:
        services.add_task(
            request.user,
            res,
            description=d["description"],
            deadline=d["deadline"],
            owner_member=d.get("owner_member"),
            owner_text=d.get("owner_text") or "",
        )
        messages.success(request, "Đã giao nhiệm vụ.")
        return redirect("meetings:resolution", pk=res.pk)

    ctx = _meeting_context(request, meeting)
    ctx.update(
        res=res,
        tasks=list(res.tasks.prefetch_related("follow_ups__meeting").order_by("deadline", "id")),
        now=today(),
    )
    return _form_page(request, form, call, ctx, template="meetings/resolution.html")


@login_required
def resolution_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from ..documents import resolution_docx as build

    res = get_scoped(Resolution.objects.select_related("meeting__org"), request.user, VIEW, pk=pk)
    return pages.docx_response(
        build(res), f"nghi-quyet-{res.meeting.org.code}-{res.meeting.date:%Y%m%d}.docx"
    )


@login_required
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """A later meeting reviews a task of an earlier resolution and sets its status."""
    task = get_scoped(
        ResolutionTask.objects.select_related("resolution__meeting__org"),
        request.user,
        CHANGE_MEETINGS,
        pk=pk,
    )
    origin = task.resolution.meeting
    later = list(
        queries.meetings(request.user, CHANGE_MEETINGS)
        .filter(org=origin.org, date__gte=origin.date, status=Meeting.Status.HELD)
        .exclude(pk=origin.pk)
        .order_by("-date", "-id")[:24]
    )
    form = forms.FollowUpForm(
        request.POST or None, initial={"meeting": request.GET.get("meeting"), "status": "done"}
    )
    form.fields["meeting"].choices = [("", "— chọn —")] + [  # type: ignore[attr-defined]
        (m.pk, f"{m.get_kind_display()} ngày {format_date(m.date)}") for m in later
    ]

    def call(d: dict[str, Any]) -> HttpResponse:
        meeting = next(m for m in later if m.pk == d["meeting"])
        services.follow_up_task(
            request.user, task, meeting=meeting, status=d["status"], note=d.get("note") or ""
        )
        messages.success(request, "Đã ghi kết quả kiểm điểm nhiệm vụ.")
        return redirect("meetings:detail", pk=meeting.pk)

    ctx = _meeting_context(request, origin)
    ctx.update(
        title="Kiểm điểm thực hiện nhiệm vụ",
        intro=f"Nhiệm vụ: {task.description} — phụ trách: {task.owner_text or '—'}; thời hạn {format_date(task.deadline)} "
        f"(nghị quyết “{task.resolution.title}”, kỳ sinh hoạt ngày {format_date(origin.date)}).",
        back=reverse("meetings:resolution", kwargs={"pk": task.resolution_id}),
    )
    if not later and request.method != "POST":
        ctx["intro"] += " Chưa có kỳ sinh hoạt nào sau đó đã họp để kiểm điểm."
    return _form_page(request, form, call, ctx, mapping={"task": "status"})
