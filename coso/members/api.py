"""API of the member registry (/api/v1/members/, /api/v1/transfers/, /api/v1/bulk-moves/).

Thin views: parse, call `coso.members.services` with `actor=request.user` (the services check the CHANGE_MEMBERS
scope) or read through `coso.core.scope.restrict`, serialize. A member out of scope answers 404; organizations
named in a body are looked up only among those the user may change, so one out of scope reads as unknown. Every
read of a member's record is logged (who, when), as on the pages.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from coso.core.api import (
    CHANGE_ERRORS,
    ERRORS,
    CosoAPI,
    InputSerializer,
    VersionField,
    input_error,
    validated,
)
from coso.core.scope import CHANGE_MEMBERS, get_scoped, restrict
from coso.core.text import nfc
from coso.orgs.models import Organization
from coso.orgs.queries import orgs as scoped_orgs

from . import filters, services
from .models import (
    Discipline,
    Ethnicity,
    Gender,
    Member,
    MemberFlag,
    Membership,
    MemberStatus,
    Occupation,
    Qualification,
    Religion,
    TheoryLevel,
    Transfer,
)

# ------------------------------------------------------------------------------------------- reading


class StatusSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = MemberStatus
        fields = ["status", "status_display", "valid_from", "valid_to", "decision_number", "decision_date"]


class MembershipSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    org = serializers.CharField(source="org.code")

    class Meta:
        model = Membership
        fields = ["org", "kind", "valid_from", "valid_to"]


class FlagSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = MemberFlag
        fields = ["kind", "valid_from", "valid_to", "decision_number", "reason"]


class DisciplineSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Discipline
        fields = [
            "id",
            "form",
            "violation_on",
            "decided_on",
            "deciding_body",
            "decision_number",
            "self_found",
        ]


class TransferSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.full_name")
    from_org = serializers.SerializerMethodField()
    to_org = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = [
            "id",
            "member",
            "member_name",
            "kind",
            "state",
            "from_org",
            "from_outside",
            "to_org",
            "to_outside",
            "left_on",
            "letter_number",
            "present_by",
            "paperwork_due",
            "return_due",
            "arrived_on",
            "returned_on",
            "dues_paid_to",
        ]

    def get_from_org(self, obj: Transfer) -> str | None:
        return obj.from_org.code if obj.from_org else None

    def get_to_org(self, obj: Transfer) -> str | None:
        return obj.to_org.code if obj.to_org else None


class MemberItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    ethnicity = serializers.CharField(source="ethnicity.name")
    religion = serializers.CharField(source="religion.name")
    home_org = serializers.CharField(source="home_org.code")
    status_display = serializers.CharField(source="get_status_display")

    class Meta:
        model = Member
        fields = [
            "id",
            "full_name",
            "birth_date",
            "gender",
            "ethnicity",
            "religion",
            "citizen_id",
            "card_number",
            "admission_decided_on",
            "joined_on",
            "recognised_on",
            "status",
            "status_display",
            "home_org",
            "version",
        ]


class MemberDetailSerializer(MemberItemSerializer):
    statuses = StatusSerializer(many=True)
    memberships = MembershipSerializer(many=True)
    flags = FlagSerializer(many=True)
    disciplines = DisciplineSerializer(many=True)
    transfers = TransferSerializer(many=True)

    class Meta(MemberItemSerializer.Meta):
        fields = [
            *MemberItemSerializer.Meta.fields,
            "vitae_number",
            "statuses",
            "memberships",
            "flags",
            "disciplines",
            "transfers",
        ]


# ------------------------------------------------------------------------------------------- writing


def _cell(user: Any, code: str | None, field: str) -> Organization | None:
    if not code:
        return None
    org = scoped_orgs(user, CHANGE_MEMBERS).filter(code__iexact=nfc(code)).first()
    if org is None:
        raise input_error(f"Không có tổ chức mã “{code}” trong phạm vi bạn được quyền thay đổi.", field)
    return org


def _named(model: Any, name: str | None, field: str, *, required: bool = True) -> Any:
    if not name:
        if required:
            raise input_error("Hãy nhập giá trị.", field)
        return None
    found = model.objects.filter(name__iexact=nfc(name)).first()
    if found is None:
        raise input_error(f"“{name}” không có trong danh mục {model._meta.verbose_name}.", field)
    return found


class AdmitInput(InputSerializer):
    full_name = serializers.CharField(max_length=150)
    birth_date = serializers.DateField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    ethnicity = serializers.CharField()
    religion = serializers.CharField()
    citizen_id = serializers.CharField(required=False, allow_blank=True, default="")
    card_number = serializers.CharField(required=False, allow_blank=True, default="")
    cell = serializers.CharField()
    admission_decided_on = serializers.DateField()
    joined_on = serializers.DateField()
    decision_number = serializers.CharField(required=False, allow_blank=True, default="")
    over_60_approval = serializers.CharField(required=False, allow_blank=True, default="")
    education = serializers.CharField(required=False, allow_blank=True, default="")
    qualification = serializers.CharField(required=False, allow_blank=True, default="")
    theory_level = serializers.ChoiceField(choices=TheoryLevel.values, required=False, default="")
    occupation = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionDateInput(InputSerializer):
    on = serializers.DateField()
    decision_number = serializers.CharField(required=False, allow_blank=True, default="")
    decision_date = serializers.DateField(required=False, allow_null=True, default=None)
    version = VersionField("hồ sơ đảng viên")


class ExitInput(DecisionDateInput):
    status = serializers.ChoiceField(choices=services.EXIT_CHOICES)
    issuer = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FlagInput(InputSerializer):
    kind = serializers.ChoiceField(choices=MemberFlag.Kind.values)
    on = serializers.DateField()
    end = serializers.BooleanField(required=False, default=False)
    decision_number = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = VersionField("hồ sơ đảng viên")


class DisciplineInput(InputSerializer):
    form = serializers.ChoiceField(choices=Discipline.Form.values)
    violation_on = serializers.DateField()
    decided_on = serializers.DateField()
    deciding_body = serializers.CharField()
    decision_number = serializers.CharField(required=False, allow_blank=True, default="")
    self_found = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = VersionField("hồ sơ đảng viên")


class TransferInput(InputSerializer):
    kind = serializers.ChoiceField(choices=Transfer.Kind.values)
    left_on = serializers.DateField()
    to_org = serializers.CharField(required=False, allow_blank=True, default="")
    to_outside = serializers.CharField(required=False, allow_blank=True, default="")
    letter_number = serializers.CharField(required=False, allow_blank=True, default="")
    return_due = serializers.DateField(required=False, allow_null=True, default=None)
    dues_paid_to = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = VersionField("hồ sơ đảng viên")


class DateInput(InputSerializer):
    on = serializers.DateField()


class BulkMoveInput(InputSerializer):
    from_cell = serializers.CharField(help_text="Mã chi bộ chuyển đi")
    on = serializers.DateField()
    reason = serializers.CharField()
    decision_number = serializers.CharField(required=False, allow_blank=True, default="")
    to = serializers.CharField(required=False, allow_blank=True, default="", help_text="Chi bộ nhận tất cả")
    mapping = serializers.DictField(
        child=serializers.CharField(), required=False, default=dict, help_text="id đảng viên → mã chi bộ nhận"
    )


def _members(request: Request) -> QuerySet[Member]:
    return restrict(Member.objects.all(), request.user).select_related("ethnicity", "religion", "home_org")


class MemberViewSet(CosoAPI, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Members in the user's scope."""

    lookup_value_regex = r"[^/]+"  # an id that is not a number is a 400 (CosoAPI)

    serializer_class = MemberItemSerializer
    queryset = Member.objects.none()

    def get_queryset(self) -> QuerySet[Member]:
        params = self.request.query_params
        return filters.MemberFilter(
            params, queryset=_members(self.request), request=self.request, api=True
        ).qs

    @extend_schema(
        summary="Danh sách đảng viên (thứ tự tiếng Việt theo tên, tìm không dấu)",
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description="Họ tên, không phân biệt dấu; hoặc đúng số thẻ đảng viên, số CCCD.",
            ),
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                description="Tình trạng (official, probationary ...; active: chính thức hoặc dự bị).",
            ),
            OpenApiParameter(
                "under", OpenApiTypes.STR, description="Mã tổ chức: đảng viên sinh hoạt trong đó."
            ),
        ],
        responses={200: MemberItemSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Hồ sơ đảng viên (mỗi lượt xem được ghi lại)",
        responses={200: MemberDetailSerializer, **ERRORS},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        member = get_scoped(Member.objects.all(), request.user, pk=pk)
        services.log_view(request.user, member, request)
        return Response(MemberDetailSerializer(member).data)

    @extend_schema(
        summary="Kết nạp đảng viên (dự bị)",
        request=AdmitInput,
        responses={201: MemberDetailSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        d = validated(AdmitInput(data=request.data))
        cell = _cell(request.user, d["cell"], "cell")
        assert cell is not None  # a required field
        identity = services.Identity(
            full_name=d["full_name"],
            birth_date=d["birth_date"],
            gender=d["gender"],
            ethnicity=_named(Ethnicity, d["ethnicity"], "ethnicity"),
            religion=_named(Religion, d["religion"], "religion"),
            citizen_id=d["citizen_id"],
            card_number=d["card_number"],
        )
        profile = services.Profile(
            education=d["education"],
            theory_level=d["theory_level"],
            qualification=_named(Qualification, d["qualification"], "qualification", required=False),
            occupation=_named(Occupation, d["occupation"], "occupation", required=False),
        )
        member = services.admit(
            request.user,
            identity,
            cell=cell,
            admission_decided_on=d["admission_decided_on"],
            joined_on=d["joined_on"],
            decision_number=d["decision_number"],
            over_60_approval=d["over_60_approval"],
            profile=profile,
        )
        return Response(MemberDetailSerializer(member).data, status=status.HTTP_201_CREATED)

    def _member(self, request: Request, pk: str) -> Member:
        return get_scoped(Member.objects.all(), request.user, pk=pk)

    @extend_schema(
        summary="Công nhận chính thức",
        request=DecisionDateInput,
        responses={200: MemberDetailSerializer, **CHANGE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def recognise(self, request: Request, pk: str) -> Response:
        member = self._member(request, pk)
        d = validated(DecisionDateInput(data=request.data))
        member = services.recognise(
            request.user,
            member,
            on=d["on"],
            decision_number=d["decision_number"],
            decision_date=d["decision_date"],
            expected_version=d["version"],
        )
        return Response(MemberDetailSerializer(member).data)

    @extend_schema(
        summary="Xóa tên, khai trừ, ra khỏi Đảng, từ trần, không công nhận chính thức",
        request=ExitInput,
        responses={200: MemberDetailSerializer, **CHANGE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="exit", url_name="exit")
    def exit_(self, request: Request, pk: str) -> Response:
        member = self._member(request, pk)
        d = validated(ExitInput(data=request.data))
        member = services.end_membership(
            request.user,
            member,
            status=d["status"],
            on=d["on"],
            decision_number=d["decision_number"],
            decision_date=d["decision_date"],
            issuer=d["issuer"],
            note=d["note"],
            expected_version=d["version"],
        )
        return Response(MemberDetailSerializer(member).data)

    @extend_schema(
        summary="Miễn / đình chỉ sinh hoạt, hoặc kết thúc (end=true)",
        request=FlagInput,
        responses={200: MemberDetailSerializer, **CHANGE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def flags(self, request: Request, pk: str) -> Response:
        member = self._member(request, pk)
        d = validated(FlagInput(data=request.data))
        if d["end"]:
            services.end_flag(request.user, member, kind=d["kind"], on=d["on"], expected_version=d["version"])
        else:
            services.set_flag(
                request.user,
                member,
                kind=d["kind"],
                on=d["on"],
                decision_number=d["decision_number"],
                reason=d["reason"],
                expected_version=d["version"],
            )
        member.refresh_from_db()
        return Response(MemberDetailSerializer(member).data)

    @extend_schema(
        summary="Ghi kỷ luật", request=DisciplineInput, responses={201: DisciplineSerializer, **CHANGE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def discipline(self, request: Request, pk: str) -> Response:
        member = self._member(request, pk)
        d = validated(DisciplineInput(data=request.data))
        version = d.pop("version")
        record = services.record_discipline(request.user, member, **d, expected_version=version)
        return Response(DisciplineSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cấp giấy giới thiệu chuyển sinh hoạt",
        request=TransferInput,
        responses={201: TransferSerializer, **CHANGE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: str) -> Response:
        member = self._member(request, pk)
        d = validated(TransferInput(data=request.data))
        data = services.TransferInput(
            kind=d["kind"],
            left_on=d["left_on"],
            to_org=_cell(request.user, d["to_org"], "to_org"),
            to_outside=d["to_outside"],
            letter_number=d["letter_number"],
            return_due=d["return_due"],
            dues_paid_to=d["dues_paid_to"],
            reason=d["reason"],
        )
        transfer = services.issue_transfer(request.user, member, data, expected_version=d["version"])
        return Response(TransferSerializer(transfer).data, status=status.HTTP_201_CREATED)


class TransferViewSet(CosoAPI, mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Transfers seen from either side (sending or receiving cell's subtree)."""

    lookup_value_regex = r"[^/]+"  # an id that is not a number is a 400 (CosoAPI)

    serializer_class = TransferSerializer
    queryset = Transfer.objects.none()

    def get_queryset(self) -> QuerySet[Transfer]:
        qs = restrict(Transfer.objects.all(), self.request.user).select_related(
            "member", "from_org", "to_org"
        )
        state = self.request.query_params.get("state")
        return qs.filter(state=state) if state else qs

    @extend_schema(
        summary="Chuyển sinh hoạt đảng",
        parameters=[OpenApiParameter("state", OpenApiTypes.STR, description="issued, arrived ...")],
        responses={200: TransferSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Một lần chuyển sinh hoạt", responses={200: TransferSerializer, **ERRORS})
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(TransferSerializer(get_scoped(Transfer.objects.all(), request.user, pk=pk)).data)

    @extend_schema(
        summary="Chi bộ nhận xác nhận đảng viên đã đến",
        request=DateInput,
        responses={200: TransferSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def arrive(self, request: Request, pk: str) -> Response:
        found = get_scoped(Transfer.objects.all(), request.user, pk=pk)
        d = validated(DateInput(data=request.data))
        transfer = services.confirm_arrival(request.user, found, on=d["on"])
        return Response(TransferSerializer(transfer).data)

    @extend_schema(
        summary="Đảng viên sinh hoạt tạm thời trở về",
        request=DateInput,
        responses={200: TransferSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        found = get_scoped(Transfer.objects.all(), request.user, pk=pk)
        d = validated(DateInput(data=request.data))
        transfer = services.confirm_return(request.user, found, on=d["on"])
        return Response(TransferSerializer(transfer).data)


class BulkMoveResult(serializers.Serializer):  # type: ignore[type-arg]
    moved = serializers.IntegerField()


class BulkMoveView(CosoAPI):
    """Move every member of a cell at once (a dissolved or merged cell): to one cell, or by a mapping."""

    @extend_schema(
        summary="Chuyển toàn bộ đảng viên của một chi bộ (một quyết định, tất cả hoặc không)",
        request=BulkMoveInput,
        responses={200: BulkMoveResult, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        d = validated(BulkMoveInput(data=request.data))
        source = _cell(request.user, d["from_cell"], "from_cell")
        assert source is not None
        mapping: dict[int, Organization] = {}
        if d["to"]:
            target = _cell(request.user, d["to"], "to")
            ids = Membership.objects.filter(
                org=source, kind=Membership.Kind.OFFICIAL, valid_from__lte=d["on"]
            )
            ids = ids.exclude(valid_to__lte=d["on"])
            mapping = {mid: target for mid in ids.values_list("member_id", flat=True)}  # type: ignore[misc]
        for key, code in d["mapping"].items():
            if not str(key).isdigit():
                raise input_error(f"“{key}” không phải mã số đảng viên.", f"mapping.{key}")
            mapping[int(key)] = _cell(request.user, code, f"mapping.{key}")  # type: ignore[assignment]
        moved = services.bulk_move(
            request.user,
            source,
            mapping,
            on=d["on"],
            reason=d["reason"],
            decision_number=d["decision_number"],
        )
        return Response({"moved": moved})


class MemberStatisticsView(CosoAPI):
    """`coso report members` over HTTP: statistics of the members under an organization on a date."""

    @extend_schema(
        summary="Thống kê đảng viên của một tổ chức vào một ngày",
        parameters=[
            OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Mã tổ chức."),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Ngày (YYYY-MM-DD), trống là hôm nay."),
            OpenApiParameter("from", OpenApiTypes.DATE, description="Đầu kỳ tính biến động (YYYY-MM-DD)."),
        ],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        from coso.core.api import query_date
        from coso.orgs.queries import get_org

        from .queries import statistics

        org = get_org(request.user, nfc(code))
        on = query_date(request, "as_of")
        start = query_date(request, "from", default_today=False)
        return Response(statistics(request.user, org, on, period_from=start).as_json())  # type: ignore[arg-type]


class StructureChecksView(CosoAPI):
    """Warnings from the member-count rules for every cell and grassroots organization under an organization."""

    @extend_schema(
        summary="Kiểm tra cơ cấu theo số đảng viên (cảnh báo, kèm quy tắc và căn cứ)",
        parameters=[
            OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Mã tổ chức."),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Ngày (YYYY-MM-DD), trống là hôm nay."),
        ],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request: Request, code: str) -> Response:
        from coso.core.api import query_date
        from coso.orgs.queries import get_org

        from .rules import structure_warnings

        org = get_org(request.user, nfc(code))
        on = query_date(request, "as_of")
        found = structure_warnings(request.user, org, on)  # type: ignore[arg-type]
        return Response({"org": org.code, "as_of": on.isoformat(), "warnings": [w.as_json() for w in found]})  # type: ignore[union-attr]
