"""Pages of annual evaluation and classification (thin: parse the request, call a query or a service, render).

Every read goes through `coso.core.scope` (out of scope answers 404); every write calls a service of
`coso.evaluation.services` with the acting user (permission EVALUATE, or the member themselves for their own
self-assessment through `MemberAccount`); a refusal shows next to its field with the rule and its source, the
input kept. Edits carry the version they were shown with."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coso.core import pages
from coso.core.dates import format_date, today
from coso.core.errors import DomainError, NotInScope
from coso.core.excel import Sheet, workbook_bytes
from coso.core.forms import VERSION_ERRORS, posted_version, version_or_none
from coso.core.import_flow import ExcelImportFlow
from coso.core.models import RuleSet
from coso.core.scope import EVALUATE, VIEW, get_scoped, restrict
from coso.core.text import fold
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from . import checks, forms, queries, rules, services
from .models import (
    EntryState,
    Evaluation,
    EvaluationPeriod,
    MemberAccount,
    PeriodKind,
    PeriodState,
    Subject,
)


def _apply_error(form: Any, exc: DomainError) -> None:
    """A refusal next to its field; the scores' refusal goes to the first criterion's score."""
    criteria = getattr(form, "criteria", None)
    pages.apply_error(form, exc, {"scores": f"score_{criteria[0]['code']}"} if criteria else None)


def _can_evaluate(request: HttpRequest, org: Organization | None = None) -> bool:
    return pages.can_change(request, EVALUATE, org)


def _period(request: HttpRequest, pk: int, permission: str = VIEW) -> EvaluationPeriod:
    return get_scoped(
        EvaluationPeriod.objects.select_related("org", "scheme", "ruleset"), request.user, permission, pk=pk
    )


def _account_member_id(request: HttpRequest) -> int | None:
    if not request.user.pk:
        return None
    account = MemberAccount.objects.filter(user_id=int(request.user.pk)).first()
    return account.member_id if account else None


def _year(request: HttpRequest, default: int) -> int:
    try:
        year = int(request.GET.get("year") or default)
    except ValueError:
        return default
    return year if 1930 <= year <= today().year + 1 else default


# ------------------------------------------------------------------------------------------------- index


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The periods in the user's scope, the organizations whose results they may read, their own evaluations."""
    periods = list(queries.periods(request.user)[:200])
    names = {p.org_id: orgs_queries.name_on(p.org, p.date_to) for p in periods}
    roots = orgs_queries.scope_tops(request.user, today())
    member_id = _account_member_id(request)
    mine = (
        list(
            Evaluation.objects.filter(member_id=member_id)
            .select_related("period", "level")
            .order_by("-year", "-id")[:20]
        )
        if member_id
        else []
    )
    return render(
        request,
        "evaluation/index.html",
        {
            "periods": [(p, names.get(p.org_id, p.org.code)) for p in periods],
            "roots": [(o, orgs_queries.name_on(o, today())) for o in roots],
            "can_evaluate": _can_evaluate(request),
            "mine": mine,
            "year": today().year - 1,
        },
    )


# ----------------------------------------------------------------------------------------- opening a period


def _scheme_versions() -> list[RuleSet]:
    return list(RuleSet.objects.filter(code=rules.SCHEME).order_by("effective_from"))


@login_required
def open_period(request: HttpRequest, code: str) -> HttpResponse:
    """The organization commission opens a period for the subtree of `code`; the rule set is chosen by the
    period's last day (the page lists the versions and their dates)."""
    org = orgs_queries.get_org(request.user, code, EVALUATE)
    form = forms.PeriodForm(request.POST or None, initial={"year": today().year})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            period = services.open_period(
                request.user,
                org,
                services.PeriodInput(
                    kind=d["kind"],
                    year=d.get("year"),
                    date_from=d.get("date_from"),
                    date_to=d.get("date_to"),
                    title=d.get("title") or "",
                    self_due=d.get("self_due"),
                    review_due=d.get("review_due"),
                    decision_due=d.get("decision_due"),
                    subjects=tuple(d["subjects"]),
                    include_root=bool(d.get("include_root")),
                ),
            )
            messages.success(
                request,
                f"Đã mở đợt “{period.title}” theo {period.ruleset.source} ({period.scheme.name}): "
                f"{period.entries.count()} đối tượng.",
            )
            return redirect("evaluation:period", pk=period.pk)
        except DomainError as exc:
            _apply_error(form, exc)
        except NotInScope:
            raise Http404("Không thuộc phạm vi của bạn.") from None
    return render(
        request,
        "evaluation/open.html",
        {
            "org": org,
            "org_name": orgs_queries.name_on(org, today()),
            "form": form,
            "versions": _scheme_versions(),
            "kind_labels": {k: str(label).lower() for k, label in PeriodKind.choices},
        },
    )


# ------------------------------------------------------------------------------------------- the period


ENTRIES_PER_PAGE = 50
SHOWN_PENDING = 10  # names in each list of the not-submitted card (with the whole count and a link to all)
# the member table's filter by how far an entry got (`?state=`): a state, or the "not reviewed yet" group the
# progress card links to
ENTRY_FILTERS: dict[str, tuple[str, list[str]]] = {
    "not_reviewed": ("Chưa nhận xét, đề xuất", [EntryState.PENDING, EntryState.SELF_ASSESSED]),
    **{value: (label, [value]) for value, label in EntryState.choices},
}


@login_required
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The period: its rule set and criteria frame, deadlines, progress (who has not submitted), the entries a
    page at a time (members found by name without accents, or by how far they got)."""
    period = _period(request, pk)
    progress = queries.progress(request.user, period, limit=SHOWN_PENDING)
    entries = queries.entries(request.user, period)
    org_page = Paginator(
        entries.filter(subject=Subject.ORG).order_by("path", "id"), ENTRIES_PER_PAGE
    ).get_page(request.GET.get("opage"))
    members = entries.filter(subject=Subject.MEMBER)
    q = (request.GET.get("q") or "").strip()
    if q:
        members = members.filter(member__search_key__contains=fold(q))
    state = request.GET.get("state") or ""
    if state in ENTRY_FILTERS:
        members = members.filter(state__in=ENTRY_FILTERS[state][1])
    else:
        state = ""
    member_page = Paginator(members.order_by("path", "member__sort_key", "id"), ENTRIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    shown = [*org_page, *member_page]
    names = {o: n for o, (_c, n) in orgs_queries.labels_on({e.org_id for e in shown}, period.date_to).items()}
    can = _can_evaluate(request, period.org)
    next_state = {PeriodState.OPEN: PeriodState.REVIEWING, PeriodState.REVIEWING: PeriodState.DECIDING}.get(
        PeriodState(period.state)
    )
    return render(
        request,
        "evaluation/period.html",
        {
            "period": period,
            "org_name": orgs_queries.name_on(period.org, period.date_to),
            "progress": progress,
            "org_page": org_page,
            "orgs": [(e, names.get(e.org_id, "")) for e in org_page],
            "member_page": member_page,
            "members": [(e, names.get(e.org_id, "")) for e in member_page],
            "q": q,
            "state": state,
            "state_choices": [(k, label) for k, (label, _s) in ENTRY_FILTERS.items()],
            "can_evaluate": can,
            "next_state": next_state,
            "next_label": PeriodState(next_state).label if next_state else "",
        },
    )


@login_required
def period_step(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: move the period to its next step (`state`), or publish it (`publish`)."""
    period = _period(request, pk, EVALUATE)
    if request.method != "POST":
        return redirect("evaluation:period", pk=period.pk)
    try:
        if request.POST.get("publish"):
            services.publish(request.user, period)
            messages.success(request, f"Đã công bố kết quả của đợt “{period.title}”.")
        else:
            services.advance(
                request.user,
                period,
                request.POST.get("state", ""),
                expected_version=posted_version(request.POST),
            )
            messages.success(request, "Đã chuyển đợt sang bước tiếp theo.")
    except DomainError as exc:
        messages.error(request, pages.error_text(exc))
    except NotInScope:
        raise Http404("Không thuộc phạm vi của bạn.") from None
    return redirect("evaluation:period", pk=period.pk)


# ---------------------------------------------------------------------------------------------- one entry


def _entry(request: HttpRequest, pk: int) -> Evaluation:
    """An entry the user may see (scope of its organization), or their own as a member; else 404."""
    qs = Evaluation.objects.select_related(
        "period", "period__scheme", "period__ruleset", "period__org", "member", "org", "level", "self_level",
        "proposed_level",
    )  # fmt: skip
    member_id = _account_member_id(request)
    visible = restrict(qs, request.user).filter(pk=pk)
    found = visible.first()
    if found is None and member_id:
        found = qs.filter(Q(pk=pk) & Q(member_id=member_id)).first()
    if found is None:
        raise Http404("Không tìm thấy hoặc không thuộc phạm vi của bạn.")
    return found


@login_required
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One subject in one period: the self-assessment (the member themselves, or the cell / committee for a
    collective one), the review and proposal, the caps' facts (organizations), the decision and its
    reconsiderations. POST `action` = self | review | facts | reconsider."""
    e = _entry(request, pk)
    period = e.period
    levels = checks.levels_of(period.scheme, e.subject)
    can = _can_evaluate(request, e.org)
    own = (
        e.subject == Subject.MEMBER and e.member_id is not None and e.member_id == _account_member_id(request)
    )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and not (can or (own and action == "self")):
        raise Http404("Bạn không có quyền ghi kết quả đánh giá này.")

    def bound(name: str) -> Any:
        return request.POST if action == name else None

    initial = {"version": e.version}
    self_form = forms.SelfForm(
        bound("self"),
        period=period,
        levels=levels,
        scores=e.self_scores,
        initial={**initial, "comment": e.self_comment, "level": e.self_level_id or ""},
        prefix="self",
    )
    review_form = forms.ReviewForm(
        bound("review"),
        period=period,
        levels=levels,
        scores=e.review_scores or e.self_scores,
        initial={
            **initial,
            "comment": e.review_comment,
            "level": e.proposed_level_id or e.self_level_id or "",
            "votes_for": e.votes_for,
            "votes_against": e.votes_against,
        },
        prefix="review",
    )
    facts_form = forms.FactsForm(bound("facts"), initial={**initial, **(e.facts or {})}, prefix="facts")
    reconsider_form = forms.ReconsiderForm(
        bound("reconsider"),
        levels=levels,
        initial={**initial, "decided_on": format_date(today())},
        prefix="rc",
    )
    forms_by_action: dict[str, Any] = {
        "self": self_form,
        "review": review_form,
        "facts": facts_form,
        "reconsider": reconsider_form,
    }
    form = forms_by_action.get(action)
    if form is not None and form.is_valid():
        d = form.cleaned_data
        try:
            if action == "self":
                services.submit_self_assessment(
                    request.user,
                    e,
                    scores=self_form.scores(),
                    comment=d.get("comment") or "",
                    level=self_form.chosen_level(),
                    expected_version=d["version"],
                )
                text = "Đã ghi bản tự đánh giá."
            elif action == "review":
                services.review(
                    request.user,
                    e,
                    level=review_form.chosen_level(),
                    comment=d.get("comment") or "",
                    votes_for=d.get("votes_for"),
                    votes_against=d.get("votes_against"),
                    scores=review_form.scores(),
                    expected_version=d["version"],
                )
                text = "Đã ghi nhận xét và đề xuất xếp loại."
            elif action == "facts":
                services.record_facts(request.user, e, facts_form.facts(), expected_version=d["version"])
                text = "Đã ghi số liệu cho các điều kiện xếp loại."
            else:
                level = reconsider_form.chosen_level()
                assert level is not None  # a required choice
                services.reconsider(
                    request.user,
                    e,
                    level=level,
                    number=d["number"],
                    decided_on=d["decided_on"],
                    body=d["body"],
                    reason=d["reason"],
                    justification=d.get("justification") or "",
                    expected_version=d["version"],
                )
                text = "Đã ghi quyết định xem xét lại kết quả."
            messages.success(request, text)
            return redirect("evaluation:entry", pk=e.pk)
        except services.DecisionRefused as exc:
            form.add_error("justification" if "justification" in form.fields else None, pages.error_text(exc))
        except DomainError as exc:
            _apply_error(form, exc)
        except NotInScope:
            raise Http404("Không thuộc phạm vi của bạn.") from None
    names = orgs_queries.labels_on({e.org_id}, period.date_to)
    return render(
        request,
        "evaluation/entry.html",
        {
            "e": e,
            "period": period,
            "name": e.member.full_name if e.member else names.get(e.org_id, ("", ""))[1],
            "org_name": names.get(e.org_id, ("", ""))[1],
            "can_evaluate": can,
            "own": own,
            "self_form": self_form,
            "review_form": review_form,
            "facts_form": facts_form,
            "reconsider_form": reconsider_form,
            "reconsiderations": list(e.reconsiderations.select_related("level_before", "level_after")),
            "writable": e.state not in (EntryState.DECIDED, EntryState.NOT_EVALUATED),
            "self_open": period.state in (PeriodState.OPEN, PeriodState.REVIEWING),
            "review_open": period.state != PeriodState.PUBLISHED,
            "action": action,
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The signed-in member's own evaluations (through their `MemberAccount`)."""
    member_id = _account_member_id(request)
    items = (
        list(
            Evaluation.objects.filter(member_id=member_id)
            .select_related("period", "level", "self_level")
            .order_by("-year", "-id")
        )
        if member_id
        else []
    )
    from coso.members.models import Member

    member = Member.objects.filter(pk=member_id).first() if member_id else None
    return render(
        request, "evaluation/mine.html", {"items": items, "linked": bool(member_id), "member": member}
    )


# ---------------------------------------------------------------------------------------- bulk decision


@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The grassroots committee (or the competent superior) decides levels in bulk: every line with the rules
    its proposal breaks, the cells' meeting facts beside them; a warning needs a justification on its line or
    the whole batch is refused (nothing written), the input kept."""
    period = _period(request, pk, EVALUATE)
    levels = {s: checks.levels_of(period.scheme, s) for s in (Subject.ORG, Subject.MEMBER)}
    by_pk = {str(x.pk): x for ls in levels.values() for x in ls}
    refused: dict[int, list[Any]] = {}
    page_error = ""
    posted: dict[str, str] = {}
    if request.method == "POST":
        posted = {k: str(v) for k, v in request.POST.items()}
        entries = {e.pk: e for e in queries.entries(request.user, period, EVALUATE)}
        items: list[services.DecisionInput] = []
        for key, value in posted.items():
            if not key.startswith("level-") or not value:
                continue
            entry_id = int(key[6:]) if key[6:].isdigit() else 0
            entry = entries.get(entry_id)
            level = by_pk.get(value)
            if entry is None or level is None:
                raise Http404("Không tìm thấy hoặc không thuộc phạm vi của bạn.")
            if entry.state in (EntryState.DECIDED, EntryState.NOT_EVALUATED):
                continue
            items.append(
                services.DecisionInput(
                    entry=entry,
                    level=level,
                    justification=request.POST.get(f"justification-{entry_id}", ""),
                    expected_version=version_or_none(posted.get(f"version-{entry_id}", "")),
                )
            )
        if any(i.expected_version is None for i in items):
            page_error = "Chưa ghi gì: " + VERSION_ERRORS["required"]
        elif not items:
            page_error = "Chưa chọn mức xếp loại nào để quyết định."
        else:
            try:
                done = services.decide(request.user, period, items)
                messages.success(request, f"Đã quyết định xếp loại {len(done)} tổ chức, đảng viên.")
                return redirect("evaluation:decide", pk=period.pk)
            except services.DecisionRefused as exc:
                refused = {r.entry_id: r.findings for r in exc.refusals}
                page_error = (
                    f"Chưa ghi gì: {len(refused)} đề xuất vi phạm quy định. Hãy sửa mức xếp loại hoặc ghi lý do "
                    "vượt cảnh báo ở từng dòng được đánh dấu (quy tắc EVAL.OVERRIDE)."
                )
            except DomainError as exc:
                page_error = "Chưa ghi gì: " + pages.error_text(exc)
            except NotInScope:
                raise Http404("Không thuộc phạm vi của bạn.") from None
    sheet = queries.decision_sheet(request.user, period)
    lines: list[dict[str, Any]] = []
    for line in sheet:
        e = line.entry
        key = str(e.pk)
        chosen = posted.get(f"level-{key}") if posted else str(e.level_id or e.proposed_level_id or "")
        lines.append(
            {
                "line": line,
                "e": e,
                "levels": levels[Subject(e.subject)],
                "chosen": chosen or "",
                "justification": posted.get(f"justification-{key}", e.justification),
                "refused": refused.get(e.pk, []),
                "open": e.state not in (EntryState.DECIDED, EntryState.NOT_EVALUATED),
                "score": sum(float(v or 0) for v in e.scores.values())
                if period.scheme.scored and e.scores
                else None,
            }
        )
    undecided = sum(1 for x in lines if x["open"])
    return render(
        request,
        "evaluation/decide.html",
        {
            "period": period,
            "org_name": orgs_queries.name_on(period.org, period.date_to),
            "orgs": [x for x in lines if x["e"].subject == Subject.ORG],
            "members": [x for x in lines if x["e"].subject == Subject.MEMBER],
            "page_error": page_error,
            "undecided": undecided,
            "can_decide": period.state in (PeriodState.REVIEWING, PeriodState.DECIDING),
            "warned": sum(1 for x in lines if x["line"].findings and x["open"]),
        },
    )


# ------------------------------------------------------------------------------------------ results, reports


def _bars(counts: dict[str, int]) -> list[tuple[str, int, float, int]]:
    total = sum(counts.values())
    top = max(counts.values(), default=0)
    return [(name, n, rules.pct(n, total), round(100 * n / top) if top else 0) for name, n in counts.items()]


def results_xlsx(r: queries.Results, weak: list[dict[str, Any]], cells: dict[str, int]) -> bytes:
    heading = [
        f"Kết quả xếp loại năm {r.year} – {r.org_name} ({r.org.code})",
        f"Phương thức: {r.scheme.name} – {r.scheme_source}; tính đến ngày {format_date(r.as_of)}",
    ]
    org_pct, mem_pct = r.percent(r.organizations), r.percent(r.members)
    return workbook_bytes(
        [
            Sheet(
                title="Tổ chức cơ sở đảng",
                headers=["Mức xếp loại", "Số lượng", "Tỷ lệ (%)"],
                rows=[[k, v, org_pct[k]] for k, v in r.organizations.items()]
                + [["Đã xếp loại / tổng số", r.organizations_evaluated, r.organizations_total]],
                heading=heading,
            ),
            Sheet(
                title="Chi bộ trực thuộc",
                headers=["Mức xếp loại", "Số lượng", "Tỷ lệ (%)"],
                rows=[[k, v, r.percent(cells)[k]] for k, v in cells.items()],
                heading=heading,
            ),
            Sheet(
                title="Đảng viên",
                headers=["Mức xếp loại", "Số lượng", "Tỷ lệ (%)"],
                rows=[[k, v, mem_pct[k]] for k, v in r.members.items()]
                + [["Không xếp loại", r.members_not_evaluated_total, ""]],
                heading=heading,
            ),
            Sheet(
                title="Không xếp loại",
                headers=["Họ và tên", "Mã chi bộ", "Chi bộ", "Lý do"],
                rows=[[x["name"], x["cell"], x["cell_name"], x["reason"]] for x in r.members_not_evaluated],
            ),
            Sheet(
                title="Tổ chức yếu kém",
                headers=["Mã", "Tổ chức", "Xếp loại", "Các năm trước (bậc)"],
                rows=[
                    [
                        w["org"],
                        w["org_name"],
                        w["level"],
                        ", ".join(f"{y}: {k}" for y, k in w["earlier_ranks"].items()),
                    ]
                    for w in weak
                ],
            ),
        ]
    )


def _default_year(request: HttpRequest, org: Organization) -> int:
    latest = (
        restrict(Evaluation.objects.filter(annual=True, state=EntryState.DECIDED), request.user)
        .filter(period__state=PeriodState.PUBLISHED)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return int(latest or today().year - 1)


@login_required
def results(request: HttpRequest, code: str) -> HttpResponse:
    """The results of a year for the subtree of `code`: counts and percentages per level for members and for
    grassroots organizations (charts), who was not evaluated, the weak units; Excel and the .docx report."""
    org = orgs_queries.get_org(request.user, code)
    year = _year(request, _default_year(request, org))
    r = queries.results(request.user, org, year)
    weak = queries.weak_units(request.user, org, year)
    cells = queries.cell_counts(request.user, org, year)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return pages.xlsx_response(results_xlsx(r, weak, cells), f"xep-loai-{org.code}-{year}.xlsx")
    if fmt == "docx":
        from .documents import summary_report

        return pages.docx_response(summary_report(r, weak, cells), f"bao-cao-xep-loai-{org.code}-{year}.docx")
    return render(
        request,
        "evaluation/results.html",
        {
            "org": org,
            "r": r,
            "year": year,
            "org_bars": _bars(r.organizations),
            "member_bars": _bars(r.members),
            "cell_bars": _bars(cells),
            "cells_evaluated": sum(cells.values()),
            "weak": weak,
            "rank_note": rules.RANK_NOTE,
            "years": list(range(today().year, max(1930, today().year - 15) - 1, -1)),
        },
    )


@login_required
def trends(request: HttpRequest, code: str) -> HttpResponse:
    """Year by year: the organization's own level and its subtree's counts by rank (compared by rank)."""
    org = orgs_queries.get_org(request.user, code)
    year_to = _year(request, _default_year(request, org))
    try:
        span = max(1, min(15, int(request.GET.get("years") or 6)))
    except ValueError:
        span = 6
    rows = queries.trends(request.user, org, year_to - span + 1, year_to)
    top = max([sum(t.members_by_rank.values()) for t in rows] + [0])
    table = []
    for t in rows:
        total = sum(t.members_by_rank.values())
        table.append(
            {
                "t": t,
                "members_total": total,
                "orgs_total": sum(t.organizations_by_rank.values()),
                "width": round(100 * total / top) if top else 0,
                "parts": [(rank, n, rules.pct(n, total)) for rank, n in t.members_by_rank.items()],
            }
        )
    return render(
        request,
        "evaluation/trends.html",
        {
            "org": org,
            "org_name": orgs_queries.name_on(org, today()),
            "rows": table,
            "year": year_to,
            "span": span,
            "rank_note": rules.RANK_NOTE,
        },
    )


# ----------------------------------------------------------------------------------------------- import


# The import runs as two background jobs, a check then the write, through the flow the member import uses too
# (`coso.core.import_flow`). The handlers run in the task worker (`coso db_worker`), not in a request.

SHOWN_ERRORS = 1000  # errors kept for the page (a file may have one per row)
SHOWN_PERIODS = 50  # periods linked after a write


def _import_summary(result: Any) -> dict[str, Any]:
    """What the page shows after a check or a write, small enough for the job's JSON (not the plan itself)."""
    plan = result.plan
    periods = list(
        EvaluationPeriod.objects.filter(pk__in=result.periods[:SHOWN_PERIODS])
        .order_by("year", "pk")
        .values_list("pk", "title")
    )
    return {
        "ok": result.ok,
        "filename": plan.filename,
        "error_count": len(result.errors),
        "errors": [
            {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
            for e in result.errors[:SHOWN_ERRORS]
        ],
        "rows": len(plan.rows),
        "preview": [
            [year, "Tổ chức" if subject == Subject.ORG else "Đảng viên", n]
            for (year, subject), n in plan.counts().items()
        ]
        if result.ok
        else [],
        "created": result.created,
        "periods": [[pk, title] for pk, title in periods],
    }


def _refusal(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return f"Chưa ghi gì: {pages.error_text(exc).rstrip('.')}. Hãy chọn lại tệp để kiểm tra."
    return (
        "Chưa ghi gì: tệp có tổ chức không thuộc phạm vi bạn được quyền ghi. Hãy sửa cột “Mã tổ chức” rồi chọn "
        "lại tệp."
    )


IMPORT = ExcelImportFlow(
    name="coso.evaluation.views.IMPORT",
    namespace="evaluation",
    importer="coso.evaluation.importer.import_evaluations",
    sample="coso.evaluation.importer.template_bytes",
    sample_name="mau-nhap-ket-qua-xep-loai.xlsx",
    can_write=_can_evaluate,
    refused="Bạn không có quyền ghi kết quả đánh giá.",
    page="Nhập kết quả các năm trước",
    noun="kết quả",
    written="Đã nhập {count} kết quả xếp loại.",
    not_xlsx="Tệp “{name}” không phải tệp Excel .xlsx; hãy lưu lại theo định dạng .xlsx.",
    reading="Đã kiểm tra {done} / {total} dòng",
    summary=_import_summary,
    refusal=_refusal,
)
