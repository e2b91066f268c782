"""Shared fixtures: vocabulary lookups, a decision, and a small tree with a district level before July 2025."""

from __future__ import annotations

import datetime as dt

import pytest

from coso.orgs import services as s
from coso.orgs.models import CellCategory, OrgKind

D = dt.date


def kind(name: str) -> OrgKind:
    return OrgKind.objects.get(name=name)


def category(name: str) -> CellCategory:
    return CellCategory.objects.get(name=name)


def decision(number: str = "01-QĐ/TU", signed_on: dt.date = D(2015, 1, 1)) -> s.DecisionInput:
    return s.DecisionInput(number=number, signed_on=signed_on, issuer="Tỉnh ủy")


def new(code: str, name: str, kind_name: str, parent=None, category_name: str | None = None) -> s.NewOrg:
    return s.NewOrg(
        code=code,
        name=name,
        kind=kind(kind_name),
        parent=parent,
        category=category(category_name) if category_name else None,
    )


def establish(
    code: str,
    name: str,
    kind_name: str,
    parent=None,
    on: dt.date = D(2015, 1, 1),
    category_name: str | None = None,
    actor=None,
):
    return s.establish(
        actor,
        new(code, name, kind_name, parent, category_name),
        on=on,
        decision=decision(signed_on=on if on <= D.today() else D(2020, 1, 1)),
    ).orgs[0]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the database is rolled back between tests; the cache is not)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tree(db):
    """Province T → districts H1, H2 → communes X1 (under H1), X2 (under H2) → cells."""
    t = establish("T", "Đảng bộ tỉnh Sông Lam", "Đảng bộ tỉnh", on=D(2000, 1, 1))
    h1 = establish("H1", "Đảng bộ huyện Yên Phú", "Đảng bộ huyện", t, on=D(2000, 1, 1))
    h2 = establish("H2", "Đảng bộ huyện Đông Hà", "Đảng bộ huyện", t, on=D(2000, 1, 1))
    x1 = establish("X1", "Đảng bộ xã An Lạc", "Đảng bộ cơ sở", h1, on=D(2000, 1, 1))
    x2 = establish("X2", "Đảng bộ xã Bình Minh", "Đảng bộ cơ sở", h2, on=D(2000, 1, 1))
    c1 = establish(
        "C1", "Chi bộ thôn Đông", "Chi bộ trực thuộc", x1, on=D(2001, 1, 1), category_name="Thôn, bản"
    )
    c2 = establish(
        "C2", "Chi bộ thôn Tây", "Chi bộ trực thuộc", x1, on=D(2001, 1, 1), category_name="Thôn, bản"
    )
    c3 = establish(
        "C3", "Chi bộ cơ quan xã An Lạc", "Chi bộ trực thuộc", x1, on=D(2001, 1, 1), category_name="Cơ quan"
    )
    c4 = establish(
        "C4", "Chi bộ thôn Bắc", "Chi bộ trực thuộc", x2, on=D(2001, 1, 1), category_name="Thôn, bản"
    )
    school = establish(
        "S1", "Chi bộ Trường THPT Yên Phú", "Chi bộ cơ sở", h1, on=D(2002, 1, 1), category_name="Trường học"
    )
    return {
        "T": t,
        "H1": h1,
        "H2": h2,
        "X1": x1,
        "X2": x2,
        "C1": c1,
        "C2": c2,
        "C3": c3,
        "C4": c4,
        "S1": school,
    }


IMMEDIATE_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}
}


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks (imports, exports) run inside the request that starts them: the tests, the browser tests'
    live server included, need no `db_worker`. A test may set `settings.TASKS` again to use another backend."""
    settings.TASKS = IMMEDIATE_TASKS
