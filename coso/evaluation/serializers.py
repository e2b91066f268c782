"""Serializers of the evaluation API (coso/evaluation/api.py): what is read, and the request bodies.

States, kinds and subjects are plain strings in the schema (their values are listed in the descriptions): the
services check them and refuse in Vietnamese, naming the rule.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from coso.core.api import ErrorSerializer, InputSerializer, VersionField

from .models import Evaluation, EvaluationPeriod, Level, Reconsideration, Scheme

# ------------------------------------------------------------------------------------------------ reading


class EvaluationLevelSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    subject = serializers.CharField(help_text="org (tổ chức) hoặc member (đảng viên)")

    class Meta:
        model = Level
        fields = ["id", "subject", "code", "name", "rank", "min_score"]


class EvaluationSchemeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    levels = EvaluationLevelSerializer(many=True)

    class Meta:
        model = Scheme
        fields = ["code", "name", "scored", "levels"]


class EvaluationPeriodSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    org = serializers.CharField(source="org.code")
    kind = serializers.CharField(help_text="year, quarter, term, ad_hoc, imported")
    kind_display = serializers.CharField(source="get_kind_display")
    state = serializers.CharField(help_text="open, reviewing, deciding, published")
    state_display = serializers.CharField(source="get_state_display")
    scheme = serializers.CharField(source="scheme.code")
    scheme_name = serializers.CharField(source="scheme.name")
    ruleset_source = serializers.CharField(source="ruleset.source")

    class Meta:
        model = EvaluationPeriod
        fields = [
            "id",
            "org",
            "kind",
            "kind_display",
            "year",
            "date_from",
            "date_to",
            "title",
            "scheme",
            "scheme_name",
            "ruleset_source",
            "criteria",
            "self_due",
            "review_due",
            "decision_due",
            "state",
            "state_display",
            "published_on",
            "source",
            "version",
        ]


def _code(level: Level | None) -> str | None:
    return level.code if level is not None else None


class EvaluationEntrySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    subject = serializers.CharField(help_text="org (tổ chức) hoặc member (đảng viên)")
    state = serializers.CharField(help_text="pending, self_assessed, reviewed, decided, not_evaluated")
    state_display = serializers.CharField(source="get_state_display")
    member_name = serializers.SerializerMethodField()
    org = serializers.CharField(source="org.code")
    self_level = serializers.SerializerMethodField()
    proposed_level = serializers.SerializerMethodField()
    level = serializers.SerializerMethodField()
    level_name = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "version",
            "period",
            "year",
            "subject",
            "member",
            "member_name",
            "org",
            "is_grassroots",
            "state",
            "state_display",
            "not_evaluated_reason",
            "self_scores",
            "self_comment",
            "self_level",
            "self_at",
            "review_scores",
            "review_comment",
            "votes_for",
            "votes_against",
            "proposed_level",
            "reviewed_at",
            "facts",
            "level",
            "level_name",
            "rank",
            "decided_on",
            "justification",
            "warnings",
        ]

    def get_member_name(self, obj: Evaluation) -> str | None:
        return obj.member.full_name if obj.member_id and obj.member is not None else None

    def get_self_level(self, obj: Evaluation) -> str | None:
        return _code(obj.self_level)

    def get_proposed_level(self, obj: Evaluation) -> str | None:
        return _code(obj.proposed_level)

    def get_level(self, obj: Evaluation) -> str | None:
        return _code(obj.level)

    def get_level_name(self, obj: Evaluation) -> str | None:
        return obj.level.name if obj.level is not None else None


class EvaluationReconsiderationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    level_before = serializers.CharField(source="level_before.code")
    level_after = serializers.CharField(source="level_after.code")

    class Meta:
        model = Reconsideration
        fields = [
            "id",
            "evaluation",
            "number",
            "decided_on",
            "body",
            "reason",
            "level_before",
            "level_after",
            "justification",
            "warnings",
            "created_at",
        ]


class EvaluationFindingSerializer(serializers.Serializer):  # type: ignore[type-arg]
    rule = serializers.CharField()
    name = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.source
    message = serializers.CharField()


class EvaluationRefusalSerializer(serializers.Serializer):  # type: ignore[type-arg]
    entry = serializers.IntegerField()
    findings = EvaluationFindingSerializer(many=True)


class EvaluationDecisionRefusedSerializer(ErrorSerializer):
    """A refusal: a wrong input (detail, field, errors, as every 400), or a decision batch refused by a rule
    (detail, rule, and `refusals`: every line whose proposal breaks a rule and has no justification)."""

    refusals = EvaluationRefusalSerializer(many=True, required=False)


class EvaluationDecisionResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    decided = EvaluationEntrySerializer(many=True)
    findings = serializers.DictField(
        child=EvaluationFindingSerializer(many=True), help_text="mã dòng → cảnh báo đã ghi"
    )


class EvaluationRowErrorSerializer(serializers.Serializer):  # type: ignore[type-arg]
    row = serializers.IntegerField()
    column = serializers.CharField()
    value = serializers.CharField()
    message = serializers.CharField()


class EvaluationImportResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    ok = serializers.BooleanField()
    dry_run = serializers.BooleanField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    periods = serializers.ListField(child=serializers.IntegerField())
    counts = serializers.ListField(child=serializers.DictField(), help_text="[{year, subject, rows}]")
    errors = EvaluationRowErrorSerializer(many=True)  # type: ignore[assignment]  # a field, not Serializer.errors


# ------------------------------------------------------------------------------------------------ writing


class EvaluationPeriodInput(InputSerializer):
    org = serializers.CharField(label="mã tổ chức")
    kind = serializers.CharField(required=False, default="year", help_text="year, quarter, term, ad_hoc")
    year = serializers.IntegerField(required=False, allow_null=True, default=None, label="năm")
    date_from = serializers.DateField(required=False, allow_null=True, default=None, label="từ ngày")
    date_to = serializers.DateField(required=False, allow_null=True, default=None, label="đến ngày")
    title = serializers.CharField(required=False, allow_blank=True, default="", label="tên đợt")
    self_due = serializers.DateField(required=False, allow_null=True, default=None)
    review_due = serializers.DateField(required=False, allow_null=True, default=None)
    decision_due = serializers.DateField(required=False, allow_null=True, default=None)
    subjects = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=["members", "cells", "grassroots"],
        help_text="members, cells, grassroots",
    )
    include_root = serializers.BooleanField(required=False, default=False)


class EvaluationAdvanceInput(InputSerializer):
    state = serializers.CharField(label="bước", help_text="reviewing, deciding")
    version = VersionField("đợt đánh giá")


class EvaluationPublishInput(InputSerializer):
    on = serializers.DateField(required=False, allow_null=True, default=None, label="ngày công bố")


class EvaluationSelfAssessmentInput(InputSerializer):
    scores = serializers.DictField(required=False, default=dict, label="điểm tự chấm")
    comment = serializers.CharField(required=False, allow_blank=True, default="", label="tự nhận xét")
    level = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, default=None, label="mức tự xếp loại"
    )
    version = VersionField("dòng đánh giá")


class EvaluationReviewInput(InputSerializer):
    level = serializers.CharField(label="mức đề xuất", help_text="mã hoặc tên mức của phương thức của đợt")
    comment = serializers.CharField(required=False, allow_blank=True, default="", label="nhận xét")
    votes_for = serializers.IntegerField(
        required=False, allow_null=True, default=None, label="phiếu tán thành"
    )
    votes_against = serializers.IntegerField(
        required=False, allow_null=True, default=None, label="phiếu không tán thành"
    )
    scores = serializers.DictField(required=False, default=dict, label="điểm đề xuất")
    version = VersionField("dòng đánh giá")


class EvaluationFactsInput(InputSerializer):
    facts = serializers.DictField(
        label="số liệu",
        help_text="targets_met_pct, leadership_disciplined, subunits_disciplined, subunits_total (null: xóa)",
    )
    version = VersionField("dòng đánh giá")


class EvaluationDecisionLineInput(InputSerializer):
    entry = serializers.IntegerField(label="mã dòng")
    level = serializers.CharField(label="mức xếp loại")
    justification = serializers.CharField(required=False, allow_blank=True, default="", label="lý do")
    version = VersionField("dòng đánh giá")


class EvaluationDecisionInput(InputSerializer):
    items = EvaluationDecisionLineInput(many=True, label="các dòng quyết định")
    on = serializers.DateField(required=False, allow_null=True, default=None, label="ngày quyết định")


class EvaluationReconsiderInput(InputSerializer):
    level = serializers.CharField(label="mức mới")
    number = serializers.CharField(label="số quyết định")
    decided_on = serializers.DateField(label="ngày quyết định")
    body = serializers.CharField(label="cấp quyết định")
    reason = serializers.CharField(label="lý do")
    justification = serializers.CharField(required=False, allow_blank=True, default="")
    version = VersionField("dòng đánh giá")


class EvaluationImportInput(InputSerializer):
    file = serializers.FileField(label="tệp Excel")
    dry_run = serializers.BooleanField(required=False, default=False, label="chỉ kiểm tra")


def import_result_data(result: Any) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "dry_run": result.dry_run,
        "rows": len(result.plan.rows),
        "created": result.created,
        "periods": result.periods,
        "counts": [
            {"year": year, "subject": subject, "rows": n}
            for (year, subject), n in result.plan.counts().items()
        ],
        "errors": [
            {"row": e.row, "column": e.column, "value": e.value, "message": e.message} for e in result.errors
        ],
    }
