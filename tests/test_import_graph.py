"""The modules of movierec import each other one way only: no cycle, and no stage reaching up to a later one.

Deferred imports count like the others.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "movierec"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The names an import statement may load, as absolute dotted names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: count up from the importing module's package
        package = module.split(".") if is_package else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
    # `from movierec import paths` loads the module movierec.paths, not just the package
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def import_graph() -> dict[str, set[str]]:
    """For each module of the package, the other modules of the package it imports (anywhere in its body)."""
    files = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges.update(name for name in _imported(node, module, path.name == "__init__.py") if name in files)
        edges.discard(module)
        # A module inside a package also runs the package's __init__, which is not a dependency it chose.
        graph[module] = {edge for edge in edges if not module.startswith(edge + ".")}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path that ends where it starts, or None (depth-first search)."""
    done: set[str] = set()

    def visit(stack: list[str]) -> list[str] | None:
        for target in sorted(graph[stack[-1]]):
            if target in stack:
                return [*stack[stack.index(target) :], target]
            if target not in done and (cycle := visit([*stack, target])):
                return cycle
        done.add(stack[-1])
        return None

    for start in sorted(graph):
        if start not in done and (cycle := visit([start])):
            return cycle
    return None


def test_the_package_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_cycles_and_only_cycles():
    assert find_cycle({"a": {"b"}, "b": {"a"}, "c": set()}) == ["a", "b", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"b"}}) == ["b", "c", "b"]


# The stages from the bottom up. A module may import its own unit and the units on lower layers, never a unit
# on its own layer or above. The root's shared basics (errors, paths, config, results, ids, events, ...) are
# the unit "movierec"; `pipeline` is the one root module that ties the stages together.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("movierec",),
    ("data",),
    ("profiles", "model"),
    ("evaluate",),
    ("train",),
    ("suggest", "explore"),
    ("pipeline",),
    ("bench", "ui"),
    ("cli",),
)
ENTRY_POINTS = {"movierec", "movierec.__main__", "movierec.recommend"}  # they re-export from above by design


def unit(module: str) -> str:
    """The unit a module belongs to: its stage package, ``pipeline``, or ``movierec`` for the root basics."""
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()):
        return parts[1]
    return "pipeline" if module == "movierec.pipeline" else "movierec"


def layer(unit_name: str) -> int:
    return next(i for i, units in enumerate(LAYERS) if unit_name in units)


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Each import that goes to a unit on the importer's own layer or above (its own unit excepted)."""
    found = []
    for module, targets in sorted(graph.items()):
        if module in ENTRY_POINTS:
            continue
        for target in sorted(targets):
            source, goal = unit(module), unit(target)
            if goal != source and layer(goal) >= layer(source):
                found.append(f"{module} ({source}) imports {target} ({goal})")
    return found


def test_every_unit_has_a_layer():
    units = {unit(module) for module in import_graph()}
    assert units == {name for units in LAYERS for name in units}


def test_no_module_imports_a_later_stage():
    assert upward_imports(import_graph()) == []


def test_the_layering_check_finds_an_upward_import():
    graph = import_graph()
    graph["movierec.model.network"] = graph["movierec.model.network"] | {"movierec.train.loop"}
    graph["movierec.explore.pca"] = graph["movierec.explore.pca"] | {"movierec.suggest.recommend"}
    assert upward_imports(graph) == [
        "movierec.explore.pca (explore) imports movierec.suggest.recommend (suggest)",
        "movierec.model.network (model) imports movierec.train.loop (train)",
    ]


def test_imports_inside_functions_are_in_the_graph():
    assert "movierec.bench.scale" in import_graph()["movierec.cli.bench"]  # the CLI loads a benchmark only when asked
