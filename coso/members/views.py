"""Pages of the member registry (thin: parse the request, call a query or a service, render).

Every member read goes through `coso.core.scope` (out of scope answers 404); every write calls a service with
the acting user, and a refusal shows next to its field with the rule and its source."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coso.core import history, pages
from coso.core.dates import active_on, add_months, add_working_days, format_date, parse_date, today
from coso.core.errors import DomainError, NotInScope
from coso.core.import_flow import ExcelImportFlow
from coso.core.rules import rule_in_force
from coso.core.scope import CHANGE_MEMBERS, get_scoped, restrict
from coso.orgs import queries as oq
from coso.orgs.models import Organization

from . import filters, services
from . import forms as f
from .models import Member, Membership, MemberStatus, MemberView, Status, Transfer

PAGE_SIZE = 50
# Điều lệ Đảng, Điều 5: within 30 working days after the probation ends the cell considers recognition.
RECOGNITION_WORKING_DAYS = 30


def _members(request: HttpRequest, permission: str = "view") -> QuerySet[Member]:
    return restrict(Member.objects.all(), request.user, permission)


def _member(request: HttpRequest, pk: int, permission: str = "view") -> Member:
    return get_scoped(
        Member.objects.select_related("home_org", "ethnicity", "religion"), request.user, permission, pk=pk
    )


def _can_change(request: HttpRequest, org: Organization | None = None) -> bool:
    return pages.can_change(request, CHANGE_MEMBERS, org)


# ------------------------------------------------------------------------------------------------ the list


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    """The members in scope, searchable; `?as_of=dd/mm/yyyy` (or yyyy-mm-dd) shows them as on that date: who
    was in each cell then (a member transferred away since still shows on the old cell's list), with the status
    and cell of that date. Today's list reads today's state kept on `Member` (any status, exits included)."""
    as_of = pages.as_of(request)
    found = filters.MemberFilter(request.GET, queryset=_members(request), request=request, as_of=as_of)
    qs, dated, under = found.qs, found.dated, found.under_found
    term = (request.GET.get("q") or "").strip()
    status = request.GET.get("status") or ""
    under_code = (request.GET.get("under") or "").strip()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page)
    cell_of = {m.pk: m.home_org_id for m in items}
    labels = dict(Status.choices)
    status_of = {m.pk: m.status for m in items}
    if dated:
        ids = list(cell_of)
        cell_of.update(
            Membership.objects.filter(active_on(as_of), member_id__in=ids, kind=Membership.Kind.OFFICIAL)
            .values_list("member_id", "org_id")
            .order_by("valid_from")
        )
        status_of.update(
            MemberStatus.objects.filter(active_on(as_of), member_id__in=ids)
            .values_list("member_id", "status")
            .order_by("valid_from")
        )
    names = oq.names_on(set(cell_of.values()), as_of)
    for m in items:
        m.cell_name = names.get(cell_of[m.pk], "")  # type: ignore[attr-defined]
        m.status_label = labels.get(status_of[m.pk], status_of[m.pk])  # type: ignore[attr-defined]
    under_name = oq.names_on({under.pk}, as_of).get(under.pk, "") if under else ""
    return render(
        request,
        "members/list.html",
        {
            "page": page,
            "items": items,
            "flt": {
                "q": term,
                "status": status,
                "under_code": under_code,
                "under": under,
                "under_name": under_name,
                "as_of": as_of,
                "dated": dated,
            },
            "statuses": Status.choices,
            "can_change": _can_change(request),
            "can_bulk": under is not None and not dated and _can_change(request, under),
        },
    )


# ---------------------------------------------------------------------------------------------- the record


def _record_context(request: HttpRequest, member: Member) -> dict[str, Any]:
    as_of = today()
    return {
        "member": member,
        "cell_name": oq.names_on({member.home_org_id}, as_of).get(member.home_org_id, ""),
        "can_change": _can_change(request, member.home_org),
        "active": member.status in (Status.PROBATIONARY, Status.OFFICIAL),
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    services.log_view(request.user, member)
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
        names=oq.names_on(ids, today()),
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
    services.log_view(request.user, member)
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


# ------------------------------------------------------------------------------------------------ admission


@login_required
def admit(request: HttpRequest) -> HttpResponse:
    if not _can_change(request):
        raise Http404("Bạn không có quyền thay đổi đảng viên.")
    form = f.AdmitForm(
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


# ------------------------------------------------------------------------------- operations on one member


def _recognise(request: HttpRequest, member: Member, d: dict[str, Any], form: Any) -> str:
    services.recognise(
        request.user,
        member,
        on=d["on"],
        decision_number=d.get("decision_number") or "",
        decision_date=d.get("decision_date"),
        expected_version=d.get("version"),
    )
    return f"Đã công nhận {member.full_name} là đảng viên chính thức từ {format_date(d['on'])}."


def _exit(request: HttpRequest, member: Member, d: dict[str, Any], form: Any) -> str:
    services.end_membership(
        request.user,
        member,
        status=d["status"],
        on=d["on"],
        decision_number=d.get("decision_number") or "",
        decision_date=d.get("decision_date"),
        issuer=d.get("issuer") or "",
        note=d.get("note") or "",
        expected_version=d.get("version"),
    )
    return f"Đã ghi nhận: {member.full_name} – {Status(d['status']).label.lower()} từ {format_date(d['on'])}."


def _flag(request: HttpRequest, member: Member, d: dict[str, Any], form: Any) -> str:
    if d["action"] == "end":
        flag = services.end_flag(request.user, member, kind=d["kind"], on=d["on"])
        return (
            f"Đã kết thúc {flag.get_kind_display().lower()} của {member.full_name} từ {format_date(d['on'])}."
        )
    flag = services.set_flag(
        request.user,
        member,
        kind=d["kind"],
        on=d["on"],
        decision_number=d.get("decision_number") or "",
        decision_date=d.get("decision_date"),
        reason=d.get("reason") or "",
    )
    return f"Đã ghi nhận {flag.get_kind_display().lower()} của {member.full_name} từ {format_date(d['on'])}."


def _discipline(request: HttpRequest, member: Member, d: dict[str, Any], form: Any) -> str:
    record = services.record_discipline(
        request.user,
        member,
        form=d["form"],
        violation_on=d["violation_on"],
        decided_on=d["decided_on"],
        deciding_body=d["deciding_body"],
        decision_number=d.get("decision_number") or "",
        self_found=bool(d.get("self_found")),
        note=d.get("note") or "",
    )
    return f"Đã ghi nhận kỷ luật {record.get_form_display().lower()} đối với {member.full_name}."


def _profile(request: HttpRequest, member: Member, d: dict[str, Any], form: Any) -> str:
    services.update_profile(request.user, member, on=d["on"], profile=form.profile())
    return f"Đã cập nhật trình độ, nghề nghiệp của {member.full_name} từ {format_date(d['on'])}."


def _transfer(request: HttpRequest, member: Member, d: dict[str, Any], form: Any) -> str:
    target = form.resolve("to_org", required=False)
    if form.errors:
        raise _FormInvalid
    transfer = services.issue_transfer(
        request.user,
        member,
        services.TransferInput(
            kind=d["kind"],
            left_on=d["left_on"],
            to_org=target,
            to_outside=d.get("to_outside") or "",
            letter_number=d.get("letter_number") or "",
            return_due=d.get("return_due"),
            dues_paid_to=d.get("dues_paid_to"),
            reason=d.get("reason") or "",
            decision_number=d.get("decision_number") or "",
        ),
        expected_version=d.get("version"),
    )
    return (
        f"Đã cấp giấy giới thiệu ({transfer.get_kind_display().lower()}) cho {member.full_name}; "
        f"hạn trình giấy {format_date(transfer.present_by)}."
    )


class _FormInvalid(Exception):
    """The form gained an error while resolving a code: show it, call nothing."""


OPS: dict[str, tuple[type[Any], str, Callable[..., str], dict[str, str]]] = {
    "recognise": (f.RecogniseForm, "Công nhận đảng viên chính thức", _recognise, {}),
    "exit": (f.ExitForm, "Ra khỏi Đảng / xóa tên / từ trần", _exit, {}),
    "flag": (f.FlagForm, "Miễn / đình chỉ sinh hoạt", _flag, {}),
    "discipline": (f.DisciplineForm, "Kỷ luật", _discipline, {}),
    "profile": (f.ProfileForm, "Cập nhật trình độ, nghề nghiệp", _profile, {}),
    "transfer": (f.TransferForm, "Chuyển sinh hoạt đảng (cấp giấy giới thiệu)", _transfer, {}),
}


def _member_op(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    member = _member(request, pk, CHANGE_MEMBERS)
    form_class, title, call, mapping = OPS[op]
    initial: dict[str, Any] = {"version": member.version}
    for name in ("on", "left_on", "decided_on"):
        initial[name] = format_date(today())
    if op == "recognise":
        initial["on"] = format_date(max(services.probation_end(member.joined_on)[0], today()))
    if op == "profile":
        current = member.profiles.filter(valid_to__isnull=True).first()
        if current is not None:
            initial.update(
                education=current.education,
                qualification=current.qualification_id,
                theory_level=current.theory_level,
                occupation=current.occupation_id,
                academic_title=current.academic_title,
            )
    form = form_class(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            text = call(request, member, form.cleaned_data, form)
            messages.success(request, text)
            return redirect("members:detail", pk=member.pk)
        except _FormInvalid:
            pass
        except DomainError as exc:
            pages.apply_error(form, exc, mapping)
        except NotInScope:
            form.add_error(None, pages.OUT_OF_SCOPE)
    ctx = _record_context(request, member)
    ctx.update(form=form, title=title, op=op)
    return render(request, "members/op_form.html", ctx)


@login_required
def recognise(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_op(request, pk, "recognise")


@login_required
def exit_party(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_op(request, pk, "exit")


@login_required
def flag(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_op(request, pk, "flag")


@login_required
def discipline(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_op(request, pk, "discipline")


@login_required
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_op(request, pk, "profile")


@login_required
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    return _member_op(request, pk, "transfer")


# ----------------------------------------------------------------------------------------------- transfers


def _transfer_obj(request: HttpRequest, pk: int, permission: str = "view") -> Transfer:
    return get_scoped(
        Transfer.objects.select_related("member", "from_org", "to_org"), request.user, permission, pk=pk
    )


def _transfer_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    t = _transfer_obj(request, pk, CHANGE_MEMBERS)
    form = f.DateForm(request.POST or None, initial={"on": format_date(today())})
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
    names = oq.names_on({i for i in (t.from_org_id, t.to_org_id) if i}, today())
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
    from .letters import transfer_letter as build

    t = _transfer_obj(request, pk)
    return pages.docx_response(build(t), f"giay-gioi-thieu-{t.pk}.docx")


# ------------------------------------------------------------------------------------------------ due list


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
            "names": oq.names_on(ids, now),
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


# ----------------------------------------------------------------------------------------------- bulk move


def _grassroots_cells(request: HttpRequest, source: Organization, on: dt.date) -> list[oq.Period]:
    """Cells in the user's change scope on `on` under the same grassroots organization as `source`."""
    chain = oq.ancestors(source, on)
    root = next((p for p in reversed(chain) if p.kind.is_grassroots), chain[-1] if chain else None)
    if root is None:
        return []
    return list(
        oq.periods(request.user, on, within=root.path, permission=CHANGE_MEMBERS)
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
        shown = oq.nearest_period(source, on)
        parent_id = shown.parent_id if shown else None
        parent = oq.orgs(request.user).filter(pk=parent_id).first() if parent_id else None
        org = parent or source
    query = {"under": org.code}
    if on > today():
        query["as_of"] = format_date(on)
    return reverse("members:list") + "?" + urlencode(query)


@login_required
def bulk_move(request: HttpRequest, code: str) -> HttpResponse:
    source = oq.get_org(request.user, code, CHANGE_MEMBERS)
    raw_on = request.POST.get("on") if request.method == "POST" else request.GET.get("on")
    try:
        on = parse_date(raw_on) if raw_on else today()
    except ValueError:
        on = today()
    form = f.BulkMoveForm(
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
            "source_name": oq.names_on({source.pk}, on).get(source.pk, source.code),
            "on": on,
            "rows": table,
            "targets": targets,
            "default": default,
        },
    )


# ------------------------------------------------------------------------------ statistics, structure checks


@login_required
def statistics(request: HttpRequest, code: str) -> HttpResponse:
    """The statistical breakdowns of the members under an organization on a date, with charts and Excel."""
    from . import exports
    from . import queries as mq

    org = oq.get_org(request.user, code)
    as_of = pages.as_of(request)
    period_from = None
    error = ""
    if request.GET.get("from"):
        try:
            period_from = parse_date(request.GET["from"])
        except ValueError as exc:
            error = str(exc)
    stats = mq.statistics(request.user, org, as_of, period_from=period_from)
    if request.GET.get("format") == "xlsx":
        return pages.xlsx_response(
            exports.statistics_xlsx(stats), f"thong-ke-dang-vien-{org.code}-{as_of:%Y%m%d}.xlsx"
        )
    blocks = []
    for key, title, counts in stats.breakdowns():
        top = max(counts.values(), default=0)
        rows = [(label, n, round(100 * n / top) if top else 0) for label, n in counts.items()]
        blocks.append({"key": key, "title": title, "rows": rows})
    movement_labels = dict(mq.MOVEMENTS)
    movements = [(movement_labels.get(k, k), n) for k, n in stats.movements.items()]
    return render(
        request,
        "members/statistics.html",
        {
            "org": org,
            "stats": stats,
            "blocks": blocks,
            "movements": movements,
            "from_error": error,
            "period_from_text": format_date(stats.period_from) if stats.period_from else "",
        },
    )


@login_required
def structure_checks(request: HttpRequest, code: str) -> HttpResponse:
    """Warnings from the member-count rules (DOMAIN §2) for every cell and grassroots organization under `code`."""
    from .rules import structure_warnings

    org = oq.get_org(request.user, code)
    as_of = pages.as_of(request)
    found = structure_warnings(request.user, org, as_of)
    show = request.GET.get("show", "warning")
    rows = [w for w in found if show == "all" or w.level == "warning"]
    return render(
        request,
        "members/structure_checks.html",
        {
            "org": org,
            "period": oq.nearest_period(org, as_of),
            "rows": rows,
            "show": show,
            "n_warning": sum(1 for w in found if w.level == "warning"),
            "n_all": len(found),
        },
    )


@login_required
def org_summary(request: HttpRequest, code: str) -> HttpResponse:
    """The member figures and rule warnings of one organization, shown on its page (loaded by htmx)."""
    from . import queries as mq
    from .rules import structure_warnings

    org = oq.get_org(request.user, code)
    as_of = pages.as_of(request)
    stats = mq.statistics(request.user, org, as_of)
    own = [
        w for w in structure_warnings(request.user, org, as_of) if w.org_id == org.pk and w.level == "warning"
    ]
    return render(request, "members/_org_summary.html", {"org": org, "stats": stats, "own": own})


# ----------------------------------------------------------------------------------------- Excel import


# The import runs as two background jobs, a check then the write, through the flow shared with the other
# imports (`coso.core.import_flow`). The handlers below run in the task worker, not in a request.

SHOWN_ERRORS = 1000  # errors kept for the page (a file may have one per row)
SHOWN_CELLS = 200  # cells listed in the preview


def _import_summary(result: Any) -> dict[str, Any]:
    """What the page shows after a check or a write, small enough for the job's JSON (not the plan itself)."""
    plan = result.plan
    by_cell = plan.by_cell() if result.ok else {}
    ids = {plan.cells[c][0] for c in list(by_cell)[:SHOWN_CELLS] if c in plan.cells}
    names = oq.names_on(ids, today())
    return {
        "ok": result.ok,
        "filename": plan.filename,
        "error_count": len(result.errors),
        "errors": [
            {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
            for e in result.errors[:SHOWN_ERRORS]
        ],
        "rows": len(plan.rows),
        "official": plan.official if result.ok else 0,
        "probationary": plan.probationary if result.ok else 0,
        "cells": [
            [code, names.get(plan.cells[code][0], "") if code in plan.cells else "", n]
            for code, n in list(by_cell.items())[:SHOWN_CELLS]
        ],
        "cell_count": len(by_cell),
        "created": result.created,
        "under": next(iter(by_cell)) if len(by_cell) == 1 else "",
    }


def _refusal(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return f"Không nhập được: {pages.error_text(exc)}. Chưa ghi gì; hãy chọn lại tệp để kiểm tra."
    return (
        "Không nhập được: tệp có chi bộ không thuộc phạm vi bạn được quyền thay đổi. Chưa ghi gì; hãy sửa cột "
        "“Mã chi bộ” rồi chọn lại tệp."
    )


IMPORT = ExcelImportFlow(
    name="coso.members.views.IMPORT",
    namespace="members",
    importer="coso.members.importer.import_members",
    sample="coso.members.importer.template_bytes",
    sample_name="mau-nhap-dang-vien.xlsx",
    can_write=_can_change,
    refused="Bạn không có quyền thay đổi đảng viên.",
    page="Nhập đảng viên từ Excel",
    noun="đảng viên",
    written="Đã nhập {count} đảng viên.",
    not_xlsx="Tệp “{name}” không phải tệp Excel .xlsx; hãy lưu lại theo định dạng .xlsx rồi chọn lại.",
    reading="Đã đọc {done} / khoảng {total} dòng",
    summary=_import_summary,
    refusal=_refusal,
)
