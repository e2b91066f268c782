"""Import of members from Excel: validate the whole file, then write everything or nothing.

The template's columns (a contract with the offices: never rename them) are `COLUMNS`. A row is one member as the
records stand today: identity, party dates (an empty `Ngày chính thức` means still probationary), education,
qualification, political theory, occupation, and the cell (`Mã chi bộ`) they belong to from `Sinh hoạt từ ngày`.

`validate(rows, actor)` reads every row once, streaming, and collects every error as (row, column, value,
message) without writing; `apply(plan, actor, filename)` writes the plan in one transaction with history rows
(bulk, in batches of `BATCH`). `import_members(file, actor, dry_run)` does both. A file of 100,000 rows is never
held in memory: rows come one at a time from openpyxl's read-only mode, the plan keeps one compact tuple per row,
and the database is asked in bulk (cells, citizen IDs already taken, vocabularies, rule versions), never per row.

The rules are those of `services.admit` and `services.recognise` (MEM.ADMISSION_AGE, MEM.PROBATION, MEM.CITIZEN_ID,
MEM.CELL, MEM.PAST), judged by the version of each rule in force on the row's own dates. An admission above the
maximum age is refused here: the approval of the competent body is recorded through the admission form.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple, TypeVar

from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from coso.core.bulk import CREATED, chunks, insert_rows, record_history
from coso.core.dates import add_months, format_date, months_between, parse_date, today
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
from coso.core.rules import as_rule
from coso.core.scope import CHANGE_MEMBERS, Scope, check_path, scope_for
from coso.core.text import fold, nfc, person_sort_key
from coso.orgs import queries as orgs_queries
from coso.orgs.models import Organization

from . import services
from .models import (
    Ethnicity,
    Gender,
    Member,
    MemberProfile,
    Membership,
    MemberStatus,
    Occupation,
    Qualification,
    Religion,
    Status,
    TheoryLevel,
)

__all__ = [
    "BATCH",
    "COLUMNS",
    "IMPORT_MEMBERS",
    "ImportPlan",
    "ImportResult",
    "apply",
    "import_members",
    "read",
    "template_bytes",
    "validate",
]

# The template's columns, exactly as written in the header row (a contract: never rename).
COL_NAME = "Họ và tên"
COL_BIRTH = "Ngày sinh"
COL_GENDER = "Giới tính"
COL_ETHNICITY = "Dân tộc"
COL_RELIGION = "Tôn giáo"
COL_CID = "Số CCCD"
COL_CARD = "Số thẻ đảng viên"
COL_DECIDED = "Ngày quyết định kết nạp"
COL_JOINED = "Ngày vào Đảng"
COL_RECOGNISED = "Ngày chính thức"
COL_EDUCATION = "Trình độ giáo dục phổ thông"
COL_QUALIFICATION = "Trình độ chuyên môn"
COL_THEORY = "Lý luận chính trị"
COL_OCCUPATION = "Nghề nghiệp"
COL_CELL = "Mã chi bộ"
COL_FROM = "Sinh hoạt từ ngày"
COLUMNS = [
    COL_NAME,
    COL_BIRTH,
    COL_GENDER,
    COL_ETHNICITY,
    COL_RELIGION,
    COL_CID,
    COL_CARD,
    COL_DECIDED,
    COL_JOINED,
    COL_RECOGNISED,
    COL_EDUCATION,
    COL_QUALIFICATION,
    COL_THEORY,
    COL_OCCUPATION,
    COL_CELL,
    COL_FROM,
]
OPTIONAL_COLUMNS = {COL_CARD, COL_RECOGNISED, COL_EDUCATION, COL_QUALIFICATION, COL_THEORY, COL_OCCUPATION}
REQUIRED_COLUMNS = [c for c in COLUMNS if c not in OPTIONAL_COLUMNS]
SHEET_TITLE = "Đảng viên"

BATCH = 2000  # rows per progress report while reading
WRITE_BATCH = (
    20_000  # rows per write (one COPY per table on PostgreSQL) and per progress report while writing
)
LOOKUP = 500  # values per IN (...) lookup
MAX_NAME = 150
MAX_CARD = 40
MAX_VOCAB = 100
MAX_EDUCATION = 10
MAX_CODE = 40

GENDERS = {nfc(label).casefold(): value for value, label in Gender.choices}
THEORY_LEVELS = {nfc(label).casefold(): value for value, label in TheoryLevel.choices if value}
THEORY_LEVELS[nfc(TheoryLevel.NONE.label).casefold()] = TheoryLevel.NONE
_EDUCATION = re.compile(r"^(\d{1,2})\s*/\s*(\d{1,2})$")
_CID = re.compile(r"^\d{12}$")


# ------------------------------------------------------------------------------------------------ the plan


class PlannedMember(NamedTuple):
    """One row of the file, parsed (a compact tuple: a plan of 100,000 rows stays small). A field that could not
    be parsed is None; its error is in the plan. `qualification` and `occupation` are vocabulary keys (NFC,
    case-folded), resolved to ids (existing or added) when the plan is applied; `cell` is the cell's code."""

    line: int
    full_name: str
    birth_date: dt.date | None
    gender: str | None
    ethnicity_id: int | None
    religion_id: int | None
    citizen_id: str
    card_number: str
    admission_decided_on: dt.date | None
    joined_on: dt.date | None
    recognised_on: dt.date | None
    education: str
    qualification: str
    theory_level: str
    occupation: str
    cell: str
    from_on: dt.date | None


@dataclass
class ImportPlan(Plan):
    """What `validate` found: every error and every parsed row; `apply` writes it if there is no error.

    `cells` maps each cell code used to (organization id, current path); `qualifications` / `occupations` map
    each vocabulary key used to the existing id, or to None with `new_*` giving the name to add."""

    rows: list[PlannedMember] = field(default_factory=list)
    header_line: int = 1
    cells: dict[str, tuple[int, str]] = field(default_factory=dict)
    qualifications: dict[str, int | None] = field(default_factory=dict)
    occupations: dict[str, int | None] = field(default_factory=dict)
    new_qualifications: dict[str, str] = field(default_factory=dict)
    new_occupations: dict[str, str] = field(default_factory=dict)

    @property
    def official(self) -> int:
        return sum(1 for r in self.rows if r.recognised_on is not None)

    @property
    def probationary(self) -> int:
        return len(self.rows) - self.official

    def by_cell(self) -> dict[str, int]:
        """How many members the import puts in each cell (for the preview)."""
        counts: dict[str, int] = {}
        for r in self.rows:
            counts[r.cell] = counts.get(r.cell, 0) + 1
        return dict(sorted(counts.items()))


@dataclass
class ImportResult(Result):
    plan: ImportPlan
    created: int = 0  # members written
    qualifications_added: list[str] = field(default_factory=list)
    occupations_added: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------ cell helpers


def _key(text: str) -> str:
    """How vocabulary values compare: NFC, trimmed, inner spaces collapsed, case-insensitive."""
    return nfc(text).casefold()


class _Dates:
    """Parses date cells; equal dates share one object (a plan of 100,000 rows repeats dates a lot)."""

    def __init__(self) -> None:
        self.seen: dict[dt.date, dt.date] = {}
        self.today = today()

    def parse(self, value: Any) -> dt.date:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError(
                f"“{cell_text(value)}” không phải ngày hợp lệ; hãy ghi theo dạng dd/mm/yyyy, ví dụ 01/07/2025 "
                "(hoặc định dạng ô là ngày)."
            )
        d = parse_date(value)
        return self.seen.setdefault(d, d)


class _Rules:
    """The versions of a dated rule, preloaded: the one in force on a date is chosen here, as
    `coso.core.rules.rule_in_force` would, without a query per row."""

    def __init__(self, code: str):
        self.code = code
        self.versions = list(RuleSet.objects.filter(code=code).order_by("-effective_from"))

    def on(self, d: dt.date) -> RuleSet | None:
        for v in self.versions:
            if v.effective_from <= d and (v.effective_to is None or d < v.effective_to):
                return v
        return None

    def missing(self, d: dt.date) -> str:
        return (
            f"Chưa cấu hình quy tắc “{self.code}” có hiệu lực ngày {format_date(d)}; quản trị hệ thống cần bổ "
            "sung trước khi nhập."
        )


def _probation_end(rules: _Rules, joined_on: dt.date) -> tuple[dt.date, RuleSet] | None:
    """`services.probation_end` with the rule versions preloaded (the same computation: the months of the rule in
    force on the admission day, added with `coso.core.dates.add_months`)."""
    version = rules.on(joined_on)
    if version is None:
        return None
    return add_months(joined_on, int(version.params["months"])), version


def _rule_text(version: RuleSet) -> str:
    return f" Theo quy tắc {as_rule(version)}."


# ----------------------------------------------------------------------------------------------- validate


class _Validator:
    """The per-row checks of one file, with everything they need preloaded."""

    def __init__(self, plan: ImportPlan, actor: Any):
        self.plan = plan
        self.dates = _Dates()
        self.ethnicities = {_key(e.name): e.pk for e in Ethnicity.objects.all()}
        religions = list(Religion.objects.order_by("order", "name"))
        self.religions = {_key(r.name): r.pk for r in religions}
        self.religion_names = ", ".join(f"“{r.name}”" for r in religions)
        self.qualifications = {_key(q.name): q.pk for q in Qualification.objects.all()}
        self.occupations = {_key(o.name): o.pk for o in Occupation.objects.all()}
        self.age = _Rules("MEM.ADMISSION_AGE")
        self.probation = _Rules("MEM.PROBATION")
        self.scope: Scope = Scope(True, ()) if actor is None else scope_for(actor, CHANGE_MEMBERS)
        self.cids: dict[str, int] = {}  # citizen id → first line
        self.cards: dict[str, int] = {}  # card number (folded) → first line
        self.shared: dict[str, str] = {}

    # ---- one row

    def row(self, line: int, cells: Mapping[str, Any]) -> PlannedMember:
        plan = self.plan

        def error(column: str, message: str) -> None:
            plan.add(line, column, cells.get(column), message)

        def text(column: str) -> str:
            return cell_text(cells.get(column))

        def date(column: str, label: str, required: bool = True) -> dt.date | None:
            value = cells.get(column)
            if is_blank(value):
                if required:
                    error(column, f"Thiếu {label}; hãy ghi ngày theo dạng dd/mm/yyyy, ví dụ 01/07/2025.")
                return None
            try:
                d = self.dates.parse(value)
            except ValueError as exc:
                error(column, str(exc))
                return None
            if d > self.dates.today:
                error(
                    column,
                    f"{label[0].upper()}{label[1:]} {format_date(d)} ở tương lai; hãy ghi ngày đã xảy ra. "
                    f"Theo quy tắc {services.PAST}.",
                )
                return None
            return d

        name = text(COL_NAME)
        if not name:
            error(COL_NAME, "Thiếu họ và tên; hãy ghi đầy đủ họ, tên đệm và tên, ví dụ “Nguyễn Văn An”.")
        elif len(name) > MAX_NAME:
            error(COL_NAME, f"Họ và tên dài {len(name)} ký tự; hãy rút gọn còn tối đa {MAX_NAME} ký tự.")

        birth = date(COL_BIRTH, "ngày sinh")

        gender = None
        value = text(COL_GENDER)
        if not value:
            error(COL_GENDER, "Thiếu giới tính; hãy ghi “Nam” hoặc “Nữ”.")
        else:
            gender = GENDERS.get(_key(value))
            if gender is None:
                error(COL_GENDER, "Giới tính không hợp lệ; hãy ghi “Nam” hoặc “Nữ”.")

        ethnicity = None
        value = text(COL_ETHNICITY)
        if not value:
            error(COL_ETHNICITY, "Thiếu dân tộc; hãy ghi tên một trong 54 dân tộc (xem trang “Hướng dẫn”).")
        else:
            ethnicity = self.ethnicities.get(_key(value))
            if ethnicity is None:
                error(
                    COL_ETHNICITY,
                    "Không có dân tộc này; hãy ghi đúng tên một trong 54 dân tộc như trong trang “Hướng dẫn”, "
                    "ví dụ “Kinh”, “Tày”, “Ê Đê”.",
                )

        religion = None
        value = text(COL_RELIGION)
        if not value:
            error(COL_RELIGION, "Thiếu tôn giáo; hãy ghi tên tôn giáo hoặc “Không”.")
        else:
            religion = self.religions.get(_key(value))
            if religion is None:
                error(COL_RELIGION, f"Không có tôn giáo này; hãy ghi một trong: {self.religion_names}.")

        cid = self._citizen_id(line, cells.get(COL_CID), error)

        card = text(COL_CARD)
        if len(card) > MAX_CARD:
            error(COL_CARD, f"Số thẻ đảng viên dài quá; hãy ghi tối đa {MAX_CARD} ký tự.")
        elif card:
            first = self.cards.setdefault(fold(card), line)
            if first != line:
                error(
                    COL_CARD,
                    f"Số thẻ đảng viên trùng với dòng {first}; mỗi đảng viên có một số thẻ riêng. Hãy kiểm tra "
                    "lại hoặc để trống.",
                )

        decided = date(COL_DECIDED, "ngày quyết định kết nạp")
        joined = date(COL_JOINED, "ngày vào Đảng")
        recognised = date(COL_RECOGNISED, "ngày chính thức", required=False)
        from_on = date(COL_FROM, "ngày sinh hoạt")

        if decided and joined and joined < decided:
            error(
                COL_JOINED,
                f"Ngày vào Đảng (lễ kết nạp) {format_date(joined)} trước ngày quyết định kết nạp "
                f"{format_date(decided)}; hãy ghi ngày vào Đảng từ ngày quyết định trở đi.",
            )
        if birth and decided:
            self._age(line, birth, decided, error)
        if joined and recognised:
            if recognised <= joined:
                error(
                    COL_RECOGNISED,
                    f"Ngày chính thức phải sau ngày vào Đảng {format_date(joined)}; hãy sửa, hoặc để trống nếu "
                    "đảng viên còn dự bị.",
                )
            else:
                end = _probation_end(self.probation, joined)
                if end is None:
                    error(COL_RECOGNISED, self.probation.missing(joined))
                elif recognised < end[0]:
                    error(
                        COL_RECOGNISED,
                        f"Vào Đảng ngày {format_date(joined)} thì chỉ được công nhận chính thức từ ngày "
                        f"{format_date(end[0])} (hết thời gian dự bị); hãy sửa ngày chính thức, hoặc để trống "
                        f"nếu đảng viên còn dự bị.{_rule_text(end[1])}",
                    )
        if joined and from_on and from_on < joined:
            error(
                COL_FROM,
                f"Ngày bắt đầu sinh hoạt tại chi bộ trước ngày vào Đảng {format_date(joined)}; hãy ghi ngày từ "
                "ngày vào Đảng trở đi.",
            )

        education = text(COL_EDUCATION)
        raw_education = cells.get(COL_EDUCATION)
        if isinstance(raw_education, dt.date):
            error(
                COL_EDUCATION,
                "Excel đã tự đổi giá trị này thành ngày tháng; hãy định dạng cột là Văn bản (Text) rồi ghi lại "
                "dạng lớp/hệ, ví dụ 12/12, 9/12, 10/10.",
            )
            education = ""
        elif education:
            m = _EDUCATION.match(education)
            if m is None or not (1 <= int(m.group(1)) <= int(m.group(2)) <= 12):
                error(
                    COL_EDUCATION,
                    "Trình độ giáo dục phổ thông ghi theo dạng lớp/hệ như trong hồ sơ, ví dụ 12/12, 9/12, "
                    "10/10 (lớp không lớn hơn hệ); hãy sửa hoặc để trống.",
                )
                education = ""
            else:
                education = f"{int(m.group(1))}/{int(m.group(2))}"

        qualification = self._vocabulary(
            COL_QUALIFICATION, text(COL_QUALIFICATION), self.qualifications, plan.new_qualifications, error
        )
        occupation = self._vocabulary(
            COL_OCCUPATION, text(COL_OCCUPATION), self.occupations, plan.new_occupations, error
        )

        theory = ""
        value = text(COL_THEORY)
        if value:
            found = THEORY_LEVELS.get(_key(value))
            if found is None:
                error(
                    COL_THEORY,
                    "Trình độ lý luận chính trị không hợp lệ; hãy ghi “Sơ cấp”, “Trung cấp”, “Cao cấp”, "
                    "“Cử nhân” hoặc để trống.",
                )
            else:
                theory = str(found)

        cell = text(COL_CELL).upper()
        if not cell:
            error(COL_CELL, "Thiếu mã chi bộ; hãy ghi mã của chi bộ nơi đảng viên sinh hoạt, ví dụ C01.")
        elif len(cell) > MAX_CODE:
            error(COL_CELL, "Mã chi bộ dài quá; hãy kiểm tra lại mã.")
            cell = ""

        share = self.shared.setdefault  # values repeated over many rows are kept once
        return PlannedMember(
            line,
            name,
            birth,
            gender,
            ethnicity,
            religion,
            cid,
            card,
            decided,
            joined,
            recognised,
            share(education, education),
            share(qualification, qualification),
            share(theory, theory),
            share(occupation, occupation),
            share(cell, cell),
            from_on,
        )

    def _citizen_id(self, line: int, value: Any, error: Callable[[str, str], None]) -> str:
        rule = f" Theo quy tắc {services.CITIZEN_ID}."
        if is_blank(value):
            error(COL_CID, "Thiếu số CCCD; hãy ghi đủ 12 chữ số của căn cước công dân." + rule)
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            # A number cell loses the leading zeros (CCCD starts with the province code, 001 for Hà Nội).
            digits = cell_text(value)
            cid = digits.zfill(12) if digits.isdigit() and len(digits) <= 12 else digits
        else:
            cid = "".join(nfc(str(value)).split())
        if not _CID.match(cid):
            error(COL_CID, f"Số CCCD phải gồm đúng 12 chữ số (đang có “{cid}”); hãy ghi lại cho đúng." + rule)
            return ""
        first = self.cids.setdefault(cid, line)
        if first != line:
            error(
                COL_CID,
                f"Số CCCD {cid} trùng với dòng {first}; mỗi đảng viên có một số CCCD riêng. Hãy kiểm tra lại "
                "hai dòng này." + rule,
            )
        return cid

    def _age(self, line: int, birth: dt.date, decided: dt.date, error: Callable[[str, str], None]) -> None:
        """MEM.ADMISSION_AGE at the admission decision, as `services.admit` checks it."""
        version = self.age.on(decided)
        if version is None:
            error(COL_DECIDED, self.age.missing(decided))
            return
        age = months_between(birth, decided)
        low, high = int(version.params["min_months"]), int(version.params["max_months"])
        if age < low:
            error(
                COL_BIRTH,
                f"Ngày quyết định kết nạp {format_date(decided)} người này mới {max(age, 0) // 12} tuổi "
                f"{max(age, 0) % 12} tháng, chưa đủ {low // 12} tuổi; hãy kiểm tra ngày sinh và ngày quyết định "
                f"kết nạp.{_rule_text(version)}",
            )
        elif age > high:
            error(
                COL_BIRTH,
                f"Ngày quyết định kết nạp {format_date(decided)} người này đã {age // 12} tuổi, quá {high // 12} "
                "tuổi: việc kết nạp cần văn bản đồng ý của cấp có thẩm quyền, phải ghi nhận qua biểu mẫu kết nạp "
                f"đảng viên (không nhập qua Excel). Hãy xóa dòng này khỏi tệp.{_rule_text(version)}",
            )

    def _vocabulary(
        self,
        column: str,
        value: str,
        known: dict[str, int],
        new: dict[str, str],
        error: Callable[[str, str], None],
    ) -> str:
        """The key of an editable vocabulary value; an unknown value is planned to be added (not refused)."""
        if not value:
            return ""
        if len(value) > MAX_VOCAB:
            error(column, f"Giá trị dài quá; hãy ghi tối đa {MAX_VOCAB} ký tự.")
            return ""
        key = _key(value)
        if key not in known:
            new.setdefault(key, value)
        return key

    # ---- the whole file

    def check_cells(self) -> None:
        """Cells and citizen IDs against the database, in bulk: a cell exists on `Sinh hoạt từ ngày`, is a cell
        (chi bộ), still exists and lies in the actor's scope; a citizen ID is not already recorded."""
        plan = self.plan
        codes = sorted({r.cell for r in plan.rows if r.cell})
        orgs: dict[str, Organization] = {}
        for chunk in chunks(codes, LOOKUP):
            for org in Organization.objects.filter(code__in=chunk):
                orgs[org.code.upper()] = org
        periods: dict[int, list[tuple[dt.date, dt.date | None, bool, str, str]]] = {}
        ids = sorted(o.pk for o in orgs.values())
        for chunk in chunks(ids, LOOKUP):
            for org_id, start, end, is_cell, kind, name in orgs_queries.all_periods(chunk).values_list(
                "org_id", "valid_from", "valid_to", "kind__is_cell", "kind__name", "name"
            ):
                periods.setdefault(org_id, []).append((start, end, is_cell, kind, name))
        for org in orgs.values():
            plan.cells[org.code.upper()] = (org.pk, org.current_path)

        taken: dict[str, str] = {}
        cids = sorted(self.cids)
        for chunk in chunks(cids, LOOKUP):
            for cid, name in Member.objects.filter(citizen_id__in=chunk).values_list(
                "citizen_id", "full_name"
            ):
                taken[str(cid)] = name

        rule = f" Theo quy tắc {services.CELL}."
        for r in plan.rows:
            if r.citizen_id and r.citizen_id in taken and self.cids.get(r.citizen_id) == r.line:
                plan.add(
                    r.line,
                    COL_CID,
                    r.citizen_id,
                    f"Số CCCD {r.citizen_id} đã có trong hệ thống (đảng viên {taken[r.citizen_id]}); đảng viên "
                    "này đã được ghi, hãy xóa dòng này khỏi tệp hoặc kiểm tra lại số CCCD."
                    f" Theo quy tắc {services.CITIZEN_ID}.",
                )
            if not r.cell:
                continue
            found = orgs.get(r.cell)
            if found is None:
                plan.add(
                    r.line,
                    COL_CELL,
                    r.cell,
                    f"Không tìm thấy chi bộ có mã {r.cell}; hãy ghi mã của một chi bộ đã có trong hệ thống.",
                )
                continue
            org = found
            if not self.scope.covers(org.current_path):
                plan.add(
                    r.line,
                    COL_CELL,
                    r.cell,
                    f"Chi bộ {r.cell} nằm ngoài phạm vi bạn được thay đổi đảng viên; hãy ghi mã chi bộ thuộc "
                    "phạm vi của bạn.",
                )
                continue
            if r.from_on is None:
                continue
            on = r.from_on
            period = next(
                (p for p in periods.get(org.pk, []) if p[0] <= on and (p[1] is None or on < p[1])), None
            )
            if period is None:
                plan.add(
                    r.line,
                    COL_CELL,
                    r.cell,
                    f"Chi bộ {r.cell} không tồn tại vào ngày {format_date(on)} (ngày sinh hoạt); hãy sửa ngày "
                    "sinh hoạt hoặc ghi mã chi bộ đang tồn tại vào ngày đó." + rule,
                )
            elif not period[2]:
                plan.add(
                    r.line,
                    COL_CELL,
                    r.cell,
                    f"{period[4]} ({r.cell}) là {period[3]}, không phải chi bộ; đảng viên chỉ sinh hoạt tại chi bộ. "
                    "Hãy ghi mã của chi bộ nơi đảng viên sinh hoạt." + rule,
                )
            elif org.dissolved_on is not None and org.dissolved_on <= self.dates.today:
                plan.add(
                    r.line,
                    COL_CELL,
                    r.cell,
                    f"Chi bộ {r.cell} đã giải thể ngày {format_date(org.dissolved_on)}; hãy ghi chi bộ nơi đảng "
                    "viên sinh hoạt hiện nay và ngày bắt đầu sinh hoạt tại đó." + rule,
                )


def validate(
    rows: Iterable[SheetRow | Mapping[str, Any]],
    actor: Any,
    *,
    headers: Sequence[str] | None = None,
    header_line: int = 1,
    filename: str = "",
    progress: Progress | None = None,
    total: int = 0,
) -> ImportPlan:
    """Check every row of a member import (nothing is written). Rows are read once, in order, and may be a
    stream (`SheetRow`s from `coso.core.excel.open_table`, or plain mappings header → value numbered from the
    row after `header_line`); `headers` defaults to the keys of the first row. `actor` is the user importing
    (None: the system). `progress(done, total)` is called every `BATCH` rows (`total`: the number of rows
    expected, an estimate; never below `done`). The plan's `errors` list every problem with its row and column."""
    plan = ImportPlan(filename=filename, header_line=header_line)
    stream = sheet_rows(rows, header_line + 1)
    if headers is None:
        first = next(stream, None)
        headers = list(first.values) if first is not None else []
        if first is not None:
            stream = itertools.chain([first], stream)
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

    checker = _Validator(plan, actor)
    done = 0

    def report() -> None:
        if progress is not None:
            progress(done, max(total, done))

    pairs = list(columns.items())
    for item in stream:
        values = item.values
        plan.rows.append(checker.row(item.line, {c: values.get(h) for c, h in pairs}))
        done += 1
        if done % BATCH == 0:
            report()
    if not plan.rows:
        plan.add(
            0, "", "", "Tệp không có dòng dữ liệu nào dưới dòng tiêu đề; hãy ghi mỗi đảng viên một dòng."
        )
        return plan
    total = done
    checker.check_cells()
    plan.qualifications = {
        k: checker.qualifications.get(k) for k in {r.qualification for r in plan.rows} if k
    }
    plan.occupations = {k: checker.occupations.get(k) for k in {r.occupation for r in plan.rows} if k}
    plan.new_qualifications = {k: v for k, v in plan.new_qualifications.items() if k in plan.qualifications}
    plan.new_occupations = {k: v for k, v in plan.new_occupations.items() if k in plan.occupations}
    plan.sort_errors(COLUMNS)
    report()
    return plan


# -------------------------------------------------------------------------------------------------- apply


def apply(
    plan: ImportPlan, actor: Any, filename: str = "", *, progress: Progress | None = None
) -> ImportResult:
    """Write a plan without errors in one transaction: the vocabulary values the file adds (qualifications,
    occupations), then per batch of `BATCH` rows the members, their statuses (probationary from the admission,
    official from the recognition), their official membership and their profile from `Sinh hoạt từ ngày`, all
    with history rows (`actor`, reason “Nhập từ Excel: FILE”). `progress(done, total)` is called per batch.
    Refuses (DomainError, nothing written) if the plan has errors or the database changed since `validate`."""
    if plan.errors:
        raise DomainError(f"Tệp còn {len(plan.errors)} lỗi nên chưa ghi gì; hãy sửa các lỗi rồi nhập lại.")
    if any(r.cell not in plan.cells for r in plan.rows):  # pragma: no cover - validate reports such rows
        raise DomainError("Kế hoạch nhập chưa được kiểm tra đầy đủ; hãy kiểm tra tệp lại.")
    filename = filename or plan.filename
    if not plan.rows:
        return ImportResult(plan, dry_run=False)
    try:
        with transaction.atomic():
            return _write(plan, actor, filename, progress)
    except IntegrityError as exc:
        raise DomainError(
            "Dữ liệu vừa bị thay đổi trong lúc nhập (có thể một số CCCD vừa được ghi); chưa ghi gì. "
            "Hãy kiểm tra tệp lại rồi nhập lại."
        ) from exc


def _add_vocabulary(
    model: Any, planned: dict[str, int | None], names: dict[str, str], actor: Any, reason: str
) -> list[str]:
    """Resolve every key to an id, adding the values not in the vocabulary (checked again: one may have been added
    since `validate`). Returns the names added."""
    existing = {_key(v.name): v.pk for v in model.objects.all()}
    fresh = [model(name=names[k]) for k in names if k not in existing]
    if fresh:
        bulk_create_with_history(fresh, model, default_user=actor, default_change_reason=reason)
        existing = {_key(v.name): v.pk for v in model.objects.all()}
    for key in planned:
        planned[key] = existing[key]
    return [v.name for v in fresh]


T = TypeVar("T")


def _req(value: T | None) -> T:
    """A field `validate` has parsed (a plan without errors has every required field)."""
    assert value is not None
    return value


def _write(plan: ImportPlan, actor: Any, filename: str, progress: Progress | None) -> ImportResult:
    reason = f"Nhập từ Excel: {filename or 'tệp tải lên'}"[:100]
    if actor is not None:
        for _pk, path in {plan.cells[r.cell] for r in plan.rows}:
            check_path(actor, path, CHANGE_MEMBERS)
    result = ImportResult(plan, dry_run=False)
    result.qualifications_added = _add_vocabulary(
        Qualification, plan.qualifications, plan.new_qualifications, actor, reason
    )
    result.occupations_added = _add_vocabulary(
        Occupation, plan.occupations, plan.new_occupations, actor, reason
    )
    total = len(plan.rows)

    def create(model: Any, rows: list[dict[str, Any]]) -> list[int]:
        """Insert (COPY on PostgreSQL), then copy the new rows into the history table in one statement."""
        ids = insert_rows(model, rows)
        record_history(model, ids=ids, user=actor, reason=reason, history_type=CREATED)
        return ids

    official, probationary, kind = Status.OFFICIAL, Status.PROBATIONARY, Membership.Kind.OFFICIAL
    keys: dict[str, tuple[str, str]] = {}  # names repeat (Nguyễn Văn An …): their keys are worked out once

    def key(name: str) -> tuple[str, str]:
        found = keys.get(name)
        if found is None:
            found = keys[name] = (fold(name), person_sort_key(name))
        return found

    for start in range(0, total, WRITE_BATCH):
        batch = plan.rows[start : start + WRITE_BATCH]
        members = create(
            Member,
            [
                {
                    "full_name": r.full_name,
                    "search_key": key(r.full_name)[0],
                    "sort_key": key(r.full_name)[1],
                    "birth_date": _req(r.birth_date),
                    "gender": _req(r.gender),
                    "ethnicity_id": _req(r.ethnicity_id),
                    "religion_id": _req(r.religion_id),
                    "citizen_id": r.citizen_id or None,
                    "card_number": r.card_number,
                    "admission_decided_on": _req(r.admission_decided_on),
                    "joined_on": _req(r.joined_on),
                    "recognised_on": r.recognised_on,
                    "status": official if r.recognised_on else probationary,
                    "home_org_id": plan.cells[r.cell][0],
                }
                for r in batch
            ],
        )
        statuses: list[dict[str, Any]] = []
        memberships: list[dict[str, Any]] = []
        profiles: list[dict[str, Any]] = []
        for r, member_id in zip(batch, members, strict=True):
            statuses.append(
                {
                    "member_id": member_id,
                    "status": probationary,
                    "valid_from": _req(r.joined_on),
                    "valid_to": r.recognised_on,
                    "decision_date": r.admission_decided_on,
                }
            )
            if r.recognised_on is not None:
                statuses.append(
                    {
                        "member_id": member_id,
                        "status": official,
                        "valid_from": r.recognised_on,
                        "decision_date": r.recognised_on,
                    }
                )
            memberships.append(
                {
                    "member_id": member_id,
                    "org_id": plan.cells[r.cell][0],
                    "kind": kind,
                    "valid_from": _req(r.from_on),
                }
            )
            profiles.append(
                {
                    "member_id": member_id,
                    "valid_from": _req(r.from_on),
                    "education": r.education,
                    "qualification_id": plan.qualifications.get(r.qualification) if r.qualification else None,
                    "theory_level": r.theory_level,
                    "occupation_id": plan.occupations.get(r.occupation) if r.occupation else None,
                }
            )
        create(MemberStatus, statuses)
        create(Membership, memberships)
        create(MemberProfile, profiles)
        result.created += len(members)
        if progress is not None:
            progress(result.created, total)
    return result


# ----------------------------------------------------------------------------------------- entry points


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"')


def _estimate_rows(file: Any) -> int:
    """The number of data rows the first sheet declares (the `dimension` Excel writes at the top of the sheet's
    XML; 0 when absent), for progress. Reads a few hundred bytes, not the workbook."""
    try:
        if hasattr(file, "seek"):
            file.seek(0)
        with zipfile.ZipFile(file) as archive:
            sheets = sorted(
                (n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)),
                key=lambda n: int(re.sub(r"\D", "", n)),
            )
            if not sheets:
                return 0
            with archive.open(sheets[0]) as sheet:
                head = sheet.read(4096)
        found = _DIMENSION.search(head)
        return max(int(found.group(1)) - 1, 0) if found else 0
    except (OSError, ValueError, zipfile.BadZipFile, KeyError):
        return 0
    finally:
        if hasattr(file, "seek"):
            try:
                file.seek(0)
            except (OSError, ValueError):
                pass


def read(
    file: str | os.PathLike[str] | IO[bytes],
    actor: Any,
    *,
    filename: str | None = "",
    progress: Progress | None = None,
) -> ImportPlan:
    """Open an uploaded .xlsx (path or file-like) and validate it, streaming; an unreadable file is one error."""
    total = _estimate_rows(file) if progress is not None else 0
    return read_plan(
        file, actor, COLUMNS, validate, ImportPlan, filename=filename, progress=progress, total=total
    )


def import_members(
    file: str | os.PathLike[str] | IO[bytes],
    actor: Any,
    dry_run: bool = False,
    *,
    filename: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Validate an .xlsx of members and, unless `dry_run` or there are errors, write it (all or nothing).
    Look at `result.errors` (empty when all is well) and `result.created`.

    `progress(done, total)` counts one step per row read and, when writing, one more per row written (so
    `total` is twice the rows when the file is written); it is called every `BATCH` rows."""
    return read_then_write(
        read, apply, ImportResult, file, actor, dry_run=dry_run, filename=filename, progress=progress
    )


# -------------------------------------------------------------------------------------------- the template

EXAMPLES: list[list[Any]] = [
    [
        "Nguyễn Văn An",
        dt.date(1980, 5, 12),
        "Nam",
        "Kinh",
        "Không",
        "001080012345",
        "01012345",
        dt.date(2005, 2, 20),
        dt.date(2005, 3, 3),
        dt.date(2006, 3, 3),
        "12/12",
        "Đại học",
        "Trung cấp",
        "Cán bộ, công chức",
        "VD-C01",
        dt.date(2015, 7, 1),
    ],
    [
        "Lò Thị Bình",
        dt.date(1998, 11, 2),
        "Nữ",
        "Thái",
        "Không",
        "014198001234",
        "",
        dt.date(2025, 1, 10),
        dt.date(2025, 2, 3),
        None,
        "12/12",
        "Cao đẳng",
        "",
        "Viên chức",
        "VD-C01",
        dt.date(2025, 2, 3),
    ],
]

COLUMN_HELP = {
    COL_NAME: "Bắt buộc. Họ, tên đệm và tên, ví dụ “Nguyễn Văn An”.",
    COL_BIRTH: "Bắt buộc. Ngày sinh, dạng dd/mm/yyyy.",
    COL_GENDER: "Bắt buộc. “Nam” hoặc “Nữ”.",
    COL_ETHNICITY: "Bắt buộc. Tên một trong 54 dân tộc liệt kê bên dưới (không phân biệt chữ hoa, chữ thường).",
    COL_RELIGION: "Bắt buộc. Một trong các tôn giáo liệt kê bên dưới, hoặc “Không”.",
    COL_CID: "Bắt buộc. Số căn cước công dân, đúng 12 chữ số, không trùng với đảng viên đã có. Nên định dạng cột "
    "là Văn bản (Text) để giữ số 0 ở đầu.",
    COL_CARD: "Không bắt buộc. Số thẻ đảng viên (để trống nếu chưa có).",
    COL_DECIDED: "Bắt buộc. Ngày quyết định kết nạp, dạng dd/mm/yyyy. Tuổi đời vào ngày này từ đủ 18 tuổi đến 60 "
    "tuổi (tính theo tháng); trên 60 tuổi phải kết nạp qua biểu mẫu kết nạp (cần văn bản đồng ý).",
    COL_JOINED: "Bắt buộc. Ngày vào Đảng (lễ kết nạp), dạng dd/mm/yyyy, từ ngày quyết định kết nạp trở đi.",
    COL_RECOGNISED: "Để trống nếu đảng viên còn dự bị. Nếu có: ngày công nhận chính thức, không sớm hơn ngày hết "
    "thời gian dự bị (12 tháng kể từ ngày vào Đảng).",
    COL_EDUCATION: "Như ghi trong hồ sơ, dạng lớp/hệ: 12/12, 9/12, 10/10. Định dạng cột là Văn bản (Text) để Excel "
    "không tự đổi thành ngày tháng.",
    COL_QUALIFICATION: "Không bắt buộc. Một giá trị trong danh sách bên dưới; giá trị mới sẽ được thêm vào danh sách.",
    COL_THEORY: "Không bắt buộc. “Sơ cấp”, “Trung cấp”, “Cao cấp”, “Cử nhân” hoặc để trống.",
    COL_OCCUPATION: "Không bắt buộc. Một giá trị trong danh sách bên dưới; giá trị mới sẽ được thêm vào danh sách.",
    COL_CELL: "Bắt buộc. Mã của chi bộ nơi đảng viên sinh hoạt, đã có trong hệ thống và thuộc phạm vi của bạn.",
    COL_FROM: "Bắt buộc. Ngày bắt đầu sinh hoạt tại chi bộ đó, dạng dd/mm/yyyy, từ ngày vào Đảng trở đi; chi bộ "
    "phải tồn tại vào ngày này.",
}


def template_bytes() -> bytes:
    """The import template: the header row and two example rows (an official and a probationary member), and a
    "Hướng dẫn" sheet with the columns and the valid values of each vocabulary."""
    guide: list[list[Any]] = [[c, COLUMN_HELP[c]] for c in COLUMNS]
    guide.append([])
    guide.append(
        ["Ngày", "Ghi theo dạng dd/mm/yyyy (ngày/tháng/năm), ví dụ 01/07/2025, hoặc ô kiểu ngày của Excel."]
    )
    guide.append([])
    guide.append([COL_GENDER, "Nam; Nữ"])
    guide.append([COL_THEORY, "Sơ cấp; Trung cấp; Cao cấp; Cử nhân; hoặc để trống"])
    guide.append([COL_EDUCATION, "Ví dụ: 12/12; 9/12; 10/10; 7/10"])
    for column, model in (
        (COL_ETHNICITY, Ethnicity),
        (COL_RELIGION, Religion),
        (COL_QUALIFICATION, Qualification),
        (COL_OCCUPATION, Occupation),
    ):
        guide.append([])
        guide.append([f"{column} hợp lệ", f"(cột “{column}”)"])
        guide.extend(["", v.name] for v in model.objects.filter(active=True).order_by("order", "name"))
    return template_workbook(
        SHEET_TITLE,
        COLUMNS,
        EXAMPLES,
        guide,
        (
            "Xóa các dòng ví dụ (mã chi bộ VD-...) trước khi nhập. Mỗi đảng viên một dòng. Tệp có bất kỳ lỗi nào "
            "thì không ghi gì; danh sách lỗi ghi rõ dòng, cột, giá trị và cách sửa."
        ),
    )


# -------------------------------------------------------------------------------------------- command line


def _report(result: ImportResult, dry_run: bool, filename: str) -> list[str]:
    plan = result.plan
    counts = f"{len(plan.rows)} đảng viên ({plan.official} chính thức, {plan.probationary} dự bị)"
    if dry_run:
        lines = [f"Tệp hợp lệ (chạy thử, chưa ghi gì): sẽ tạo {counts}."]
        added_q, added_o = list(plan.new_qualifications.values()), list(plan.new_occupations.values())
    else:
        lines = [f"Đã nhập {counts} từ tệp {filename}."]
        added_q, added_o = result.qualifications_added, result.occupations_added
    lines += [f"  Chi bộ {code}: {n}" for code, n in plan.by_cell().items()]
    verb = "Sẽ thêm" if dry_run else "Đã thêm"
    if added_q:
        lines.append(f"{verb} trình độ chuyên môn: {'; '.join(added_q)}.")
    if added_o:
        lines.append(f"{verb} nghề nghiệp: {'; '.join(added_o)}.")
    return lines


IMPORT_MEMBERS = command_line_import(
    "members",
    "Nhập danh sách đảng viên từ tệp Excel theo mẫu (cả tệp hoặc không gì).",
    "Tệp Excel .xlsx theo mẫu nhập đảng viên.",
    import_members,
    _report,
)
