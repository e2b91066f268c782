"""The subprocess side of tests/deploy/test_sigkill.py, run as `python -m tests.deploy.sigkill_world STEP ...` with
production settings on a database of the test's own:

- `build`: migrate and build the world the three operations work on (one province, its communes and cells, their
  members, an evaluation period ready to be decided, a cadre with the rights to import);
- `run SCENARIO SEED`: rehearse the operation once inside a transaction that is rolled back, counting its SQL
  statements (K); then pick, from SEED, a point N in 1 … K+1 and run it for real with a hook
  (`connection.execute_wrapper`) that, before statement N, prints `PAUSE N/K …` and sleeps; N = K+1 means after
  it returned (committed): `DONE`. The test SIGKILLs the process when it reads either line;
- `check SCENARIO`: print, as JSON, the counts and invariants the test asserts (after a job's reaping and, when it
  failed, its restart).

Nothing here is Coso's code: the operations are Coso's own services (`members.services.bulk_move`, the member
import's write job, `evaluation.services.decide`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django

D = dt.date
MOVE_ON = D(2025, 1, 1)
MOVE_REASON = "Giải thể chi bộ cơ quan (thử tắt đột ngột)"
MOVERS = 24  # members of the dissolved cell
IMPORT_ROWS = 30
IMPORT_BATCH = 5  # rows per write batch (the importer's is 20,000): several batches in one transaction
IMPORT_FILE = "dang-vien-sigkill.xlsx"
IMPORT_REASON = f"Nhập từ Excel: {IMPORT_FILE}"
DECIDED_REASON = "Quyết định xếp loại"
CADRE = "canbo.sigkill"
CIDS = [f"0010900{i:05d}" for i in range(IMPORT_ROWS)]


class Rehearsal(Exception):
    """Raised to roll the rehearsal back."""


# ------------------------------------------------------------------------------------------------- build


def build() -> None:
    from django.core.management import call_command

    from coso.accounts.models import User
    from coso.accounts.services import grant_role
    from coso.evaluation import services as ev
    from coso.evaluation.models import PeriodState
    from tests.conftest import establish
    from tests.evaluation.helpers import level, members, open_year

    call_command("migrate", verbosity=0, interactive=False)
    t = establish("T", "Đảng bộ tỉnh Sông Lam", "Đảng bộ tỉnh", on=D(2000, 1, 1))
    x1 = establish("X1", "Đảng bộ xã An Lạc", "Đảng bộ cơ sở", t, on=D(2000, 1, 1))
    x2 = establish("X2", "Đảng bộ xã Bình Minh", "Đảng bộ cơ sở", t, on=D(2000, 1, 1))
    for code, name, parent, category in [
        ("C1", "Chi bộ thôn Đông", x1, "Thôn, bản"),
        ("C2", "Chi bộ thôn Tây", x1, "Thôn, bản"),
        ("C3", "Chi bộ cơ quan xã An Lạc", x1, "Cơ quan"),
        ("C4", "Chi bộ thôn Bắc", x2, "Thôn, bản"),
        ("C5", "Chi bộ thôn Nam", x2, "Thôn, bản"),
    ]:
        cell = establish(code, name, "Chi bộ trực thuộc", parent, on=D(2001, 1, 1), category_name=category)
        if code in ("C1", "C2"):
            members(cell, 2)
        elif code == "C3":
            members(cell, MOVERS)
        else:
            members(cell, 4)
    period = open_year(x2)
    for i, e in enumerate(period.entries.filter(subject="member").order_by("id")):
        ev.review(None, e, level=level(period, "HTXSNV" if i == 0 else "HTNV"))
    ev.advance(None, period, PeriodState.REVIEWING)
    cadre = User.objects.create_user(CADRE, password="Mat-khau-dai-2025")
    grant_role(None, user=cadre, role="org_commission", org=x1)
    print("BUILT", flush=True)


# --------------------------------------------------------------------------------------------- scenarios


def _move() -> tuple[Callable[[], Any], Callable[[], Any]]:
    from coso.members import services as m
    from coso.members.models import Membership
    from coso.orgs.models import Organization

    def prepare() -> Any:
        return None

    def op() -> Any:
        source = Organization.objects.get(code="C3")
        targets = [Organization.objects.get(code="C1"), Organization.objects.get(code="C2")]
        ids = Membership.objects.filter(org=source, kind="official", valid_to__isnull=True).values_list(
            "member_id", flat=True
        )
        mapping = {member_id: targets[i % 2] for i, member_id in enumerate(sorted(ids))}
        return m.bulk_move(None, source, mapping, on=MOVE_ON, reason=MOVE_REASON, decision_number="99-QĐ/ĐU")

    return prepare, op


def _import() -> tuple[Callable[[], Any], Callable[[], Any]]:
    from django.conf import settings

    from coso.accounts.models import User
    from coso.core import jobs
    from coso.core.excel import table_bytes
    from coso.core.import_flow import write_job
    from coso.members import importer
    from tests.members.test_import import HEADERS, row

    importer.WRITE_BATCH = IMPORT_BATCH  # type: ignore[misc]
    book = table_bytes(
        "Đảng viên",
        HEADERS,
        [row(**{"Số CCCD": cid, "Họ và tên": f"Người Nhập {i:03d}"}) for i, cid in enumerate(CIDS)],
    )
    path = Path(settings.VAR_DIR) / "imports" / f"members-sigkill-{os.getpid()}.xlsx"
    state: dict[str, Any] = {}

    def prepare() -> Any:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(book)  # the write job removes it when it ends: the rehearsal's run did
        state["job"] = jobs.start(  # queued (the dummy backend): `op` runs it as the worker would
            "members.import.write",
            User.objects.get(username=CADRE),
            write_job,
            params={"flow": "coso.members.views.IMPORT", "filename": IMPORT_FILE, "rows": IMPORT_ROWS},
            path=str(path),
            message="Đang chờ ghi…",
        )

    def op() -> Any:
        job = state["job"]
        return jobs.run_job.call(job.pk, job.handler)

    return prepare, op


def _decide() -> tuple[Callable[[], Any], Callable[[], Any]]:
    from coso.evaluation import services as ev
    from coso.evaluation.models import EvaluationPeriod
    from tests.evaluation.helpers import level

    def prepare() -> Any:
        return None

    def op() -> Any:
        period = EvaluationPeriod.objects.get(org__code="X2")
        items = [
            ev.DecisionInput(
                e,
                e.proposed_level or level(period, "HTTNV", "org"),
                justification="Có thành tích được ghi nhận",
                expected_version=e.version,
            )
            for e in period.entries.order_by("id")
        ]
        return ev.decide(None, period, items, on=D(2025, 1, 15))

    return prepare, op


SCENARIOS = {"move": _move, "import": _import, "decide": _decide}


def run(scenario: str, seed: int) -> None:
    from django.core.cache import cache
    from django.db import connection, transaction

    prepare, op = SCENARIOS[scenario]()
    count = 0

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with contextlib.suppress(Rehearsal), transaction.atomic():  # the rehearsal is rolled back
        prepare()
        with connection.execute_wrapper(counting):
            op()
        raise Rehearsal
    cache.clear()  # nothing the rehearsal cached outlives its rollback
    total = count
    point = random.Random(seed).randint(1, total + 1)
    prepare()
    seen = 0

    def pausing(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal seen
        seen += 1
        if seen == point:
            print(f"PAUSE before statement {point}/{total}: {sql[:120]!r}", flush=True)
            time.sleep(600)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(pausing):
        op()
    print(f"DONE after all {seen} statements (point {point}/{total})", flush=True)
    time.sleep(600)


# ------------------------------------------------------------------------------------------------- check


def _history_matches(model: Any) -> bool:
    """Every row has its creation in the history and the history has no creation of a row that is not there."""
    created = set(model.history.filter(history_type="+").values_list("id", flat=True))
    return created == set(model.objects.values_list("id", flat=True))


def check(scenario: str) -> None:
    from django.db.models import Count, F, Q

    from coso.evaluation.models import EntryState, Evaluation, EvaluationPeriod
    from coso.members.models import ACTIVE_STATUSES, Member, MemberProfile, Membership, MemberStatus

    out: dict[str, Any] = {}
    official_open = Q(memberships__kind="official", memberships__valid_to__isnull=True)
    active = Member.objects.filter(status__in=ACTIVE_STATUSES).annotate(
        open=Count("memberships", official_open)
    )
    out["members"] = Member.objects.count()
    out["active_without_one_membership"] = active.exclude(open=1).count()
    out["home_org_mismatch"] = (
        Membership.objects.filter(kind="official", valid_to__isnull=True)
        .exclude(org_id=F("member__home_org_id"))
        .count()
    )
    out["history_matches"] = {
        m.__name__: _history_matches(m) for m in (Member, MemberStatus, Membership, MemberProfile, Evaluation)
    }
    if scenario == "move":
        open_at = Membership.objects.filter(kind="official", valid_to__isnull=True)
        out["source_open"] = open_at.filter(org__code="C3").count()
        out["moved_open"] = open_at.filter(org__code__in=["C1", "C2"], valid_from=MOVE_ON).count()
        out["closed_on_move"] = Membership.objects.filter(org__code="C3", valid_to=MOVE_ON).count()
        reason = Q(history_change_reason__startswith=MOVE_REASON)
        out["membership_history"] = Membership.history.filter(reason).count()
        out["member_history"] = Member.history.filter(reason).count()
        out["movers"] = MOVERS
    elif scenario == "import":
        from coso.accounts.models import User
        from coso.core import jobs
        from coso.core.models import Job

        def imported() -> dict[str, Any]:
            ids = list(Member.objects.filter(citizen_id__in=CIDS).values_list("id", flat=True))
            counts = {"Member": len(ids)}
            history = {"Member": Member.history.filter(history_change_reason=IMPORT_REASON).count()}
            for model in (MemberStatus, Membership, MemberProfile):
                counts[model.__name__] = model.objects.filter(member_id__in=ids).count()
                history[model.__name__] = model.history.filter(history_change_reason=IMPORT_REASON).count()
            return {"rows": counts, "history": history}

        out.update(imported())
        # every row is an official member: two statuses (probationary, then official) and one of the rest
        out["complete"] = {"Member": IMPORT_ROWS, "MemberStatus": 2 * IMPORT_ROWS, "Membership": IMPORT_ROWS}
        out["complete"]["MemberProfile"] = IMPORT_ROWS
        cadre = User.objects.get(username=CADRE)
        job = Job.objects.get(kind="members.import.write", restarted_from__isnull=True)
        out["job_before"] = job.state
        job = jobs.get_for_user(cadre, job.pk)  # what the page does: reaps a job whose worker is gone
        out["job"] = {"state": job.state, "message": job.message, "result": job.result}
        # killed after the write committed (and the job removed its file), before the job was marked done: the
        # rows are all in and there is nothing to run again (the test checks the rows are whole)
        if job.state == Job.State.FAILED and out["rows"]["Member"] == 0:
            again = jobs.restart(cadre, job)
            again.refresh_from_db()
            out["restart"] = {"state": again.state, "created": again.result.get("created"), **imported()}
            out["history_matches_after_restart"] = _history_matches(Member) and _history_matches(Membership)
    else:
        period = EvaluationPeriod.objects.get(org__code="X2")
        out["entries"] = period.entries.count()
        out["decided"] = period.entries.filter(state=EntryState.DECIDED).count()
        out["decided_history"] = Evaluation.history.filter(
            period_id=period.pk, history_change_reason=DECIDED_REASON
        ).count()
        out["period_state"] = period.state
        out["period_history"] = period.history.filter(history_change_reason=DECIDED_REASON).count()
    print(json.dumps(out, ensure_ascii=False))


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coso.settings")
    django.setup()
    step, *rest = argv
    if step == "build":
        build()
    elif step == "run":
        run(rest[0], int(rest[1]))
    else:
        check(rest[0])


if __name__ == "__main__":
    main(sys.argv[1:])
