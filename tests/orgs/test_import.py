"""The Excel import of organizations: a district's history, every kind of error, all-or-nothing, idempotence."""

from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from simple_history.utils import get_history_model_for_model

from coso.core.excel import table_bytes
from coso.core.scope import SystemReader
from coso.orgs import importer
from coso.orgs import queries as q
from coso.orgs import services as s
from coso.orgs.importer import COLUMNS, import_orgs, template_bytes
from coso.orgs.models import Decision, Organization, OrgPeriod, Restructuring, RestructuringOrg
from tests.conftest import decision, establish

D = dt.date

# Mã, Tên, Loại, Phân loại, Cấp trên, Thành lập, Giải thể, Số QĐ — children before their parents on purpose
DISTRICT = [
    ["C1", "Chi bộ thôn Đông", "Chi bộ trực thuộc", "Thôn, bản", "X1", "01/01/2001", "", "05-QĐ/HU"],
    ["C2", "Chi bộ thôn Tây", "Chi bộ trực thuộc", "Thôn, bản", "X1", "01/01/2001", "15/06/2010", "05-QĐ/HU"],
    ["C3", "Chi bộ cơ quan xã An Lạc", "Chi bộ trực thuộc", "Cơ quan", "X1", "01/01/2001", "01/03/2019", ""],
    ["X1", "Đảng bộ xã An Lạc", "Đảng bộ cơ sở", "", "H", "01/01/2000", "", "01-QĐ/TU"],
    ["C6", "Chi bộ thôn Cũ", "Chi bộ trực thuộc", "Thôn, bản", "X3", "01/01/2002", "01/01/2005", ""],
    ["X2", "Đảng bộ xã Bình Minh", "Đảng bộ cơ sở", "", "H", "01/06/2005", "", "07-QĐ/HU"],
    ["C4", "Chi bộ thôn Bắc", "Chi bộ trực thuộc", "Thôn, bản", "X2", "01/06/2005", "", "07-QĐ/HU"],
    ["C5", "Chi bộ Trạm y tế xã Bình Minh", "Chi bộ trực thuộc", "Trạm y tế", "X2", "10/10/2012", "", ""],
    ["S1", "Chi bộ Trường THPT Yên Phú", "Chi bộ cơ sở", "Trường học", "H", "01/09/2008", "01/01/2020", ""],
    ["H", "Đảng bộ huyện Yên Phú", "Đảng bộ huyện", "", "", "01/01/2000", "", "01-QĐ/TU"],
    ["X3", "Đảng bộ xã Cũ", "Đảng bộ cơ sở", "", "H", "01/01/2000", "01/01/2005", "01-QĐ/TU"],
]

# (date, grassroots under H, cells under grassroots committees under H), computed by hand from DISTRICT
EXPECTED = [
    ("2000-01-01", 2, 0),  # X1, X3
    ("2000-12-31", 2, 0),
    ("2001-01-01", 2, 3),  # + C1, C2, C3
    ("2002-01-01", 2, 4),  # + C6
    ("2004-12-31", 2, 4),
    ("2005-01-01", 1, 3),  # X3 and C6 dissolved (dissolution day does not count)
    ("2005-05-31", 1, 3),
    ("2005-06-01", 2, 4),  # + X2, C4 (establishment day counts)
    ("2008-08-31", 2, 4),
    ("2008-09-01", 3, 4),  # + S1
    ("2010-06-14", 3, 4),
    ("2010-06-15", 3, 3),  # C2 dissolved
    ("2012-10-09", 3, 3),
    ("2012-10-10", 3, 4),  # + C5
    ("2019-02-28", 3, 4),
    ("2019-03-01", 3, 3),  # C3 dissolved
    ("2019-12-31", 3, 3),
    ("2020-01-01", 2, 3),  # S1 dissolved
    ("2025-07-01", 2, 3),
]


def xlsx(rows: list[list[Any]], headers: list[str] | None = None) -> io.BytesIO:
    buf = io.BytesIO(table_bytes("Tổ chức", headers or COLUMNS, rows))
    buf.name = "to-chuc.xlsx"
    return buf


def structure(code: str, on: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("report", "structure", "--org", code, "--as-of", on, "--json", stdout=out)
    return json.loads(out.getvalue())


def errors_of(rows: list[list[Any]], actor: Any = None, headers: list[str] | None = None):
    result = import_orgs(xlsx(rows, headers), actor)
    assert not result.created
    return result.errors


@pytest.mark.django_db
def test_district_history_then_structure_on_every_change_day():
    result = import_orgs(xlsx(DISTRICT), None)
    assert result.errors == []
    assert len(result.created) == len(DISTRICT)
    for on, grassroots, cells in EXPECTED:
        report = structure("H", on)
        assert (on, report["grassroots_total"], report["cells_total"]) == (on, grassroots, cells)
    before = structure("H", "1999-12-31")
    assert before["exists"] is False and before["grassroots_total"] == 0
    r2013 = structure("H", "2013-01-01")
    assert r2013["org"] == "H" and r2013["as_of"] == "2013-01-01"
    assert r2013["by_kind"] == {"Đảng bộ cơ sở": 2, "Chi bộ cơ sở": 1, "Chi bộ trực thuộc": 4}
    assert structure("X1", "2011-01-01")["cells_total"] == 2  # C1, C3
    assert structure("X1", "2011-01-01")["grassroots_total"] == 0  # the organization itself excluded


@pytest.mark.django_db
def test_written_rows_decisions_event_and_history():
    result = import_orgs(xlsx(DISTRICT), None)
    event = result.event
    assert event.op == Restructuring.Op.IMPORT
    assert event.summary == "Nhập 11 tổ chức từ tệp to-chuc.xlsx"
    assert event.on == D(2000, 1, 1)
    links = RestructuringOrg.objects.filter(restructuring=event, role=RestructuringOrg.Role.SUBJECT)
    assert links.count() == 11
    # one decision per distinct number, dated the earliest establishment using it, tied to its first org
    numbers = {d.number: d for d in Decision.objects.all()}
    assert set(numbers) == {"05-QĐ/HU", "01-QĐ/TU", "07-QĐ/HU"}
    assert numbers["01-QĐ/TU"].signed_on == D(2000, 1, 1)
    assert numbers["01-QĐ/TU"].org.code == "X1"
    assert numbers["05-QĐ/HU"].signed_on == D(2001, 1, 1)
    assert numbers["07-QĐ/HU"].org.code == "X2"
    # organizations, periods and paths
    h = Organization.objects.get(code="H")
    c2 = Organization.objects.get(code="C2")
    x1 = Organization.objects.get(code="X1")
    assert c2.dissolved_on == D(2010, 6, 15)
    (period,) = c2.periods.all()
    assert period.path == h.current_path + f"{x1.pk:08d}/{c2.pk:08d}/"
    assert period.depth == 3 and period.parent_id == x1.pk
    assert (period.valid_from, period.valid_to) == (D(2001, 1, 1), D(2010, 6, 15))
    assert period.opened_by == event and period.closed_by == event
    assert period.search_key == "chi bo thon tay"
    assert c2.current_path == period.path
    assert OrgPeriod.objects.filter(opened_by=event).count() == 11
    # history rows for every model with history, with the actor and the reason
    for model, n in ((Organization, 11), (OrgPeriod, 11), (Decision, 3), (Restructuring, 1)):
        hist = get_history_model_for_model(model)
        assert hist.objects.count() == n, model
        assert set(hist.objects.values_list("history_change_reason", flat=True)) == {event.summary}
    assert h.history.count() == 1
    # the decision each organization was established by is recoverable (exports write it back)
    numbers_by_org = importer.establishment_decisions(Organization.objects.all())
    assert (
        numbers_by_org[c2.pk] == "05-QĐ/HU" and numbers_by_org[Organization.objects.get(code="C3").pk] == ""
    )


@pytest.mark.django_db
def test_history_records_the_actor(django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x-very-secret-1")
    result = import_orgs(xlsx(DISTRICT), admin)
    assert result.errors == []
    hist = get_history_model_for_model(OrgPeriod)
    assert set(hist.objects.values_list("history_user", flat=True)) == {admin.pk}
    assert result.event.created_by == admin
    assert set(Decision.objects.values_list("created_by", flat=True)) == {admin.pk}


@pytest.mark.django_db
def test_all_or_nothing_lists_every_error_with_row_and_column():
    rows = [list(r) for r in DISTRICT]
    rows[1][2] = "Chi bộ lạ"  # row 3: unknown kind
    rows[3][5] = "31/02/2000"  # row 5: bad date
    rows[6][4] = "KHONGCO"  # row 8: unknown parent
    errors = errors_of(rows)
    assert [(e.row, e.column) for e in errors] == [
        (3, "Loại"),
        (5, "Ngày thành lập"),
        (8, "Mã tổ chức cấp trên"),
    ]
    assert errors[0].value == "Chi bộ lạ"
    assert errors[1].value == "31/02/2000"
    assert errors[2].value == "KHONGCO"
    assert Organization.objects.count() == 0
    assert OrgPeriod.objects.count() == 0 and Decision.objects.count() == 0
    assert Restructuring.objects.count() == 0
    assert "Dòng 3, cột “Loại”, giá trị “Chi bộ lạ”:" in str(errors[0])


@pytest.mark.django_db
def test_missing_required_column():
    headers = [c for c in COLUMNS if c != "Loại"]
    rows = [[r[0], r[1], *r[3:]] for r in DISTRICT]
    errors = errors_of(rows, headers=headers)
    assert len(errors) == 1
    assert (errors[0].row, errors[0].column) == (1, "Loại")
    assert "Thiếu cột “Loại”" in errors[0].message


@pytest.mark.django_db
def test_optional_columns_may_be_absent_and_headers_are_matched_loosely():
    headers = ["  mã tổ chức ", "TÊN TỔ CHỨC", "Loại", "Mã tổ chức cấp trên", "Ngày thành lập", "Ghi chú"]
    rows = [["H", "Đảng bộ huyện Yên Phú", "Đảng bộ huyện", "", "01/01/2000", "bỏ qua"]]
    result = import_orgs(xlsx(rows, headers), None)
    assert result.errors == [] and len(result.created) == 1


@pytest.mark.django_db
def test_required_cells():
    rows = [
        ["", "", "", "", "", "", "", ""],  # an empty row is skipped, numbering stays Excel's
        ["X", "", "", "", "", "", "", ""],
        ["", "Đảng bộ xã Không Mã", "Đảng bộ cơ sở", "", "", "01/01/2000", "", ""],
    ]
    errors = errors_of(rows)
    assert [(e.row, e.column) for e in errors] == [
        (3, "Tên tổ chức"),
        (3, "Loại"),
        (3, "Ngày thành lập"),
        (4, "Mã tổ chức"),
    ]
    assert all("hãy" in e.message for e in errors)


@pytest.mark.django_db
def test_duplicate_codes_in_file():
    rows = [DISTRICT[9], DISTRICT[3], [*DISTRICT[3][:1], "Đảng bộ xã Khác", *DISTRICT[3][2:]]]
    rows[2][0] = "x1"  # case-insensitive duplicate
    errors = errors_of(rows)
    assert [(e.row, e.column) for e in errors] == [(4, "Mã tổ chức")]
    assert "trùng với dòng 3" in errors[0].message


@pytest.mark.django_db
def test_unknown_kind_and_category_list_valid_names():
    rows = [
        ["H", "Đảng bộ huyện Yên Phú", "Huyện ủy", "", "", "01/01/2000", "", ""],
        ["X1", "Đảng bộ xã An Lạc", "Đảng bộ cơ sở", "Làng", "H", "01/01/2000", "", ""],
    ]
    errors = errors_of(rows)
    assert [(e.row, e.column) for e in errors] == [(2, "Loại"), (3, "Phân loại")]
    assert "“Đảng bộ huyện”" in errors[0].message and "“Chi bộ trực thuộc”" in errors[0].message
    assert "“Thôn, bản”" in errors[1].message and "“Doanh nghiệp”" in errors[1].message


@pytest.mark.django_db
def test_vocabulary_matches_nfc_case_and_accents_when_unique():
    nfd = unicodedata.normalize("NFD", "đảng bộ HUYỆN")
    rows = [
        ["H", "Đảng bộ huyện Yên Phú", nfd, "", "", "01/01/2000", "", ""],
        ["X1", "Đảng bộ xã An Lạc", "dang bo co so", "", "H", "01/01/2000", "", ""],
        ["C1", "Chi bộ thôn Đông", " Chi bộ trực thuộc ", "thon, ban", "X1", "01/01/2001", "", ""],
    ]
    result = import_orgs(xlsx(rows), None)
    assert result.errors == []
    c1 = Organization.objects.get(code="C1").periods.get()
    assert (c1.kind.name, c1.category.name) == ("Chi bộ trực thuộc", "Thôn, bản")


@pytest.mark.django_db
def test_bad_dates_and_dissolution_not_after_establishment():
    rows = [
        ["H", "Đảng bộ huyện Yên Phú", "Đảng bộ huyện", "", "", "2000/13/01", "", ""],
        ["H2", "Đảng bộ huyện Đông Hà", "Đảng bộ huyện", "", "", "01/01/2000", "01/01/2000", ""],
        ["H3", "Đảng bộ huyện Tây Sơn", "Đảng bộ huyện", "", "", "01/01/2000", "31/12/1999", ""],
        ["H4", "Đảng bộ huyện Nam Sơn", "Đảng bộ huyện", "", "", "01/01/2000", "ngày mai", ""],
        ["H5", "Đảng bộ huyện Bắc Sơn", "Đảng bộ huyện", "", "", 20000101, "", ""],
    ]
    errors = errors_of(rows)
    assert [(e.row, e.column) for e in errors] == [
        (2, "Ngày thành lập"),
        (3, "Ngày giải thể"),
        (4, "Ngày giải thể"),
        (5, "Ngày giải thể"),
        (6, "Ngày thành lập"),
    ]
    assert "dd/mm/yyyy" in errors[0].message
    assert "phải sau ngày thành lập" in errors[1].message


@pytest.mark.django_db
def test_real_excel_dates_and_short_text_dates():
    rows = [
        ["H", "Đảng bộ huyện Yên Phú", "Đảng bộ huyện", "", "", dt.datetime(2000, 1, 1), None, ""],
        ["X1", "Đảng bộ xã An Lạc", "Đảng bộ cơ sở", "", "H", "1/7/2000", D(2010, 2, 3), ""],
    ]
    result = import_orgs(xlsx(rows), None)
    assert result.errors == []
    x1 = Organization.objects.get(code="X1")
    assert (x1.established_on, x1.dissolved_on) == (D(2000, 7, 1), D(2010, 2, 3))


@pytest.mark.django_db
def test_unknown_parent_code():
    errors = errors_of([["X1", "Đảng bộ xã An Lạc", "Đảng bộ cơ sở", "", "H9", "01/01/2000", "", ""]])
    assert [(e.row, e.column, e.value) for e in errors] == [(2, "Mã tổ chức cấp trên", "H9")]
    assert "H9" in errors[0].message


@pytest.mark.django_db
def test_cycle_among_rows_and_self_parent():
    rows = [
        ["A", "Đảng bộ cơ sở A", "Đảng bộ cơ sở", "", "B", "01/01/2000", "", ""],
        ["B", "Đảng bộ cơ sở B", "Đảng bộ cơ sở", "", "C", "01/01/2000", "", ""],
        ["C", "Đảng bộ cơ sở C", "Đảng bộ cơ sở", "", "A", "01/01/2000", "", ""],
        ["D", "Chi bộ D", "Chi bộ trực thuộc", "", "A", "01/01/2001", "", ""],
        ["E", "Đảng bộ cơ sở E", "Đảng bộ cơ sở", "", "E", "01/01/2000", "", ""],
    ]
    errors = errors_of(rows)
    assert [(e.row, e.column) for e in errors] == [(r, "Mã tổ chức cấp trên") for r in (2, 3, 4, 6)]
    assert "vòng lặp" in errors[0].message and "ORG.CYCLE" in errors[0].message
    assert "A → B → C → A" in errors[0].message
    assert "chính nó" in errors[3].message


@pytest.mark.django_db
def test_parent_row_must_exist_for_the_childs_whole_life():
    rows = [
        ["H", "Đảng bộ huyện Yên Phú", "Đảng bộ huyện", "", "", "01/01/2000", "01/01/2010", ""],
        ["X1", "Đảng bộ xã An Lạc", "Đảng bộ cơ sở", "", "H", "01/01/1999", "01/01/2010", ""],  # too early
        ["X2", "Đảng bộ xã Bình Minh", "Đảng bộ cơ sở", "", "H", "01/01/2000", "", ""],  # outlives H
        ["X3", "Đảng bộ xã Cũ", "Đảng bộ cơ sở", "", "H", "01/01/2000", "02/01/2010", ""],  # outlives H
        ["X4", "Đảng bộ xã Mới", "Đảng bộ cơ sở", "", "H", "01/01/2000", "01/01/2010", ""],  # fine
    ]
    errors = errors_of(rows)
    assert [(e.row, e.column) for e in errors] == [
        (3, "Ngày thành lập"),
        (4, "Ngày giải thể"),
        (5, "Ngày giải thể"),
    ]
    assert "ORG.PARENT_EXISTS" in errors[0].message and "01/01/2000" in errors[0].message
    assert "không muộn hơn 01/01/2010" in errors[1].message


@pytest.mark.django_db
def test_placement_rule_in_force_on_the_establishment_date():
    rows = [
        ["H", "Đảng bộ huyện Yên Phú", "Đảng bộ huyện", "", "", "01/01/2000", "", ""],
        ["C1", "Chi bộ lạc chỗ", "Chi bộ trực thuộc", "", "H", "01/01/2001", "", ""],
        ["X9", "Đảng bộ xã Mới", "Đảng bộ cơ sở", "", "H", "01/07/2025", "", ""],  # no district level then
        ["X8", "Đảng bộ xã Kịp", "Đảng bộ cơ sở", "", "H", "30/06/2025", "", ""],  # still allowed
        ["T1", "Tổ đảng 1", "Tổ đảng", "", "", "01/01/2001", "", ""],  # a party group needs a parent
    ]
    errors = errors_of(rows)
    assert [(e.row, e.column) for e in errors] == [(3, "Loại"), (4, "Loại"), (6, "Loại")]
    assert "ORG.KIND_PARENT" in errors[0].message and "Điều lệ Đảng" in errors[0].message
    assert "60-NQ/TW" in errors[1].message and "01/07/2025" in errors[1].message


@pytest.mark.django_db
def test_existing_code_with_other_data_is_refused(tree):
    errors = errors_of(
        [["C1", "Chi bộ thôn Đông Mới", "Chi bộ trực thuộc", "Thôn, bản", "X1", "01/01/2001", "", ""]]
    )
    assert [(e.row, e.column) for e in errors] == [(2, "Mã tổ chức")]
    assert "mã đã tồn tại; dùng thao tác thay đổi tổ chức" in errors[0].message
    assert "Tên tổ chức" in errors[0].message


@pytest.mark.django_db
def test_existing_identical_rows_are_skipped(tree):
    # the tree fixture's C1 exactly as the database has it (decision 01-QĐ/TU from conftest)
    row = ["c1", "Chi bộ thôn Đông", "Chi bộ trực thuộc", "Thôn, bản", "X1", "01/01/2001", "", "01-QĐ/TU"]
    new = ["C9", "Chi bộ thôn Mới", "Chi bộ trực thuộc", "Thôn, bản", "C1", "01/01/2010", "", ""]
    result = import_orgs(xlsx([row]), None)
    assert result.errors == [] and result.created == [] and len(result.plan.skipped) == 1
    # a child of a skipped row hangs under the organization in the database
    new[4] = "X1"
    result = import_orgs(xlsx([row, new]), None)
    assert result.errors == [] and [o.code for o in result.created] == ["C9"]
    assert q.structure(SystemReader(), tree["X1"], D(2010, 1, 1)).cells_total == 4


@pytest.mark.django_db
def test_reimporting_the_same_file_is_idempotent():
    assert import_orgs(xlsx(DISTRICT), None).errors == []
    counts = (Organization.objects.count(), OrgPeriod.objects.count(), Decision.objects.count())
    again = import_orgs(xlsx(DISTRICT), None)
    assert again.errors == [] and again.created == [] and len(again.plan.skipped) == len(DISTRICT)
    assert (Organization.objects.count(), OrgPeriod.objects.count(), Decision.objects.count()) == counts
    assert Restructuring.objects.count() == 1
    more = import_orgs(
        xlsx([*DISTRICT, ["C7", "Chi bộ thôn Nam", "Chi bộ trực thuộc", "", "X2", "01/01/2015", "", ""]]),
        None,
    )
    assert more.errors == [] and [o.code for o in more.created] == ["C7"]
    assert structure("H", "2015-01-01")["cells_total"] == 5


@pytest.mark.django_db
def test_child_follows_a_database_parent_that_moved(tree):
    s.move(None, tree["X1"], new_parent=tree["H2"], on=D(2020, 1, 1), decision=decision("5", D(2019, 12, 1)))
    move_event = Restructuring.objects.get(op=Restructuring.Op.MOVE)
    rows = [
        ["C8", "Chi bộ thôn Giữa", "Chi bộ trực thuộc", "Thôn, bản", "X1", "01/01/2010", "", ""],
        ["TD", "Tổ đảng 1", "Tổ đảng", "", "C8", "01/01/2015", "01/01/2022", ""],
    ]
    result = import_orgs(xlsx(rows), None)
    assert result.errors == []
    c8 = Organization.objects.get(code="C8")
    td = Organization.objects.get(code="TD")
    p1, p2 = c8.periods.order_by("valid_from")
    x1_before, x1_after = tree["X1"].periods.order_by("valid_from")
    assert (p1.valid_from, p1.valid_to, p2.valid_from, p2.valid_to) == (
        D(2010, 1, 1),
        D(2020, 1, 1),
        D(2020, 1, 1),
        None,
    )
    assert p1.path == x1_before.path + f"{c8.pk:08d}/" and p2.path == x1_after.path + f"{c8.pk:08d}/"
    assert p1.opened_by == result.event and p1.closed_by == move_event and p2.opened_by == move_event
    t1, t2 = td.periods.order_by("valid_from")
    assert t1.path == p1.path + f"{td.pk:08d}/" and t2.path == p2.path + f"{td.pk:08d}/"
    assert (t1.valid_to, t2.valid_to) == (D(2020, 1, 1), D(2022, 1, 1)) and t2.closed_by == result.event
    assert t1.parent_id == c8.pk
    assert c8.current_path == p2.path and td.current_path == t2.path
    u = SystemReader()
    assert q.structure(u, tree["H1"], D(2019, 12, 31)).cells_total == 4
    assert q.structure(u, tree["H2"], D(2020, 1, 1)).cells_total == 5
    assert q.structure(u, tree["H2"], D(2020, 1, 1)).by_kind["Tổ đảng"] == 1


@pytest.mark.django_db
def test_database_parent_must_exist_for_the_childs_whole_life(tree):
    s.dissolve(None, tree["C3"], on=D(2019, 4, 1), decision=decision("12-QĐ/HU", D(2019, 3, 20)))
    rows = [
        ["TA", "Tổ đảng A", "Tổ đảng", "", "C3", "01/01/2010", "", ""],  # outlives C3
        ["TB", "Tổ đảng B", "Tổ đảng", "", "C3", "01/01/2000", "01/01/2010", ""],  # before C3
        ["TC", "Tổ đảng C", "Tổ đảng", "", "C3", "01/01/2010", "01/04/2019", ""],  # fine
    ]
    errors = errors_of(rows)
    assert [(e.row, e.column) for e in errors] == [(2, "Ngày giải thể"), (3, "Ngày thành lập")]
    assert "01/04/2019" in errors[0].message


@pytest.mark.django_db
def test_scope_of_the_actor(tree, django_user_model):
    from coso.accounts.models import RoleGrant

    user = django_user_model.objects.create_user("canbo", password="x-very-secret-1")
    RoleGrant.objects.create(user=user, role="org_commission", org=tree["H1"])
    viewer = django_user_model.objects.create_user("xem", password="x-very-secret-1")
    RoleGrant.objects.create(user=viewer, role="viewer", org=tree["H1"])
    ok = ["C8", "Chi bộ thôn Giữa", "Chi bộ trực thuộc", "Thôn, bản", "X1", "01/01/2010", "", ""]
    other = ["C9", "Chi bộ thôn Ngoài", "Chi bộ trực thuộc", "Thôn, bản", "X2", "01/01/2010", "", ""]
    top = ["H9", "Đảng bộ huyện Mới", "Đảng bộ huyện", "", "T", "01/01/2010", "", ""]
    top[4] = ""
    errors = errors_of([ok, other, top], actor=user)
    assert [(e.row, e.column) for e in errors] == [(3, "Mã tổ chức cấp trên"), (4, "Mã tổ chức cấp trên")]
    assert "không có quyền" in errors[0].message and "quản trị toàn hệ thống" in errors[1].message
    assert [e.row for e in errors_of([ok], actor=viewer)] == [2]
    result = import_orgs(xlsx([ok]), user)
    assert result.errors == [] and [o.code for o in result.created] == ["C8"]


@pytest.mark.django_db
def test_superuser_may_import_top_level(django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x-very-secret-1")
    assert import_orgs(xlsx(DISTRICT), admin).errors == []


@pytest.mark.django_db
def test_dry_run_writes_nothing():
    result = import_orgs(xlsx(DISTRICT), None, dry_run=True)
    assert result.errors == [] and result.dry_run and len(result.plan.to_create) == 11
    assert result.plan.by_kind()["Chi bộ trực thuộc"] == 6
    assert Organization.objects.count() == 0


@pytest.mark.django_db
def test_validate_then_apply_with_plain_rows():
    rows = [dict(zip(COLUMNS, r, strict=True)) for r in DISTRICT]
    plan = importer.validate(rows, None, filename="tay.xlsx")
    assert plan.ok and plan.errors == []
    result = importer.apply(plan, None)
    assert len(result.created) == 11 and "tay.xlsx" in result.event.summary
    bad = importer.validate([{**rows[0], "Loại": "?"}], None)
    with pytest.raises(s.DomainError):
        importer.apply(bad, None)


@pytest.mark.django_db
def test_apply_refuses_when_the_database_changed_after_validate(tree):
    rows = [
        dict(
            zip(
                COLUMNS,
                ["C8", "Chi bộ thôn Giữa", "Chi bộ trực thuộc", "", "X1", "01/01/2010", "", ""],
                strict=True,
            )
        )
    ]
    plan = importer.validate(rows, None)
    assert plan.ok
    s.move(None, tree["X1"], new_parent=tree["H2"], on=D(2020, 1, 1), decision=decision("5", D(2019, 12, 1)))
    with pytest.raises(s.DomainError) as e:
        importer.apply(plan, None)
    assert "vừa có thay đổi" in e.value.message
    establish("C8", "Chi bộ khác", "Chi bộ trực thuộc", tree["X2"], on=D(2012, 1, 1))
    plan2 = importer.validate([{**rows[0], "Mã tổ chức": "C7"}], None)
    establish("C7", "Chi bộ khác nữa", "Chi bộ trực thuộc", tree["X2"], on=D(2012, 1, 1))
    with pytest.raises(s.DomainError):
        importer.apply(plan2, None)
    assert not Organization.objects.filter(code="C8", periods__name="Chi bộ thôn Giữa").exists()


@pytest.mark.django_db
def test_not_an_xlsx_file():
    buf = io.BytesIO(b"Ma,Ten\nX,Y\n")
    buf.name = "to-chuc.csv"
    result = import_orgs(buf, None)
    assert len(result.errors) == 1
    assert result.errors[0].row == 0 and ".xlsx" in result.errors[0].message
    empty = import_orgs(xlsx([]), None)
    assert [e.row for e in empty.errors] == [0] and "không có dòng dữ liệu" in empty.errors[0].message


@pytest.mark.django_db
def test_header_below_a_title_and_blank_rows_keep_excel_row_numbers():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Danh sách tổ chức đảng huyện Yên Phú"])
    ws.append([])
    ws.append(COLUMNS)
    ws.append(DISTRICT[9])
    ws.append([])
    ws.append(["X1", "Đảng bộ xã An Lạc", "Đảng bộ cơ sở", "", "H", "01/01/2000", "", "01-QĐ/TU"])
    ws.append(["X2", "Đảng bộ xã Bình Minh", "Đảng bộ cơ sở", "", "H", "32/01/2000", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    errors = import_orgs(buf, None).errors
    assert [(e.row, e.column) for e in errors] == [(7, "Ngày thành lập")]


@pytest.mark.django_db
def test_template_headers_examples_and_guide():
    wb = openpyxl.load_workbook(io.BytesIO(template_bytes()))
    sheet, guide = wb.worksheets
    assert [c.value for c in sheet[1]] == [
        "Mã tổ chức",
        "Tên tổ chức",
        "Loại",
        "Phân loại",
        "Mã tổ chức cấp trên",
        "Ngày thành lập",
        "Ngày giải thể",
        "Số quyết định",
    ]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert 2 <= sheet.max_row - 1 <= 3
    assert sheet["F2"].number_format == "dd/mm/yyyy"
    assert guide.title == "Hướng dẫn"
    text = " ".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    for name in ("Đảng bộ cơ sở", "Chi bộ trực thuộc", "Tổ đảng", "Thôn, bản", "Doanh nghiệp", "dd/mm/yyyy"):
        assert name in text
    # the examples themselves import cleanly
    result = import_orgs(io.BytesIO(template_bytes()), None)
    assert result.errors == [] and len(result.created) == sheet.max_row - 1


@pytest.mark.django_db
def test_many_rows_without_a_query_per_row(django_assert_max_num_queries):
    rows = [["H", "Đảng bộ huyện Lớn", "Đảng bộ huyện", "", "", "01/01/2000", "", "01-QĐ/TU"]]
    for i in range(60):
        rows.append([f"X{i}", f"Đảng bộ xã {i}", "Đảng bộ cơ sở", "", "H", "01/01/2000", "", "01-QĐ/TU"])
        for j in range(40):
            rows.append(
                [
                    f"X{i}C{j}",
                    f"Chi bộ thôn {j}",
                    "Chi bộ trực thuộc",
                    "Thôn, bản",
                    f"X{i}",
                    "01/01/2001",
                    "",
                    f"{i}-QĐ",
                ]
            )
    rows.reverse()  # children first
    data = xlsx(rows)
    with django_assert_max_num_queries(150):
        result = import_orgs(data, None)
    assert result.errors == [] and len(result.created) == len(rows) == 2461
    assert structure("H", "2001-01-01")["cells_total"] == 2400
    assert Decision.objects.count() == 61


@pytest.mark.django_db
def test_read_an_uploaded_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("huyen.xlsx", xlsx(DISTRICT).getvalue())
    preview = importer.read(upload, None)
    assert preview.ok and len(preview.to_create) == 11 and preview.filename == "huyen.xlsx"
    assert Organization.objects.count() == 0
    result = import_orgs(upload, None, filename="Danh sách huyện.xlsx")
    assert result.ok and "Danh sách huyện.xlsx" in result.event.summary
