"""Quality: the criteria sets and the programmes to raise the quality of meetings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coso.core import pages
from coso.core.dates import format_date, today
from coso.core.errors import DomainError, NotInScope
from coso.core.fields import prefix_range
from coso.core.scope import CHANGE_MEETINGS, VIEW, get_scoped, restrict
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from .. import forms, queries, services
from ..models import (
    QualityCriteriaSet,
    QualityProgramme,
)
from ._common import _can_change, _form_page


@login_required
def quality(request: HttpRequest, code: str) -> HttpResponse:
    """Meeting quality every 6 months, rolled up and per cell."""
    org = orgs_queries.get_org(request.user, code)
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
            "org_name": orgs_queries.name_on(org, as_of),
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
    org = orgs_queries.get_org(request.user, code)
    as_of = pages.as_of(request)
    period = orgs_queries.nearest_period(org, as_of)
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
    names = orgs_queries.names_on({s.org_id for s in sets if s.org_id}, as_of)
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
    org = orgs_queries.get_org(request.user, code, CHANGE_MEETINGS)
    form = forms.CriteriaSetForm(request.POST or None, initial={"effective_from": format_date(today())})

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
            "org_name": orgs_queries.name_on(org, today()),
            "intro": "Bộ tiêu chí áp dụng cho các chi bộ thuộc cấp này từ ngày hiệu lực; bộ đang áp dụng của cấp này "
            "(nếu có) kết thúc vào ngày đó.",
            "back": reverse("meetings:criteria", kwargs={"code": org.code}),
            "wide": True,
        },
    )


# ---------------------------------------------------------------------------------------------- programmes


@login_required
def programmes(request: HttpRequest, code: str) -> HttpResponse:
    org = orgs_queries.get_org(request.user, code)
    as_of = pages.as_of(request)
    period = orgs_queries.nearest_period(org, as_of)
    ancestors = [int(s) for s in period.path.split("/") if s] if period else [org.pk]
    items = list(
        restrict(
            QualityProgramme.objects.filter(
                Q(org_id__in=ancestors) | Q(**prefix_range("org__current_path", org.current_path))
            ),
            request.user,
        ).order_by("-date_from", "id")
    )
    names = orgs_queries.names_on({p.org_id for p in items}, as_of)
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
    org = orgs_queries.get_org(request.user, code, CHANGE_MEETINGS)
    form = forms.ProgrammeForm(request.POST or None)

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
            "org_name": orgs_queries.name_on(org, today()),
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
    pilot_form = forms.PilotForm(
        request.POST if action == "pilot" else None, initial={"on": format_date(today())}
    )
    roll_form = forms.RollOutForm(
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
                messages.success(request, f"Đã chọn {orgs_queries.name_on(cell, d['on'])} làm chi bộ điểm.")
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
            "org_name": orgs_queries.name_on(prog.org, as_of),
            "report": report,
            "halves": list(zip(report.pilot_quality, report.all_quality, strict=True)),
            "pilot_form": pilot_form,
            "roll_form": roll_form,
            "can_change": _can_change(request, prog.org),
        },
    )
