"""Input checks of a register chunk: required cells, drop-down lists, and
the typing problems found by :mod:`workbooks.inputs` — each a :class:`CellError` naming the
sheet row, the header, the cell (at the column where the clerk's file has it) and the rule.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from udfs.rowcheck import (  # noqa: F401
    day,
    has_aliases,
    list_key,
    list_lookup,
    list_message,
    order_message,
    required_message,  # (re-exported)
    with_rule,
)

from .inputs import Typed
from .spec import OPEN_LISTS, Column

_RULE_AT_END = re.compile(r"（([A-Z]+-\d+[a-z]?)(?:、[A-Z]+-\d+[a-z]?)*）$")


@dataclass
class CellError:
    row: int                 # sheet row, 1-based
    column: str              # header
    letter: str              # cell address in the clerk's sheet, e.g. "G7"
    value: Any               # the cell's value as read (what the clerk typed)
    message: str             # plain Chinese, with the rule ID
    rule: str | None
    input: bool              # True: a bad input cell; False: a computed cell
    kind: str = "input"      # "input" | "computed" (its formula fails) | "override" (typed by hand)


@lru_cache(maxsize=4096)
def _rule_at_end(message: str) -> str | None:
    m = _RULE_AT_END.search(message)
    return m.group(1) if m else None


def rule_of(message: str, default: str | None) -> str | None:
    return _rule_at_end(message) or default


def check_column(col: Column, typed: Typed, raw: Sequence[Any], rows: np.ndarray, filled: np.ndarray,
                 letter: Callable[[int], str], lists: dict[str, list[str]]) -> list[CellError]:
    """Errors of one input column. Changes ``typed.values`` in place for list columns (the
    list's spelling) and for bad cells (None)."""
    bad: dict[int, str] = {}
    for pos in np.flatnonzero(typed.problem != None).tolist():  # noqa: E711 (element-wise)
        bad[pos] = typed.problem[pos]
    if col.required:
        for pos in np.flatnonzero(typed.blank & filled).tolist():
            bad[pos] = required_message(col.header, col.rule)
    if col.choices:
        allowed = lists[col.choices]
        lookup = list_lookup(allowed, col.choices)
        idx = np.flatnonzero(~typed.blank & (typed.problem == None))  # noqa: E711 (element-wise)
        if len(idx):
            codes, uniques = pd.factorize(typed.values[idx], use_na_sentinel=False)
            hits = np.empty(len(uniques), dtype=object)
            hits[:] = [lookup.get(list_key(u)) if isinstance(u, str) else None for u in uniques]
            got = hits[codes]
            miss = got == None  # noqa: E711
            typed.values[idx[~miss]] = got[~miss]
            if col.choices in OPEN_LISTS:       # any place: the engine reads it (STO-4)
                miss = np.zeros(len(idx), dtype=bool)
            for pos in idx[miss].tolist():
                bad.setdefault(pos, list_message(col.header, typed.values[pos], allowed, col.rule))
    out = []
    for i, msg in sorted(bad.items()):
        typed.values[i] = None
        r = int(rows[i])
        out.append(CellError(r, col.header, letter(r), raw[i], msg, rule_of(msg, col.rule), True, "input"))
    return out


def check_order(col: Column, typed: Typed, first: Typed, raw: Sequence[Any], rows: np.ndarray,
                letter: Callable[[int], str]) -> list[CellError]:
    """A date earlier than the date it may not precede (``col.after``: 索赔日期 before
    寄件日期…), on rows where both passed their own checks. The date itself stays readable
    (the row is an error row either way), so a claim keeps its date where it is listed apart."""
    if col.after is None:                                  # no date it may not precede
        return []
    both = np.flatnonzero((typed.values != None) & (first.values != None))  # noqa: E711 (element-wise)
    a, b = typed.values[both], first.values[both]
    try:
        early = np.asarray(a < b, dtype=bool)              # one C-level loop (dates)
    except TypeError:                                      # a datetime and a date: by day
        early = np.array([day(x) < day(y) for x, y in zip(a, b)], dtype=bool)
    out = []
    for i in both[early].tolist():
        it, before = typed.values[i], first.values[i]
        msg = order_message(col.header, it, col.after, before, col.rule)
        r = int(rows[i])
        out.append(CellError(r, col.header, letter(r), raw[i], msg, rule_of(msg, col.rule), True, "input"))
    return out
