"""One outcome per register row (CLM-8, docs/rules.md).

- ``blank``: no input cell filled (the template's pre-filled formula rows);
- ``invalid``: the row has an error in 错误清单 — a bad input cell, a formula the engine
  refuses for its inputs, or a value typed by hand into a computed column. Its computed
  cells show an error and no number, and it is in no total;
- ``refused``: CLAIM_CHECK refuses the claim (不予受理): 0 in 赔偿金额/免收运费/网点赔付, the
  refusal with its rule in 赔偿说明, out of every total, no notice (CLM-8); its reply to the
  customer (DL-1) is still computed;
- ``ok``: everything computed.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from udfs.rowcheck import shown_error

from .compute import Computed
from .spec import REFUSED, Template, see, starts_with
from .validation import CellError

BLANK, INVALID, REFUSED_OUTCOME, OK = "blank", "invalid", "refused", "ok"
OUTCOMES = (OK, REFUSED_OUTCOME, INVALID, BLANK)
CHECK_COLUMN = "受理判定"


def computed_errors(results: Sequence[Computed], rows: np.ndarray, input_bad: np.ndarray,
                    letter: Callable[[str, int], str]) -> list[CellError]:
    """Failing formulas on rows whose inputs passed (a bad input already explains its
    row's failing formulas)."""
    out = []
    for c in results:
        for i in np.flatnonzero(c.has_error() & ~input_bad):
            r = int(rows[i])
            out.append(CellError(r, c.column.header, letter(c.column.header, r), None, c.error[i],
                                 c.rule[i], False, "computed"))
    return out


def override_errors(results: Sequence[Computed], typed_by_hand: Mapping[str, np.ndarray],
                    raw: Mapping[str, Sequence[Any]], rows: np.ndarray, letter: Callable[[str, int], str],
                    replaced: Mapping[str, Sequence[str | None]] | None = None) -> list[CellError]:
    """Values typed by hand where the template has a formula: each is reported with what
    replaced it (the rules' value of the row, before the row's outcome is applied)."""
    out = []
    for c in results:
        mask = typed_by_hand.get(c.column.header)
        if mask is None or not mask.any():
            continue
        for i in np.flatnonzero(mask).tolist():
            r = int(rows[i])
            was = raw[c.column.header][i]
            formula = (replaced or {}).get(c.column.header, [None] * len(rows))[i]
            if formula is not None:
                was = "=" + formula
            shown = was if isinstance(was, str) else (f"{was:g}" if isinstance(was, float) else str(was))
            what = (f"公式被改成了「{shown}」，已恢复为模板公式" if formula is not None
                    else f"手工填写的「{shown}」已替换为模板公式")
            msg = (f"「{c.column.header}」是公式计算列，{what}"
                   f"（按规则计算为 {c.shown(i)}）；如需另行处理请写在备注列，本行改正前不计入合计")
            out.append(CellError(r, c.column.header, letter(c.column.header, r), was, msg,
                                 c.rule[i] if c.error[i] is not None else None, False, "override"))
    return out


def decide(tpl: Template, filled: np.ndarray, bad_rows: np.ndarray,
           results: Sequence[Computed]) -> tuple[np.ndarray, np.ndarray]:
    """(outcome, reason) per row; reason is the refusal text with its rule, else None."""
    n = len(filled)
    outcome = np.full(n, OK, dtype=object)
    reason = np.full(n, None, dtype=object)
    check = next((c for c in results if c.column.header == CHECK_COLUMN), None)
    if check is not None:
        starts = starts_with(check.text, REFUSED)
        refused = starts & ~np.asarray(check.blank, dtype=bool) & ~check.has_error()
        outcome[refused] = REFUSED_OUTCOME
        reason[refused] = check.text[refused]
    outcome[bad_rows] = INVALID
    reason[bad_rows] = None
    outcome[~filled & ~bad_rows] = BLANK
    return outcome, reason


def apply(results: Sequence[Computed], outcome: np.ndarray, row_errors: dict[int, list[CellError]],
          rows: np.ndarray, input_order: dict[str, int] | None = None) -> None:
    """An invalid row's computed cells show an error and no number — in every cell the
    same, as the template's formulas show it (ROW_CHECK in the row gate, see
    spec.with_row_check):

    - a row with a bad input: its first bad input in the template's column order
      (``input_order``);
    - else a row where a formula fails: the first failing computed column's error (``results``
      are in the template's order);
    - else (values typed over formulas only): the row's first error (``row_errors`` come
      sorted by the caller);

    a cell holding a value typed over its formula says so instead. Vectorised over rows: one
    pass over the errors, then a few array operations per column."""
    bad_mask = outcome == INVALID
    if not bad_mask.any():
        return
    n = len(rows)
    flat = [e for errs in row_errors.values() for e in errs]      # by row, each row's in order
    at = row_positions(rows, [e.row for e in flat])
    kinds = np.array([e.kind for e in flat], dtype=object)
    columns = np.array([e.column for e in flat], dtype=object)
    # a row's first error that is not an override, else its first error
    first = _first_per_row(at, np.arange(len(flat)), n)
    first_own = _first_per_row(at, np.flatnonzero(kinds != "override"), n)
    first = np.where(first_own >= 0, first_own, first)
    first_input = _first_input(at, kinds, columns, input_order or {}, n)
    texts: dict[int, str] = {}

    def text_rule(which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        text, rule = np.full(n, None, dtype=object), np.full(n, None, dtype=object)
        idx = np.flatnonzero(which >= 0)
        if len(idx):
            js = which[idx].tolist()
            text[idx] = [texts[j] if j in texts else texts.setdefault(j, _cell_text(flat[j])) for j in js]
            rule[idx] = [flat[j].rule for j in js]
        return text, rule

    first_text, first_rule = text_rule(first)
    input_text, input_rule = text_rule(first_input)
    has_input = first_input >= 0
    fail_text, fail_rule = np.full(n, None, dtype=object), np.full(n, None, dtype=object)
    fails = np.zeros(n, dtype=bool)
    for c in results:                    # the first failing formula, in the template's order
        new = c.has_error() & ~np.asarray(c.blank, dtype=bool) & ~fails & ~has_input
        fail_text[new], fail_rule[new] = c.error[new], c.rule[new]
        fails |= new
    overridden: dict[str, np.ndarray] = {}
    is_override = kinds == "override"
    for h in set(columns[is_override].tolist()):
        overridden[h] = np.zeros(n, dtype=bool)
        overridden[h][at[is_override & (columns == h)]] = True
    for c in results:
        target = bad_mask & ~np.asarray(c.blank, dtype=bool)
        fill = target & ~c.has_error()
        c.error[fill], c.rule[fill] = first_text[fill], first_rule[fill]
        at_fail = target & fails
        c.error[at_fail], c.rule[at_fail] = fail_text[at_fail], fail_rule[at_fail]
        at_input = target & has_input
        c.error[at_input], c.rule[at_input] = input_text[at_input], input_rule[at_input]
        shown_at = c.column.shown_at
        if shown_at is not None:         # the message is read in one column (spec.with_row_check)
            c.error[target], c.rule[target] = see(shown_at), None
        own = overridden.get(c.column.header)
        if own is not None:
            own = own & target
            c.error[own], c.rule[own] = OWN_OVERRIDE, None
        c.number[bad_mask] = np.nan
        c.text[bad_mask] = None


def _first_input(at: np.ndarray, kinds: np.ndarray, columns: np.ndarray, order: dict[str, int],
                 n: int) -> np.ndarray:
    """Per row position, the index of the row's bad input first in the template's column
    order (what ROW_CHECK shows); -1 where the row has none."""
    idx = np.flatnonzero(kinds == "input")
    out = np.full(n, -1, dtype=np.int64)
    if len(idx):
        rank = np.array([order.get(h, len(order)) for h in columns[idx].tolist()], dtype=np.int64)
        by = idx[np.lexsort((rank, at[idx]))]
        pos, firsts = np.unique(at[by], return_index=True)
        out[pos] = by[firsts]
    return out


def row_positions(rows: np.ndarray, wanted: Sequence[int]) -> np.ndarray:
    """Positions in ``rows`` (sheet rows of a chunk, each once) of the sheet rows ``wanted``:
    a binary search when the chunk is in sheet order (as read), else a lookup table."""
    want = np.asarray(wanted, dtype=np.int64)
    if not len(want):
        return np.zeros(0, dtype=np.int64)
    if len(rows) < 2 or bool(np.all(rows[1:] > rows[:-1])):
        return np.searchsorted(rows, want)
    pos = {int(r): i for i, r in enumerate(rows)}
    return np.fromiter((pos[int(r)] for r in want), dtype=np.int64, count=len(want))


def _first_per_row(at: np.ndarray, among: np.ndarray, n: int) -> np.ndarray:
    """Per row position, the first index of ``among`` (indexes into the errors, ascending)
    whose error is on that row; -1 where none is."""
    out = np.full(n, -1, dtype=np.int64)
    if len(among):
        pos, first = np.unique(at[among], return_index=True)
        out[pos] = among[first]
    return out


OWN_OVERRIDE = "此格手工填写的值已替换为公式，本行改正前不计算"


def _cell_text(e: CellError) -> str:
    if e.kind == "override":
        return f"本行「{e.column}」被手工改写，改正前不计算"
    return shown_error(e.column, e.message) if e.kind == "input" else e.message
