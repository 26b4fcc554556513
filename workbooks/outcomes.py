"""One outcome per register row (issue 9 item 1; issue 10 items 1–2; RULES.md CLM-8).

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

from typing import Sequence

import numpy as np

from .compute import Computed
from .spec import REFUSED, Template
from .validation import CellError

BLANK, INVALID, REFUSED_OUTCOME, OK = "blank", "invalid", "refused", "ok"
OUTCOMES = (OK, REFUSED_OUTCOME, INVALID, BLANK)
CHECK_COLUMN = "受理判定"


def computed_errors(results: Sequence[Computed], rows: np.ndarray, input_bad: np.ndarray,
                    letter) -> list[CellError]:
    """Failing formulas on rows whose inputs passed (a bad input already explains its
    row's failing formulas)."""
    out = []
    for c in results:
        for i in np.flatnonzero(c.has_error() & ~input_bad):
            r = int(rows[i])
            out.append(CellError(r, c.column.header, letter(c.column.header, r), None, c.error[i],
                                 c.rule[i], False, "computed"))
    return out


def override_errors(results: Sequence[Computed], typed_by_hand: dict[str, np.ndarray],
                    raw: dict[str, Sequence], rows: np.ndarray, letter,
                    replaced: dict[str, Sequence[str | None]] | None = None) -> list[CellError]:
    """Values typed by hand where the template has a formula: each is reported with what
    replaced it (the rules' value of the row, before the row's outcome is applied)."""
    out = []
    for c in results:
        mask = typed_by_hand.get(c.column.header)
        if mask is None or not mask.any():
            continue
        for i in np.flatnonzero(mask):
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
        refused = np.fromiter((not b and e is None and isinstance(t, str) and t.startswith(REFUSED)
                               for b, e, t in zip(check.blank, check.error, check.text)),
                              dtype=bool, count=n)
        outcome[refused] = REFUSED_OUTCOME
        reason[refused] = check.text[refused]
    outcome[bad_rows] = INVALID
    reason[bad_rows] = None
    outcome[~filled & ~bad_rows] = BLANK
    return outcome, reason


def apply(results: Sequence[Computed], outcome: np.ndarray, row_errors: dict[int, list[CellError]],
          rows: np.ndarray) -> None:
    """An invalid row's computed cells show an error and no number: the cell's own error,
    else the error of an input it depends on, else the row's first error."""
    bad_mask = outcome == INVALID
    bad = np.flatnonzero(bad_mask)
    if not len(bad):
        return
    cols = [(c, c.column.expr.refs() if c.column.expr is not None else set()) for c in results]
    own_text = "此格手工填写的值已替换为公式，本行改正前不计算"
    shown: dict[int, str] = {}

    def text(e: CellError) -> str:
        t = shown.get(id(e))
        if t is None:
            t = shown[id(e)] = _cell_text(e)
        return t

    for i in bad:
        errs = row_errors.get(int(rows[i]), [])
        if not errs:
            continue
        inputs = [e for e in errs if e.kind == "input"]
        overridden = {e.column for e in errs if e.kind == "override"}
        first = next((e for e in errs if e.kind != "override"), errs[0])
        for c, refs in cols:
            if c.blank[i]:
                continue
            if c.column.header in overridden:
                c.error[i], c.rule[i] = own_text, None
                continue
            dep = None
            for e in inputs:
                if e.column in refs:
                    dep = e
                    break
            if dep is not None:
                c.error[i], c.rule[i] = text(dep), dep.rule
            elif c.error[i] is None:
                c.error[i], c.rule[i] = text(first), first.rule
    for c, _ in cols:
        c.number[bad_mask] = np.nan
        c.text[bad_mask] = None


def _cell_text(e: CellError) -> str:
    if e.kind == "override":
        return f"本行「{e.column}」被手工改写，改正前不计算"
    if e.kind == "input" and e.message.startswith(e.column):
        return e.message
    return f"{e.column}：{e.message}" if e.kind == "input" else e.message
