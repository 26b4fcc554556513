"""A register held in a DataFrame, computed in one call (the ribbon's 刷新计算 on a live
sheet): ``process_frame(kind, df)``. Built on the register model's parts
(:mod:`workbooks.inputs`, :mod:`workbooks.validation`, :mod:`workbooks.compute`,
:mod:`workbooks.outcomes`)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

import udfs
from udfs import values as V

from . import layout as L
from .compute import Computed
from .compute import compute as compute_columns
from .inputs import read_column
from .outcomes import computed_errors as outcome_errors
from .spec import ERROR_PREFIX, REGISTERS, Template
from .validation import CellError, check_column


def nulls(frame: pd.DataFrame) -> np.ndarray:
    """Blank cells (None) of an object frame as a bool matrix: one C-level comparison,
    much cheaper than DataFrame.isna() on object columns."""
    if not len(frame.columns):
        return np.zeros((len(frame), 0), dtype=bool)
    return np.equal(frame.to_numpy(dtype=object), None)


def validate(tpl: Template, frame: pd.DataFrame, lists: dict[str, list[str]]) -> list[CellError]:
    """Input checks of every row of ``frame`` (row i = sheet row base + i + 2)."""
    if frame.empty:
        return []
    base = int(frame.index[0]) if isinstance(frame.index, pd.RangeIndex) else 0
    rows = np.arange(base + 2, base + 2 + len(frame))
    typed = {c.header: read_column(c.kind, c.header, c.rule, frame[c.header].to_numpy(dtype=object))
             for c in tpl.inputs}
    filled = ~np.logical_and.reduce([t.blank for t in typed.values()])
    errors: list[CellError] = []
    for c in tpl.inputs:
        errors += check_column(c, typed[c.header], frame[c.header].to_numpy(dtype=object), rows, filled,
                               lambda r, h=c.header: f"{tpl.letter(h)}{r}", lists)
    return errors


def compute(tpl: Template, frame: pd.DataFrame, today: dt.date | None = None) -> list[Computed]:
    """Every computed column of the register with the column engine."""
    null = nulls(frame)
    position = {h: j for j, h in enumerate(frame.columns)}
    filled = ~null.all(axis=1) if len(frame) else np.zeros(0, bool)
    blank = {c.header: null[:, position[c.header]] for c in tpl.inputs}
    return compute_columns(tpl, frame.reset_index(drop=True), blank, filled, today)


def cell_value(c: Computed, i: int) -> Any:
    """What the cell shows (and caches): number, text, "" or 「错误：…」."""
    if c.blank[i]:
        return ""
    if c.error[i] is not None:
        return ERROR_PREFIX + c.error[i]
    if c.text[i] is not None:
        return c.text[i]
    x = c.number[i]
    return "" if x != x else float(x)


def computed_errors(tpl: Template, results: list[Computed], frame: pd.DataFrame,
                    input_rows: set[int]) -> list[CellError]:
    """Errors of computed cells on rows whose inputs passed validation."""
    base = int(frame.index[0]) if len(frame) and isinstance(frame.index, pd.RangeIndex) else 0
    rows = np.arange(base + 2, base + 2 + len(frame))
    bad = np.array([int(r) in input_rows for r in rows], dtype=bool)
    return outcome_errors(results, rows, bad, lambda h, r: f"{tpl.letter(h)}{r}")


def process_frame(kind: str, df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compute a register held in a DataFrame (the ribbon's 刷新计算 on a live sheet).

    ``df`` has the input columns by their Chinese headers, row i being sheet row i + 2.
    Returns (computed, errors): ``computed`` has one column per computed header with what
    each cell shows (float, datetime, int, text, "" or 「错误：…」); ``errors`` lists
    行号, 列名, 单元格, 值, 错误信息, 规则编号 for bad inputs and failing formulas."""
    tpl = REGISTERS[kind]
    frame = pd.DataFrame(index=range(len(df)))
    for c in tpl.inputs:
        col = df[c.header].tolist() if c.header in df.columns else [None] * len(df)
        frame[c.header] = pd.Series([None if V.is_blank(v) else v for v in col], dtype=object)
    lists = udfs.rules_in_force(udfs.today())
    errs = validate(tpl, frame, lists)
    results = compute(tpl, frame)
    errs += computed_errors(tpl, results, frame, {e.row for e in errs})
    computed = {}
    for c in results:
        vals = [cell_value(c, i) for i in range(len(frame))]
        if c.column.kind in ("date", "datetime"):
            vals = [L.EXCEL_EPOCH + dt.timedelta(days=v) if isinstance(v, float) else v for v in vals]
            vals = [v.replace(microsecond=0) if isinstance(v, dt.datetime) else v for v in vals]
        elif c.column.kind == "int":
            vals = [int(v) if isinstance(v, float) else v for v in vals]
        computed[c.column.header] = vals
    out = pd.DataFrame(computed, index=df.index)
    errors = pd.DataFrame([(e.row, e.column, e.letter, e.value, e.message, e.rule) for e in errs],
                          columns=["行号", "列名", "单元格", "值", "错误信息", "规则编号"])
    return out, errors
