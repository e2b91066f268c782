"""API of the organization tree (/api/v1/orgs/, /tree/, /restructurings/, /decisions/, /kinds/, /categories/).

Thin views: parse the request, call a query from `coso.orgs.queries` (always given the user, so always scoped) or
a service from `coso.orgs.services` (given `actor=request.user`, so it checks the CHANGE_ORGS scope itself), and
serialize. Organizations are addressed by code, case-insensitively; one out of the user's scope answers 404, as
an unknown one does. Reads take `as_of` (YYYY-MM-DD, empty = today).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from coso.core import pages
from coso.core.api import AS_OF, CHANGE_ERRORS, ERRORS, CosoAPI, as_of, input_error, validated
from coso.core.errors import DomainError, StaleEdit
from coso.core.history import Entry, entries
from coso.core.scope import get_scoped, restrict
from coso.core.text import nfc

from . import filters, queries, services
from .models import CellCategory, Decision, Organization, OrgKind, OrgPeriod, Restructuring, RestructuringOrg
from .serializers import (
    INPUTS,
    OPS,
    CategorySerializer,
    DecisionSerializer,
    HistorySerializer,
    KindSerializer,
    NodeSerializer,
    OrgDetailSerializer,
    OrgItemSerializer,
    PeriodSerializer,
    RestructuringResultSerializer,
    RestructuringSerializer,
    StructureSerializer,
    decision_input,
    new_org,
)

CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Mã tổ chức (không phân biệt hoa thường)."
)
FROM = OpenApiParameter("from", OpenApiTypes.DATE, description="Từ ngày (YYYY-MM-DD), kể cả ngày này.")
TO = OpenApiParameter("to", OpenApiTypes.DATE, description="Đến ngày (YYYY-MM-DD), kể cả ngày này.")

PERIOD_HIDDEN = ("org", "search_key", "sort_key", "path", "depth", "opened_by", "closed_by")


def _org(request: Request, code: str) -> Organization:
    """The organization `code` in the user's scope, else 404."""
    return queries.get_org(request.user, nfc(code))


def _events(qs: QuerySet[Restructuring]) -> QuerySet[Restructuring]:
    """Events with their decision, their organizations and those organizations' periods (for names)."""
    links = RestructuringOrg.objects.select_related("org").prefetch_related("org__periods").order_by("id")
    return qs.select_related("decision", "created_by").prefetch_related(Prefetch("links", queryset=links))


# ---------------------------------------------------------------------------------------------- the tree


class OrgViewSet(CosoAPI, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Organizations as of a date, addressed by code."""

    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    serializer_class = OrgItemSerializer
    queryset = OrgPeriod.objects.none()

    def _items(self, page: list[OrgPeriod], on: Any) -> Response:
        context = {"parent_names": queries.parent_names(page, on)}
        return self.get_paginated_response(OrgItemSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="Danh sách tổ chức vào một ngày (tìm kiếm, lọc, thứ tự tiếng Việt)",
        description=(
            "Các tổ chức trong phạm vi của bạn tồn tại vào ngày `as_of`, xếp theo thứ tự tiếng Việt của "
            "tên. `q` tìm trong tên (không phân biệt dấu, hoa thường) và mã; `under` giới hạn trong cây "
            "con của một tổ chức. Có phân trang."
        ),
        parameters=[
            AS_OF,
            OpenApiParameter("q", OpenApiTypes.STR, description="Tên hoặc mã, không phân biệt dấu."),
            OpenApiParameter("kind", OpenApiTypes.STR, description="Loại tổ chức (mã hoặc tên)."),
            OpenApiParameter("category", OpenApiTypes.STR, description="Phân loại (mã hoặc tên)."),
            OpenApiParameter("under", OpenApiTypes.STR, description="Chỉ các tổ chức thuộc tổ chức mã này."),
        ],
        responses={200: OrgItemSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request) -> Response:
        on = as_of(request)
        qs = filters.OrgFilter(
            request.query_params,
            queryset=queries.periods(request.user, on),
            request=request,
            api=True,
            as_of=on,
        ).qs
        page = self.paginate_queryset(qs)
        return self._items(page or [], on)

    @extend_schema(
        summary="Một tổ chức vào một ngày (hoặc trạng thái cuối nếu khi đó không còn), với các tổ chức trực thuộc",
        description=(
            "Tổ chức như vào ngày `as_of`; nếu ngày đó tổ chức không tồn tại thì trả về trạng thái cuối "
            "cùng với `exists` = false và danh sách trực thuộc rỗng. Tổ chức ngoài phạm vi của bạn trả "
            "lời 404."
        ),
        parameters=[CODE, AS_OF],
        responses={200: OrgDetailSerializer, **ERRORS},
    )
    def retrieve(self, request: Request, code: str) -> Response:
        on = as_of(request)
        org = _org(request, code)
        period = queries.period_on(org, on)
        shown = period or queries.nearest_period(org, on)
        if shown is None:  # pragma: no cover - every organization has at least one period
            raise Http404
        children: Any = []
        if period is not None:
            children = queries.children_of(request.user, org, on).select_related("org", "kind", "category")
            children = children.order_by("sort_key", "id")
        context = {
            "as_of": on,
            "exists": period is not None,
            "children": children,
            "parent_names": queries.parent_names([shown], on if period else shown.valid_from),
        }
        return Response(OrgDetailSerializer(shown, context=context).data)

    @extend_schema(
        summary="Toàn bộ cây con vào một ngày (danh sách phẳng theo đường dẫn, có mã cấp trên và độ sâu)",
        description=(
            "Tổ chức và mọi cấp dưới của nó vào ngày `as_of`, dạng danh sách phẳng: tổ chức cấp trên luôn"
            " đứng trước cấp dưới; `parent` và `depth` cho phép dựng lại cây. Có phân trang."
        ),
        parameters=[CODE, AS_OF],
        responses={200: OrgItemSerializer(many=True), **ERRORS},
    )
    @action(detail=True)
    def subtree(self, request: Request, code: str) -> Response:
        on = as_of(request)
        org = _org(request, code)
        qs = queries.subtree(request.user, org, on).select_related("org", "kind", "category", "parent")
        page = self.paginate_queryset(qs.order_by("path"))
        return self._items(page or [], on)

    @extend_schema(
        summary="Các giai đoạn của tổ chức (vị trí, tên, loại theo thời gian)",
        description=(
            "Mọi giai đoạn [valid_from, valid_to) của tổ chức, cũ trước mới sau: trực thuộc đâu, tên, "
            "loại, phân loại, và sự kiện đã mở/đóng giai đoạn."
        ),
        parameters=[CODE],
        responses={200: PeriodSerializer(many=True), **ERRORS},
    )
    @action(detail=True, pagination_class=None)
    def periods(self, request: Request, code: str) -> Response:
        org = _org(request, code)
        rows = list(
            restrict(OrgPeriod.objects.filter(org=org), request.user)
            .select_related("org", "kind", "category", "parent")
            .order_by("valid_from", "id")
        )
        parent_names = queries.parents_when_begun(rows)
        return Response(PeriodSerializer(rows, many=True, context={"parent_names": parent_names}).data)

    @extend_schema(
        summary="Lịch sử: các lần tái cấu trúc và nhật ký thay đổi từng trường (ai, khi nào, trước/sau)",
        description=(
            "Các lần tái cấu trúc có liên quan đến tổ chức (kèm quyết định) và nhật ký thay đổi từng "
            "trường của tổ chức và các giai đoạn của nó: ai, khi nào, giá trị trước và sau. Mới nhất "
            "trước."
        ),
        parameters=[CODE],
        responses={200: HistorySerializer, **ERRORS},
    )
    @action(detail=True, pagination_class=None)
    def history(self, request: Request, code: str) -> Response:
        org = _org(request, code)
        events = _events(queries.events_of(org))
        log: list[Entry] = entries(
            org.history.order_by("history_date", "history_id"),
            subject=f"Tổ chức {org.code}",
            hidden=("version",),
        )
        own = {p.pk: p for p in restrict(OrgPeriod.objects.filter(org=org), request.user)}
        records: dict[int, list[Any]] = defaultdict(list)
        for rec in OrgPeriod.history.filter(id__in=list(own)).order_by("history_date", "history_id"):
            records[rec.id].append(rec)
        for pk, recs in records.items():
            p = own[pk]
            subject = f"Giai đoạn từ {p.valid_from:%d/%m/%Y}: {p.name}"
            log += entries(recs, subject=subject, hidden=PERIOD_HIDDEN)
        log = [e for e in log if e.changes or e.action != "Thay đổi"]  # e.g. only the hidden version moved
        log.sort(key=lambda e: e.when, reverse=True)
        return Response(HistorySerializer({"org": org.code, "events": events, "changes": log}).data)

    @extend_schema(
        summary="Cơ cấu tổ chức vào một ngày: số TCCSĐ, chi bộ, theo loại và phân loại",
        description=(
            "Số tổ chức cơ sở đảng, số chi bộ trực thuộc đảng ủy cơ sở và tổng số tổ chức dưới tổ chức "
            "này (không tính chính nó) vào ngày `as_of`, theo loại và theo loại × phân loại."
        ),
        parameters=[CODE, AS_OF],
        responses={200: StructureSerializer, **ERRORS},
    )
    @action(detail=True, pagination_class=None)
    def structure(self, request: Request, code: str) -> Response:
        on = as_of(request)
        org = _org(request, code)
        return Response(queries.structure(request.user, org, on).as_json())

    @extend_schema(
        summary="Các tổ chức trực thuộc vào một ngày, với số lượng cấp dưới",
        description=(
            "Các tổ chức trực thuộc trực tiếp vào ngày `as_of`, mỗi tổ chức kèm số trực thuộc trực tiếp, "
            "số cấp dưới mọi cấp, số TCCSĐ và số chi bộ."
        ),
        parameters=[CODE, AS_OF],
        responses={200: NodeSerializer(many=True), **ERRORS},
    )
    @action(detail=True, pagination_class=None)
    def children(self, request: Request, code: str) -> Response:
        on = as_of(request)
        org = _org(request, code)
        nodes = queries.nodes(request.user, queries.children_of(request.user, org, on), on)
        return Response(NodeSerializer(nodes, many=True).data)


class TreeView(CosoAPI):
    """The top of the tree the user sees on a date."""

    pagination_class = None

    @extend_schema(
        summary="Gốc cây tổ chức bạn được xem vào một ngày, với số lượng cấp dưới",
        description=(
            "Các tổ chức cao nhất trong phạm vi của bạn vào ngày `as_of` (tổ chức không có cấp trên, hoặc"
            " có cấp trên ngoài phạm vi), kèm số lượng cấp dưới."
        ),
        parameters=[AS_OF],
        responses={200: NodeSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        on = as_of(request)
        nodes = queries.nodes(request.user, queries.roots(request.user, on), on)
        return Response(NodeSerializer(nodes, many=True).data)


# -------------------------------------------------------------------------------------- restructurings


def _versions(data: dict[str, Any]) -> dict[int, int] | None:
    if "version" in data:
        return {data["org"].pk: data["version"]}
    return None


def _establish(user: Any, d: dict[str, Any]) -> services.Result:
    spec = services.NewOrg(
        code=d["code"], name=d["name"], kind=d["kind"], category=d.get("category"), parent=d.get("parent")
    )
    return services.establish(user, spec, on=d["on"], decision=decision_input(d["decision"]))


def _rename(user: Any, d: dict[str, Any]) -> services.Result:
    return services.rename(
        user,
        d["org"],
        on=d["on"],
        decision=decision_input(d["decision"]),
        name=d.get("name"),
        kind=d.get("kind"),
        category=d["category"] if "category" in d else services.KEEP,
        expected_versions=_versions(d),
    )


def _move(user: Any, d: dict[str, Any]) -> services.Result:
    return services.move(
        user,
        d["org"],
        new_parent=d["parent"],
        on=d["on"],
        decision=decision_input(d["decision"]),
        expected_versions=_versions(d),
    )


def _dissolve(user: Any, d: dict[str, Any]) -> services.Result:
    return services.dissolve(
        user,
        d["org"],
        on=d["on"],
        decision=decision_input(d["decision"]),
        child_moves=d.get("children"),
        expected_versions=_versions(d),
    )


def _merge(user: Any, d: dict[str, Any]) -> services.Result:
    return services.merge(
        user,
        d["sources"],
        on=d["on"],
        decision=decision_input(d["decision"]),
        into=d.get("into"),
        new=new_org(d["new"]) if d.get("new") else None,
        child_moves=d.get("children"),
        expected_versions=d["expected_versions"],
    )


def _split(user: Any, d: dict[str, Any]) -> services.Result:
    return services.split(
        user,
        d["org"],
        on=d["on"],
        decision=decision_input(d["decision"]),
        parts=[new_org(p) for p in d["parts"]],
        child_moves=d.get("children"),
        keep_source=d.get("keep_source", False),
        expected_versions=_versions(d),
    )


RUN: dict[str, Callable[[Any, dict[str, Any]], services.Result]] = {
    Restructuring.Op.ESTABLISH.value: _establish,
    Restructuring.Op.RENAME.value: _rename,
    Restructuring.Op.MOVE.value: _move,
    Restructuring.Op.DISSOLVE.value: _dissolve,
    Restructuring.Op.MERGE.value: _merge,
    Restructuring.Op.SPLIT.value: _split,
}

_PART_FIELD = re.compile(r"^parts-(\d+)-(\w+)$")


def _api_field(exc: DomainError, op: str, data: dict[str, Any]) -> str | None:
    """The service names fields as its forms do ("decision_date", "new_parent", "parts-0-code"); the API
    answers with the body's names ("decision.signed_on", "new.parent", "parts[0].code")."""
    field = exc.field
    if field is None:
        if isinstance(exc, StaleEdit):
            return "versions" if op == Restructuring.Op.MERGE else "version"
        return None
    if field == "decision_number":
        return "decision.number"
    if field == "decision_date":
        return "decision.signed_on"
    if field == "target":
        return "into" if data.get("into") is not None else "new"
    if m := _PART_FIELD.match(field):
        return f"parts[{m.group(1)}].{m.group(2)}"
    if field.startswith("new_"):
        return "new." + field[4:]
    return field


RESTRUCTURING_REQUEST = PolymorphicProxySerializer(
    component_name="RestructuringRequest",
    serializers={op: cls for op, cls in INPUTS.items()},
    resource_type_field_name="op",
)


class RestructuringViewSet(
    CosoAPI,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Restructuring events (thành lập, đổi tên, chuyển, hợp nhất, chia tách, giải thể), scoped."""

    lookup_value_regex = r"[^/]+"  # an id that is not a number is a 400 (CosoAPI)
    serializer_class = RestructuringSerializer
    queryset = Restructuring.objects.none()
    parser_classes = [JSONParser]

    def get_queryset(self) -> QuerySet[Restructuring]:
        return filters.RestructuringFilter(
            self.request.query_params,
            queryset=_events(queries.restructurings(self.request.user)),
            request=self.request,
            api=True,
        ).qs

    @extend_schema(
        summary="Các lần tái cấu trúc trong phạm vi của bạn",
        description=(
            "Các lần tái cấu trúc có liên quan đến ít nhất một tổ chức trong phạm vi của bạn, mới nhất "
            "trước; lọc theo tổ chức, khoảng ngày hiệu lực, thao tác. Có phân trang."
        ),
        parameters=[
            OpenApiParameter(
                "org", OpenApiTypes.STR, description="Chỉ các lần có liên quan đến tổ chức mã này."
            ),
            FROM,
            TO,
            OpenApiParameter(
                "op", OpenApiTypes.STR, enum=list(Restructuring.Op.values), description="Thao tác."
            ),
        ],
        responses={200: RestructuringSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Một lần tái cấu trúc",
        description=(
            "Thao tác, ngày hiệu lực, quyết định và các tổ chức liên quan (với vai trò và tên vào ngày đó)."
        ),
        responses={200: RestructuringSerializer, **ERRORS},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        event = get_scoped(_events(Restructuring.objects.all()), request.user, pk=pk)
        return Response(RestructuringSerializer(event).data)

    @extend_schema(
        summary="Tái cấu trúc: thành lập, đổi tên/loại, chuyển trực thuộc, hợp nhất, chia tách, giải thể",
        description=(
            "Mọi thao tác gửi `op`, `on` (ngày hiệu lực, YYYY-MM-DD) và `decision` (số, ngày ký, cơ quan ban hành, "
            "trích yếu), cùng các trường riêng của thao tác. Mã tổ chức không phân biệt hoa thường; mã không có "
            "hoặc ngoài phạm vi bạn được thay đổi đều được trả lời 400 như nhau. Mọi thao tác trên tổ chức đang có "
            "phải gửi `version` (hoặc `versions` khi hợp nhất): tổ chức đã bị người khác thay đổi từ lúc bạn đọc "
            "thì bị từ chối (409). Bị từ chối thì không ghi gì."
        ),
        request=RESTRUCTURING_REQUEST,
        responses={201: RestructuringResultSerializer, **CHANGE_ERRORS},
    )
    def create(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise input_error("Nội dung gửi lên phải là một đối tượng JSON.", "non_field_errors")
        op = request.data.get("op")
        if not isinstance(op, str) or op not in INPUTS:
            message = "Hãy chọn thao tác (op)" if not op else f"“{op}” không phải thao tác hợp lệ (op)"
            raise input_error(f"{message}: một trong {', '.join(OPS)}.", "op")
        data = validated(INPUTS[op](data=request.data, context={"request": request}))
        try:
            result = RUN[op](request.user, data)
        except DomainError as exc:
            exc.field = _api_field(exc, op, data)
            raise
        event = get_scoped(_events(Restructuring.objects.all()), request.user, pk=result.event.pk)
        context = {"result": [o.code for o in result.orgs]}
        return Response(
            RestructuringResultSerializer(event, context=context).data, status=status.HTTP_201_CREATED
        )


# ------------------------------------------------------------------------------------ decisions, vocabulary


class DecisionViewSet(CosoAPI, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Decisions the restructurings rest on, scoped by the organization each is tied to."""

    lookup_value_regex = r"[^/]+"  # an id that is not a number is a 400 (CosoAPI)
    serializer_class = DecisionSerializer
    queryset = Decision.objects.none()

    def _base(self) -> QuerySet[Decision]:
        return Decision.objects.select_related("org", "created_by").prefetch_related("restructurings")

    def get_queryset(self) -> QuerySet[Decision]:
        return filters.DecisionFilter(
            self.request.query_params,
            queryset=restrict(self._base(), self.request.user),
            request=self.request,
            api=True,
        ).qs

    @extend_schema(
        summary="Các quyết định trong phạm vi của bạn",
        description=(
            "Các quyết định gắn với tổ chức trong phạm vi của bạn, mới nhất trước; lọc theo tổ chức liên "
            "quan, khoảng ngày ký, số quyết định. Có phân trang."
        ),
        parameters=[
            OpenApiParameter("org", OpenApiTypes.STR, description="Mã tổ chức liên quan."),
            FROM,
            TO,
            OpenApiParameter("q", OpenApiTypes.STR, description="Một phần số quyết định."),
        ],
        responses={200: DecisionSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Một quyết định",
        description="Quyết định, tệp đính kèm (nếu có) và các lần tái cấu trúc dựa trên nó.",
        responses={200: DecisionSerializer, **ERRORS},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        decision = get_scoped(self._base(), request.user, pk=pk)
        return Response(DecisionSerializer(decision, context={"request": request}).data)

    @extend_schema(
        summary="Tệp đính kèm của một quyết định",
        description=(
            "Tải tệp quyết định đã đính kèm, với tên tệp khi tải lên. Chỉ người có quyền xem tổ chức liên quan "
            "mới tải được; 404 khi quyết định không có tệp."
        ),
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERRORS},
    )
    @action(detail=True, url_path="file", url_name="file", pagination_class=None)
    def download(self, request: Request, pk: str) -> FileResponse:
        decision = get_scoped(Decision.objects.all(), request.user, pk=pk)
        return pages.stored_file(decision.file, decision.file_name)


class KindViewSet(CosoAPI, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The vocabulary of organization kinds (any authenticated user)."""

    serializer_class = KindSerializer
    queryset = OrgKind.objects.all()
    pagination_class = None

    @extend_schema(
        summary="Các loại tổ chức",
        description="Danh mục loại tổ chức (dùng mã hoặc tên trong trường `kind`).",
        responses={200: KindSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class CategoryViewSet(CosoAPI, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The vocabulary of categories of cells and organizations (any authenticated user)."""

    serializer_class = CategorySerializer
    queryset = CellCategory.objects.all()
    pagination_class = None

    @extend_schema(
        summary="Các phân loại chi bộ, tổ chức",
        description="Danh mục phân loại (dùng mã hoặc tên trong trường `category`).",
        responses={200: CategorySerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
