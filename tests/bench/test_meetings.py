"""The benchmark's meeting cases at a tiny scale: what the generator writes is what the compliance report
counts, the app and the hand-written SQL agree, and the province's page renders."""

from __future__ import annotations

import pytest

from bench import generate as gen
from bench import meetings as bm
from bench import members as bmem
from bench import run as bench_run
from coso.accounts.models import User
from coso.core.dates import today
from coso.meetings.models import Attendance, Meeting, Minutes
from coso.orgs.models import Organization

SCALE = 0.0005  # 1 province, 2 communes, 26 grassroots organizations, 125 cells


@pytest.fixture
def world(db):
    data = gen.generate(SCALE)
    quiet = lambda *_a: None  # noqa: E731
    members = bmem.load_members(
        int(bmem.NATION_MEMBERS * SCALE), SCALE, data.codes["province"], gen.SEED, quiet
    )
    info = bm.load_meetings(SCALE, data.codes["province"], members, gen.SEED, quiet)
    admin = User.objects.create(username="bench_test", is_superuser=True)
    return data, members, info, admin


def test_meetings_generated_counted_and_reused(world):
    data, members, info, admin = world
    assert Meeting.objects.count() == info["meetings"] > 125 * 20
    assert Attendance.objects.count() == info["attendance"] > 0
    assert Minutes.objects.count() == info["minutes"] == info["province_cells"] * 0 + info["minutes"]
    assert info["cells"] >= 125 and 0 < info["province_cells"] <= info["cells"]
    # ≈8% of months missed, ≈20% of quarters without a thematic meeting
    regular = Meeting.objects.filter(kind="regular").count()
    assert 0.8 < regular / (info["cells"] * bm.MONTHS) < 0.99
    again = bm.load_meetings(SCALE, data.codes["province"], members, gen.SEED, lambda *_a: None)
    assert again["created_at"] == info["created_at"]  # reused, not generated again


def test_app_and_raw_sql_agree(world, capsys):
    data, _members, info, admin = world
    province = Organization.objects.get(code=data.codes["province"])
    root = Organization.objects.get(code=data.codes["root"])
    as_of = today()
    cases = bm.meeting_cases(bench_run.Case, admin, province, root, as_of)
    assert [c.key for c in cases] == ["g1", "g2", "g3"]
    for case in cases:
        got, want = bm.contract_of(case.app()), bm.contract_from_raw(case.raw())
        assert got == want, case.key
        assert 0 < got["regular_held"] < got["regular_expected"]
        assert 0 < got["thematic_quarters_met"] < got["thematic_quarters_expected"]
        assert 0.8 < got["attendance_rate"] < 1
    # the timed case is the figures; the whole report (with alerts) is timed beside it for g1 and g2
    assert cases[2].full is None and not cases[1].app().alerts.absent_members
    g2 = cases[1].full()
    assert bm.contract_of(g2) == bm.contract_of(cases[1].app())
    assert g2.alerts.absent_members  # attendance rows in the province: the 3-month alert shows
    result = bm.run(admin, province, root, as_of, info, 1, False)
    assert [r["key"] for r in result["cases"]] == ["g1", "g2", "g3"]
    assert [r["with_alerts_ms"] is not None for r in result["cases"]] == [True, True, False]
    assert result["page"].get("skipped") or (
        result["page"]["bytes"] > 1000 and result["page"]["alerts_bytes"] > 500
    )
    out = capsys.readouterr().out
    assert "(g1)" in out and "(g3)" in out and "chỉ cho" in out
