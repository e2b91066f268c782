"""A meeting's minutes: writing, adopting, amending, the Word file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coso.core import pages
from coso.core.dates import format_date, today
from coso.core.errors import DomainError, NotInScope
from coso.core.scope import CHANGE_MEETINGS

from .. import forms, services
from ..models import (
    Meeting,
    Minutes,
)
from ._common import _form_page, _meeting, _meeting_context

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
    **{name: str(field.label) for name, field in forms.MinutesForm.base_fields.items()},
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
            "version": 0,
            "chair_name": meeting.chair.full_name if meeting.chair else "",
            "secretary_name": meeting.secretary.full_name if meeting.secretary else "",
            "opened_at": meeting.start_time.strftime("%H:%M") if meeting.start_time else "",
            "votes_for": meeting.present or "",
            "votes_against": 0,
            "votes_abstain": 0,
        }
        speakers = []
    form = forms.MinutesForm(request.POST or None, initial=initial)

    def save(d: dict[str, Any], speakers: list[dict[str, str]]) -> HttpResponse:
        saved = services.save_minutes(
            request.user,
            meeting,
            _minutes_input(d, speakers),
            expected_version=d["version"],
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
    form = forms.AdoptForm(
        request.POST or None, initial={"version": record.version, "on": format_date(meeting.date)}
    )

    def call(d: dict[str, Any]) -> HttpResponse:
        services.adopt_minutes(request.user, record, on=d["on"], expected_version=d["version"])
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
    form = forms.AmendForm(
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
            expected_version=d["version"],
        )
        messages.success(request, f"Đã ghi đính chính biên bản ngày {format_date(d['on'])}.")
        return redirect("meetings:minutes", pk=meeting.pk)

    return _minutes_page(
        request, meeting, form, list(record.speakers), save, "meetings/minutes_amend.html", record=record
    )


@login_required
def minutes_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from ..documents import minutes_docx as build

    meeting = _meeting(request, pk)
    record = Minutes.objects.filter(meeting=meeting).first()
    if record is None:
        raise Http404("Cuộc sinh hoạt chưa có biên bản.")
    return pages.docx_response(build(record), f"bien-ban-{meeting.org.code}-{meeting.date:%Y%m%d}.docx")
