"""The fast .xlsx reader of coso.core.excel gives what openpyxl gives, for the cells offices type."""

import datetime as dt

from openpyxl import Workbook, load_workbook

from coso.core.excel import _sheet_rows, open_table


def _write(path, write_only):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("Trang 1") if write_only else wb.active
    rows = [
        ["Họ và tên", "Ngày sinh", "Số", "Đúng", "Ghi chú"],
        ["Nguyễn Văn An", dt.date(1980, 5, 12), 12, True, None],
        ["Trần Thị Bình", dt.datetime(1975, 1, 2, 0, 0), 3.5, False, "có dấu: Đặng Ưng Ý"],
        [None, None, None, None, None],
        ["Lê  Cường", "01/02/1990", "001080012345", None, "=A2"],
    ]
    for row in rows:
        ws.append(row)
    if not write_only:
        ws["G9"] = "xa"  # a cell far to the right and a gap of rows
    wb.save(path)


def _openpyxl_rows(path):
    wb = load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    ws.reset_dimensions()
    out = []
    for n, row in enumerate(ws.iter_rows(values_only=True), 1):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        if values:
            out.append((n, tuple(values)))
    wb.close()
    return out


def _fast_rows(path):
    wb = load_workbook(path, read_only=True, data_only=True)
    out = []
    for n, row in _sheet_rows(wb, wb.worksheets[0]):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        if values:
            out.append((n, tuple(values)))
    wb.close()
    return out


def test_same_values_as_openpyxl(tmp_path):
    for write_only in (True, False):
        path = tmp_path / f"t{write_only}.xlsx"
        _write(path, write_only)
        assert _fast_rows(path) == _openpyxl_rows(path)
        with open_table(path, expect=["Họ và tên"]) as table:
            rows = list(table.rows())
        assert [r.line for r in rows][:3] == [2, 3, 5]
        assert rows[0].get("Ngày sinh") == dt.datetime(1980, 5, 12)
        assert rows[1].get("Ghi chú") == "có dấu: Đặng Ưng Ý"
