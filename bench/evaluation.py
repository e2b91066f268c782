"""Evaluation cases of the benchmark: three years of published classification results for the whole benchmark
tree, then the per-level report (`coso.evaluation.queries.results`) of a province and of the nation, each beside
the minimal raw SQL that computes the same numbers.

Results: for each of `YEARS`, one published period of kind `imported` rooted at the nation, one decided entry per
grassroots organization and cell alive on 31/12 (≈13% HTXSNV, ≈75% HTTNV, ≈10.5% HTNV, ≈1.5% KHTNV) and one per
member placed in a cell that day as `open_period` lists them (official membership, probationary or official
status): ≈10% HTXSNV, ≈88% HTTNV, ≈1.5% HTNV, ≈0.5% KHTNV, and ≈0.3% recorded as not evaluated (exempt). At
scale 1 that is ≈5.6 million member rows and ≈300,000 organization rows a year. The levels are drawn by a hash of
the id and the year (deterministic), and the rows are written set-based by one INSERT … SELECT per year and
subject over the bench's tree and members (faster than COPY or executemany from Python: nothing leaves the
server), no history rows; a marker table (`bench_evaluations`) says what was generated, so the next run reuses it.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics as stats_mod
import time
from collections import Counter
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

EVAL_MARKER = "bench_evaluations"
EVAL_VERSION = 1
YEARS = (2022, 2023, 2024)
REPORT_YEAR = 2024
# hash buckets out of 1000: rank 1 below the first bound, rank 2 below the second, …, rank 4 the rest
ORG_BOUNDS = (130, 880, 985)
MEMBER_BOUNDS = (100, 980, 995)
NOT_EVALUATED = 3  # per 1000 members
REASON = "Miễn sinh hoạt (benchmark)"


def marker() -> dict[str, Any] | None:
    if EVAL_MARKER not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT info FROM {EVAL_MARKER}")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def _write_marker(info: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {EVAL_MARKER} (info TEXT NOT NULL)")
        cursor.execute(f"DELETE FROM {EVAL_MARKER}")
        cursor.execute(f"INSERT INTO {EVAL_MARKER} (info) VALUES (%s)", [json.dumps(info)])


def _clear() -> None:
    from coso.evaluation import models as em

    models = (em.Reconsideration, em.MemberAccount, em.Evaluation, em.EvaluationPeriod)
    tables = [m._meta.db_table for m in models] + [
        m.history.model._meta.db_table  # type: ignore[attr-defined]
        for m in models
    ]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE TABLE {', '.join(qn(t) for t in tables)}")
        else:
            for t in tables:
                cursor.execute(f"DELETE FROM {qn(t)}")


def _bucket(expr: str, year: int) -> str:
    """A deterministic 0–999 bucket of an id column and the year (the same on SQLite and PostgreSQL)."""
    return f"((CAST({expr} AS BIGINT) * 7919 + {year * 104729}) %% 1000)"


def _rank_case(bucket: str, bounds: tuple[int, int, int]) -> str:
    return (
        f"CASE WHEN {bucket} < {bounds[0]} THEN 1 WHEN {bucket} < {bounds[1]} THEN 2 "
        f"WHEN {bucket} < {bounds[2]} THEN 3 ELSE 4 END"
    )


def _active(alias: str) -> str:
    return f"{alias}.valid_from <= %s AND ({alias}.valid_to IS NULL OR {alias}.valid_to > %s)"


COLUMNS = (
    "period_id, subject, member_id, org_id, path, is_grassroots, year, annual, state, not_evaluated_reason, "
    "self_scores, self_comment, review_scores, review_comment, facts, level_id, rank, justification, warnings, "
    "version"
)


def load_evaluations(root_code: str, members: dict[str, Any], seed: int, log: Any = print) -> dict[str, Any]:
    """Generate the results (unless the marker says they are there, for these members) and return the marker."""
    from coso.core.rules import rule_in_force
    from coso.evaluation import rules
    from coso.evaluation.models import Evaluation, EvaluationPeriod, Level, PeriodKind, PeriodState, Scheme
    from coso.orgs.models import Organization

    found = marker()
    identity = {
        "version": EVAL_VERSION,
        "seed": seed,
        "years": list(YEARS),
        "members_created_at": members.get("created_at"),
    }
    if (
        found
        and {k: found.get(k) for k in identity} == identity
        and Evaluation.objects.count() == found["entries"]
    ):
        log(
            f"Dùng lại {found['entries']:,} kết quả xếp loại đã sinh ngày {found['created_at'][:19]}.".replace(
                ",", "."
            )
        )
        return found
    started = time.perf_counter()
    root = Organization.objects.get(code=root_code)
    sqlite = connection.vendor == "sqlite"
    true = "1" if sqlite else "TRUE"
    false = "0" if sqlite else "FALSE"
    obj = "'{}'" if sqlite else "'{}'::jsonb"
    arr = "'[]'" if sqlite else "'[]'::jsonb"

    def d(on: dt.date) -> Any:
        return on.isoformat() if sqlite else on

    counts: dict[str, int] = {}
    with transaction.atomic():
        _clear()
        if sqlite:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        for year in YEARS:
            date_to = dt.date(year, 12, 31)
            ruleset = rule_in_force(rules.SCHEME, date_to)
            scheme = Scheme.objects.get(code=ruleset.params["scheme"])
            period = EvaluationPeriod.objects.create(
                org=root,
                kind=PeriodKind.IMPORTED,
                year=year,
                date_from=dt.date(year, 1, 1),
                date_to=date_to,
                title=f"Kết quả xếp loại năm {year} (benchmark)",
                scheme=scheme,
                ruleset=ruleset,
                state=PeriodState.PUBLISHED,
                published_on=dt.date(year + 1, 1, 31),
                source="bench",
            )
            for subject, bounds in (("org", ORG_BOUNDS), ("member", MEMBER_BOUNDS)):
                levels = dict(Level.objects.filter(scheme=scheme, subject=subject).values_list("rank", "pk"))
                level_case = (
                    "CASE x.rank " + " ".join(f"WHEN {r} THEN {pk}" for r, pk in levels.items()) + " END"
                )
                if subject == "org":
                    rank = _rank_case(_bucket("op.org_id", year), bounds)
                    inner = (
                        f"SELECT op.org_id AS org_id, CAST(NULL AS BIGINT) AS member_id, op.path AS path, k.is_grassroots AS g, "
                        f"{rank} AS rank, 1000 AS ne FROM orgs_orgperiod op JOIN orgs_orgkind k ON k.id = op.kind_id "
                        f"WHERE (k.is_grassroots OR k.is_cell) AND {_active('op')}"
                    )
                    params: list[Any] = [d(date_to)] * 2
                else:
                    rank = _rank_case(_bucket("ms.member_id", year), bounds)
                    inner = (
                        f"SELECT ms.org_id AS org_id, ms.member_id AS member_id, op.path AS path, {false} AS g, "
                        f"{rank} AS rank, {_bucket('ms.member_id', year + 17)} AS ne "
                        "FROM members_membership ms "
                        f"JOIN orgs_orgperiod op ON op.org_id = ms.org_id AND {_active('op')} "
                        f"JOIN orgs_orgkind k ON k.id = op.kind_id AND k.is_cell "
                        f"WHERE ms.kind = 'official' AND {_active('ms')} AND ms.member_id IN ("
                        "SELECT st.member_id FROM members_memberstatus st WHERE st.status IN "
                        f"('probationary', 'official') AND {_active('st')})"
                    )
                    params = [d(date_to)] * 6
                sql = (
                    f"INSERT INTO evaluation_evaluation ({COLUMNS}) SELECT %s, %s, x.member_id, x.org_id, x.path, "
                    f"x.g, %s, {true}, CASE WHEN x.ne < {NOT_EVALUATED} THEN 'not_evaluated' ELSE 'decided' END, "
                    f"CASE WHEN x.ne < {NOT_EVALUATED} THEN %s ELSE '' END, {obj}, '', {obj}, '', {obj}, "
                    f"CASE WHEN x.ne < {NOT_EVALUATED} THEN NULL ELSE {level_case} END, "
                    f"CASE WHEN x.ne < {NOT_EVALUATED} THEN NULL ELSE x.rank END, '', {arr}, 1 FROM ({inner}) x"
                )
                with connection.cursor() as cursor:
                    cursor.execute(sql, [period.pk, subject, year, REASON, *params])
                    counts[f"{subject}_{year}"] = cursor.rowcount
                log(f"  {year} {subject}: {counts[f'{subject}_{year}']:,} dòng".replace(",", "."))
        written = time.perf_counter() - started
        info = {
            **identity,
            "created_at": timezone.now().isoformat(),
            "entries": Evaluation.objects.count(),
            "counts": counts,
            "seconds": written,
        }
        _write_marker(info)
    from bench import generate as gen

    gen.analyze(Evaluation, EvaluationPeriod)
    info["seconds"] = time.perf_counter() - started
    with transaction.atomic():
        _write_marker(info)
    log(f"  ghi {written:.1f} s, ANALYZE {info['seconds'] - written:.1f} s".replace(".", ","))
    return info


# --------------------------------------------------------------------------------------------------- cases

COUNTS_SQL = (
    "SELECT e.subject, e.rank, COUNT(*) FROM evaluation_evaluation e "
    "JOIN evaluation_evaluationperiod p ON p.id = e.period_id "
    "WHERE e.year = %s AND e.annual AND e.path >= %s AND e.path < %s AND e.state = 'decided' "
    "AND e.rank IS NOT NULL AND p.state = 'published' AND p.published_on <= %s "
    "AND (e.subject = 'member' OR (e.is_grassroots AND e.org_id <> %s)) GROUP BY e.subject, e.rank"
)
MISSING_SQL = (
    "SELECT COUNT(*) FROM (SELECT ms.member_id FROM members_membership ms "
    "WHERE ms.kind = 'official' AND ms.valid_from <= %s AND (ms.valid_to IS NULL OR ms.valid_to > %s) "
    "AND ms.org_id IN (SELECT op.org_id FROM orgs_orgperiod op WHERE op.path >= %s AND op.path < %s "
    "AND op.valid_from <= %s AND (op.valid_to IS NULL OR op.valid_to > %s)) "
    "AND ms.member_id IN (SELECT st.member_id FROM members_memberstatus st WHERE st.status IN "
    "('probationary', 'official') AND st.valid_from <= %s AND (st.valid_to IS NULL OR st.valid_to > %s)) "
    "AND NOT EXISTS (SELECT 1 FROM evaluation_evaluation e JOIN evaluation_evaluationperiod p "
    "ON p.id = e.period_id WHERE e.member_id = ms.member_id AND e.year = %s AND e.annual AND e.path >= %s "
    "AND e.path < %s AND e.state = 'decided' AND e.rank IS NOT NULL AND p.state = 'published' "
    "AND p.published_on <= %s) "
    "UNION SELECT e.member_id FROM evaluation_evaluation e WHERE e.year = %s AND e.annual AND e.path >= %s "
    "AND e.path < %s AND e.subject = 'member' AND e.state = 'not_evaluated') x"
)


def contract_of(r: Any) -> dict[str, Any]:
    """What the report and the raw SQL must agree on."""
    return {
        "organizations_by_rank": {k: v for k, v in r.organizations_by_rank.items() if v},
        "members_by_rank": {k: v for k, v in r.members_by_rank.items() if v},
        "members_not_evaluated_total": r.members_not_evaluated_total,
    }


def contract_from_raw(raw: tuple[list[tuple[Any, ...]], int]) -> dict[str, Any]:
    rows, missing = raw
    orgs: Counter[int] = Counter()
    members: Counter[int] = Counter()
    for subject, rank, n in rows:
        (members if subject == "member" else orgs)[int(rank)] += int(n)
    return {
        "organizations_by_rank": dict(sorted(orgs.items())),
        "members_by_rank": dict(sorted(members.items())),
        "members_not_evaluated_total": missing,
    }


def evaluation_cases(case_type: Any, admin: Any, province: Any, root: Any, as_of: dt.date) -> list[Any]:
    from coso.core.scope import forget_scope
    from coso.evaluation import queries

    date_to = dt.date(REPORT_YEAR, 12, 31)
    vendor = connection.vendor

    def d(on: dt.date) -> Any:
        return on.isoformat() if vendor == "sqlite" else on

    def make(key: str, title: str, org: Any) -> Any:
        path = queries.root_path(org, date_to)
        assert path is not None
        end = path + "\uffff"
        counts_params = [REPORT_YEAR, path, end, d(as_of), org.pk]
        missing_params = [
            *[d(date_to)] * 2, path, end, *[d(date_to)] * 4, REPORT_YEAR, path, end, d(as_of), REPORT_YEAR, path, end,
        ]  # fmt: skip

        def app() -> Any:
            forget_scope(admin)
            return queries.results(admin, org, REPORT_YEAR, as_of=as_of)

        def raw() -> tuple[list[tuple[Any, ...]], int]:
            with connection.cursor() as cursor:
                cursor.execute(COUNTS_SQL, counts_params)
                rows = cursor.fetchall()
                cursor.execute(MISSING_SQL, missing_params)
                missing = int(cursor.fetchone()[0])
            return rows, missing

        return case_type(
            key,
            title,
            app,
            raw,
            COUNTS_SQL + ";\n" + MISSING_SQL,
            counts_params + missing_params,
            org == root,
        )

    return [
        make("e1", f"Xếp loại năm {REPORT_YEAR} theo mức của tỉnh", province),
        make("e2", f"Xếp loại năm {REPORT_YEAR} theo mức toàn quốc", root),
    ]


def run(
    admin: Any, province: Any, root: Any, as_of: dt.date, info: dict[str, Any], repeat: int, explain: bool
) -> dict:
    """Run (e1)–(e2), print their table, return what goes into the results file."""
    from django.test.utils import CaptureQueriesContext

    from bench import run as bench_run

    results = []
    for case in evaluation_cases(bench_run.Case, admin, province, root, as_of):
        app_times, raw_times, app_result, raw_result = bench_run._runs(case, repeat)
        got, want = contract_of(app_result), contract_from_raw(raw_result)
        if got != want:
            raise AssertionError(f"({case.key}) ứng dụng và SQL thô cho kết quả khác nhau: {got} ≠ {want}")
        with CaptureQueriesContext(connection) as ctx:
            case.app()
        app_ms, raw_ms = stats_mod.median(app_times), stats_mod.median(raw_times)
        case.result = {
            "key": case.key,
            "title": case.title,
            "app_ms": round(app_ms, 3),
            "raw_ms": round(raw_ms, 3),
            "ratio": round(app_ms / raw_ms, 3) if raw_ms else None,
            "app_min_ms": round(min(app_times), 3),
            "raw_min_ms": round(min(raw_times), 3),
            "ratio_of_minima": round(min(app_times) / min(raw_times), 3),
            "organizations": sum(got["organizations_by_rank"].values()),
            "members": sum(got["members_by_rank"].values()),
            "not_evaluated": got["members_not_evaluated_total"],
            "ok": app_ms / raw_ms <= bench_run.RATIO_TARGET if raw_ms else False,
            "app_queries": [{"sql": q["sql"], "ms": float(q["time"]) * 1000} for q in ctx.captured_queries],
            "raw_sql": case.raw_sql,
            "raw_params": [str(p) for p in case.raw_params],
        }
        results.append(case.result)

    num, ms = bench_run.num, bench_run.ms
    print()
    print(
        f"Xếp loại chất lượng: {num(info['entries'])} kết quả ({', '.join(str(y) for y in info['years'])}); "
        f"sinh dữ liệu: {num(info['seconds'], 1)} s ({info['created_at'][:19]})"
    )
    width = max(len(r["title"]) for r in results) + 5
    print(f"{'trường hợp':<{width}} {'app ms':>9} {'raw ms':>9} {'app/raw':>8} {'(min)':>7}  kết quả")
    print("-" * (width + 38 + 50))
    for r in results:
        text = (
            f"{num(r['organizations'])} TCCS, {num(r['members'])} đảng viên, {num(r['not_evaluated'])} không đánh giá"
            f" — chỉ tiêu app/raw ≤ {num(bench_run.RATIO_TARGET, 1)}: {'ĐẠT' if r['ok'] else 'KHÔNG ĐẠT'}"
        )
        print(
            f"({r['key']}) {r['title']:<{width - 5}} {ms(r['app_ms']):>9} {ms(r['raw_ms']):>9} "
            f"{num(r['ratio'], 2):>8} {num(r['ratio_of_minima'], 2):>7}  {text}"
        )
    print(
        "(e1, e2) ứng dụng: coso.evaluation.queries.results (số lượng theo mức, danh sách không đánh giá, tên mức); "
        "SQL thô: 1 GROUP BY theo mức + 1 đếm đảng viên không có kết quả"
    )
    if explain:
        for r in results:
            main_query = max(r["app_queries"], key=lambda q: q["ms"])
            print(
                f"({r['key']}) truy vấn chậm nhất của ứng dụng ({ms(main_query['ms'])} ms): {main_query['sql']}"
            )
    return {"info": info, "cases": results}
