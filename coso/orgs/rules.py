"""Rules of the organization tree: each named, with its source. Placement rules are dated configuration
(`RuleSet` rows with code ORG.KIND_PARENT); the integrity rules below guard the history itself."""

from __future__ import annotations

import datetime as dt

from coso.core.errors import DomainError, Rule
from coso.core.rules import as_rule, rule_in_force

from .models import OrgKind

KIND_PARENT = "ORG.KIND_PARENT"

CYCLE = Rule(
    "ORG.CYCLE",
    "Không đặt tổ chức dưới chính nó hoặc dưới tổ chức cấp dưới của nó",
    "Điều lệ Đảng, Điều 9 (hệ thống tổ chức theo cấp); nguyên tắc cây tổ chức của Coso",
)
EXISTS = Rule(
    "ORG.EXISTS",
    "Thao tác chỉ trong thời gian tổ chức tồn tại (từ ngày thành lập, trước ngày giải thể)",
    "Quyết định thành lập / giải thể của cấp có thẩm quyền",
)
PARENT_EXISTS = Rule(
    "ORG.PARENT_EXISTS",
    "Tổ chức cấp trên phải tồn tại vào ngày hiệu lực",
    "Điều lệ Đảng, Điều 9; quyết định thành lập của cấp trên",
)
CHILDREN = Rule(
    "ORG.CHILDREN",
    "Giải thể hoặc hợp nhất phải nói rõ nơi chuyển các tổ chức cấp dưới",
    "Hướng dẫn về sắp xếp tổ chức đảng; nguyên tắc không để tổ chức cấp dưới mất cấp trên",
)
CHRONOLOGY = Rule(
    "ORG.CHRONOLOGY",
    "Thay đổi được ghi theo thứ tự thời gian",
    "Nguyên tắc lưu lịch sử của Coso: không sửa đè quá khứ",
)
UNIQUE_CODE = Rule("ORG.CODE", "Mã tổ chức là duy nhất", "Quy ước mã tổ chức của Coso")
DECISION = Rule(
    "ORG.DECISION",
    "Mỗi thay đổi tổ chức gắn với một quyết định có số và ngày",
    "Điều lệ Đảng, Điều 9; Quy định thi hành Điều lệ Đảng",
)


def check_placement(
    kind: OrgKind, parent_kind: OrgKind | None, on: dt.date, *, field: str = "parent"
) -> None:
    """Refuse a kind placed under a kind it cannot sit under, by the placement rule in force on `on`."""
    ruleset = rule_in_force(KIND_PARENT, on)
    params = ruleset.params
    rule = as_rule(ruleset)
    parents: dict[str, list[str]] = params.get("parents", {})
    if parent_kind is None:
        top = params.get("top", [])
        if kind.code in parents and kind.code not in top:
            raise DomainError(
                f"{kind.name} không thể là tổ chức cấp cao nhất vào ngày {on:%d/%m/%Y}; hãy chọn tổ chức cấp trên.",
                field=field,
                rule=rule,
            )
        return
    allowed = parents.get(kind.code)
    if allowed is None:
        return
    if parent_kind.code not in allowed:
        names = list(OrgKind.objects.filter(code__in=allowed).values_list("name", flat=True))
        hint = "chỉ được đặt dưới: " + ", ".join(names) if names else "không còn được thành lập vào ngày này"
        raise DomainError(
            f"{kind.name} không thể trực thuộc {parent_kind.name} vào ngày {on:%d/%m/%Y}; {kind.name} {hint}.",
            field=field,
            rule=rule,
        )
