"""Formula text helpers: moving a shared formula's master text to another cell.

A shared formula (``<f t="shared" si="0">`` on its first cell, ``<f t="shared" si="0"/>`` on
the cells it was filled into) means, in every cell, the master's formula moved by that
cell's offset, as Excel moves a formula it fills: relative parts of cell references
(``A1``), whole columns (``A:A`` by the column offset) and whole rows (``2:2`` by the row
offset) move, ``$``-anchored parts stay, text literals and quoted sheet names are left
alone; a reference moved off the sheet becomes ``#REF!``.
"""
from __future__ import annotations

import re

from .cells import col_index, col_letter

MAX_ROW, MAX_COL = 1_048_576, 16_384

_TOKEN = re.compile(
    r'(?P<lit>"(?:[^"]|"")*"|\'(?:[^\']|\'\')*\')'                                  # "text", 'sheet name'
    r"|(?<![A-Za-z0-9_.$:])(?P<c1>\$?)(?P<col1>[A-Z]{1,3}):(?P<c2>\$?)(?P<col2>[A-Z]{1,3})"
    r"(?![A-Za-z0-9_(\[!:])"                                                        # A:A, $A:C
    r"|(?<![A-Za-z0-9_.$:])(?P<r1>\$?)(?P<row1>[0-9]+):(?P<r2>\$?)(?P<row2>[0-9]+)"
    r"(?![A-Za-z0-9_.(\[!:])"                                                       # 2:2, $2:5
    r"|(?<![A-Za-z0-9_.])(?P<cabs>\$?)(?P<col>[A-Z]{1,3})(?P<rabs>\$?)(?P<row>[0-9]+)"
    r"(?![A-Za-z0-9_(\[!])")                                                         # A1, $A$1


def _col(abs_: str, letters: str, dcol: int) -> str | None:
    c = col_index(letters) + (0 if abs_ else dcol)
    return f"{abs_}{col_letter(c)}" if 0 <= c < MAX_COL else None


def _row(abs_: str, digits: str, drow: int) -> str | None:
    r = int(digits) + (0 if abs_ else drow)
    return f"{abs_}{r}" if 1 <= r <= MAX_ROW else None


def _is_col(letters: str) -> bool:
    return col_index(letters) < MAX_COL


def _is_row(digits: str) -> bool:
    return 1 <= int(digits) <= MAX_ROW


def _one(m: re.Match[str], drow: int, dcol: int) -> str:
    g = m.groupdict()
    if g["lit"] is not None:
        return m.group()
    if g["col1"] is not None or g["row1"] is not None:
        return _moved_range(m, g, drow, dcol)
    # a cell reference, the common token: moved here, without a further call
    if not (_is_col(g["col"]) and _is_row(g["row"])):
        return m.group()                       # a name such as XFE1 or A0, not a reference
    c, r = _col(g["cabs"], g["col"], dcol), _row(g["rabs"], g["row"], drow)
    return "#REF!" if c is None or r is None else f"{c}{r}"


def _moved_range(m: re.Match[str], g: dict[str, str], drow: int, dcol: int) -> str:
    """A whole-column (``A:C``) or whole-row (``2:5``) range moved."""
    if g["col1"] is not None:
        if not (_is_col(g["col1"]) and _is_col(g["col2"])):
            return m.group()
        a, b = _col(g["c1"], g["col1"], dcol), _col(g["c2"], g["col2"], dcol)
        return "#REF!" if a is None or b is None else f"{a}:{b}"
    if not (_is_row(g["row1"]) and _is_row(g["row2"])):
        return m.group()
    a, b = _row(g["r1"], g["row1"], drow), _row(g["r2"], g["row2"], drow)
    return "#REF!" if a is None or b is None else f"{a}:{b}"


def shift(formula: str, drow: int, dcol: int) -> str:
    """The formula of a shared-formula master as it reads ``drow`` rows and ``dcol`` columns
    away (see the module docstring)."""
    if not drow and not dcol:
        return formula
    return _TOKEN.sub(lambda m: _one(m, drow, dcol), formula)
