import datetime as dt

import pytest

from coso.core.errors import DomainError
from coso.orgs import queries as q
from coso.orgs import services as s
from coso.orgs.models import OrgPeriod
from tests.conftest import decision, establish, kind, new
from tests.orgs.invariants import check_tree

D = dt.date


def names(org, on):
    return sorted(p.name for p in q.subtree(None_user(), org, on, include_self=False))


def None_user():
    from django.contrib.auth.models import AnonymousUser

    class Root(AnonymousUser):
        is_authenticated = True
        is_active = True
        is_superuser = True

    return Root()


def test_structure_counts_follow_dates(tree):
    u = None_user()
    r = q.structure(u, tree["T"], D(2010, 1, 1))
    assert r.grassroots_total == 3  # X1, X2, S1
    assert r.cells_total == 4
    assert r.by_kind["Đảng bộ huyện"] == 2
    assert q.structure(u, tree["T"], D(2000, 6, 1)).cells_total == 0
    s.dissolve(None, tree["C3"], on=D(2019, 4, 1), decision=decision("12-QĐ/HU", D(2019, 3, 20)))
    assert q.structure(u, tree["T"], D(2019, 3, 31)).cells_total == 4
    assert q.structure(u, tree["T"], D(2019, 4, 1)).cells_total == 3
    assert q.structure(u, tree["X1"], D(2019, 4, 1)).cells_total == 2


def test_move_carries_subtree_and_keeps_past(tree):
    u = None_user()
    s.move(None, tree["X1"], new_parent=tree["H2"], on=D(2020, 1, 1), decision=decision("5", D(2019, 12, 1)))
    assert q.structure(u, tree["H1"], D(2019, 12, 31)).cells_total == 3
    assert q.structure(u, tree["H1"], D(2020, 1, 1)).cells_total == 0
    assert q.structure(u, tree["H2"], D(2020, 1, 1)).cells_total == 4
    c1 = q.period_on(tree["C1"], D(2020, 1, 1))
    assert c1.path.startswith(q.period_on(tree["H2"], D(2020, 1, 1)).path)


def test_cycle_refused_and_nothing_written(tree):
    before = OrgPeriod.objects.count()
    with pytest.raises(DomainError) as e:
        s.move(None, tree["H1"], new_parent=tree["X1"], on=D(2020, 1, 1), decision=decision())
    assert e.value.rule.code in ("ORG.CYCLE", "ORG.KIND_PARENT")
    assert OrgPeriod.objects.count() == before


def test_cell_only_under_grassroots(tree):
    with pytest.raises(DomainError) as e:
        establish("CX", "Chi bộ lạc chỗ", "Chi bộ trực thuộc", tree["H1"], on=D(2010, 1, 1))
    assert e.value.rule.code == "ORG.KIND_PARENT"
    assert "Chi bộ trực thuộc" in e.value.message


def test_party_group_only_under_cell(tree):
    with pytest.raises(DomainError):
        establish("TD", "Tổ đảng 1", "Tổ đảng", tree["X1"], on=D(2010, 1, 1))
    establish("TD", "Tổ đảng 1", "Tổ đảng", tree["C1"], on=D(2010, 1, 1))


def test_parent_must_exist_on_date(tree):
    with pytest.raises(DomainError) as e:
        establish("CY", "Chi bộ thôn Mới", "Chi bộ trực thuộc", tree["X1"], on=D(1999, 1, 1))
    assert e.value.rule.code == "ORG.PARENT_EXISTS"


def test_dissolve_with_children_needs_destination(tree):
    with pytest.raises(DomainError) as e:
        s.dissolve(None, tree["X1"], on=D(2020, 1, 1), decision=decision())
    assert e.value.rule.code == "ORG.CHILDREN"
    s.dissolve(
        None,
        tree["X1"],
        on=D(2020, 1, 1),
        decision=decision(),
        child_moves={tree["C1"].pk: tree["X2"], tree["C2"].pk: tree["X2"], tree["C3"].pk: s.DISSOLVE},
    )
    u = None_user()
    assert q.structure(u, tree["X2"], D(2020, 1, 1)).cells_total == 3
    tree["C3"].refresh_from_db()
    assert tree["C3"].dissolved_on == D(2020, 1, 1)


def test_merge_two_into_new(tree):
    u = None_user()
    res = s.merge(
        None,
        [tree["C1"], tree["C2"]],
        on=D(2020, 1, 1),
        decision=decision(),
        new=new("C12", "Chi bộ thôn Đông Tây", "Chi bộ trực thuộc", tree["X1"]),
    )
    c12 = res.orgs[0]
    assert q.structure(u, tree["X1"], D(2020, 1, 1)).cells_total == 2
    assert q.structure(u, tree["X1"], D(2019, 12, 31)).cells_total == 3
    assert c12.established_on == D(2020, 1, 1)
    with pytest.raises(DomainError) as e:
        s.rename(None, tree["C1"], on=D(2021, 1, 1), decision=decision(), name="X")
    assert e.value.rule.code == "ORG.EXISTS"


def test_merge_into_existing_moves_children(tree):
    u = None_user()
    s.merge(
        None,
        [tree["X1"]],
        into=tree["X2"],
        on=D(2021, 1, 1),
        decision=decision(),
        child_moves={tree["C1"].pk: s.TARGET, tree["C2"].pk: s.TARGET, tree["C3"].pk: s.DISSOLVE},
    )
    assert q.structure(u, tree["X2"], D(2021, 1, 1)).cells_total == 3
    assert q.structure(u, tree["T"], D(2021, 1, 1)).grassroots_total == 2


def test_split(tree):
    u = None_user()
    res = s.split(
        None,
        tree["X1"],
        on=D(2022, 1, 1),
        decision=decision(),
        parts=[
            new("X1A", "Đảng bộ xã An Lạc A", "Đảng bộ cơ sở"),
            new("X1B", "Đảng bộ xã An Lạc B", "Đảng bộ cơ sở"),
        ],
        child_moves={tree["C1"].pk: "part:0", tree["C2"].pk: "part:1", tree["C3"].pk: "part:1"},
    )
    a, b = res.orgs
    assert q.structure(u, a, D(2022, 1, 1)).cells_total == 1
    assert q.structure(u, b, D(2022, 1, 1)).cells_total == 2
    assert q.structure(u, tree["H1"], D(2022, 1, 1)).grassroots_total == 3


def test_rename_keeps_old_name_in_past(tree):
    s.rename(None, tree["C1"], on=D(2018, 5, 1), decision=decision(), name="Chi bộ thôn Đông Hải")
    assert q.period_on(tree["C1"], D(2018, 4, 30)).name == "Chi bộ thôn Đông"
    assert q.period_on(tree["C1"], D(2018, 5, 1)).name == "Chi bộ thôn Đông Hải"


def test_chronology(tree):
    s.rename(None, tree["C1"], on=D(2018, 5, 1), decision=decision(), name="Chi bộ thôn Đông Hải")
    with pytest.raises(DomainError) as e:
        s.rename(None, tree["C1"], on=D(2017, 5, 1), decision=decision(), name="Khác")
    assert e.value.rule.code == "ORG.CHRONOLOGY"


def test_district_level_gone_after_july_2025(tree):
    with pytest.raises(DomainError) as e:
        establish("XN", "Đảng bộ xã Mới", "Đảng bộ cơ sở", tree["H1"], on=D(2025, 7, 1))
    assert "01/07/2025" in e.value.message
    assert "60-NQ/TW" in str(e.value)
    establish("XM", "Đảng bộ xã Mới", "Đảng bộ xã", tree["T"], on=D(2025, 7, 1))
    assert kind("Đảng bộ xã")


def test_invariants_hold_after_a_history_of_operations(tree):
    s.rename(None, tree["C1"], on=D(2018, 5, 1), decision=decision(), name="Chi bộ thôn Đông Hải")
    s.move(None, tree["X1"], new_parent=tree["H2"], on=D(2019, 1, 1), decision=decision())
    s.dissolve(None, tree["C3"], on=D(2019, 4, 1), decision=decision())
    s.merge(
        None,
        [tree["C1"], tree["C2"]],
        on=D(2020, 1, 1),
        decision=decision(),
        new=new("C12", "Chi bộ thôn Đông Tây", "Chi bộ trực thuộc", tree["X1"]),
    )
    s.split(
        None,
        tree["X2"],
        on=D(2021, 1, 1),
        decision=decision(),
        keep_source=True,
        parts=[new("X3", "Đảng bộ xã Tân Lập", "Đảng bộ cơ sở")],
        child_moves={tree["C4"].pk: "part:0"},
    )
    s.merge(
        None,
        [tree["H1"]],
        into=tree["H2"],
        on=D(2022, 1, 1),
        decision=decision(),
        child_moves={tree["S1"].pk: s.TARGET},
    )
    check_tree()
    for code in ("X1", "C12", "S1"):
        from coso.orgs.models import Organization

        org = Organization.objects.get(code=code)
        assert org.current_path.startswith(tree["H2"].current_path)
