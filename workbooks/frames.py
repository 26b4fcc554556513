"""A register held in a DataFrame, computed in one call (the ribbon's 刷新计算 on a live
sheet): ``process_frame(kind, df)``. The frame is laid out as the template (row i is sheet
row i + 2) and evaluated by the one register model (:meth:`workbooks.register.Register.evaluate`):
the same checks, computed columns and row outcomes as ``logidesk process``, so a row with
an input error shows the error in its computed cells, no number, and is in no total.

:func:`compute` and :func:`cell_value` are the column engine alone (no checks, no outcomes),
for tests of a computed column's texts."""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from udfs.cellvalue import is_blank

from .compute import Computed, compute as compute_columns
from .layout import EXCEL_EPOCH
from .register import MemoryChunk, template_register
from .spec import ERROR_PREFIX, REGISTERS, Template

FIRST_ROW = 2                    # sheet row of a frame's first row (the template's header is row 1)
ERROR_COLUMNS = ["行号", "列名", "单元格", "值", "错误信息", "规则编号"]


def nulls(frame: pd.DataFrame) -> np.ndarray:
    """Blank cells (None) of an object frame as a bool matrix: one C-level comparison,
    much cheaper than DataFrame.isna() on object columns."""
    if not len(frame.columns):
        return np.zeros((len(frame), 0), dtype=bool)
    return np.asarray(frame.to_numpy(dtype=object) == None, dtype=bool)  # noqa: E711 (element-wise)


def compute(tpl: Template, frame: pd.DataFrame, today: dt.date | None = None) -> list[Computed]:
    """Every computed column of the register with the column engine (no input checks and
    no row outcomes: see :func:`process_frame` for what a sheet shows)."""
    null = nulls(frame)
    position = {h: j for j, h in enumerate(frame.columns)}
    filled = np.asarray(~null.all(axis=1), dtype=bool) if len(frame) else np.zeros(0, bool)
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


def _cell(v: Any) -> Any:
    """A DataFrame value as a sheet cell: blanks (None, NaN, NaT, "") → None, pandas and
    numpy scalars → Python values."""
    if is_blank(v) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _shown(c: Computed, n: int) -> list[Any]:
    """What each cell of a computed column shows: float, datetime, int, text, "" or 「错误：…」."""
    vals = [cell_value(c, i) for i in range(n)]
    if c.column.kind in ("date", "datetime"):
        vals = [(EXCEL_EPOCH + dt.timedelta(days=v)).replace(microsecond=0) if isinstance(v, float) else v
                for v in vals]
    elif c.column.kind == "int":
        vals = [int(v) if isinstance(v, float) else v for v in vals]
    return vals


def process_frame(kind: str, df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compute a register held in a DataFrame (the ribbon's 刷新计算 on a live sheet).

    ``df`` has the input columns by their Chinese headers, row i being sheet row i + 2.
    Returns (computed, errors): ``computed`` has one column per computed header with what
    each cell shows (float, datetime, int, text, "" or 「错误：…」); ``errors`` lists
    行号, 列名, 单元格, 值, 错误信息, 规则编号 for bad inputs and failing formulas."""
    tpl = REGISTERS[kind]
    reg = template_register(kind)
    n = len(df)
    values = {}
    for c in tpl.inputs:
        col = df[c.header].tolist() if c.header in df.columns else [None] * n
        values[reg.columns[c.header]] = [_cell(v) for v in col]
    ev = reg.evaluate(MemoryChunk(np.arange(FIRST_ROW, FIRST_ROW + n, dtype=np.int64), values))
    out = pd.DataFrame({c.header: _shown(ev.computed[c.header], n) for c in tpl.computed}, index=df.index)
    errors = pd.DataFrame([(e.row, e.column, e.letter, e.value, e.message, e.rule) for e in ev.errors],
                          columns=ERROR_COLUMNS)
    return out, errors
