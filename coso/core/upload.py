"""Uploaded files, checked before anything parses them.

`check_size` holds any upload (a decision's scan, a spreadsheet) to COSO_UPLOAD_MAX_BYTES. `check_xlsx` is the
guard every spreadsheet passes before calamine opens it: the import pages before they queue the check, the import
API, and `coso.core.excel.open_table` itself (so every importer, its jobs and `coso import`). It reads only what
it must, in bounded memory (a few MiB whatever the file holds):

1. the size in bytes, the name (.xlsx), the first bytes: a zip, else which kind of file it is (an old .xls or a
   password-protected workbook, a PDF, an HTML page, a CSV ...);
2. the zip's end record (how many entries, before the central directory is read), then the central directory:
   the entries' sizes once unzipped, in total and each large one against its compressed size (a zip bomb), and
   the parts of an Excel workbook (`xl/workbook.xml`; else an .ods, .xlsb, Word file ...); nothing is unzipped;
3. the first sheet's XML, unzipped 1 MiB at a time and never kept whole: the last row and the last column that
   hold cells (calamine builds a dense table of that size, so a million rows, or one cell far away, is refused
   here and never loaded; the scan stops at the limit), and formulas whose result the file does not keep.

Each refusal is an `ExcelError` (a `DomainError` on the field `file`) whose Vietnamese message says what is wrong
and what to do. The limits are settings (see `Limits`); the other bounds are constants below.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree import ElementTree

from django.core.files.uploadedfile import UploadedFile

from .errors import DomainError
from .templatetags.vn import vn_number

MB = 1024 * 1024
CHUNK = MB  # the sheet's XML is unzipped this much at a time
MAX_ENTRIES = 1000  # parts in one zip: a workbook has a dozen, a few hundred with many sheets and pictures
MAX_RATIO = 100  # an entry of more than RATIO_FROM bytes may unzip to at most this many times its size
RATIO_FROM = MB  # (real sheets compress 5 to 30 times; a zip bomb of zeros about 1,000 times)
MAX_PART = 10 * MB  # the workbook's index and relationships are read whole: at most this once unzipped
NAMED_CELLS = 5  # cells named in a message, then "…"

SAVE_AS_XLSX = (
    "Hãy mở tệp bằng Excel rồi lưu lại dạng “Sổ làm việc Excel (.xlsx)” (Excel Workbook) và tải lên lại."
)


class UploadRefused(DomainError):
    """An uploaded file refused before anything read it (the message says why and what to do)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


class ExcelError(UploadRefused):
    """The file cannot be read as an Excel workbook, is too large to read, or has no usable table."""


@dataclass(frozen=True)
class Limits:
    """What an upload may be (settings, from the environment: see `coso/settings.py`)."""

    max_bytes: int  # COSO_UPLOAD_MAX_MB: the file as uploaded
    max_unzipped: int  # COSO_XLSX_MAX_UNZIPPED_MB: a workbook's parts once unzipped, all together
    max_rows: int  # COSO_IMPORT_MAX_ROWS: the last row of the first sheet that holds cells
    max_columns: int  # COSO_IMPORT_MAX_COLUMNS: its last column that holds cells

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            max_bytes=settings.COSO_UPLOAD_MAX_BYTES,
            max_unzipped=settings.COSO_XLSX_MAX_UNZIPPED_BYTES,
            max_rows=settings.COSO_IMPORT_MAX_ROWS,
            max_columns=settings.COSO_IMPORT_MAX_COLUMNS,
        )


def megabytes(size: int) -> str:
    """A size as people read it: "25 MB", "1,5 MB", "4 KB"."""
    if size < MB:
        return f"{vn_number(-(-size // 1024))} KB"
    value = size / MB
    return f"{vn_number(round(value))} MB" if value >= 10 or value.is_integer() else f"{vn_number(value)} MB"


def _name(source: Any, name: str | None) -> str:
    if name:
        return os.path.basename(name)
    found = getattr(source, "name", None) or (str(source) if isinstance(source, str | os.PathLike) else "")
    return os.path.basename(str(found)) if found else ""


def _size(fp: IO[bytes]) -> int:
    fp.seek(0, os.SEEK_END)
    size = fp.tell()
    fp.seek(0)
    return size


def _too_large(name: str, size: int, limit: int) -> str:
    return (
        f"Tệp {name} nặng {megabytes(size)}, quá giới hạn {megabytes(limit)} của một lần tải lên. Hãy chia thành "
        "nhiều tệp nhỏ hơn (ví dụ theo từng đơn vị) hoặc xóa các trang tính, hình ảnh không cần thiết, rồi tải "
        "lên lại."
    )


def check_size(upload: Any, *, name: str | None = None, limits: Limits | None = None) -> None:
    """Refuse (`UploadRefused`) an upload (a Django `UploadedFile`, a path) larger than COSO_UPLOAD_MAX_BYTES."""
    limits = limits or Limits.from_settings()
    size = getattr(upload, "size", None)
    if size is None and isinstance(upload, str | os.PathLike):
        size = os.path.getsize(upload)
    if size is not None and size > limits.max_bytes:
        raise UploadRefused(_too_large(_name(upload, name) or "tải lên", int(size), limits.max_bytes))


# ------------------------------------------------------------------------------------------- what it is


def _not_excel(name: str, what: str) -> ExcelError:
    return ExcelError(f"Tệp {name} không phải tệp Excel .xlsx hợp lệ ({what}). {SAVE_AS_XLSX}")


def _kind_of(head: bytes) -> str:
    """What a file that is not a zip seems to be, from its first bytes, as a cadre would call it."""
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "có thể là tệp Excel 97-2003 .xls, hoặc tệp Excel có đặt mật khẩu: hãy bỏ mật khẩu trước"
    if head.startswith(b"%PDF"):
        return "đây là tệp PDF"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table")):
        return "đây là trang HTML, thường do phần mềm khác xuất ra dưới tên .xls"
    if text.startswith(b"<?xml") or text.startswith(b"<"):
        return "đây là tệp XML, có thể là “Bảng tính XML 2003”"
    if not head:
        return "tệp rỗng"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        if b"\x00" in head:
            return "không rõ loại tệp, có thể tệp bị hỏng"
    return "đây là tệp văn bản, có thể là tệp .csv"


def _kind_of_zip(names: set[str], zf: zipfile.ZipFile) -> str:
    """What a zip that holds no Excel workbook seems to be."""
    if "mimetype" in names and zf.getinfo("mimetype").file_size < 200:
        mimetype = zf.read("mimetype")
        if b"spreadsheet" in mimetype:
            return "đây là bảng tính .ods của LibreOffice, OpenOffice"
        if b"opendocument" in mimetype:
            return "đây là tài liệu OpenDocument"
    if "xl/workbook.bin" in names:
        return "đây là “Sổ làm việc nhị phân Excel” .xlsb"
    if "word/document.xml" in names:
        return "đây là tệp Word .docx"
    if "ppt/presentation.xml" in names:
        return "đây là tệp PowerPoint"
    return "đây là tệp nén .zip, không phải sổ làm việc Excel"


def _bomb(name: str, detail: str) -> ExcelError:
    return ExcelError(
        f"Tệp {name} {detail} nên Coso không mở, để máy chủ không bị quá tải; tệp có thể bị hỏng hoặc bị cố ý tạo ra "
        "như vậy. Nếu đây đúng là danh sách cần nhập, hãy mở bằng Excel, xóa các trang tính, hình ảnh, các dòng và "
        "cột thừa, lưu lại rồi tải lên lại; nếu danh sách thật sự lớn, hãy chia thành nhiều tệp."
    )


def _entry_count(fp: IO[bytes], size: int) -> int | None:
    """The number of entries the zip's end record announces, read from the last 64 KiB (before zipfile reads the
    whole central directory into memory); None when there is no end record."""
    tail = min(size, 22 + 65535)
    fp.seek(size - tail)
    data = fp.read(tail)
    fp.seek(0)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or len(data) - at < 22:
        return None
    return int.from_bytes(data[at + 10 : at + 12], "little")  # 0xFFFF: zip64, "more than 65,534"


# ------------------------------------------------------------------------------------------ the first sheet


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(element: ElementTree.Element, local: str) -> str:
    for key, value in element.attrib.items():
        if _local(key) == local:
            return value
    return ""


def _read_part(zf: zipfile.ZipFile, name: str, file: str) -> ElementTree.Element | None:
    """A small XML part of the workbook, parsed (None when it is missing)."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART:
        raise _bomb(file, f"có phần mục lục lớn bất thường ({megabytes(info.file_size)})")
    try:
        return ElementTree.fromstring(zf.read(info))
    except (ElementTree.ParseError, zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise _not_excel(file, "tệp bị hỏng") from exc


def _first_sheet(zf: zipfile.ZipFile, names: set[str], file: str) -> tuple[str, list[str]]:
    """The first sheet's name and the zip entry that holds it, as calamine opens it (the first `<sheet>` of
    xl/workbook.xml, through xl/_rels/workbook.xml.rels); when that cannot be resolved, every worksheet."""
    every = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    workbook = _read_part(zf, "xl/workbook.xml", file)
    rels = _read_part(zf, "xl/_rels/workbook.xml.rels", file)
    if workbook is None or rels is None:
        return "", every
    sheet = next((e for e in workbook.iter() if _local(e.tag) == "sheet"), None)
    if sheet is None:
        return "", every
    rid = _attr(sheet, "id")
    for rel in rels.iter():
        if _local(rel.tag) == "Relationship" and rel.get("Id") == rid:
            target = rel.get("Target") or ""
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
            if part in names:
                return sheet.get("name") or "", [part]
    return sheet.get("name") or "", every


def column_letters(number: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: bytes | str) -> int:
    """A → 1, AA → 27."""
    text = letters.decode() if isinstance(letters, bytes) else letters
    number = 0
    for ch in text:
        number = number * 26 + ord(ch) - 64
    return number


@dataclass
class _Scan:
    """The first sheet's XML read 1 MiB at a time: the last row and column that hold cells, the formula cells
    with no stored result. Cells as Excel, LibreOffice and the usual libraries write them (`<c r="B5">`) are
    counted with one regular expression; from the first piece where a writer leaves out `r` (a cell then takes
    the next place in its row, a row the next row, as calamine reads them) or prefixes its tags (`<x:c>`), the
    XML is followed tag by tag."""

    prefix: bytes = b""
    row: int = 0  # where the tag-by-tag reading stands
    col: int = 0
    last_row: int = 0
    last_col: int = 0
    slow: bool = False
    no_value: list[str] = field(default_factory=list)

    def start(self, head: bytes) -> None:
        match = re.search(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]", head)
        self.prefix = (match.group(1) or b"") if match else b""
        self.slow = bool(self.prefix)
        p = re.escape(self.prefix)
        self.cell_refs = re.compile(rb'<c\b[^>]*?\sr="([A-Z]{1,3})(\d{1,9})"')
        self.tags = re.compile(rb"<" + p + rb"(row|c)\b([^>]*?)(/?)>")
        self.ref = re.compile(rb'\sr="([A-Z]{0,3})(\d{0,9})"')
        self.formula = b"<" + self.prefix + b"f"
        self.formula_no_value = re.compile(
            rb"<" + p + rb"c\b([^>]*)>\s*<" + p + rb"f\b[^>]*?(?:/>|>[^<]*</" + p + rb"f>)\s*"
            rb"(?:<" + p + rb"v\s*/>|<" + p + rb"v>\s*</" + p + rb"v>)?\s*</" + p + rb"c>"
        )

    def feed(self, data: bytes) -> None:
        """One piece of the XML, cut after a tag (and after a row where it can)."""
        if not self.slow:
            refs = self.cell_refs.findall(data)
            if len(refs) == data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/>"):
                if refs:
                    self.last_col = max(self.last_col, max(map(column_number, {c for c, _ in refs})))
                    self.last_row = max(self.last_row, max(int(r) for _, r in refs))
                    self.row = int(refs[-1][1])
                self._formulas(data)
                return
            self.slow = True  # from here on, tag by tag
        for match in self.tags.finditer(data):
            name, attrs, _closed = match.groups()
            ref = self.ref.search(attrs)
            if name == b"row":
                self.row = int(ref.group(2)) if ref and ref.group(2) else self.row + 1
                self.col = 0
                continue
            self.col = column_number(ref.group(1)) if ref and ref.group(1) else self.col + 1
            if ref and ref.group(2):
                self.row = int(ref.group(2))
            self.last_row = max(self.last_row, self.row)
            self.last_col = max(self.last_col, self.col)
        self._formulas(data)

    def _formulas(self, data: bytes) -> None:
        if self.formula not in data or len(self.no_value) > NAMED_CELLS:
            return
        for match in self.formula_no_value.finditer(data):
            ref = self.ref.search(match.group(1))
            self.no_value.append((ref.group(1) + ref.group(2)).decode() if ref else "?")


@dataclass
class _Budget:
    """What may still be unzipped, in bytes, of the whole workbook (COSO_XLSX_MAX_UNZIPPED_MB)."""

    left: int
    limit: int


def _pieces(stream: IO[bytes], budget: _Budget, file: str) -> Iterator[bytes]:
    """The unzipped XML in pieces of about CHUNK bytes, each cut after a row's end (or a tag's), so that a row and
    a cell never straddle two pieces; more than the budget in all is a zip bomb, whatever the zip declared."""
    carry = b""
    while True:
        chunk = stream.read(CHUNK)
        budget.left -= len(chunk)
        if budget.left < 0:
            raise _bomb(file, f"khi giải nén ra lớn hơn {megabytes(budget.limit)}")
        if not chunk:
            if carry:
                yield carry
            return
        data = carry + chunk
        cut = data.rfind(b"row>")
        cut = cut + 4 if cut >= 0 else data.rfind(b">") + 1
        yield data[:cut]
        carry = data[cut:]
        if len(carry) > CHUNK:  # a huge text with no tag in it: only a tag that starts at its end matters
            at = carry.rfind(b"<")
            carry = carry[at:] if at >= 0 else b""


def _scan_sheet(
    zf: zipfile.ZipFile, part: str, sheet: str, file: str, limits: Limits, budget: _Budget
) -> None:
    """Refuse the sheet in `part` past the row or column limit (stopping there) or with formulas whose result the
    file does not keep."""
    scan = _Scan()
    where = f"Trang tính “{sheet}” của tệp {file}" if sheet else f"Tệp {file}"
    with zf.open(part) as stream:
        for i, data in enumerate(_pieces(stream, budget, file)):
            if i == 0:
                scan.start(data[:4096])
            scan.feed(data)
            if scan.last_row > limits.max_rows:
                raise ExcelError(
                    f"{where} có hơn {vn_number(limits.max_rows)} dòng (có dữ liệu hoặc định dạng ở dòng "
                    f"{vn_number(scan.last_row)}), quá giới hạn {vn_number(limits.max_rows)} dòng của một lần "
                    "nhập. Hãy chia danh sách thành nhiều tệp, mỗi tệp không quá "
                    f"{vn_number(limits.max_rows)} dòng (ví dụ theo từng đảng bộ), rồi nhập lần lượt; nếu các "
                    "dòng cuối trống, hãy chọn các dòng thừa đó, xóa hẳn (Delete, không chỉ xóa nội dung) rồi "
                    "lưu lại."
                )
            if scan.last_col > limits.max_columns:
                raise ExcelError(
                    f"{where} có dữ liệu hoặc định dạng ở cột {column_letters(scan.last_col)} (cột thứ "
                    f"{vn_number(scan.last_col)}), quá giới hạn {vn_number(limits.max_columns)} cột. Hãy xóa "
                    "hẳn các cột không thuộc tệp mẫu (chọn cột, Delete) rồi lưu lại và tải lên lại."
                )
    if scan.no_value:
        cells = ", ".join(scan.no_value[:NAMED_CELLS]) + (", …" if len(scan.no_value) > NAMED_CELLS else "")
        raise ExcelError(
            f"{where} có công thức mà tệp không lưu sẵn kết quả (ô {cells}); Coso không tự tính công thức. Hãy "
            "mở tệp bằng Excel và lưu lại (Excel tính và lưu kết quả), hoặc sao chép các ô đó rồi dán dạng giá "
            "trị (Dán đặc biệt → Giá trị), rồi tải lên lại."
        )


# ------------------------------------------------------------------------------------------------ the guard


def check_xlsx(
    source: str | os.PathLike[str] | IO[bytes] | UploadedFile,
    *,
    name: str | None = None,
    limits: Limits | None = None,
) -> None:
    """Refuse, with an `ExcelError` saying what to do, a spreadsheet upload that is not an .xlsx workbook, is too
    large (in bytes, unzipped, in rows or columns of its first sheet) or keeps formulas without their result;
    before calamine or openpyxl reads it, in bounded memory, stopping at the first limit passed. `source` is a
    path or a file-like object (read from its start, and left there); `name` the name the user gave it."""
    limits = limits or Limits.from_settings()
    if isinstance(source, str | os.PathLike):
        if not os.path.isfile(source):
            raise ExcelError(f"Không tìm thấy tệp {_name(source, name) or source}.")
        with open(source, "rb") as fp:
            _check(fp, _name(source, name), limits)
        return
    try:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            source.seek(0)
        _check(source, _name(source, name), limits)
    finally:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            source.seek(0)


def _check(fp: Any, name: str, limits: Limits) -> None:
    file = name or "tải lên"
    if name and not name.lower().endswith(".xlsx"):
        suffix = os.path.splitext(name)[1]
        what = f"tên tệp có đuôi {suffix}" if suffix else "tên tệp không có đuôi .xlsx"
        raise _not_excel(file, what)
    size = _size(fp)
    if size > limits.max_bytes:
        raise ExcelError(_too_large(file, size, limits.max_bytes))
    head = fp.read(8)
    fp.seek(0)
    if not head.startswith(b"PK\x03\x04"):
        raise _not_excel(file, _kind_of(head + fp.read(504)))
    entries = _entry_count(fp, size)
    if entries is None:
        raise _not_excel(file, "tệp bị hỏng hoặc chưa tải lên hết")
    if entries > MAX_ENTRIES:
        raise _bomb(file, f"gồm hơn {vn_number(MAX_ENTRIES)} phần bên trong")
    try:
        zf = zipfile.ZipFile(fp)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise _not_excel(file, "tệp bị hỏng hoặc chưa tải lên hết") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _bomb(file, f"gồm hơn {vn_number(MAX_ENTRIES)} phần bên trong")
        names = {i.filename for i in infos}
        if "xl/workbook.xml" not in names:
            raise _not_excel(file, _kind_of_zip(names, zf))
        total = sum(i.file_size for i in infos)
        if total > limits.max_unzipped:
            raise _bomb(
                file,
                f"khi giải nén ra {megabytes(total)}, quá giới hạn {megabytes(limits.max_unzipped)}",
            )
        for info in infos:
            if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise _bomb(file, f"có phần nén bất thường (giải nén ra hơn {MAX_RATIO} lần)")
        sheet, parts = _first_sheet(zf, names, file)
        budget = _Budget(limits.max_unzipped, limits.max_unzipped)
        try:
            for part in parts:
                _scan_sheet(zf, part, sheet, file, limits, budget)
        except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
            raise _not_excel(file, "tệp bị hỏng hoặc nén theo cách Excel không dùng") from exc
