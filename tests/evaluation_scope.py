"""The evaluation part of the scope test (tests/test_scope.py): B's evaluation objects in commune X2, how each
evaluation URL (pages and API) names them, the write attempts user A must be refused, and what to count to see
that nothing was written."""

from __future__ import annotations

import datetime as dt
from typing import Any

D = dt.date

# URL name → (kind, kwargs builder), as in tests/test_scope.py's COVERED (kinds: see that file)
COVERED: dict[str, Any] = {}

# ------------------------------------------------------------------------------- evaluation pages: begin
OBJECT, LIST, WRITE_FORM, PUBLIC = "object", "list", "write", "public"  # the kinds of tests/test_scope.py


def _code(w: dict[str, Any]) -> dict[str, Any]:
    return {"code": w["b_org"].code}


def _period_pk(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_period"].pk}


def _entry_pk(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_member_entry"].pk}


def _cell_entry_pk(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_cell_entry"].pk}


def _job_pk(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["b_import_job"].pk}


PAGES_COVERED: dict[str, Any] = {
    "evaluation:index": (LIST, None),
    "evaluation:mine": (LIST, None),
    "evaluation:import": (WRITE_FORM, None),
    "evaluation:import_template": (PUBLIC, None),
    "evaluation:import_job": (OBJECT, _job_pk),  # only the job's owner sees it
    "evaluation:import_job_progress": (OBJECT, _job_pk),
    "evaluation:open": (OBJECT, _code),
    "evaluation:results": (OBJECT, _code),
    "evaluation:trends": (OBJECT, _code),
    "evaluation:period": (OBJECT, _period_pk),
    "evaluation:step": (OBJECT, _period_pk),
    "evaluation:decide": (OBJECT, _period_pk),
    "evaluation:entry": (OBJECT, _entry_pk),
}
COVERED.update(PAGES_COVERED)


def _pages_world(w: dict[str, Any]) -> dict[str, Any]:
    """B's period of commune X2 for 2023 (entries for cell C4 and B's member), reviewed, one entry decided; and
    A's own period of commune X1, in the reviewing step (A's decision page is where A might name B's entries)."""
    from coso.core.models import Job
    from coso.evaluation import services as ev
    from coso.evaluation.models import Level, PeriodState

    period = ev.open_period(None, w["b_org"], ev.PeriodInput(year=2023))
    cell_entry = period.entries.get(subject="org", org=w["b_cell"])
    member_entry = period.entries.get(member=w["b_member"])
    level = Level.objects.get(scheme=period.scheme, subject="member", code="HTTNV")
    ev.review(None, member_entry, level=level, comment="Hoàn thành tốt")
    ev.advance(None, period, PeriodState.REVIEWING)
    ev.decide(
        None, period, [ev.DecisionInput(period.entries.get(pk=member_entry.pk), level)], on=D(2024, 1, 15)
    )
    a_period = ev.open_period(None, w["tree"]["X1"], ev.PeriodInput(year=2023))
    ev.advance(None, a_period, PeriodState.REVIEWING)
    # a results import checked by B, ready to confirm: only B may see it or start its write
    import_job = Job.objects.create(
        kind="evaluation.import.check",
        user=w["b_grant"].user,
        state=Job.State.DONE,
        params={"filename": "xep-loai-binh-minh.xlsx"},
        result={"ok": True, "rows": 1, "preview": [[2019, "Tổ chức", 1]], "error_count": 0, "errors": []},
    )
    return {
        "b_import_job": import_job,
        "b_period": period,
        "b_cell_entry": cell_entry,
        "b_member_entry": period.entries.get(pk=member_entry.pk),
        "b_level": level,
        "a_period": a_period,
    }


def _pages_write_cases(w: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
    from django.urls import reverse

    b_entry, level = w["b_member_entry"], w["b_level"]
    decide_a = reverse("evaluation:decide", kwargs={"pk": w["a_period"].pk})
    return [
        # A's decision page naming B's entries (undecided and decided)
        (
            decide_a,
            {f"level-{w['b_cell_entry'].pk}": str(level.pk), f"version-{w['b_cell_entry'].pk}": "1"},
            False,
        ),
        (decide_a, {f"level-{b_entry.pk}": str(level.pk), f"justification-{b_entry.pk}": "x"}, False),
        # B's entry: self-assessment, review, reconsideration
        (
            reverse("evaluation:entry", kwargs={"pk": b_entry.pk}),
            {"action": "self", "self-comment": "x"},
            False,
        ),
        (
            reverse("evaluation:entry", kwargs={"pk": w["b_cell_entry"].pk}),
            {"action": "review", "review-level": str(level.pk), "review-version": "1"},
            False,
        ),
        (
            reverse("evaluation:entry", kwargs={"pk": b_entry.pk}),
            {
                "action": "reconsider",
                "rc-level": str(level.pk),
                "rc-number": "1-QĐ",
                "rc-decided_on": "01/02/2024",
                "rc-body": "Đảng ủy",
                "rc-reason": "x",
            },
            False,
        ),  # fmt: skip
        (reverse("evaluation:step", kwargs={"pk": w["b_period"].pk}), {"publish": "1"}, False),
        (
            reverse("evaluation:open", kwargs={"code": w["b_org"].code}),
            {"kind": "year", "year": "2022", "subjects": ["members"]},
            False,
        ),  # fmt: skip
        # An import naming B's cell: the upload now starts a background check job (a Job row, which the snapshot of
        # tests/test_scope.py counts), so that case is tested in tests/evaluation/test_import_jobs.py
        # (test_an_upload_naming_another_communes_cell_writes_nothing); B's job pages are OBJECT URLs above.
    ]


# --------------------------------------------------------------------------------- evaluation pages: end


# ---------------------------------------------------------------------------------------- evaluation API: begin
API_COVERED: dict[str, Any] = {
    "api:evaluation-period-list": (LIST, None),
    "api:evaluation-my-entries": (LIST, None),
    "api:evaluation-schemes": (PUBLIC, None),
    "api:evaluation-import": (WRITE_FORM, None),
    "api:evaluation-period-detail": (OBJECT, _period_pk),
    "api:evaluation-period-advance": (OBJECT, _period_pk),
    "api:evaluation-period-publish": (OBJECT, _period_pk),
    "api:evaluation-period-entries": (OBJECT, _period_pk),
    "api:evaluation-period-progress": (OBJECT, _period_pk),
    "api:evaluation-period-decisions": (OBJECT, _period_pk),
    "api:evaluation-entry-detail": (OBJECT, _entry_pk),
    "api:evaluation-entry-self": (OBJECT, _entry_pk),
    "api:evaluation-entry-review": (OBJECT, _entry_pk),
    "api:evaluation-entry-facts": (OBJECT, _cell_entry_pk),
    "api:evaluation-entry-reconsider": (OBJECT, _entry_pk),
    "api:evaluation-results": (OBJECT, _code),
    "api:evaluation-trends": (OBJECT, _code),
    "api:evaluation-weak-units": (OBJECT, _code),
}
COVERED.update(API_COVERED)


def _api_write_cases(w: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
    """JSON bodies posted by A through the API naming B's commune, period and entries (the pages' world)."""
    from django.urls import reverse

    def api(name: str, **kw: Any) -> str:
        return reverse(f"api:{name}", kwargs=kw or None)

    b_period, b_entry, b_cell = w["b_period"].pk, w["b_member_entry"].pk, w["b_cell_entry"].pk
    decision = {
        "number": "1-QĐ",
        "decided_on": "2024-02-01",
        "body": "Đảng ủy",
        "reason": "x",
        "level": "HTNV",
    }
    return [
        (api("evaluation-period-list"), {"org": w["b_org"].code, "year": 2022}, True),
        (api("evaluation-period-list"), {"org": w["b_cell"].code, "year": 2022, "include_root": True}, True),
        # A's own period naming B's entries
        (api("evaluation-period-decisions", pk=w["a_period"].pk), {"items": [{"entry": b_cell, "level": "HTTNV"}]},
         True),
        (api("evaluation-period-decisions", pk=w["a_period"].pk),
         {"items": [{"entry": b_entry, "level": "HTXSNV", "justification": "x"}]}, True),
        # B's period and entries
        (api("evaluation-period-decisions", pk=b_period), {"items": [{"entry": b_cell, "level": "HTTNV"}]}, True),
        (api("evaluation-period-advance", pk=b_period), {"state": "deciding"}, True),
        (api("evaluation-period-publish", pk=b_period), {}, True),
        (api("evaluation-entry-self", pk=b_entry), {"comment": "x"}, True),
        (api("evaluation-entry-review", pk=b_cell), {"level": "HTTNV"}, True),
        (api("evaluation-entry-facts", pk=b_cell), {"facts": {"targets_met_pct": 10}}, True),
        (api("evaluation-entry-reconsider", pk=b_entry), decision, True),
        (api("evaluation-import"), {"dry_run": False}, True),
    ]  # fmt: skip


# ------------------------------------------------------------------------------------------ evaluation API: end


def world(w: dict[str, Any]) -> dict[str, Any]:
    """B's evaluation objects (commune X2 = w["b_org"], cell C4 = w["b_cell"], member w["b_member"])."""
    found: dict[str, Any] = {}
    found.update(_pages_world(w))
    return found


def write_cases(w: dict[str, Any]) -> list[tuple[str, dict[str, Any], bool]]:
    """(url, body, is_api) posted by user A naming B's objects: each must answer 400/404 (API) or re-render with
    an error / 404 (pages) and write nothing."""
    cases: list[tuple[str, dict[str, Any], bool]] = []
    cases += _pages_write_cases(w)
    cases += _api_write_cases(w)  # evaluation API
    return cases


def snapshot() -> tuple[int, ...]:
    """Row counts that any evaluation write changes."""
    from coso.evaluation.models import Evaluation, EvaluationPeriod, Reconsideration

    return (
        EvaluationPeriod.objects.count(),
        Evaluation.history.count(),  # type: ignore[attr-defined]
        Reconsideration.objects.count(),
    )
