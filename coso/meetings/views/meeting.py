"""Planning and editing a meeting, its page, its invitation and its roll call."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coso.core import pages
from coso.core.dates import add_months, format_date, today
from coso.core.errors import DomainError, NotInScope
from coso.core.forms import posted_version
from coso.core.scope import CHANGE_MEETINGS, restrict
from coso.core.text import person_sort_key
from coso.members.models import Member
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from .. import forms, queries, services
from ..models import (
    DuesPayment,
    Meeting,
    MeetingKind,
    MeetingScore,
    Minutes,
)
from ._common import ROLE_ORDER, P, _can_change, _form_page, _meeting, _meeting_context


def _meeting_input(d: dict[str, Any]) -> services.MeetingInput:
    return services.MeetingInput(
        kind=d["kind"],
        date=d["date"],
        start_time=d.get("start_time"),
        place=d.get("place") or "",
        focus_issue=d.get("focus_issue") or "",
        preparation_date=d.get("preparation_date"),
        preparation_note=d.get("preparation_note") or "",
        chair=d.get("chair"),
        secretary=d.get("secretary"),
        invitation_note=d.get("invitation_note") or "",
    )


def _members_of(request: HttpRequest, org: Organization) -> Any:
    return forms.cell_members(org, restrict(Member.objects.all(), request.user))


def _next_date(org: Organization) -> dt.date:
    now = today()
    dates = queries.expected_dates(org, now, add_months(now, 1))
    return next((d for d in dates if d >= now), now)


@login_required
def plan(request: HttpRequest, code: str) -> HttpResponse:
    """Plan a meeting: kind, date, place, the focus issue, agenda, the committee's preparation, chair, secretary."""
    org = orgs_queries.get_org(request.user, code, CHANGE_MEETINGS)
    period = orgs_queries.nearest_period(org, today())
    kind = MeetingKind.REGULAR if period is None or period.kind.is_cell else MeetingKind.COMMITTEE
    form = forms.MeetingForm(
        request.POST or None,
        members=_members_of(request, org),
        initial={"kind": kind, "date": format_date(_next_date(org))},
    )

    def call(d: dict[str, Any]) -> HttpResponse:
        meeting = services.plan_meeting(request.user, org, _meeting_input(d), agenda=form.agenda_items())
        messages.success(
            request, f"Đã lên kế hoạch {meeting.get_kind_display().lower()} ngày {format_date(meeting.date)}."
        )
        return redirect("meetings:detail", pk=meeting.pk)

    return _form_page(
        request,
        form,
        call,
        {
            "title": "Lên kế hoạch sinh hoạt",
            "org": org,
            "org_name": period.name if period else org.code,
            "back": reverse("meetings:calendar", kwargs={"code": org.code}),
            "wide": True,
        },
    )


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, CHANGE_MEETINGS)
    agenda = "\n".join(
        i.title + (f" | {i.presenter}" if i.presenter else "") for i in meeting.agenda.order_by("order")
    )
    form = forms.MeetingEditForm(
        request.POST or None,
        members=_members_of(request, meeting.org),
        initial={
            "version": meeting.version,
            "kind": meeting.kind,
            "date": format_date(meeting.date),
            "start_time": meeting.start_time.strftime("%H:%M") if meeting.start_time else "",
            "place": meeting.place,
            "focus_issue": meeting.focus_issue,
            "agenda": agenda,
            "preparation_date": format_date(meeting.preparation_date),
            "preparation_note": meeting.preparation_note,
            "chair": meeting.chair_id,
            "secretary": meeting.secretary_id,
            "invitation_note": meeting.invitation_note,
        },
    )

    def call(d: dict[str, Any]) -> HttpResponse:
        services.update_meeting(
            request.user,
            meeting,
            _meeting_input(d),
            agenda=form.agenda_items(),
            expected_version=d["version"],
        )
        messages.success(request, "Đã lưu thay đổi của cuộc sinh hoạt.")
        return redirect("meetings:detail", pk=meeting.pk)

    ctx = _meeting_context(request, meeting)
    ctx.update(
        title="Sửa cuộc sinh hoạt", back=reverse("meetings:detail", kwargs={"pk": meeting.pk}), wide=True
    )
    return _form_page(request, form, call, ctx)


@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, CHANGE_MEETINGS)
    form = forms.CancelForm(request.POST or None, initial={"version": meeting.version})

    def call(d: dict[str, Any]) -> HttpResponse:
        services.cancel_meeting(request.user, meeting, reason=d["reason"], expected_version=d["version"])
        messages.success(request, f"Đã hủy cuộc sinh hoạt ngày {format_date(meeting.date)}.")
        return redirect("meetings:detail", pk=meeting.pk)

    ctx = _meeting_context(request, meeting)
    ctx.update(title="Hủy cuộc sinh hoạt", back=reverse("meetings:detail", kwargs={"pk": meeting.pk}))
    return _form_page(request, form, call, ctx)


# ------------------------------------------------------------------------------------------------- detail


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    ctx = _meeting_context(request, meeting)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    resolutions = list(meeting.resolutions.prefetch_related("tasks").order_by("id"))
    own = {t.pk for r in resolutions for t in r.tasks.all()}
    follow = (
        [t for t in queries.open_tasks(request.user, meeting.org, meeting.date) if t.pk not in own]
        if meeting.status == Meeting.Status.HELD
        else []
    )
    dues = DuesPayment.objects.filter(meeting=meeting).aggregate(total=Sum("amount"))
    ctx.update(
        agenda=list(meeting.agenda.order_by("order", "id")),
        minutes=minutes,
        resolutions=resolutions,
        follow=follow,
        reviewed=list(meeting.follow_ups.select_related("task").order_by("id")),
        score=MeetingScore.objects.filter(meeting=meeting).select_related("criteria_set").first(),
        assignments=list(meeting.assignments.select_related("assigning_org").order_by("id")),
        dues_count=DuesPayment.objects.filter(meeting=meeting).count(),
        dues_total=dues["total"] or 0,
        absentees=list(
            meeting.attendance.filter(presence__in=[P.ABSENT_EXCUSED, P.ABSENT_UNEXCUSED]).order_by("name")
        ),
        held=meeting.status == Meeting.Status.HELD,
        planned=meeting.status == Meeting.Status.PLANNED,
    )
    ctx["absentees"].sort(key=lambda a: person_sort_key(a.name))
    return render(request, "meetings/detail.html", ctx)


# --------------------------------------------------------------------------------------------- invitation


@login_required
def invitation(request: HttpRequest, pk: int) -> HttpResponse:
    """The invitation to print or send, and the record that it was sent."""
    meeting = _meeting(request, pk)
    if request.method == "POST" and not _can_change(request, meeting.org):
        raise Http404("Bạn không có quyền thay đổi cuộc sinh hoạt này.")
    form = forms.InvitationForm(
        request.POST or None,
        initial={"version": meeting.version, "on": format_date(meeting.invitation_sent_on or today())},
    )

    def call(d: dict[str, Any]) -> HttpResponse:
        services.mark_invitation_sent(request.user, meeting, on=d["on"], expected_version=d["version"])
        messages.success(request, f"Đã ghi nhận gửi giấy triệu tập ngày {format_date(d['on'])}.")
        return redirect("meetings:detail", pk=meeting.pk)

    ctx = _meeting_context(request, meeting)
    ctx.update(text=queries.invitation_text(meeting, ctx["org_name"]))
    return _form_page(request, form, call, ctx, template="meetings/invitation.html")


@login_required
def invitation_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from ..documents import invitation_docx as build

    meeting = _meeting(request, pk)
    return pages.docx_response(
        build(meeting), f"giay-trieu-tap-{meeting.org.code}-{meeting.date:%Y%m%d}.docx"
    )


# --------------------------------------------------------------------------------------------- attendance


def _attendance_rows(request: HttpRequest, meeting: Meeting, data: Any = None) -> list[dict[str, Any]]:
    rows = queries.attendance_of(request.user, meeting)
    rows.sort(key=lambda a: (ROLE_ORDER.get(a.role, 9), person_sort_key(a.name), a.pk))
    result = []
    for a in rows:
        presence = (data.get(f"p-{a.pk}") if data is not None else None) or a.presence
        reason = data.get(f"r-{a.pk}", a.reason) if data is not None else a.reason
        result.append({"a": a, "presence": presence, "reason": reason})
    return result


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The roll call, on a phone or a PC: one line per person with three big choices; the opening figures are
    computed by the service and shown at the top (an htmx post swaps the figures and the list in place)."""
    meeting = _meeting(request, pk)
    error = ""
    data = None
    if request.method == "POST":
        meeting = _meeting(request, pk, CHANGE_MEETINGS)
        try:
            expected = posted_version(request.POST)
            if request.POST.get("action") == "refresh":
                services.attendance_list(request.user, meeting, expected_version=expected)
                messages.success(request, "Đã cập nhật danh sách theo đảng viên của chi bộ vào ngày họp.")
            else:
                marks = []
                for a in queries.attendance_of(request.user, meeting):
                    presence = request.POST.get(f"p-{a.pk}")
                    if not presence or presence == P.UNKNOWN:
                        continue
                    reason = request.POST.get(f"r-{a.pk}", "")
                    if a.member_id is not None:
                        marks.append(services.Mark(presence=presence, reason=reason, member=a.member_id))
                    else:
                        marks.append(services.Mark(presence=presence, reason=reason, attendance_id=a.pk))
                if not marks:
                    raise DomainError("Chưa điểm danh ai; hãy chọn có mặt hoặc vắng cho từng người.")
                services.mark_attendance(request.user, meeting, marks, expected_version=expected)
                messages.success(request, f"Đã lưu điểm danh ({len(marks)} người).")
            if not getattr(request, "htmx", False):
                return redirect("meetings:attendance", pk=meeting.pk)
            meeting = _meeting(request, pk)
        except DomainError as exc:
            error = pages.error_text(exc)
            data = request.POST
        except NotInScope:
            raise Http404("Không thuộc phạm vi của bạn.") from None
    ctx = _meeting_context(request, meeting)
    ctx.update(
        rows=_attendance_rows(request, meeting, data),
        error=error,
        choices=[
            (P.PRESENT, "Có mặt", "present", "success"),
            (P.ABSENT_EXCUSED, "Vắng có lý do", "excused", "warning"),
            (P.ABSENT_UNEXCUSED, "Vắng không lý do", "unexcused", "danger"),
        ],
        cancelled=meeting.status == Meeting.Status.CANCELLED,
        future=meeting.date > today(),
    )
    if getattr(request, "htmx", False) and request.method == "POST":
        ctx["partial"] = True
        return render(request, "meetings/_attendance.html", ctx)
    return render(request, "meetings/attendance.html", ctx)
