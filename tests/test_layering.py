"""The layers of docs/architecture.md hold: base below, pure cores, features, the shell on top.

Imports are read from the source with :mod:`ast` (nothing is imported or run), function-level
imports included: an import deferred into a function is still a dependency.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assessment", "sampling", "surveys", "reports", "appeals", "backchecks")
FEATURES = ("sampling", "surveys", "reports", "appeals", "backchecks")
BASE = "assessment.core"
# The statistics cores sit in assessment/ but belong to no layer above them.
STATISTICS = ("assessment.estimation", "assessment.indicators")
WEB_OR_DATABASE = ("pyramid", "webob", "wtforms", "sqlalchemy", "transaction", "zope", "psycopg")
PURE_CORES = (
    *STATISTICS,
    "sampling.frames.check",
    "sampling.frames.columns",
    "sampling.frames.hashing",
    "sampling.designs",
    "sampling.pps",
    "sampling.rng",
    "sampling.sizes",
    "sampling.selection",
    "sampling.one_stage",
    "sampling.two_stage",
    "sampling.draw_common",
    "surveys.instruments.model",
    "reports.model",
    "reports.charts",
    "reports.pdf",
    "reports.pdf_base",
    "reports.pdf_county",
    "reports.pdf_province",
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _resolve(dotted: str) -> str | None:
    """The module of this tree that ``dotted`` names (a module, or a name in one)."""
    while dotted and dotted not in modules():
        dotted = dotted.rpartition(".")[0]
    return dotted or None


def _imported_names(module: str) -> list[str]:
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names += [f"{base}.{alias.name}" for alias in node.names]
    return names


@cache
def imports() -> dict[str, set[str]]:
    """Module -> the modules of this tree it imports (package ``__init__`` files included)."""
    graph = {}
    for module in modules():
        targets = set()
        for name in _imported_names(module):
            found = _resolve(name)
            if found is not None and found != module:
                targets.add(found)
        graph[module] = targets
    return graph


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _is_shell(module: str) -> bool:
    return (
        _within(module, "assessment")
        and not _within(module, BASE)
        and not any(_within(module, s) for s in STATISTICS)
        and module != "assessment"
    )


def _reached(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in imports()[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_the_graph_reads_the_tree():
    # Guards the test itself: the modules named below exist and their imports are seen.
    assert "assessment.core.models" in imports()["assessment.core.services"]
    assert "assessment.core.i18n" in imports()["surveys.instruments.model"]
    assert "sampling.services" in imports()["reports.county_estimates"]
    missing = [m for m in PURE_CORES if m not in modules()]
    assert missing == []


def test_the_base_imports_no_feature_and_no_shell():
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in imports().items()
        if _within(module, BASE)
        for target in targets
        if not _within(target, BASE) and target != "assessment"
    )
    assert wrong == []


@pytest.mark.parametrize("core", PURE_CORES)
def test_a_pure_core_imports_nothing_of_the_web_or_the_database(core):
    reached = {core} | {m for m in modules() if _within(m, core)}
    for module in list(reached):
        reached |= _reached(module)
    wrong = sorted(
        f"{module} imports {name}"
        for module in reached
        for name in _imported_names(module)
        if name.split(".")[0] in WEB_OR_DATABASE
    )
    assert wrong == []


def test_no_feature_imports_the_shell_or_the_demo():
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in imports().items()
        if module.split(".")[0] in FEATURES
        for target in targets
        if _is_shell(target)
    )
    assert wrong == []


def test_the_shell_is_what_the_layers_leave_in_assessment():
    assert _is_shell("assessment.demo") and _is_shell("assessment.routes")
    assert not _is_shell("assessment.core.models") and not _is_shell("assessment.indicators")


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycle_between_modules_not_even_through_a_deferred_import():
    assert _cycles(imports()) == []


# -- the features in the pipeline's order ----------------------------------------------------

# A feature imports only the features before it; appeals and backchecks, both after the
# fieldwork and before the report, import neither each other.
PIPELINE = {"sampling": 0, "surveys": 1, "appeals": 2, "backchecks": 2, "reports": 3}


def _backwards(graph: dict[str, set[str]]) -> list[str]:
    """Imports of a feature module to a later feature, or to another of the same rank."""
    found = []
    for module, targets in graph.items():
        mine = module.split(".")[0]
        for target in targets:
            theirs = target.split(".")[0]
            later = theirs in PIPELINE and PIPELINE[theirs] >= PIPELINE.get(mine, 99)
            if later and theirs != mine:
                found.append(f"{module} -> {target}")
    return sorted(found)


def test_the_order_finder_finds_an_import_of_a_later_feature():
    graph = {
        "appeals.services": {"reports.models", "surveys.models", "assessment.core.pipeline"},
        "sampling.plan_views": {"sampling.plans"},
        "backchecks.services": {"appeals.services"},
        "reports.services": {"appeals.services", "sampling.services"},
    }
    assert _backwards(graph) == [
        "appeals.services -> reports.models",
        "backchecks.services -> appeals.services",
    ]


def test_no_feature_imports_a_later_feature_not_even_through_a_deferred_import():
    assert set(PIPELINE) == set(FEATURES)
    assert _backwards(imports()) == []


# An earlier feature is reached only through its ``services`` module, its public interface:
# what a later feature may use of it is what that module names, so the earlier feature can
# change everything else (its models' layout, its helpers) without breaking the later one.


def _around_the_services(graph: dict[str, set[str]]) -> list[str]:
    """Imports of an earlier feature's module other than its ``services``."""
    found = []
    for module, targets in graph.items():
        mine = module.split(".")[0]
        for target in targets:
            theirs = target.split(".")[0]
            earlier = theirs in PIPELINE and PIPELINE[theirs] < PIPELINE.get(mine, -1)
            if earlier and target != f"{theirs}.services":
                found.append(f"{module} -> {target}")
    return sorted(found)


def test_the_services_finder_finds_an_import_around_the_services():
    graph = {
        "reports.status": {"surveys.services", "surveys.models", "reports.models"},
        "appeals.services": {"sampling.services", "surveys.instruments.model"},
        "surveys.review": {"surveys.models", "sampling.models"},
        "sampling.plans": {"sampling.models"},
        "assessment.routes": {"surveys.views.review"},
    }
    assert _around_the_services(graph) == [
        "appeals.services -> surveys.instruments.model",
        "reports.status -> surveys.models",
        "surveys.review -> sampling.models",
    ]


def test_a_feature_imports_an_earlier_feature_only_through_its_services():
    wrong = _around_the_services(imports())
    assert wrong == [], (
        f"{len(wrong)} imports reach an earlier feature around its services module "
        "(import the name from <feature>.services instead):\n" + "\n".join(wrong)
    )


# -- views hold no queries ---------------------------------------------------------------------

# Calls that run a query on a session; ``get`` only on a session (``db``, ``dbsession``).
QUERY_METHODS = ("execute", "scalar", "scalars", "query")
SESSION_NAMES = ("db", "dbsession", "session")


def _is_views_module(module: str) -> bool:
    """Named as views (``views.py``, ``*_views.py``, in a ``views`` package) or declaring
    views (``view_config``, as the JSON APIs do)."""
    parts = module.split(".")
    if parts[-1] == "views" or parts[-1].endswith("_views") or "views" in parts[:-1]:
        return True
    return "view_config" in modules()[module].read_text(encoding="utf-8")


def _queries_in(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found += [
                f"line {node.lineno}: imports {alias.name} from sqlalchemy" for alias in node.names
            ]
        elif isinstance(node, ast.Import):
            found += [
                f"line {node.lineno}: imports {alias.name}"
                for alias in node.names
                if alias.name.split(".")[0] == "sqlalchemy"
            ]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, receiver = node.func.attr, node.func.value
            name = getattr(receiver, "attr", getattr(receiver, "id", None))
            if method in QUERY_METHODS or (method == "get" and name in SESSION_NAMES):
                found.append(f"line {node.lineno}: .{method}(")
    return found


def _views_queries() -> dict[str, list[str]]:
    return {
        module: found
        for module in sorted(modules())
        if _is_views_module(module)
        for found in [_queries_in(modules()[module].read_text(encoding="utf-8"))]
        if found
    }


def test_the_query_finder_finds_queries_and_ignores_a_dict_get():
    source = (
        "from sqlalchemy import select\n"
        "def view(request):\n"
        "    request.params.get('x')\n"
        "    request.dbsession.get(Team, 1)\n"
        "    db.scalars(select(Team))\n"
        "    request.dbsession.execute(q)\n"
    )
    assert _queries_in(source) == [
        "line 1: imports select from sqlalchemy",
        "line 4: .get(",
        "line 5: .scalars(",
        "line 6: .execute(",
    ]


def test_every_views_module_is_seen():
    views = {m for m in modules() if _is_views_module(m)}
    expected = {"assessment.views.admin", "sampling.plan_views", "sampling.views"}
    expected |= {"surveys.views.assessor", "appeals.views", "backchecks.api", "reports.views"}
    assert expected <= views
    assert "sampling.services" not in views and "surveys.workflow" not in views


def test_views_call_services_and_hold_no_queries():
    assert _views_queries() == {}


# -- no private name crosses a module ------------------------------------------------------------


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _private_names_used_from_elsewhere(module: str, source: str | None = None) -> list[str]:
    """``from m import _x`` and ``m._x`` for a module ``m`` of this tree other than ``module``
    (read from its file, or from ``source``)."""
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    bound, found = {}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _resolve(alias.name) == alias.name:
                    bound[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                target = f"{base}.{alias.name}"
                if target in modules():
                    bound[alias.asname or alias.name] = target
                elif _private(alias.name) and _resolve(base) not in (None, module):
                    found.append(f"{module} imports {alias.name} from {base}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(node.value, ast.Name)
            and bound.get(node.value.id, module) != module
        ):
            found.append(f"{module} uses {bound[node.value.id]}.{node.attr}")
    return found


def test_the_private_name_finder_sees_both_ways_of_reaching_a_name():
    source = (
        "from sampling.frames.frame import FrameImport, _build\n"
        "from .read import _own_helper\n"
        "from assessment.estimation import intervals as iv\n"
        "import sampling.frames.check\n"
        "def f(self):\n"
        "    iv._check_level(0.9)\n"
        "    self._cache, _local, iv.check_level, iv.__name__\n"
        "    _build(_helper())\n"
    )
    assert _private_names_used_from_elsewhere("sampling.frames.isolated", source) == [
        "sampling.frames.isolated imports _build from sampling.frames.frame",
        "sampling.frames.isolated imports _own_helper from sampling.frames.read",
        "sampling.frames.isolated uses assessment.estimation.intervals._check_level",
    ]


def test_no_private_name_is_imported_from_another_module():
    wrong = sorted(f for module in modules() for f in _private_names_used_from_elsewhere(module))
    assert wrong == []


ROUTES = "assessment.routes"


def _route_adders(module: str) -> list[int]:
    """Lines where ``module`` names ``add_route`` (a call, or a bound method kept for one)."""
    tree = ast.parse(modules()[module].read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if (isinstance(node, ast.Attribute) and node.attr == "add_route")
        or (isinstance(node, ast.Name) and node.id == "add_route")
    ]


def test_only_the_shells_routes_module_adds_routes():
    assert _route_adders(ROUTES), "the route finder should see the routes module's add_route"
    elsewhere = {m: lines for m in modules() if m != ROUTES and (lines := _route_adders(m))}
    assert elsewhere == {}
