"""What the meetings API shares: its parameters and the lookups of a meeting or an organization in scope."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from coso.core.api import as_of, input_error, query_date
from coso.core.scope import CHANGE_MEETINGS, get_scoped, restrict
from coso.core.text import nfc
from coso.members.models import Member
from coso.orgs.models import Organization
from coso.orgs.queries import orgs as scoped_orgs

from .. import serializers
from ..models import (
    Meeting,
)

CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Mã tổ chức (không phân biệt hoa thường)."
)
FROM = OpenApiParameter("from", OpenApiTypes.DATE, description="Từ ngày (YYYY-MM-DD), kể cả ngày này.")
TO = OpenApiParameter("to", OpenApiTypes.DATE, description="Đến ngày (YYYY-MM-DD), kể cả ngày này.")
ORG_FILTER = OpenApiParameter(
    "org", OpenApiTypes.STR, description="Mã tổ chức: chỉ những gì thuộc tổ chức này (cả cây con)."
)


def _org_body(request: Request, code: str | None, field: str) -> Organization | None:
    """An organization named in a body, among those the user may change (meetings); else 400."""
    if not code:
        return None
    org = scoped_orgs(request.user, CHANGE_MEETINGS).filter(code__iexact=nfc(code)).first()
    if org is None:
        raise input_error(f"Không có tổ chức mã “{code}” trong phạm vi bạn được quyền thay đổi.", field)
    return org


def _member(
    request: Request, pk: int | None, field: str, attends: Organization | None = None
) -> Member | None:
    """A member named by id: one the user may see, or (for a meeting's organization) one attending it."""
    if pk is None:
        return None
    found = restrict(Member.objects.filter(pk=pk), request.user).first()
    if found is None and attends is not None:
        found = Member.objects.filter(pk=pk, memberships__org=attends).distinct().first()
    if found is None:
        raise input_error(f"Không có đảng viên mã số {pk} trong phạm vi của bạn.", field)
    return found


def _meeting_body(request: Request, pk: int | None, field: str) -> Meeting | None:
    if pk is None:
        return None
    found = restrict(Meeting.objects.filter(pk=pk), request.user).first()
    if found is None:
        raise input_error(f"Không có cuộc sinh hoạt mã số {pk} trong phạm vi của bạn.", field)
    return found


def _meeting(request: Request, pk: int) -> Meeting:
    return get_scoped(Meeting.objects.select_related("org"), request.user, pk=pk)


def _period(request: Request) -> tuple[dt.date, dt.date]:
    """?from=&to= (ISO): `to` defaults to as_of (today), `from` to 1 January of `to`'s year."""
    end = query_date(request, "to", default_today=False) or as_of(request)
    start = query_date(request, "from", default_today=False) or dt.date(end.year, 1, 1)
    if start > end:
        raise input_error("Ngày bắt đầu (from) phải trước hoặc bằng ngày kết thúc (to).", "from")
    return start, end


def _detail(meeting: Meeting) -> Response:
    meeting = Meeting.objects.select_related("org").prefetch_related("agenda").get(pk=meeting.pk)
    return Response(serializers.MeetingDetailSerializer(meeting).data)
