"""The import graph of the package has no cycle (issue 19, "One home for each thing").

Every ``import`` statement of every module of ``gis/`` counts, wherever it stands: at the top,
inside a function (a lazy import), or under ``if TYPE_CHECKING:``. A lazy import only delays a
cycle to run time; the modules still need each other, and the fix is the same: the shared part
goes to a third module, or the caller hands in what is needed (the validation rules get a
``get(layer)`` reader instead of importing the store). See docs/architecture.md.

``from gis import settings`` is an edge to ``gis.settings``; ``from gis import name`` for a name
that is not a module is an edge to the package ``gis`` itself (its ``__init__``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gis"

#: Cycles known and accepted, each with its reason: (modules in cycle order) -> reason.
#: Empty: add one only with the reason it cannot be broken yet; the test fails on any other.
ALLOWED: dict[tuple[str, ...], str] = {}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_path(name: str) -> Path:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _targets(node: ast.Import | ast.ImportFrom, here: str, modules: set[str]) -> set[str]:
    """The package modules one import statement of module ``here`` imports."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
        return {n for n in names if n in modules}
    if node.level:  # relative: from . import x / from .x import y
        is_package = _module_path(here).name == "__init__.py"
        package = here if is_package else here.rsplit(".", 1)[0]
        base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
        source = f"{base}.{node.module}" if node.module else base
    else:
        source = node.module or ""
    out = set()
    for alias in node.names:
        sub = f"{source}.{alias.name}"
        if sub in modules:
            out.add(sub)  # from gis import settings: the submodule
        elif source in modules:
            out.add(source)  # from gis.store import read_layer (or a name of gis/__init__)
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports (any import statement, anywhere in it)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges |= _targets(node, name, set(modules))
        edges.discard(name)
        graph[name] = edges
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[tuple[str, ...]]:
    """One cycle through each strongly connected component of ``graph`` (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(_one_cycle(graph, c) for c in components)


def _one_cycle(graph: dict[str, set[str]], component: set[str]) -> tuple[str, ...]:
    """A cycle inside ``component``, starting at its first module, by breadth-first search."""
    start = min(component)
    paths = {start: (start,)}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v] & component):
            if w == start:
                return paths[v]
            if w not in paths:
                paths[w] = (*paths[v], w)
                queue.append(w)
    return tuple(sorted(component))  # unreachable for a strongly connected component


def _show(cycle: tuple[str, ...]) -> str:
    return " -> ".join((*cycle, cycle[0]))


def test_import_graph_covers_the_package():
    graph = import_graph()
    assert {"gis", "gis.store", "gis.validate", "gis.stats", "gis.settings"} <= set(graph)
    assert "gis.store" in graph["gis.validate"]  # the public entry points read the store
    assert "gis.store" not in graph["gis._validation"]  # the engine gets a reader instead
    assert "gis.webmap" in graph["gis.review"]  # imported inside a function: counted too


def test_no_import_cycle():
    cycles = [c for c in find_cycles(import_graph()) if c not in ALLOWED]
    listed = "\n".join(_show(c) for c in cycles)
    assert not cycles, f"import cycles among gis modules (see docs/architecture.md):\n{listed}"


def test_allowed_cycles_still_exist():
    gone = set(ALLOWED) - set(find_cycles(import_graph()))
    assert not gone, f"cycles no longer present, remove them from ALLOWED: {sorted(gone)}"


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}}, [("a", "b")]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [("a", "b", "c")]),
        ({"a": {"b"}, "b": set()}, []),
    ],
)
def test_find_cycles_on_known_graphs(graph, expected):
    assert find_cycles(graph) == expected
