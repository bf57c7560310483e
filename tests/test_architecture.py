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


# --- private names (issue 19: "no module imports a private name of another") -------------------

#: Private names one module takes from another, each with its reason:
#: (importing module, "module._name") -> reason. The test fails on any other, and on an entry
#: that no longer occurs. Add one only with the reason it cannot be made public (or moved) yet.
ALLOWED_PRIVATE: dict[tuple[str, str], str] = {}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(source: str, here: str, modules: set[str]) -> list[tuple[int, str]]:
    """(line, "gis.x._name") for each private name module ``here`` takes from another module.

    Counted, anywhere in the module: ``from gis.x import _name``, and ``x._name`` where ``x``
    names a module of the package (``from gis import x``, ``import gis.x as x``). A private
    *module* may be imported (``from gis._validation import check_frame``): its public names are
    the package's shared internals (docs/architecture.md).
    """
    tree = ast.parse(source)
    found: list[tuple[int, str]] = []
    aliases: dict[str, str] = {}  # local name -> module of the package
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in modules:
                    aliases[alias.asname or alias.name] = full
                elif node.module in modules and node.module != here and _private(alias.name):
                    found.append((node.lineno, full))
        elif isinstance(node, ast.Import):
            aliases |= {a.asname: a.name for a in node.names if a.asname and a.name in modules}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and aliases.get(node.value.id, here) != here
            and _private(node.attr)
        ):
            found.append((node.lineno, f"{aliases[node.value.id]}.{node.attr}"))
    return sorted(found)


def private_imports() -> set[tuple[str, str]]:
    """(module, "other._name") for each private name a module of gis/ takes from another."""
    modules = _modules()
    return {
        (here, name)
        for here, path in modules.items()
        for _line, name in private_uses(path.read_text(encoding="utf-8"), here, set(modules))
    }


def test_no_module_imports_a_private_name_of_another():
    extra = sorted(private_imports() - set(ALLOWED_PRIVATE))
    listed = "\n".join(f"{here}: {name}" for here, name in extra)
    assert not extra, (
        "private names taken from another module: make them public (no `_`) where they are "
        f"shared, or move them (see docs/architecture.md):\n{listed}"
    )


def test_allowed_private_imports_still_exist():
    gone = set(ALLOWED_PRIVATE) - private_imports()
    assert not gone, f"no longer taken, remove them from ALLOWED_PRIVATE: {sorted(gone)}"


def test_cli_imports_only_public_names_of_public_modules():
    """Each command parses its options and calls public functions, which a notebook can call
    too: the command line imports no private module (``gis._decode``) and takes no private name
    (``io._short_names``), not even one of the exceptions of ALLOWED_PRIVATE."""
    modules = _modules()
    source = (PACKAGE / "cli.py").read_text(encoding="utf-8")
    bad = [f"line {line}: {name}" for line, name in private_uses(source, "gis.cli", set(modules))]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in sorted(_targets(node, "gis.cli", set(modules))):
                if any(_private(part) for part in target.split(".")):
                    bad.append(f"line {node.lineno}: module {target}")
    assert not bad, "gis/cli.py uses private parts of the package:\n" + "\n".join(bad)


def test_private_uses_sees_lazy_imports_and_attributes():
    source = (
        "from gis.io import read_vector, _short_names\n"
        "from gis._decode import describe_report\n"
        "def f():\n"
        "    from gis import store\n"
        "    return store._prepare(), store.read_layer, _own()\n"
    )
    modules = {"gis", "gis.io", "gis.store", "gis._decode", "gis.cli"}
    assert private_uses(source, "gis.cli", modules) == [
        (1, "gis.io._short_names"),
        (5, "gis.store._prepare"),
    ]
    assert private_uses(source, "gis.store", modules) == [(1, "gis.io._short_names")]
