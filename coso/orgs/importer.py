"""Import of organizations from Excel: validate the whole file, then write everything or nothing.

The template's columns (a contract with the offices: never rename them) are `COLUMNS`. A row describes one
organization over its whole life: established on `Ngày thành lập` under `Mã tổ chức cấp trên` (another row of the
file, an organization already in the system, or empty for a top-level organization), dissolved on `Ngày giải
thể` (exclusive, may be empty). Rows may come in any order.

`validate(rows, actor)` reads every row and collects every error as (row, column, value, message) without writing;
`apply(plan, actor, filename)` writes the plan in one transaction with history rows (bulk, batched: tens of
thousands of rows take a few dozen queries, never one per row). `import_orgs(file, actor, dry_run)` does both.

The periods written follow the parent's placement: a child's life is cut at every change of its parent's path, so
that at every date the child's path is its parent's path then plus its own segment.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from simple_history.utils import bulk_create_with_history

from coso.core.bulk import chunks
from coso.core.dates import format_date, parse_date
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
from coso.core.rules import MissingRule
from coso.core.scope import CHANGE_ORGS, Scope, scope_for
from coso.core.text import fold, nfc, sort_key

from . import rules
from .models import (
    SEGMENT,
    CellCategory,
    Decision,
    Organization,
    OrgKind,
    OrgPeriod,
    Restructuring,
    RestructuringOrg,
    segment,
)

# The template's columns, exactly as written in the header row (a contract: never rename).
COL_CODE = "Mã tổ chức"
COL_NAME = "Tên tổ chức"
COL_KIND = "Loại"
COL_CATEGORY = "Phân loại"
COL_PARENT = "Mã tổ chức cấp trên"
COL_ESTABLISHED = "Ngày thành lập"
COL_DISSOLVED = "Ngày giải thể"
COL_DECISION = "Số quyết định"
COLUMNS = [
    COL_CODE,
    COL_NAME,
    COL_KIND,
    COL_CATEGORY,
    COL_PARENT,
    COL_ESTABLISHED,
    COL_DISSOLVED,
    COL_DECISION,
]
REQUIRED_COLUMNS = [COL_CODE, COL_NAME, COL_KIND, COL_PARENT, COL_ESTABLISHED]
SHEET_TITLE = "Tổ chức"

BATCH = 1000  # rows per INSERT / lookup (Django lowers it further where the database needs)
MAX_CODE = 40
MAX_NAME = 255
MAX_DECISION = 60
MAX_PATH = 255
IMPORT = 0  # in a planned segment: "opened / closed by this import's event"


# ------------------------------------------------------------------------------------------------ the plan


@dataclass
class Segment:
    """A planned placement period of a new organization. The parent's path at that time is `prefix` (the part
    made of organizations already in the database) followed by the segments of the new rows in `chain`."""

    valid_from: dt.date
    valid_to: dt.date | None
    prefix: str
    chain: tuple[int, ...]
    parent_row: int | None  # index of the parent row, or
    parent_id: int | None  # id of the parent organization in the database
    opened_by: int  # IMPORT or the id of the event that opened the parent's period
    closed_by: int | None  # IMPORT, an event id, or None (still open / unknown)


@dataclass
class ImportRow:
    """One row of the file, parsed. Fields that could not be parsed are None (their errors are in the plan)."""

    index: int
    line: int
    raw: dict[str, str]
    code: str = ""
    name: str = ""
    kind: OrgKind | None = None
    category: CellCategory | None = None
    parent_code: str = ""
    established_on: dt.date | None = None
    dissolved_on: dt.date | None = None
    decision_number: str = ""
    valid: bool = True  # every cell of the row parsed and checked
    in_cycle: bool = False
    dissolved_ok: bool = True  # the dissolution cell parsed (empty counts as parsed)
    existing: Organization | None = None  # the code is already in the database
    skip: bool = False  # already in the database with identical data: nothing to do
    parent_row: int | None = None
    parent_org: Organization | None = None
    segments: list[Segment] | None = None
    org: Organization | None = None  # set by apply()

    @property
    def to_create(self) -> bool:
        return not self.skip and self.existing is None


@dataclass
class ImportPlan(Plan):
    """What `validate` found: every error, every parsed row; `apply` writes it if there is no error."""

    rows: list[ImportRow] = field(default_factory=list)
    header_line: int = 1
    parent_periods: dict[int, list[tuple[Any, ...]]] = field(default_factory=dict)

    @property
    def to_create(self) -> list[ImportRow]:
        return [r for r in self.rows if r.to_create]

    @property
    def skipped(self) -> list[ImportRow]:
        return [r for r in self.rows if r.skip]

    def by_kind(self) -> dict[str, int]:
        """How many organizations of each kind the import creates (for the preview)."""
        counts: dict[str, int] = defaultdict(int)
        for r in self.to_create:
            if r.kind is not None:
                counts[r.kind.name] += 1
        return dict(counts)


@dataclass
class ImportResult(Result):
    plan: ImportPlan
    created: list[Organization] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    event: Restructuring | None = None


# ------------------------------------------------------------------------------------------ cell helpers


class _Vocabulary:
    """Kind and category names: NFC, trimmed, case-insensitive; accent-insensitive only when unique."""

    def __init__(self, items: Iterable[Any]):
        self.items = list(items)
        self.exact = {nfc(i.name).casefold(): i for i in self.items}
        folded: dict[str, list[Any]] = defaultdict(list)
        for i in self.items:
            folded[fold(i.name)].append(i)
        self.folded = folded

    def find(self, text: str) -> Any:
        found = self.exact.get(nfc(text).casefold())
        if found is not None:
            return found
        candidates = self.folded.get(fold(text), [])
        return candidates[0] if len(candidates) == 1 else None

    def names(self) -> str:
        return "; ".join(f"“{i.name}”" for i in self.items if getattr(i, "active", True))


class _Placement:
    """rules.check_placement with a cache: the rule version is chosen here from the preloaded rule sets, and a
    (kind, parent kind, version) found allowed is not asked again. Refusals are asked each time (their message
    carries the row's date)."""

    def __init__(self) -> None:
        self.versions = list(
            RuleSet.objects.filter(code=rules.KIND_PARENT).values_list("id", "effective_from", "effective_to")
        )
        self.allowed: set[tuple[int, int | None, int]] = set()

    def version(self, on: dt.date) -> int | None:
        best: tuple[dt.date, int] | None = None
        for pk, start, end in self.versions:
            if start <= on and (end is None or on < end) and (best is None or start > best[0]):
                best = (start, pk)
        return best[1] if best else None

    def check(self, kind: OrgKind, parent_kind: OrgKind | None, on: dt.date) -> str | None:
        """None if allowed, else the Vietnamese refusal naming the rule and its source."""
        version = self.version(on)
        key = (kind.pk, parent_kind.pk if parent_kind else None, version or 0)
        if version is not None and key in self.allowed:
            return None
        try:
            rules.check_placement(kind, parent_kind, on)
        except DomainError as exc:
            rule = f" Theo quy tắc {exc.rule}." if exc.rule else ""
            return f"{exc.message}{rule}"
        except MissingRule as exc:
            return str(exc)
        self.allowed.add(key)
        return None


# ----------------------------------------------------------------------------------------------- validate


def _parse_row(
    plan: ImportPlan, row: ImportRow, cells: Mapping[str, Any], kinds: _Vocabulary, categories: _Vocabulary
) -> None:
    """Cell checks of one row: required cells, lengths, vocabulary, dates. `cells` are the values as read."""
    line, raw = row.line, row.raw

    def error(column: str, message: str) -> None:
        plan.add(line, column, raw.get(column, ""), message)
        row.valid = False

    row.code = raw[COL_CODE].upper()
    if not row.code:
        error(COL_CODE, "Thiếu mã tổ chức; hãy ghi mã (duy nhất, tối đa 40 ký tự) cho tổ chức này.")
    elif len(row.code) > MAX_CODE:
        error(COL_CODE, f"Mã tổ chức dài {len(row.code)} ký tự; hãy rút gọn còn tối đa {MAX_CODE} ký tự.")
    row.name = raw[COL_NAME]
    if not row.name:
        error(COL_NAME, "Thiếu tên tổ chức; hãy ghi tên đầy đủ, ví dụ “Chi bộ thôn Đông”.")
    elif len(row.name) > MAX_NAME:
        error(COL_NAME, f"Tên tổ chức dài {len(row.name)} ký tự; hãy rút gọn còn tối đa {MAX_NAME} ký tự.")
    if not raw[COL_KIND]:
        error(COL_KIND, f"Thiếu loại tổ chức; hãy ghi một trong các loại: {kinds.names()}.")
    else:
        row.kind = kinds.find(raw[COL_KIND])
        if row.kind is None:
            error(COL_KIND, f"Không có loại tổ chức này; hãy ghi đúng một trong các loại: {kinds.names()}.")
    if raw[COL_CATEGORY]:
        row.category = categories.find(raw[COL_CATEGORY])
        if row.category is None:
            error(
                COL_CATEGORY,
                f"Không có phân loại này; hãy ghi đúng một trong các phân loại: {categories.names()}, "
                "hoặc để trống.",
            )
    row.parent_code = raw[COL_PARENT].upper()
    if row.parent_code and row.parent_code == row.code:
        error(
            COL_PARENT,
            "Tổ chức không thể trực thuộc chính nó; hãy ghi mã của tổ chức cấp trên, hoặc để trống nếu là tổ "
            f"chức cấp cao nhất. Theo quy tắc {rules.CYCLE}.",
        )
    established = cells.get(COL_ESTABLISHED)
    if is_blank(established):
        error(COL_ESTABLISHED, "Thiếu ngày thành lập; hãy ghi ngày theo dạng dd/mm/yyyy, ví dụ 01/07/2025.")
    else:
        try:
            row.established_on = _date(established)
        except ValueError as exc:
            error(COL_ESTABLISHED, str(exc))
    dissolved = cells.get(COL_DISSOLVED)
    if not is_blank(dissolved):
        try:
            row.dissolved_on = _date(dissolved)
        except ValueError as exc:
            row.dissolved_ok = False
            error(COL_DISSOLVED, str(exc))
    if row.established_on and row.dissolved_on and row.dissolved_on <= row.established_on:
        row.dissolved_ok = False
        error(
            COL_DISSOLVED,
            f"Ngày giải thể phải sau ngày thành lập ({format_date(row.established_on)}); hãy sửa ngày giải thể "
            "hoặc để trống nếu tổ chức còn hoạt động.",
        )
    row.decision_number = raw[COL_DECISION]
    if len(row.decision_number) > MAX_DECISION:
        error(COL_DECISION, f"Số quyết định dài quá; hãy rút gọn còn tối đa {MAX_DECISION} ký tự.")


def _date(value: Any) -> dt.date:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(
            f"“{cell_text(value)}” không phải ngày hợp lệ; hãy ghi theo dạng dd/mm/yyyy, ví dụ 01/07/2025 "
            "(hoặc định dạng ô là ngày)."
        )
    return parse_date(value)


def _fetch_orgs(codes: Iterable[str]) -> dict[str, Organization]:
    """Organizations by code (codes are stored upper-case by the services and by this import)."""
    found: dict[str, Organization] = {}
    for chunk in chunks(sorted(set(codes)), BATCH):
        for org in Organization.objects.filter(code__in=chunk):
            found[org.code.upper()] = org
    return found


@dataclass
class _DbPeriod:
    org_id: int
    parent_code: str
    name: str
    kind_id: int
    category_id: int | None
    path: str
    valid_from: dt.date
    valid_to: dt.date | None
    opened_by: int | None
    closed_by: int | None


def _fetch_periods(org_ids: Iterable[int]) -> dict[int, list[_DbPeriod]]:
    result: dict[int, list[_DbPeriod]] = defaultdict(list)
    for chunk in chunks(sorted(set(org_ids)), BATCH):
        rows = (
            OrgPeriod.objects.filter(org_id__in=chunk)
            .order_by("org_id", "valid_from", "id")
            .values_list(
                "org_id",
                "parent__code",
                "name",
                "kind_id",
                "category_id",
                "path",
                "valid_from",
                "valid_to",
                "opened_by_id",
                "closed_by_id",
            )
        )
        for r in rows:
            result[r[0]].append(_DbPeriod(r[0], (r[1] or "").upper(), *r[2:]))
    return result


def establishment_decisions(orgs: Iterable[Organization]) -> dict[int, str | None]:
    """The number of the decision each organization was established by (None when unknown), in a few queries:
    the event that opened its first period; for an Excel import, the event's record of numbers per code."""
    orgs = list(orgs)
    code_of = {o.pk: o.code for o in orgs}
    first: dict[int, int | None] = {}
    for chunk in chunks(sorted(code_of), BATCH):
        rows = (
            OrgPeriod.objects.filter(org_id__in=chunk)
            .order_by("org_id", "valid_from", "id")
            .values_list("org_id", "opened_by_id")
        )
        for org_id, event_id in rows:
            first.setdefault(org_id, event_id)
    event_ids = sorted({e for e in first.values() if e is not None})
    numbers: dict[int, str | None] = {}
    imports: dict[int, dict[str, str]] = {}
    for chunk in chunks(event_ids, BATCH):
        for pk, op, number in Restructuring.objects.filter(pk__in=chunk).values_list(
            "id", "op", "decision__number"
        ):
            if op == Restructuring.Op.IMPORT:
                imports[pk] = {}
            else:
                numbers[pk] = number
        for pk, payload in Restructuring.objects.filter(pk__in=chunk, op=Restructuring.Op.IMPORT).values_list(
            "id", "payload"
        ):
            for number, codes in (payload or {}).get("decisions", {}).items():
                for code in codes:
                    imports[pk][code] = number
    result: dict[int, str | None] = {}
    for org_id, code in code_of.items():
        opened = first.get(org_id)
        if opened is None:
            result[org_id] = None
        elif opened in imports:
            result[org_id] = imports[opened].get(code, "")
        else:
            result[org_id] = numbers.get(opened)
    return result


def _compare_existing(
    row: ImportRow,
    org: Organization,
    periods: list[_DbPeriod],
    decision: str | None,
    names: Mapping[tuple[str, int | None], str],
) -> list[str]:
    """The differences between a row and the organization already in the database (empty: identical). The row
    matches when one of the organization's recorded states has its name, kind, category and parent."""
    assert row.kind is not None
    diffs: list[str] = []
    if org.established_on != row.established_on:
        diffs.append(
            f"{COL_ESTABLISHED}: đã có {format_date(org.established_on)}, tệp ghi {format_date(row.established_on)}"
        )
    if org.dissolved_on != row.dissolved_on:
        diffs.append(
            f"{COL_DISSOLVED}: đã có {format_date(org.dissolved_on) or 'trống'}, "
            f"tệp ghi {format_date(row.dissolved_on) or 'trống'}"
        )
    if decision is not None and decision != row.decision_number:
        diffs.append(f"{COL_DECISION}: đã có “{decision}”, tệp ghi “{row.decision_number}”")
    category_id = row.category.pk if row.category else None
    if not any(
        p.name == row.name
        and p.kind_id == row.kind.pk
        and p.category_id == category_id
        and p.parent_code == row.parent_code
        for p in periods
    ):
        latest = periods[-1] if periods else None
        if latest is None:
            diffs.append("chưa có thông tin tên, loại")
        else:
            if latest.name != row.name:
                diffs.append(f"{COL_NAME}: đã có “{latest.name}”")
            if latest.kind_id != row.kind.pk:
                diffs.append(f"{COL_KIND}: đã có “{names.get(('kind', latest.kind_id), '')}”")
            if latest.category_id != category_id:
                category = names.get(("category", latest.category_id), "trống")
                diffs.append(f"{COL_CATEGORY}: đã có “{category}”")
            if latest.parent_code != row.parent_code:
                diffs.append(f"{COL_PARENT}: đã có “{latest.parent_code or 'trống'}”")
            if len(diffs) == 0:
                diffs.append("tên, loại, phân loại và cấp trên không cùng khớp một giai đoạn đã ghi")
    return diffs


def _intersect(
    child: ImportRow, parent_segments: Iterable[Segment | _DbPeriod], *, parent_row: int | None
) -> list[Segment]:
    """The child's periods: its life [established, dissolved) cut by each of its parent's periods."""
    assert child.established_on is not None
    start, end = child.established_on, child.dissolved_on
    result: list[Segment] = []
    for p in parent_segments:
        lo = max(p.valid_from, start)
        his = [d for d in (p.valid_to, end) if d is not None]
        hi = min(his) if his else None
        if hi is not None and lo >= hi:
            continue
        if isinstance(p, Segment):
            prefix, chain, parent_id = p.prefix, (*p.chain, parent_row), None
            opened, closed = p.opened_by, p.closed_by
        else:
            prefix, chain, parent_id = p.path, (), p.org_id
            opened, closed = (p.opened_by or IMPORT), p.closed_by
        seg = Segment(
            valid_from=lo,
            valid_to=hi,
            prefix=prefix,
            chain=tuple(c for c in chain if c is not None),
            parent_row=parent_row,
            parent_id=parent_id,
            opened_by=IMPORT if lo == start else opened,
            closed_by=IMPORT if (hi is not None and hi == end) else (closed if hi is not None else None),
        )
        last = result[-1] if result else None
        if (
            last is not None
            and last.valid_to == seg.valid_from
            and (last.prefix, last.chain) == (seg.prefix, seg.chain)
        ):
            last.valid_to, last.closed_by = seg.valid_to, seg.closed_by
        else:
            result.append(seg)
    return result


def _covers(segments: list[Segment], start: dt.date, end: dt.date | None) -> bool:
    if not segments or segments[0].valid_from != start or segments[-1].valid_to != end:
        return False
    return all(a.valid_to == b.valid_from for a, b in zip(segments, segments[1:], strict=False))


def validate(
    rows: Iterable[SheetRow | Mapping[str, Any]],
    actor: Any,
    *,
    headers: Sequence[str] | None = None,
    header_line: int = 1,
    filename: str = "",
) -> ImportPlan:
    """Check every row of an import (nothing is written) and plan the periods to create.

    `rows` are `SheetRow`s from `coso.core.excel.open_table` or plain mappings header → value (numbered from the
    row after `header_line`); `headers` defaults to the keys of the rows. `actor` is the user importing (None:
    the system). The plan's `errors` list every problem with its row and column."""
    items = list(sheet_rows(rows, header_line + 1))
    plan = ImportPlan(filename=filename, header_line=header_line)
    if headers is None:
        seen: dict[str, None] = {}
        for item in items:
            seen.update(dict.fromkeys(item.values))
        headers = list(seen)
    columns = header_map(headers, COLUMNS)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    for column in missing:
        plan.add(
            header_line,
            column,
            "",
            f"Thiếu cột “{column}”. Hãy thêm cột có tiêu đề đúng “{column}” vào dòng tiêu đề (dòng {header_line}) "
            "như trong tệp mẫu, rồi tải lên lại.",
        )
    if missing:
        return plan
    if not items:
        plan.add(0, "", "", "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề; hãy ghi mỗi tổ chức một dòng.")
        return plan

    kinds = _Vocabulary(OrgKind.objects.order_by("order", "name"))
    categories = _Vocabulary(CellCategory.objects.order_by("order", "name"))
    for i, item in enumerate(items):
        raw = {c: cell_text(item.values.get(h)) for c, h in columns.items()}
        for c in COLUMNS:
            raw.setdefault(c, "")
        row = ImportRow(index=i, line=item.line, raw=raw)
        _parse_row(plan, row, {c: item.values.get(h) for c, h in columns.items()}, kinds, categories)
        plan.rows.append(row)

    # duplicate codes in the file
    first_of: dict[str, ImportRow] = {}
    for row in plan.rows:
        if not row.code:
            continue
        if row.code in first_of:
            plan.add(
                row.line,
                COL_CODE,
                row.raw[COL_CODE],
                f"Mã {row.code} trùng với dòng {first_of[row.code].line}; mỗi tổ chức ghi một dòng với một mã "
                "riêng. Hãy đổi mã hoặc xóa dòng trùng.",
            )
            row.valid = False
        else:
            first_of[row.code] = row

    # what the database already has
    db_orgs = _fetch_orgs(
        [r.code for r in plan.rows if r.code] + [r.parent_code for r in plan.rows if r.parent_code]
    )
    existing_ids = [db_orgs[r.code].pk for r in plan.rows if r.code in db_orgs]
    parent_ids = [db_orgs[r.parent_code].pk for r in plan.rows if r.parent_code in db_orgs]
    db_periods = _fetch_periods(existing_ids + parent_ids)
    decisions = establishment_decisions(db_orgs[r.code] for r in plan.rows if r.code in db_orgs)
    names: dict[tuple[str, int | None], str] = {("kind", k.pk): k.name for k in kinds.items}
    names.update({("category", c.pk): c.name for c in categories.items})
    for row in plan.rows:
        org = db_orgs.get(row.code)
        if org is None or first_of.get(row.code) is not row:
            continue
        row.existing = org
        if not row.valid:
            continue
        diffs = _compare_existing(row, org, db_periods.get(org.pk, []), decisions.get(org.pk), names)
        if not diffs:
            row.skip = True
            continue
        plan.add(
            row.line,
            COL_CODE,
            row.raw[COL_CODE],
            f"Mã {row.code} đã tồn tại trong hệ thống với thông tin khác ({'; '.join(diffs)}): mã đã tồn tại; "
            "dùng thao tác thay đổi tổ chức (đổi tên, chuyển trực thuộc, giải thể) trên trang của tổ chức, "
            "hoặc sửa dòng này cho khớp với dữ liệu đã có.",
        )
        row.valid = False

    # parents: a row of the file (not yet in the database) or an organization in the database
    scope = _change_scope(actor)
    for row in plan.rows:
        if not row.to_create:
            continue
        if not row.parent_code:
            if not scope.is_global:
                plan.add(
                    row.line,
                    COL_PARENT,
                    "",
                    "Chỉ quản trị toàn hệ thống được nhập tổ chức cấp cao nhất; hãy ghi mã tổ chức cấp trên "
                    "thuộc phạm vi của bạn.",
                )
                row.valid = False
            continue
        if row.parent_code == row.code:
            continue
        parent = first_of.get(row.parent_code)
        if parent is not None and parent.to_create:
            row.parent_row = parent.index
            continue
        org = db_orgs.get(row.parent_code)
        if org is None:
            plan.add(
                row.line,
                COL_PARENT,
                row.raw[COL_PARENT],
                f"Không tìm thấy tổ chức cấp trên có mã {row.parent_code}: mã này không có trong tệp và chưa có "
                "trong hệ thống. Hãy ghi mã của một tổ chức trong tệp hoặc đã có trong hệ thống, hoặc để trống "
                "nếu là tổ chức cấp cao nhất.",
            )
            row.valid = False
            continue
        row.parent_org = org
        if not scope.covers(org.current_path) and not scope.is_global:
            plan.add(
                row.line,
                COL_PARENT,
                row.raw[COL_PARENT],
                f"Bạn không có quyền thay đổi tổ chức {org.code} nên không thể nhập tổ chức trực thuộc tổ chức "
                "này; hãy ghi mã tổ chức cấp trên thuộc phạm vi của bạn, hoặc nhờ người có quyền nhập.",
            )
            row.valid = False

    order, cyclic = _order(plan.rows)
    for cycle in cyclic:
        codes = [plan.rows[i].code for i in cycle]
        shown = " → ".join(codes[:10] + (["…"] if len(codes) > 10 else []) + [codes[0]])
        for i in cycle:
            row = plan.rows[i]
            plan.add(
                row.line,
                COL_PARENT,
                row.raw[COL_PARENT],
                f"Mã tổ chức cấp trên tạo thành vòng lặp {shown} (mỗi mã trực thuộc mã đứng sau); một tổ chức "
                "không thể nằm dưới chính nó. Hãy sửa Mã tổ chức cấp trên của một trong các dòng này. "
                f"Theo quy tắc {rules.CYCLE}.",
            )
            row.valid = False
            row.in_cycle = True

    placement = _Placement()
    kinds_by_pk = {k.pk: k for k in kinds.items}
    for i in order:
        _plan_row(plan, plan.rows[i], db_periods, placement, scope, kinds_by_pk)
    plan.parent_periods = _snapshot(db_periods, (r.parent_org.pk for r in plan.to_create if r.parent_org))
    plan.errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else len(COLUMNS)))
    return plan


def _change_scope(actor: Any) -> Scope:
    if actor is None:
        return Scope(True, ())
    return scope_for(actor, CHANGE_ORGS)


def _order(rows: list[ImportRow]) -> tuple[list[int], list[list[int]]]:
    """Rows to create, parents before children, and the cycles among them (each a list of row indexes)."""
    state = [0] * len(rows)  # 0 new, 1 on the current walk, 2 done
    order: list[int] = []
    cycles: list[list[int]] = []
    for start in range(len(rows)):
        if state[start] or not rows[start].to_create:
            continue
        walk: list[int] = []
        j: int | None = start
        while j is not None and state[j] == 0:
            state[j] = 1
            walk.append(j)
            j = rows[j].parent_row
        if j is not None and state[j] == 1:
            cycles.append(walk[walk.index(j) :])
        for k in reversed(walk):
            state[k] = 2
            order.append(k)
    return order, cycles


def _plan_row(
    plan: ImportPlan,
    row: ImportRow,
    db_periods: Mapping[int, list[_DbPeriod]],
    placement: _Placement,
    scope: Scope,
    kinds_by_pk: Mapping[int, OrgKind],
) -> None:
    """Checks against the parent (its life, the placement rule) and the planned periods of one row."""
    if row.established_on is None or row.kind is None:
        return
    start, end = row.established_on, row.dissolved_on
    line = row.line
    parent_label = ""
    parent_kind: OrgKind | None = None
    parent_start: dt.date | None = None
    parent_end: dt.date | None = None
    parent_end_known = True
    source: list[Any] | None = None
    if row.parent_row is not None:
        p = plan.rows[row.parent_row]
        parent_label = f"{p.name} ({p.code}, dòng {p.line})"
        parent_kind, parent_start = p.kind, p.established_on
        parent_end_known = p.dissolved_ok
        parent_end = p.dissolved_on if parent_end_known else None
        source = p.segments
    elif row.parent_org is not None:
        org = row.parent_org
        periods = db_periods.get(org.pk, [])
        parent_label = f"{periods[-1].name if periods else org.code} ({org.code})"
        parent_start, parent_end = org.established_on, org.dissolved_on
        at_start = [
            q for q in periods if q.valid_from <= start and (q.valid_to is None or start < q.valid_to)
        ]
        if at_start:
            parent_kind = kinds_by_pk.get(at_start[0].kind_id)
        source = periods
    elif row.parent_code:
        return  # unknown parent: already reported

    checked = True
    if parent_start is not None and start < parent_start:
        plan.add(
            line,
            COL_ESTABLISHED,
            row.raw[COL_ESTABLISHED],
            f"Tổ chức cấp trên {parent_label} thành lập ngày {format_date(parent_start)}, sau ngày thành lập "
            f"{format_date(start)} của tổ chức này; tổ chức cấp dưới chỉ thành lập khi cấp trên đã tồn tại. "
            f"Hãy sửa ngày thành lập hoặc mã tổ chức cấp trên. Theo quy tắc {rules.PARENT_EXISTS}.",
        )
        checked = False
    if parent_end is not None and row.dissolved_ok and (end is None or end > parent_end):
        plan.add(
            line,
            COL_DISSOLVED,
            row.raw[COL_DISSOLVED],
            f"Tổ chức cấp trên {parent_label} giải thể ngày {format_date(parent_end)}; tổ chức cấp dưới không "
            f"thể tồn tại sau đó. Hãy ghi ngày giải thể không muộn hơn {format_date(parent_end)} (hoặc đổi tổ "
            f"chức cấp trên). Theo quy tắc {rules.PARENT_EXISTS}.",
        )
        checked = False
    top = row.parent_row is None and row.parent_org is None
    if not row.in_cycle and (top or parent_kind is not None):  # in a cycle, the parent itself is wrong
        refusal = placement.check(row.kind, parent_kind, start)
        if refusal:
            plan.add(line, COL_KIND, row.raw[COL_KIND], refusal)
            checked = False
    if not (checked and row.valid and parent_end_known):
        row.valid = False
        return
    if row.parent_row is None and row.parent_org is None:
        row.segments = [Segment(start, end, "", (), None, None, IMPORT, IMPORT if end is not None else None)]
    else:
        if source is None:  # the parent row could not be planned: its errors are reported on its own row
            row.valid = False
            return
        segments = _intersect(row, source, parent_row=row.parent_row)
        if not _covers(segments, start, end):
            plan.add(
                line,
                COL_ESTABLISHED,
                row.raw[COL_ESTABLISHED],
                f"Tổ chức cấp trên {parent_label} không tồn tại liên tục trong suốt thời gian từ "
                f"{format_date(start)} đến {format_date(end) or 'nay'}; hãy sửa ngày hoặc mã tổ chức cấp trên. "
                f"Theo quy tắc {rules.PARENT_EXISTS}.",
            )
            row.valid = False
            return
        row.segments = segments
    deepest = max(len(s.prefix) + SEGMENT * (len(s.chain) + 1) for s in row.segments)
    if deepest > MAX_PATH:
        plan.add(
            line,
            COL_PARENT,
            row.raw[COL_PARENT],
            "Tổ chức nằm quá sâu trong cây (quá nhiều cấp); hãy kiểm tra lại mã tổ chức cấp trên.",
        )
        row.segments = None
        row.valid = False
        return
    if not scope.is_global and not scope.covers(row.segments[-1].prefix):
        plan.add(
            line,
            COL_PARENT,
            row.raw[COL_PARENT],
            "Tổ chức này sẽ nằm ngoài phạm vi bạn được thay đổi; hãy ghi mã tổ chức cấp trên thuộc phạm vi "
            "của bạn.",
        )
        row.segments = None
        row.valid = False


# -------------------------------------------------------------------------------------------------- apply


def _snapshot(periods: Mapping[int, list[_DbPeriod]], ids: Iterable[int]) -> dict[int, list[tuple[Any, ...]]]:
    """The placements of the parents in the database, to notice a change between validate and apply."""
    return {i: [(p.path, p.valid_from, p.valid_to) for p in periods.get(i, [])] for i in sorted(set(ids))}


def apply(
    plan: ImportPlan, actor: Any, filename: str = "", *, progress: Progress | None = None
) -> ImportResult:
    """Write a plan without errors in one transaction: the organizations, one decision per distinct decision
    number, one IMPORT event linking every created organization, their periods (following their parents'
    placements), all with history rows. Refuses (DomainError, nothing written) if the plan has errors or the
    database changed since `validate` in a way that matters."""
    if plan.errors:
        raise DomainError(
            f"Tệp còn {len(plan.errors)} lỗi nên chưa ghi gì; hãy sửa các lỗi rồi nhập lại.",
        )
    filename = filename or plan.filename
    rows = plan.to_create
    if not rows:
        return ImportResult(plan, dry_run=False)
    if any(r.segments is None for r in rows):  # pragma: no cover - validate marks such rows with errors
        raise DomainError("Kế hoạch nhập chưa được kiểm tra đầy đủ; hãy kiểm tra tệp lại.")
    try:
        with transaction.atomic():
            result = _write(plan, rows, actor, filename)
    except IntegrityError as exc:
        raise DomainError(
            "Dữ liệu vừa bị thay đổi trong lúc nhập (có thể một mã tổ chức vừa được tạo); chưa ghi gì. "
            "Hãy kiểm tra tệp lại rồi nhập lại."
        ) from exc
    if progress is not None:
        progress(len(plan.rows), len(plan.rows))
    return result


def _write(plan: ImportPlan, rows: list[ImportRow], actor: Any, filename: str) -> ImportResult:
    taken = _fetch_orgs(r.code for r in rows)
    if taken:
        codes = ", ".join(sorted(taken)[:10])
        raise DomainError(
            f"Các mã {codes} vừa được tạo trong hệ thống sau khi kiểm tra tệp; chưa ghi gì. "
            "Hãy kiểm tra tệp lại rồi nhập lại."
        )
    parents = sorted({r.parent_org.pk for r in rows if r.parent_org is not None})
    if parents:
        list(Organization.objects.select_for_update().filter(pk__in=parents).values_list("pk"))
        if _snapshot(_fetch_periods(parents), parents) != plan.parent_periods:
            raise DomainError(
                "Tổ chức cấp trên vừa có thay đổi sau khi kiểm tra tệp; chưa ghi gì. "
                "Hãy kiểm tra tệp lại rồi nhập lại."
            )

    label = filename or "Excel"
    summary = f"Nhập {len(rows)} tổ chức từ tệp {label}"
    reason = summary[:100]

    orgs = [
        Organization(code=r.code, established_on=r.established_on, dissolved_on=r.dissolved_on)  # type: ignore[misc]
        for r in rows
    ]
    orgs = bulk_create_with_history(
        orgs, Organization, batch_size=BATCH, default_user=actor, default_change_reason=reason
    )
    if any(o.pk is None for o in orgs):  # pragma: no cover - databases without RETURNING on bulk insert
        ids = {o.code: o for o in Organization.objects.filter(code__in=[r.code for r in rows])}
        orgs = [ids[r.code] for r in rows]
    for row, org in zip(rows, orgs, strict=True):
        row.org = org

    by_number: dict[str, list[ImportRow]] = {}
    for row in rows:
        if row.decision_number:
            by_number.setdefault(row.decision_number, []).append(row)
    decisions = [
        Decision(
            number=number,
            signed_on=min(r.established_on for r in users if r.established_on),
            summary=f"Nhập tổ chức từ tệp {label}"[:500],
            org=users[0].org,
            created_by=actor,
        )
        for number, users in by_number.items()
    ]
    if decisions:
        decisions = bulk_create_with_history(
            decisions, Decision, batch_size=BATCH, default_user=actor, default_change_reason=reason
        )

    event = Restructuring(
        op=Restructuring.Op.IMPORT,
        on=min(r.established_on for r in rows if r.established_on),
        decision=decisions[0] if len(decisions) == 1 else None,
        summary=summary[:1000],
        payload={
            "file": filename,
            "created": len(rows),
            "skipped": len(plan.skipped),
            "decisions": {number: [r.code for r in users] for number, users in by_number.items()},
        },
        created_by=actor,
    )
    [event] = bulk_create_with_history(
        [event], Restructuring, default_user=actor, default_change_reason=reason
    )
    if event.pk is None:  # pragma: no cover
        event = Restructuring.objects.filter(op=Restructuring.Op.IMPORT).latest("id")

    def event_id(ref: int | None) -> int | None:
        return event.pk if ref == IMPORT else ref

    periods: list[OrgPeriod] = []
    for row in rows:
        assert row.org is not None and row.segments is not None and row.kind is not None
        name = row.name
        keys = (fold(name), sort_key(name))
        for seg in row.segments:
            path = (
                seg.prefix
                + "".join(segment(plan.rows[c].org.pk) for c in seg.chain)  # type: ignore[union-attr]
                + segment(row.org.pk)
            )
            parent_id = seg.parent_id
            if seg.parent_row is not None:
                parent_id = plan.rows[seg.parent_row].org.pk  # type: ignore[union-attr]
            periods.append(
                OrgPeriod(
                    org_id=row.org.pk,
                    parent_id=parent_id,
                    name=name,
                    search_key=keys[0],
                    sort_key=keys[1],
                    kind_id=row.kind.pk,
                    category_id=row.category.pk if row.category else None,
                    path=path,
                    depth=len(path) // SEGMENT,
                    valid_from=seg.valid_from,
                    valid_to=seg.valid_to,
                    opened_by_id=event_id(seg.opened_by),
                    closed_by_id=event_id(seg.closed_by),
                )
            )
        row.org.current_path = periods[-1].path
    bulk_create_with_history(
        periods, OrgPeriod, batch_size=BATCH, default_user=actor, default_change_reason=reason
    )
    RestructuringOrg.objects.bulk_create(
        [RestructuringOrg(restructuring=event, org=o, role=RestructuringOrg.Role.SUBJECT) for o in orgs],
        batch_size=BATCH,
    )
    # current_path is derived (excluded from history), as in services._set_current_paths: the latest period's
    latest = OrgPeriod.objects.filter(org_id=OuterRef("pk")).order_by("-valid_from", "-id").values("path")[:1]
    for chunk in chunks([o.pk for o in orgs], BATCH):
        Organization.objects.filter(pk__in=chunk).update(current_path=Subquery(latest))
    return ImportResult(plan, dry_run=False, created=orgs, decisions=decisions, event=event)


# ----------------------------------------------------------------------------------------- entry points


def read(
    file: str | os.PathLike[str] | IO[bytes],
    actor: Any,
    *,
    filename: str | None = "",
    progress: Progress | None = None,
) -> ImportPlan:
    """Open an uploaded .xlsx (path or file-like) and validate it; an unreadable file is one error (row 0).
    `progress(done, total)` is called once, when every row is checked (a tree's rows are checked together)."""
    plan = read_plan(file, actor, COLUMNS, validate, ImportPlan, filename=filename)
    if progress is not None:
        progress(len(plan.rows), len(plan.rows))
    return plan


def import_orgs(
    file: str | os.PathLike[str] | IO[bytes],
    actor: Any,
    dry_run: bool = False,
    *,
    filename: str | None = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Validate an .xlsx of organizations and, unless `dry_run` or there are errors, write it (all or nothing).
    Look at `result.errors` (empty when all is well) and `result.created`. `progress(done, total)` counts the
    rows checked, then (when writing) the rows written, as the other imports do."""
    return read_then_write(
        read, apply, ImportResult, file, actor, dry_run=dry_run, filename=filename or "", progress=progress
    )


# -------------------------------------------------------------------------------------------- the template

EXAMPLES: list[list[Any]] = [
    ["VD-H01", "Đảng bộ huyện Mẫu Sơn", "Đảng bộ huyện", "", "", dt.date(2000, 1, 1), None, "01-QĐ/TU"],
    ["VD-X01", "Đảng bộ xã Tân Mẫu", "Đảng bộ cơ sở", "", "VD-H01", dt.date(2000, 1, 1), None, "01-QĐ/TU"],
    [
        "VD-C01",
        "Chi bộ thôn Đông",
        "Chi bộ trực thuộc",
        "Thôn, bản",
        "VD-X01",
        dt.date(2010, 3, 15),
        None,
        "15-QĐ/HU",
    ],
]

COLUMN_HELP = {
    COL_CODE: "Bắt buộc. Mã duy nhất của tổ chức, tối đa 40 ký tự (không phân biệt chữ hoa, chữ thường).",
    COL_NAME: "Bắt buộc. Tên đầy đủ, ví dụ “Chi bộ thôn Đông”.",
    COL_KIND: "Bắt buộc. Một trong các loại tổ chức liệt kê bên dưới, ghi đúng tên.",
    COL_CATEGORY: "Không bắt buộc. Một trong các phân loại liệt kê bên dưới, hoặc để trống.",
    COL_PARENT: "Mã của tổ chức cấp trên: một tổ chức khác trong tệp (dòng nào cũng được) hoặc đã có trong "
    "hệ thống. Để trống nếu là tổ chức cấp cao nhất (chỉ quản trị toàn hệ thống được nhập).",
    COL_ESTABLISHED: "Bắt buộc. Ngày thành lập, dạng dd/mm/yyyy, ví dụ 01/07/2025 (hoặc ô kiểu ngày của Excel). "
    "Phải từ ngày thành lập của tổ chức cấp trên trở đi.",
    COL_DISSOLVED: "Không bắt buộc. Ngày giải thể, dạng dd/mm/yyyy; tổ chức không còn tồn tại từ ngày này. "
    "Phải sau ngày thành lập và không muộn hơn ngày giải thể của tổ chức cấp trên.",
    COL_DECISION: "Không bắt buộc. Số quyết định thành lập, ví dụ 15-QĐ/HU.",
}


def template_bytes() -> bytes:
    """The import template: the header row and three example rows (a district, a commune, a cell), and a
    "Hướng dẫn" sheet with the columns, the valid Loại and Phân loại names and the date format."""
    guide: list[list[Any]] = [[c, COLUMN_HELP[c]] for c in COLUMNS]
    guide.append([])
    guide.append(["Ngày", "Ghi theo dạng dd/mm/yyyy (ngày/tháng/năm), ví dụ 01/07/2025."])
    guide.append([])
    guide.append(["Loại hợp lệ", "(cột “Loại”, ghi đúng một trong các tên sau)"])
    guide.extend(["", k.name] for k in OrgKind.objects.filter(active=True).order_by("order", "name"))
    guide.append([])
    guide.append(["Phân loại hợp lệ", "(cột “Phân loại”, ghi đúng một trong các tên sau hoặc để trống)"])
    guide.extend(["", c.name] for c in CellCategory.objects.filter(active=True).order_by("order", "name"))
    return template_workbook(
        SHEET_TITLE,
        COLUMNS,
        EXAMPLES,
        guide,
        (
            "Xóa các dòng ví dụ (mã VD-...) trước khi nhập. Mỗi tổ chức một dòng, thứ tự dòng tùy ý. "
            "Tệp có bất kỳ lỗi nào thì không ghi gì; danh sách lỗi ghi rõ dòng, cột và cách sửa. "
            "Dòng có mã đã có trong hệ thống và giống hệt dữ liệu đã có thì được bỏ qua."
        ),
        guide_width=24,
    )


# -------------------------------------------------------------------------------------------- command line


def _report(result: ImportResult, dry_run: bool, filename: str) -> list[str]:
    plan = result.plan
    rows, skipped = plan.to_create, len(plan.skipped)
    lines = [
        f"Tệp hợp lệ (chạy thử, chưa ghi gì): sẽ tạo {len(rows)} tổ chức."
        if dry_run
        else f"Đã nhập {len(result.created)} tổ chức từ tệp {filename}."
    ]
    lines += [f"  {kind}: {n}" for kind, n in sorted(plan.by_kind().items())]
    if skipped:
        lines.append(f"Bỏ qua {skipped} tổ chức đã có trong hệ thống với dữ liệu giống hệt.")
    if not dry_run and result.decisions:
        lines.append(f"Ghi nhận {len(result.decisions)} quyết định.")
    return lines


IMPORT_ORGS = command_line_import(
    "orgs",
    "Nhập danh sách tổ chức đảng từ tệp Excel theo mẫu (cả tệp hoặc không gì).",
    "Tệp Excel .xlsx theo mẫu nhập tổ chức.",
    import_orgs,
    _report,
)
