"""The filters of a list, shared by its page and its API (django-filter FilterSets).

An app's FilterSet declares the list's parameters once; the page builds it from `request.GET`, the API from
`request.query_params` with `api=True`. A value the list cannot use (an organization not in the user's scope, a
malformed date) is answered by the API with its Vietnamese 400 (or 404) naming the parameter, while the page
shows what the parameter allows (nothing, or the list unfiltered by it, as each filter says).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import exceptions

from .api import ISO_DATE, input_error, parse_query_date
from .dates import first_of_month, parse_date


class CosoFilterSet(django_filters.FilterSet):
    """A FilterSet that knows the request (for the user's scope) and whether it answers an API call."""

    def __init__(
        self, data: Any = None, queryset: Any = None, *, request: Any = None, api: bool = False
    ) -> None:
        super().__init__(data, queryset, request=request)
        self.api = api

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # a value the filter's form refuses (a NUL character, say) is not silently dropped by the API
        if self.api and self.form.errors:
            name = next(iter(self.form.errors))
            raise input_error(
                f"Giá trị của tham số {name} không hợp lệ; hãy sửa lại hoặc bỏ tham số này.", name
            )
        return super().filter_queryset(queryset)

    @property
    def user(self) -> Any:
        return getattr(self.request, "user", None)

    def refuse(self, qs: QuerySet[Any], name: str, message: str, *, not_found: bool = False) -> QuerySet[Any]:
        """A value of `name` the list cannot use: the API answers 400 (404 with `not_found`) with `message`; the
        page shows no rows."""
        if self.api:
            raise exceptions.NotFound(message) if not_found else input_error(message, name)
        return qs.none()

    def date(self, name: str, value: str) -> dt.date | None:
        """A date parameter: YYYY-MM-DD for the API (its 400 otherwise); the page also takes dd/mm/yyyy and
        drops a date it cannot read."""
        if self.api or ISO_DATE.match(value.strip()):
            try:
                return parse_query_date(value, name)
            except exceptions.ValidationError:
                if self.api:
                    raise
                return None
        try:
            return parse_date(value)
        except ValueError:
            return None


def with_parameters(parameters: dict[str, django_filters.Filter]) -> Any:
    """Declares filters whose query-string names cannot be Python names (`from`, `to`) on a FilterSet."""

    def declare(cls: type[django_filters.FilterSet]) -> type[django_filters.FilterSet]:
        cls.base_filters.update(parameters)
        return cls

    return declare


class DateFilter(django_filters.CharFilter):
    """A date parameter `param` (YYYY-MM-DD, or dd/mm/yyyy on a page) compared to `field_name` by `lookup_expr`;
    the API answers a bad date with a 400 naming the parameter, a page ignores it."""

    def __init__(self, field_name: str, lookup_expr: str, *, param: str, **kwargs: Any) -> None:
        super().__init__(field_name=field_name, lookup_expr=lookup_expr, **kwargs)
        self.param = param

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if not value:
            return qs
        on = self.parent.date(self.param, value)
        return qs if on is None else qs.filter(**{f"{self.field_name}__{self.lookup_expr}": self.adjust(on)})

    def adjust(self, on: dt.date) -> Any:
        return on


class MonthFilter(DateFilter):
    """A month named by any day in it (the field holds the first day of the month)."""

    def __init__(self, field_name: str, *, param: str, **kwargs: Any) -> None:
        super().__init__(field_name, "exact", param=param, **kwargs)

    def adjust(self, on: dt.date) -> Any:
        return first_of_month(on)


class ValueFilter(django_filters.CharFilter):
    """One of the values of a field's choices: an unknown one gives the API no rows and leaves a page's list
    unnarrowed."""

    def __init__(self, field_name: str, values: Any, **kwargs: Any) -> None:
        super().__init__(field_name=field_name, **kwargs)
        self.values = values

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if not value:
            return qs
        if value in self.values:
            return qs.filter(**{self.field_name: value})
        return qs.none() if self.parent.api else qs


class IntegerFilter(django_filters.CharFilter):
    """A whole number (a year); the API answers anything else with a 400 naming the parameter."""

    def __init__(self, field_name: str, *, param: str, **kwargs: Any) -> None:
        super().__init__(field_name=field_name, **kwargs)
        self.param = param

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if not value:
            return qs
        try:
            number = int(value)
        except ValueError:
            if self.parent.api:
                raise input_error(f"“{value}” không phải số nguyên ({self.param}).", self.param) from None
            return qs
        return qs.filter(**{self.field_name: number})
