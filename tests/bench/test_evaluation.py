"""The benchmark's evaluation cases at a tiny scale: the generated results are what the report counts, the app
and the hand-written SQL agree, and a second load reuses the rows."""

from __future__ import annotations

import pytest

from bench import evaluation as be
from bench import generate as gen
from bench import members as bmem
from bench import run as bench_run
from coso.accounts.models import User
from coso.core.dates import today
from coso.evaluation.models import Evaluation
from coso.orgs.models import Organization

SCALE = 0.0005


@pytest.fixture
def world(db):
    data = gen.generate(SCALE)
    quiet = lambda *_a: None  # noqa: E731
    members = bmem.load_members(
        int(bmem.NATION_MEMBERS * SCALE), SCALE, data.codes["province"], gen.SEED, quiet
    )
    info = be.load_evaluations(data.codes["root"], members, gen.SEED, quiet)
    admin = User.objects.create(username="bench_test", is_superuser=True)
    return data, members, info, admin


def test_results_generated_agree_and_are_reused(world):
    data, members, info, admin = world
    assert Evaluation.objects.count() == info["entries"] > 0
    assert set(Evaluation.objects.values_list("year", flat=True)) == set(be.YEARS)
    province = Organization.objects.get(code=data.codes["province"])
    root = Organization.objects.get(code=data.codes["root"])
    cases = be.evaluation_cases(bench_run.Case, admin, province, root, today())
    assert [c.key for c in cases] == ["e1", "e2"]
    for case in cases:
        got, want = be.contract_of(case.app()), be.contract_from_raw(case.raw())
        assert got == want, case.key
        ranks = got["members_by_rank"]
        assert ranks[2] > ranks[1] > 0 and sum(got["organizations_by_rank"].values()) > 0
    again = be.load_evaluations(data.codes["root"], members, gen.SEED, lambda *_a: None)
    assert again["created_at"] == info["created_at"]
