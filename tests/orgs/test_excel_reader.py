"""The .xlsx reader of coso.core.excel (calamine) gives the values openpyxl gives, for the cells offices type:
text, whole and decimal numbers, booleans, dates (a `date`, or a `datetime` when the cell carries a time), the
row numbers Excel shows, a table that does not start in column A."""

import datetime as dt

import pytest
from openpyxl import Workbook, load_workbook

from coso.core.excel import ExcelError, open_table


def _write(path, write_only, offset=0):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("Trang 1") if write_only else wb.active
    rows = [
        ["Họ và tên", "Ngày sinh", "Số", "Đúng", "Ghi chú"],
        ["Nguyễn Văn An", dt.date(1980, 5, 12), 12, True, None],
        ["Trần Thị Bình", dt.datetime(1975, 1, 2, 0, 0), 3.5, False, "có dấu: Đặng Ưng Ý"],
        [None, None, None, None, None],
        # (formulas are in tests/deploy/test_hostile_uploads.py)
        ["Lê  Cường", "01/02/1990", "001080012345", None, None],
        ["Phạm Dũng", dt.datetime(1975, 1, 2, 10, 30), 123456789012, None, None],
    ]
    for row in rows:
        ws.append([None] * offset + row)
    if not write_only:
        ws["H9"] = "xa"  # a cell far to the right and a gap of rows
    wb.save(path)


def _normal(value):
    """openpyxl's value as the reader gives it: a date without a time as a `date`."""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    return value


def _openpyxl_rows(path):
    wb = load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    ws.reset_dimensions()
    out = []
    for n, row in enumerate(ws.iter_rows(values_only=True), 1):
        values = [_normal(v) for v in row]
        if any(v is not None for v in values):
            out.append((n, tuple(values)))
    wb.close()
    return out


def _trimmed(rows):
    out = []
    for n, values in rows:
        values = list(values)
        while values and values[-1] is None:
            values.pop()
        out.append((n, tuple(values)))
    return out


@pytest.mark.parametrize("offset", [0, 2])
@pytest.mark.parametrize("write_only", [True, False])
def test_same_values_as_openpyxl(tmp_path, write_only, offset):
    path = tmp_path / f"t{write_only}{offset}.xlsx"
    _write(path, write_only, offset)
    with open_table(path, expect=["Họ và tên"]) as table:
        assert table.header_line == 1
        assert table.headers[offset : offset + 2] == ["Họ và tên", "Ngày sinh"]
        rows = list(table.rows())
    assert [r.line for r in rows] == [2, 3, 5, 6] + ([9] if not write_only else [])
    assert rows[0].get("Ngày sinh") == dt.date(1980, 5, 12)
    assert rows[0].get("Số") == 12 and isinstance(rows[0].get("Số"), int)
    assert rows[0].get("Đúng") is True and rows[0].get("Ghi chú") is None
    assert rows[1].get("Số") == 3.5
    assert rows[1].get("Ghi chú") == "có dấu: Đặng Ưng Ý"
    assert rows[2].get("Ngày sinh") == "01/02/1990" and rows[2].get("Số") == "001080012345"
    assert rows[2].get("Ghi chú") is None
    assert rows[3].get("Ngày sinh") == dt.datetime(1975, 1, 2, 10, 30)
    assert rows[3].get("Số") == 123456789012
    whole = _openpyxl_rows(path)
    got = [(r.line, tuple(r.values.get(h) for h in table.headers if h)) for r in rows]
    want = [
        (n, tuple(v for h, v in zip(table.headers, values, strict=False) if h)) for n, values in whole[1:]
    ]
    assert _trimmed(got) == _trimmed(want)


def test_not_an_xlsx_says_what_to_do(tmp_path):
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(b"Ho va ten;Ngay sinh\n")
    with pytest.raises(ExcelError, match="không phải tệp Excel .xlsx hợp lệ"):
        open_table(path)
    with pytest.raises(ExcelError, match="Không tìm thấy tệp"):
        open_table(tmp_path / "khong-co.xlsx")
