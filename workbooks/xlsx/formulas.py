"""Formula text helpers: moving a shared formula's master text to another cell."""
from __future__ import annotations

import re

from .cells import col_index, col_letter

_STRING = re.compile(r'"(?:[^"]|"")*"')
_REF = re.compile(r"(?<![A-Za-z0-9_.])(\$?)([A-Z]{1,3})(\$?)([0-9]+)(?![A-Za-z0-9_(])")


def _shift_part(text: str, drow: int, dcol: int) -> str:
    def one(m: re.Match[str]) -> str:
        cabs, col, rabs, row = m.groups()
        c = col_index(col) + (0 if cabs else dcol)
        r = int(row) + (0 if rabs else drow)
        if c < 0 or r < 1:
            return "#REF!"
        return f"{cabs}{col_letter(c)}{rabs}{r}"
    return _REF.sub(one, text)


def shift(formula: str, drow: int, dcol: int) -> str:
    """The formula of a shared-formula master as it reads ``drow`` rows and ``dcol`` columns
    away (relative A1 references move, $-anchored parts and string literals stay)."""
    if not drow and not dcol:
        return formula
    out, pos = [], 0
    for m in _STRING.finditer(formula):
        out.append(_shift_part(formula[pos:m.start()], drow, dcol))
        out.append(m.group())
        pos = m.end()
    out.append(_shift_part(formula[pos:], drow, dcol))
    return "".join(out)
