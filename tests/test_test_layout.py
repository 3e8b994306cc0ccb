"""The tests as a library: what they share is in tests/support, no module imports a test
module (test_*.py) or a conftest, a test folder reaches another folder's helpers only
through tests/support, and the benchmarks import from pyike and tests/support only."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import ROOT

SUPPORT = "tests.support"


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_package(root: Path, module: str) -> bool:
    return (root.joinpath(*module.split(".")) / "__init__.py").exists()


def _module_of(root: Path, dotted: str) -> str | None:
    """The longest prefix of `dotted` that is a module or package under `root`."""
    parts = dotted.split(".")
    while parts:
        place = root.joinpath(*parts)
        if place.with_suffix(".py").exists() or (place / "__init__.py").exists():
            return ".".join(parts)
        parts.pop()
    return None


def _imports(root: Path, path: Path) -> Iterator[str]:
    """The modules under `root` that the imports of `path` reach, also inside functions."""
    module = _module_name(root, path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(p for p in [*anchor, base] if p)
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            target = _module_of(root, name)
            if target is not None and target != module:
                yield target


def _in_support(module: str) -> bool:
    return module == SUPPORT or module.startswith(SUPPORT + ".")


def _is_test_module(module: str) -> bool:
    last = module.rpartition(".")[2]
    return last.startswith("test_") or last == "conftest"


def layout_problems(root: Path, tests: list[Path], bench: list[Path]) -> list[str]:
    """What breaks the layout, one line each."""

    def folder(module: str) -> str:
        return module if _is_package(root, module) else module.rpartition(".")[0]

    problems = []
    for path in tests:
        module = _module_name(root, path)
        for target in _imports(root, path):
            where = f"{path.relative_to(root)} imports {target}"
            if _is_test_module(target):
                problems.append(f"{where}: a test module or conftest, not a helper")
            elif _in_support(module) and not _in_support(target):
                problems.append(f"{where}: tests/support takes nothing from the test folders")
            elif not _in_support(target) and folder(target) != folder(module):
                problems.append(f"{where}: another folder's helper; shared ones are in support")
    for path in bench:
        for target in _imports(root, path):
            if target.split(".")[0] == "tests" and not _in_support(target):
                problems.append(f"{path.relative_to(root)} imports {target}: bench uses support")
    return list(dict.fromkeys(problems))


def test_tests_and_benchmarks_import_helpers_only_from_support() -> None:
    tests = sorted((ROOT / "tests").rglob("*.py"))
    bench = sorted((ROOT / "bench").glob("*.py"))
    assert layout_problems(ROOT, tests, bench) == []


# A small tree to check the checker on: two test folders with a helper each, and support.
TREE = (
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/a/__init__.py",
    "tests/a/helpers.py",
    "tests/a/test_two.py",
    "tests/b/__init__.py",
    "tests/b/helpers.py",
    "tests/support/__init__.py",
    "tests/support/harness.py",
)


def _tree(root: Path, where: str, text: str) -> tuple[list[Path], list[Path]]:
    for name in TREE:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).touch()
    path = root / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return ([path], []) if where.startswith("tests/") else ([], [path])


@pytest.mark.parametrize(
    ("where", "text", "complaint"),
    [
        ("tests/a/test_one.py", "from tests.a.test_two import helper\n", "a test module"),
        ("tests/a/test_one.py", "from tests.a import test_two\n", "a test module"),
        ("tests/b/test_one.py", "def f():\n    from tests.a import test_two\n", "a test module"),
        ("tests/a/test_one.py", "from tests.conftest import DATA\n", "a test module"),
        ("tests/a/test_one.py", "from tests.b.helpers import pair\n", "another folder"),
        ("tests/a/test_one.py", "from ..b.helpers import pair\n", "another folder"),
        ("tests/support/x.py", "from tests.a.helpers import pair\n", "takes nothing"),
        ("bench/run.py", "from tests.a.helpers import pair\n", "bench uses support"),
    ],
)
def test_each_kind_of_breach_is_found(
    tmp_path: Path, where: str, text: str, complaint: str
) -> None:
    tests, bench = _tree(tmp_path, where, text)
    (problem,) = layout_problems(tmp_path, tests, bench)
    assert complaint in problem


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("tests/a/test_one.py", "from tests.support.harness import pair\n"),
        ("tests/a/test_one.py", "from tests.support import harness\n"),
        ("tests/a/test_one.py", "from tests.a.helpers import pair\nfrom .helpers import x\n"),
        ("tests/support/x.py", "from tests.support import harness\n"),
        ("bench/run.py", "from tests.support.harness import pair\nimport benchlab\n"),
    ],
)
def test_what_the_layout_allows_passes(tmp_path: Path, where: str, text: str) -> None:
    tests, bench = _tree(tmp_path, where, text)
    assert layout_problems(tmp_path, tests, bench) == []
