"""Excel exports: the organization list (re-importable) and the structure report."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.db import transaction

from coso.core.excel import open_table
from coso.core.scope import SystemReader
from coso.orgs import queries as q
from coso.orgs import services as s
from coso.orgs.exports import org_list_xlsx, structure_xlsx
from coso.orgs.filters import OrgFilter
from coso.orgs.importer import COLUMNS, import_orgs
from coso.orgs.models import Organization
from tests.conftest import decision
from tests.orgs.test_import import DISTRICT, EXPECTED, xlsx

D = dt.date
READER = SystemReader()


def export(on: dt.date) -> bytes:
    return org_list_xlsx(OrgFilter({}, queryset=q.periods(READER, on), as_of=on).qs, on)


def reports(codes: list[str], dates: list[dt.date]) -> dict:
    result = {}
    for code in codes:
        org = Organization.objects.get(code=code)
        for on in dates:
            result[code, on] = q.structure(READER, org, on).as_json()
    return result


def test_list_columns_formats_and_values(tree):
    s.dissolve(None, tree["C3"], on=D(2019, 4, 1), decision=decision("12-QĐ/HU", D(2019, 3, 20)))
    wb = openpyxl.load_workbook(io.BytesIO(export(D(2019, 1, 1))))
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header[: len(COLUMNS)] == COLUMNS
    assert header[len(COLUMNS) :] == ["Cấp trên (tên)", "Tình trạng"]
    assert ws.freeze_panes == "A2" and all(c.font.b for c in ws[1])
    assert ws.column_dimensions["B"].width >= len("Chi bộ Trường THPT Yên Phú")
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert set(rows) == {"T", "H1", "H2", "X1", "X2", "C1", "C2", "C3", "C4", "S1"}
    c3 = [c.value for c in rows["C3"]]
    assert c3[:5] == ["C3", "Chi bộ cơ quan xã An Lạc", "Chi bộ trực thuộc", "Cơ quan", "X1"]
    assert c3[5].date() == D(2001, 1, 1) and rows["C3"][5].number_format == "dd/mm/yyyy"
    assert c3[6].date() == D(2019, 4, 1)
    assert c3[7] == "01-QĐ/TU"
    assert c3[8] == "Đảng bộ xã An Lạc" and c3[9] == "Giải thể từ ngày 01/04/2019"
    assert rows["T"][4].value is None and rows["T"][9].value == "Đang hoạt động"


def test_export_reimported_into_the_same_database_changes_nothing(tree):
    result = import_orgs(io.BytesIO(export(D(2010, 1, 1))), None)
    assert result.errors == [] and result.created == [] and len(result.plan.skipped) == 10


@pytest.mark.django_db
def test_round_trip_into_an_empty_database():
    on = D(2013, 1, 1)
    dates = [on, D(2015, 6, 1), D(2019, 3, 1), D(2020, 1, 1), D(2025, 7, 1)]
    codes = ["H", "X1", "X2"]
    with transaction.atomic():
        assert import_orgs(xlsx(DISTRICT), None).errors == []
        before = reports(codes, dates)
        data = export(on)
        transaction.set_rollback(True)
    assert Organization.objects.count() == 0
    result = import_orgs(io.BytesIO(data), None)
    assert result.errors == []
    assert len(result.created) == 8  # X3, C6 and C2 no longer existed on 01/01/2013
    assert reports(codes, dates) == before
    expected = {d: (g, c) for d, g, c in EXPECTED}
    h = Organization.objects.get(code="H")
    for when in ("2012-10-10", "2019-03-01", "2020-01-01"):
        report = q.structure(READER, h, D.fromisoformat(when))
        assert (report.grassroots_total, report.cells_total) == expected[when]


def test_structure_xlsx(tree):
    report = q.structure(READER, tree["T"], D(2010, 1, 1))
    wb = openpyxl.load_workbook(io.BytesIO(structure_xlsx(report)))
    ws, detail = wb.worksheets
    assert ws["A1"].value == "Cơ cấu tổ chức của Đảng bộ tỉnh Sông Lam (T)" and ws["A1"].font.b
    assert ws["A2"].value == "Tính đến ngày 01/01/2010"
    values = {r[0]: r[1] for r in ws.iter_rows(min_row=5, values_only=True) if r and r[0]}
    assert values["Tổ chức cơ sở đảng (đảng bộ cơ sở, chi bộ cơ sở)"] == 3
    assert values["Chi bộ trực thuộc đảng ủy cơ sở"] == 4
    assert values["Tổng số tổ chức trực thuộc (mọi cấp)"] == 9
    assert values["Đảng bộ huyện"] == 2 and values["Chi bộ trực thuộc"] == 4
    assert ws.freeze_panes == "A5"
    rows = [r for r in detail.iter_rows(min_row=5, values_only=True)]
    assert ("Chi bộ trực thuộc", "Thôn, bản", 3) in rows and ("Chi bộ trực thuộc", "Cơ quan", 1) in rows
    gone = q.structure(READER, tree["T"], D(1990, 1, 1))
    ws = openpyxl.load_workbook(io.BytesIO(structure_xlsx(gone))).worksheets[0]
    assert "không tồn tại" in ws["A2"].value


def test_open_table_reads_the_export_streaming(tree):
    with open_table(io.BytesIO(export(D(2010, 1, 1))), expect=COLUMNS) as table:
        assert table.header_line == 1 and table.headers[: len(COLUMNS)] == COLUMNS
        first = next(table.rows())
    assert first.line == 2 and first.get("Mã tổ chức")
