"""The layers of the code, guarded like the scope: every module of `coso/` is read (as text, with `ast`) and its
imports are held against the declared order of the apps (docs/design.md, “The map”).

    core → orgs → accounts → members → meetings → evaluation, oversight, admissions, plans, cadres → reports

An app imports `core` and the apps below it; nothing imports upward or sideways (what two apps on one level need
moves down); no app imports another app's pages, API, importer, command line or demo (its entry points; a demo
step may read the constants of the demo steps it builds on); a read
(`queries`) never imports a write (`services`); nothing outside `coso.orgs` reads `OrgPeriod`, its table or the
`periods` relation (the organization through time is read through `coso.orgs.queries`); no hidden model lookup
(`apps.get_model`, `related_model`, a model named in a string) runs against the order. The project's own
modules (`coso/urls.py`, `coso/api_urls.py`, settings) sit above everything.

A new app fails this test until it is placed in `ORDER`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "coso"

# the declared order, lowest first; the apps of one level may not import each other
ORDER: list[tuple[str, ...]] = [
    ("core",),
    ("orgs",),
    ("accounts",),
    ("members",),
    ("meetings",),
    ("evaluation", "oversight", "admissions", "plans", "cadres"),
    ("reports",),
]
PROJECT = "project"  # coso/*.py: settings, URLs, the command
LEVEL = {app: i for i, apps in enumerate(ORDER) for app in apps} | {PROJECT: len(ORDER)}
ENTRY_POINTS = {"views", "api", "api_urls", "urls", "importer", "reports_cli", "demo", "admin", "management"}
QUERYSET_METHODS = {
    "all", "filter", "exclude", "get", "first", "last", "order_by", "values", "values_list", "select_related",
    "prefetch_related", "exists", "count", "annotate", "aggregate", "create", "update",
}  # fmt: skip


@dataclass(frozen=True)
class Violation:
    module: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: {self.what}"


def app_of(module: str) -> str:
    """`coso.members.services` → members; `coso.urls` → project."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "coso":
        return ""
    return parts[1] if parts[1] in LEVEL or len(parts) > 2 else PROJECT


def part_of(module: str) -> str:
    """`coso.meetings.services.attendance` → services (the app's module or package a name lives in)."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 else ""


def _resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, is_package: bool, tree: ast.AST) -> list[tuple[str, int, list[str]]]:
    """(imported module, line, names taken from it) for every import of the module, lazy ones included; `from
    package import module` counts as importing `package.module`."""
    found: list[tuple[str, int, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, is_package, node)
            names = [a.name for a in node.names]
            found.append((target, node.lineno, names))
            if target.count(".") <= 1:  # `from coso.orgs import queries`, `from . import services`
                found += [(f"{target}.{n}", node.lineno, []) for n in names]
    return found


def _depends(violations: list[Violation], module: str, line: int, own: str, target: str, how: str) -> None:
    """A dependency of app `own` on module `target`: against the order, or on another app's entry point."""
    other = app_of(target)
    if not other or other == own or own == PROJECT:
        return
    if other not in LEVEL:
        violations.append(Violation(module, line, f"{how} {target}: app “{other}” is not placed in ORDER"))
        return
    if LEVEL[other] >= LEVEL[own]:
        where = "on its own level" if LEVEL[other] == LEVEL[own] else "above it"
        violations.append(Violation(module, line, f"{how} {target}: “{other}” is {where} (order: {ORDER})"))
    part = part_of(target)
    # core's modules are the shared kernel (coso.core.api is the API kernel every app's API extends)
    if other != "core" and part in ENTRY_POINTS and not (part == "demo" and part_of(module) == "demo"):
        violations.append(Violation(module, line, f"{how} {target}: another app's {part} (an entry point)"))


def check_module(module: str, source: str, *, is_package: bool = False) -> list[Violation]:
    """Every violation of the layers in one module's source."""
    own = app_of(module)
    tree = ast.parse(source)
    violations: list[Violation] = []
    for target, line, names in _imports(module, is_package, tree):
        _depends(violations, module, line, own, target, "imports")
        if part_of(module) == "queries" and part_of(target) == "services":
            violations.append(Violation(module, line, f"a read imports a write: {target}"))
        if own != "orgs" and target.startswith("coso.orgs") and "OrgPeriod" in names:
            violations.append(Violation(module, line, "reads OrgPeriod (use coso.orgs.queries)"))
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if own != "orgs":
            if isinstance(node, ast.Attribute) and node.attr == "OrgPeriod":
                violations.append(Violation(module, line, "reads OrgPeriod (use coso.orgs.queries)"))
            if (
                isinstance(node, ast.Attribute)
                and node.attr in QUERYSET_METHODS
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "periods"
            ):
                violations.append(
                    Violation(module, line, "reads an organization's periods (use coso.orgs.queries)")
                )
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if "orgs_orgperiod" in node.value or re.search(r"__periods(__|$)", node.value):
                    violations.append(
                        Violation(module, line, "reads OrgPeriod by name (use coso.orgs.queries)")
                    )
        if own != "core" and isinstance(node, ast.Attribute) and node.attr == "related_model":
            violations.append(Violation(module, line, "a hidden model lookup (related_model)"))
        if isinstance(node, ast.Call):
            func = node.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if name == "get_model" and args:
                label = args[0].split(".")[0]
                _depends(violations, module, line, own, f"coso.{label}.models", "looks up a model of")
            if name in ("ForeignKey", "OneToOneField", "ManyToManyField") and args and "." in args[0]:
                label = args[0].split(".")[0]
                _depends(violations, module, line, own, f"coso.{label}.models", "names a model of")
    return violations


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent)
        if "migrations" in rel.parts:
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append((".".join(parts), path))
    return found


def test_every_app_is_placed_in_the_declared_order():
    apps = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert apps - set(LEVEL) == set(), "place the new app in ORDER (and in docs/design.md's map)"


def test_the_code_follows_the_declared_layers():
    violations = []
    for module, path in modules():
        violations += check_module(module, path.read_text(), is_package=path.name == "__init__.py")
    assert not violations, "\n" + "\n".join(map(str, violations))


# ------------------------------------------------------------------------- the guard catches each violation


def test_a_module_importing_upward_or_sideways_is_refused():
    found = check_module("coso.members.services", "from coso.meetings.models import Meeting\n")
    assert [v.what for v in found] == [
        f"imports coso.meetings.models: “meetings” is above it (order: {ORDER})",
    ]
    sideways = check_module("coso.evaluation.queries", "from coso.oversight import queries\n")
    assert any("on its own level" in v.what for v in sideways)
    assert check_module("coso.core.scope", "from coso.accounts.models import RoleGrant\n")
    assert not check_module(
        "coso.meetings.services", "from coso.members import services as members_services\n"
    )


def test_another_apps_entry_points_are_refused_even_below():
    for source in (
        "from coso.members.views import member_list\n",
        "from coso.orgs import importer\n",
        "from coso.orgs.api import OrgViewSet\n",
        "def f():\n    from coso.orgs.reports_cli import STRUCTURE\n",
    ):
        found = check_module("coso.meetings.views", source)
        assert any("entry point" in v.what for v in found), source
    assert not check_module("coso.meetings.views", "from . import services\nfrom .importer import read\n")
    assert not check_module("coso.urls", "from coso.meetings import views\n")  # the project wires the pages


def test_a_read_importing_a_write_is_refused():
    assert check_module("coso.meetings.queries", "from .services import add_months\n")
    assert check_module("coso.evaluation.queries", "from coso.members import services\n")
    assert not check_module("coso.meetings.services", "from . import queries\n")


def test_reading_orgperiod_outside_orgs_is_refused():
    for source in (
        "from coso.orgs.models import Organization, OrgPeriod\n",
        "from coso.orgs import models\nx = models.OrgPeriod.objects.all()\n",
        "def f(org):\n    return org.periods.filter(valid_to__isnull=True)\n",
        "QS = Grant.objects.prefetch_related('org__periods')\n",
        "SQL = 'SELECT name FROM orgs_orgperiod'\n",
    ):
        assert check_module("coso.members.queries", source), source
    assert not check_module("coso.orgs.queries", "from .models import OrgPeriod\n")
    assert not check_module(
        "coso.evaluation.importer", "result.periods.append(1)\n"
    )  # a list, not the relation


def test_hidden_model_lookups_against_the_order_are_refused():
    assert check_module(
        "coso.core.scope", "from django.apps import apps\nm = apps.get_model('accounts', 'X')\n"
    )
    assert check_module("coso.accounts.api", "Org = RoleGrant._meta.get_field('org').related_model\n")
    fk = "from django.db import models\nclass A(models.Model):\n    m = models.ForeignKey('meetings.Meeting')\n"
    assert check_module("coso.members.models", fk)
    assert not check_module("coso.meetings.models", fk.replace("meetings.Meeting", "orgs.Organization"))
