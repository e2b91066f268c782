"""API of annual evaluation and classification (/api/v1/evaluation/...).

Thin views: parse, call `coso.evaluation.services` with `actor=request.user` (the services check the EVALUATE
scope, or the member themselves for their own self-assessment through `MemberAccount`, and refuse with a
`DomainError`: 400 {"detail", "field", "rule"}) or `coso.evaluation.queries`, and serialize. Objects in the URL are
read through `coso.core.scope.get_scoped`: one out of scope answers 404, as an unknown one does (a member's own
entry is found through their account). Levels in a body are named by their code or their name in the period's
scheme. A refused bulk decision answers 400 with every line that needs a justification (`refusals`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from coso.core.api import (
    AS_OF,
    CHANGE_ERRORS,
    ERRORS,
    PAGE,
    PAGE_SIZE,
    CosoAPI,
    Pagination,
    as_of,
    input_error,
    query_bool,
    query_date,
    query_int,
    query_year,
    validated,
)
from coso.core.dates import FIRST_YEAR
from coso.core.scope import EVALUATE, get_scoped, restrict
from coso.core.text import nfc
from coso.core.upload import check_xlsx
from coso.orgs.models import Organization
from coso.orgs.queries import get_org
from coso.orgs.queries import orgs as scoped_orgs

from . import checks, filters, importer, queries, serializers, services
from .models import Evaluation, EvaluationPeriod, Level, MemberAccount, Scheme, Subject

CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Mã tổ chức (không phân biệt hoa thường)."
)
YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="Năm xếp loại (bắt buộc).")
ORG_FILTER = OpenApiParameter(
    "org", OpenApiTypes.STR, description="Mã tổ chức: chỉ những gì thuộc tổ chức này (cả cây con)."
)
ENTRY_RELATED = ("member", "org", "level", "proposed_level", "self_level", "period", "period__scheme")


# ------------------------------------------------------------------------------------------- lookups


def _org(request: Request, code: str) -> Organization:
    return get_org(request.user, code)


def _period(request: Request, pk: int, permission: str = "view") -> EvaluationPeriod:
    return get_scoped(
        EvaluationPeriod.objects.select_related("org", "scheme", "ruleset"), request.user, permission, pk=pk
    )


def _own_member(request: Request) -> int | None:
    uid = getattr(request.user, "pk", None)
    if uid is None:
        return None
    return MemberAccount.objects.filter(user_id=uid).values_list("member_id", flat=True).first()


def _entry(request: Request, pk: int, permission: str = "view", *, own: bool = False) -> Evaluation:
    """An entry in the user's scope; with `own`, also the user's own entry as a member (MemberAccount)."""
    qs = Evaluation.objects.select_related(*ENTRY_RELATED)
    found = restrict(qs, request.user, permission).filter(pk=pk).first()
    if found is None and own:
        member_id = _own_member(request)
        if member_id is not None:
            found = qs.filter(pk=pk, subject=Subject.MEMBER, member_id=member_id).first()
    if found is None:
        raise Http404("Không tìm thấy hoặc không thuộc phạm vi của bạn.")
    return found


def _level(period: EvaluationPeriod, subject: str, text: str | None, field: str) -> Level | None:
    if not text:
        return None
    found = checks.find_level(period.scheme, subject, text)
    if found is None:
        names = ", ".join(f"{x.code} ({x.name})" for x in checks.levels_of(period.scheme, subject))
        raise input_error(
            f"“{text}” không phải mức xếp loại của phương thức {period.scheme.name}; hãy chọn một trong: {names}.",
            field,
        )
    return found


def _entry_response(entry: Evaluation, code: int = status.HTTP_200_OK) -> Response:
    entry = Evaluation.objects.select_related(*ENTRY_RELATED).get(pk=entry.pk)
    return Response(serializers.EvaluationEntrySerializer(entry).data, status=code)


def _refused(exc: services.DecisionRefused) -> Response:
    body: dict[str, Any] = {"detail": exc.message, "refusals": []}
    if exc.rule:
        body["rule"] = {"code": exc.rule.code, "name": exc.rule.name, "source": exc.rule.source}
    body["refusals"] = [
        {"entry": r.entry_id, "findings": [f.as_json() for f in r.findings]} for r in exc.refusals
    ]
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


# ------------------------------------------------------------------------------------------- periods


class PeriodListView(CosoAPI, generics.GenericAPIView):  # type: ignore[type-arg]
    """Evaluation periods in the user's scope; opening a period."""

    serializer_class = serializers.EvaluationPeriodSerializer
    queryset = EvaluationPeriod.objects.none()

    @extend_schema(
        summary="Danh sách đợt đánh giá (lọc theo tổ chức, năm, loại, tình trạng)",
        parameters=[
            ORG_FILTER,
            OpenApiParameter("year", OpenApiTypes.INT, description="Năm."),
            OpenApiParameter("kind", OpenApiTypes.STR, description="year, quarter, term, ad_hoc, imported"),
            OpenApiParameter("state", OpenApiTypes.STR, description="open, reviewing, deciding, published"),
        ],
        responses={200: serializers.EvaluationPeriodSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = filters.PeriodFilter(
            request.query_params, queryset=queries.periods(request.user), request=request, api=True
        ).qs
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(serializers.EvaluationPeriodSerializer(page, many=True).data)

    @extend_schema(
        summary="Mở đợt đánh giá cho cây con của một tổ chức (lập danh sách đối tượng theo ngày cuối kỳ)",
        request=serializers.EvaluationPeriodInput,
        responses={201: serializers.EvaluationPeriodSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        d = validated(serializers.EvaluationPeriodInput(data=request.data))
        org = scoped_orgs(request.user, EVALUATE).filter(code__iexact=nfc(d["org"])).first()
        if org is None:
            raise input_error(
                f"Không có tổ chức mã “{d['org']}” trong phạm vi bạn được quyền đánh giá.", "org"
            )
        period = services.open_period(
            request.user,
            org,
            services.PeriodInput(
                kind=d["kind"],
                year=d["year"],
                date_from=d["date_from"],
                date_to=d["date_to"],
                title=d["title"],
                self_due=d["self_due"],
                review_due=d["review_due"],
                decision_due=d["decision_due"],
                subjects=tuple(d["subjects"]),
                include_root=d["include_root"],
            ),
        )
        return Response(
            serializers.EvaluationPeriodSerializer(_period(request, period.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class PeriodDetailView(CosoAPI):
    @extend_schema(
        summary="Một đợt đánh giá", responses={200: serializers.EvaluationPeriodSerializer, **ERRORS}
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(serializers.EvaluationPeriodSerializer(_period(request, pk)).data)


class PeriodAdvanceView(CosoAPI):
    @extend_schema(
        summary="Chuyển đợt sang bước sau (open → reviewing → deciding)",
        request=serializers.EvaluationAdvanceInput,
        responses={200: serializers.EvaluationPeriodSerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        period = _period(request, pk, EVALUATE)
        d = validated(serializers.EvaluationAdvanceInput(data=request.data))
        services.advance(request.user, period, d["state"], expected_version=d["version"])
        return Response(serializers.EvaluationPeriodSerializer(_period(request, pk)).data)


class PeriodPublishView(CosoAPI):
    @extend_schema(
        summary="Công bố kết quả (mọi đối tượng được đánh giá phải đã có mức quyết định)",
        request=serializers.EvaluationPublishInput,
        responses={200: serializers.EvaluationPeriodSerializer, **ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        period = _period(request, pk, EVALUATE)
        d = validated(serializers.EvaluationPublishInput(data=request.data))
        services.publish(request.user, period, on=d["on"])
        return Response(serializers.EvaluationPeriodSerializer(_period(request, pk)).data)


class PeriodEntriesView(CosoAPI, generics.GenericAPIView):  # type: ignore[type-arg]
    serializer_class = serializers.EvaluationEntrySerializer
    queryset = Evaluation.objects.none()

    @extend_schema(
        summary="Các đối tượng của đợt (lọc theo đối tượng, tình trạng, tổ chức)",
        parameters=[
            OpenApiParameter("subject", OpenApiTypes.STR, description="org hoặc member"),
            OpenApiParameter(
                "state",
                OpenApiTypes.STR,
                description="pending, self_assessed, reviewed, decided, not_evaluated",
            ),
            ORG_FILTER,
            OpenApiParameter("level", OpenApiTypes.STR, description="Mã mức đã quyết định."),
        ],
        responses={200: serializers.EvaluationEntrySerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        period = _period(request, pk)
        qs = filters.EntryFilter(
            request.query_params,
            queryset=queries.entries(request.user, period).select_related("period", "period__scheme"),
            request=request,
            api=True,
        ).qs
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(serializers.EvaluationEntrySerializer(page, many=True).data)


class PeriodProgressView(CosoAPI):
    @extend_schema(
        summary="Tiến độ: ai chưa tự đánh giá, chưa được nhận xét, chưa được quyết định; hạn đã quá",
        parameters=[AS_OF],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        period = _period(request, pk)
        return Response(queries.progress(request.user, period, as_of(request)).as_json())


class PeriodDecisionView(CosoAPI):
    @extend_schema(
        summary="Bảng quyết định: đề xuất, quy định bị vi phạm, kết quả sinh hoạt của chi bộ",
        description=(
            "Có phân trang (?page=, ?page_size= đến 1000; mặc định 100 dòng): `count` là tổng số dòng, `next` và "
            "`previous` là địa chỉ trang sau, trang trước, `lines` là các dòng của trang."
        ),
        parameters=[PAGE, PAGE_SIZE],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        period = _period(request, pk)
        pager = Pagination()
        ids = pager.paginate_queryset(
            queries.sheet_entries(request.user, period).values_list("pk", flat=True), request
        )
        lines = queries.decision_sheet(request.user, period, only=ids or [])
        return Response(
            {
                "period": period.pk,
                "version": period.version,
                "count": pager.page.paginator.count if pager.page is not None else 0,
                "next": pager.get_next_link(),
                "previous": pager.get_previous_link(),
                "lines": [x.as_json() for x in lines],
            }
        )

    @extend_schema(
        summary="Quyết định xếp loại hàng loạt (cả lô hoặc không dòng nào; dòng vi phạm quy định cần lý do)",
        request=serializers.EvaluationDecisionInput,
        responses={200: serializers.EvaluationDecisionResultSerializer, 400: serializers.EvaluationDecisionRefusedSerializer, **{
            k: v for k, v in CHANGE_ERRORS.items() if k != 400
        }},
    )  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        period = _period(request, pk, EVALUATE)
        d = validated(serializers.EvaluationDecisionInput(data=request.data))
        ids = [line["entry"] for line in d["items"]]
        found = {e.pk: e for e in queries.entries(request.user, period, EVALUATE).filter(pk__in=ids)}
        items = []
        for i, line in enumerate(d["items"]):
            entry = found.get(line["entry"])
            if entry is None:
                raise input_error(
                    f"Dòng {line['entry']} không thuộc đợt đánh giá này hoặc không thuộc phạm vi của bạn.",
                    f"items[{i}].entry",
                )
            level = _level(period, entry.subject, line["level"], f"items[{i}].level")
            assert level is not None  # a required field
            items.append(services.DecisionInput(entry, level, line["justification"], line["version"]))
        try:
            rows = services.decide(request.user, period, items, on=d["on"])
        except services.DecisionRefused as exc:
            return _refused(exc)
        decided = list(Evaluation.objects.select_related(*ENTRY_RELATED).filter(pk__in=[r.pk for r in rows]))
        return Response(
            {
                "decided": serializers.EvaluationEntrySerializer(decided, many=True).data,
                "findings": {str(e.pk): e.warnings for e in decided if e.warnings},
            }
        )


# ------------------------------------------------------------------------------------------- entries


class MyEntriesView(CosoAPI):
    @extend_schema(
        summary="Các kết quả đánh giá của chính tôi (đảng viên có tài khoản liên kết)",
        responses={200: serializers.EvaluationEntrySerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        member_id = _own_member(request)
        qs: QuerySet[Evaluation] = Evaluation.objects.none()
        if member_id is not None:
            qs = Evaluation.objects.select_related(*ENTRY_RELATED).filter(
                subject=Subject.MEMBER, member_id=member_id
            )
        return self.paged(request, qs.order_by("-year", "-id"), serializers.EvaluationEntrySerializer)


class EntryDetailView(CosoAPI):
    @extend_schema(
        summary="Một đối tượng của đợt đánh giá",
        responses={200: serializers.EvaluationEntrySerializer, **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        return _entry_response(_entry(request, pk, own=True))


class SelfAssessmentView(CosoAPI):
    @extend_schema(
        summary="Tự đánh giá (đảng viên tự ghi qua tài khoản liên kết, hoặc chi bộ / cấp ủy ghi thay)",
        request=serializers.EvaluationSelfAssessmentInput,
        responses={200: serializers.EvaluationEntrySerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        entry = _entry(request, pk, own=True)
        d = validated(serializers.EvaluationSelfAssessmentInput(data=request.data))
        level = _level(entry.period, entry.subject, d["level"], "level")
        entry = services.submit_self_assessment(
            request.user,
            entry,
            scores=d["scores"],
            comment=d["comment"],
            level=level,
            expected_version=d["version"],
        )
        return _entry_response(entry)


class ReviewView(CosoAPI):
    @extend_schema(
        summary="Nhận xét, đề xuất mức xếp loại (chi bộ cho đảng viên, cơ quan thẩm định cho tổ chức)",
        request=serializers.EvaluationReviewInput,
        responses={200: serializers.EvaluationEntrySerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        entry = _entry(request, pk, EVALUATE)
        d = validated(serializers.EvaluationReviewInput(data=request.data))
        entry = services.review(
            request.user,
            entry,
            level=_level(entry.period, entry.subject, d["level"], "level"),
            comment=d["comment"],
            votes_for=d["votes_for"],
            votes_against=d["votes_against"],
            scores=d["scores"],
            expected_version=d["version"],
        )
        return _entry_response(entry)


class FactsView(CosoAPI):
    @extend_schema(
        summary="Ghi số liệu cho các điều kiện xếp loại tổ chức (% chỉ tiêu, kỷ luật)",
        request=serializers.EvaluationFactsInput,
        responses={200: serializers.EvaluationEntrySerializer, **CHANGE_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        entry = _entry(request, pk, EVALUATE)
        d = validated(serializers.EvaluationFactsInput(data=request.data))
        entry = services.record_facts(request.user, entry, d["facts"], expected_version=d["version"])
        return _entry_response(entry)


class ReconsiderView(CosoAPI):
    @extend_schema(
        summary="Các quyết định xem xét lại của một kết quả",
        responses={200: serializers.EvaluationReconsiderationSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        entry = _entry(request, pk, own=True)
        rows = entry.reconsiderations.select_related("level_before", "level_after").order_by(
            "decided_on", "id"
        )
        return self.paged(request, rows, serializers.EvaluationReconsiderationSerializer)

    @extend_schema(
        summary="Xem xét lại một kết quả đã quyết định (số, ngày, cấp quyết định, lý do; giữ mức trước → sau)",
        request=serializers.EvaluationReconsiderInput,
        responses={201: serializers.EvaluationReconsiderationSerializer, 400: serializers.EvaluationDecisionRefusedSerializer, **{
            k: v for k, v in CHANGE_ERRORS.items() if k != 400
        }},
    )  # fmt: skip
    def post(self, request: Request, pk: int) -> Response:
        entry = _entry(request, pk, EVALUATE)
        d = validated(serializers.EvaluationReconsiderInput(data=request.data))
        level = _level(entry.period, entry.subject, d["level"], "level")
        assert level is not None
        try:
            row = services.reconsider(
                request.user,
                entry,
                level=level,
                number=d["number"],
                decided_on=d["decided_on"],
                body=d["body"],
                reason=d["reason"],
                justification=d["justification"],
                expected_version=d["version"],
            )
        except services.DecisionRefused as exc:
            return _refused(exc)
        return Response(
            serializers.EvaluationReconsiderationSerializer(row).data, status=status.HTTP_201_CREATED
        )


# ------------------------------------------------------------------------------------------- reports


class ResultsView(CosoAPI):
    @extend_schema(
        summary="Kết quả xếp loại của cây con theo mức (số lượng, tỉ lệ), người không được đánh giá và lý do",
        description="Cùng nội dung với `coso report evaluation --json` (queries.results(...).as_json()).",
        parameters=[
            CODE,
            YEAR,
            AS_OF,
            OpenApiParameter("period", OpenApiTypes.INT, description="Một đợt thay cho cả năm."),
            OpenApiParameter(
                "published_only", OpenApiTypes.BOOL, description="Chỉ kết quả đã công bố (mặc định true)."
            ),
        ],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        org = _org(request, code)
        period_id = query_int(request, "period", minimum=1)
        period = _period(request, period_id) if period_id is not None else None
        year = query_year(request, "year", required=period is None)
        published = query_bool(request, "published_only")
        result = queries.results(
            request.user,
            org,
            year,
            period=period,
            as_of=as_of(request),
            published_only=True if published is None else published,
        )
        return Response(result.as_json())


class TrendsView(CosoAPI):
    @extend_schema(
        summary="Diễn biến qua các năm: mức của chính tổ chức và số lượng theo bậc của cây con",
        parameters=[
            CODE,
            OpenApiParameter("from", OpenApiTypes.INT, description="Từ năm (mặc định 5 năm trước năm đến)."),
            OpenApiParameter(
                "to", OpenApiTypes.INT, description="Đến năm (mặc định năm trước năm của as_of)."
            ),
            AS_OF,
        ],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        org = _org(request, code)
        on = as_of(request)
        year_to = query_year(request, "to", default=on.year - 1)
        assert year_to is not None
        year_from = query_year(request, "from", default=max(FIRST_YEAR, year_to - 4))
        assert year_from is not None
        if year_from > year_to or year_to - year_from > 30:
            raise input_error("Khoảng năm không hợp lệ (from ≤ to, tối đa 30 năm).", "from")
        rows = queries.trends(request.user, org, year_from, year_to, as_of=on)
        return Response(
            {"org": org.code, "rank_note": queries.rules.RANK_NOTE, "years": [r.as_json() for r in rows]}
        )


class WeakUnitsView(CosoAPI):
    @extend_schema(
        summary="Tổ chức xếp loại không hoàn thành nhiệm vụ (yếu kém) trong năm, với các năm trước",
        parameters=[
            CODE,
            YEAR,
            OpenApiParameter("history", OpenApiTypes.INT, description="Số năm trước (mặc định 3)."),
            AS_OF,
        ],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        org = _org(request, code)
        year = query_year(request, "year", required=True)
        assert year is not None
        history = query_int(request, "history", default=3, minimum=0, maximum=30)
        rows = queries.weak_units(request.user, org, year, as_of=as_of(request), history=history or 0)
        return Response({"org": org.code, "year": year, "units": rows})


class SchemeListView(CosoAPI):
    @extend_schema(
        summary="Các phương thức xếp loại và các mức; ?on= cho biết phương thức áp dụng ngày đó",
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE, description="Ngày (YYYY-MM-DD).")],
        responses={200: serializers.EvaluationSchemeSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        qs = Scheme.objects.prefetch_related("levels").order_by("pk")
        raw = (request.query_params.get("on") or "").strip()
        if raw:
            on = query_date(request, "on")
            assert on is not None
            qs = qs.filter(pk=checks.scheme_on(on)[0].pk)
        return self.paged(request, qs, serializers.EvaluationSchemeSerializer)


class ImportView(CosoAPI):
    parser_classes = [MultiPartParser, FormParser, JSONParser]  # JSON: a clear 400 naming `file`

    @extend_schema(
        summary="Nhập kết quả xếp loại các năm trước từ Excel (dry_run: chỉ kiểm tra; có lỗi thì không ghi gì)",
        request={"multipart/form-data": serializers.EvaluationImportInput},
        responses={
            200: serializers.EvaluationImportResultSerializer,
            201: serializers.EvaluationImportResultSerializer,
            **ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        d = validated(serializers.EvaluationImportInput(data=request.data))
        upload = d["file"]
        # a file that is not an .xlsx workbook or is too large to read: 400 {"detail", "field": "file"}, unread
        check_xlsx(upload, name=getattr(upload, "name", ""))
        result = importer.import_evaluations(
            upload, request.user, dry_run=d["dry_run"], filename=getattr(upload, "name", "")
        )
        code: int = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        if not result.ok:
            code = status.HTTP_400_BAD_REQUEST
        return Response(serializers.import_result_data(result), status=code)


# URL routes under /api/v1/evaluation/ (registered in coso/api_urls.py): (route, view, name)
ROUTES = [
    ("periods/", PeriodListView, "evaluation-period-list"),
    ("periods/<id:pk>/", PeriodDetailView, "evaluation-period-detail"),
    ("periods/<id:pk>/advance/", PeriodAdvanceView, "evaluation-period-advance"),
    ("periods/<id:pk>/publish/", PeriodPublishView, "evaluation-period-publish"),
    ("periods/<id:pk>/entries/", PeriodEntriesView, "evaluation-period-entries"),
    ("periods/<id:pk>/progress/", PeriodProgressView, "evaluation-period-progress"),
    ("periods/<id:pk>/decisions/", PeriodDecisionView, "evaluation-period-decisions"),
    ("entries/mine/", MyEntriesView, "evaluation-my-entries"),
    ("entries/<id:pk>/", EntryDetailView, "evaluation-entry-detail"),
    ("entries/<id:pk>/self-assessment/", SelfAssessmentView, "evaluation-entry-self"),
    ("entries/<id:pk>/review/", ReviewView, "evaluation-entry-review"),
    ("entries/<id:pk>/facts/", FactsView, "evaluation-entry-facts"),
    ("entries/<id:pk>/reconsiderations/", ReconsiderView, "evaluation-entry-reconsider"),
    ("results/<str:code>/", ResultsView, "evaluation-results"),
    ("trends/<str:code>/", TrendsView, "evaluation-trends"),
    ("weak-units/<str:code>/", WeakUnitsView, "evaluation-weak-units"),
    ("schemes/", SchemeListView, "evaluation-schemes"),
    ("import/", ImportView, "evaluation-import"),
]
