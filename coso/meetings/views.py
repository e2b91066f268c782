"""Pages of cell meetings (thin: parse the request, call a query or a service, render).

Every read goes through `coso.core.scope` (out of scope answers 404); every write calls a service with the
acting user under the permission CHANGE_MEETINGS, and a refusal shows next to its field with the rule and its
source, the form re-rendered with what the user typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coso.core import pages
from coso.core.dates import add_months, first_of_month, format_date, last_of_month, parse_date, today
from coso.core.errors import DomainError, NotInScope
from coso.core.excel import Sheet, workbook_bytes
from coso.core.fields import prefix_range
from coso.core.scope import CHANGE_MEETINGS, VIEW, get_scoped, restrict
from coso.core.text import person_sort_key
from coso.members.models import Member
from coso.orgs import queries as oq
from coso.orgs.models import Organization

from . import filters, queries, services
from . import forms as f
from .models import (
    Attendance,
    DuesPayment,
    Meeting,
    MeetingKind,
    MeetingRhythm,
    MeetingScore,
    Minutes,
    QualityCriteriaSet,
    QualityProgramme,
    Resolution,
    ResolutionTask,
)

PAGE_SIZE = 50
P = Attendance.Presence
ROLE_ORDER: dict[str, int] = {"member": 0, "guest": 1, "cadre": 2}


# ------------------------------------------------------------------------------------------------ helpers


def _can_change(request: HttpRequest, org: Organization | None = None) -> bool:
    return pages.can_change(request, CHANGE_MEETINGS, org)


def _meeting(request: HttpRequest, pk: int, permission: str = VIEW) -> Meeting:
    return get_scoped(
        Meeting.objects.select_related("org", "chair", "secretary"), request.user, permission, pk=pk
    )


def _meeting_context(request: HttpRequest, meeting: Meeting) -> dict[str, Any]:
    return {
        "meeting": meeting,
        "org": meeting.org,
        "org_name": oq.name_on(meeting.org, meeting.date),
        "can_change": _can_change(request, meeting.org),
    }


def _form_page(
    request: HttpRequest,
    form: Any,
    call: Callable[[dict[str, Any]], HttpResponse],
    ctx: dict[str, Any],
    *,
    mapping: dict[str, str] | None = None,
    template: str = "meetings/form.html",
) -> HttpResponse:
    """`coso.core.pages.form_page` with the meetings' form page as the default template."""
    return pages.form_page(request, form, call, ctx, template=template, mapping=mapping)


# ------------------------------------------------------------------------------------------------ the list


def _scope_roots(request: HttpRequest, on: dt.date) -> list[tuple[Organization, str]]:
    rows = list(oq.roots(request.user, on).select_related("org").order_by("sort_key", "id")[:30])
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
    names = oq.names_on({m.org_id for m in items}, today())
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
            "under_name": oq.name_on(under, today()) if under else "",
            "status": status,
            "statuses": Meeting.Status.choices,
            "roots": _scope_roots(request, today()),
        },
    )


# --------------------------------------------------------------------------------------- calendar, rhythm


@login_required
def calendar(request: HttpRequest, code: str) -> HttpResponse:
    """A cell's year: the day its rhythm gives each month, its meetings, the months without a regular one."""
    org = oq.get_org(request.user, code)
    as_of = pages.as_of(request)
    try:
        year = int(request.GET.get("year") or as_of.year)
    except ValueError:
        year = as_of.year
    year = min(max(year, 1930), 2100)
    months = queries.calendar(request.user, org, dt.date(year, 1, 1), dt.date(year, 12, 1))
    period = oq.nearest_period(org, dt.date(year, 12, 31) if year < as_of.year else as_of)
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
    org = oq.get_org(request.user, code, CHANGE_MEETINGS)
    current = MeetingRhythm.objects.filter(org=org, valid_to__isnull=True).first()
    form = f.RhythmForm(
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

    name = oq.name_on(org, today())
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


# -------------------------------------------------------------------------------------- plan and edit


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
    return f.cell_members(org, restrict(Member.objects.all(), request.user))


def _next_date(org: Organization) -> dt.date:
    now = today()
    dates = queries.expected_dates(org, now, add_months(now, 1))
    return next((d for d in dates if d >= now), now)


@login_required
def plan(request: HttpRequest, code: str) -> HttpResponse:
    """Plan a meeting: kind, date, place, the focus issue, agenda, the committee's preparation, chair, secretary."""
    org = oq.get_org(request.user, code, CHANGE_MEETINGS)
    period = oq.nearest_period(org, today())
    kind = MeetingKind.REGULAR if period is None or period.kind.is_cell else MeetingKind.COMMITTEE
    form = f.MeetingForm(
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
    form = f.MeetingForm(
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
            expected_version=d.get("version"),
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
    form = f.CancelForm(request.POST or None, initial={"version": meeting.version})

    def call(d: dict[str, Any]) -> HttpResponse:
        services.cancel_meeting(request.user, meeting, reason=d["reason"], expected_version=d.get("version"))
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
    form = f.InvitationForm(
        request.POST or None,
        initial={"version": meeting.version, "on": format_date(meeting.invitation_sent_on or today())},
    )

    def call(d: dict[str, Any]) -> HttpResponse:
        services.mark_invitation_sent(request.user, meeting, on=d["on"], expected_version=d.get("version"))
        messages.success(request, f"Đã ghi nhận gửi giấy triệu tập ngày {format_date(d['on'])}.")
        return redirect("meetings:detail", pk=meeting.pk)

    ctx = _meeting_context(request, meeting)
    ctx.update(text=queries.invitation_text(meeting, ctx["org_name"]))
    return _form_page(request, form, call, ctx, template="meetings/invitation.html")


@login_required
def invitation_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from .documents import invitation_docx as build

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
        version = request.POST.get("version")
        expected = int(version) if version and version.isdigit() else None
        try:
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


# --------------------------------------------------------------------------------------------------- dues


def _parse_amount(raw: str) -> int | None:
    text = raw.replace(".", "").replace(",", "").replace(" ", "").replace("đ", "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"“{raw}” không phải số tiền; hãy nhập số đồng, ví dụ 30000.")
    return int(text)


@login_required
def dues(request: HttpRequest, pk: int) -> HttpResponse:
    """Dues collected at the meeting: the amount each member paid, for one month."""
    meeting = _meeting(request, pk)
    if request.method == "POST":
        meeting = _meeting(request, pk, CHANGE_MEETINGS)
    form = f.DuesForm(request.POST or None, initial={"month": meeting.date.strftime("%m/%Y")})
    people = [
        a
        for a in queries.attendance_of(request.user, meeting)
        if a.member_id is not None and a.role != Attendance.Role.CADRE
    ]
    people.sort(key=lambda a: person_sort_key(a.name))
    month = first_of_month(meeting.date)
    if form.is_bound and form.is_valid():
        month = first_of_month(form.cleaned_data["month"])
    elif request.GET.get("month"):
        try:
            month = first_of_month(dt.datetime.strptime(request.GET["month"], "%m/%Y").date())
        except ValueError:
            messages.error(
                request,
                f"Tháng «{request.GET['month']}» không đúng dạng tháng/năm (ví dụ 03/2025); "
                f"đang hiện đảng phí tháng {month:%m/%Y} của cuộc họp.",
            )
    paid = {
        p.member_id: p
        for p in DuesPayment.objects.filter(member_id__in=[a.member_id for a in people], month=month)
    }
    row_errors: dict[int, str] = {}
    if request.method == "POST" and form.is_valid():
        payments = []
        members = Member.objects.in_bulk([a.member_id for a in people])
        for a in people:
            raw = request.POST.get(f"amount-{a.member_id}", "")
            try:
                amount = _parse_amount(raw)
            except ValueError as exc:
                row_errors[a.pk] = str(exc)
                continue
            # a member who already paid the month is the service's refusal (one rule), never skipped here
            if amount is not None:
                payments.append((members[a.member_id], amount))
        if row_errors:
            form.add_error(None, "Hãy sửa các dòng được đánh dấu; chưa ghi gì.")
        elif not payments:
            form.add_error(None, "Hãy nhập số tiền của ít nhất một đảng viên.")
        else:
            try:
                rows = services.record_dues(
                    request.user, meeting.org, month=month, payments=payments, meeting=meeting
                )
                total = sum(r.amount for r in rows)
                messages.success(
                    request,
                    f"Đã ghi đảng phí tháng {month:%m/%Y} của {len(rows)} đảng viên, tổng {total:,} đồng.".replace(
                        ",", "."
                    ),
                )
                return redirect(reverse("meetings:dues", kwargs={"pk": meeting.pk}) + f"?month={month:%m/%Y}")
            except DomainError as exc:
                pages.apply_error(
                    form, exc, {"payments": "__all__", "paid_on": "__all__", "meeting": "__all__"}
                )
            except NotInScope:
                raise Http404("Không thuộc phạm vi của bạn.") from None
    ctx = _meeting_context(request, meeting)
    ctx.update(
        form=form,
        month=month,
        lines=[
            {
                "a": a,
                "paid": paid.get(a.member_id or 0),
                "value": request.POST.get(f"amount-{a.member_id}", "") if request.method == "POST" else "",
                "error": row_errors.get(a.pk, ""),
            }
            for a in people
        ],
        total=sum(p.amount for p in paid.values()),
    )
    return render(request, "meetings/dues.html", ctx)


# ------------------------------------------------------------------------------------------------ minutes

SPEAKER_ROWS = 3  # blank rows offered under the opinions already written


def _speakers(data: Any) -> tuple[list[dict[str, str]], int]:
    """The speaker rows posted (name, opinion), blank rows dropped; and how many rows the form had."""
    try:
        count = min(int(data.get("speakers_count") or 0), 200)
    except ValueError:
        count = 0
    rows = []
    for i in range(count):
        name = (data.get(f"speaker-name-{i}") or "").strip()
        opinion = (data.get(f"speaker-opinion-{i}") or "").strip()
        if name or opinion:
            rows.append({"name": name, "opinion": opinion})
    return rows, count


def _minutes_initial(record: Minutes) -> dict[str, Any]:
    return {
        "version": record.version,
        "chair_name": record.chair_name,
        "secretary_name": record.secretary_name,
        "opened_at": record.opened_at.strftime("%H:%M") if record.opened_at else "",
        "closed_at": record.closed_at.strftime("%H:%M") if record.closed_at else "",
        "proceedings": record.proceedings,
        "conclusions": record.conclusions,
        "votes_for": record.votes_for,
        "votes_against": record.votes_against,
        "votes_abstain": record.votes_abstain,
    }


def _minutes_input(d: dict[str, Any], speakers: list[dict[str, str]]) -> services.MinutesInput:
    return services.MinutesInput(
        chair_name=d.get("chair_name") or "",
        secretary_name=d.get("secretary_name") or "",
        opened_at=d.get("opened_at"),
        closed_at=d.get("closed_at"),
        proceedings=d.get("proceedings") or "",
        speakers=speakers,
        conclusions=d.get("conclusions") or "",
        votes_for=d.get("votes_for") or 0,
        votes_against=d.get("votes_against") or 0,
        votes_abstain=d.get("votes_abstain") or 0,
    )


_MINUTES_LABELS = {
    **{name: str(field.label) for name, field in f.MinutesForm.base_fields.items()},
    "speakers": "Ý kiến phát biểu",
}


def _shown(value: Any) -> str:
    if isinstance(value, list):  # speakers
        return "; ".join(f"{s.get('name', '')}: {s.get('opinion', '')}" for s in value) or "—"
    return "—" if value in (None, "") else str(value)


def _amendments(record: Minutes | None) -> list[dict[str, Any]]:
    """The recorded amendments of the minutes, each with its changed fields as (label, before, after)."""
    if record is None:
        return []
    return [
        {
            "a": a,
            "changes": [
                (_MINUTES_LABELS.get(k, k), _shown(a.before.get(k)), _shown(v)) for k, v in a.after.items()
            ],
        }
        for a in record.amendments.select_related("adopting_meeting", "created_by").order_by("on", "id")
    ]


@login_required
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The structured minutes: chair, secretary, opinions of each speaker, conclusions, votes. Read only once
    adopted (downloadable as .docx)."""
    meeting = _meeting(request, pk)
    record = Minutes.objects.filter(meeting=meeting).first()
    if request.method == "POST":
        meeting = _meeting(request, pk, CHANGE_MEETINGS)
    if record is not None:
        initial = _minutes_initial(record)
        speakers = list(record.speakers)
    else:
        initial = {
            "chair_name": meeting.chair.full_name if meeting.chair else "",
            "secretary_name": meeting.secretary.full_name if meeting.secretary else "",
            "opened_at": meeting.start_time.strftime("%H:%M") if meeting.start_time else "",
            "votes_for": meeting.present or "",
            "votes_against": 0,
            "votes_abstain": 0,
        }
        speakers = []
    form = f.MinutesForm(request.POST or None, initial=initial)

    def save(d: dict[str, Any], speakers: list[dict[str, str]]) -> HttpResponse:
        saved = services.save_minutes(
            request.user,
            meeting,
            _minutes_input(d, speakers),
            expected_version=d.get("version") if record is not None else None,
        )
        messages.success(request, "Đã lưu biên bản." + ("" if saved.adopted else " Biên bản chưa thông qua."))
        return redirect("meetings:minutes", pk=meeting.pk)

    return _minutes_page(
        request,
        meeting,
        form,
        speakers,
        save,
        "meetings/minutes.html",
        record=record,
        amendments=_amendments(record),
        adopt_date=format_date(max(meeting.date, min(today(), meeting.date))),
        held=meeting.status == Meeting.Status.HELD,
    )


def _minutes_page(
    request: HttpRequest,
    meeting: Meeting,
    form: Any,
    speakers: list[dict[str, str]],
    save: Callable[[dict[str, Any], list[dict[str, str]]], HttpResponse],
    template: str,
    **extra: Any,
) -> HttpResponse:
    """The minutes form (draft or amendment): on a valid POST `save` is called with the cleaned data and the
    speakers posted; a refusal goes next to its field, and the page shows again with what was typed."""
    speakers_error = ""
    if request.method == "POST":
        speakers, _count = _speakers(request.POST)
        if form.is_valid():
            try:
                return save(form.cleaned_data, speakers)
            except DomainError as exc:
                if exc.field == "speakers":
                    speakers_error = pages.error_text(exc)
                else:
                    pages.apply_error(form, exc)
            except NotInScope:
                raise Http404("Không thuộc phạm vi của bạn.") from None
    rows = [*speakers, *({"name": "", "opinion": ""} for _ in range(SPEAKER_ROWS))]
    ctx = _meeting_context(request, meeting)
    ctx.update(form=form, speakers=rows, speakers_count=len(rows), speakers_error=speakers_error, **extra)
    return render(request, template, ctx)


@login_required
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, CHANGE_MEETINGS)
    record = Minutes.objects.filter(meeting=meeting).first()
    if record is None:
        messages.error(request, "Chưa có biên bản để thông qua; hãy ghi biên bản trước.")
        return redirect("meetings:minutes", pk=meeting.pk)
    form = f.AdoptForm(
        request.POST or None, initial={"version": record.version, "on": format_date(meeting.date)}
    )

    def call(d: dict[str, Any]) -> HttpResponse:
        services.adopt_minutes(request.user, record, on=d["on"], expected_version=d.get("version"))
        messages.success(request, f"Biên bản đã được thông qua ngày {format_date(d['on'])}.")
        return redirect("meetings:minutes", pk=meeting.pk)

    ctx = _meeting_context(request, meeting)
    ctx.update(title="Thông qua biên bản", back=reverse("meetings:minutes", kwargs={"pk": meeting.pk}))
    return _form_page(request, form, call, ctx)


@login_required
def amend(request: HttpRequest, pk: int) -> HttpResponse:
    """Adopted minutes changed by a recorded amendment (reason, date, basis); the minutes page lists every
    amendment with the fields before and after."""
    meeting = _meeting(request, pk, CHANGE_MEETINGS)
    record = Minutes.objects.filter(meeting=meeting).first()
    if record is None or not record.adopted:
        messages.error(
            request, "Chỉ đính chính được biên bản đã thông qua; biên bản chưa thông qua thì sửa trực tiếp."
        )
        return redirect("meetings:minutes", pk=meeting.pk)
    later = (
        Meeting.objects.filter(org=meeting.org, status=Meeting.Status.HELD, date__gte=meeting.date)
        .exclude(pk=meeting.pk)
        .order_by("date", "id")
    )
    form = f.AmendForm(
        request.POST or None,
        initial={**_minutes_initial(record), "on": format_date(today())},
        meetings=later,
    )

    def save(d: dict[str, Any], speakers: list[dict[str, str]]) -> HttpResponse:
        chosen = d.get("adopting_meeting")
        services.amend_minutes(
            request.user,
            record,
            _minutes_input(d, speakers),
            on=d["on"],
            reason=d.get("reason") or "",
            decision=d.get("decision") or "",
            adopting_meeting=later.filter(pk=chosen).first() if chosen else None,
            expected_version=d.get("version"),
        )
        messages.success(request, f"Đã ghi đính chính biên bản ngày {format_date(d['on'])}.")
        return redirect("meetings:minutes", pk=meeting.pk)

    return _minutes_page(
        request, meeting, form, list(record.speakers), save, "meetings/minutes_amend.html", record=record
    )


@login_required
def minutes_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from .documents import minutes_docx as build

    meeting = _meeting(request, pk)
    record = Minutes.objects.filter(meeting=meeting).first()
    if record is None:
        raise Http404("Cuộc sinh hoạt chưa có biên bản.")
    return pages.docx_response(build(record), f"bien-ban-{meeting.org.code}-{meeting.date:%Y%m%d}.docx")


# -------------------------------------------------------------------------------------------- resolutions


@login_required
def resolution_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, CHANGE_MEETINGS)
    form = f.ResolutionForm(request.POST or None)

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
    form = f.TaskForm(request.POST or None, members=_members_of(request, meeting.org))

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
    from .documents import resolution_docx as build

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
    form = f.FollowUpForm(
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


# -------------------------------------------------------------------------------------------------- score


@login_required
def score(request: HttpRequest, pk: int) -> HttpResponse:
    """Score the meeting's quality against the criteria set in force for it (the nearest level's, dated)."""
    meeting = _meeting(request, pk)
    if request.method == "POST":
        meeting = _meeting(request, pk, CHANGE_MEETINGS)
    current = MeetingScore.objects.filter(meeting=meeting).first()
    error = ""
    criteria_set = None
    try:
        criteria_set = services.criteria_set_for(meeting.org, meeting.date)
    except DomainError as exc:
        error = pages.error_text(exc)
    data = request.POST if request.method == "POST" else None
    values: dict[str, str] = {}
    field_errors: dict[str, str] = {}
    note = data.get("note", "") if data is not None else (current.note if current else "")
    scored_on = (
        data.get("scored_on", "")
        if data is not None
        else format_date(current.scored_on if current else today())
    )
    if criteria_set is not None:
        for c in criteria_set.criteria:
            code = str(c["code"])
            if data is not None:
                values[code] = data.get(f"score-{code}", "").strip()
            elif current is not None and code in current.scores:
                values[code] = str(current.scores[code])
            else:
                values[code] = ""
    if data is not None and criteria_set is not None:
        scores: dict[str, int] = {}
        for c in criteria_set.criteria:
            code = str(c["code"])
            raw = values[code]
            if not raw.isdigit():
                field_errors[code] = f"Hãy nhập số điểm từ 0 đến {c['points']}."
            else:
                scores[code] = int(raw)
        on = None
        try:
            on = parse_date(scored_on) if scored_on.strip() else today()
        except ValueError as exc:
            field_errors["scored_on"] = str(exc)
        if field_errors:
            error = "Hãy sửa các ô được đánh dấu; chưa ghi gì."
        else:
            version = data.get("version")
            try:
                saved = services.score_meeting(
                    request.user,
                    meeting,
                    scores=scores,
                    scored_on=on,
                    note=note,
                    expected_version=int(version) if version and version.isdigit() else None,
                )
                messages.success(request, f"Đã đánh giá: {saved.total} điểm, xếp loại {saved.level}.")
                return redirect("meetings:detail", pk=meeting.pk)
            except DomainError as exc:
                if exc.field == "scored_on":
                    field_errors["scored_on"] = pages.error_text(exc)
                else:
                    error = pages.error_text(exc)
            except NotInScope:
                raise Http404("Không thuộc phạm vi của bạn.") from None
    ctx = _meeting_context(request, meeting)
    ctx.update(
        criteria_set=criteria_set,
        current=current,
        error=error,
        lines=[
            {"c": c, "value": values.get(str(c["code"]), ""), "error": field_errors.get(str(c["code"]), "")}
            for c in (criteria_set.criteria if criteria_set else [])
        ],
        note=note,
        scored_on=scored_on,
        scored_on_error=field_errors.get("scored_on", ""),
        version=current.version if current else "",
    )
    return render(request, "meetings/score.html", ctx)


# ---------------------------------------------------------------------------------------- who went where


@login_required
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """A committee assigns one of its members or a higher-level cadre to attend this meeting (seed 003)."""
    meeting = _meeting(request, pk, CHANGE_MEETINGS)
    above = oq.ancestors(meeting.org, meeting.date, request.user, CHANGE_MEETINGS)
    form = f.AssignForm(request.POST or None, initial={"assigning_org": above[-1].org_id if above else None})
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
    org = oq.get_org(request.user, code)
    as_of = pages.as_of(request)
    errors: dict[str, str] = {}
    frm = pages.get_date(request, "from", dt.date(as_of.year, 1, 1), errors)
    to = pages.get_date(request, "to", dt.date(as_of.year, 12, 31), errors)
    rows = queries.assignments(request.user, org, frm, to)
    names = oq.names_on(
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
            "org_name": oq.name_on(org, as_of),
            "rows": rows,
            "names": names,
            "people": sorted(people.values(), key=lambda p: person_sort_key(p["name"])),
            "from_text": format_date(frm),
            "to_text": format_date(to),
            "errors": errors,
        },
    )


# --------------------------------------------------------------------------------------------- compliance


def _pct(n: int, total: int) -> int:
    return round(100 * n / total) if total else 0


def _compliance_xlsx(report: queries.Compliance) -> bytes:
    heading = [
        f"Tình hình sinh hoạt chi bộ – {report.org_name}",
        f"Từ {format_date(report.date_from)} đến {format_date(report.date_to)}, số liệu đến ngày "
        f"{format_date(report.as_of)}",
    ]
    rate = report.attendance_rate
    summary = [
        ("Số chi bộ", report.cells),
        ("Số tháng tính", report.months),
        ("Kỳ thường kỳ đã họp (chi bộ × tháng)", report.regular_held),
        ("Kỳ thường kỳ phải họp", report.regular_expected),
        ("Quý có sinh hoạt chuyên đề", report.thematic_quarters_met),
        ("Quý phải có sinh hoạt chuyên đề", report.thematic_quarters_expected),
        ("Tỷ lệ dự họp (%)", round(100 * rate, 2) if rate is not None else None),
    ]
    rows = [
        (
            r.code,
            r.name,
            r.cells,
            r.regular_held,
            r.regular_expected,
            r.thematic_quarters_met,
            r.thematic_quarters_expected,
            round(100 * r.attendance_rate, 2) if r.attendance_rate is not None else None,
        )
        for r in report.rows
    ]
    a = report.alerts
    alerts = (
        [
            ("Chi bộ lâu không sinh hoạt", x["org"], x["org_name"], f"{x['days']} ngày")
            for x in a.cells_without_meeting
        ]
        + [("Biên bản chưa thông qua", x["org"], "", x["date"]) for x in a.minutes_not_adopted]
        + [("Nhiệm vụ quá hạn", x["org"], x["description"], x["deadline"]) for x in a.overdue_tasks]
        + [("Vắng không lý do", x["org"], x["name"], ", ".join(x["months"])) for x in a.absent_members]
        + [("Chưa đóng đảng phí", x["org"], x["name"], ", ".join(x["months"])) for x in a.unpaid_dues_members]
    )
    return workbook_bytes(
        [
            Sheet("Tổng hợp", ["Chỉ tiêu", "Số liệu"], summary, heading=heading),
            Sheet(
                "Theo đơn vị",
                [
                    "Mã",
                    "Tên",
                    "Số chi bộ",
                    "Thường kỳ đã họp",
                    "Thường kỳ phải họp",
                    "Quý có chuyên đề",
                    "Quý phải có chuyên đề",
                    "Tỷ lệ dự họp (%)",
                ],
                rows,
                heading=heading,
            ),
            Sheet("Cảnh báo", ["Loại", "Mã tổ chức", "Nội dung", "Chi tiết"], alerts, heading=heading),
        ]
    )


def _vn(iso: str | None) -> str:
    return format_date(dt.date.fromisoformat(iso)) if iso else ""


def _alerts_shown(alerts: queries.Alerts) -> dict[str, Any]:
    """The alert lists with their dates as dd/mm/yyyy (the query keeps ISO dates for the API and the CLI)."""
    return {
        "cells_without_meeting": [
            {**x, "last_held": _vn(x["last_held"])} for x in alerts.cells_without_meeting[:50]
        ],
        "cells_without_meeting_total": alerts.cells_without_meeting_total,
        "minutes_not_adopted": [{**x, "date": _vn(x["date"])} for x in alerts.minutes_not_adopted[:50]],
        "minutes_not_adopted_total": alerts.minutes_not_adopted_total,
        "overdue_tasks": [{**x, "deadline": _vn(x["deadline"])} for x in alerts.overdue_tasks[:50]],
        "overdue_tasks_total": alerts.overdue_tasks_total,
        "absent_members": alerts.absent_members,
        "unpaid_dues_members": alerts.unpaid_dues_members,
    }


@login_required
def compliance(request: HttpRequest, code: str) -> HttpResponse:
    """Compliance of a subtree over a period as of a date, a row per child (each links to the same page for it),
    charts, alerts to the cells, Excel."""
    org, as_of, frm, to, errors = _compliance_args(request, code)
    xlsx = request.GET.get("format") == "xlsx"
    # the page shows the figures at once and loads the alerts beside them (compliance_alerts); Excel has both
    report = queries.compliance(request.user, org, frm, to, as_of, alerts=xlsx)
    if xlsx:
        return pages.xlsx_response(
            _compliance_xlsx(report), f"sinh-hoat-chi-bo-{org.code}-{as_of:%Y%m%d}.xlsx"
        )
    query = {"from": format_date(frm), "to": format_date(to)}
    if request.GET.get("as_of"):
        query["as_of"] = format_date(as_of)
    rows = [
        {
            "r": r,
            "regular_pct": _pct(r.regular_held, r.regular_expected),
            "thematic_pct": _pct(r.thematic_quarters_met, r.thematic_quarters_expected),
            "rate_pct": round(100 * r.attendance_rate) if r.attendance_rate is not None else None,
            "is_self": r.org_id == org.pk,
        }
        for r in report.rows
    ]
    rate = report.attendance_rate
    period = oq.nearest_period(org, as_of)
    return render(
        request,
        "meetings/compliance.html",
        {
            "org": org,
            "report": report,
            "rows": rows,
            "query": urlencode(query),
            "from_text": format_date(frm),
            "to_text": format_date(to),
            "errors": errors,
            "regular_pct": _pct(report.regular_held, report.regular_expected),
            "thematic_pct": _pct(report.thematic_quarters_met, report.thematic_quarters_expected),
            "rate_pct": round(100 * rate, 1) if rate is not None else None,
            "ancestors": oq.ancestors(org, as_of, request.user),
            "is_cell": bool(period and period.kind.is_cell),
            "thresholds": report.thresholds,
        },
    )


def _compliance_args(
    request: HttpRequest, code: str
) -> tuple[Any, dt.date, dt.date, dt.date, dict[str, str]]:
    """The organization (in scope), as-of date and period of a compliance request; a wrong period is said in
    `errors` and the current year shown instead."""
    org = oq.get_org(request.user, code)
    as_of = pages.as_of(request)
    errors: dict[str, str] = {}
    frm = pages.get_date(request, "from", dt.date(as_of.year, 1, 1), errors)
    to = pages.get_date(request, "to", dt.date(as_of.year, 12, 31), errors)
    try:
        queries.check_period(frm, to)
    except DomainError as exc:
        errors["from"] = pages.error_text(exc)
        frm, to = dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 31)
    return org, as_of, frm, to, errors


@login_required
def compliance_alerts(request: HttpRequest, code: str) -> HttpResponse:
    """The alerts panel of the compliance page (loaded by the page once its figures are shown)."""
    org, as_of, frm, to, _errors = _compliance_args(request, code)
    alerts = queries.compliance_alerts(request.user, org, frm, to, as_of)
    return render(request, "meetings/_compliance_alerts.html", {"alerts": _alerts_shown(alerts), "a": alerts})


# -------------------------------------------------------------------------------------------------- quality


@login_required
def quality(request: HttpRequest, code: str) -> HttpResponse:
    """Meeting quality every 6 months, rolled up and per cell."""
    org = oq.get_org(request.user, code)
    as_of = pages.as_of(request)
    errors: dict[str, str] = {}
    frm = pages.get_date(request, "from", dt.date(as_of.year - 2, 1, 1), errors)
    to = pages.get_date(request, "to", as_of, errors)
    if frm > to:
        errors["from"] = "Ngày bắt đầu phải trước ngày kết thúc."
        frm = dt.date(to.year - 2, 1, 1)
    halves = queries.quality_over_time(request.user, org, frm, to)
    return render(
        request,
        "meetings/quality.html",
        {
            "org": org,
            "org_name": oq.name_on(org, as_of),
            "halves": halves,
            "from_text": format_date(frm),
            "to_text": format_date(to),
            "errors": errors,
        },
    )


# ------------------------------------------------------------------------------------------ criteria sets


@login_required
def criteria(request: HttpRequest, code: str) -> HttpResponse:
    """The criteria sets that apply to an organization: the one in force on the date (the nearest level's, else
    the national default), and every set of its levels with their dates. The sets of the organizations above are
    the rules its meetings are scored by, so they show even when those organizations are outside the user's
    grants; nothing of another subtree shows."""
    org = oq.get_org(request.user, code)
    as_of = pages.as_of(request)
    period = oq.nearest_period(org, as_of)
    ancestors = [int(s) for s in period.path.split("/") if s] if period else [org.pk]
    in_force = None
    error = ""
    try:
        in_force = services.criteria_set_for(org, as_of)
    except DomainError as exc:
        error = pages.error_text(exc)
    sets = list(
        QualityCriteriaSet.objects.filter(Q(org_id__in=ancestors) | Q(org__isnull=True)).order_by(
            "org_id", "-effective_from"
        )
    )
    names = oq.names_on({s.org_id for s in sets if s.org_id}, as_of)
    return render(
        request,
        "meetings/criteria.html",
        {
            "org": org,
            "org_name": period.name if period else org.code,
            "in_force": in_force,
            "error": error,
            "sets": sets,
            "names": names,
            "can_change": _can_change(request, org),
        },
    )


@login_required
def criteria_add(request: HttpRequest, code: str) -> HttpResponse:
    org = oq.get_org(request.user, code, CHANGE_MEETINGS)
    form = f.CriteriaSetForm(request.POST or None, initial={"effective_from": format_date(today())})

    def call(d: dict[str, Any]) -> HttpResponse:
        cs = services.save_criteria_set(
            request.user,
            org=org,
            name=d["name"],
            source=d["source"],
            effective_from=d["effective_from"],
            effective_to=d.get("effective_to"),
            criteria=d["criteria"],
            levels=d["levels"],
        )
        messages.success(
            request, f"Đã ban hành bộ tiêu chí “{cs.name}” từ ngày {format_date(cs.effective_from)}."
        )
        return redirect("meetings:criteria", code=org.code)

    return _form_page(
        request,
        form,
        call,
        {
            "title": "Ban hành bộ tiêu chí chất lượng sinh hoạt",
            "org": org,
            "org_name": oq.name_on(org, today()),
            "intro": "Bộ tiêu chí áp dụng cho các chi bộ thuộc cấp này từ ngày hiệu lực; bộ đang áp dụng của cấp này "
            "(nếu có) kết thúc vào ngày đó.",
            "back": reverse("meetings:criteria", kwargs={"code": org.code}),
            "wide": True,
        },
    )


# ---------------------------------------------------------------------------------------------- programmes


@login_required
def programmes(request: HttpRequest, code: str) -> HttpResponse:
    org = oq.get_org(request.user, code)
    as_of = pages.as_of(request)
    period = oq.nearest_period(org, as_of)
    ancestors = [int(s) for s in period.path.split("/") if s] if period else [org.pk]
    items = list(
        restrict(
            QualityProgramme.objects.filter(
                Q(org_id__in=ancestors) | Q(**prefix_range("org__current_path", org.current_path))
            ),
            request.user,
        ).order_by("-date_from", "id")
    )
    names = oq.names_on({p.org_id for p in items}, as_of)
    return render(
        request,
        "meetings/programmes.html",
        {
            "org": org,
            "org_name": period.name if period else org.code,
            "items": items,
            "names": names,
            "can_change": _can_change(request, org),
        },
    )


@login_required
def programme_add(request: HttpRequest, code: str) -> HttpResponse:
    org = oq.get_org(request.user, code, CHANGE_MEETINGS)
    form = f.ProgrammeForm(request.POST or None)

    def call(d: dict[str, Any]) -> HttpResponse:
        p = services.create_programme(
            request.user,
            org,
            name=d["name"],
            date_from=d["date_from"],
            date_to=d["date_to"],
            decision_number=d.get("decision_number") or "",
            decision_date=d.get("decision_date"),
            note=d.get("note") or "",
        )
        messages.success(request, f"Đã tạo đề án “{p.name}”; hãy chọn các chi bộ điểm.")
        return redirect("meetings:programme", pk=p.pk)

    return _form_page(
        request,
        form,
        call,
        {
            "title": "Đề án nâng cao chất lượng sinh hoạt chi bộ",
            "org": org,
            "org_name": oq.name_on(org, today()),
            "back": reverse("meetings:programmes", kwargs={"code": org.code}),
            "wide": True,
        },
    )


@login_required
def programme(request: HttpRequest, pk: int) -> HttpResponse:
    """A programme: pilot cells chosen, then rolled out; meeting quality every 6 months, pilots against all."""
    prog = get_scoped(QualityProgramme.objects.select_related("org"), request.user, VIEW, pk=pk)
    as_of = pages.as_of(request)
    action = request.POST.get("action") if request.method == "POST" else None
    if request.method == "POST":
        prog = get_scoped(
            QualityProgramme.objects.select_related("org"), request.user, CHANGE_MEETINGS, pk=pk
        )
    pilot_form = f.PilotForm(
        request.POST if action == "pilot" else None, initial={"on": format_date(today())}
    )
    roll_form = f.RollOutForm(
        request.POST if action == "roll_out" else None, initial={"on": format_date(today())}
    )
    if action == "pilot" and pilot_form.is_valid():
        d = pilot_form.cleaned_data
        cell = (
            restrict(Organization.objects.all(), request.user, CHANGE_MEETINGS)
            .filter(code__iexact=d["cell"])
            .first()
        )
        if cell is None:
            pilot_form.add_error(
                "cell", f"Không có chi bộ mã “{d['cell']}” trong phạm vi bạn được quyền thay đổi."
            )
        else:
            try:
                services.select_pilot(request.user, prog, cell, on=d["on"], note=d.get("note") or "")
                messages.success(request, f"Đã chọn {oq.name_on(cell, d['on'])} làm chi bộ điểm.")
                return redirect("meetings:programme", pk=prog.pk)
            except DomainError as exc:
                pages.apply_error(pilot_form, exc, {"org": "cell"})
            except NotInScope:
                pilot_form.add_error("cell", "Chi bộ không thuộc phạm vi bạn được quyền thay đổi.")
    elif action == "roll_out" and roll_form.is_valid():
        try:
            n = services.roll_out(request.user, prog, on=roll_form.cleaned_data["on"])
            messages.success(request, f"Đã triển khai đề án tới {n} chi bộ.")
            return redirect("meetings:programme", pk=prog.pk)
        except DomainError as exc:
            pages.apply_error(roll_form, exc)
    report = queries.programme_report(request.user, prog, as_of)
    return render(
        request,
        "meetings/programme.html",
        {
            "prog": prog,
            "org": prog.org,
            "org_name": oq.name_on(prog.org, as_of),
            "report": report,
            "halves": list(zip(report.pilot_quality, report.all_quality, strict=True)),
            "pilot_form": pilot_form,
            "roll_form": roll_form,
            "can_change": _can_change(request, prog.org),
        },
    )
