"""Quality: criteria sets and a meeting's score."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from coso.core.api import AS_OF, CHANGE_ERRORS, ERRORS, CosoAPI, as_of, validated
from coso.core.scope import restrict
from coso.orgs.filters import org_param

from .. import serializers, services
from ..models import (
    MeetingScore,
    QualityCriteriaSet,
)
from ._common import ORG_FILTER, _meeting, _org_body


class ScoreView(CosoAPI):
    @extend_schema(
        summary="Đánh giá chất lượng cuộc sinh hoạt", responses={200: serializers.ScoreSerializer, **ERRORS}
    )
    def get(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        score = MeetingScore.objects.filter(meeting=meeting).first()
        if score is None:
            raise exceptions.NotFound("Cuộc sinh hoạt này chưa được đánh giá chất lượng.")
        return Response(serializers.ScoreSerializer(score).data)

    @extend_schema(
        summary="Chấm chất lượng theo bộ tiêu chí có hiệu lực vào ngày họp (chấm lại thay điểm cũ)",
        request=serializers.ScoreInput,
        responses={200: serializers.ScoreSerializer, **CHANGE_ERRORS},
    )
    def put(self, request: Request, pk: int) -> Response:
        meeting = _meeting(request, pk)
        d = validated(serializers.ScoreInput(data=request.data))
        score = services.score_meeting(
            request.user,
            meeting,
            scores=d["scores"],
            scored_on=d["scored_on"],
            note=d["note"],
            expected_version=d["version"],
        )
        return Response(serializers.ScoreSerializer(score).data)


class CriteriaSetListView(CosoAPI):
    @extend_schema(
        summary="Bộ tiêu chí chất lượng sinh hoạt: với `org`, các bộ có hiệu lực cho tổ chức đó vào `as_of` "
        "(applies: bộ được dùng); không có `org`, mọi bộ toàn quốc và trong phạm vi của bạn",
        parameters=[ORG_FILTER, AS_OF],
        responses={200: serializers.CriteriaSetInForceSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        org = org_param(request)
        visible = QualityCriteriaSet.objects.filter(
            Q(org__isnull=True)
            | Q(pk__in=restrict(QualityCriteriaSet.objects.all(), request.user).values("pk"))
        ).select_related("org")
        if org is None:
            rows = list(visible.order_by("org_id", "effective_from", "id"))
            return self.paged(request, rows, serializers.CriteriaSetInForceSerializer)
        on = as_of(request)
        applies = services.criteria_set_for(org, on)
        period = services.org_on(org, on)
        ancestors = [int(seg) for seg in period.path.split("/") if seg]
        rows = list(
            QualityCriteriaSet.objects.filter(
                Q(org_id__in=ancestors) | Q(org__isnull=True), effective_from__lte=on
            )
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
            .select_related("org")
            .order_by("effective_from", "id")
        )
        return self.paged(
            request, rows, serializers.CriteriaSetInForceSerializer, context={"applies": applies.pk}
        )

    @extend_schema(
        summary="Ban hành bộ tiêu chí (của một cấp ủy, hoặc toàn quốc khi để trống org)",
        request=serializers.CriteriaSetInput,
        responses={201: serializers.CriteriaSetSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        d = validated(serializers.CriteriaSetInput(data=request.data))
        cs = services.save_criteria_set(
            request.user,
            org=_org_body(request, d["org"], "org"),
            name=d["name"],
            source=d["source"],
            effective_from=d["effective_from"],
            effective_to=d["effective_to"],
            criteria=d["criteria"],
            levels=d["levels"],
        )
        return Response(serializers.CriteriaSetSerializer(cs).data, status=status.HTTP_201_CREATED)
