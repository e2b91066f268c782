"""The benchmark: `python -m bench.run --scale S [--repeat N] [--regenerate] [--explain]` (`make bench`).

Times the app's own query functions (`coso.orgs.queries`) beside the minimal raw SQL that gives the same answer,
on the same connection with a warm cache (median of `--repeat` runs after two warm-up runs), checks that both
answers are equal, and prints a table with the ratios and the targets: app/raw ≤ 1.5 on PostgreSQL, the whole
nation's structure report under 1 s. Results also go to bench/out/results-<vendor>.json.

Database: PostgreSQL when DATABASE_URL names one (point it at a throwaway database: the benchmark fills it),
otherwise its own SQLite file var/bench.sqlite3 — never the demo database var/coso.sqlite3. The generated
dataset is kept and reused by the next run at the same scale; `--regenerate` makes it again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import sqlite3
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = Path(__file__).resolve().parent / "out"
PAST = dt.date(2019, 6, 30)  # the district level still existed, 63 provinces
RATIO_TARGET = 1.5
NATION_TARGET_MS = 1000.0

SUBTREE_SQL = (
    "SELECT org_id FROM orgs_orgperiod WHERE path >= %s AND path < %s AND valid_from <= %s "
    "AND (valid_to IS NULL OR valid_to > %s)"
)
STRUCTURE_SQL = (
    "SELECT kind_id, category_id, COUNT(*) FROM orgs_orgperiod WHERE path >= %s AND path < %s AND depth > %s "
    "AND valid_from <= %s AND (valid_to IS NULL OR valid_to > %s) GROUP BY kind_id, category_id"
)


def configure_database() -> Path | None:
    """Point DATABASE_URL at the benchmark's database before Django starts. Returns the SQLite file, if any."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coso.settings")
    os.environ.setdefault("COSO_DEBUG", "0")  # measure as in production: no query log
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://", "postgis://")):
        return None
    if url:
        print(f"DATABASE_URL={url} không phải PostgreSQL: benchmark dùng tệp SQLite riêng var/bench.sqlite3.")
    var_dir = Path(os.environ.get("COSO_VAR_DIR", BASE_DIR / "var")).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    return path


# ---------------------------------------------------------------------------------------------- formatting


def num(n: float, digits: int = 0) -> str:
    """Vietnamese number format: 12.345,6."""
    text = f"{n:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def ms(value: float) -> str:
    return num(value, 2 if value < 10 else 1 if value < 100 else 0)


# ---------------------------------------------------------------------------------------------------- cases


@dataclass
class Case:
    key: str
    title: str
    app: Callable[[], Any]
    raw: Callable[[], Any]
    raw_sql: str
    raw_params: list[Any]
    nation: bool = False
    result: dict[str, Any] = field(default_factory=dict)
    full: Callable[[], Any] | None = None  # the whole report, timed beside the case (meetings g1, g2)


def _runs(case: Case, repeat: int) -> tuple[list[float], list[float], Any, Any]:
    """App and raw run alternately `repeat` times each, after two warm-up runs; times in ms."""
    for _ in range(2):  # warm-up: caches, plans, the connection
        app_result, raw_result = case.app(), case.raw()
    app_times, raw_times = [], []
    gc.collect()
    gc.disable()  # as timeit does: a collection in the middle of one run is noise
    try:
        for _ in range(repeat):
            start = time.perf_counter()
            app_result = case.app()
            app_times.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            raw_result = case.raw()
            raw_times.append((time.perf_counter() - start) * 1000)
    finally:
        gc.enable()
    return app_times, raw_times, app_result, raw_result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.02, help="1.0 = cả nước (mặc định 0,02)")
    parser.add_argument("--repeat", type=int, default=7, help="số lần đo mỗi trường hợp (lấy trung vị)")
    parser.add_argument("--regenerate", action="store_true", help="sinh lại dữ liệu dù đã có")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--explain", action="store_true", help="in kế hoạch truy vấn của mọi trường hợp")
    parser.add_argument("--no-members", action="store_true", help="bỏ các trường hợp đảng viên (m1–m5)")
    parser.add_argument(
        "--no-meetings", action="store_true", help="bỏ các trường hợp sinh hoạt chi bộ (g1–g4)"
    )
    parser.add_argument(
        "--no-evaluation", action="store_true", help="bỏ các trường hợp xếp loại chất lượng (e1–e2)"
    )
    parser.add_argument(
        "--members-scale",
        type=float,
        default=None,
        help="số đảng viên = 5,6 triệu × giá trị này (mặc định = --scale)",
    )
    parser.add_argument(
        "--import-rows",
        type=int,
        default=100_000,
        help="số dòng Excel của trường hợp nhập (m6); 0 để bỏ qua (mặc định 100.000)",
    )
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale phải lớn hơn 0")

    sqlite_file = configure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import generate as gen
    from coso.orgs.models import Organization

    seed = gen.SEED if args.seed is None else args.seed

    def remove_sqlite() -> None:
        connection.close()
        assert sqlite_file is not None
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)

    if sqlite_file is not None and args.regenerate:
        remove_sqlite()
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    migrate_s = time.perf_counter() - started

    found = gen.marker()
    generated = False
    if gen.matches(found, args.scale, seed) and not args.regenerate:
        print(f"Dùng lại dữ liệu đã sinh ngày {found['created_at'][:19]} (quy mô {num(args.scale, 4)}).")  # type: ignore[index]
    else:
        if found is None and Organization.objects.exists():
            if sqlite_file is None:
                print(
                    "Cơ sở dữ liệu này đã có tổ chức không do benchmark sinh ra; benchmark không dùng nó vì "
                    "sẽ phải xóa hết các tổ chức đó. Hãy tạo một cơ sở dữ liệu riêng, ví dụ: psql -h 127.0.0.1 "
                    "-U postgres -c 'create database coso_bench', rồi chạy lại với "
                    "DATABASE_URL=postgres://postgres@127.0.0.1/coso_bench.",
                    file=sys.stderr,
                )
                return 2
        if sqlite_file is not None and (found is not None or Organization.objects.exists()):
            remove_sqlite()
            started = time.perf_counter()
            call_command("migrate", interactive=False, verbosity=0)
            migrate_s = time.perf_counter() - started
        print(
            f"Sinh dữ liệu quy mô {num(args.scale, 4)} vào {connection.vendor} ({connection.settings_dict['NAME']}):"
        )
        found = gen.load(args.scale, seed)
        generated = True
    assert found is not None
    if not args.no_members:
        from bench import members as bench_members

        n_members = int(bench_members.NATION_MEMBERS * (args.members_scale or args.scale))
        print(f"Đảng viên: {num(n_members)} (quy mô {num(args.members_scale or args.scale, 4)}):")
        args.members_info = bench_members.load_members(
            n_members, args.scale, found["codes"]["province"], seed
        )
    if not args.no_meetings:
        from bench import meetings as bench_meetings
        from bench import members as bench_members

        members_info = getattr(args, "members_info", None) or bench_members.marker() or {}
        print(f"Sinh hoạt chi bộ ({bench_meetings.MONTHS} tháng):")
        args.meetings_info = bench_meetings.load_meetings(
            args.scale, found["codes"]["province"], members_info, seed
        )
    if not args.no_evaluation:
        from bench import evaluation as bench_evaluation
        from bench import members as bench_members

        members_info = getattr(args, "members_info", None) or bench_members.marker() or {}
        print(f"Xếp loại chất lượng ({', '.join(str(y) for y in bench_evaluation.YEARS)}):")
        args.evaluation_info = bench_evaluation.load_evaluations(found["codes"]["root"], members_info, seed)
    return run_cases(args, found, generated, migrate_s)


def run_cases(args: argparse.Namespace, found: dict[str, Any], generated: bool, migrate_s: float) -> int:
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from coso.accounts.models import RoleGrant, User
    from coso.core.dates import today
    from coso.core.scope import forget_scope
    from coso.orgs import queries
    from coso.orgs.models import CellCategory, Organization, OrgKind, OrgPeriod

    vendor = connection.vendor
    as_of = today()

    admin, _ = User.objects.get_or_create(
        username="bench_admin", defaults={"is_superuser": True, "is_staff": True, "full_name": "Benchmark"}
    )
    root = Organization.objects.get(code=found["codes"]["root"])
    province = Organization.objects.get(code=found["codes"]["province"])
    scoped, _ = User.objects.get_or_create(
        username="bench_btc", defaults={"full_name": "Ban Tổ chức tỉnh (benchmark)"}
    )
    RoleGrant.objects.filter(user=scoped).exclude(org=province, role="org_commission").delete()
    RoleGrant.objects.get_or_create(user=scoped, org=province, role="org_commission", revoked_at=None)

    def path_on(org: Organization, on: dt.date) -> tuple[str, int]:
        p = queries.period_on(org, on)
        assert p is not None, f"{org.code} không tồn tại ngày {on}"
        return p.path, p.depth

    def date_param(on: dt.date) -> Any:
        return str(on) if vendor == "sqlite" else on

    def raw(sql: str, params: list[Any]) -> Callable[[], list[tuple[Any, ...]]]:
        def run() -> list[tuple[Any, ...]]:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return run

    def subtree_case(key: str, title: str, on: dt.date) -> Case:
        path, _ = path_on(province, on)
        params = [path, path + "\uffff", date_param(on), date_param(on)]

        def app() -> list[int]:
            forget_scope(admin)
            return list(queries.subtree(admin, province, on).values_list("org_id", flat=True))

        return Case(key, title, app, raw(SUBTREE_SQL, params), SUBTREE_SQL, params)

    def structure_case(key: str, title: str, user: Any, org: Organization, on: dt.date, nation: bool) -> Case:
        path, depth = path_on(org, on)
        params = [path, path + "\uffff", depth, date_param(on), date_param(on)]

        def app() -> Any:
            forget_scope(user)
            return queries.structure(user, org, on)

        return Case(key, title, app, raw(STRUCTURE_SQL, params), STRUCTURE_SQL, params, nation)

    pname = queries.period_on(province, as_of).name  # type: ignore[union-attr]
    cases = [
        subtree_case("a", f"Cây con của tỉnh, hôm nay ({pname})", as_of),
        subtree_case("b", f"Cây con của tỉnh, ngày {PAST:%d/%m/%Y}", PAST),
        structure_case("c", "Báo cáo cơ cấu của tỉnh, hôm nay", admin, province, as_of, False),
        structure_case("d", "Báo cáo cơ cấu toàn quốc, hôm nay", admin, root, as_of, True),
        structure_case("e", f"Báo cáo cơ cấu toàn quốc, ngày {PAST:%d/%m/%Y}", admin, root, PAST, True),
        structure_case("f", "Báo cáo cơ cấu của tỉnh, hôm nay, người dùng Ban Tổ chức tỉnh", scoped, province, as_of, False),
    ]  # fmt: skip

    kinds = {k.pk: k for k in OrgKind.objects.all()}
    categories = dict(CellCategory.objects.values_list("pk", "name"))

    def report_from_rows(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
        by_kind: dict[str, int] = defaultdict(int)
        by_category: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        total = grassroots = cells = 0
        for kind_id, category_id, n in rows:
            kind = kinds[kind_id]
            total += n
            by_kind[kind.name] += n
            by_category[kind.name][categories.get(category_id, "Chưa phân loại")] += n
            grassroots += n if kind.is_grassroots else 0
            cells += n if kind.is_cell and not kind.is_grassroots else 0
        return {
            "total": total,
            "grassroots_total": grassroots,
            "cells_total": cells,
            "by_kind": dict(by_kind),
            "by_category": {k: dict(v) for k, v in by_category.items()},
        }

    # ---------------------------------------------------------------------------------------- the header
    n_orgs = Organization.objects.count()
    n_periods = OrgPeriod.objects.count()
    alive = dict(
        OrgPeriod.objects.filter(queries.active_on(as_of))
        .values_list("kind__name")
        .annotate(n=Count("id"))
        .values_list("kind__name", "n")
        .order_by()
    )
    version = connection.pg_version if vendor == "postgresql" else None  # type: ignore[attr-defined]
    vendor_label = (
        f"PostgreSQL {version // 10000}.{version % 10000}" if version else f"SQLite {sqlite3.sqlite_version}"
    )
    print()
    print(f"Cơ sở dữ liệu: {vendor_label} — {connection.settings_dict['NAME']}")
    print(f"Quy mô: {num(args.scale, 4)} — ngày xem: hôm nay {as_of:%d/%m/%Y} và {PAST:%d/%m/%Y}")
    print(
        f"Số dòng: {num(n_orgs)} tổ chức, {num(n_periods)} giai đoạn ({num(n_periods / max(1, n_orgs), 2)} giai "
        f"đoạn/tổ chức); đang tồn tại hôm nay: "
        + ", ".join(f"{name} {num(n)}" for name, n in sorted(alive.items(), key=lambda kv: -kv[1]))
    )
    gen_s = found["seconds"]
    print(
        f"Sinh dữ liệu: {num(gen_s, 1)} s ({'vừa sinh' if generated else 'lần sinh trước, ' + found['created_at'][:19]})"
        f"; migrate: {num(migrate_s, 1)} s; đo {args.repeat} lần mỗi trường hợp, lấy trung vị"
    )
    print()

    # ------------------------------------------------------------------------------------------ the runs
    rows_out = []
    for case in cases:
        app_times, raw_times, app_result, raw_result = _runs(case, args.repeat)
        app_ms, raw_ms = statistics.median(app_times), statistics.median(raw_times)
        if case.key in ("a", "b"):
            app_ids, raw_ids = sorted(app_result), sorted(r[0] for r in raw_result)
            if app_ids != raw_ids:
                raise AssertionError(f"({case.key}) ứng dụng và SQL thô cho kết quả khác nhau")
            size = {"app_rows": len(app_result), "raw_rows": len(raw_result)}
            size_text = f"{num(len(app_result))} tổ chức"
        else:
            expected = report_from_rows(raw_result)
            got = {k: getattr(app_result, k) for k in expected}
            if got != expected:
                raise AssertionError(
                    f"({case.key}) ứng dụng và SQL thô cho kết quả khác nhau: {got} ≠ {expected}"
                )
            size = {
                "app_total": app_result.total,
                "raw_total": expected["total"],
                "raw_groups": len(raw_result),
                "grassroots": app_result.grassroots_total,
                "cells": app_result.cells_total,
            }
            size_text = (
                f"{num(app_result.total)} tổ chức ({num(app_result.grassroots_total)} TCCS, "
                f"{num(app_result.cells_total)} chi bộ), {len(raw_result)} nhóm"
            )
        with CaptureQueriesContext(connection) as ctx:
            case.app()
        app_queries = [{"sql": q["sql"], "ms": float(q["time"]) * 1000} for q in ctx.captured_queries]
        ratio = app_ms / raw_ms if raw_ms else float("inf")
        case.result = {
            "key": case.key,
            "title": case.title,
            "app_ms": round(app_ms, 3),
            "raw_ms": round(raw_ms, 3),
            "ratio": round(ratio, 3),
            "app_min_ms": round(min(app_times), 3),
            "raw_min_ms": round(min(raw_times), 3),
            "ratio_of_minima": round(min(app_times) / min(raw_times), 3),
            **size,
            "app_queries": app_queries,
            "raw_sql": case.raw_sql,
            "raw_params": [str(p) for p in case.raw_params],
        }
        rows_out.append((case, size_text))

    # ----------------------------------------------------------------------------------------- the table
    width = max(len(c.title) for c in cases) + 4
    print(f"{'trường hợp':<{width}} {'app ms':>9} {'raw ms':>9} {'app/raw':>8} {'(min)':>7}  kết quả")
    print("-" * (width + 38 + 50))
    for case, size_text in rows_out:
        r = case.result
        print(
            f"({case.key}) {case.title:<{width - 4}} {ms(r['app_ms']):>9} {ms(r['raw_ms']):>9} "
            f"{num(r['ratio'], 2):>8} {num(r['ratio_of_minima'], 2):>7}  {size_text}"
        )
    print("app ms, raw ms: trung vị; app/raw: tỉ lệ các trung vị; (min): tỉ lệ các lần nhanh nhất")
    print(
        f"Tải máy (load average 1/5/15 phút): {', '.join(num(x, 2) for x in os.getloadavg())} — {os.cpu_count()} lõi"
    )
    print()

    # --------------------------------------------------------------------------------------- the targets
    targets = []
    applies = vendor == "postgresql"
    for case in cases:
        ok = case.result["ratio"] <= RATIO_TARGET
        targets.append(
            {
                "target": f"({case.key}) app/raw ≤ {RATIO_TARGET}",
                "applies": applies,
                "ok": ok,
                "value": case.result["ratio"],
            }
        )
    for case in cases:
        if case.nation:
            ok = case.result["app_ms"] < NATION_TARGET_MS
            targets.append(
                {
                    "target": f"({case.key}) cơ cấu toàn quốc < {num(NATION_TARGET_MS)} ms",
                    "applies": True,
                    "ok": ok,
                    "value": case.result["app_ms"],
                }
            )
    print("Chỉ tiêu:")
    for t in targets:
        verdict = "ĐẠT" if t["ok"] else "KHÔNG ĐẠT"
        note = "" if t["applies"] else " (chỉ tiêu cho PostgreSQL; trên SQLite chỉ để tham khảo)"
        value = num(t["value"], 2) if "app/raw" in t["target"] else f"{ms(t['value'])} ms"
        print(f"  {t['target']:<36} {value:>10}  {verdict}{note}")

    # ----------------------------------------------------------------------------------------- the plans
    plans = {}
    for case in cases:
        slow = applies and case.result["ratio"] > RATIO_TARGET
        if not (slow or args.explain):
            continue
        main_query = max(case.result["app_queries"], key=lambda q: q["ms"])["sql"]
        plans[case.key] = {"app": explain(main_query, []), "raw": explain(case.raw_sql, case.raw_params)}
        print()
        print(
            f"({case.key}) {case.title}: tỉ lệ {num(case.result['ratio'], 2)} — truy vấn chính của ứng dụng:"
        )
        print("  " + main_query)
        print("  kế hoạch (ứng dụng):")
        print("\n".join("    " + line for line in plans[case.key]["app"]))
        print("  kế hoạch (SQL thô):")
        print("\n".join("    " + line for line in plans[case.key]["raw"]))

    member_results = None
    if getattr(args, "members_info", None):
        from bench import members as bench_members

        member_results = bench_members.run(
            admin, province, as_of, args.members_info, args.repeat, args.explain, args.import_rows
        )

    meeting_results = None
    if getattr(args, "meetings_info", None):
        from bench import meetings as bench_meetings

        meeting_results = bench_meetings.run(
            admin, province, root, as_of, args.meetings_info, args.repeat, args.explain
        )

    evaluation_results = None
    if getattr(args, "evaluation_info", None):
        from bench import evaluation as bench_evaluation

        evaluation_results = bench_evaluation.run(
            admin, province, root, as_of, args.evaluation_info, args.repeat, args.explain
        )

    OUT_DIR.mkdir(exist_ok=True)
    out = OUT_DIR / f"results-{vendor}.json"
    out.write_text(
        json.dumps(
            {
                "vendor": vendor,
                "server": vendor_label,
                "database": str(connection.settings_dict["NAME"]),
                "scale": args.scale,
                "seed": found["seed"],
                "as_of": as_of.isoformat(),
                "past": PAST.isoformat(),
                "repeat": args.repeat,
                "load_average": os.getloadavg(),
                "rows": {"organizations": n_orgs, "periods": n_periods, "alive_today": alive},
                "dataset": found,
                "generated_now": generated,
                "generation_seconds": gen_s,
                "province": province.code,
                "cases": [c.result for c in cases],
                "targets": targets,
                "plans": plans,
                "members": member_results,
                "meetings": meeting_results,
                "evaluation": evaluation_results,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print()
    print(f"Kết quả: {out.relative_to(BASE_DIR)}")
    return 0


def explain(sql: str, params: list[Any]) -> list[str]:
    """The plan of `sql` as run (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params or None)
            return [r[0] for r in cursor.fetchall()]
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params or None)
        return [" ".join(str(x) for x in r[1:]) for r in cursor.fetchall()]


if __name__ == "__main__":
    sys.exit(main())
