"""Member reads as of a date: statistics reproduce what the services entered, lists, search, scope, structure."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from coso.accounts.models import User
from coso.accounts.services import grant_role
from coso.core.dates import add_months, years_before
from coso.core.scope import SystemReader
from coso.members import exports, rules
from coso.members import queries as q
from coso.members import services as m
from coso.members.models import Occupation, Qualification, Status
from tests.members.test_services import admit, ident

D = dt.date
SYSTEM = SystemReader()


def stats(org, on, **kw):
    return q.statistics(SYSTEM, org, on, **kw)


def names(qs):
    return [x.full_name for x in qs]


@pytest.fixture
def story(tree):
    """Entered through the services, in this order:
    2015-01-05 Bình (F, 1980) and three agency members admitted to C3; Bình recognised 2016-01-05
    2019-04-01 bulk move of C3 (dissolved agency cell) → C1, C2
    2020-03-01 An (M, 1990-05-10) admitted to C1 with a profile; recognised 2021-03-01
    2022-05-15 An's official transfer C1 → C4 (X2) arrives
    2023-01-09 Bình dies
    """
    nong_dan = Occupation.objects.get(name="Nông dân")
    dai_hoc = Qualification.objects.get(name="Đại học")
    binh = m.admit(
        None,
        ident("Trần Thị Bình", D(1980, 1, 2), gender="F"),
        cell=tree["C3"],
        admission_decided_on=D(2014, 12, 20),
        joined_on=D(2015, 1, 5),
    )
    agency = [
        admit(tree["C3"], name=f"Lê Văn Cán {i}", joined=D(2015, 1, 5), birth=D(1970, 1, i + 1))
        for i in range(3)
    ]
    m.recognise(None, binh, on=D(2016, 1, 5))
    for p in agency:
        m.recognise(None, p, on=D(2016, 1, 5))
    snapshots = {on: stats(tree["X1"], on).as_json() for on in (D(2015, 6, 1), D(2019, 3, 31))}
    everyone = [binh, *agency]
    mapping = {p.pk: (tree["C1"] if i % 2 == 0 else tree["C2"]) for i, p in enumerate(everyone)}
    m.bulk_move(None, tree["C3"], mapping, on=D(2019, 4, 1), reason="Giải thể chi bộ cơ quan")
    an = admit(
        tree["C1"],
        joined=D(2020, 3, 1),
        profile=m.Profile(
            education="12/12", qualification=dai_hoc, theory_level="so_cap", occupation=nong_dan
        ),
    )
    snapshots[D(2020, 6, 1)] = stats(tree["X1"], D(2020, 6, 1)).as_json()
    m.recognise(None, an, on=D(2021, 3, 1))
    t = m.issue_transfer(None, an, m.TransferInput(kind="official", left_on=D(2022, 5, 2), to_org=tree["C4"]))
    m.confirm_arrival(None, t, on=D(2022, 5, 15))
    m.end_membership(None, binh, status=Status.DECEASED, on=D(2023, 1, 9))
    return {"tree": tree, "an": an, "binh": binh, "agency": agency, "snapshots": snapshots}


def test_statistics_at_several_dates(story):
    tree = story["tree"]
    x1, x2, t = tree["X1"], tree["X2"], tree["T"]
    s = stats(x1, D(2015, 1, 4))
    assert (s.total, s.official, s.probationary) == (0, 0, 0)
    s = stats(x1, D(2015, 1, 5))  # admission
    assert (s.total, s.official, s.probationary) == (4, 0, 4)
    assert s.by_gender == {"Nam": 3, "Nữ": 1}
    s = stats(x1, D(2016, 1, 5))  # recognition
    assert (s.total, s.official, s.probationary) == (4, 4, 0)
    # the bulk move stays inside X1 but empties C3
    assert stats(tree["C3"], D(2019, 3, 31)).total == 4
    assert stats(tree["C3"], D(2019, 4, 1)).total == 0
    assert stats(tree["C1"], D(2019, 4, 1)).total == 2 and stats(tree["C2"], D(2019, 4, 1)).total == 2
    assert stats(x1, D(2019, 4, 1)).total == 4
    s = stats(x1, D(2020, 3, 1))  # An admitted
    assert (s.total, s.official, s.probationary) == (5, 4, 1)
    assert s.by_theory_level["Sơ cấp"] == 1 and s.by_theory_level["Chưa qua đào tạo"] == 4
    assert s.by_occupation == {"Nông dân": 1, q.UNKNOWN: 4}
    assert s.by_qualification == {"Đại học": 1, q.UNKNOWN: 4}
    assert s.by_education == {"12/12": 1, q.UNKNOWN: 4}
    assert s.by_ethnicity == {"Kinh": 5} and s.by_religion == {"Không": 5}
    s = stats(x1, D(2021, 3, 1))
    assert (s.total, s.official, s.probationary) == (5, 5, 0)
    # the transfer: counted at home until the receiving cell confirms arrival
    assert stats(x1, D(2022, 5, 14)).total == 5 and stats(x2, D(2022, 5, 14)).total == 0
    assert stats(x1, D(2022, 5, 15)).total == 4 and stats(x2, D(2022, 5, 15)).total == 1
    assert stats(t, D(2022, 5, 14)).total == stats(t, D(2022, 5, 15)).total == 5
    # the death
    assert stats(x1, D(2023, 1, 8)).total == 4
    s = stats(x1, D(2023, 1, 9))
    assert (s.total, s.official) == (3, 3) and s.by_gender == {"Nam": 3, "Nữ": 0}


def test_past_statistics_do_not_change_after_later_operations(story):
    x1 = story["tree"]["X1"]
    for on, before in story["snapshots"].items():
        assert stats(x1, on).as_json() == before, on


def test_movements(story):
    tree = story["tree"]
    x1, x2, t = tree["X1"], tree["X2"], tree["T"]

    def mv(org, year):
        return stats(org, D(year, 12, 31), period_from=D(year, 1, 1)).movements

    assert mv(x1, 2015)["admitted"] == 4 and mv(x1, 2016)["recognised"] == 4
    assert mv(x1, 2019)["transferred_in"] == mv(x1, 2019)["transferred_out"] == 0  # inside X1
    assert mv(tree["C3"], 2019)["transferred_out"] == 4
    assert mv(tree["C1"], 2019)["transferred_in"] == 2
    assert mv(x1, 2020)["admitted"] == 1 and mv(x1, 2021)["recognised"] == 1
    assert mv(x1, 2022)["transferred_out"] == 1 and mv(x1, 2022)["transferred_in"] == 0
    assert mv(x2, 2022)["transferred_in"] == 1 and mv(x2, 2022)["admitted"] == 0
    assert mv(t, 2022)["transferred_in"] == mv(t, 2022)["transferred_out"] == 0
    assert mv(x1, 2023)["deceased"] == 1 and mv(x1, 2023)["transferred_out"] == 0
    # the balance: end = start + admitted + in - out - exits
    for org in (x1, x2, tree["C1"], tree["C3"]):
        for year in range(2015, 2024):
            moves = mv(org, year)
            exits = sum(moves[k] for k in ("removed", "expelled", "deceased", "left", "not_recognised"))
            start = stats(org, D(year - 1, 12, 31)).total
            end = stats(org, D(year, 12, 31)).total
            assert (
                end == start + moves["admitted"] + moves["transferred_in"] - moves["transferred_out"] - exits
            )


def test_default_period_is_the_year(story):
    s = stats(story["tree"]["X1"], D(2023, 6, 1))
    assert s.period_from == D(2023, 1, 1) and s.movements["deceased"] == 1


def test_age_and_party_age_bands_at_their_boundaries(tree):
    a = admit(tree["C1"], joined=D(2015, 1, 5), birth=D(1990, 5, 10))
    assert stats(tree["X1"], D(2020, 5, 9)).by_age_band["Dưới 30"] == 1
    assert stats(tree["X1"], D(2020, 5, 10)).by_age_band["30-40"] == 1
    assert stats(tree["X1"], D(2025, 1, 4)).by_party_age["Dưới 10 năm"] == 1
    assert stats(tree["X1"], D(2025, 1, 5)).by_party_age["10-19"] == 1
    assert list(stats(tree["X1"], D(2025, 1, 5)).by_age_band) == [b[0] for b in q.AGE_BANDS]
    assert a.birth_date == D(1990, 5, 10)
    assert years_before(D(2020, 2, 29), 19) == D(2001, 2, 28)


def test_profile_changes_are_dated(tree):
    a = admit(tree["C1"], joined=D(2015, 1, 5), profile=m.Profile(theory_level="so_cap"))
    m.update_profile(None, a, on=D(2022, 1, 1), profile=m.Profile(theory_level="trung_cap"))
    assert stats(tree["X1"], D(2021, 12, 31)).by_theory_level["Sơ cấp"] == 1
    after = stats(tree["X1"], D(2022, 1, 1)).by_theory_level
    assert after["Trung cấp"] == 1 and after["Sơ cấp"] == 0


def test_temporary_member_counted_at_home_and_listed_where_attending(tree):
    a = admit(tree["C1"])
    t = m.issue_transfer(
        None,
        a,
        m.TransferInput(kind="temporary", left_on=D(2022, 1, 3), to_org=tree["C4"], return_due=D(2022, 9, 1)),
    )
    m.confirm_arrival(None, t, on=D(2022, 1, 10))
    on = D(2022, 3, 1)
    assert stats(tree["X1"], on).total == 1 and stats(tree["X2"], on).total == 0
    assert names(q.attending_under(SYSTEM, tree["X2"], on)) == ["Nguyễn Văn An"]
    assert names(q.attending_under(SYSTEM, tree["X1"], on)) == []
    assert names(q.members_under(SYSTEM, tree["X2"], on)) == []


def test_vietnamese_order_and_accent_insensitive_search(tree):
    for i, name in enumerate(
        ["Vũ Thị Hà", "Hoàng Minh Đức", "Nguyễn Văn An", "Lê Văn Dũng", "Trần Thị Bình"]
    ):
        admit(tree["C1"] if i % 2 else tree["C2"], name=name, birth=D(1980, 1, i + 1))
    on = D(2020, 6, 1)
    assert names(q.members_under(SYSTEM, tree["X1"], on)) == [
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Lê Văn Dũng",
        "Hoàng Minh Đức",
        "Vũ Thị Hà",
    ]
    assert names(q.members_under(SYSTEM, tree["X1"], on, q="nguyen van an")) == ["Nguyễn Văn An"]
    assert names(q.members_under(SYSTEM, tree["X1"], on, q="  NGUYỄN văn ")) == ["Nguyễn Văn An"]
    assert names(q.members_under(SYSTEM, tree["X1"], on, q="duc")) == ["Hoàng Minh Đức"]
    assert names(q.members_under(SYSTEM, tree["C1"], on)) == ["Lê Văn Dũng", "Hoàng Minh Đức"]
    assert names(q.members_under(SYSTEM, tree["X1"], on, status=Status.OFFICIAL)) == []
    row = q.members_under(SYSTEM, tree["X1"], on, q="an").first()
    assert row.status_on == Status.PROBATIONARY and row.cell_id == tree["C2"].pk


def test_scope_another_commune_sees_nothing(tree):
    admit(tree["C1"])
    other = User.objects.create_user("b.x2", password="mat-khau-dai-123")
    grant_role(None, user=other, role="org_commission", org=tree["X2"])
    own = User.objects.create_user("a.x1", password="mat-khau-dai-123")
    grant_role(None, user=own, role="viewer", org=tree["X1"])
    on = D(2020, 6, 1)
    assert list(q.members_under(other, tree["X1"], on)) == []
    assert list(q.members_under(other, tree["T"], on)) == []
    assert q.statistics(other, tree["X1"], on).total == 0
    assert rules.structure_warnings(other, tree["X1"], on) == []
    assert q.due_recognitions(other, tree["X1"], D(2021, 6, 1)) == []
    assert not q.members(other).exists()
    assert names(q.members_under(own, tree["T"], on)) == ["Nguyễn Văn An"]
    assert q.statistics(own, tree["X1"], on).total == 1
    assert q.members(own).count() == 1


def test_due_and_overdue_recognitions(tree):
    a = admit(tree["C1"], joined=D(2020, 3, 1))
    admit(tree["C2"], name="Trần Thị Bình", joined=D(2020, 4, 1))
    assert q.due_recognitions(SYSTEM, tree["X1"], D(2021, 2, 28)) == []
    due = q.due_recognitions(SYSTEM, tree["X1"], D(2021, 3, 1))
    assert [(d.member.pk, d.probation_end, d.overdue) for d in due] == [(a.pk, D(2021, 3, 1), False)]
    due = q.due_recognitions(SYSTEM, tree["X1"], D(2021, 4, 1))
    assert [(d.member.full_name, d.days_past, d.overdue) for d in due] == [
        ("Nguyễn Văn An", 31, True),
        ("Trần Thị Bình", 0, False),
    ]
    assert [
        d.overdue for d in q.due_recognitions(SYSTEM, tree["X1"], D(2021, 4, 1), overdue_after_days=31)
    ] == [
        False,
        False,
    ]
    m.recognise(None, a, on=D(2021, 3, 15))
    assert [d.member.full_name for d in q.due_recognitions(SYSTEM, tree["X1"], D(2021, 4, 1))] == [
        "Trần Thị Bình"
    ]


def _cell_with(cell, n, joined=D(2015, 1, 5), recognise=True):
    for i in range(n):
        name = f"Đảng viên {cell.code} {joined:%m} {i}"
        p = admit(cell, name=name, birth=D(1975, 1, 1) + dt.timedelta(days=i), joined=joined)
        if recognise:
            m.recognise(None, p, on=add_months(joined, 12))


def _checks(found, code):
    return sorted((w.check, w.level, w.official) for w in found if w.org_code == code)


def test_structure_thresholds_three_and_nine(tree):
    _cell_with(tree["C1"], 2)
    _cell_with(tree["C2"], 3)
    _cell_with(tree["C2"], 2, recognise=False)  # probationary members do not count
    on = D(2020, 1, 1)
    found = rules.structure_warnings(SYSTEM, tree["X1"], on)
    assert _checks(found, "C1") == [("cell_secretary", "info", 2), ("min_members", "warning", 2)]
    assert _checks(found, "C2") == [("cell_secretary", "info", 3)]
    assert _checks(found, "C3") == [("cell_secretary", "info", 0), ("min_members", "warning", 0)]
    warning = next(w for w in found if w.org_code == "C1" and w.check == "min_members")
    assert warning.rule_code == "ORG.MEMBER_COUNTS" and "Điều lệ Đảng" in warning.source
    assert "ít nhất 3" in warning.message and warning.as_json()["rule"] == "ORG.MEMBER_COUNTS"
    _cell_with(tree["C4"], 8)
    assert _checks(rules.structure_warnings(SYSTEM, tree["C4"], on), "C4") == [("cell_secretary", "info", 8)]
    _cell_with(tree["C4"], 1, joined=D(2015, 2, 5))
    assert _checks(rules.structure_warnings(SYSTEM, tree["C4"], on), "C4") == [("cell_committee", "info", 9)]


def test_structure_grassroots_kind_at_thirty(tree):
    on = D(2020, 1, 1)
    _cell_with(tree["S1"], 29)  # a chi bộ cơ sở
    found = rules.structure_warnings(SYSTEM, tree["S1"], on)
    assert _checks(found, "S1") == [("cell_committee", "info", 29)]
    _cell_with(tree["C1"], 16)  # X1, a đảng bộ cơ sở, sums its cells
    _cell_with(tree["C2"], 13)
    found = rules.structure_warnings(SYSTEM, tree["H1"], on)
    assert _checks(found, "X1") == [("grassroots_kind", "warning", 29)]
    assert "chi bộ cơ sở" in next(w for w in found if w.org_code == "X1").message
    _cell_with(tree["S1"], 1, joined=D(2015, 2, 5))
    _cell_with(tree["C2"], 1, joined=D(2015, 2, 5))
    found = rules.structure_warnings(SYSTEM, tree["H1"], on)
    assert _checks(found, "S1") == [("cell_committee", "info", 30), ("grassroots_kind", "warning", 30)]
    assert (
        "đảng bộ cơ sở"
        in next(w for w in found if w.org_code == "S1" and w.check == "grassroots_kind").message
    )
    assert _checks(found, "X1") == []
    # the past keeps its own counts
    assert _checks(rules.structure_warnings(SYSTEM, tree["H1"], D(2014, 12, 31)), "X1") == [
        ("grassroots_kind", "warning", 0),
        ("min_members", "warning", 0),
    ]


def test_exports(story):
    tree = story["tree"]
    s = stats(tree["X1"], D(2021, 3, 1))
    wb = load_workbook(io.BytesIO(exports.statistics_xlsx(s)))
    cells = [tuple(r) for r in wb.active.iter_rows(values_only=True)]
    assert cells[0][0].startswith("Thống kê đảng viên – Đảng bộ xã An Lạc (X1)")
    assert ("Tổng số", 5) in cells and ("Dân tộc", None) in cells and ("Kinh", 5) in cells
    rows = q.members_under(SYSTEM, tree["X1"], D(2021, 3, 1))
    wb = load_workbook(io.BytesIO(exports.member_list_xlsx(rows, D(2021, 3, 1))))
    table = [tuple(r) for r in wb.active.iter_rows(values_only=True)]
    header = table.index(tuple(exports.LIST_COLUMNS))
    body = table[header + 1 :]
    assert [r[1] for r in body] == names(rows) and len(body) == 5
    an = next(r for r in body if r[1] == "Nguyễn Văn An")
    assert an[-1] == "Chi bộ thôn Đông" and an[-2] == "Chính thức"


def test_query_counts_do_not_grow_with_members(tree, django_assert_max_num_queries):
    _cell_with(tree["C1"], 4)
    _cell_with(tree["C2"], 3)
    _cell_with(tree["C4"], 2)
    on = D(2020, 1, 1)
    with django_assert_max_num_queries(2):
        assert len(list(q.members_under(SYSTEM, tree["T"], on, q="dang vien"))) == 9
    with django_assert_max_num_queries(12):
        assert stats(tree["T"], on).total == 9
    with django_assert_max_num_queries(5):
        found = rules.structure_warnings(SYSTEM, tree["T"], on)
    assert {w.org_code for w in found if w.check == "min_members"} == {"C3", "C4", "S1", "X2"}
