"""Hostile uploads (issue 13): not an .xlsx, a zip bomb, a million rows, formulas, merged cells, a missing header,
a file too large — each refused with a Vietnamese message that says what to do, through the import page (the form
stays, no job is queued), the import API (400 {"detail", "field": "file"}) and `coso import` (non-zero, the
message on stderr, no traceback); in bounded memory and before calamine opens the file (`coso.core.upload`).

Every hostile file is built here, small: a zip bomb is a few hundred KB of zeros' deflate, the million rows a
5 MB zip of a 49 MB sheet written through zipfile's streaming writer. Bounded time is shown by the guard refusing
before the reader is called (a reader that fails the test when touched), never by timing."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook

from coso.accounts.models import User
from coso.accounts.services import grant_role
from coso.core import excel, upload
from coso.core.excel import open_table
from coso.core.models import Job
from coso.core.upload import ExcelError, Limits, check_xlsx
from coso.members.models import Member
from tests.members.test_import import HEADERS, row
from tests.orgs.test_api import client_for

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Đảng viên" sheetId="1" r:id="rId1"/></sheets></workbook>'
WORKBOOK_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


# ------------------------------------------------------------------------------------------ building files


def book(
    rows: Iterable[bytes], *, tail: bytes = b"", extra: Callable[[zipfile.ZipFile], None] | None = None
) -> bytes:
    """A minimal .xlsx whose first sheet's <sheetData> is `rows` (XML, streamed into the zip piece by piece)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", PACKAGE_RELS)
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            for piece in rows:
                sheet.write(piece)
            sheet.write(b"</sheetData>" + tail + b"</worksheet>")
        if extra is not None:
            extra(zf)
    return buf.getvalue()


def text_row(line: int, values: list[str]) -> bytes:
    cells = "".join(
        f'<c r="{upload.column_letters(i)}{line}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values, 1)
    )
    return f'<row r="{line}">{cells}</row>'.encode()


@cache
def million_rows() -> bytes:
    """A header and a million numbered rows: 49 MB of sheet XML, 5 MB zipped (compresses ~10 times, as real
    sheets do, so the row limit refuses it, not the zip-bomb checks)."""

    def pieces() -> Iterable[bytes]:
        yield text_row(1, HEADERS)
        for start in range(2, 1_000_002, 50_000):
            yield b"".join(
                b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(start, start + 50_000)
            )

    return book(pieces())


@cache
def zip_bomb() -> bytes:
    """A workbook with a picture that unzips to 200 MB of zeros (a few hundred KB zipped)."""

    def bomb(zf: zipfile.ZipFile) -> None:
        zero = bytes(1024 * 1024)
        with zf.open("xl/media/image1.png", "w") as out:
            for _ in range(200):
                out.write(zero)

    return book([text_row(1, HEADERS)], extra=bomb)


def many_entries() -> bytes:
    def parts(zf: zipfile.ZipFile) -> None:
        for i in range(1001):
            zf.writestr(f"xl/media/p{i}.xml", b"")

    return book([text_row(1, HEADERS)], extra=parts)


def plain_zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def members_book(*, merge: str = "", title: bool = False, formula_in: str = "") -> bytes:
    """A members file through openpyxl: an optional merged title above the header, a merged range, a formula."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Đảng viên"
    if title:
        ws.append(["DANH SÁCH ĐẢNG VIÊN CHI BỘ THÔN ĐÔNG"])
        ws.merge_cells("A1:P1")
    ws.append(HEADERS)
    ws.append(row())
    ws.append(row(**{"Số CCCD": "001080012346", "Họ và tên": "Trần Thị Bình"}))
    if merge:
        ws.merge_cells(merge)
    if formula_in:
        ws[formula_in] = "=1+1"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def good() -> bytes:
    return members_book()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)

# (case, file name, bytes, what the message says): refused by the guard everywhere, before any reading
REFUSED: list[tuple[str, str, Callable[[], bytes], str]] = [
    ("old-xls-renamed", "dang-vien.xlsx", lambda: OLE, "Excel 97-2003 .xls"),
    ("csv-renamed", "dang-vien.xlsx", lambda: "Họ và tên,Ngày sinh\nAn,01/01/1980\n".encode(), "tệp .csv"),
    ("pdf-renamed", "dang-vien.xlsx", lambda: b"%PDF-1.4 ...", "tệp PDF"),
    ("html-renamed", "dang-vien.xlsx", lambda: b"<html><table><tr><td>1</td></tr></table>", "trang HTML"),
    ("random-bytes", "dang-vien.xlsx", lambda: b"\x00\xff\xfe" * 300, "không rõ loại tệp"),
    ("word-renamed", "dang-vien.xlsx", lambda: plain_zip({"word/document.xml": b"<w/>"}), "tệp Word .docx"),
    (
        "ods-renamed",
        "dang-vien.xlsx",
        lambda: plain_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
        "bảng tính .ods",
    ),
    ("any-zip", "dang-vien.xlsx", lambda: plain_zip({"a.txt": b"x"}), "tệp nén .zip"),
    ("cut-short", "dang-vien.xlsx", lambda: good()[:3000], "bị hỏng hoặc chưa tải lên hết"),
    ("zip-bomb", "dang-vien.xlsx", zip_bomb, "nén bất thường"),
    ("many-entries", "dang-vien.xlsx", many_entries, "hơn 1.000 phần bên trong"),
    ("million-rows", "dang-vien.xlsx", million_rows, "quá giới hạn 200.000 dòng"),
    (
        "one-far-cell",
        "dang-vien.xlsx",
        lambda: book([text_row(1, HEADERS), b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>']),
        "ở dòng 1.048.576",
    ),
    (
        "one-far-column",
        "dang-vien.xlsx",
        lambda: book([text_row(1, HEADERS), b'<row r="2"><c r="XFD2"><v>1</v></c></row>']),
        "ở cột XFD (cột thứ 16.384), quá giới hạn 50 cột",
    ),
    (
        "cells-without-address",  # placed one after another, as calamine reads them
        "dang-vien.xlsx",
        lambda: book([text_row(1, HEADERS), b"<row>" + b"<c><v>1</v></c>" * 60 + b"</row>"]),
        "ở cột BH (cột thứ 60)",
    ),
    ("formula-without-result", "dang-vien.xlsx", lambda: members_book(formula_in="Q2"), "(ô Q2)"),
]


@pytest.fixture
def cadre(tree, client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    user = User.objects.create_user("cadre.nhap", password="mat-khau-dai-123")
    grant_role(None, user=user, role="org_commission", org=tree["X1"])
    client.force_login(user)
    return user


@pytest.fixture
def unread(monkeypatch):
    """calamine must never be reached: the guard refuses first (so the time is bounded by the guard's scan)."""

    class Untouchable:
        def __getattr__(self, name: str) -> Any:
            raise AssertionError(f"calamine was called ({name}) for a file the guard should refuse")

    monkeypatch.setattr(excel, "CalamineWorkbook", Untouchable())


def post_page(client: Any, name: str, data: bytes) -> Any:
    return client.post(reverse("members:import"), {"file": SimpleUploadedFile(name, data)})


def cli(path: Path) -> str:
    """`coso import members PATH`: it must fail; the message (stderr and the command's error) is returned."""
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import", "members", str(path), stdout=io.StringIO(), stderr=err)
    return err.getvalue() + str(refused.value)


# ------------------------------------------------------------------------------------- refused everywhere


@pytest.mark.parametrize(("case", "name", "make", "says"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_on_the_page_the_api_and_the_command_line(
    case, name, make, says, cadre, client, tmp_path, unread
):
    data = make()
    r = post_page(client, name, data)
    body = r.content.decode()
    assert r.status_code == 200 and says in body, body[-3000:]
    assert 'type="file" name="file"' in body and "is-invalid" in body  # the form stays, with the message
    assert not Job.objects.exists() and not list((tmp_path / "imports").glob("*"))

    api = client_for(cadre)
    r = api.post(
        reverse("api:evaluation-import"), {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )
    assert r.status_code == 400 and r.json()["field"] == "file" and says in r.json()["detail"]

    path = tmp_path / name
    path.write_bytes(data)
    assert says in cli(path)
    assert not Member.objects.exists()


def test_every_message_says_what_to_do(tmp_path):
    for case, name, make, _ in REFUSED:
        with pytest.raises(ExcelError) as refused:
            check_xlsx(io.BytesIO(make()), name=name)
        message = refused.value.message
        assert "Hãy" in message or "hãy" in message, case
        assert "Error" not in message and "Traceback" not in message, case


def test_an_empty_file(cadre, client, tmp_path):
    r = post_page(client, "dang-vien.xlsx", b"")
    assert "(tệp rỗng)" in r.content.decode() and not Job.objects.exists()
    path = tmp_path / "dang-vien.xlsx"
    path.write_bytes(b"")
    assert "(tệp rỗng)" in cli(path)
    r = client_for(cadre).post(reverse("api:evaluation-import"), {"file": SimpleUploadedFile("x.xlsx", b"")})
    assert r.status_code == 400 and r.json()["field"] == "file"  # DRF's own "empty file" refusal


def test_wrong_extension(cadre, client, tmp_path):
    r = post_page(client, "dang-vien.xls", good())
    assert "không phải tệp Excel .xlsx" in r.content.decode() and not Job.objects.exists()
    path = tmp_path / "dang-vien.csv"
    path.write_bytes(good())
    assert "tên tệp có đuôi .csv" in cli(path)


def test_too_many_bytes(cadre, client, settings, tmp_path, unread):
    settings.COSO_UPLOAD_MAX_BYTES = 4096
    data = good()
    assert len(data) > 4096
    r = post_page(client, "dang-vien.xlsx", data)
    assert "quá giới hạn 4 KB của một lần tải lên" in r.content.decode()  # sizes as people read them
    path = tmp_path / "dang-vien.xlsx"
    path.write_bytes(data)
    assert "của một lần tải lên" in cli(path)
    assert upload.megabytes(25 * upload.MB) == "25 MB" and upload.megabytes(upload.MB * 3 // 2) == "1,5 MB"
    assert upload.megabytes(300 * upload.MB) == "300 MB" and upload.megabytes(1500) == "2 KB"


def test_too_large_once_unzipped(settings, unread):
    settings.COSO_XLSX_MAX_UNZIPPED_BYTES = 1024 * 1024

    def stored(zf: zipfile.ZipFile) -> None:  # stored, not compressed: only the total can refuse it
        zf.writestr(zipfile.ZipInfo("xl/media/image1.png"), bytes(2 * 1024 * 1024))

    with pytest.raises(ExcelError, match="khi giải nén ra 2,0 MB, quá giới hạn 1 MB"):
        check_xlsx(io.BytesIO(book([text_row(1, HEADERS)], extra=stored)), name="a.xlsx")


def test_a_decision_file_is_held_to_the_upload_limit(settings):
    from coso.orgs.forms import DecisionForm

    settings.COSO_UPLOAD_MAX_BYTES = 1024
    data = {"decision_number": "1-QĐ", "decision_date": "01/01/2020", "on": "01/01/2020"}
    scan = SimpleUploadedFile("quyet-dinh.pdf", b"%PDF" + bytes(2048))
    form = DecisionForm(data, {"decision_file": scan})
    assert not form.is_valid() and "của một lần tải lên" in form.errors["decision_file"][0]
    assert DecisionForm(data, {"decision_file": SimpleUploadedFile("q.pdf", b"%PDF")}).is_valid()


# ------------------------------------------------------------------------------ bounded memory and reading


@pytest.mark.parametrize("make", [million_rows, zip_bomb], ids=["million-rows", "zip-bomb"])
def test_refused_in_bounded_memory_before_reading(make, unread):
    data = make()
    tracemalloc.start()
    try:
        with pytest.raises(ExcelError):
            check_xlsx(io.BytesIO(data), name="a.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, peak  # a few 1 MiB pieces, never the 49 MB sheet or the 200 MB of zeros


def test_the_row_limit_stops_the_scan_where_it_is_passed(monkeypatch):
    seen: list[int] = []
    feed = upload._Scan.feed

    def counting(self: Any, data: bytes) -> None:
        seen.append(len(data))
        feed(self, data)

    monkeypatch.setattr(upload._Scan, "feed", counting)
    with pytest.raises(ExcelError, match="có hơn 200.000 dòng"):
        check_xlsx(io.BytesIO(million_rows()), name="a.xlsx", limits=Limits(25 << 20, 300 << 20, 200_000, 50))
    assert sum(seen) < 12 * 1024 * 1024  # of the 49 MB sheet: the first 200,000 rows and a piece


def test_the_limits_are_settings(settings):
    settings.COSO_IMPORT_MAX_ROWS = 2
    with pytest.raises(ExcelError, match="quá giới hạn 2 dòng"):
        check_xlsx(io.BytesIO(good()), name="a.xlsx")
    settings.COSO_IMPORT_MAX_ROWS = 200_000
    settings.COSO_IMPORT_MAX_COLUMNS = 10
    with pytest.raises(ExcelError, match="ở cột P .*quá giới hạn 10 cột"):
        check_xlsx(io.BytesIO(good()), name="a.xlsx")


def test_prefixed_tags_are_followed_tag_by_tag():
    """Some writers prefix the sheet's tags (`<x:row>`): the guard still finds the far cell."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
            '<x:row r="300000"><x:c r="B300000"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>',
        )
    with pytest.raises(ExcelError, match="ở dòng 300.000"):
        check_xlsx(io.BytesIO(buf.getvalue()), name="a.xlsx")


# ------------------------------------------------------------------------------------ formulas and merges


def test_a_formula_with_its_result_reads_the_result_and_text_with_equals_stays_text(tmp_path):
    data = book(
        [
            text_row(1, ["Họ và tên", "Số", "Ghi chú"]),
            b'<row r="2"><c r="A2" t="inlineStr"><is><t>=HYPERLINK("x")</t></is></c>'
            b'<c r="B2"><f>1+1</f><v>2</v></c><c r="C2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c></row>',
        ]
    )
    with open_table(io.BytesIO(data), expect=["Họ và tên"]) as table:
        (only,) = list(table.rows())
    assert only.values == {"Họ và tên": '=HYPERLINK("x")', "Số": 2, "Ghi chú": "ab"}  # never evaluated


def test_formulas_without_a_result_are_named_up_to_five(tmp_path):
    cells = b"".join(
        b'<c r="%s2"><f>1+1</f><v></v></c>' % c for c in (b"A", b"B", b"C", b"D", b"E", b"F", b"G")
    )
    data = book([text_row(1, ["Họ và tên"]), b'<row r="2">' + cells + b"</row>"])
    with pytest.raises(ExcelError, match=r"\(ô A2, B2, C2, D2, E2, …\)"):
        check_xlsx(io.BytesIO(data), name="a.xlsx")


def test_merged_cells_from_the_header_down_are_refused_naming_them(cadre, client, tmp_path):
    data = members_book(title=True, merge="O3:O4")
    r = post_page(client, "dang-vien.xlsx", data)
    job = Job.objects.get()  # a merge is seen once the header is found: in the check job
    page = client.get(reverse("members:import_job", args=[job.pk])).content.decode()
    assert "có ô gộp ở O3:O4 (từ dòng tiêu đề 2 trở xuống)" in page and "bỏ gộp ô" in page, r
    api = client_for(cadre)
    headers = ["Năm", "Đối tượng", "Mã tổ chức", "Số CCCD", "Xếp loại"]
    wb = Workbook()
    wb.active.append(headers)
    wb.active.merge_cells("A1:B1")
    out = io.BytesIO()
    wb.save(out)
    r = api.post(reverse("api:evaluation-import"), {"file": SimpleUploadedFile("x.xlsx", out.getvalue())})
    assert r.status_code == 400 and "có ô gộp ở A1:B1" in r.json()["errors"][0]["message"]
    path = tmp_path / "dang-vien.xlsx"
    path.write_bytes(data)
    assert "có ô gộp ở O3:O4" in cli(path) and not Member.objects.exists()


def test_a_merged_title_above_the_header_is_fine(tree):
    with open_table(io.BytesIO(members_book(title=True)), expect=HEADERS) as table:
        assert table.header_line == 2 and len(list(table.rows())) == 2


# --------------------------------------------------------------------------------------- missing headers


def test_missing_headers_are_listed(cadre, client, tmp_path):
    headers = [h for h in HEADERS if h not in ("Mã chi bộ", "Giới tính")]
    wb = Workbook()
    wb.active.append(headers)
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    post_page(client, "dang-vien.xlsx", data)
    page = client.get(reverse("members:import_job", args=[Job.objects.get().pk])).content.decode()
    assert "Thiếu cột “Giới tính”" in page and "Thiếu cột “Mã chi bộ”" in page
    path = tmp_path / "dang-vien.xlsx"
    path.write_bytes(data)
    said = cli(path)
    assert "Thiếu cột “Giới tính”" in said and "Thiếu cột “Mã chi bộ”" in said
    wb = Workbook()
    wb.active.append(["Năm", "Đối tượng"])
    out = io.BytesIO()
    wb.save(out)
    r = client_for(cadre).post(
        reverse("api:evaluation-import"), {"file": SimpleUploadedFile("x.xlsx", out.getvalue())}
    )
    missing = {e["column"] for e in r.json()["errors"]}
    assert r.status_code == 400 and missing == {"Mã tổ chức", "Số CCCD", "Xếp loại"}


# ----------------------------------------------------------------------------------------- the good file


def test_a_good_file_still_imports(cadre, client):
    r = post_page(client, "dang-vien.xlsx", members_book(title=True))
    check = Job.objects.get()
    assert r.status_code == 302 and check.result["ok"], check.result
    client.post(reverse("members:import_job", args=[check.pk]), {"confirm": "1"})
    assert Member.objects.count() == 2


def test_the_command_line_refuses_without_a_traceback(db, tmp_path, capsys):
    """As `coso import members FILE` runs it (Django's command-line entry, in this process): exit status 1, the
    message on stderr, no traceback."""
    from django.core.management import execute_from_command_line

    path = tmp_path / "dang-vien.xlsx"
    path.write_bytes(OLE)
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["coso", "import", "members", str(path)])
    err = capsys.readouterr().err
    assert exited.value.code == 1 and "Excel 97-2003 .xls" in err and "Traceback" not in err
