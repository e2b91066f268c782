"""Operations on one member: recognition, exit, flags, discipline, profile, the start of a transfer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coso.core import pages
from coso.core.dates import format_date, today
from coso.core.errors import DomainError, NotInScope
from coso.core.scope import CHANGE_MEMBERS

from .. import forms, services
from ..models import Member, Status
from ._common import _member
from .record import _record_context


def _recognise(request: HttpRequest, member: Member, d: dict[str, Any], form: Any) -> str:
    services.recognise(
        request.user,
        member,
        on=d["on"],
        decision_number=d.get("decision_number") or "",
        decision_date=d.get("decision_date"),
        expected_version=d["version"],
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
        expected_version=d["version"],
    )
    return f"Đã ghi nhận: {member.full_name} – {Status(d['status']).label.lower()} từ {format_date(d['on'])}."


def _flag(request: HttpRequest, member: Member, d: dict[str, Any], form: Any) -> str:
    if d["action"] == "end":
        flag = services.end_flag(
            request.user, member, kind=d["kind"], on=d["on"], expected_version=d["version"]
        )
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
        expected_version=d["version"],
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
        expected_version=d["version"],
    )
    return f"Đã ghi nhận kỷ luật {record.get_form_display().lower()} đối với {member.full_name}."


def _profile(request: HttpRequest, member: Member, d: dict[str, Any], form: Any) -> str:
    services.update_profile(
        request.user, member, on=d["on"], profile=form.profile(), expected_version=d["version"]
    )
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
        expected_version=d["version"],
    )
    return (
        f"Đã cấp giấy giới thiệu ({transfer.get_kind_display().lower()}) cho {member.full_name}; "
        f"hạn trình giấy {format_date(transfer.present_by)}."
    )


class _FormInvalid(Exception):
    """The form gained an error while resolving a code: show it, call nothing."""


OPS: dict[str, tuple[type[Any], str, Callable[..., str], dict[str, str]]] = {
    "recognise": (forms.RecogniseForm, "Công nhận đảng viên chính thức", _recognise, {}),
    "exit": (forms.ExitForm, "Ra khỏi Đảng / xóa tên / từ trần", _exit, {}),
    "flag": (forms.FlagForm, "Miễn / đình chỉ sinh hoạt", _flag, {}),
    "discipline": (forms.DisciplineForm, "Kỷ luật", _discipline, {}),
    "profile": (forms.ProfileForm, "Cập nhật trình độ, nghề nghiệp", _profile, {}),
    "transfer": (forms.TransferForm, "Chuyển sinh hoạt đảng (cấp giấy giới thiệu)", _transfer, {}),
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
        text = ""
        try:
            text = call(request, member, form.cleaned_data, form)
        except _FormInvalid:
            text = ""  # resolving a code put its error on the form: the form is shown again with it
        except DomainError as exc:
            pages.apply_error(form, exc, mapping)
        except NotInScope:
            form.add_error(None, pages.OUT_OF_SCOPE)
        if text:
            messages.success(request, text)
            return redirect("members:detail", pk=member.pk)
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
