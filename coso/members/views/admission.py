"""Admitting a new member (probationary) into a cell."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coso.core import pages
from coso.core.dates import format_date, today
from coso.core.errors import DomainError, NotInScope

from .. import forms, services
from ._common import _can_change


@login_required
def admit(request: HttpRequest) -> HttpResponse:
    if not _can_change(request):
        raise Http404("Bạn không có quyền thay đổi đảng viên.")
    form = forms.AdmitForm(
        request.POST or None,
        user=request.user,
        initial={"cell": request.GET.get("cell", ""), "joined_on": format_date(today())},
    )
    if request.method == "POST" and form.is_valid():
        cell = form.resolve("cell")
        if not form.errors and cell is not None:
            d = form.cleaned_data
            try:
                member = services.admit(
                    request.user,
                    form.identity(),
                    cell=cell,
                    admission_decided_on=d["admission_decided_on"],
                    joined_on=d["joined_on"],
                    decision_number=d.get("decision_number") or "",
                    reviewed_on=d.get("reviewed_on"),
                    over_60_approval=d.get("over_60_approval") or "",
                    profile=form.profile(),
                )
                messages.success(request, f"Đã kết nạp {member.full_name} (đảng viên dự bị).")
                return redirect("members:detail", pk=member.pk)
            except DomainError as exc:
                pages.apply_error(form, exc)
            except NotInScope:
                form.add_error("cell", "Chi bộ không thuộc phạm vi bạn được quyền thay đổi.")
    return render(
        request, "members/op_form.html", {"form": form, "title": "Kết nạp đảng viên", "op": "admit"}
    )
