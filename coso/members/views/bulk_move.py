"""The bulk move of a cell's members (a dissolved or merged cell)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coso.core import pages
from coso.core.dates import active_on, format_date, parse_date, today
from coso.core.errors import DomainError, NotInScope
from coso.core.scope import CHANGE_MEMBERS, restrict
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from .. import forms, services
from ..models import Membership


def _grassroots_cells(request: HttpRequest, source: Organization, on: dt.date) -> list[orgs_queries.Period]:
    """Cells in the user's change scope on `on` under the same grassroots organization as `source`."""
    chain = orgs_queries.ancestors(source, on)
    root = next((p for p in reversed(chain) if p.kind.is_grassroots), chain[-1] if chain else None)
    if root is None:
        return []
    return list(
        orgs_queries.periods(request.user, on, within=root.path, permission=CHANGE_MEMBERS)
        .filter(kind__is_cell=True)
        .exclude(org=source)
        .select_related("org")
        .order_by("sort_key", "id")
    )


def _after_bulk_move(
    request: HttpRequest, source: Organization, targets: set[Organization], on: dt.date
) -> str:
    """Where a bulk move lands: the list of the receiving cell when all went to one, else of the source's parent
    on the day of the move (the source itself if the parent is out of the user's scope), as on that day when it
    is still to come."""
    from urllib.parse import urlencode

    if len(targets) == 1:
        org = next(iter(targets))
    else:
        shown = orgs_queries.nearest_period(source, on)
        parent_id = shown.parent_id if shown else None
        parent = orgs_queries.orgs(request.user).filter(pk=parent_id).first() if parent_id else None
        org = parent or source
    query = {"under": org.code}
    if on > today():
        query["as_of"] = format_date(on)
    return reverse("members:list") + "?" + urlencode(query)


@login_required
def bulk_move(request: HttpRequest, code: str) -> HttpResponse:
    source = orgs_queries.get_org(request.user, code, CHANGE_MEMBERS)
    raw_on = request.POST.get("on") if request.method == "POST" else request.GET.get("on")
    try:
        on = parse_date(raw_on) if raw_on else today()
    except ValueError:
        on = today()
    form = forms.BulkMoveForm(
        request.POST if request.method == "POST" and "save" in request.POST else None,
        initial={"on": format_date(on)},
    )
    rows = list(
        Membership.objects.filter(active_on(on), org=source, kind=Membership.Kind.OFFICIAL)
        .select_related("member")
        .order_by("member__sort_key", "member_id")
    )
    targets = _grassroots_cells(request, source, on)
    by_id = {t.org_id: t.org for t in targets}
    errors: dict[int, str] = {}
    data = request.POST if request.method == "POST" else {}
    default = data.get("all_to", "")
    if form.is_bound and form.is_valid():
        mapping: dict[int, Organization] = {}
        scoped = restrict(Organization.objects.all(), request.user, CHANGE_MEMBERS)
        for m in rows:
            typed = (data.get(f"to-{m.member_id}-code") or "").strip()
            chosen = data.get(f"to-{m.member_id}") or default
            if typed:
                org = scoped.filter(code__iexact=typed).first()
                if org is None:
                    errors[m.member_id] = f"Không có chi bộ mã “{typed}” trong phạm vi của bạn."
                    continue
            else:
                org = by_id.get(int(chosen)) if chosen.isdigit() else None
                if org is None:
                    errors[m.member_id] = "Hãy chọn chi bộ chuyển đến."
                    continue
            mapping[m.member_id] = org
        if errors:
            form.add_error(None, "Hãy sửa các dòng được đánh dấu; chưa có gì được ghi.")
        elif not rows:
            form.add_error(None, "Chi bộ không có đảng viên sinh hoạt chính thức vào ngày này.")
        else:
            d = form.cleaned_data
            try:
                n = services.bulk_move(
                    request.user,
                    source,
                    mapping,
                    on=d["on"],
                    reason=d["reason"],
                    decision_number=d["decision_number"],
                )
                messages.success(request, f"Đã chuyển {n} đảng viên từ ngày {format_date(d['on'])}.")
                return redirect(_after_bulk_move(request, source, set(mapping.values()), d["on"]))
            except DomainError as exc:
                pages.apply_error(form, exc, {"mapping": "__all__"})
            except NotInScope:
                form.add_error(None, "Một chi bộ được chọn không thuộc phạm vi bạn được quyền thay đổi.")
    table = [
        {
            "m": m,
            "choice": data.get(f"to-{m.member_id}", ""),
            "code": data.get(f"to-{m.member_id}-code", ""),
            "error": errors.get(m.member_id, ""),
        }
        for m in rows
    ]
    return render(
        request,
        "members/bulk_move.html",
        {
            "form": form,
            "source": source,
            "source_name": orgs_queries.names_on({source.pk}, on).get(source.pk, source.code),
            "on": on,
            "rows": table,
            "targets": targets,
            "default": default,
        },
    )
