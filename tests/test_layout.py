"""The house's rules, read off the source: no import circle between kg's files or its packages
(imports inside functions count: a loop hidden in a function is still a loop), no Python module
over 500 lines, no C file over 900."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.conftest import ROOT

KG = ROOT / "kg"


def modules() -> dict[str, Path]:
    found = {}
    for path in KG.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports() -> dict[str, set[str]]:
    """Module -> the kg modules it imports, anywhere in its text."""
    known = modules()
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                           for alias in node.names]
            else:
                continue
            for target in targets:
                if target in known and target != name and not name.startswith(target + "."):
                    edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(set(edges) | {t for ts in edges.values() for t in ts}):
        if node not in index:
            visit(node)
    return found


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_no_two_files_of_kg_import_each_other_even_through_others():
    assert cycles(imports()) == []


def test_no_two_packages_of_kg_import_each_other_even_through_others():
    by_package: dict[str, set[str]] = defaultdict(set)
    for source, targets in imports().items():
        for target in targets:
            if package_of(source) != package_of(target):
                by_package[package_of(source)].add(package_of(target))
    assert cycles(by_package) == []


def test_the_cycle_finder_finds_a_loop_hidden_in_a_function():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_python_module_is_over_500_lines_and_no_c_file_over_900():
    long = {str(p.relative_to(ROOT)): n for p in KG.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 500}
    long |= {str(p.relative_to(ROOT)): n for p in [*KG.rglob("*.c"), *KG.rglob("*.h")]
             if (n := len(p.read_text().splitlines())) > 900}
    assert long == {}
