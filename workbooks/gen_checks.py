"""Generate udfs/register_inputs.py — the checked input columns of every register and its
computed columns' expressions, which the Excel function ROW_CHECK reads — from the template
declarations (workbooks/spec.py).

    python -m workbooks.gen_checks            # rewrite udfs/register_inputs.py
    python -m workbooks.gen_checks --check    # exit 1 when the committed file is stale

The engine (udfs) never imports workbooks, so the declarations reach it as this generated
data module; the templates stay the one place a column is declared.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from udfs.generated import refresh

from .spec import (
    OPEN_LISTS,
    REGISTERS,
    Blank,
    Call,
    Eq,
    Expr,
    If,
    Lit,
    LiveStatus,
    Out,
    Positive,
    Ref,
    Refused,
    checked_inputs,
)

TARGET = Path(__file__).resolve().parents[1] / "udfs" / "register_inputs.py"

HEADER = '''"""Each register as ROW_CHECK reads it — GENERATED from workbooks/spec.py by
`python -m workbooks.gen_checks`. Do not edit: change the template.

INPUTS: the checked input columns, in template order: (header, kind, required, drop-down list
key, rule, date it may not precede). COMPUTED: the computed columns, in template order:
(header, guard inputs, expression) with expressions as nested tuples — ("ref", header),
("lit", value), ("blank",), ("call", function, args), ("if", cond, then, else),
("eq", header, text), ("positive", header), ("refused", header), ("out", header),
("status", deadline expression)."""

INPUTS = {
'''


def render() -> str:
    out = [HEADER]
    for kind, tpl in REGISTERS.items():
        out.append(f"    {kind!r}: (\n")
        for c in checked_inputs(tpl):
            out.append(f"        ({c.header!r}, {c.kind!r}, {c.required!r}, {c.choices!r}, {c.rule!r}, {c.after!r}),\n")
        out.append("    ),\n")
    out.append("}\n\nCOMPUTED = {\n")
    for kind, tpl in REGISTERS.items():
        out.append(f"    {kind!r}: (\n")
        for c in tpl.computed:
            out.append(f"        ({c.header!r}, {tuple(c.guard)!r},\n         {tree(c.expression)!r}),\n")
        out.append("    ),\n")
    out.append("}\n\n# drop-down lists that only suggest (any place is read by STO-4)\n")
    out.append(f"OPEN_LISTS = frozenset({sorted(OPEN_LISTS)!r})\n")
    return "".join(out)


def tree(e: Expr) -> tuple[Any, ...]:
    """An expression as nested tuples (what udfs.rowcheck evaluates for one row)."""
    if isinstance(e, Ref):
        return ("ref", e.header)
    if isinstance(e, Lit):
        return ("lit", e.value)
    if isinstance(e, Blank):
        return ("blank",)
    if isinstance(e, Call):
        return ("call", e.name, tuple(tree(a) for a in e.args))
    if isinstance(e, If):
        return ("if", tree(e.cond), tree(e.then), tree(e.other))
    if isinstance(e, Eq):
        return ("eq", e.ref.header, e.text)
    if isinstance(e, Positive):
        return ("positive", e.ref.header)
    if isinstance(e, Refused):
        return ("refused", e.header)
    if isinstance(e, Out):
        return ("out", e.header)
    if isinstance(e, LiveStatus):
        return ("status", tree(e.deadline_expr))
    raise TypeError(f"no tuple form for {type(e).__name__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workbooks.gen_checks", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the generated file is current")
    args = parser.parse_args(argv)
    stale = refresh(TARGET, render(), check=args.check, command="python -m workbooks.gen_checks")
    return 1 if stale and args.check else 0

if __name__ == "__main__":
    raise SystemExit(main())
