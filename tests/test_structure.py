"""The structure a maintainer relies on, checked on every run: the packages' layers, no import
cycles, imports at the top of modules, short functions, names that explain themselves.

Layers, bottom to top (a package imports only its own layer and the ones below):

    udfs       the rules engine and the Excel functions
    cli        the command-line kit every command is built on (contract, console, config)
    workbooks  templates, the register model, the headless processor, the xlsx layer
    desk       notices and their ledger, reminders, the half-month report, the analysis
    addin      the Excel add-in: .xlam, ribbon handlers, install into Excel, doctor

Imports are read from the syntax tree, anywhere in a module (inside functions too).
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from radon.complexity import cc_visit

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("udfs", "cli", "workbooks", "desk", "addin")
MAX_COMPLEXITY = 15
# an import below a module's top names its reason: a measured start-up cost (with the figure)
# or a dependency that is optional or exists only on Windows
LAZY_REASON = re.compile(r"#.*\blazy\b.*(\d+(\.\d+)?\s?(ms|s|MB|MiB)\b|optional|Windows)")
HISTORY = re.compile(r"\b[Ii]ssues? \d+|\bround \d+|\bs\d+-[a-z]+\b")


@dataclass(frozen=True)
class Import:
    source: str      # importing module
    target: str      # imported project module
    line: int
    top: bool        # at module level (or under a module-level if/try)
    text: str        # the source line


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {_module_name(p): p for layer in LAYERS for p in sorted((ROOT / layer).rglob("*.py"))}


@cache
def tree(name: str) -> ast.Module:
    return ast.parse(modules()[name].read_text(encoding="utf-8"))


def _base(name: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = name.split(".") if modules()[name].name == "__init__.py" else name.split(".")[:-1]
    package = package[: len(package) - node.level + 1]
    return ".".join(package + ([node.module] if node.module else []))


def _targets(name: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """Project modules an import statement loads: a submodule by name, else the package."""
    mods = modules()
    if isinstance(node, ast.Import):
        wanted = [a.name for a in node.names]
    else:
        base = _base(name, node)
        wanted = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
    found = set()
    for w in wanted:
        while w and w not in mods:
            w = w.rpartition(".")[0]
        if w and w != name:
            found.add(w)
    return found


def _top_level_nodes(module: ast.Module) -> set[int]:
    """Statements at module level, including those under a module-level if/try."""
    top: set[int] = set()
    todo: list[ast.stmt] = list(module.body)
    while todo:
        stmt = todo.pop()
        top.add(id(stmt))
        if isinstance(stmt, (ast.If, ast.Try)):
            todo += stmt.body + stmt.orelse + getattr(stmt, "finalbody", [])
            todo += [s for h in getattr(stmt, "handlers", []) for s in h.body]
    return top


@cache
def imports() -> tuple[Import, ...]:
    found = []
    for name, path in modules().items():
        lines = path.read_text(encoding="utf-8").splitlines()
        module = tree(name)
        top = _top_level_nodes(module)
        for node in ast.walk(module):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                text = " ".join(lines[node.lineno - 1: node.end_lineno or node.lineno])
                for target in _targets(name, node):
                    found.append(Import(name, target, node.lineno, id(node) in top, text))
    return tuple(found)


def _listed(items: list[str]) -> str:
    return "\n" + "\n".join(items)


def _layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def test_no_package_imports_a_layer_above_it() -> None:
    upward = [f"{i.source}:{i.line} → {i.target}" for i in imports() if _layer(i.target) > _layer(i.source)]
    assert not upward, _listed(upward)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    edges: dict[str, set[str]] = {}
    for i in imports():
        edges.setdefault(i.source, set()).add(i.target)
    cycles = [" ↔ ".join(c) for c in _cycles(edges)]
    assert not cycles, _listed(cycles)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _lazy_imports() -> list[str]:
    """Imports below a module's top (project or library) that do not say why."""
    bad = []
    for name, path in modules().items():
        lines = path.read_text(encoding="utf-8").splitlines()
        module = tree(name)
        top = _top_level_nodes(module)
        for node in ast.walk(module):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top:
                text = " ".join(lines[node.lineno - 1: node.end_lineno or node.lineno])
                if not LAZY_REASON.search(text):
                    bad.append(f"{name}:{node.lineno}")
    return bad


def test_imports_are_at_the_top_or_say_why_not() -> None:
    lazy = _lazy_imports()
    assert not lazy, _listed(lazy)


def _functions(blocks: list) -> list:
    """Every function radon measures: top-level, methods, nested functions (not classes)."""
    found = []
    for block in blocks:
        if hasattr(block, "methods"):  # a class: its methods and inner classes
            found += _functions(block.methods + getattr(block, "inner_classes", []))
        else:
            found += [block, *_functions(getattr(block, "closures", []))]
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_functions_are_short_enough_to_read_at_once(layer: str) -> None:
    over = []
    for name, path in modules().items():
        if name.split(".")[0] != layer:
            continue
        for item in _functions(cc_visit(path.read_text(encoding="utf-8"))):
            if item.complexity > MAX_COMPLEXITY:
                over.append(f"{name}.{item.fullname} ({item.complexity})")
    over = sorted(set(over))  # radon lists a method both alone and under its class
    assert not over, _listed(over)


def _project_aliases(name: str) -> dict[str, str]:
    """Local names bound to project modules by ``import x as y`` / ``from p import m as y``."""
    found = {}
    for node in ast.walk(tree(name)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            base = _base(name, node) if isinstance(node, ast.ImportFrom) else ""
            for a in node.names:
                full = f"{base}.{a.name}" if base else a.name
                if full in modules():
                    found[a.asname or a.name.split(".")[-1]] = full
    return found


def test_project_modules_keep_names_that_explain_themselves() -> None:
    short = []
    for name in modules():
        for node in ast.walk(tree(name)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                base = _base(name, node) if isinstance(node, ast.ImportFrom) else ""
                short += [f"{name}:{node.lineno} {a.name} as {a.asname}" for a in node.names
                          if a.asname and len(a.asname) < 3
                          and (f"{base}.{a.name}" if base else a.name) in modules()]
    assert not short, _listed(short)


def test_no_module_reaches_into_another_modules_private_names() -> None:
    reach = []
    for name in modules():
        aliases = _project_aliases(name)
        for node in ast.walk(tree(name)):
            if isinstance(node, ast.ImportFrom) and _base(name, node) != name:
                reach += [f"{name}:{node.lineno} {a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                reach.append(f"{name}:{node.lineno} {node.value.id}.{node.attr}")
    assert not reach, _listed(reach)


def test_module_docstrings_say_what_the_module_is() -> None:
    missing, history = [], []
    for name in modules():
        doc = ast.get_docstring(tree(name))
        if not doc:
            missing.append(name)
        elif HISTORY.search(doc):
            history.append(name)
    assert not missing, "no module docstring:" + _listed(missing)
    assert not history, "the docstring tells history (issues, rounds, branches):" + _listed(history)


def test_the_code_cites_the_rules_reference_in_the_product() -> None:
    cited = [f"{name}" for name, path in modules().items() if "RULES.md" in path.read_text(encoding="utf-8")]
    assert not cited, _listed(cited)
