"""The transfers in and out of the cells, and the transfer letter."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coso.core import pages
from coso.core.dates import format_date, today
from coso.core.errors import DomainError, NotInScope
from coso.core.scope import CHANGE_MEMBERS, get_scoped
from coso.orgs import queries as orgs_queries

from .. import forms, services
from ..models import Transfer
from ._common import _members


def _transfer_obj(request: HttpRequest, pk: int, permission: str = "view") -> Transfer:
    return get_scoped(
        Transfer.objects.select_related("member", "from_org", "to_org"), request.user, permission, pk=pk
    )


def _transfer_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    t = _transfer_obj(request, pk, CHANGE_MEMBERS)
    form = forms.DateForm(request.POST or None, initial={"on": format_date(today())})
    title = "Xác nhận đến nơi sinh hoạt mới" if step == "arrival" else "Xác nhận trở về (chuyển tạm thời)"
    form.fields["on"].label = "Ngày đến" if step == "arrival" else "Ngày trở về"
    if request.method == "POST" and form.is_valid():
        try:
            if step == "arrival":
                services.confirm_arrival(request.user, t, on=form.cleaned_data["on"])
                text = f"Đã xác nhận {t.member.full_name} đến sinh hoạt từ {format_date(form.cleaned_data['on'])}."
            else:
                services.confirm_return(request.user, t, on=form.cleaned_data["on"])
                text = f"Đã xác nhận {t.member.full_name} trở về từ {format_date(form.cleaned_data['on'])}."
            messages.success(request, text)
            visible = _members(request).filter(pk=t.member_id).exists()
            return redirect("members:detail", pk=t.member_id) if visible else redirect("members:due")
        except DomainError as exc:
            pages.apply_error(form, exc, {"to_org": "on"})
        except NotInScope:
            raise Http404("Không thuộc phạm vi của bạn.") from None
    names = orgs_queries.names_on({i for i in (t.from_org_id, t.to_org_id) if i}, today())
    return render(
        request,
        "members/transfer_step.html",
        {"form": form, "title": title, "t": t, "names": names, "step": step},
    )


@login_required
def confirm_arrival(request: HttpRequest, pk: int) -> HttpResponse:
    return _transfer_step(request, pk, "arrival")


@login_required
def confirm_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _transfer_step(request, pk, "return")


@login_required
def transfer_letter(request: HttpRequest, pk: int) -> HttpResponse:
    from ..letters import transfer_letter as build

    t = _transfer_obj(request, pk)
    return pages.docx_response(build(t), f"giay-gioi-thieu-{t.pk}.docx")
