"""Excel (.xlsx) files the offices exchange: write a table to a workbook, read an uploaded table back.

Writing uses openpyxl's write-only mode (tens of thousands of rows in constant memory per row): bold header,
frozen header row, column widths from the content, dates as real Excel dates shown dd/mm/yyyy. Reading uses
calamine (Rust, several times faster than openpyxl): the header row is found and mapped to columns, and rows come
one at a time with the row number Excel shows, so an import can say "dòng 17, cột Loại". Before calamine opens a
file, `coso.core.upload.check_xlsx` refuses what is not an .xlsx workbook or is too large to read (zip bombs,
a million rows); after the header is found, merged cells from the header down are refused (`Table`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook

from .dates import format_date
from .text import nfc
from .upload import ExcelError as ExcelError
from .upload import check_xlsx, column_letters

DATE_FORMAT = "dd/mm/yyyy"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_WIDTH = 60
MIN_WIDTH = 8
WIDTH_SAMPLE = 500  # rows looked at to size the columns
HEADER_SEARCH = 10  # the header row is looked for in the first rows (a title may stand above it)


# ------------------------------------------------------------------------------------------------- writing


@dataclass
class Sheet:
    """One worksheet: optional heading lines (a title, a date ...), then a table with a bold, frozen header."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]
    heading: Sequence[str] = field(default_factory=tuple)
    widths: Sequence[float] | None = None


def _sheet_title(title: str) -> str:
    """Excel limits sheet names to 31 characters without []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in nfc(title)) or "Sheet"
    return cleaned[:31]


def _text_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 10
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def _widths(headers: Sequence[str], sample: list[Sequence[Any]]) -> list[float]:
    widths = [float(max(MIN_WIDTH, len(h) + 2)) for h in headers]
    for row in sample:
        for i, value in enumerate(row[: len(widths)]):
            widths[i] = max(widths[i], float(_text_width(value) + 2))
    return [min(w, MAX_WIDTH) for w in widths]


def _cell(ws: Any, value: Any, *, bold: bool = False) -> Any:
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT if not isinstance(value, dt.datetime) else DATE_FORMAT + " hh:mm"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _write_sheet(wb: Workbook, spec: Sheet) -> None:
    ws = wb.create_sheet(_sheet_title(spec.title))
    rows = iter(spec.rows)
    sample: list[Sequence[Any]] = []
    for row in rows:
        sample.append(row)
        if len(sample) >= WIDTH_SAMPLE:
            break
    widths = list(spec.widths) if spec.widths else _widths(spec.headers, sample)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    header_line = len(spec.heading) + (1 if spec.heading else 0) + 1
    if spec.headers:
        ws.freeze_panes = f"A{header_line + 1}"
    for i, line in enumerate(spec.heading):
        cell = _cell(ws, line, bold=(i == 0))
        if i == 0:
            cell.font = Font(bold=True, size=13)
        ws.append([cell])
    if spec.heading:
        ws.append([])
    if spec.headers:
        header = []
        for h in spec.headers:
            cell = _cell(ws, h, bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            header.append(cell)
        ws.append(header)
    for row in sample:
        ws.append([_cell(ws, v) for v in row])
    for row in rows:
        ws.append([_cell(ws, v) for v in row])


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with the given sheets, as the bytes of an .xlsx file."""
    wb = Workbook(write_only=True)
    for spec in sheets:
        _write_sheet(wb, spec)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def table_bytes(
    title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, heading: Sequence[str] = ()
) -> bytes:
    """One sheet named `title`: the header row (bold, frozen) and the rows; dates shown dd/mm/yyyy."""
    return workbook_bytes([Sheet(title=title, headers=headers, rows=rows, heading=heading)])


def template_workbook(
    title: str,
    columns: Sequence[str],
    examples: Iterable[Sequence[Any]],
    guide: list[list[str]],
    note: str,
    *,
    guide_width: int = 32,
) -> bytes:
    """An import template: the sheet `title` with the template's columns and example rows, then the sheet
    "Hướng dẫn" (how to fill each column, then the closing "Lưu ý" line `note`)."""
    guide = [*guide, [], ["Lưu ý", note]]
    return workbook_bytes(
        [
            Sheet(title=title, headers=columns, rows=examples),
            Sheet(title="Hướng dẫn", headers=["Mục", "Cách ghi"], rows=guide, widths=[guide_width, 100]),
        ]
    )


# ------------------------------------------------------------------------------------------------- reading


def header_key(value: Any) -> str:
    """How headers are compared: NFC, trimmed, inner spaces collapsed, case-insensitive."""
    return nfc("" if value is None else str(value)).casefold()


def header_map(headers: Iterable[str], columns: Iterable[str]) -> dict[str, str]:
    """Each template column found among `headers` → the header as the file writes it (compared by `header_key`);
    when a column is written twice, the first one counts."""
    wanted = {header_key(c): c for c in columns}
    found: dict[str, str] = {}
    for h in headers:
        column = wanted.get(header_key(h))
        if column is not None and column not in found:
            found[column] = h
    return found


@dataclass(frozen=True)
class SheetRow:
    """One data row: the row number Excel shows and the values by header (as the header was written)."""

    line: int
    values: dict[str, Any]

    def get(self, header: str, default: Any = None) -> Any:
        return self.values.get(header, default)


class Table:
    """An uploaded .xlsx opened for streaming: `headers` (as written in the file) and `rows()`.

    Use as a context manager (the read-only workbook keeps the file open):

        with open_table(upload, expect=["Mã tổ chức"]) as table:
            for row in table.rows(): ...
    """

    def __init__(self, source: str | os.PathLike[str] | IO[bytes], *, expect: Sequence[str] = ()):
        self.name = _source_name(source)
        self._wb = _load(source)
        try:
            sheet = self._wb.get_sheet_by_index(0)
        except (CalamineError, IndexError, ValueError) as exc:
            self.close()
            raise ExcelError(
                f"Không đọc được trang tính đầu tiên của tệp {self.name}. Hãy mở tệp bằng Excel, kiểm tra trang "
                "đầu tiên có dữ liệu, lưu lại dạng “Excel Workbook (.xlsx)” và tải lên lại."
            ) from exc
        self.sheet_title = sheet.name
        self._rows = _sheet_rows(sheet)
        self._line = 0
        self.header_line = 0
        self.headers: list[str] = []
        self._find_header({header_key(h) for h in expect})
        try:
            self._refuse_merged(sheet)
        except ExcelError:
            self.close()
            raise

    def _refuse_merged(self, sheet: Any) -> None:
        """Merged cells from the header row down are refused, naming them: a merged range keeps its value in its
        first cell only, so the rows or columns inside it would read empty (or the header would not map). A merged
        title above the header is fine."""
        if not self.header_line:
            return
        merged = [
            f"{column_letters(c0 + 1)}{r0 + 1}:{column_letters(c1 + 1)}{r1 + 1}"
            for (r0, c0), (r1, c1) in sorted(getattr(sheet, "merged_cell_ranges", None) or [])
            if r1 + 1 >= self.header_line
        ]
        if merged:
            cells = ", ".join(merged[:5]) + (", …" if len(merged) > 5 else "")
            raise ExcelError(
                f"Trang tính “{self.sheet_title}” của tệp {self.name} có ô gộp ở {cells} (từ dòng tiêu đề "
                f"{self.header_line} trở xuống). Ô gộp chỉ giữ giá trị ở ô đầu tiên nên các dòng, các cột bên "
                "trong sẽ bị đọc thành ô trống. Hãy chọn các ô đó, bỏ gộp ô (Unmerge Cells), ghi đủ giá trị vào "
                "từng ô rồi lưu lại và tải lên lại."
            )

    def _next(self) -> tuple[Any, ...] | None:
        try:
            self._line, row = next(self._rows)
        except StopIteration:
            return None
        return row

    def _find_header(self, expect: set[str]) -> None:
        """The header row: the first row holding any expected header (else the first non-empty row)."""
        while self._line < HEADER_SEARCH:
            row = self._next()
            if row is None:
                return
            cells = [header_key(v) for v in row]
            if not any(cells):
                continue
            if not expect or expect & set(cells):
                self.header_line = self._line
                self.headers = [nfc(str(v)) if not is_blank(v) else "" for v in row]
                return
        return

    def rows(self) -> Iterator[SheetRow]:
        """The data rows under the header, skipping entirely empty rows, with Excel's row numbers."""
        if not self.header_line:
            return
        headers = self.headers
        while True:
            row = self._next()
            if row is None:
                return
            if all(is_blank(v) for v in row):
                continue
            values = {h: v for h, v in zip(headers, row, strict=False) if h}
            yield SheetRow(self._line, values)

    def close(self) -> None:
        self._wb.close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _sheet_rows(sheet: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The rows of a calamine sheet as (Excel row number, values), the values of the cells as Excel shows them
    (shared and inline strings, numbers — whole ones as int —, booleans, dates by the cell's number format as
    `date`, or `datetime` when they carry a time, the cached result of a formula); an empty cell is None. Rows
    with no value are not yielded (the importers skip empty rows anyway). calamine (Rust) parses the sheet's XML
    several times faster than lxml and openpyxl; the sheet's values sit in memory (tens of MB for 100,000 rows),
    the Python values are made one row at a time."""
    first_row, first_col = sheet.start or (0, 0)
    pad: tuple[Any, ...] = (None,) * first_col  # the used range may start right of column A
    for line, row in enumerate(sheet.iter_rows(), first_row + 1):
        values = tuple(
            None if v == "" else int(v) if type(v) is float and v.is_integer() and abs(v) < 1e15 else v
            for v in row
        )
        if any(v is not None for v in values):
            yield line, pad + values


def file_name(source: Any) -> str:
    """The base name of an uploaded file, a path or a file-like object ("" when it has none)."""
    name = getattr(source, "name", None) or (str(source) if isinstance(source, str | os.PathLike) else "")
    return os.path.basename(str(name)) if name else ""


def _source_name(source: Any) -> str:
    return file_name(source) or "tệp tải lên"


def _load(source: Any) -> Any:
    """Open the workbook with calamine once `check_xlsx` has let it through; any failure becomes a Vietnamese
    ExcelError saying what to do."""
    check_xlsx(source)
    try:
        if hasattr(source, "read"):
            if hasattr(source, "seek"):
                # an upload read before (its size, its type) starts again at its first byte; a stream that cannot
                # seek is read from where it stands
                with contextlib.suppress(OSError, ValueError):
                    source.seek(0)
            return CalamineWorkbook.from_filelike(source)
        if not os.path.isfile(source):
            raise FileNotFoundError(source)
        return CalamineWorkbook.from_path(os.fspath(source))
    except FileNotFoundError:
        raise ExcelError(f"Không tìm thấy tệp {_source_name(source)}.") from None
    except (CalamineError, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise ExcelError(
            f"Tệp {_source_name(source)} không phải tệp Excel .xlsx hợp lệ (có thể là tệp .xls cũ, .csv hoặc "
            "tệp bị hỏng). Hãy mở tệp bằng Excel rồi lưu lại dạng “Excel Workbook (.xlsx)” và tải lên lại."
        ) from exc


def open_table(source: str | os.PathLike[str] | IO[bytes], *, expect: Sequence[str] = ()) -> Table:
    """Open the first sheet of an .xlsx (a path or a file-like upload) as a header-mapped table."""
    return Table(source, expect=expect)


def cell_text(value: Any) -> str:
    """A cell's value as people read it: dates dd/mm/yyyy, whole numbers without ".0", text NFC-normalised."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value))


def is_blank(value: Any) -> bool:
    """An empty cell (None or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def sheet_rows(rows: Iterable[SheetRow | Mapping[str, Any]], first_line: int) -> Iterator[SheetRow]:
    """An importer's rows as `SheetRow`s: those of `open_table` as they come, plain mappings (header → value, as
    callers and tests give them) numbered from `first_line`."""
    for i, row in enumerate(rows):
        yield row if isinstance(row, SheetRow) else SheetRow(first_line + i, dict(row))


# ------------------------------------------------------------------------------------------ import errors


@dataclass(frozen=True)
class RowError:
    """One problem of an imported file: the row number as Excel shows it (0 = the file as a whole), the column
    header, the value found, and a Vietnamese message saying what is wrong and what to do."""

    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"Dòng {self.row}" if self.row else "Tệp"
        if self.column:
            where += f", cột “{self.column}”"
        if self.value:
            where += f", giá trị “{self.value}”"
        return f"{where}: {self.message}"
