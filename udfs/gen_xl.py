"""Generate udfs/xl.py — the xlwings wrappers —, the export block of udfs/__init__.py and
docs/functions.md from the declarations in udfs/registry.py.

    python -m udfs.gen_xl            # rewrite udfs/xl.py, udfs/__init__.py's exports, docs/functions.md
    python -m udfs.gen_xl --check    # exit 1 when a committed file is stale

The registry snapshot (tests/snapshots/udf_registry.json) is updated on purpose, not here:
`LOGIDESK_UPDATE_SNAPSHOT=1 .venv/bin/python -m pytest tests/test_udf_registry.py`.

xlwings needs explicit functions (it reads their signatures and decorators, and its VBA
generator reads the module file), so the wrappers are real source, not built at import:

- no annotations (xlwings reads annotations as converters);
- ``@xw.arg(name, ndim=2, err_to_str=True, doc=…)`` on every argument: error cells arrive as
  their text instead of None (a blank), and every range as a list of rows (its shape);
- argument names that are not VBA reserved words (one bad name disables every function of the
  generated VBA module);
- every call goes to :func:`udfs.xlcall.call` with the Excel name.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from . import registry
from .examples import markdown
from .generated import refresh
from .vbanames import GENERATOR_LOCALS, VBA_RESERVED

TARGET = Path(__file__).with_name("xl.py")
PACKAGE = Path(__file__).with_name("__init__.py")
EXPORTS_BEGIN = "# exports:begin (generated from udfs/registry.py by `python -m udfs.gen_xl`; do not edit)\n"
EXPORTS_END = "# exports:end\n"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "functions.md"

HEADER = '''"""Excel functions (xlwings UDFs) — GENERATED from udfs/registry.py by `python -m udfs.gen_xl`.
Do not edit: change the declaration and regenerate (tests/test_udf_registry.py fails when stale).

Every argument declares ``ndim=2, err_to_str=True``: an error cell (#N/A, #VALUE!, …) reaches
udfs.xlcall as an error, never as a blank, and a range keeps its shape. One cell in → one value;
a range in → a block of the same shape. Bad input → ``错误：<message>（rule）`` in the cell.
The functions carry no type annotations on purpose: xlwings reads annotations as converters.
"""
import xlwings as xw

from udfs.xlcall import ERROR_PREFIX, call  # noqa: F401

CATEGORY = {category!r}
'''


def _reserved() -> frozenset[str]:
    return VBA_RESERVED | GENERATOR_LOCALS | {"caller"}


def _text(s: str) -> str:
    return repr(s)  # a Python literal; Chinese stays readable (repr keeps non-ASCII as is)


def render_function(f: registry.Function, reserved: frozenset[str] = frozenset()) -> str:
    for p in f.params:
        if p.name.lower() in reserved:
            raise ValueError(f"{f.excel_name}: argument {p.name!r} is a VBA reserved word")
    lines = [f"@xw.func(category={_text(f.category)})"]
    for p in f.params:
        lines.append(f"@xw.arg({_text(p.name)}, ndim=2, err_to_str=True, doc={_text(p.help)})")
    sig = ", ".join(f"*{p.name}" if p.kind == "values" else p.name if p.required else f"{p.name}={p.default!r}"
                    for p in f.params)
    call_args = "".join(f", *{p.name}" if p.kind == "values" else f", {p.name}" for p in f.params)
    lines += [f"def {f.excel_name}({sig}):",
              f"    \"\"\"{f.description}\"\"\"",
              f"    return call({_text(f.excel_name)}{call_args})"]
    return "\n".join(lines)


def render() -> str:
    reserved = _reserved()
    parts = [HEADER.format(category=registry.CATEGORY)]
    for f in registry.excel_functions().values():
        parts.append("\n" + render_function(f, reserved) + "\n")
    return "\n".join(parts)


def render_exports() -> str:
    """The package's export block: every engine function imported for type checkers, and the
    name → defining module table the package imports it from on first use."""
    homes: dict[str, list[str]] = {}
    for name, f in sorted(registry.engine_functions().items()):
        homes.setdefault(f.func.__module__.rpartition(".")[2], []).append(name)
    lines = [EXPORTS_BEGIN.rstrip("\n"), "if TYPE_CHECKING:"]
    for module, names in sorted(homes.items()):
        lines.append(f"    from .{module} import (")
        lines += [f"        {n} as {n}," for n in names]
        lines.append("    )")
    lines.append("FUNCTION_HOMES = {")
    lines += [f"    {n!r}: {module!r}," for module, names in sorted(homes.items()) for n in names]
    lines += ["}", EXPORTS_END]
    return "\n".join(lines)


def render_package(current: str) -> str:
    """udfs/__init__.py with its export block regenerated (the rest is written by hand)."""
    head, begin, rest = current.partition(EXPORTS_BEGIN)
    _, end, tail = rest.partition(EXPORTS_END)
    if not (begin and end):
        raise ValueError(f"{PACKAGE}: the export block markers are missing")
    return head + render_exports() + tail


def targets() -> dict[Path, str]:
    """Every generated file → its current text (docs only in a source checkout)."""
    out = {TARGET: render(), PACKAGE: render_package(PACKAGE.read_text(encoding="utf-8"))}
    if DOCS.parent.is_dir():
        out[DOCS] = markdown()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m udfs.gen_xl", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the generated files are current")
    args = parser.parse_args(argv)
    stale = [path for path, text in targets().items()
             if refresh(path, text, check=args.check, command="python -m udfs.gen_xl")]
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    raise SystemExit(main())
