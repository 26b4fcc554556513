"""Input checks of a register chunk (issue 9, item 1): required cells, drop-down lists, and
the typing problems found by :mod:`workbooks.inputs` — each a :class:`CellError` naming the
sheet row, the header, the cell (at the column where the clerk's file has it) and the rule.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import numpy as np
import pandas as pd

import udfs
from udfs import values as V

from .inputs import Typed, normalise_text
from .spec import Column

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


def with_rule(message: str, rule: str | None) -> str:
    return f"{message}（{rule}）" if rule and rule not in message else message


# drop-down list (``Column.choices``) → the rules' vocabulary that names its entries and aliases
VOCABULARIES = {"claim_types": "claim_types", "categories": "categories", "causes": "causes",
                "networks": "networks", "complaints": "complaints", "sides": "fee_sides",
                "label_violations": "label_violations", "events": "deadlines"}


def _key(text: str) -> str:
    return "".join(normalise_text(text).split()).lower()


def has_aliases(key: str) -> bool:
    """Whether the rules' vocabulary behind drop-down list ``key`` has aliases."""
    attr = VOCABULARIES.get(key)
    return bool(attr) and any(e.get("aliases") for e in getattr(udfs.rules_for(udfs.today()), attr).entries.values())


def list_lookup(choices: list[str], key: str | None = None) -> dict[str, str]:
    """Spelling → the list's own spelling: full-width, padded or differently cased input still
    matches, and so does an alias of the rules' vocabulary (普通 → 普通货物), the one alias
    table the functions resolve too (``udfs.rulebook.Vocabulary``)."""
    out = {_key(c): c for c in choices}
    attr = VOCABULARIES.get(key or "")
    if attr:
        vocab = getattr(udfs.rules_for(udfs.today()), attr)
        allowed = set(choices)
        for name, entry in vocab.entries.items():
            if name in allowed:
                for alias in entry.get("aliases", []):
                    out.setdefault(_key(alias), name)
    return out


def check_column(col: Column, typed: Typed, raw: np.ndarray, rows: np.ndarray, filled: np.ndarray,
                 letter: Callable[[int], str], lists: dict[str, list[str]]) -> list[CellError]:
    """Errors of one input column. Changes ``typed.values`` in place for list columns (the
    list's spelling) and for bad cells (None)."""
    bad: dict[int, str] = {}
    for i in np.flatnonzero(typed.problem != None):  # noqa: E711 (element-wise)
        bad[int(i)] = typed.problem[i]
    if col.required:
        for i in np.flatnonzero(typed.blank & filled):
            bad[int(i)] = with_rule(f"缺少{col.header}", col.rule)
    if col.choices:
        allowed = lists[col.choices]
        lookup = list_lookup(allowed, col.choices)
        shown = "、".join(allowed[:12]) + ("…" if len(allowed) > 12 else "")
        idx = np.flatnonzero(~typed.blank & (typed.problem == None))  # noqa: E711 (element-wise)
        if len(idx):
            codes, uniques = pd.factorize(typed.values[idx], use_na_sentinel=False)
            hits = np.empty(len(uniques), dtype=object)
            hits[:] = [lookup.get(_key(u)) if isinstance(u, str) else None for u in uniques]
            got = hits[codes]
            miss = got == None  # noqa: E711
            typed.values[idx[~miss]] = got[~miss]
            for i in idx[miss]:
                v = typed.values[i]
                bad.setdefault(int(i), with_rule(f"{col.header}「{V.show(v)}」不在下拉列表中，可选：{shown}", col.rule))
    out = []
    for i, msg in sorted(bad.items()):
        typed.values[i] = None
        r = int(rows[i])
        out.append(CellError(r, col.header, letter(r), raw[i], msg, rule_of(msg, col.rule), True, "input"))
    return out
