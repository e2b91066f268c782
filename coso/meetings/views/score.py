"""The quality score of a meeting."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coso.core import pages
from coso.core.dates import format_date, parse_date, today
from coso.core.errors import DomainError, NotInScope
from coso.core.forms import posted_version
from coso.core.scope import CHANGE_MEETINGS

from .. import services
from ..models import (
    MeetingScore,
)
from ._common import _meeting, _meeting_context


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
            try:
                saved = services.score_meeting(
                    request.user,
                    meeting,
                    scores=scores,
                    scored_on=on,
                    note=note,
                    expected_version=posted_version(data, minimum=0),
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
        version=current.version if current else 0,
    )
    return render(request, "meetings/score.html", ctx)
