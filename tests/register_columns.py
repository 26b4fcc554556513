"""Where a register's columns are, by header: a column's 0-based index, its letter, a cell,
and template formulas written with header names. Read from the template declarations
(workbooks/spec.py: ``Template.headers`` and ``Template.letter``) or from the header row a
test wrote itself, so no test hard-codes a position that moves when a column is added.

``layout`` is a template (default: the claim register) or the headers of a sheet in the
order a test wrote them.
"""
from __future__ import annotations

import re
from typing import Sequence

from workbooks.spec import CLAIMS, Template
from workbooks.xlsx.cells import col_letter

Layout = Template | Sequence[str]

_HEADER_IN_BRACES = re.compile(r"\{([^{}]+)\}")


def index(header: str, layout: Layout = CLAIMS) -> int:
    """The header's 0-based column index (the first column with that header)."""
    headers = layout.headers if isinstance(layout, Template) else list(layout)
    return headers.index(header)


def letter(header: str, layout: Layout = CLAIMS) -> str:
    """The header's column letters: ``letter("保价金额")`` → "I"."""
    if isinstance(layout, Template):
        return layout.letter(header)
    return col_letter(index(header, layout))


def cell(header: str, row: int | str, layout: Layout = CLAIMS) -> str:
    """The header's cell in 1-based sheet row ``row``: ``cell("赔偿金额", 3)`` → "AF3"."""
    return f"{letter(header, layout)}{row}"


def cells(text: str, row: int | str, layout: Layout = CLAIMS) -> str:
    """``text`` with every ``{header}`` replaced by that column's cell in ``row``:
    ``cells('IF(COUNTBLANK({运单号}),"",…)', 2)`` → 'IF(COUNTBLANK(A2),"",…)'."""
    return _HEADER_IN_BRACES.sub(lambda m: cell(m.group(1), row, layout), text)
