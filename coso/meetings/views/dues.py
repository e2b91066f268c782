"""The dues collected at a meeting."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coso.core import pages
from coso.core.dates import first_of_month
from coso.core.errors import DomainError, NotInScope
from coso.core.scope import CHANGE_MEETINGS
from coso.core.text import person_sort_key
from coso.members.models import Member

from .. import forms, queries, services
from ..models import (
    Attendance,
    DuesPayment,
)
from ._common import _meeting, _meeting_context


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
    form = forms.DuesForm(request.POST or None, initial={"month": meeting.date.strftime("%m/%Y")})
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
