"""API shapes of the organization tree: what the endpoints answer, and the request bodies they parse.

Output serializers read periods, nodes and events built by `coso.orgs.queries`; they never query on their own
beyond what the view prefetched. Input serializers turn codes into objects: an organization code is looked up
only among the organizations the requester may change (`CHANGE_ORGS`), so a code out of scope reads exactly like
an unknown one and nothing leaks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coso.core.api import InputSerializer, VersionField
from coso.core.scope import CHANGE_ORGS
from coso.core.text import nfc

from . import queries, services
from .models import CellCategory, Decision, Organization, OrgKind, OrgPeriod, Restructuring

# ------------------------------------------------------------------------------------------------ reading


class OrgBriefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """An organization as it stood in one period: code, name, kind, category."""

    code = serializers.CharField(source="org.code")
    name = serializers.CharField()
    kind = serializers.CharField(source="kind.name")
    kind_code = serializers.CharField(source="kind.code")
    category = serializers.CharField(source="category.name", allow_null=True)
    category_code = serializers.CharField(source="category.code", allow_null=True)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


class OrgItemSerializer(OrgBriefSerializer):
    """One row of the list or of a subtree: the organization as it stood on the date, with its parent's code and
    name, its depth in the tree (1 = top), its dates and its version (send it back as `version` when changing it)."""

    # context: parent_names = {org id: name on the date} (coso.orgs.queries.parent_names)

    parent = serializers.CharField(source="parent.code", allow_null=True)  # type: ignore[assignment]
    parent_name = serializers.SerializerMethodField()
    depth = serializers.IntegerField()
    established_on = serializers.DateField(source="org.established_on")
    dissolved_on = serializers.DateField(source="org.dissolved_on", allow_null=True)
    version = serializers.IntegerField(source="org.version")

    def get_parent_name(self, obj: OrgPeriod) -> str | None:
        if obj.parent_id is None:
            return None
        return self.context.get("parent_names", {}).get(obj.parent_id)


class OrgDetailSerializer(OrgItemSerializer):
    """One organization on `as_of`, or its last state if it did not exist that day (`exists` is then false), with
    the organizations directly under it that day."""

    # context: as_of, exists, children (periods), parent_names

    as_of = serializers.SerializerMethodField()
    exists = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()

    def get_as_of(self, obj: OrgPeriod) -> dt.date:
        return self.context["as_of"]

    def get_exists(self, obj: OrgPeriod) -> bool:
        return bool(self.context["exists"])

    @extend_schema_field(OrgBriefSerializer(many=True))
    def get_children(self, obj: OrgPeriod) -> Any:
        return OrgBriefSerializer(self.context["children"], many=True).data


class NodeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A node of the tree with the counts of what lies under it on the date."""

    code = serializers.CharField(source="period.org.code")
    name = serializers.CharField(source="period.name")
    kind = serializers.CharField(source="period.kind.name")
    kind_code = serializers.CharField(source="period.kind.code")
    category = serializers.CharField(source="period.category.name", allow_null=True)
    category_code = serializers.CharField(source="period.category.code", allow_null=True)
    parent = serializers.CharField(source="period.parent.code", allow_null=True)  # type: ignore[assignment]
    depth = serializers.IntegerField(source="period.depth")
    version = serializers.IntegerField(source="period.org.version")
    children = serializers.IntegerField(help_text="Số tổ chức trực thuộc trực tiếp.")
    descendants = serializers.IntegerField(help_text="Số tổ chức cấp dưới (mọi cấp).")
    grassroots = serializers.IntegerField(help_text="Số tổ chức cơ sở đảng ở cấp dưới.")
    cells = serializers.IntegerField(help_text="Số chi bộ trực thuộc đảng ủy cơ sở ở cấp dưới.")


class PeriodSerializer(OrgBriefSerializer):
    """One placement period [valid_from, valid_to): parent, name, kind, category; `opened_by` and `closed_by` are
    the restructuring events that opened and closed it."""

    # context: parent_names = {period id: the parent's name on valid_from}

    parent = serializers.CharField(source="parent.code", allow_null=True)  # type: ignore[assignment]
    parent_name = serializers.SerializerMethodField()
    depth = serializers.IntegerField()
    opened_by = serializers.IntegerField(
        source="opened_by_id", allow_null=True, help_text="Sự kiện mở giai đoạn."
    )
    closed_by = serializers.IntegerField(
        source="closed_by_id", allow_null=True, help_text="Sự kiện đóng giai đoạn."
    )

    def get_parent_name(self, obj: OrgPeriod) -> str | None:
        return self.context.get("parent_names", {}).get(obj.pk)


class DecisionBriefSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Decision
        fields = ["id", "number", "signed_on", "issuer", "summary"]
        read_only_fields = fields


class EventOrgSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """An organization an event touched, with its role and its name on the event's date."""

    code = serializers.CharField(source="org.code")
    name = serializers.SerializerMethodField()
    role = serializers.CharField()
    role_display = serializers.CharField(source="get_role_display")

    def get_name(self, obj: Any) -> str:
        periods = sorted(obj.org.periods.all(), key=lambda p: (p.valid_from, p.pk))  # prefetched
        chosen = queries.nearest(periods, obj.restructuring.on)
        return chosen.name if chosen else obj.org.code


class RestructuringSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A restructuring event: the operation, its date, its decision, and the organizations it touched."""

    op_display = serializers.CharField(source="get_op_display")
    decision = DecisionBriefSerializer(allow_null=True)
    orgs = EventOrgSerializer(source="links", many=True)
    created_by = serializers.CharField(source="created_by.username", allow_null=True)

    class Meta:
        model = Restructuring
        fields = [
            "id",
            "op",
            "op_display",
            "on",
            "summary",
            "decision",
            "orgs",
            "payload",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class RestructuringResultSerializer(RestructuringSerializer):
    """The answer to a restructuring: the event, and `result`, the codes of the organizations it produced or
    changed (the new organization of an establishment or merge, the parts of a split ...)."""

    result = serializers.SerializerMethodField()

    class Meta(RestructuringSerializer.Meta):
        fields = [*RestructuringSerializer.Meta.fields, "result"]
        read_only_fields = fields

    def get_result(self, obj: Restructuring) -> list[str]:
        return list(self.context.get("result", []))


class DecisionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    org = serializers.CharField(source="org.code", help_text="Mã tổ chức liên quan.")
    file = serializers.SerializerMethodField(
        help_text="Địa chỉ tải tệp đính kèm (qua API, cần đăng nhập và quyền xem), hoặc null khi không có tệp."
    )
    file_name = serializers.CharField(read_only=True, help_text="Tên tệp khi tải lên.")
    restructurings = serializers.PrimaryKeyRelatedField[Restructuring](many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", allow_null=True)

    class Meta:
        model = Decision
        fields = [
            "id",
            "number",
            "signed_on",
            "issuer",
            "summary",
            "file",
            "file_name",
            "org",
            "restructurings",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_file(self, obj: Decision) -> str | None:
        if not obj.file:
            return None
        url = reverse("api:decision-file", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class KindSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = OrgKind
        fields = ["code", "name", "is_grassroots", "is_cell", "order", "active"]
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = CellCategory
        fields = ["code", "name", "order", "active"]
        read_only_fields = fields


class ChangeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    field = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One change of the organization or of one of its periods: who, when, what (before → after)."""

    when = serializers.DateTimeField()
    who = serializers.CharField()
    action = serializers.CharField()
    subject = serializers.CharField()
    reason = serializers.CharField()
    changes = ChangeSerializer(many=True)


class HistorySerializer(serializers.Serializer):  # type: ignore[type-arg]
    """The restructuring events that touched an organization (newest first) and the field-level change log of the
    organization and of its periods (newest first)."""

    org = serializers.CharField()
    events = RestructuringSerializer(many=True)
    changes = HistoryEntrySerializer(many=True)


class StructureSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """Counts under an organization on a date (itself excluded): grassroots organizations, cells of grassroots
    committees, everything; by kind and by kind × category."""

    # documentation only: the view answers coso.orgs.queries.structure(...).as_json()

    org = serializers.CharField()
    org_name = serializers.CharField(allow_null=True)
    as_of = serializers.DateField()
    exists = serializers.BooleanField()
    grassroots_total = serializers.IntegerField()
    cells_total = serializers.IntegerField()
    total = serializers.IntegerField()
    by_kind = serializers.DictField(child=serializers.IntegerField())
    by_category = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))


# ------------------------------------------------------------------------------------------------ parsing


def _unknown_org(label: str) -> str:
    return (
        f"Không tìm thấy tổ chức mã “{{code}}” ({label}) trong phạm vi bạn được quyền thay đổi; "
        "hãy kiểm tra lại mã."
    )


def changeable_org(context: Mapping[str, Any], code: str) -> Organization | None:
    """The organization `code` if the requester may change it; None otherwise (unknown and out of scope alike)."""
    user = context["request"].user
    return queries.orgs(user, CHANGE_ORGS).filter(code__iexact=nfc(code)).first()


@extend_schema_field(OpenApiTypes.STR)
class OrgCodeField(serializers.CharField):
    """An organization code → the organization, among those the requester may change."""

    default_error_messages = {"unknown": _unknown_org("mã tổ chức")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def vietnamese_messages(self, label: str) -> dict[str, str]:
        return {"unknown": _unknown_org(label)}

    def run_validation(self, data: Any = serializers.empty) -> Organization | None:  # type: ignore[override]
        code = super().run_validation(data)  # the text, checked (length ...), or None where null is allowed
        if code is None:
            return None
        org = changeable_org(self.context, code)
        if org is None:
            self.fail("unknown", code=code)
        return org


@extend_schema_field(OpenApiTypes.STR)
class KindField(serializers.CharField):
    """A kind given by its code or its name."""

    default_error_messages = {"unknown": "Không có loại tổ chức “{value}”."}

    def vietnamese_messages(self, label: str) -> dict[str, str]:
        return {
            "unknown": f"Không có {label} “{{value}}” đang dùng; hãy ghi mã hoặc tên trong GET /api/v1/kinds/."
        }

    def to_internal_value(self, data: Any) -> OrgKind:  # type: ignore[override]
        value = super().to_internal_value(data)
        found = queries.find_kind(value, active_only=True)
        if found is None:
            self.fail("unknown", value=value)
        return found  # type: ignore[return-value]


@extend_schema_field(OpenApiTypes.STR)
class CategoryField(serializers.CharField):
    """A category given by its code or its name (null: none)."""

    default_error_messages = {"unknown": "Không có phân loại “{value}”."}

    def vietnamese_messages(self, label: str) -> dict[str, str]:
        return {
            "unknown": f"Không có {label} “{{value}}” đang dùng; hãy ghi mã hoặc tên trong GET /api/v1/categories/."
        }

    def to_internal_value(self, data: Any) -> CellCategory:  # type: ignore[override]
        value = super().to_internal_value(data)
        found = queries.find_category(value, active_only=True)
        if found is None:
            self.fail("unknown", value=value)
        return found  # type: ignore[return-value]


PART = re.compile(r"^part:(\d+)$")


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "string", "nullable": True},
        "description": "Mã tổ chức cấp dưới → nơi chuyển đến (mã tổ chức), hoặc null: giải thể cùng.",
    }
)
class ChildMovesField(serializers.DictField):
    """{child code: destination}: a code, null (dissolved with its parent), or a marker of the operation
    ("target" in a merge, "part:N" in a split). Keys and codes are looked up among what the requester may
    change. Returns {child org id: Organization | None | marker}."""

    def __init__(self, *, markers: str = "", **kwargs: Any) -> None:
        self.markers = markers  # "target", "part" or ""
        kwargs.setdefault("child", serializers.CharField(allow_null=True, max_length=40))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> dict[int, services.Destination]:  # type: ignore[override]
        raw = super().to_internal_value(data)
        result: dict[int, services.Destination] = {}
        errors: dict[str, list[str]] = {}
        label = str(self.label or "children")
        for key, value in raw.items():
            child = changeable_org(self.context, str(key))
            if child is None:
                errors[str(key)] = [
                    f"Không tìm thấy tổ chức mã “{key}” ({label}) trong phạm vi bạn được quyền thay đổi; "
                    "hãy kiểm tra lại mã."
                ]
                continue
            destination: services.Destination
            if value is None:
                destination = services.DISSOLVE
            elif self.markers == "target" and value == services.TARGET:
                destination = services.TARGET
            elif self.markers == "part" and PART.match(value):
                destination = value
            else:
                destination = changeable_org(self.context, value)
                if destination is None:
                    errors[str(key)] = [
                        f"Không tìm thấy tổ chức mã “{value}” (nơi chuyển đến của {key}) trong phạm vi bạn được "
                        "quyền thay đổi; hãy kiểm tra lại mã."
                    ]
                    continue
            result[child.pk] = destination
        if errors:
            raise serializers.ValidationError(errors)
        return result


class DecisionInput(InputSerializer):
    """The decision an operation rests on: number, date signed (not in the future), issuing body, summary."""

    number = serializers.CharField(label="số quyết định", max_length=60)
    signed_on = serializers.DateField(label="ngày ký quyết định", input_formats=["%Y-%m-%d"])
    issuer = serializers.CharField(label="cơ quan ban hành", max_length=255, required=False, allow_blank=True)
    summary = serializers.CharField(label="trích yếu", max_length=500, required=False, allow_blank=True)


def decision_input(data: dict[str, Any]) -> services.DecisionInput:
    return services.DecisionInput(
        number=data["number"],
        signed_on=data["signed_on"],
        issuer=data.get("issuer", ""),
        summary=data.get("summary", ""),
    )


class NewOrgInput(InputSerializer):
    """A new organization: code, name, kind (code or name), category (code, name or null), parent (code)."""

    code = serializers.CharField(label="mã tổ chức mới", max_length=40)
    name = serializers.CharField(label="tên tổ chức", max_length=255)
    kind = KindField(label="loại tổ chức")
    category = CategoryField(label="phân loại", required=False, allow_null=True)
    parent = OrgCodeField(label="tổ chức cấp trên", required=False, allow_null=True)  # type: ignore[assignment]


def new_org(data: dict[str, Any]) -> services.NewOrg:
    return services.NewOrg(
        code=data["code"],
        name=data["name"],
        kind=data["kind"],
        category=data.get("category"),
        parent=data.get("parent"),
    )


OPS = [op for op in Restructuring.Op.values if op != Restructuring.Op.IMPORT]


@extend_schema_field(
    {"type": "string", "pattern": f"^({'|'.join(OPS)})$", "description": "Thao tác: " + ", ".join(OPS) + "."}
)
class OpField(serializers.ChoiceField):
    """The operation of a request. Documented by a pattern, not an enum: the events' own `op` enum also lists
    "import", and two enums named "op" would collide in the schema."""


class RestructuringInput(InputSerializer):
    """What every restructuring carries: the operation, the date it takes effect, its decision."""

    op = OpField(label="thao tác", choices=OPS)
    on = serializers.DateField(label="ngày hiệu lực", input_formats=["%Y-%m-%d"])
    decision = DecisionInput(label="quyết định")


class VersionMixin(serializers.Serializer):  # type: ignore[type-arg]
    version = VersionField("tổ chức")


class EstablishInput(RestructuringInput):
    """Thành lập: a new organization under `parent` from `on`."""

    code = serializers.CharField(label="mã tổ chức", max_length=40)
    name = serializers.CharField(label="tên tổ chức", max_length=255)
    kind = KindField(label="loại tổ chức")
    category = CategoryField(label="phân loại", required=False, allow_null=True)
    parent = OrgCodeField(  # type: ignore[assignment]  # a field, not Field.parent
        label="tổ chức cấp trên",
        required=False,
        allow_null=True,
        help_text="Mã tổ chức cấp trên; null: cấp cao nhất (chỉ quản trị toàn hệ thống).",
    )


class RenameInput(VersionMixin, RestructuringInput):
    """Đổi tên / đổi loại: a new name, kind or category from `on` (the past keeps the old ones)."""

    org = OrgCodeField(label="tổ chức")
    name = serializers.CharField(label="tên mới", max_length=255, required=False)
    kind = KindField(label="loại tổ chức mới", required=False)
    category = CategoryField(
        label="phân loại mới",
        required=False,
        allow_null=True,
        help_text="Bỏ trống để giữ nguyên; null để bỏ phân loại.",
    )


class MoveInput(VersionMixin, RestructuringInput):
    """Chuyển trực thuộc: `org` and its whole subtree go under `parent` from `on`."""

    org = OrgCodeField(label="tổ chức")
    parent = OrgCodeField(  # type: ignore[assignment]  # a field, not Field.parent
        label="tổ chức cấp trên mới",
        allow_null=True,
        help_text="Mã tổ chức cấp trên mới; null: lên cấp cao nhất.",
    )


class DissolveInput(VersionMixin, RestructuringInput):
    """Giải thể: `org` ends on `on`; each organization directly under it is moved (`children`) or dissolved."""

    org = OrgCodeField(label="tổ chức")
    children = ChildMovesField(label="tổ chức cấp dưới")


class MergeInput(RestructuringInput):
    """Hợp nhất / sáp nhập: the `sources` end on `on`, into an existing organization (`into`) or a new one
    (`new`); every organization directly under a source must be placed in `children`."""

    sources = serializers.ListField(
        label="tổ chức được hợp nhất", child=OrgCodeField(), allow_empty=False, max_length=50
    )
    into = OrgCodeField(
        label="tổ chức nhận sáp nhập",
        required=False,
        allow_null=True,
        help_text="Hợp nhất vào tổ chức có sẵn.",
    )
    new = NewOrgInput(
        label="tổ chức mới", required=False, allow_null=True, help_text="Hoặc thành lập tổ chức mới."
    )
    children = ChildMovesField(
        label="tổ chức cấp dưới",
        markers="target",
        help_text='Mã tổ chức cấp dưới → mã nơi chuyển đến, "target" (tổ chức đích), hoặc null (giải thể cùng).',
    )
    versions = serializers.DictField(
        label="phiên bản",
        child=serializers.IntegerField(min_value=1),
        help_text="Mã tổ chức được hợp nhất → phiên bản khi bạn đọc nó (trường version); bắt buộc cho mọi tổ "
        "chức trong sources, thay đổi bị từ chối nếu đã cũ.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        by_code = {o.code.upper(): o for o in attrs["sources"]}
        expected: dict[int, int] = {}
        for code, version in attrs.get("versions", {}).items():
            org = by_code.get(nfc(code).upper())
            if org is None:
                raise serializers.ValidationError(
                    {"versions": [f"“{code}” không nằm trong danh sách tổ chức được hợp nhất (sources)."]}
                )
            expected[org.pk] = version
        missing = [o.code for o in attrs["sources"] if o.pk not in expected]
        if missing:
            raise serializers.ValidationError(
                {"versions": [f"Hãy gửi phiên bản (version) của: {', '.join(missing)}."]}
            )
        attrs["expected_versions"] = expected
        return attrs


class SplitPartInput(NewOrgInput):
    """One organization a split creates; without `parent` it sits where the split organization sat."""

    parent = OrgCodeField(  # type: ignore[assignment]  # a field, not Field.parent
        label="tổ chức cấp trên",
        required=False,
        allow_null=True,
        help_text="Bỏ trống: cùng cấp trên với tổ chức bị chia tách.",
    )


class SplitInput(VersionMixin, RestructuringInput):
    """Chia tách: new organizations (`parts`) from `org` on `on`; unless `keep_source`, `org` is dissolved and every
    organization directly under it must be placed in `children`."""

    org = OrgCodeField(label="tổ chức được chia tách")
    parts = SplitPartInput(label="tổ chức mới", many=True, allow_empty=False)
    children = ChildMovesField(
        label="tổ chức cấp dưới",
        markers="part",
        help_text='Mã tổ chức cấp dưới → mã nơi chuyển đến, "part:N" (tổ chức mới thứ N, từ 0), hoặc null.',
    )
    keep_source = serializers.BooleanField(label="giữ lại tổ chức cũ", required=False, default=False)


INPUTS: dict[str, type[RestructuringInput]] = {
    Restructuring.Op.ESTABLISH.value: EstablishInput,
    Restructuring.Op.RENAME.value: RenameInput,
    Restructuring.Op.MOVE.value: MoveInput,
    Restructuring.Op.DISSOLVE.value: DissolveInput,
    Restructuring.Op.MERGE.value: MergeInput,
    Restructuring.Op.SPLIT.value: SplitInput,
}
