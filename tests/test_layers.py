"""The layers import only downward, and no module of the product imports itself in a circle.

Read from the source (no import runs): a new upward import or a new cycle fails here with the
module and line, instead of hiding behind a function-level import until it breaks at runtime.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAYERS: tuple[tuple[str, ...], ...] = (
    ("bot",),  # wiring: the application, the command and button tables, entry point
    ("handlers",),  # features: commands and buttons
    ("conversations",),  # features: the multi-step forms the handlers open
    ("jobs",),  # features: what runs on the clock
    ("ui",),  # what every feature shares: catalogue, keyboards, views, gate, services
    ("usecases",),  # a state change with its rule, transaction and audit row; no Telegram
    ("ops",),  # backup, restore, check
    ("storage",),  # SQL and the photo files
    ("domain", "config"),  # plain Python: rules, forms, parsing; settings
)
RANK = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}
"""A package may import its own layer's modules and any layer below it (higher rank)."""


@dataclass(frozen=True)
class Import:
    """One import of a product module, as written in the source."""

    source: str  # dotted module that imports
    target: str  # dotted module imported
    line: int
    top_level: bool  # at module level (including ``if TYPE_CHECKING:``)
    typing_only: bool  # under ``if TYPE_CHECKING:``
    commented: bool  # the line says why (``# local: ...``)


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _targets(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        # ``from ui import callbacks`` imports the module ui.callbacks when it is one.
        found = []
        for alias in node.names:
            candidate = f"{node.module}.{alias.name}"
            is_module = (ROOT / Path(*candidate.split("."))).with_suffix(".py").exists()
            found.append(candidate if is_module else node.module)
        return found
    return []


def imports(packages: tuple[str, ...]) -> Iterator[Import]:
    """Every import of a product module in ``packages``."""
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            source = _module(path)
            text = path.read_text(encoding="utf-8")
            lines = text.splitlines()
            tree = ast.parse(text)
            top = {id(node): False for node in tree.body}
            for node in tree.body:
                if isinstance(node, ast.If) and _is_type_checking(node):
                    for inner in node.body:
                        top[id(inner)] = True
            for node in ast.walk(tree):
                for target in _targets(node):
                    if target.split(".")[0] not in RANK:
                        continue
                    yield Import(source, target, node.lineno, id(node) in top,
                                 top.get(id(node), False), "# local:" in lines[node.lineno - 1])


PRODUCT = tuple(RANK)


def test_every_package_imports_only_its_layer_and_below() -> None:
    upward = [
        f"{found.source}:{found.line} imports {found.target}"
        for found in imports(PRODUCT)
        if RANK[found.target.split(".")[0]] < RANK[found.source.split(".")[0]]
    ]
    assert upward == []


def test_no_function_level_import_without_a_reason() -> None:
    hidden = [
        f"{found.source}:{found.line} imports {found.target} inside a function"
        for found in imports(PRODUCT)
        if not found.top_level and not found.commented
    ]
    assert hidden == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph.get(node, ()):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
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


def test_no_import_cycle_between_modules() -> None:
    graph: dict[str, set[str]] = {}
    for found in imports(PRODUCT):
        if found.typing_only or found.target == found.source:
            continue
        graph.setdefault(found.source, set()).add(found.target)
    assert _cycles(graph) == []


def test_the_cycle_finder_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_layer_is_packaged_and_in_the_image() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for package in PRODUCT:
        assert f'"{package}*"' in pyproject, f"{package}/ is not in the package list"
        assert f"COPY {package} ./{package}" in dockerfile, f"{package}/ is not in the image"


def test_the_bench_and_the_emulator_do_not_import_tests() -> None:
    found = []
    for package in ("bench", "emulator"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if any(target.split(".")[0] == "tests" for target in _all_targets(node)):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


def _all_targets(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module:
        return [node.module]
    return []


def test_no_test_module_imports_another() -> None:
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _all_targets(node):
                parts = target.split(".")
                if parts[0] == "tests" and len(parts) > 1 and parts[1].startswith("test_"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {target}")
            if isinstance(node, ast.ImportFrom) and node.module == "tests":
                found += [f"{path.relative_to(ROOT)}:{node.lineno} imports tests.{alias.name}"
                          for alias in node.names if alias.name.startswith("test_")]
    assert found == []
