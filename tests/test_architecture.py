"""The shape DESIGN.md promises: pyike's packages import each other as a DAG (no cycle, also
counting imports inside functions and for type checking only), the engine's modules too, and
the engine imports nothing inside a function."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

from tests.support.paths import SRC

PACKAGE = SRC / "pyike"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _resolve(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The pyike modules an import statement of ``module`` reaches."""
    modules = _modules()
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        base = module if modules[module].name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(max(node.level - 1, 0)):
            base = base.rpartition(".")[0]
        origin = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
        assert origin is not None
        targets = [
            f"{origin}.{a.name}" if f"{origin}.{a.name}" in modules else origin for a in node.names
        ]
    for target in targets:
        while target not in modules and "." in target:
            target = target.rpartition(".")[0]
        if target in modules and target != module and target.startswith("pyike"):
            yield target


def _imports(module: str) -> Iterator[tuple[str, bool, bool]]:
    """(imported module, inside a function, for type checking only) for each import."""
    tree = ast.parse(_modules()[module].read_text(encoding="utf-8"))

    def walk(
        node: ast.AST, in_function: bool, typing_only: bool
    ) -> Iterator[tuple[str, bool, bool]]:
        for child in ast.iter_child_nodes(node):
            function = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            checking = typing_only or (
                isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)
            )
            if isinstance(child, ast.Import | ast.ImportFrom):
                for target in _resolve(module, child):
                    yield target, in_function, typing_only
            yield from walk(child, function, checking)

    yield from walk(tree, False, False)


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        cycle: list[str] = error.args[1]
        return cycle
    return None


def test_packages_form_a_dag() -> None:
    graph: dict[str, set[str]] = {}
    for module in _modules():
        for target, _, _ in _imports(module):
            if _package(target) != _package(module):
                graph.setdefault(_package(module), set()).add(_package(target))
    assert _cycle(graph) is None, f"import cycle between packages: {_cycle(graph)}"


def test_nhrp_stands_beside_on_nothing() -> None:
    assert {
        _package(t) for m in _modules() if _package(m) == "nhrp" for t, _, _ in _imports(m)
    } <= {"nhrp"}


def test_frr_stands_on_config_alone() -> None:
    """The IOS-to-FRR translation, FRR's daemons and vtysh: usable by the gateway's shell and
    the netns lab alike, so below both."""
    used = {_package(t) for m in _modules() if _package(m) == "frr" for t, _, _ in _imports(m)}
    assert used <= {"frr", "config"}


ENGINE = sorted(m for m in _modules() if m.startswith("pyike.ike."))


def test_the_engines_modules_form_a_dag() -> None:
    graph = {
        module: {t for t, _, typing_only in _imports(module) if t in ENGINE and not typing_only}
        for module in ENGINE
    }
    assert _cycle(graph) is None, f"import cycle in pyike.ike: {_cycle(graph)}"


@pytest.mark.parametrize("module", ENGINE)
def test_the_engine_imports_nothing_inside_a_function(module: str) -> None:
    local = [target for target, in_function, _ in _imports(module) if in_function]
    assert local == [], f"{module} imports {local} inside a function"
