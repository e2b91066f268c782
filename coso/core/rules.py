"""Reading dated rule sets: the version of a rule in force on a date."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from .errors import Rule
from .models import RuleSet


class MissingRule(LookupError):
    pass


def rule_in_force(code: str, on: dt.date) -> RuleSet:
    """The version of rule `code` in force on `on`; refuses loudly when the configuration has a gap."""
    found = (
        RuleSet.objects.filter(code=code, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
        .order_by("-effective_from")
        .first()
    )
    if found is None:
        raise MissingRule(
            f"Chưa cấu hình quy tắc “{code}” có hiệu lực ngày {on:%d/%m/%Y}; quản trị hệ thống cần bổ sung."
        )
    return found


def as_rule(ruleset: RuleSet) -> Rule:
    return Rule(code=ruleset.code, name=ruleset.title, source=ruleset.source)
