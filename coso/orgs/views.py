"""Pages of the organization tree (thin: parse the request, call a query or a service, render)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coso.core import history, pages
from coso.core.dates import format_date, today
from coso.core.errors import DomainError, NotInScope
from coso.core.forms import version_or_none
from coso.core.import_flow import ExcelImportFlow
from coso.core.scope import CHANGE_ORGS

from . import filters, forms, queries, services
from .models import CellCategory, Organization, OrgKind


def _can_change(request: HttpRequest, org: Organization | None = None) -> bool:
    return pages.can_change(request, CHANGE_ORGS, org)


# ------------------------------------------------------------------------------------------- browsing


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    as_of = pages.as_of(request)
    items = queries.nodes(request.user, queries.roots(request.user, as_of), as_of)
    if len(items) == 1 and items[0].children:
        items[0].loaded = queries.nodes(
            request.user, queries.children_of(request.user, items[0].org, as_of), as_of
        )
    return render(request, "orgs/tree.html", {"nodes": items, "can_change": _can_change(request)})


@login_required
def children(request: HttpRequest, code: str) -> HttpResponse:
    """The children of one node with their counts (loaded when a node of the tree is opened)."""
    as_of = pages.as_of(request)
    org = queries.get_org(request.user, code)
    items = queries.nodes(request.user, queries.children_of(request.user, org, as_of), as_of)
    return render(request, "orgs/_nodes.html", {"nodes": items})


@login_required
def lookup(request: HttpRequest) -> HttpResponse:
    """Suggestions for the organization pickers: <option> elements for a datalist."""
    term = (request.GET.get("q") or "").strip()
    items: list[queries.Period] = []
    if len(term) >= 2:
        found = filters.OrgFilter(
            {"q": term}, queryset=queries.periods(request.user, today()), request=request, as_of=today()
        )
        items = list(found.qs[:20])
    return render(request, "orgs/_options.html", {"items": items})


def _list(request: HttpRequest) -> tuple[Any, dict[str, Any]]:
    """The list as filtered by the query string (`filters.OrgFilter`, shared with the API), and the filters as
    the page shows them."""
    as_of = pages.as_of(request)
    found = filters.OrgFilter(
        request.GET, queryset=queries.periods(request.user, as_of), request=request, as_of=as_of
    )
    qs = found.qs
    under_code = (request.GET.get("under") or "").strip()
    flt = {
        "q": (request.GET.get("q") or "").strip(),
        "kind": found.kind_found,
        "category": found.category_found,
        "under": found.under_found,
        "under_code": under_code,
    }
    return qs, flt


@login_required
def org_list(request: HttpRequest) -> HttpResponse:
    as_of = pages.as_of(request)
    qs, flt = _list(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    items = list(page)
    return render(
        request,
        "orgs/list.html",
        {
            "page": page,
            "items": items,
            "parents": queries.parent_names(items, as_of),
            "flt": flt,
            "kinds": OrgKind.objects.all(),
            "categories": CellCategory.objects.all(),
        },
    )


@login_required
def export_list(request: HttpRequest) -> HttpResponse:
    from .exports import org_list_xlsx

    as_of = pages.as_of(request)
    qs, _flt = _list(request)
    return pages.xlsx_response(org_list_xlsx(qs, as_of), f"to-chuc-{as_of:%Y%m%d}.xlsx")


def _org_context(request: HttpRequest, code: str) -> dict[str, Any]:
    as_of = pages.as_of(request)
    org = queries.get_org(request.user, code)
    period = queries.period_on(org, as_of)
    shown = period or queries.nearest_period(org, as_of)
    return {
        "org": org,
        "period": period,
        "shown": shown,
        "exists": period is not None,
        "crumbs": queries.ancestors(org, as_of) if period else [],
        "can_change": _can_change(request, org) and org.dissolved_on is None,
        "parent_period": queries.period_on(shown.parent, as_of) if shown and shown.parent else None,
    }


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = _org_context(request, code)
    as_of = pages.as_of(request)
    org = ctx["org"]
    ctx["children"] = (
        queries.nodes(request.user, queries.children_of(request.user, org, as_of), as_of)
        if ctx["period"]
        else []
    )
    ctx["periods"] = queries.periods_of(org)
    ctx["events"] = list(queries.events_of(org, own=True)[:20])
    ctx["report"] = queries.structure(request.user, org, as_of) if ctx["period"] else None
    return render(request, "orgs/detail.html", ctx)


@login_required
def org_history(request: HttpRequest, code: str) -> HttpResponse:
    ctx = _org_context(request, code)
    org = ctx["org"]
    entries = history.entries(
        org.history.order_by("history_date", "history_id"), "Tổ chức", hidden=("version", "current_path")
    )
    for p in queries.periods_of(org):
        label = f"Giai đoạn từ {format_date(p.valid_from)}"
        entries += history.entries(
            p.history.order_by("history_date", "history_id"),
            label,
            hidden=("search_key", "sort_key", "path", "depth"),
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    ctx["entries"] = entries
    ctx["events"] = list(queries.events_of(org))
    return render(request, "orgs/history.html", ctx)


@login_required
def structure(request: HttpRequest, code: str) -> HttpResponse:
    as_of = pages.as_of(request)
    ctx = _org_context(request, code)
    report = queries.structure(request.user, ctx["org"], as_of)
    if request.GET.get("format") == "xlsx":
        from .exports import structure_xlsx

        return pages.xlsx_response(structure_xlsx(report), f"co-cau-{ctx['org'].code}-{as_of:%Y%m%d}.xlsx")
    biggest = max(report.by_kind.values(), default=0)
    ctx["report"] = report
    ctx["bars"] = [
        (name, n, round(100 * n / biggest) if biggest else 0) for name, n in report.by_kind.items()
    ]
    return render(request, "orgs/structure.html", ctx)


@login_required
def decision_file(request: HttpRequest, pk: int) -> FileResponse:
    decision = queries.decisions(request.user).filter(pk=pk).first()
    if decision is None:
        raise Http404("Không có quyết định này trong phạm vi của bạn.")
    return pages.stored_file(decision.file, decision.file_name)


@login_required
def restructuring(request: HttpRequest, pk: int) -> HttpResponse:
    event = queries.restructurings(request.user).filter(pk=pk).first()
    if event is None:
        raise Http404("Không tìm thấy.")
    links = event.links.select_related("org").order_by("role", "org__code")
    visible = set(
        queries.orgs(request.user).filter(pk__in=[x.org_id for x in links]).values_list("pk", flat=True)
    )
    rows = [(x, queries.nearest_period(x.org, event.on), x.org_id in visible) for x in links]
    return render(request, "orgs/restructuring.html", {"event": event, "rows": rows})


# ------------------------------------------------------------------------------------- restructuring


# the services' field names → the forms'
ERROR_FIELDS = {"target": "into", "new_parent": "new_parent", "children": "__all__"}


def _apply_errors(form: Any, exc: DomainError) -> None:
    pages.apply_error(form, exc, ERROR_FIELDS)


def _done(request: HttpRequest, result: services.Result, org: Organization) -> HttpResponse:
    messages.success(request, f"Đã ghi nhận: {result.event.summary}.")
    return redirect(reverse("orgs:detail", args=[org.code]) + f"?as_of={format_date(result.event.on)}")


def _expected(form: Any, org: Organization) -> dict[int, int]:
    return {org.pk: form.cleaned_data["version"]}


def _changeable(request: HttpRequest, code: str) -> Organization:
    org = queries.get_org(request.user, code)
    if not _can_change(request, org):
        raise Http404("Bạn không có quyền thay đổi tổ chức này.")
    return org


@login_required
def establish(request: HttpRequest) -> HttpResponse:
    if not _can_change(request):
        raise Http404("Bạn không có quyền thay đổi tổ chức.")
    form = forms.EstablishForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"parent": request.GET.get("parent", ""), "on": format_date(today())},
    )
    if request.method == "POST" and form.is_valid():
        parent = form.resolve("parent", required=False)
        if not form.errors:
            d = form.cleaned_data
            try:
                spec = services.NewOrg(
                    code=d["code"], name=d["name"], kind=d["kind"], category=d["category"], parent=parent
                )
                result = services.establish(request.user, spec, on=d["on"], decision=form.decision())
                return _done(request, result, result.orgs[0])
            except DomainError as exc:
                _apply_errors(form, exc)
            except NotInScope:
                form.add_error("parent", "Tổ chức cấp trên không thuộc phạm vi bạn được quyền thay đổi.")
    return render(
        request, "orgs/op_form.html", {"form": form, "title": "Thành lập tổ chức", "op": "establish"}
    )


@login_required
def rename(request: HttpRequest, code: str) -> HttpResponse:
    org = _changeable(request, code)
    current = queries.last_period(org)
    form = forms.RenameForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={
            "name": current.name if current else "",
            "version": org.version,
            "on": format_date(today()),
            "category": current.category_id if current else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = services.rename(
                request.user,
                org,
                on=d["on"],
                decision=form.decision(),
                name=d["name"] or None,
                kind=d["kind"],
                category=d["category"],
                expected_versions=_expected(form, org),
            )
            return _done(request, result, org)
        except DomainError as exc:
            _apply_errors(form, exc)
    return render(
        request,
        "orgs/op_form.html",
        {"form": form, "org": org, "current": current, "title": "Đổi tên / đổi loại", "op": "rename"},
    )


@login_required
def move(request: HttpRequest, code: str) -> HttpResponse:
    org = _changeable(request, code)
    current = queries.last_period(org)
    form = forms.MoveForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"version": org.version, "on": format_date(today())},
    )
    if request.method == "POST" and form.is_valid():
        parent = form.resolve("parent")
        if not form.errors:
            try:
                result = services.move(
                    request.user,
                    org,
                    new_parent=parent,
                    on=form.cleaned_data["on"],
                    decision=form.decision(),
                    expected_versions=_expected(form, org),
                )
                return _done(request, result, org)
            except DomainError as exc:
                _apply_errors(form, exc)
            except NotInScope:
                form.add_error("parent", "Tổ chức cấp trên mới không thuộc phạm vi bạn được quyền thay đổi.")
    return render(
        request,
        "orgs/op_form.html",
        {"form": form, "org": org, "current": current, "title": "Chuyển trực thuộc", "op": "move"},
    )


def _open_children(orgs: list[Organization]) -> list[queries.Period]:
    return queries.open_children(orgs)


def _child_rows(
    request: HttpRequest,
    children: list[queries.Period],
    op: str,
    parts: int = 0,
    errors: dict[str, str] | None = None,
    default: str = "",
) -> list[dict[str, Any]]:
    data = request.POST if request.method == "POST" else {}
    choices = forms.child_choices(op, parts)
    return [
        {
            "period": c,
            "key": f"child-{c.org_id}",
            "choice": data.get(f"child-{c.org_id}", default),
            "code": data.get(f"child-{c.org_id}-code", ""),
            "error": (errors or {}).get(f"child-{c.org_id}", ""),
            "choices": choices,
        }
        for c in children
    ]


@login_required
def dissolve(request: HttpRequest, code: str) -> HttpResponse:
    org = _changeable(request, code)
    current = queries.last_period(org)
    form = forms.DissolveForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"version": org.version, "on": format_date(today())},
    )
    kids = _open_children([org])
    errors: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        moves = forms.read_child_moves(request.POST, kids, request.user, "dissolve", errors)
        if not errors:
            try:
                result = services.dissolve(
                    request.user,
                    org,
                    on=form.cleaned_data["on"],
                    decision=form.decision(),
                    child_moves=moves,
                    expected_versions=_expected(form, org),
                )
                return _done(request, result, org)
            except DomainError as exc:
                _apply_errors(form, exc)
            except NotInScope:
                form.add_error(None, "Nơi chuyển đến không thuộc phạm vi bạn được quyền thay đổi.")
        else:
            form.add_error(None, "Hãy sửa các dòng tổ chức cấp dưới được đánh dấu.")
    return render(
        request,
        "orgs/op_form.html",
        {
            "form": form,
            "org": org,
            "current": current,
            "title": "Giải thể tổ chức",
            "op": "dissolve",
            "child_rows": _child_rows(request, kids, "dissolve", errors=errors),
        },
    )


@login_required
def merge(request: HttpRequest) -> HttpResponse:
    if not _can_change(request):
        raise Http404("Bạn không có quyền thay đổi tổ chức.")
    initial = {"sources": request.GET.get("sources", ""), "on": format_date(today()), "mode": "into"}
    form = forms.MergeForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    codes = form.source_codes()
    sources = list(queries.orgs(request.user, CHANGE_ORGS).filter(code__in=[c.upper() for c in codes]))
    found = {o.code.upper() for o in sources}
    missing = [c for c in codes if c.upper() not in found]
    kids = _open_children(sources)
    errors: dict[str, str] = {}
    if request.method == "POST" and "refresh" not in request.POST and form.is_valid():
        d = form.cleaned_data
        if missing:
            form.add_error("sources", "Không có tổ chức mã " + ", ".join(missing) + " trong phạm vi của bạn.")
        into = new = None
        if d["mode"] == "into":
            into = form.resolve("into")
        else:
            new_parent = form.resolve("new_parent", required=False)
            new = services.NewOrg(
                code=d["new_code"],
                name=d["new_name"],
                kind=d["new_kind"],
                category=d["new_category"],
                parent=new_parent,
            )
        expected = {
            o.pk: v for o in sources if (v := version_or_none(request.POST.get(f"version-{o.code}", "")))
        }
        unseen = [o.code for o in sources if o.pk not in expected]
        if unseen:
            form.add_error(
                None,
                f"Tổ chức {', '.join(unseen)} chưa được hiện trên trang này; hãy bấm “Cập nhật danh sách tổ chức "
                "cấp dưới” để xem lại trước khi ghi nhận.",
            )
        moves = forms.read_child_moves(request.POST, kids, request.user, "merge", errors)
        if errors:
            form.add_error(None, "Hãy sửa các dòng tổ chức cấp dưới được đánh dấu.")
        if not form.errors:
            try:
                result = services.merge(
                    request.user,
                    sources,
                    on=d["on"],
                    decision=form.decision(),
                    into=into,
                    new=new,
                    child_moves=moves,
                    expected_versions=expected,
                )
                return _done(request, result, result.orgs[0])
            except DomainError as exc:
                if exc.field and exc.field.startswith("new_") and exc.field not in form.fields:
                    exc.field = "new_" + exc.field[4:]
                _apply_errors(form, exc)
            except NotInScope:
                form.add_error(None, "Một tổ chức được chọn không thuộc phạm vi bạn được quyền thay đổi.")
    source_periods = [queries.last_period(o) for o in sources]
    return render(
        request,
        "orgs/op_form.html",
        {
            "form": form,
            "title": "Hợp nhất / sáp nhập tổ chức",
            "op": "merge",
            "sources": source_periods,
            "child_rows": _child_rows(request, kids, "merge", errors=errors, default="target"),
        },
    )


@login_required
def split(request: HttpRequest, code: str) -> HttpResponse:
    org = _changeable(request, code)
    current = queries.last_period(org)
    form = forms.SplitForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"version": org.version, "on": format_date(today())},
    )
    parts = forms.SplitPartFormSet(request.POST or None, prefix="parts")
    kids = _open_children([org])
    errors: dict[str, str] = {}
    n_parts = parts.total_form_count()
    if request.method == "POST" and "add_part" in request.POST:
        data = request.POST.copy()
        data["parts-TOTAL_FORMS"] = str(n_parts + 1)
        parts = forms.SplitPartFormSet(data, prefix="parts")
        form = forms.SplitForm(data, request.FILES or None, user=request.user)
        n_parts += 1
    elif request.method == "POST" and form.is_valid() and parts.is_valid():
        specs = []
        for _i, pf in enumerate(parts.forms):
            pd = pf.cleaned_data
            parent = None
            if pd.get("parent"):
                parent = (
                    queries.orgs(request.user, CHANGE_ORGS).filter(code__iexact=pd["parent"].strip()).first()
                )
                if parent is None:
                    pf.add_error("parent", "Không có tổ chức mã này trong phạm vi của bạn.")
            specs.append(
                services.NewOrg(
                    code=pd.get("code") or "",
                    name=pd.get("name") or "",
                    kind=pd.get("kind"),  # type: ignore[arg-type]  # the service refuses a missing kind
                    category=pd.get("category"),
                    parent=parent,
                )
            )
        moves = forms.read_child_moves(request.POST, kids, request.user, "split", errors)
        if errors:
            form.add_error(None, "Hãy sửa các dòng tổ chức cấp dưới được đánh dấu.")
        if not errors and not any(pf.errors for pf in parts.forms):
            try:
                result = services.split(
                    request.user,
                    org,
                    on=form.cleaned_data["on"],
                    decision=form.decision(),
                    parts=specs,
                    child_moves=moves,
                    keep_source=form.cleaned_data["keep_source"],
                    expected_versions=_expected(form, org),
                )
                return _done(request, result, result.orgs[0])
            except DomainError as exc:
                if exc.field and exc.field.startswith("parts-"):
                    _, idx, name = exc.field.split("-", 2)
                    parts.forms[int(idx)].add_error(
                        name if name in parts.forms[int(idx)].fields else None, exc.message
                    )
                else:
                    _apply_errors(form, exc)
            except NotInScope:
                form.add_error(None, "Một tổ chức được chọn không thuộc phạm vi bạn được quyền thay đổi.")
    return render(
        request,
        "orgs/op_form.html",
        {
            "form": form,
            "org": org,
            "current": current,
            "title": "Chia tách tổ chức",
            "op": "split",
            "parts": parts,
            "child_rows": _child_rows(request, kids, "split", parts=n_parts, errors=errors),
        },
    )


# -------------------------------------------------------------------------------------------- vocabularies


@login_required
def vocabulary(request: HttpRequest) -> HttpResponse:
    """Kinds and categories: everyone reads them; a system administrator adds and edits."""
    can_edit = request.user.is_superuser  # type: ignore[union-attr]
    error = ""
    if request.method == "POST":
        if not can_edit:
            raise Http404("Bạn không có quyền sửa danh mục.")
        which = request.POST.get("which")
        model = OrgKind if which == "kind" else CellCategory
        instance = model.objects.filter(pk=request.POST.get("pk") or 0).first()
        values: dict[str, Any] = {
            "name": request.POST.get("name", ""),
            "active": request.POST.get("active") == "on",
        }
        try:
            values["order"] = int(request.POST.get("order") or 100)
        except ValueError:
            values["order"] = 100
        if model is OrgKind:
            values["is_grassroots"] = request.POST.get("is_grassroots") == "on"
            values["is_cell"] = request.POST.get("is_cell") == "on"
        try:
            services.save_vocabulary(request.user, model, instance, **values)
            messages.success(request, "Đã lưu danh mục.")
            return redirect("orgs:vocabulary")
        except DomainError as exc:
            error = exc.message
    return render(
        request,
        "orgs/vocabulary.html",
        {
            "kinds": OrgKind.objects.all(),
            "categories": CellCategory.objects.all(),
            "can_edit": can_edit,
            "error": error,
        },
    )


# ----------------------------------------------------------------------------------------- Excel import

# The import runs as two background jobs, a check then the write, through the flow the other imports use
# (`coso.core.import_flow`).

SHOWN_ERRORS = 1000  # errors kept for the page (a file may have one per row)


def _import_summary(result: Any) -> dict[str, Any]:
    """What the page shows after a check or a write, small enough for the job's JSON (not the plan itself)."""
    plan = result.plan
    return {
        "ok": result.ok,
        "filename": plan.filename,
        "error_count": len(result.errors),
        "errors": [
            {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
            for e in result.errors[:SHOWN_ERRORS]
        ],
        "rows": len(plan.rows),
        "to_create": len(plan.to_create) if result.ok else 0,
        "skipped": len(plan.skipped) if result.ok else 0,
        "by_kind": sorted(plan.by_kind().items()) if result.ok else [],
        "created": len(result.created),
    }


def _refusal(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return (
            f"Không nhập được vì dữ liệu vừa thay đổi: {pages.error_text(exc)}. Hãy chọn lại tệp để kiểm tra."
        )
    return (
        "Không nhập được: tệp có tổ chức cấp trên không thuộc phạm vi bạn được quyền thay đổi. Chưa ghi gì; hãy "
        "sửa cột “Mã tổ chức cấp trên” rồi chọn lại tệp."
    )


IMPORT = ExcelImportFlow(
    name="coso.orgs.views.IMPORT",
    namespace="orgs",
    importer="coso.orgs.importer.import_orgs",
    sample="coso.orgs.importer.template_bytes",
    sample_name="mau-nhap-to-chuc.xlsx",
    can_write=_can_change,
    refused="Bạn không có quyền thay đổi tổ chức.",
    page="Nhập tổ chức từ Excel",
    noun="tổ chức",
    written="Đã nhập {count} tổ chức.",
    not_xlsx="Tệp “{name}” không phải tệp Excel .xlsx; hãy lưu lại theo định dạng .xlsx.",
    reading="Đã kiểm tra {done} / {total} dòng",
    summary=_import_summary,
    refusal=_refusal,
)
