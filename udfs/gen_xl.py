"""Generate udfs/xl.py — the xlwings wrappers — from the declarations in udfs/registry.py.

    python -m udfs.gen_xl            # rewrite udfs/xl.py
    python -m udfs.gen_xl --check    # exit 1 when the committed udfs/xl.py is stale

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
import sys
from pathlib import Path

from . import registry

TARGET = Path(__file__).with_name("xl.py")

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
    try:
        from addin.xlam.vbanames import GENERATOR_LOCALS, VBA_RESERVED
    except ImportError:  # the engine alone (no add-in package): the compile test still checks
        return frozenset()
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
    sig = ", ".join(p.name if p.required else f"{p.name}={p.default!r}" for p in f.params)
    call_args = "".join(f", {p.name}" for p in f.params)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m udfs.gen_xl", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that udfs/xl.py is current")
    args = parser.parse_args(argv)
    text = render()
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
    if args.check:
        if current != text:
            print(f"{TARGET} is stale: run `python -m udfs.gen_xl`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        tmp = TARGET.with_suffix(".py.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(TARGET)
        print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
