"""The filters of the lists of organizations, shared by the page (/orgs/list/ and its Excel export) and the API
(GET /api/v1/orgs/); and `OrgFilterSet`, which every app's list that narrows to an organization's subtree
extends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from coso.core.dates import today
from coso.core.fields import prefix_range
from coso.core.filters import CosoFilterSet, DateFilter, with_parameters
from coso.core.text import fold, nfc

from . import queries
from .models import CellCategory, Organization, OrgKind, Restructuring, RestructuringOrg


class OrgFilterSet(CosoFilterSet):
    """A list that narrows to the subtree of an organization named by its code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.found: dict[str, Organization | None] = {}

    def named_org(self, name: str, code: str) -> Organization | None:
        """The organization `code` names (any case) in the user's scope; None when there is none (the API
        answers 404 naming the parameter)."""
        code = nfc(code)
        org = queries.orgs(self.user).filter(code__iexact=code).first()
        if org is None:
            self.refuse(
                Organization.objects.none(),
                name,
                f"Không tìm thấy tổ chức mã “{code}” ({name}) hoặc tổ chức không thuộc phạm vi của bạn.",
                not_found=True,
            )
        return org


class SubtreeFilter(django_filters.CharFilter):
    """The rows of the organizations under the one a code names (as the tree stands today), through the path
    field `field_name`; the organization found is kept on the FilterSet's `found[param]`. An organization not
    in the user's scope: the API answers 404 naming the parameter, a page shows no rows."""

    def __init__(self, field_name: str, *, param: str = "org", **kwargs: Any) -> None:
        super().__init__(field_name=field_name, **kwargs)
        self.param = param

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if not value:
            return qs
        org = self.parent.named_org(self.param, value)
        self.parent.found[self.param] = org
        return qs.none() if org is None else qs.filter(**prefix_range(self.field_name, org.current_path))


class OrgFilter(OrgFilterSet):
    """The organizations as they stood on a date (the queryset: `queries.periods(user, as_of)`), searched without
    accents on the name (or the code), of a kind and a category, under an organization."""

    q = django_filters.CharFilter(method="filter_q")
    kind = django_filters.CharFilter(method="filter_kind")
    category = django_filters.CharFilter(method="filter_category")
    under = django_filters.CharFilter(method="filter_under")

    def __init__(self, *args: Any, as_of: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.as_of = as_of or today()
        self.kind_found: OrgKind | None = None
        self.category_found: CellCategory | None = None
        self.under_found: Organization | None = None

    def filter_q(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(Q(search_key__contains=fold(value)) | Q(org__code__icontains=value.strip()))

    def _vocabulary(self, model: Any, value: str) -> Any:
        """By id (the page's choice), code or name; None when none matches."""
        if value.isdigit():
            found = model.objects.filter(pk=int(value)).first()
            if found is not None:
                return found
        finder = queries.find_kind if model is OrgKind else queries.find_category
        return finder(value, active_only=False)

    def filter_kind(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        self.kind_found = self._vocabulary(OrgKind, value)
        if self.kind_found is None:
            if self.api:
                self.refuse(qs, name, f"Không có loại tổ chức “{value}”; xem GET /api/v1/kinds/.")
            return qs  # the page: an unknown kind does not narrow the list
        return qs.filter(kind=self.kind_found)

    def filter_category(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        self.category_found = self._vocabulary(CellCategory, value)
        if self.category_found is None:
            if self.api:
                self.refuse(qs, name, f"Không có phân loại “{value}”; xem GET /api/v1/categories/.")
            return qs
        return qs.filter(category=self.category_found)

    def filter_under(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Under the organization as it stood on the date (its path then)."""
        self.under_found = self.named_org(name, value)
        path = queries.path_on(self.under_found, self.as_of) if self.under_found else None
        return qs.filter(**prefix_range("path", path)) if path else qs.none()

    @property
    def qs(self) -> QuerySet[Any]:
        return super().qs.select_related("org", "kind", "category", "parent").order_by("sort_key", "id")


class _OrgNamed(django_filters.CharFilter):
    """The rows about exactly the organization a code names (not its subtree), by `filter_org(qs, org)` of the
    FilterSet."""

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if not value:
            return qs
        org = self.parent.named_org("org", value)
        return qs.none() if org is None else self.parent.filter_org(qs, org)


@with_parameters({"from": DateFilter("on", "gte", param="from"), "to": DateFilter("on", "lte", param="to")})
class RestructuringFilter(OrgFilterSet):
    """Restructuring events involving an organization, from and to a date, of one operation; newest first."""

    org = _OrgNamed()
    op = django_filters.CharFilter(method="filter_op")

    def filter_org(self, qs: QuerySet[Any], org: Organization) -> QuerySet[Any]:
        return qs.filter(pk__in=RestructuringOrg.objects.filter(org=org).values("restructuring_id"))

    def filter_op(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value in Restructuring.Op.values:
            return qs.filter(op=value)
        return self.refuse(
            qs,
            "op",
            f"“{value}” không phải thao tác hợp lệ; hãy chọn một trong: {', '.join(Restructuring.Op.values)}.",
        )

    @property
    def qs(self) -> QuerySet[Any]:
        return super().qs.order_by("-on", "-id")


@with_parameters(
    {"from": DateFilter("signed_on", "gte", param="from"), "to": DateFilter("signed_on", "lte", param="to")}
)
class DecisionFilter(OrgFilterSet):
    """Decisions of an organization, signed from and to a date, whose number contains `q`; newest first."""

    org = _OrgNamed()
    q = django_filters.CharFilter(method="filter_number")

    def filter_org(self, qs: QuerySet[Any], org: Organization) -> QuerySet[Any]:
        return qs.filter(org=org)

    def filter_number(self, qs: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return qs.filter(number__icontains=nfc(value))

    @property
    def qs(self) -> QuerySet[Any]:
        return super().qs.order_by("-signed_on", "-id")


def org_param(request: Any, name: str = "org") -> Organization | None:
    """The organization an API call names by code in its query string (`name`), None when the parameter is
    empty; not in the user's scope: 404 naming the parameter (as every list's `org` filter)."""
    code = nfc(request.query_params.get(name))
    if not code:
        return None
    lookup = OrgFilterSet(request.query_params, Organization.objects.none(), request=request, api=True)
    return lookup.named_org(name, code)
