"""Import of historical evaluation results from Excel: validate the whole file, then write everything or nothing.

The template's columns (a contract with the offices: never rename them): `Năm`, `Đối tượng` (`Tổ chức` or
`Đảng viên`), `Mã tổ chức` (the organization evaluated; for a member their cell, which may be left empty: the
cell of their official membership on 31/12 of the year is taken), `Số CCCD` (members only), `Xếp loại` (the
level's name, or its code, in the scheme in force on 31/12 of that year: EVAL.SCHEME).

`validate(rows, actor)` collects every error as (row, column, value, message) without writing; `apply(plan,
actor)` writes the plan in one transaction: per year, an `EvaluationPeriod` of kind `imported` (published at
once) rooted at the lowest organization holding every row of that year, and one decided `Evaluation` per row,
with history rows. Imported results are read by the same queries as entered ones. A subject may have one
annual result a year: a row for a subject already classified that year (entered or imported) is an error.

Progress: `read`, `validate`, `apply` and `import_evaluations` take an optional `progress(done, total)` (as the
member import does), so that the page's background job (`coso.core.jobs`) can show how far it got: one step per
row read (`total` 0 while the number of rows is not known yet) and, when writing, one more per row written.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple

from django.db import IntegrityError, transaction

from coso.core.bulk import CREATED, chunks, insert_rows, record_history
from coso.core.dates import format_date, today
from coso.core.errors import DomainError
from coso.core.excel import (
    SheetRow,
    cell_text,
    header_map,
    is_blank,
    sheet_rows,
    template_workbook,
)
from coso.core.import_flow import Plan, Progress, Result, command_line_import, read_plan, read_then_write
from coso.core.models import RuleSet
from coso.core.scope import EVALUATE, Scope, check_path, scope_for
from coso.core.text import nfc
from coso.members.models import Member, Membership
from coso.orgs import queries as orgs_queries
from coso.orgs.models import SEGMENT, Organization

from . import rules
from .models import (
    JSON_DEFAULTS,
    EntryState,
    Evaluation,
    EvaluationPeriod,
    Level,
    PeriodKind,
    PeriodState,
    Subject,
)

COL_YEAR = "Năm"
COL_SUBJECT = "Đối tượng"
COL_ORG = "Mã tổ chức"
COL_CID = "Số CCCD"
COL_LEVEL = "Xếp loại"
COLUMNS = [COL_YEAR, COL_SUBJECT, COL_ORG, COL_CID, COL_LEVEL]
SUBJECTS = {"tổ chức": Subject.ORG, "đảng viên": Subject.MEMBER}
SHEET_TITLE = "Kết quả xếp loại"
FIRST_YEAR = 1930
LOOKUP = 500
BATCH = 500  # rows per progress report while reading


class Planned(NamedTuple):
    line: int
    year: int | None
    subject: str | None
    org_code: str
    citizen_id: str
    level_text: str


@dataclass
class Resolved:
    """A valid row, ready to write."""

    line: int
    year: int
    subject: str
    level: Level
    org_id: int
    path: str
    is_grassroots: bool
    member_id: int | None = None


@dataclass
class ImportPlan(Plan):
    rows: list[Resolved] = field(default_factory=list)

    def counts(self) -> dict[tuple[int, str], int]:
        """(year, subject) → rows, for the summary."""
        found: dict[tuple[int, str], int] = defaultdict(int)
        for r in self.rows:
            found[(r.year, r.subject)] += 1
        return dict(sorted(found.items()))


@dataclass
class ImportResult(Result):
    plan: ImportPlan
    created: int = 0
    periods: list[int] = field(default_factory=list)


class _Schemes:
    """The scheme and levels of each year (EVAL.SCHEME on 31/12), read once."""

    def __init__(self) -> None:
        self.versions = list(RuleSet.objects.filter(code=rules.SCHEME).order_by("-effective_from"))
        self.levels: dict[str, list[Level]] = defaultdict(list)
        for level in Level.objects.select_related("scheme").order_by("rank"):
            self.levels[level.scheme.code].append(level)

    def on(self, year: int) -> RuleSet | None:
        d = dt.date(year, 12, 31)
        for v in self.versions:
            if v.effective_from <= d and (v.effective_to is None or d < v.effective_to):
                return v
        return None

    def find(self, year: int, subject: str, text: str) -> tuple[Level | None, list[Level]]:
        version = self.on(year)
        if version is None:
            return None, []
        choices = [x for x in self.levels[version.params["scheme"]] if x.subject == subject]
        key = nfc(text).casefold()
        for level in choices:
            if key in (nfc(level.name).casefold(), level.code.casefold()):
                return level, choices
        return None, choices


def _year(value: Any) -> int:
    text = cell_text(value)
    if not text.isdigit():
        raise ValueError
    return int(text)


def validate(
    rows: Iterable[SheetRow | Mapping[str, Any]],
    actor: Any,
    *,
    headers: Sequence[str] | None = None,
    header_line: int = 1,
    filename: str = "",
    progress: Progress | None = None,
) -> ImportPlan:
    """Check every row (nothing is written); every problem is listed with its row, column, value and what to do.
    `progress(done, total)` is called every `BATCH` rows read (`total` 0: not known yet) and once at the end
    (`done` = `total` = the rows read)."""
    plan = ImportPlan(filename=filename)
    stream: list[SheetRow] = []
    for r in sheet_rows(rows, header_line + 1):
        stream.append(r)
        if progress is not None and len(stream) % BATCH == 0:
            progress(len(stream), 0)
    if headers is None:
        headers = list(stream[0].values) if stream else []
    found = header_map(headers, COLUMNS)
    missing = [c for c in COLUMNS if c not in found]
    for column in missing:
        plan.add(
            header_line,
            column,
            "",
            f"Thiếu cột “{column}”. Hãy ghi đúng các tiêu đề {', '.join(f'“{c}”' for c in COLUMNS)} ở dòng tiêu đề "
            f"(dòng {header_line}) như trong tệp mẫu, rồi tải lên lại.",
        )
    if missing:
        return plan
    if not stream:
        plan.add(0, "", "", "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề; hãy ghi mỗi kết quả một dòng.")
        return plan
    last_year = today().year
    planned: list[Planned] = []
    for item in stream:
        cells = {c: item.values.get(h) for c, h in found.items()}
        line = item.line

        def error(column: str, message: str, cells: Mapping[str, Any] = cells, line: int = line) -> None:
            plan.add(line, column, cells.get(column), message)

        year: int | None = None
        if is_blank(cells[COL_YEAR]):
            error(COL_YEAR, "Thiếu năm; hãy ghi năm đánh giá bằng 4 chữ số, ví dụ 2017.")
        else:
            try:
                year = _year(cells[COL_YEAR])
            except ValueError:
                error(COL_YEAR, "Năm không hợp lệ; hãy ghi năm bằng 4 chữ số, ví dụ 2017.")
            else:
                if not FIRST_YEAR <= year <= last_year:
                    error(COL_YEAR, f"Năm phải từ {FIRST_YEAR} đến {last_year}; hãy sửa lại năm đánh giá.")
                    year = None
        subject = SUBJECTS.get(nfc(cell_text(cells[COL_SUBJECT])).casefold())
        if subject is None:
            error(COL_SUBJECT, "Đối tượng không hợp lệ; hãy ghi “Tổ chức” hoặc “Đảng viên”.")
        code = nfc(cell_text(cells[COL_ORG])).upper()
        cid = cell_text(cells[COL_CID]).strip()
        if subject == Subject.ORG:
            if not code:
                error(COL_ORG, "Thiếu mã tổ chức được đánh giá; hãy ghi mã tổ chức đã có trong hệ thống.")
            if cid:
                error(COL_CID, "Dòng kết quả của tổ chức không ghi số CCCD; hãy để trống ô này.")
        elif subject == Subject.MEMBER:
            if not cid:
                error(COL_CID, "Thiếu số CCCD của đảng viên; hãy ghi đúng 12 chữ số.")
            elif len(cid) != 12 or not cid.isdigit():
                error(
                    COL_CID,
                    "Số CCCD phải gồm đúng 12 chữ số; nếu mất số 0 ở đầu, hãy định dạng cột là Văn bản (Text) "
                    "rồi ghi lại.",
                )
                cid = ""
        level_text = nfc(cell_text(cells[COL_LEVEL]))
        if not level_text:
            error(
                COL_LEVEL,
                "Thiếu xếp loại; hãy ghi tên mức xếp loại theo quy định của năm đó (xem trang “Hướng dẫn”).",
            )
        planned.append(Planned(line, year, subject, code, cid, level_text))
    _resolve(plan, planned, actor)
    plan.sort_errors(COLUMNS)
    if progress is not None:
        progress(len(stream), len(stream))
    return plan


def _resolve(plan: ImportPlan, planned: list[Planned], actor: Any) -> None:
    """Against the database, in bulk: levels of each year's scheme, organizations (exist in the year, in scope,
    a cell for a member), members by citizen ID and their cell on 31/12, duplicates in the file and results
    already recorded for that year."""
    scope: Scope = Scope(True, ()) if actor is None else scope_for(actor, EVALUATE)
    schemes = _Schemes()
    codes = sorted({p.org_code for p in planned if p.org_code})
    orgs: dict[str, Organization] = {}
    for chunk in chunks(codes, LOOKUP):
        for org in Organization.objects.filter(code__in=chunk):
            orgs[org.code.upper()] = org
    cids = sorted({p.citizen_id for p in planned if p.citizen_id})
    members: dict[str, tuple[int, str]] = {}
    for chunk in chunks(cids, LOOKUP):
        for pk, cid, name in Member.objects.filter(citizen_id__in=chunk).values_list(
            "pk", "citizen_id", "full_name"
        ):
            members[str(cid)] = (pk, name)
    org_periods: dict[int, list[tuple[dt.date, dt.date | None, str, bool, bool, str]]] = defaultdict(list)
    memberships: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
    member_ids = sorted(pk for pk, _n in members.values())
    for chunk in chunks(member_ids, LOOKUP):
        for mid, start, end, oid in Membership.objects.filter(
            member_id__in=chunk, kind=Membership.Kind.OFFICIAL
        ).values_list("member_id", "valid_from", "valid_to", "org_id"):
            memberships[mid].append((start, end, oid))
    ids = sorted({o.pk for o in orgs.values()} | {o for rows in memberships.values() for _s, _e, o in rows})
    for chunk in chunks(ids, LOOKUP):
        for oid, start, end, path, cell, grassroots, name in orgs_queries.all_periods(chunk).values_list(
            "org_id", "valid_from", "valid_to", "path", "kind__is_cell", "kind__is_grassroots", "name"
        ):
            org_periods[oid].append((start, end, path, cell, grassroots, name))
    codes_by_id = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "code")) if ids else {}

    def placed(org_id: int, year: int) -> tuple[str, bool, bool, str] | None:
        """The organization's placement in `year`: on 31/12, else its last period that began in or before it and
        reached into it."""
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        best = None
        for start, end, path, cell, grassroots, name in org_periods.get(org_id, []):
            if start <= last and (end is None or end > first):
                best = (path, cell, grassroots, name)
        return best

    def cell_of(member_id: int, year: int) -> int | None:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        best = None
        for start, end, org_id in sorted(memberships.get(member_id, [])):
            if start <= last and (end is None or end > first):
                best = org_id
        return best

    seen: dict[tuple[int, str, int], int] = {}
    for p in planned:
        line = p.line
        level: Level | None = None
        if p.year is not None and p.subject is not None and p.level_text:
            level, choices = schemes.find(p.year, p.subject, p.level_text)
            if level is None:
                version = schemes.on(p.year)
                if version is None:
                    plan.add(
                        line, COL_LEVEL, p.level_text, f"Chưa cấu hình phương thức xếp loại cho năm {p.year}."
                    )
                else:
                    names = "; ".join(f"“{c.name}”" for c in choices)
                    plan.add(
                        line,
                        COL_LEVEL,
                        p.level_text,
                        f"Không có mức này trong quy định năm {p.year} ({version.source}) cho "
                        f"{'tổ chức' if p.subject == Subject.ORG else 'đảng viên'}; hãy ghi một trong: {names}.",
                    )
        org_id: int | None = None
        member_id: int | None = None
        if p.subject == Subject.MEMBER and p.citizen_id:
            found = members.get(p.citizen_id)
            if found is None:
                plan.add(
                    line,
                    COL_CID,
                    p.citizen_id,
                    "Không có đảng viên có số CCCD này trong hệ thống; hãy nhập đảng viên trước hoặc kiểm tra lại số.",
                )
            else:
                member_id = found[0]
        if p.org_code:
            target = orgs.get(p.org_code)
            if target is None:
                plan.add(
                    line,
                    COL_ORG,
                    p.org_code,
                    f"Không tìm thấy tổ chức có mã {p.org_code}; hãy ghi mã đã có trong hệ thống.",
                )
            else:
                org_id = target.pk
        elif p.subject == Subject.MEMBER and member_id is not None and p.year is not None:
            org_id = cell_of(member_id, p.year)
            if org_id is None:
                plan.add(
                    line,
                    COL_ORG,
                    "",
                    f"Không xác định được chi bộ của đảng viên trong năm {p.year}; hãy ghi mã chi bộ nơi đảng viên "
                    "sinh hoạt năm đó.",
                )
        if org_id is None or p.year is None or p.subject is None:
            continue
        where = placed(org_id, p.year)
        code = codes_by_id.get(org_id, p.org_code)
        if where is None:
            plan.add(
                line,
                COL_ORG,
                code,
                f"Tổ chức {code} không tồn tại trong năm {p.year}; hãy kiểm tra mã tổ chức hoặc năm.",
            )
            continue
        path, is_cell, is_grassroots, name = where
        if p.subject == Subject.MEMBER and not is_cell:
            plan.add(
                line,
                COL_ORG,
                code,
                f"{name} ({code}) không phải chi bộ; với đảng viên hãy ghi mã chi bộ hoặc để trống.",
            )
            continue
        current = next((o.current_path for o in orgs.values() if o.pk == org_id), None)
        if current is None:
            current = Organization.objects.filter(pk=org_id).values_list("current_path", flat=True).first()
        if not scope.covers(current):
            plan.add(line, COL_ORG, code, f"Tổ chức {code} nằm ngoài phạm vi bạn được đánh giá, xếp loại.")
            continue
        key = (p.year, p.subject, (member_id if p.subject == Subject.MEMBER else org_id) or 0)
        first = seen.setdefault(key, line)
        if first != line:
            column = COL_CID if p.subject == Subject.MEMBER else COL_ORG
            plan.add(
                line,
                column,
                p.citizen_id if p.subject == Subject.MEMBER else code,
                f"Trùng với dòng {first}: mỗi {'đảng viên' if p.subject == Subject.MEMBER else 'tổ chức'} có một "
                f"kết quả năm {p.year}; hãy xóa một dòng. Theo quy tắc {rules.DUPLICATE}.",
            )
            continue
        if level is not None:
            plan.rows.append(Resolved(line, p.year, p.subject, level, org_id, path, is_grassroots, member_id))
    _already(plan)


def _already(plan: ImportPlan) -> None:
    """Subjects already classified for the year (an entered annual period or an earlier import)."""
    by_year: dict[int, list[Resolved]] = defaultdict(list)
    for r in plan.rows:
        by_year[r.year].append(r)
    clash: set[tuple[int, str, int]] = set()
    for year, rows in by_year.items():
        members = sorted({r.member_id for r in rows if r.member_id})
        orgs = sorted({r.org_id for r in rows if r.subject == Subject.ORG})
        for chunk in chunks(members, LOOKUP):
            for m in Evaluation.objects.filter(
                annual=True, year=year, subject=Subject.MEMBER, member_id__in=chunk
            ).values_list("member_id", flat=True):
                clash.add((year, Subject.MEMBER, m))
        for chunk in chunks(orgs, LOOKUP):
            for o in Evaluation.objects.filter(
                annual=True, year=year, subject=Subject.ORG, org_id__in=chunk
            ).values_list("org_id", flat=True):
                clash.add((year, Subject.ORG, o))
    if not clash:
        return
    kept = []
    for r in plan.rows:
        key = (r.year, r.subject, r.member_id if r.subject == Subject.MEMBER else r.org_id)
        if key in clash:
            column = COL_CID if r.subject == Subject.MEMBER else COL_ORG
            plan.add(
                r.line,
                column,
                "",
                f"Đã có kết quả xếp loại năm {r.year} của {'đảng viên' if r.subject == Subject.MEMBER else 'tổ chức'} "
                f"này trong hệ thống; hãy xóa dòng này (kết quả đã quyết định chỉ thay đổi bằng quyết định xem xét "
                f"lại). Theo quy tắc {rules.DUPLICATE}.",
            )
        else:
            kept.append(r)
    plan.rows = kept


def _common_root(paths: Iterable[str]) -> str:
    """The longest path (whole segments) every path lies under."""
    items = list(paths)
    prefix = os.path.commonprefix(items)
    return prefix[: len(prefix) // SEGMENT * SEGMENT]


def apply(
    plan: ImportPlan, actor: Any, filename: str = "", *, progress: Progress | None = None
) -> ImportResult:
    """Write a plan without errors in one transaction (DomainError and nothing written otherwise).
    `progress(done, total)` is called after each period's rows are written (`total`: the plan's rows)."""
    if plan.errors:
        raise DomainError(f"Tệp còn {len(plan.errors)} lỗi nên chưa ghi gì; hãy sửa các lỗi rồi nhập lại.")
    result = ImportResult(plan, dry_run=False)
    if not plan.rows:
        return result
    filename = filename or plan.filename
    reason = f"Nhập kết quả xếp loại: {filename or 'tệp tải lên'}"[:100]
    user = actor if getattr(actor, "pk", None) else None
    try:
        with transaction.atomic():
            if actor is not None:
                for org_id in {r.org_id for r in plan.rows}:
                    org = Organization.objects.get(pk=org_id)
                    check_path(actor, org.current_path, EVALUATE)
            _already(plan)
            if plan.errors:
                raise DomainError("Dữ liệu vừa thay đổi trong lúc nhập; chưa ghi gì. Hãy kiểm tra tệp lại.")
            groups: dict[tuple[int, str], list[Resolved]] = defaultdict(list)
            for r in plan.rows:
                groups[(r.year, r.path[:SEGMENT])].append(r)
            schemes = _Schemes()
            for (year, _top), rows in sorted(groups.items()):
                root = _common_root(r.path for r in rows)
                root_id = int(root[-SEGMENT:-1])
                version = schemes.on(year)
                assert version is not None  # validate checked every level
                period = EvaluationPeriod(
                    org_id=root_id,
                    kind=PeriodKind.IMPORTED,
                    year=year,
                    date_from=dt.date(year, 1, 1),
                    date_to=dt.date(year, 12, 31),
                    title=f"Kết quả xếp loại năm {year} (nhập từ {filename or 'tệp Excel'})"[:255],
                    scheme=rows[0].level.scheme,
                    ruleset=version,
                    criteria=version.params.get("criteria") or [],
                    state=PeriodState.PUBLISHED,
                    published_on=today(),
                    published_by=user,
                    opened_by=user,
                    source=(filename or "")[:255],
                )
                period._history_user = user  # type: ignore[attr-defined]
                period._change_reason = reason  # type: ignore[attr-defined]
                period.save()
                result.periods.append(period.pk)
                ids = insert_rows(
                    Evaluation,
                    [
                        {
                            **JSON_DEFAULTS,
                            "period_id": period.pk,
                            "subject": r.subject,
                            "member_id": r.member_id,
                            "org_id": r.org_id,
                            "path": r.path,
                            "is_grassroots": r.is_grassroots and r.subject == Subject.ORG,
                            "year": year,
                            "annual": True,
                            "state": EntryState.DECIDED,
                            "level_id": r.level.pk,
                            "rank": r.level.rank,
                            "decided_by_id": getattr(user, "pk", None),
                        }
                        for r in rows
                    ],
                )
                record_history(Evaluation, ids=ids, user=user, reason=reason, history_type=CREATED)
                result.created += len(ids)
                if progress is not None:
                    progress(result.created, len(plan.rows))
    except IntegrityError as exc:
        raise DomainError(
            "Dữ liệu vừa bị thay đổi trong lúc nhập; chưa ghi gì. Hãy kiểm tra tệp rồi nhập lại."
        ) from exc
    return result


def read(
    file: str | os.PathLike[str] | IO[bytes],
    actor: Any,
    *,
    filename: str = "",
    progress: Progress | None = None,
) -> ImportPlan:
    """Open an uploaded .xlsx and validate it; an unreadable file is one error."""
    return read_plan(file, actor, COLUMNS, validate, ImportPlan, filename=filename, progress=progress)


def import_evaluations(
    file: str | os.PathLike[str] | IO[bytes],
    actor: Any,
    dry_run: bool = False,
    *,
    filename: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Validate an .xlsx of results and, unless `dry_run` or there are errors, write it (all or nothing).

    `progress(done, total)` counts one step per row read and, when writing, one more per row written (so `total`
    is twice the rows when the file is written; 0 while reading, before the number of rows is known)."""
    return read_then_write(
        read, apply, ImportResult, file, actor, dry_run=dry_run, filename=filename, progress=progress
    )


# -------------------------------------------------------------------------------------------- the template

EXAMPLES: list[list[Any]] = [
    [2017, "Tổ chức", "VD-X01", "", "Trong sạch vững mạnh"],
    [2017, "Đảng viên", "VD-C01", "001080012345", "Đủ tư cách, hoàn thành tốt nhiệm vụ"],
    [2019, "Đảng viên", "", "001080012345", "Hoàn thành xuất sắc nhiệm vụ"],
]

COLUMN_HELP = {
    COL_YEAR: "Bắt buộc. Năm đánh giá, 4 chữ số (ví dụ 2017).",
    COL_SUBJECT: "Bắt buộc. “Tổ chức” hoặc “Đảng viên”.",
    COL_ORG: "Tổ chức: bắt buộc, mã tổ chức được đánh giá. Đảng viên: mã chi bộ nơi sinh hoạt năm đó; để trống thì "
    "lấy chi bộ sinh hoạt chính thức ngày 31/12 của năm.",
    COL_CID: "Đảng viên: bắt buộc, số CCCD 12 chữ số (định dạng cột là Văn bản). Tổ chức: để trống.",
    COL_LEVEL: "Bắt buộc. Tên mức xếp loại (hoặc mã) theo quy định của năm đó, liệt kê bên dưới.",
}


def template_bytes() -> bytes:
    """The import template: the header row, example rows, and a "Hướng dẫn" sheet with the levels of each scheme
    and the years it applies to."""
    guide: list[list[Any]] = [[c, COLUMN_HELP[c]] for c in COLUMNS]
    for version in RuleSet.objects.filter(code=rules.SCHEME).order_by("effective_from"):
        until = f" đến trước {format_date(version.effective_to)}" if version.effective_to else ""
        guide.append([])
        guide.append([f"Từ {format_date(version.effective_from)}{until}", version.source])
        for level in Level.objects.filter(scheme__code=version.params["scheme"]).order_by("subject", "rank"):
            guide.append(
                ["", f"{level.get_subject_display()} – {level.name} (mã {level.code}, bậc {level.rank})"]
            )
    return template_workbook(
        SHEET_TITLE,
        COLUMNS,
        EXAMPLES,
        guide,
        (
            "Xóa các dòng ví dụ (mã VD-...) trước khi nhập. Năm được tính theo ngày 31/12. Tệp có bất kỳ lỗi nào thì "
            "không ghi gì; danh sách lỗi ghi rõ dòng, cột, giá trị và cách sửa."
        ),
    )


# -------------------------------------------------------------------------------------------- command line


def _report(result: ImportResult, dry_run: bool, filename: str) -> list[str]:
    verb = "Tệp hợp lệ (chạy thử, chưa ghi gì): sẽ nhập" if dry_run else "Đã nhập"
    lines = [f"{verb} {len(result.plan.rows)} kết quả xếp loại."]
    for (year, subject), n in result.plan.counts().items():
        lines.append(f"  Năm {year}, {'tổ chức' if subject == Subject.ORG else 'đảng viên'}: {n}")
    return lines


IMPORT_EVALUATIONS = command_line_import(
    "evaluations",
    "Nhập kết quả đánh giá, xếp loại các năm trước từ tệp Excel theo mẫu (cả tệp hoặc không gì).",
    "Tệp Excel .xlsx theo mẫu nhập kết quả xếp loại.",
    import_evaluations,
    _report,
)

__all__ = [
    "COLUMNS",
    "IMPORT_EVALUATIONS",
    "ImportPlan",
    "ImportResult",
    "apply",
    "import_evaluations",
    "read",
    "template_bytes",
    "validate",
]
