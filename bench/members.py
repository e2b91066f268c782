"""Member cases of the benchmark: members generated into the benchmark's org tree, then the member list, the
statistics, the accent-insensitive search and a bulk transfer, each beside its minimal raw SQL.

Members: `int(5_600_000 * members_scale)` (5.6 million at 1.0), each official in a cell alive today, filled
cell by cell at the density of the tree's scale (5.6 million × scale / cells alive today), the chosen province's
cells first: with `--members-scale` below `--scale` the province still gets its full share, the last cells none.
Rows are written with COPY (PostgreSQL) or executemany (SQLite), no history rows; a marker table
(`bench_members`) says what was generated, so the next run reuses it.
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

MEMBER_MARKER = "bench_members"
MEMBERS_VERSION = 1
NATION_MEMBERS = 5_600_000
BULK_SIZE = 3_000
BULK_TARGET_MS = 2000.0

SURNAMES = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4), ("Phan", 4.5),
    ("Vũ", 4), ("Võ", 3.5), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 1.5), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1),
    ("Lý", 0.5), ("Đinh", 0.6), ("Trương", 0.6), ("Lâm", 0.4), ("Mai", 0.4), ("Hà", 0.5), ("Tạ", 0.2),
]  # fmt: skip
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Xuân", "Thanh", "Công", "Ngọc", "Duy", "Trọng", "Đình"]
MIDDLE_F = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Hồng", "Phương", "Mỹ", "Bích"]
GIVEN_M = [
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Huy", "Khánh", "Long", "Minh", "Nam", "Phong", "Phúc",
    "Quân", "Sơn", "Tài", "Thắng", "Thành", "Tiến", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Ân", "Đông",
]  # fmt: skip
GIVEN_F = [
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngọc",
    "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Thủy", "Trang", "Uyên", "Vân", "Yến", "Ánh", "Ý",
]  # fmt: skip


# ---------------------------------------------------------------------------------------------- generation


def marker() -> dict[str, Any] | None:
    if MEMBER_MARKER not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT info FROM {MEMBER_MARKER}")
        row = cursor.fetchone()
    return json.loads(row[0]) if row else None


def _write_marker(info: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MEMBER_MARKER} (info TEXT NOT NULL)")
        cursor.execute(f"DELETE FROM {MEMBER_MARKER}")
        cursor.execute(f"INSERT INTO {MEMBER_MARKER} (info) VALUES (%s)", [json.dumps(info)])


def _clear() -> None:
    """Remove every member row (the benchmark's own database only)."""
    from coso.members import models as mm

    tables = [
        m._meta.db_table
        for m in (mm.MemberView, mm.Discipline, mm.MemberFlag, mm.MemberProfile, mm.MemberStatus)
        + (mm.Membership, mm.Transfer, mm.Member)
    ]
    history = [
        m.history.model._meta.db_table  # type: ignore[attr-defined]
        for m in (mm.Member, mm.MemberStatus, mm.MemberProfile, mm.Membership, mm.MemberFlag, mm.Transfer)
    ]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE TABLE " + ", ".join(qn(t) for t in tables + history) + " CASCADE")
        else:
            for t in tables + history:
                cursor.execute(f"DELETE FROM {qn(t)}")


def _insert(model: Any, cols: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    """All columns given by attname, in order."""
    from bench.generate import _insert as insert

    insert(model, dict.fromkeys(cols, 0), rows)


def load_members(n: int, scale: float, province_code: str, seed: int, log: Any = print) -> dict[str, Any]:
    """Generate `n` members into the tree (unless the marker says they are there) and return the marker."""
    from bench.generate import _no_style
    from coso.core.dates import today
    from coso.core.text import fold, person_sort_key
    from coso.members.models import (
        Ethnicity,
        Member,
        MemberProfile,
        Membership,
        MemberStatus,
        Occupation,
        Qualification,
        Religion,
    )
    from coso.orgs.models import Organization, OrgPeriod

    found = marker()
    if (
        found
        and (found["members"], found["seed"], found["version"]) == (n, seed, MEMBERS_VERSION)
        and Member.objects.count()
        == found["generated"]  # the org generator's TRUNCATE … CASCADE empties them
    ):
        log(f"Dùng lại {n:,} đảng viên đã sinh ngày {found['created_at'][:19]}.".replace(",", "."))
        return found
    started = time.perf_counter()
    rng = random.Random(seed)
    as_of = today()
    province = Organization.objects.get(code=province_code)
    ppath = (
        province.periods.filter(valid_from__lte=as_of)
        .order_by("-valid_from")
        .values_list("path", flat=True)[0]
    )
    cells = list(
        OrgPeriod.objects.filter(kind__is_cell=True, valid_from__lte=as_of)
        .exclude(valid_to__lte=as_of)
        .values_list("org_id", "path", "valid_from")
    )
    cells.sort(key=lambda c: (not c[1].startswith(ppath), c[1]))
    density = NATION_MEMBERS * scale / max(1, len(cells))
    # the bulk-move source: one cell of the province holding BULK_SIZE members; its target: another cell
    in_province = [c for c in cells if c[1].startswith(ppath)]
    bulk_source, bulk_target = in_province[len(in_province) // 2], in_province[len(in_province) // 2 + 1]

    eth_ids = list(Ethnicity.objects.order_by("order", "id").values_list("id", flat=True))
    rel_ids = list(Religion.objects.order_by("order", "id").values_list("id", flat=True))
    qual_ids = list(Qualification.objects.values_list("id", flat=True)) or [None]
    occ_ids = list(Occupation.objects.values_list("id", flat=True)) or [None]
    eth_w = [80.0] + [20.0 / max(1, len(eth_ids) - 1)] * (len(eth_ids) - 1)
    rel_w = [90.0] + [10.0 / max(1, len(rel_ids) - 1)] * (len(rel_ids) - 1)
    surnames, sweights = zip(*SURNAMES, strict=True)
    keys: dict[str, tuple[str, str]] = {}

    members: list[tuple[Any, ...]] = []
    statuses: list[tuple[Any, ...]] = []
    ships: list[tuple[Any, ...]] = []
    profiles: list[tuple[Any, ...]] = []
    empty = ""
    member_id = 0
    for org_id, _path, _cell_from in cells:
        if member_id >= n:
            break
        count = BULK_SIZE if org_id == bulk_source[0] else max(1, int(rng.uniform(0.4, 1.6) * density))
        for _ in range(min(count, n - member_id)):
            member_id += 1
            male = rng.random() < 0.6
            name = " ".join(
                (
                    rng.choices(surnames, sweights)[0],
                    rng.choice(MIDDLE_M if male else MIDDLE_F),
                    rng.choice(GIVEN_M if male else GIVEN_F),
                )
            )
            key = keys.get(name)
            if key is None:
                key = keys[name] = (fold(name), person_sort_key(name))
            born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 65))
            joined = born + dt.timedelta(
                days=rng.randrange(365 * 18, max(365 * 18 + 1, (as_of - born).days - 30))
            )
            joined = min(joined, as_of - dt.timedelta(days=30))
            recognised = joined + dt.timedelta(days=365)
            official = recognised <= as_of - dt.timedelta(days=rng.randrange(0, 90))
            exit_on = None
            if official and rng.random() < 0.03:
                exit_on = recognised + dt.timedelta(days=rng.randrange(1, max(2, (as_of - recognised).days)))
            status = "removed" if exit_on else "official" if official else "probationary"
            members.append(
                (member_id, name, key[0], key[1], born, "M" if male else "F",
                 rng.choices(eth_ids, eth_w)[0], rng.choices(rel_ids, rel_w)[0], f"{member_id:012d}", empty, empty,
                 joined - dt.timedelta(days=10), joined, recognised if official else None, empty, status, org_id, 1)
            )  # fmt: skip
            if official:
                statuses.append((member_id, "probationary", joined, recognised))
                statuses.append((member_id, "official", recognised, exit_on))
                if exit_on:
                    statuses.append((member_id, "removed", exit_on, None))
            else:
                statuses.append((member_id, "probationary", joined, None))
            start = joined
            if rng.random() < 0.1 and org_id != bulk_source[0]:  # an earlier cell
                other = cells[rng.randrange(len(cells))][0]
                moved = joined + dt.timedelta(days=rng.randrange(1, max(2, (as_of - joined).days - 1)))
                if exit_on is None or moved < exit_on:
                    ships.append((member_id, other, start, moved))
                    start = moved
            ships.append((member_id, org_id, start, exit_on))
            profiles.append(
                (member_id, rng.choice(["12/12", "12/12", "12/12", "10/10", "9/12"]), rng.choice(qual_ids),
                 rng.choice(["", "so_cap", "trung_cap", "cao_cap", "cu_nhan"]), rng.choice(occ_ids), joined)
            )  # fmt: skip
    built = time.perf_counter() - started
    log(f"  đảng viên trong bộ nhớ: {len(members):,} ({built:.1f} s)".replace(",", "."))

    with transaction.atomic():
        _clear()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        _insert(
            Member,
            ["id", "full_name", "search_key", "sort_key", "birth_date", "gender", "ethnicity_id", "religion_id",
             "citizen_id", "card_number", "vitae_number", "admission_decided_on", "joined_on", "recognised_on",
             "over_60_approval", "status", "home_org_id", "version"],
            iter(members),
        )  # fmt: skip
        _insert(
            MemberStatus,
            ["id", "member_id", "status", "decision_number", "decision_date", "issuer", "note", "valid_from",
             "valid_to"],
            ((i, m, s, empty, None, empty, empty, a, b) for i, (m, s, a, b) in enumerate(statuses, 1)),
        )  # fmt: skip
        _insert(
            Membership,
            ["id", "member_id", "org_id", "kind", "transfer_id", "valid_from", "valid_to"],
            ((i, m, o, "official", None, a, b) for i, (m, o, a, b) in enumerate(ships, 1)),
        )
        _insert(
            MemberProfile,
            ["id", "member_id", "education", "qualification_id", "theory_level", "occupation_id",
             "academic_title", "valid_from", "valid_to"],
            ((i, m, e, q, t, o, empty, a, None) for i, (m, e, q, t, o, a) in enumerate(profiles, 1)),
        )  # fmt: skip
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                _no_style(), [Member, MemberStatus, Membership, MemberProfile]
            ):
                cursor.execute(sql)
        written = time.perf_counter() - started
        log(
            f"  ghi: {written - built:.1f} s ({len(members):,} đảng viên, {len(statuses):,} tình trạng, "
            f"{len(ships):,} sinh hoạt, {len(profiles):,} hồ sơ)".replace(",", ".")
        )
        info = {
            "members": n,
            "generated": len(members),
            "seed": seed,
            "version": MEMBERS_VERSION,
            "created_at": timezone.now().isoformat(),
            "rows": {"statuses": len(statuses), "memberships": len(ships), "profiles": len(profiles)},
            "bulk_source": bulk_source[0],
            "bulk_target": bulk_target[0],
            "seconds": written,
        }
        _write_marker(info)
    from bench import generate as gen

    gen.analyze(Member, MemberStatus, Membership, MemberProfile)
    info["seconds"] = time.perf_counter() - started
    with transaction.atomic():
        _write_marker(info)
    log(f"  ANALYZE: {info['seconds'] - written:.1f} s — tổng {info['seconds']:.1f} s")
    return info


# --------------------------------------------------------------------------------------------------- cases


class Rollback(Exception):
    """Raised inside a timed transaction to undo what it wrote, carrying the count it wrote."""


ACTIVE_SQL = "{a}.valid_from <= %s AND ({a}.valid_to IS NULL OR {a}.valid_to > %s)"
CELLS_SQL = (
    "SELECT org_id FROM orgs_orgperiod WHERE path >= %s AND path < %s AND valid_from <= %s "
    "AND (valid_to IS NULL OR valid_to > %s)"
)


def _placed_sql(select: str, tail: str) -> str:
    return (
        f"SELECT {select} FROM members_member m "
        "JOIN members_membership ms ON ms.member_id = m.id AND ms.kind = 'official' AND "
        + ACTIVE_SQL.format(a="ms")
        + " JOIN members_memberstatus st ON st.member_id = m.id AND "
        + ACTIVE_SQL.format(a="st")
        + f" WHERE st.status IN ('probationary', 'official') AND ms.org_id IN ({CELLS_SQL}) {tail}"
    )


MEMBER_COLS = (
    "m.id, m.full_name, m.search_key, m.sort_key, m.birth_date, m.gender, m.ethnicity_id, m.religion_id, "
    "m.citizen_id, m.card_number, m.vitae_number, m.admission_decided_on, m.joined_on, m.recognised_on, "
    "m.over_60_approval, m.status, m.home_org_id, m.version, ms.org_id, st.status"
)
LIST_SQL = _placed_sql(MEMBER_COLS, "ORDER BY m.sort_key, m.id LIMIT 50")
SEARCH_SQL = _placed_sql(MEMBER_COLS, "AND m.search_key LIKE %s ORDER BY m.sort_key, m.id LIMIT 50")
STATS_COLS = ("s", "g", "age", "party", "e", "r", "edu", "qual", "theory", "occ")


def _band_sql(column: str, bands: Any, as_of: dt.date) -> tuple[str, list[Any]]:
    from coso.core.dates import years_before

    whens, params, default = [], [], bands[-1][0]
    for label, _low, high in bands:
        if high is None:
            default = label
            break
        whens.append(f"WHEN {column} > %s THEN %s")
        params += [years_before(as_of, high + 1), label]
    return f"CASE {' '.join(whens)} ELSE %s END", [*params, default]


def stats_sql(as_of: dt.date, vendor: str) -> tuple[str, list[str]]:
    """The statistics' breakdown query by hand: the members placed on `as_of` with their status and profile on
    that date, counted by each column (GROUPING SETS on PostgreSQL, one GROUP BY over all of them elsewhere).
    Returns the SQL and the order of its placeholders ("as_of", "from", "to", or a literal band value)."""
    from coso.members.queries import AGE_BANDS, PARTY_AGE_BANDS

    age, age_p = _band_sql("m.birth_date", AGE_BANDS, as_of)
    party, party_p = _band_sql("m.joined_on", PARTY_AGE_BANDS, as_of)
    inner = _placed_sql(
        f"st.status AS s, m.gender AS g, {age} AS age, {party} AS party, m.ethnicity_id AS e, "
        "m.religion_id AS r, COALESCE(pr.education, '') AS edu, pr.qualification_id AS qual, "
        "COALESCE(pr.theory_level, '') AS theory, pr.occupation_id AS occ",
        "",
    ).replace(
        " WHERE st.status",
        " LEFT JOIN members_memberprofile pr ON pr.member_id = m.id AND " + ACTIVE_SQL.format(a="pr")
        + " WHERE st.status",
    )  # fmt: skip
    cols = ", ".join(STATS_COLS)
    if vendor == "postgresql":
        sets = ", ".join(f"({c})" for c in STATS_COLS)
        sql = f"SELECT GROUPING({cols}), {cols}, COUNT(*) FROM ({inner}) t GROUP BY GROUPING SETS ({sets})"
    else:
        sql = f"SELECT {cols}, COUNT(*) FROM ({inner}) t GROUP BY {cols}"
    # placeholders in order: the two CASEs, then _placed_sql's (ms: 2 dates, st: 2 dates, pr: 2, cells: ...)
    return sql, [*age_p, *party_p]


MOVEMENT_UNITS = (
    "SELECT org_id FROM orgs_orgperiod WHERE path >= %(lo)s AND path < %(hi)s AND valid_from <= %(end)s "
    "AND (valid_to IS NULL OR valid_to > %(start)s)"
)
MOVEMENT_SQL = [
    "SELECT st.status, COUNT(*) FROM members_memberstatus st WHERE st.valid_from >= %(start)s "
    "AND st.valid_from <= %(end)s AND EXISTS (SELECT 1 FROM members_membership ms WHERE ms.member_id = "
    "st.member_id AND ms.kind = 'official' AND ms.org_id IN (" + MOVEMENT_UNITS + ") AND ms.valid_from <= "
    "st.valid_from AND (ms.valid_to IS NULL OR ms.valid_to >= st.valid_from)) GROUP BY st.status",
    "SELECT COUNT(*) FROM members_membership ms JOIN members_member m ON m.id = ms.member_id WHERE ms.kind = "
    "'official' AND ms.org_id IN (" + MOVEMENT_UNITS + ") AND ms.valid_from >= %(start)s AND ms.valid_from <= "
    "%(end)s AND NOT EXISTS (SELECT 1 FROM members_membership b WHERE b.member_id = ms.member_id AND b.kind = "
    "'official' AND b.org_id IN (" + MOVEMENT_UNITS + ") AND b.valid_to = ms.valid_from) AND NOT (ms.valid_from "
    "= m.joined_on AND NOT EXISTS (SELECT 1 FROM members_membership e WHERE e.member_id = ms.member_id AND "
    "e.kind = 'official' AND e.valid_from < ms.valid_from))",
    "SELECT COUNT(*) FROM members_membership ms WHERE ms.kind = 'official' AND ms.org_id IN (" + MOVEMENT_UNITS
    + ") AND ms.valid_to >= %(start)s AND ms.valid_to <= %(end)s AND NOT EXISTS (SELECT 1 FROM "
    "members_membership a WHERE a.member_id = ms.member_id AND a.kind = 'official' AND a.org_id IN ("
    + MOVEMENT_UNITS + ") AND a.valid_from = ms.valid_to) AND NOT EXISTS (SELECT 1 FROM members_memberstatus x "
    "WHERE x.member_id = ms.member_id AND x.valid_from = ms.valid_to AND x.status NOT IN ('probationary', "
    "'official'))",
]  # fmt: skip


def member_cases(
    case_cls: Any, admin: Any, province: Any, as_of: dt.date, info: dict[str, Any], log: Any = print
) -> tuple[list[Any], dict[str, Callable[[Any, Any], tuple[dict[str, Any], str]]]]:
    """The cases (m1)–(m4) as `bench.run.Case`, and for each a checker (app result, raw result) → (size, text)
    that raises when the answers differ."""
    from coso.core.scope import forget_scope
    from coso.members import queries
    from coso.orgs import queries as orgs_queries
    from coso.orgs.models import Organization, OrgPeriod

    vendor = connection.vendor

    def d(on: dt.date) -> Any:
        return str(on) if vendor == "sqlite" else on

    def raw(sql: str, params: list[Any]) -> Callable[[], list[tuple[Any, ...]]]:
        def run() -> list[tuple[Any, ...]]:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return run

    ppath = orgs_queries.period_on(province, as_of).path  # type: ignore[union-attr]
    # the commune: the local party committee (xã/phường) under the province with the most members today
    communes = list(
        OrgPeriod.objects.filter(
            kind__code__in=["dang_bo_xa", "dang_bo_phuong"], path__startswith=ppath, valid_from__lte=as_of
        )
        .exclude(valid_to__lte=as_of)
        .values_list("org_id", "path")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.path, COUNT(*) FROM members_member m JOIN orgs_organization o ON o.id = m.home_org_id "
            "JOIN orgs_orgperiod p ON p.org_id = o.id AND p.valid_to IS NULL WHERE p.path >= %s AND p.path < %s "
            "GROUP BY p.path",
            [ppath, ppath + "\uffff"],
        )
        per_cell = cursor.fetchall()

    def weight(path: str) -> int:
        return sum(n for p, n in per_cell if p.startswith(path))

    commune_id, cpath = max(communes, key=lambda c: weight(c[1]))
    commune = Organization.objects.get(pk=commune_id)
    pname = orgs_queries.period_on(province, as_of).name  # type: ignore[union-attr]
    cname = orgs_queries.period_on(commune, as_of).name  # type: ignore[union-attr]

    def params_for(path: str) -> list[Any]:
        on = d(as_of)
        return [on, on, on, on, path, path + "\uffff", on, on]

    def list_case(key: str, title: str, org: Any, path: str) -> Any:
        def app() -> list[Any]:
            forget_scope(admin)
            return list(queries.members_under(admin, org, as_of)[:50])

        params = params_for(path)
        return case_cls(key, title, app, raw(LIST_SQL, params), LIST_SQL, params)

    def search_app() -> list[Any]:
        forget_scope(admin)
        return list(queries.members_under(admin, province, as_of, q="nguyen van")[:50])

    search_params = [*params_for(ppath), "%nguyen van%"]

    def stats_app_for(org: Any) -> Callable[[], Any]:
        def app() -> Any:
            forget_scope(admin)
            return queries.statistics(admin, org, as_of)

        return app

    breakdown_sql, band_params = stats_sql(as_of, vendor)
    band_params = [d(p) if isinstance(p, dt.date) else p for p in band_params]
    nation = Organization.objects.get(
        pk=OrgPeriod.objects.filter(parent__isnull=True, valid_from__lte=as_of)
        .exclude(valid_to__lte=as_of)
        .values_list("org_id", flat=True)[0]
    )

    def stats_raw_for(path: str) -> Callable[[], Any]:
        """The breakdowns and the three movement queries, by hand, for the subtree at `path`."""
        params = [*band_params, *params_for(path)[:4], d(as_of), d(as_of), *params_for(path)[4:]]
        named = {"lo": path, "hi": path + "\uffff", "start": d(dt.date(as_of.year, 1, 1)), "end": d(as_of)}
        movement = MOVEMENT_SQL

        def run() -> Any:
            with connection.cursor() as cursor:
                cursor.execute(breakdown_sql, params)
                rows = cursor.fetchall()
                moves = []
                for sql in movement:
                    cursor.execute(sql, named)
                    moves.append(cursor.fetchall())
            return rows, moves

        return run

    npath = orgs_queries.period_on(nation, as_of).path  # type: ignore[union-attr]
    cases = [
        list_case("m1", f"Danh sách đảng viên của tỉnh, trang đầu 50 ({pname})", province, ppath),
        list_case("m2", f"Danh sách đảng viên của xã, trang đầu 50 ({cname})", commune, cpath),
        case_cls("m3", "Thống kê đảng viên của tỉnh (đủ các bảng, biến động)", stats_app_for(province),
                 stats_raw_for(ppath), breakdown_sql, []),
        case_cls("m3n", "Thống kê đảng viên cả nước (đủ các bảng, biến động)", stats_app_for(nation),
                 stats_raw_for(npath), breakdown_sql, []),
        case_cls("m4", "Tìm «nguyen van» trong tỉnh, trang đầu 50", search_app, raw(SEARCH_SQL, search_params),
                 SEARCH_SQL, search_params),
    ]  # fmt: skip

    def check_list(app: list[Any], rows: list[tuple[Any, ...]]) -> tuple[dict[str, Any], str]:
        got = [(m.pk, m.cell_id, m.status_on) for m in app]
        want = [(r[0], r[18], r[19]) for r in rows]
        if got != want:
            raise AssertionError(f"ứng dụng và SQL thô cho kết quả khác nhau: {got[:3]} ≠ {want[:3]}")
        return {"rows": len(app)}, f"{len(app)} dòng"

    def check_stats(app: Any, raw_result: Any) -> tuple[dict[str, Any], str]:
        rows, moves = raw_result
        if vendor == "postgresql":  # (grouping, s, g, age, ...) → the status and the age-band groups
            full = (1 << len(STATS_COLS)) - 1
            status = {r[1]: r[-1] for r in rows if r[0] == full ^ (1 << 9)}
            bands = {r[3]: r[-1] for r in rows if r[0] == full ^ (1 << 7)}
        else:
            status, bands = {}, {}
            for r in rows:
                status[r[0]] = status.get(r[0], 0) + r[-1]
                bands[r[2]] = bands.get(r[2], 0) + r[-1]
        total, official = sum(status.values()), status.get("official", 0)
        by_status = dict(moves[0])
        want_moves = (
            by_status.get("probationary", 0),
            by_status.get("official", 0),
            moves[1][0][0],
            moves[2][0][0],
        )
        got_moves = tuple(
            app.movements[k] for k in ("admitted", "recognised", "transferred_in", "transferred_out")
        )
        if (
            (app.total, app.official) != (total, official)
            or got_moves != want_moves
            or any(app.by_age_band.get(k, 0) != n for k, n in bands.items())
        ):
            raise AssertionError(
                f"thống kê khác nhau: {app.total}/{app.official}/{got_moves} ≠ {total}/{official}/{want_moves}"
            )
        return (
            {"total": total, "official": official, "raw_groups": len(rows)},
            f"{total:_} đảng viên, {official:_} chính thức; biến động {got_moves}; cùng kết quả".replace("_", "."),
        )  # fmt: skip

    return cases, {
        "m1": check_list,
        "m2": check_list,
        "m3": check_stats,
        "m3n": check_stats,
        "m4": check_list,
    }


def bulk_move_case(admin: Any, info: dict[str, Any], as_of: dt.date, repeat: int) -> dict[str, Any]:
    """(m5) services.bulk_move of the bulk source cell's members to one cell, rolled back; beside the three raw
    statements that do the same (close, open, re-home; no history rows)."""
    from coso.members import services
    from coso.members.models import Membership
    from coso.orgs.models import Organization

    source = Organization.objects.get(pk=info["bulk_source"])
    target = Organization.objects.get(pk=info["bulk_target"])
    ids = list(
        Membership.objects.filter(org=source, kind="official", valid_to__isnull=True).values_list(
            "member_id", flat=True
        )
    )
    mapping = dict.fromkeys(ids, target)
    on = as_of
    d = str(on) if connection.vendor == "sqlite" else on
    raw_sql = [
        (
            "INSERT INTO members_membership (member_id, org_id, kind, transfer_id, valid_from, valid_to) "
            "SELECT member_id, %s, 'official', NULL, %s, NULL FROM members_membership WHERE org_id = %s "
            "AND kind = 'official' AND valid_from <= %s AND (valid_to IS NULL OR valid_to > %s)",
            [target.pk, d, source.pk, d, d],
        ),
        (
            "UPDATE members_membership SET valid_to = %s WHERE org_id = %s AND kind = 'official' "
            "AND valid_from <= %s AND (valid_to IS NULL OR valid_to > %s)",
            [d, source.pk, d, d],
        ),
        (
            "UPDATE members_member SET home_org_id = %s, version = version + 1 WHERE id IN (SELECT member_id "
            "FROM members_membership WHERE org_id = %s AND kind = 'official' AND valid_to = %s)",
            [target.pk, source.pk, d],
        ),
    ]

    def app() -> int:
        try:
            with transaction.atomic():
                n = services.bulk_move(admin, source, mapping, on=on, reason="Benchmark")
                raise Rollback(n)
        except Rollback as e:
            return int(e.args[0])

    def raw() -> int:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    for sql, params in raw_sql:
                        cursor.execute(sql, params)
                    n = cursor.rowcount
                raise Rollback(n)
        except Rollback as e:
            return int(e.args[0])

    app(), raw()  # warm-up
    app_times, raw_times = [], []
    n_app = n_raw = 0
    for _ in range(max(1, repeat)):
        t = time.perf_counter()
        n_app = app()
        app_times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        n_raw = raw()
        raw_times.append((time.perf_counter() - t) * 1000)
    if n_app != len(ids) or n_raw != len(ids):
        raise AssertionError(f"(m5) chuyển {n_app} / {n_raw} đảng viên, cần {len(ids)}")
    app_ms, raw_ms = stats_mod.median(app_times), stats_mod.median(raw_times)
    return {
        "key": "m5",
        "title": f"Chuyển sinh hoạt hàng loạt {len(ids):,} đảng viên (rollback)".replace(",", "."),
        "members": len(ids),
        "app_ms": round(app_ms, 3),
        "raw_ms": round(raw_ms, 3),
        "ratio": round(app_ms / raw_ms, 3),
        "app_min_ms": round(min(app_times), 3),
        "raw_min_ms": round(min(raw_times), 3),
        "ratio_of_minima": round(min(app_times) / min(raw_times), 3),
        "target_ms": BULK_TARGET_MS,
        "ok": app_ms < BULK_TARGET_MS,
        "raw_sql": [s for s, _ in raw_sql],
    }


IMPORT_ROWS = 100_000
IMPORT_TARGET = 0.2  # the import's rate must be at least 1/5 of COPY's


def _import_rows(province: Any, as_of: dt.date, rows: int, seed: int) -> list[list[Any]]:
    """`rows` members for the template (its 16 columns, in order), spread over the province's cells alive
    today; citizen IDs start with 9 so they never meet the generated members' (which start with 0)."""
    from coso.members.models import Ethnicity, Occupation, Qualification, Religion
    from coso.orgs import queries as orgs_queries
    from coso.orgs.models import OrgPeriod

    rng = random.Random(seed)
    ppath = orgs_queries.period_on(province, as_of).path  # type: ignore[union-attr]
    cells = list(
        OrgPeriod.objects.filter(kind__is_cell=True, path__gte=ppath, path__lt=ppath + "\uffff")
        .filter(valid_from__lte=as_of - dt.timedelta(days=400))
        .exclude(valid_to__lte=as_of)
        .values_list("org__code", flat=True)
    )
    ethnicities = list(Ethnicity.objects.values_list("name", flat=True)[:6])
    religions = ["Không", "Không", "Không", *Religion.objects.values_list("name", flat=True)[:3]]
    quals = [*Qualification.objects.values_list("name", flat=True)[:5], "Kỹ sư xây dựng", ""]
    occs = [*Occupation.objects.values_list("name", flat=True)[:5], "Nông dân", ""]
    surnames, sweights = zip(*SURNAMES, strict=True)
    out: list[list[Any]] = []
    for i in range(rows):
        male = rng.random() < 0.6
        name = " ".join(
            (
                rng.choices(surnames, sweights)[0],
                rng.choice(MIDDLE_M if male else MIDDLE_F),
                rng.choice(GIVEN_M if male else GIVEN_F),
            )
        )
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 50))
        joined = born + dt.timedelta(days=rng.randrange(365 * 19, 365 * 19 + 365 * 20))
        joined = min(joined, as_of - dt.timedelta(days=400))
        since = as_of - dt.timedelta(
            days=rng.randrange(30, 365)
        )  # the cells exist from 400 days ago at least
        if rng.random() < 0.05:  # still probationary
            joined = since = as_of - dt.timedelta(days=rng.randrange(60, 300))
            born = joined - dt.timedelta(days=rng.randrange(365 * 19, 365 * 50))
        recognised = joined + dt.timedelta(days=366)
        out.append(
            [name, born, "Nam" if male else "Nữ", rng.choice(ethnicities), rng.choice(religions),
             f"9{i:011d}", "" if i % 3 else f"{i:08d}", joined - dt.timedelta(days=10), joined,
             recognised if recognised <= as_of else None, rng.choice(["12/12", "12/12", "10/10", "9/12"]),
             rng.choice(quals), rng.choice(["", "Sơ cấp", "Trung cấp", "Cao cấp", "Cử nhân"]), rng.choice(occs),
             rng.choice(cells), since]
        )  # fmt: skip
    return out


def import_case(admin: Any, province: Any, as_of: dt.date, rows: int, repeat: int) -> dict[str, Any]:
    """(m6) `coso import members` of `rows` rows (reading the .xlsx, validating every row, writing members,
    statuses, memberships, profiles and their history; rolled back) beside the bound: the same rows, already
    prepared, written by PostgreSQL COPY (on SQLite: executemany). The ratio is the import's rate over COPY's."""
    import os
    import resource
    import tempfile

    from openpyxl import Workbook

    from coso.core.text import fold, person_sort_key
    from coso.members.importer import COLUMNS, import_members
    from coso.members.models import Ethnicity, Member, MemberProfile, Membership, MemberStatus, Religion
    from coso.orgs.models import Organization

    data = _import_rows(province, as_of, rows, seed=11)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Đảng viên")
    sheet.append(COLUMNS)
    for row in data:
        sheet.append(row)
    fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="coso-bench-import-")
    os.close(fd)
    book.save(path)
    size_mb = os.path.getsize(path) / 1e6

    def app() -> int:
        try:
            with transaction.atomic():
                result = import_members(path, admin, filename="bench.xlsx")
                if not result.ok:
                    raise AssertionError(f"(m6) tệp có lỗi: {result.errors[:3]}")
                raise Rollback(result.created)
        except Rollback as e:
            return int(e.args[0])

    # the bound's rows, prepared outside the timing (what the import has to work out is its own cost)
    cell_ids = dict(Organization.objects.filter(code__in={r[14] for r in data}).values_list("code", "id"))
    eth = dict(Ethnicity.objects.values_list("name", "id"))
    rel = dict(Religion.objects.values_list("name", "id"))
    theory = {
        "": "",
        "Sơ cấp": "so_cap",
        "Trung cấp": "trung_cap",
        "Cao cấp": "cao_cap",
        "Cử nhân": "cu_nhan",
    }
    empty = ""

    bases = []
    with connection.cursor() as cursor:
        for table in (
            "members_member",
            "members_memberstatus",
            "members_membership",
            "members_memberprofile",
        ):
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            bases.append(int(cursor.fetchone()[0]) + 1_000_000)
    members, statuses, ships, profiles = [], [], [], []
    for i, r in enumerate(data):
        mid = bases[0] + i
        members.append(
            (mid, r[0], fold(r[0]), person_sort_key(r[0]), r[1], "M" if r[2] == "Nam" else "F", eth[r[3]],
             rel.get(r[4]) or rel["Không"], r[5], r[6], empty, r[7], r[8], r[9], empty,
             "official" if r[9] else "probationary", cell_ids[r[14]], 1)
        )  # fmt: skip
        statuses.append((bases[1] + 2 * i, mid, "probationary", empty, r[7], empty, empty, r[8], r[9]))
        if r[9]:
            statuses.append((bases[1] + 2 * i + 1, mid, "official", empty, r[9], empty, empty, r[9], None))
        ships.append((bases[2] + i, mid, cell_ids[r[14]], "official", None, r[15], None))
        profiles.append((bases[3] + i, mid, r[10], None, theory[r[12]], None, empty, r[15], None))

    def raw() -> int:
        try:
            with transaction.atomic():
                _insert(
                    Member,
                    ["id", "full_name", "search_key", "sort_key", "birth_date", "gender", "ethnicity_id",
                     "religion_id", "citizen_id", "card_number", "vitae_number", "admission_decided_on",
                     "joined_on", "recognised_on", "over_60_approval", "status", "home_org_id", "version"],
                    iter(members),
                )  # fmt: skip
                _insert(
                    MemberStatus,
                    ["id", "member_id", "status", "decision_number", "decision_date", "issuer", "note",
                     "valid_from", "valid_to"],
                    iter(statuses),
                )  # fmt: skip
                _insert(
                    Membership,
                    ["id", "member_id", "org_id", "kind", "transfer_id", "valid_from", "valid_to"],
                    iter(ships),
                )
                _insert(
                    MemberProfile,
                    ["id", "member_id", "education", "qualification_id", "theory_level", "occupation_id",
                     "academic_title", "valid_from", "valid_to"],
                    iter(profiles),
                )  # fmt: skip
                raise Rollback(len(members))
        except Rollback as e:
            return int(e.args[0])

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    app_times, raw_times = [], []
    n_app = n_raw = 0
    try:
        for _ in range(max(1, repeat)):
            t = time.perf_counter()
            n_app = app()
            app_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            n_raw = raw()
            raw_times.append(time.perf_counter() - t)
    finally:
        os.unlink(path)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if n_app != rows or n_raw != rows:
        raise AssertionError(f"(m6) nhập {n_app} / {n_raw} dòng, cần {rows}")
    app_s, raw_s = stats_mod.median(app_times), stats_mod.median(raw_times)
    rate = raw_s / app_s
    bound = "COPY" if connection.vendor == "postgresql" else "executemany"
    return {
        "key": "m6",
        "title": f"Nhập {rows:,} dòng Excel (đọc, kiểm tra, ghi, lịch sử; rollback)".replace(",", "."),
        "rows": rows,
        "file_mb": round(size_mb, 1),
        "app_ms": round(app_s * 1000, 1),
        "raw_ms": round(raw_s * 1000, 1),
        "ratio": round(app_s / raw_s, 3),
        "ratio_of_minima": round(min(app_times) / min(raw_times), 3),
        "rate_vs_bound": round(rate, 3),
        "bound": bound,
        "rows_per_s": round(rows / app_s),
        "bound_rows_per_s": round(rows / raw_s),
        "max_rss_mb": round(rss_after),
        "rss_growth_mb": round(rss_after - rss_before),
        "target_rate": IMPORT_TARGET,
        "ok": rate >= IMPORT_TARGET,
        "text": (
            f"{round(rows / app_s):,} dòng/s, bằng {rate:.2f} tốc độ {bound} ({round(rows / raw_s):,} dòng/s); "
            f"chỉ tiêu ≥ {IMPORT_TARGET}: {'ĐẠT' if rate >= IMPORT_TARGET else 'KHÔNG ĐẠT'}; "
            f"bộ nhớ tối đa của tiến trình đo {rss_after:.0f} MB (tăng {rss_after - rss_before:.0f} MB khi nhập; "
            "nếu vừa sinh dữ liệu thì đỉnh là của bước sinh)"
        ).replace(",", "."),
    }


# ---------------------------------------------------------------------------------------------------- runner


def run(
    admin: Any,
    province: Any,
    as_of: dt.date,
    info: dict[str, Any],
    repeat: int,
    explain: bool,
    import_rows: int = IMPORT_ROWS,
) -> dict:
    """Run (m1)–(m6), print their table, return what goes into the results file."""
    from django.test.utils import CaptureQueriesContext

    from bench import run as bench_run
    from coso.members.models import Member

    cases, checks = member_cases(bench_run.Case, admin, province, as_of, info)
    results = []
    for case in cases:
        app_times, raw_times, app_result, raw_result = bench_run._runs(case, repeat)
        size, text = checks[case.key](app_result, raw_result)
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
            **size,
            "text": text,
            "app_queries": [{"sql": q["sql"], "ms": float(q["time"]) * 1000} for q in ctx.captured_queries],
            "raw_sql": case.raw_sql,
            "raw_params": [str(p) for p in case.raw_params],
        }
        results.append(case.result)
    bulk = bulk_move_case(admin, info, as_of, min(repeat, 5))
    bulk["text"] = f"chỉ tiêu < {bench_run.num(BULK_TARGET_MS)} ms: {'ĐẠT' if bulk['ok'] else 'KHÔNG ĐẠT'}"
    results.append(bulk)
    if import_rows:
        results.append(import_case(admin, province, as_of, import_rows, 1))

    num, ms = bench_run.num, bench_run.ms
    n_members = Member.objects.count()
    print()
    print(
        f"Đảng viên: {num(n_members)} ({num(info['rows']['statuses'])} tình trạng, "
        f"{num(info['rows']['memberships'])} sinh hoạt, {num(info['rows']['profiles'])} hồ sơ); "
        f"sinh dữ liệu: {num(info['seconds'], 1)} s ({info['created_at'][:19]})"
    )
    width = max(len(r["title"]) for r in results) + 5
    print(f"{'trường hợp':<{width}} {'app ms':>9} {'raw ms':>9} {'app/raw':>8} {'(min)':>7}  kết quả")
    print("-" * (width + 38 + 50))
    for r in results:
        print(
            f"({r['key']}) {r['title']:<{width - 5}} {ms(r['app_ms']):>9} {ms(r['raw_ms']):>9} "
            f"{num(r['ratio'], 2):>8} {num(r.get('ratio_of_minima'), 2):>7}  {r['text']}"
        )
    print(
        "(m3) ứng dụng: queries.statistics (mọi bảng phân tổ, biến động, danh mục); SQL thô: cùng các bảng phân tổ "
        "(GROUPING SETS trên PostgreSQL, GROUP BY trên SQLite) và 3 truy vấn biến động viết tay"
    )
    print("(m5) ứng dụng: services.bulk_move (có lịch sử); SQL thô: INSERT…SELECT + 2 UPDATE, không lịch sử")
    print(
        "(m6) ứng dụng: coso import members (đọc .xlsx, kiểm tra từng dòng, ghi 4 bảng và lịch sử); cận dưới: "
        "COPY (PostgreSQL) / executemany (SQLite) các dòng đã chuẩn bị sẵn, không lịch sử"
    )
    plans = {}
    if explain or connection.vendor == "postgresql":
        for r in results:
            if "app_queries" not in r:
                continue
            if not explain and (r["ratio"] or 0) <= bench_run.RATIO_TARGET:
                continue
            main_query = max(r["app_queries"], key=lambda q: q["ms"])["sql"]
            plans[r["key"]] = {
                "app": bench_run.explain(main_query, []),
                "raw": bench_run.explain(r["raw_sql"], r["raw_params"]),
            }
            print()
            print(f"({r['key']}) {r['title']}: tỉ lệ {num(r['ratio'], 2)} — truy vấn chính của ứng dụng:")
            print("  " + main_query)
            print("  kế hoạch (ứng dụng):")
            print("\n".join("    " + line for line in plans[r["key"]]["app"]))
            print("  kế hoạch (SQL thô):")
            print("\n".join("    " + line for line in plans[r["key"]]["raw"]))
    return {"members": n_members, "dataset": info, "cases": results, "plans": plans}
