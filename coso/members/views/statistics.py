"""Member statistics of a subtree and the structure checks."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coso.core import pages
from coso.core.dates import format_date, parse_date
from coso.orgs import queries as orgs_queries


@login_required
def statistics(request: HttpRequest, code: str) -> HttpResponse:
    """The statistical breakdowns of the members under an organization on a date, with charts and Excel."""
    from .. import exports, queries

    org = orgs_queries.get_org(request.user, code)
    as_of = pages.as_of(request)
    period_from = None
    error = ""
    if request.GET.get("from"):
        try:
            period_from = parse_date(request.GET["from"])
        except ValueError as exc:
            error = str(exc)
    stats = queries.statistics(request.user, org, as_of, period_from=period_from)
    if request.GET.get("format") == "xlsx":
        return pages.xlsx_response(
            exports.statistics_xlsx(stats), f"thong-ke-dang-vien-{org.code}-{as_of:%Y%m%d}.xlsx"
        )
    blocks = []
    for key, title, counts in stats.breakdowns():
        top = max(counts.values(), default=0)
        rows = [(label, n, round(100 * n / top) if top else 0) for label, n in counts.items()]
        blocks.append({"key": key, "title": title, "rows": rows})
    movement_labels = dict(queries.MOVEMENTS)
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
    from ..rules import structure_warnings

    org = orgs_queries.get_org(request.user, code)
    as_of = pages.as_of(request)
    found = structure_warnings(request.user, org, as_of)
    show = request.GET.get("show", "warning")
    rows = [w for w in found if show == "all" or w.level == "warning"]
    return render(
        request,
        "members/structure_checks.html",
        {
            "org": org,
            "period": orgs_queries.nearest_period(org, as_of),
            "rows": rows,
            "show": show,
            "n_warning": sum(1 for w in found if w.level == "warning"),
            "n_all": len(found),
        },
    )


@login_required
def org_summary(request: HttpRequest, code: str) -> HttpResponse:
    """The member figures and rule warnings of one organization, shown on its page (loaded by htmx)."""
    from .. import queries
    from ..rules import structure_warnings

    org = orgs_queries.get_org(request.user, code)
    as_of = pages.as_of(request)
    stats = queries.statistics(request.user, org, as_of)
    own = [
        w for w in structure_warnings(request.user, org, as_of) if w.org_id == org.pk and w.level == "warning"
    ]
    return render(request, "members/_org_summary.html", {"org": org, "stats": stats, "own": own})
