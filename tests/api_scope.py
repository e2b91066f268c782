"""The API's part of the scope test (tests/test_scope.py): how each API URL names an object of commune X2."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def _code(w: dict[str, Any]) -> dict[str, Any]:
    return {"code": w["b_org"].code}


def _event(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_event"].pk}


def _decision(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_decision"].pk}


def _grant(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_grant"].pk}


def _member(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_member"].pk}


def _transfer(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_transfer"].pk}


def _cell_code(w: dict[str, Any]) -> dict[str, Any]:
    return {"code": w["b_cell"].code}


def _meeting(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_meeting"].pk}


def _resolution(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_resolution"].pk}


def _task(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_task"].pk}


def _programme(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_programme"].pk}


# "object": 404 to GET (and POST, or 405); "list": 200 and nothing of X2; "public": no commune's data.
API_COVERED: dict[str, Any] = {
    "api:api-root": ("public", None),
    "api:kind-list": ("public", None),
    "api:category-list": ("public", None),
    "api:me": ("list", None),
    "api:org-list": ("list", None),
    "api:tree": ("list", None),
    "api:restructuring-list": ("list", None),
    "api:decision-list": ("list", None),
    "api:grant-list": ("list", None),
    "api:org-detail": ("object", _code),
    "api:org-subtree": ("object", _code),
    "api:org-periods": ("object", _code),
    "api:org-history": ("object", _code),
    "api:org-structure": ("object", _code),
    "api:org-children": ("object", _code),
    "api:restructuring-detail": ("object", _event),
    "api:decision-detail": ("object", _decision),
    "api:decision-file": ("object", _decision),
    "api:grant-detail": ("object", _grant),
    "api:grant-revoke": ("object", _grant),
    "api:member-list": ("list", None),
    "api:member-detail": ("object", _member),
    "api:member-recognise": ("object", _member),
    "api:member-exit": ("object", _member),
    "api:member-flags": ("object", _member),
    "api:member-discipline": ("object", _member),
    "api:member-transfer": ("object", _member),
    "api:transfer-list": ("list", None),
    "api:transfer-detail": ("object", _transfer),
    "api:transfer-arrive": ("object", _transfer),
    "api:transfer-return": ("object", _transfer),
    "api:bulk-move": ("write", None),
    "api:member-statistics": ("object", _code),
    "api:structure-checks": ("object", _code),
    # meetings
    "api:meeting-list": ("list", None),
    "api:meeting-detail": ("object", _meeting),
    "api:meeting-cancel": ("object", _meeting),
    "api:meeting-agenda": ("object", _meeting),
    "api:meeting-attendance": ("object", _meeting),
    "api:meeting-minutes": ("object", _meeting),
    "api:meeting-minutes-adopt": ("object", _meeting),
    "api:meeting-minutes-amend": ("object", _meeting),
    "api:meeting-amendments": ("object", _meeting),
    "api:meeting-resolutions": ("object", _meeting),
    "api:meeting-score": ("object", _meeting),
    "api:meeting-assignments": ("object", _meeting),
    "api:resolution-tasks": ("object", _resolution),
    "api:task-list": ("list", None),
    "api:task-follow-up": ("object", _task),
    "api:dues-list": ("list", None),
    "api:criteria-set-list": ("list", None),
    "api:meeting-rhythm": ("object", _cell_code),
    "api:meeting-calendar": ("object", _cell_code),
    "api:meeting-book": ("object", _cell_code),
    "api:meeting-compliance": ("object", _code),
    "api:who-went-where": ("object", _code),
    "api:programme-list": ("list", None),
    "api:programme-detail": ("object", _programme),
    "api:programme-cells": ("object", _programme),
    "api:programme-roll-out": ("object", _programme),
    "api:programme-report": ("object", _programme),
}


def api_write_cases(world: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Bodies that name X2 or its cell C4: each must be refused (400 or 404) and write nothing."""
    decision = {"number": "1-QĐ", "signed_on": "2020-12-01"}
    common = {"on": "2021-01-01", "decision": decision}
    restructurings = reverse("api:restructuring-list")
    b_member = world["b_member"].pk
    meetings = reverse("api:meeting-list")
    dues = reverse("api:dues-list")
    criteria = {
        "name": "Tiêu chí mới",
        "source": "Hướng dẫn 1-HD",
        "effective_from": "2024-01-01",
        "criteria": [{"code": "c1", "text": "Chuẩn bị", "points": 100}],
        "levels": [{"name": "Tốt", "min": 80}, {"name": "Kém", "min": 0}],
    }
    meeting_cases: list[tuple[str, dict[str, Any]]] = [
        (meetings, {"org": "C4", "kind": "regular", "date": "2023-04-04"}),
        (meetings, {"org": "X2", "kind": "whole_committee", "date": "2023-04-04"}),
        (meetings, {"org": "C1", "kind": "regular", "date": "2023-04-04", "chair": b_member}),
        (dues, {"org": "C4", "month": "2023-04-01", "paid_on": "2023-04-04",
                "payments": [{"member": b_member, "amount": 30000}]}),
        (dues, {"org": "C1", "month": "2023-04-01", "paid_on": "2023-04-04",
                "payments": [{"member": b_member, "amount": 30000}]}),
        (dues, {"org": "C1", "month": "2023-04-01", "meeting": world["b_meeting"].pk,
                "payments": [{"member": b_member, "amount": 30000}]}),
        (reverse("api:criteria-set-list"), {**criteria, "org": "X2"}),
        (reverse("api:criteria-set-list"), {**criteria, "org": "C4"}),
        (reverse("api:criteria-set-list"), {**criteria, "org": ""}),
        (reverse("api:programme-list"), {"org": "X2", "name": "Đề án", "date_from": "2024-01-01",
                                         "date_to": "2025-12-31"}),
    ]  # fmt: skip
    return meeting_cases + [
        (restructurings, {**common, "op": "move", "org": "C1", "parent": "X2"}),
        (restructurings, {**common, "op": "rename", "org": "X2", "name": "Đổi tên"}),
        (restructurings, {**common, "op": "dissolve", "org": "C4"}),
        (restructurings, {**common, "op": "merge", "sources": ["C1", "C4"], "into": "C2"}),
        (restructurings, {**common, "op": "merge", "sources": ["C1"], "into": "C4"}),
        (restructurings, {**common, "op": "dissolve", "org": "C1", "children": {"C4": None}}),
        (
            restructurings,
            {
                **common,
                "op": "establish",
                "code": "NEW1",
                "name": "Chi bộ mới",
                "kind": "chi_bo_truc_thuoc",
                "parent": "X2",
            },
        ),
        (
            restructurings,
            {
                **common,
                "op": "split",
                "org": "C1",
                "keep_source": True,
                "parts": [
                    {"code": "NEW2", "name": "Chi bộ tách", "kind": "chi_bo_truc_thuoc", "parent": "X2"}
                ],
            },
        ),
        (reverse("api:grant-list"), {"username": "a.x1", "role": "viewer", "org": "X2"}),
        (reverse("api:grant-revoke", kwargs=_grant(world)), {}),
        (reverse("api:bulk-move"), {"from_cell": "C4", "to": "C1", "on": "2021-01-01", "reason": "Giải thể"}),
        (reverse("api:bulk-move"), {"from_cell": "C1", "to": "C4", "on": "2021-01-01", "reason": "Giải thể"}),
        (
            reverse("api:member-list"),
            {
                "full_name": "Người Mới",
                "birth_date": "1990-01-01",
                "gender": "M",
                "ethnicity": "Kinh",
                "religion": "Không",
                "cell": "C4",
                "admission_decided_on": "2020-01-01",
                "joined_on": "2020-01-10",
            },
        ),
    ]
