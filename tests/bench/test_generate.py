"""The benchmark's generator: what it writes is a consistent tree, and the structure report counts what it made."""

from __future__ import annotations

import datetime as dt

import pytest

from bench import generate as gen
from coso.accounts.models import User
from coso.core.dates import today
from coso.orgs import queries
from coso.orgs.models import SEGMENT, Organization, OrgKind, OrgPeriod

D = dt.date
SCALE = 0.0005  # 1 province, 2 communes, 26 grassroots organizations, 125 cells


@pytest.fixture
def data(db):
    return gen.generate(SCALE)


@pytest.fixture
def admin(db):
    return User.objects.create(username="bench_test", is_superuser=True)


def by_kind(data: gen.Dataset, code: str, on: dt.date) -> dict[str, int]:
    names = dict(OrgKind.objects.values_list("code", "name"))
    return {names[k]: n for k, n in data.expected(code, on).items()}


def test_structure_report_counts_what_was_generated(data, admin):
    root = Organization.objects.get(code=data.codes["root"])
    province = Organization.objects.get(code=data.codes["province"])
    for on in (today(), D(2025, 7, 1), D(2025, 6, 30), D(2019, 6, 30), D(2005, 1, 1)):
        assert queries.structure(admin, root, on).by_kind == by_kind(data, "TW", on), on
        assert queries.structure(admin, province, on).by_kind == by_kind(data, province.code, on), on

    t = gen.targets(SCALE)
    now = queries.structure(admin, root, today())
    assert now.by_kind["Đảng bộ tỉnh"] == t["provinces"]
    communes = sum(now.by_kind.get(k, 0) for k in ("Đảng bộ xã", "Đảng bộ phường", "Đảng bộ đặc khu"))
    assert communes == t["communes"]
    assert now.grassroots_total == t["grassroots"]
    assert now.cells_total == t["cells"]
    assert "Đảng bộ huyện" not in now.by_kind

    before = queries.structure(admin, root, D(2019, 6, 30))
    assert before.by_kind["Đảng bộ huyện"] >= 1
    assert not {"Đảng bộ xã", "Đảng bộ phường", "Đảng bộ đặc khu"} & set(before.by_kind)
    assert before.by_category["Chi bộ trực thuộc"]["Cơ quan"] > 0  # commune-agency cells, dissolved in 2019
    assert "Cơ quan" not in queries.structure(admin, root, D(2019, 10, 1)).by_category["Chi bộ trực thuộc"]


def test_rows_follow_the_tree_rules(data):
    assert Organization.objects.count() == data.counts["organizations"]
    assert OrgPeriod.objects.count() == data.counts["periods"] > 1.8 * data.counts["organizations"]
    periods: dict[int, list[OrgPeriod]] = {}
    for p in OrgPeriod.objects.order_by("org_id", "valid_from"):
        periods.setdefault(p.org_id, []).append(p)

    def on(org_id: int, day: dt.date) -> OrgPeriod:
        (found,) = [
            p for p in periods[org_id] if p.valid_from <= day and (p.valid_to is None or day < p.valid_to)
        ]
        return found

    for org in Organization.objects.all():
        mine = periods[org.pk]
        assert org.current_path == mine[-1].path
        assert mine[0].valid_from == org.established_on
        assert mine[-1].valid_to == org.dissolved_on
        for a, b in zip(mine, mine[1:], strict=False):
            assert a.valid_to == b.valid_from  # no gap, no overlap
        for p in mine:
            assert p.path.endswith(f"{org.pk:08d}/") and p.depth == len(p.path) // SEGMENT
            if p.parent_id is not None:  # the parent's path all along the period
                assert on(p.parent_id, p.valid_from).path + f"{org.pk:08d}/" == p.path
                if p.valid_to is not None:
                    last_day = p.valid_to - dt.timedelta(days=1)
                    assert on(p.parent_id, last_day).path + f"{org.pk:08d}/" == p.path
