"""Meeting cases of the benchmark: two years of cell meetings generated into the benchmark's tree, then the
compliance report of a commune, a province and the nation for a year, each beside the minimal raw SQL that
computes the same contract numbers, and the province's compliance page rendered in full.

Meetings: for every cell alive in the 24 complete months before today, a regular meeting each month the cell
exists whole, with realistic gaps (a rate of missed months drawn per cell, ≈8% on average) and a thematic
meeting in ≈80% of the quarters. The stored figures (official, probationary, expected, present …) come from the
bench's members of the cell. Attendance rows (what the member alerts read) are generated in full — every member ×
meeting — for the chosen province's cells only, with their minutes (≈97% adopted); elsewhere only the figures:
134 million attendance rows for the nation are not feasible on this machine. Rows are written with COPY
(PostgreSQL) or executemany (SQLite), no history rows; a marker table (`bench_meetings`) says what was generated,
so the next run reuses it.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics as stats_mod
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

MEETING_MARKER = "bench_meetings"
MEETINGS_VERSION = 1
MONTHS = 24
PAGE_TARGET_MS = 1000.0
REGULAR = ("regular", "model", "pilot")
MEMBER_KINDS = ("regular", "thematic", "extraordinary", "model", "pilot")
MISS_RATES = (0.0, 0.0, 0.02, 0.05, 0.1, 0.3)  # drawn per cell: ≈8% of months missed
THEMATIC_RATES = (1.0, 0.9, 0.8, 0.8, 0.5)  # drawn per cell: ≈80% of quarters with a thematic meeting
CHRONIC = 0.003  # members of the province absent without reason at most meetings


def add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    return dt.date(d.year + y, m + 1, 1)


def last_of(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def window(as_of: dt.date) -> list[dt.date]:
    """The first days of the MONTHS complete months before `as_of`."""
    last = add_months(as_of.replace(day=1), -1)
    return [add_months(last, -i) for i in range(MONTHS - 1, -1, -1)]


def report_period(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The year reported on: the 12 complete months before `as_of`."""
    months = window(as_of)
    return months[-12], last_of(months[-1])


# ---------------------------------------------------------------------------------------------- generation


def marker() -> dict[str, Any] | None:
    if MEETING_MARKER not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT info FROM {MEETING_MARKER}")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def _write_marker(info: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MEETING_MARKER} (info TEXT NOT NULL)")
        cursor.execute(f"DELETE FROM {MEETING_MARKER}")
        cursor.execute(f"INSERT INTO {MEETING_MARKER} (info) VALUES (%s)", [json.dumps(info)])


def _models() -> list[Any]:
    from coso.meetings import models as mt

    return [
        mt.TaskFollowUp, mt.ResolutionTask, mt.Resolution, mt.MinutesAmendment, mt.Minutes, mt.MeetingScore,
        mt.DuesPayment, mt.Attendance, mt.AttendanceAssignment, mt.AgendaItem, mt.ProgrammeCell,
        mt.QualityProgramme, mt.MeetingRhythm, mt.Meeting,
    ]  # fmt: skip


def _clear() -> None:
    """Remove every meeting row and its history (the benchmark's own database only; criteria sets stay)."""
    models = _models()
    tables = [m._meta.db_table for m in models] + [m.history.model._meta.db_table for m in models]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE TABLE " + ", ".join(qn(t) for t in tables) + " CASCADE")
        else:
            for t in tables:
                cursor.execute(f"DELETE FROM {qn(t)}")


def _insert(model: Any, cols: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    from bench.generate import _insert as insert

    insert(model, dict.fromkeys(cols, 0), rows)


MEETING_COLS = [
    "id", "org_id", "kind", "date", "month", "status", "place", "focus_issue", "preparation_note",
    "invitation_note", "cancel_reason", "official", "probationary", "exempt", "suspended", "away", "expected",
    "present", "present_expected", "absent_excused", "absent_unexcused", "guests", "version", "created_at",
]  # fmt: skip
ATTENDANCE_COLS = [
    "id", "meeting_id", "member_id", "name", "role", "status_on", "exempt", "suspended", "away", "presence",
    "reason",
]  # fmt: skip
MINUTES_COLS = [
    "id", "meeting_id", "chair_name", "secretary_name", "proceedings", "speakers", "conclusions", "votes_for",
    "votes_against", "votes_abstain", "adopted_on", "version",
]  # fmt: skip


def load_meetings(
    scale: float, province_code: str, members: dict[str, Any], seed: int, log: Any = print
) -> dict[str, Any]:
    """Generate the meetings (unless the marker says they are there, for these members) and return the marker."""
    from bench.generate import _no_style
    from coso.core.dates import today
    from coso.meetings.models import Attendance, Meeting, Minutes
    from coso.orgs.models import Organization

    as_of = today()
    months = window(as_of)
    found = marker()
    identity = {
        "version": MEETINGS_VERSION,
        "seed": seed,
        "scale": scale,
        "members_created_at": members.get("created_at"),
        "first_month": months[0].isoformat(),
    }
    if (
        found
        and {k: found.get(k) for k in identity} == identity
        and Meeting.objects.count() == found["meetings"]
        and Attendance.objects.count() == found["attendance"]
    ):
        log(
            f"Dùng lại {found['meetings']:,} cuộc sinh hoạt đã sinh ngày {found['created_at'][:19]}.".replace(
                ",", "."
            )
        )
        return found
    started = time.perf_counter()
    rng = random.Random(seed)
    province = Organization.objects.get(code=province_code)
    w0, w1 = months[0], last_of(months[-1])

    def d(on: dt.date) -> Any:
        return on.isoformat() if connection.vendor == "sqlite" else on

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT o.id, o.established_on, o.dissolved_on, o.current_path FROM orgs_organization o WHERE EXISTS "
            "(SELECT 1 FROM orgs_orgperiod p JOIN orgs_orgkind k ON k.id = p.kind_id WHERE p.org_id = o.id AND "
            "k.is_cell AND p.valid_from <= %s AND (p.valid_to IS NULL OR p.valid_to > %s)) ORDER BY o.id",
            [d(w1), d(w0)],
        )
        cells = [
            (oid, _date(est), _date(dis) if dis else None, path) for oid, est, dis, path in cursor.fetchall()
        ]
        cursor.execute(
            "SELECT home_org_id, SUM(CASE WHEN status = 'official' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN status = 'probationary' THEN 1 ELSE 0 END) FROM members_member "
            "WHERE status IN ('official', 'probationary') GROUP BY home_org_id"
        )
        counts = {oid: (int(o), int(p)) for oid, o, p in cursor.fetchall()}
        ppath = province.current_path
        cursor.execute(
            "SELECT m.id, m.home_org_id, m.full_name, m.joined_on, m.recognised_on FROM members_member m "
            "JOIN orgs_organization o ON o.id = m.home_org_id WHERE o.current_path >= %s AND o.current_path < %s "
            "AND m.status IN ('official', 'probationary') ORDER BY m.id",
            [ppath, ppath + "\uffff"],
        )
        people: dict[int, list[tuple[int, str, dt.date, dt.date | None]]] = {}
        for mid, oid, name, joined, recognised in cursor.fetchall():
            people.setdefault(oid, []).append(
                (mid, name, _date(joined), _date(recognised) if recognised else None)
            )
    chronic = {mid for rows in people.values() for mid, *_ in rows if rng.random() < CHRONIC}
    quarters = sorted({dt.date(m.year, 3 * ((m.month - 1) // 3) + 1, 1) for m in months})
    now = timezone.now()
    tally = {"meetings": 0, "thematic": 0, "attendance": 0, "minutes": 0, "cells": 0, "province_cells": 0}
    attendance: list[tuple[Any, ...]] = []
    minutes: list[tuple[Any, ...]] = []
    next_id = [0]

    def meetings() -> Iterator[tuple[Any, ...]]:
        for oid, est, dis, path in cells:
            alive = [m for m in months if est <= m and (dis is None or dis > last_of(m))]
            if not alive:
                continue
            tally["cells"] += 1
            miss = rng.choice(MISS_RATES)
            thematic = rng.choice(THEMATIC_RATES)
            day = rng.choice((4, 4, 4, 5, 10, 15, 20))
            here = people.get(oid) if path.startswith(ppath) else None
            if here is not None:
                tally["province_cells"] += 1
            official, probationary = counts.get(oid, (0, 0))
            dates = [(m.replace(day=day), "regular") for m in alive if rng.random() >= miss]
            for q in quarters:
                if rng.random() < thematic:
                    on = add_months(q, 1).replace(day=18)
                    if est <= on and (dis is None or dis > on) and w0 <= on <= w1:
                        dates.append((on, "thematic"))
            dates.sort()
            for on, kind in dates:
                next_id[0] += 1
                mid_ = next_id[0]
                tally["meetings"] += 1
                tally["thematic"] += kind == "thematic"
                if here is not None:
                    figures = _attend(rng, mid_, on, here, chronic, attendance)
                    tally["attendance"] += figures[0] + figures[1]
                    if rng.random() < 0.97 or on < add_months(months[-1], -3):
                        adopted: dt.date | None = on
                    else:
                        adopted = None
                    minutes.append(
                        (len(minutes) + 1, mid_, "Bí thư chi bộ", "Chi ủy viên", "", "[]", "Thống nhất",
                         figures[2], 0, 0, adopted, 1)
                    )  # fmt: skip
                else:
                    expected = official + probationary
                    excused = int(expected * rng.uniform(0.0, 0.1) + 0.5)
                    unexcused = int(expected * rng.uniform(0.0, 0.04) + 0.5)
                    present = max(0, expected - excused - unexcused)
                    figures = (official, probationary, present, excused, unexcused)
                yield (
                    mid_, oid, kind, on, on.replace(day=1), "held", "", "", "", "", "", figures[0], figures[1],
                    0, 0, 0, figures[0] + figures[1], figures[2], figures[2], figures[3], figures[4], 0, 1, now,
                )  # fmt: skip

    with transaction.atomic():
        _clear()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        _insert(Meeting, MEETING_COLS, meetings())
        log(
            f"  {tally['meetings']:,} cuộc sinh hoạt ({tally['thematic']:,} chuyên đề) của {tally['cells']:,} chi "
            f"bộ: {time.perf_counter() - started:.1f} s".replace(",", ".")
        )
        _insert(Attendance, ATTENDANCE_COLS, iter(attendance))
        _insert(Minutes, MINUTES_COLS, iter(minutes))
        tally["minutes"] = len(minutes)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(_no_style(), [Meeting, Attendance, Minutes]):
                cursor.execute(sql)
        written = time.perf_counter() - started
        log(
            f"  điểm danh đầy đủ cho {tally['province_cells']:,} chi bộ của tỉnh {province_code}: "
            f"{len(attendance):,} dòng, {len(minutes):,} biên bản; ghi xong: {written:.1f} s".replace(
                ",", "."
            )
        )
        info = {
            **identity,
            "created_at": timezone.now().isoformat(),
            "meetings": tally["meetings"],
            "thematic": tally["thematic"],
            "cells": tally["cells"],
            "province_cells": tally["province_cells"],
            "attendance": len(attendance),
            "minutes": len(minutes),
            "chronic": len(chronic),
            "seconds": written,
        }
        _write_marker(info)
    del attendance[:], minutes[:]
    from bench import generate as gen

    gen.analyze(Meeting, Attendance, Minutes)
    info["seconds"] = time.perf_counter() - started
    with transaction.atomic():
        _write_marker(info)
    log(f"  ANALYZE: {info['seconds'] - written:.1f} s — tổng {info['seconds']:.1f} s")
    return info


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _attend(
    rng: random.Random,
    meeting_id: int,
    on: dt.date,
    people: list[tuple[int, str, dt.date, dt.date | None]],
    chronic: set[int],
    out: list[tuple[Any, ...]],
) -> tuple[int, int, int, int, int]:
    """Attendance rows of one meeting (every member of the cell by then); returns the figures."""
    official = probationary = present = excused = unexcused = 0
    for mid, name, joined, recognised in people:
        if joined > on:
            continue
        status = "official" if recognised is not None and recognised <= on else "probationary"
        if status == "official":
            official += 1
        else:
            probationary += 1
        x = rng.random()
        if mid in chronic and x < 0.6:
            presence, reason = "absent_unexcused", ""
        elif x < 0.06:
            presence, reason = "absent_excused", "Ốm"
        elif x < 0.09:
            presence, reason = "absent_unexcused", ""
        else:
            presence, reason = "present", ""
        if presence == "present":
            present += 1
        elif presence == "absent_excused":
            excused += 1
        else:
            unexcused += 1
        out.append(
            (len(out) + 1, meeting_id, mid, name, "member", status, False, False, False, presence, reason)
        )
    return official, probationary, present, excused, unexcused


# --------------------------------------------------------------------------------------------------- cases


def _values(rows: list[tuple[dt.date, dt.date]], d: Callable[[dt.date], Any]) -> tuple[str, list[Any]]:
    cast = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"
    return ", ".join(f"({cast}, {cast})" for _ in rows), [d(x) for pair in rows for x in pair]


def raw_sql(paths: list[str], frm: dt.date, to: dt.date) -> tuple[str, str, list[Any], list[Any]]:
    """The minimal hand-written SQL of the contract numbers over the subtree at `paths` (the root's paths through
    time) for the months and quarters ending in [frm, to]: (months SQL, quarters SQL, their parameters).

    Months: a (cell, month) unit exists when the cell's placement on the month's last day lies under the root,
    its kind is a cell and it exists the whole month; it is held when a held regular-kind meeting falls in it;
    attendance sums the held member meetings of the units. Quarters: the same with thematic meetings."""

    def d(on: dt.date) -> Any:
        return on.isoformat() if connection.vendor == "sqlite" else on

    months = []
    m = frm.replace(day=1)
    while last_of(m) <= to:
        if last_of(m) >= frm:
            months.append((m, last_of(m)))
        m = add_months(m, 1)
    quarters = []
    q = dt.date(frm.year, 3 * ((frm.month - 1) // 3) + 1, 1)
    while last_of(add_months(q, 2)) <= to:
        if last_of(add_months(q, 2)) >= frm:
            quarters.append((q, last_of(add_months(q, 2))))
        q = add_months(q, 3)
    under = " OR ".join(["(p.path >= %s AND p.path < %s)"] * len(paths))
    path_params = [x for p in paths for x in (p, p + "\uffff")]
    reg = ", ".join(f"'{k}'" for k in REGULAR)
    mem = ", ".join(f"'{k}'" for k in MEMBER_KINDS)

    def units(values: str) -> str:
        return (
            f"WITH b (b_first, b_last) AS (VALUES {values}), "
            "u AS (SELECT p.org_id, b.b_first, b.b_last FROM b JOIN orgs_orgperiod p ON p.valid_from <= b.b_last "
            "AND (p.valid_to IS NULL OR p.valid_to > b.b_last) JOIN orgs_orgkind k ON k.id = p.kind_id "
            "JOIN orgs_organization o ON o.id = p.org_id "
            f"WHERE ({under}) AND k.is_cell AND o.established_on <= b.b_first "
            "AND (o.dissolved_on IS NULL OR o.dissolved_on > b.b_last)) "
        )

    mv, mp = _values(months, d)
    months_sql = (
        units(mv) + ", a AS (SELECT u.org_id, u.b_first, "
        f"MAX(CASE WHEN m.kind IN ({reg}) THEN 1 ELSE 0 END) AS held, "
        f"SUM(CASE WHEN m.kind IN ({mem}) THEN m.present_expected ELSE 0 END) AS pe, "
        f"SUM(CASE WHEN m.kind IN ({mem}) THEN m.expected ELSE 0 END) AS ex "
        "FROM u JOIN meetings_meeting m ON m.org_id = u.org_id AND m.date >= u.b_first AND m.date <= u.b_last "
        "WHERE m.status = 'held' GROUP BY u.org_id, u.b_first) "
        "SELECT (SELECT COUNT(*) FROM u), (SELECT COUNT(DISTINCT org_id) FROM u), "
        "COALESCE(SUM(held), 0), COALESCE(SUM(pe), 0), COALESCE(SUM(ex), 0) FROM a"
    )
    qv, qp = _values(quarters, d)
    quarters_sql = (
        units(qv) + "SELECT COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM meetings_meeting m WHERE "
        "m.org_id = u.org_id AND m.date >= u.b_first AND m.date <= u.b_last AND m.status = 'held' AND "
        "m.kind = 'thematic') THEN 1 ELSE 0 END), 0) FROM u"
    )
    return months_sql, quarters_sql, mp + path_params, qp + path_params


def contract_of(report: Any) -> dict[str, Any]:
    return {
        "cells": report.cells,
        "regular_held": report.regular_held,
        "regular_expected": report.regular_expected,
        "thematic_quarters_met": report.thematic_quarters_met,
        "thematic_quarters_expected": report.thematic_quarters_expected,
        "present": report.present,
        "expected_attendance": report.expected_attendance,
        "attendance_rate": report.attendance_rate,
    }


def contract_from_raw(result: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]) -> dict[str, Any]:
    (expected, cells, held, pe, ex), (q_expected, q_met) = result[0][0], result[1][0]
    pe, ex = int(pe or 0), int(ex or 0)
    return {
        "cells": int(cells),
        "regular_held": int(held or 0),
        "regular_expected": int(expected),
        "thematic_quarters_met": int(q_met or 0),
        "thematic_quarters_expected": int(q_expected),
        "present": pe,
        "expected_attendance": ex,
        "attendance_rate": round(pe / ex, 4) if ex else None,
    }


def meeting_cases(case_cls: Any, admin: Any, province: Any, root: Any, as_of: dt.date) -> list[Any]:
    """(g1) a commune, (g2) the province, (g3) the nation: `queries.compliance` beside `raw_sql`."""
    from coso.core.fields import prefix_range
    from coso.core.scope import forget_scope
    from coso.meetings import queries
    from coso.orgs import queries as orgs_queries
    from coso.orgs.models import Organization, OrgPeriod

    frm, to = report_period(as_of)
    ppath = province.current_path
    # the commune: the local party committee (xã/phường) of the province with the most cells today
    communes = list(
        OrgPeriod.objects.filter(
            kind__code__in=["dang_bo_xa", "dang_bo_phuong"],
            valid_from__lte=as_of,
            **prefix_range("path", ppath),
        )
        .exclude(valid_to__lte=as_of)
        .values_list("org_id", "path")
    )
    cell_paths = list(
        OrgPeriod.objects.filter(kind__is_cell=True, valid_from__lte=as_of, **prefix_range("path", ppath))
        .exclude(valid_to__lte=as_of)
        .values_list("path", flat=True)
    )
    commune_id = max(communes, key=lambda c: (sum(1 for p in cell_paths if p.startswith(c[1])), -c[0]))[0]
    commune = Organization.objects.get(pk=commune_id)

    def case(key: str, title: str, org: Any, alerts: bool) -> Any:
        """The ratio compares like with like: the report's figures (alerts=False) beside the raw SQL of the same
        figures. With `alerts`, the whole report (figures and alert lists, as the page asks for it) is timed too
        and printed beside it, without a raw bound (the raw SQL computes no alerts)."""
        paths = sorted(set(org.periods.values_list("path", flat=True)))
        msql, qsql, mparams, qparams = raw_sql(paths, frm, to)

        def app() -> Any:
            forget_scope(admin)
            return queries.compliance(admin, org, frm, to, as_of, alerts=False)

        def full() -> Any:
            forget_scope(admin)
            return queries.compliance(admin, org, frm, to, as_of, alerts=True)

        def raw() -> Any:
            with connection.cursor() as cursor:
                cursor.execute(msql, mparams)
                months = cursor.fetchall()
                cursor.execute(qsql, qparams)
                return months, cursor.fetchall()

        return case_cls(
            key,
            title,
            app,
            raw,
            msql + ";\n" + qsql,
            mparams + qparams,
            nation=org == root,
            full=full if alerts else None,
        )

    name = orgs_queries.labels_on([commune.pk, province.pk], to)
    return [
        case("g1", f"Sinh hoạt chi bộ của xã trong năm ({name[commune.pk][1]})", commune, True),
        case("g2", f"Sinh hoạt chi bộ của tỉnh trong năm ({name[province.pk][1]})", province, True),
        case("g3", "Sinh hoạt chi bộ cả nước trong năm (số liệu, từng tỉnh)", root, False),
    ]


def page_case(admin: Any, province: Any, as_of: dt.date, repeat: int) -> dict[str, Any]:
    """(g4) the province's compliance page through the Django test client: the full render, as a user sees it."""
    from django.conf import settings
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    frm, to = report_period(as_of)
    try:
        url = reverse("meetings:compliance", args=[province.code])
    except NoReverseMatch:
        return {"key": "g4", "title": "Trang sinh hoạt chi bộ của tỉnh (chưa có trang)", "skipped": True}
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(admin)
    query = {"from": f"{frm:%d/%m/%Y}", "to": f"{to:%d/%m/%Y}"}
    alerts_url = reverse("meetings:compliance_alerts", args=[province.code])

    def timed(target: str) -> tuple[list[float], int]:
        times, size = [], 0
        for i in range(repeat + 2):
            start = time.perf_counter()
            response = client.get(target, query, secure=True)
            elapsed = (time.perf_counter() - start) * 1000
            if response.status_code != 200:
                raise AssertionError(f"(g4) {target} trả lời {response.status_code}")
            size = len(response.content)
            if i >= 2:
                times.append(elapsed)
        return times, size

    times, size = timed(url)
    alert_times, alert_size = timed(alerts_url)
    page_ms = stats_mod.median(times)
    return {
        "key": "g4",
        "title": "Trang sinh hoạt chi bộ của tỉnh trong năm (số liệu, từng đơn vị, biểu đồ)",
        "url": url,
        "app_ms": round(page_ms, 3),
        "app_min_ms": round(min(times), 3),
        "bytes": size,
        "alerts_url": alerts_url,
        "alerts_ms": round(stats_mod.median(alert_times), 3),
        "alerts_bytes": alert_size,
        "ok": page_ms < PAGE_TARGET_MS,
    }


def run(
    admin: Any, province: Any, root: Any, as_of: dt.date, info: dict[str, Any], repeat: int, explain: bool
) -> dict[str, Any]:
    """Run (g1)–(g4), print their table, return what goes into the results file."""
    from django.test.utils import CaptureQueriesContext

    from bench import run as bench_run

    cases = meeting_cases(bench_run.Case, admin, province, root, as_of)
    results = []
    for case in cases:
        app_times, raw_times, app_result, raw_result = bench_run._runs(case, repeat)
        got, want = contract_of(app_result), contract_from_raw(raw_result)
        if got != want:
            raise AssertionError(f"({case.key}) ứng dụng và SQL thô cho kết quả khác nhau: {got} ≠ {want}")
        with CaptureQueriesContext(connection) as ctx:
            case.app()
        app_ms, raw_ms = stats_mod.median(app_times), stats_mod.median(raw_times)
        full_ms = None
        alerts = app_result.alerts
        if case.full is not None:
            full_times = []
            for _ in range(max(1, min(repeat, 3))):
                start = time.perf_counter()
                full_result = case.full()
                full_times.append((time.perf_counter() - start) * 1000)
            full_ms, alerts = stats_mod.median(full_times), full_result.alerts
            if contract_of(full_result) != got:
                raise AssertionError(f"({case.key}) số liệu khi có cảnh báo khác khi không có cảnh báo")
        text = (
            f"{got['cells']:_} chi bộ; thường kỳ {got['regular_held']:_}/{got['regular_expected']:_}; chuyên đề "
            f"{got['thematic_quarters_met']:_}/{got['thematic_quarters_expected']:_} quý; dự họp "
            f"{bench_run.num(100 * (got['attendance_rate'] or 0), 1)}%"
        ).replace("_", ".")
        if full_ms is not None:
            text += (
                f"; cả báo cáo có cảnh báo: {bench_run.ms(full_ms)} ms ({alerts.cells_without_meeting_total} chi bộ "
                f"lâu không họp, {alerts.minutes_not_adopted_total} biên bản chưa thông qua, "
                f"{len(alerts.absent_members)} đảng viên vắng ≥ 3 tháng)"
            )
        case.result = {
            "key": case.key,
            "title": case.title,
            "app_ms": round(app_ms, 3),
            "raw_ms": round(raw_ms, 3),
            "ratio": round(app_ms / raw_ms, 3) if raw_ms else None,
            "app_min_ms": round(min(app_times), 3),
            "raw_min_ms": round(min(raw_times), 3),
            "ratio_of_minima": round(min(app_times) / min(raw_times), 3),
            "with_alerts_ms": round(full_ms, 3) if full_ms is not None else None,
            **got,
            "text": text,
            "app_queries": [{"sql": q["sql"], "ms": float(q["time"]) * 1000} for q in ctx.captured_queries],
            "raw_sql": case.raw_sql,
            "raw_params": [str(p) for p in case.raw_params],
        }
        results.append(case.result)
    page = page_case(admin, province, as_of, min(repeat, 5))

    num, ms = bench_run.num, bench_run.ms
    frm, to = report_period(as_of)
    print()
    print(
        f"Sinh hoạt chi bộ: {num(info['meetings'])} cuộc ({num(info['thematic'])} chuyên đề) của {num(info['cells'])} "
        f"chi bộ, {MONTHS} tháng đến hết {last_of(window(as_of)[-1]):%d/%m/%Y}; điểm danh đầy đủ "
        f"({num(info['attendance'])} dòng) và biên bản ({num(info['minutes'])}) chỉ cho {num(info['province_cells'])} "
        f"chi bộ của tỉnh {province.code}, nơi khác chỉ có số liệu của cuộc họp; sinh dữ liệu: "
        f"{num(info['seconds'], 1)} s ({info['created_at'][:19]})"
    )
    print(f"Năm báo cáo: {frm:%d/%m/%Y} – {to:%d/%m/%Y}, ngày xem {as_of:%d/%m/%Y}")
    width = max(len(r["title"]) for r in results) + 5
    print(f"{'trường hợp':<{width}} {'app ms':>9} {'raw ms':>9} {'app/raw':>8} {'(min)':>7}  kết quả")
    print("-" * (width + 38 + 50))
    for r in results:
        print(
            f"({r['key']}) {r['title']:<{width - 5}} {ms(r['app_ms']):>9} {ms(r['raw_ms']):>9} "
            f"{num(r['ratio'], 2):>8} {num(r['ratio_of_minima'], 2):>7}  {r['text']}"
        )
    if page.get("skipped"):
        print(f"(g4) {page['title']}")
    else:
        verdict = "ĐẠT" if page["ok"] else "KHÔNG ĐẠT"
        print(
            f"(g4) {page['title']:<{width - 5}} {ms(page['app_ms']):>9} {'':>9} {'':>8} {'':>7}  "
            f"{num(page['bytes'] / 1024, 0)} KB; chỉ tiêu < {num(PAGE_TARGET_MS)} ms: {verdict}"
        )
        print(
            f"(g4) {'… rồi khung cảnh báo của trang, tải sau số liệu':<{width - 5}} {ms(page['alerts_ms']):>9} "
            f"{'':>9} {'':>8} {'':>7}  {num(page['alerts_bytes'] / 1024, 0)} KB; không có chỉ tiêu riêng"
        )
    print(
        "(g1)–(g3) ứng dụng: queries.compliance không cảnh báo (số liệu, từng tổ chức trực thuộc, chi bộ dưới mức "
        "tối thiểu năm); SQL thô: 2 truy vấn viết tay cho cùng các con số (tháng, quý), cùng kết quả; với g1, g2 "
        "thời gian cả báo cáo có cảnh báo (như trang yêu cầu) in ở cột kết quả, không có cận SQL thô"
    )
    print(
        "(g4) trang /meetings/…/compliance/ qua Django test client (truy vấn và hiển thị mẫu); khung cảnh báo "
        "…/compliance/alerts/ trang tự tải ngay sau đó, đo riêng"
    )
    targets = []
    applies = connection.vendor == "postgresql"
    for r in results:
        targets.append(
            {
                "target": f"({r['key']}) app/raw ≤ {bench_run.RATIO_TARGET}",
                "applies": applies,
                "ok": (r["ratio"] or 0) <= bench_run.RATIO_TARGET,
                "value": r["ratio"],
            }
        )
    if not page.get("skipped"):
        targets.append(
            {
                "target": f"(g4) trang của tỉnh < {num(PAGE_TARGET_MS)} ms",
                "applies": True,
                "ok": page["ok"],
                "value": page["app_ms"],
            }
        )
    print("Chỉ tiêu:")
    for t in targets:
        verdict = "ĐẠT" if t["ok"] else "KHÔNG ĐẠT"
        note = "" if t["applies"] else " (chỉ tiêu cho PostgreSQL; trên SQLite chỉ để tham khảo)"
        value = num(t["value"], 2) if "app/raw" in t["target"] else f"{ms(t['value'])} ms"
        print(f"  {t['target']:<36} {value:>10}  {verdict}{note}")
    plans = {}
    for r in results:
        if not explain and not (applies and (r["ratio"] or 0) > bench_run.RATIO_TARGET):
            continue
        main_query = max(r["app_queries"], key=lambda q: q["ms"])
        plans[r["key"]] = {"app_main_query": main_query["sql"], "app_main_ms": main_query["ms"]}
        print()
        print(
            f"({r['key']}) tỉ lệ {num(r['ratio'], 2)}: {len(r['app_queries'])} truy vấn của ứng dụng; "
            f"chậm nhất {ms(main_query['ms'])} ms: {main_query['sql'][:300]}…"
        )
    return {"dataset": info, "cases": results, "page": page, "targets": targets, "plans": plans}
