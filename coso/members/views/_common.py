"""What the member pages share: the members in scope, a member looked up in scope, the permission to change."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from coso.core import pages
from coso.core.scope import CHANGE_MEMBERS, get_scoped, restrict
from coso.orgs.models import Organization

from ..models import Member

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
