"""What every app's pages share (views stay thin): the date a request looks at, a refusal shown on its form,
permission checks for the buttons a page offers, and files sent for download."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .dates import parse_as_of, parse_date, today
from .errors import DomainError, NotInScope
from .excel import XLSX_CONTENT_TYPE
from .scope import scope_for

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OUT_OF_SCOPE = "Thao tác chạm đến tổ chức không thuộc phạm vi bạn được quyền thay đổi."


# ------------------------------------------------------------------------------------------ the date looked at


def as_of_and_error(request: HttpRequest) -> tuple[dt.date, str]:
    """The date the page looks at (`?as_of=dd/mm/yyyy`, or yyyy-mm-dd), today when empty; an unreadable date is
    today with the message that says why (the page header shows it)."""
    try:
        return parse_as_of(request.GET.get("as_of")), ""
    except ValueError as exc:
        return today(), str(exc)


def as_of(request: HttpRequest) -> dt.date:
    """The date the page looks at: `?as_of=`, today when empty or unreadable."""
    return as_of_and_error(request)[0]


def get_date(request: HttpRequest, name: str, default: dt.date, errors: dict[str, str]) -> dt.date:
    """A date from the query string (`?name=dd/mm/yyyy`), `default` when empty; an unreadable one is `default`
    with its message in `errors[name]`."""
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return default
    try:
        return parse_date(raw)
    except ValueError as exc:
        errors[name] = str(exc)
        return default


# --------------------------------------------------------------------------------------------- permissions


def can_change(request: HttpRequest, permission: str, org: Any = None) -> bool:
    """Whether the user may use `permission` on `org` (on anything, when `org` is None): to offer the buttons
    of a page. The services check again."""
    scope = scope_for(request.user, permission)
    return scope.covers(org.current_path) if org is not None else not scope.is_empty


# ------------------------------------------------------------------------------------------------ refusals


def error_text(exc: DomainError) -> str:
    """A refusal as a page shows it: the message, then the rule and its source."""
    return exc.message + (
        f" (Quy tắc {exc.rule.code}: {exc.rule.name}; nguồn: {exc.rule.source})" if exc.rule else ""
    )


def apply_error(form: Any, exc: DomainError, mapping: Mapping[str, str] | None = None) -> None:
    """Show a refusal next to the field it names (`mapping` renames the service's field to the form's), or at
    the top of the form when the form has no such field."""
    name = (mapping or {}).get(exc.field or "", exc.field)
    if name and name in form.fields:
        form.add_error(name, error_text(exc))
    else:
        form.add_error(None, error_text(exc))


def form_page(
    request: HttpRequest,
    form: Any,
    call: Callable[[dict[str, Any]], HttpResponse],
    ctx: dict[str, Any],
    *,
    template: str,
    mapping: Mapping[str, str] | None = None,
) -> HttpResponse:
    """The common shape of a form page: on a valid POST call the service; a refusal goes next to its field and
    the form is shown again with what was typed."""
    if request.method == "POST" and form.is_valid():
        try:
            return call(form.cleaned_data)
        except DomainError as exc:
            apply_error(form, exc, mapping)
        except NotInScope:
            form.add_error(None, OUT_OF_SCOPE)
    ctx["form"] = form
    return render(request, template, ctx)


# --------------------------------------------------------------------------------------------------- files


def download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    return download(data, filename, XLSX_CONTENT_TYPE)


def docx_response(data: bytes, filename: str) -> HttpResponse:
    return download(data, filename, DOCX_CONTENT_TYPE)


def stored_file(file: Any, name: str) -> FileResponse:
    """An uploaded file (a FileField's value) as a download under the name it was uploaded with. Uploads are
    never served under MEDIA_URL: the caller has found the row through the user's scope first."""
    if not file:
        raise Http404("Không có tệp đính kèm.")
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404("Tệp đã lưu không còn trên máy chủ; hãy báo quản trị hệ thống.") from None
    return FileResponse(handle, as_attachment=True, filename=name or str(file.name).rsplit("/", 1)[-1])
