"""The Excel boundary: what every generated wrapper in :mod:`udfs.xl` calls.

No xlwings import here — the wrappers are generated from :mod:`udfs.registry` by
``python -m udfs.gen_xl``, and this module turns what xlwings hands over into engine calls.

What xlwings 0.37.8 passes (``xlwings/_xlwindows.py``, ``_clean_value_data_element``, and
``xlwings/udfs.py``, ``call_udf``), with the options every generated argument declares
(``ndim=2, err_to_str=True``):

- a blank cell → ``None``; a missing optional argument → its Python default (``None``);
- a number → ``float``; a date cell → ``datetime``; a date computed in the formula → its serial
  (``float``); text → ``str``; TRUE/FALSE → ``bool``;
- an error cell → its text (``"#N/A"``, ``"#DIV/0!"``, … the seven of ``cell_errors``); newer
  errors that xlwings does not map (``#SPILL!``, ``#CALC!``, …) still arrive as the raw COM
  SCODE, an ``int`` such as ``-2146826242``; without ``err_to_str`` every error would be ``None``,
  i.e. a blank — the bug this module exists to prevent;
- any argument (``ndim=2``) → a list of rows, ``[[v]]`` for a single cell.

Results: one value for a single cell; for ranges a block of the same shape (rows × columns),
single cells broadcast. Money goes back as float exact to the fen (a Decimal through COM
would become Currency), dates as datetime. Errors never raise: the cell shows
``错误：<message>（rule）``; an argument that is an Excel error value reads
``错误：<参数名>是 Excel 错误值 #N/A（rule）``; an argument that already shows one of our
errors (a nested call) is shown unchanged.
"""
from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import pandas as pd

from . import columns, registry
from .errors import ERROR_PREFIX, RuleError  # ERROR_PREFIX: also what the generated udfs.xl imports
from .xlvalues import ERROR_TEXTS, SEQUENCES, Refused, error_text, error_value, grid, shows_error, single, to_excel

log = logging.getLogger(__name__)

INTERNAL = "内部错误，请联系管理员（详情见日志）"

_NUMBERS = {type(None), float, int}


def upstream(func: registry.Function, values: list | tuple) -> str | None:
    """The cell text when an argument is an Excel error value or already one of our errors."""
    for p, v in zip(func.params, values):
        code = error_value(v)
        if code is not None:
            return error_text(f"{p.label}是 Excel 错误值 {code}（{func.rule_of(p)}）")
        if isinstance(v, str) and v.startswith(ERROR_PREFIX):
            return v
    return None


def _suspects(values: list) -> list[int]:
    """Rows whose value may be an Excel error or one of our error texts (cheap type test)."""
    if not set(map(type, values)) & {str, int}:
        return []
    return [i for i, v in enumerate(values)
            if (type(v) is str and (v in ERROR_TEXTS or v.startswith(ERROR_PREFIX)))
            or (type(v) is int and error_value(v) is not None)]


def _column_values(values: list) -> pd.Series:
    """A range's values as a Series: float64 when all are numbers/blank (the fast path)."""
    if set(map(type, values)) <= _NUMBERS:     # bool is not int here: type() is exact
        return pd.Series(values, dtype=float)
    return pd.Series(values, dtype=object)


def call(excel_name: str, *args: Any) -> Any:
    """Run declared function ``excel_name`` on what xlwings passed: one cell or a block."""
    func = registry.FUNCTIONS[excel_name]
    try:
        return _call(func, args)
    except Refused as e:
        return error_text(str(e))
    except RuleError as e:
        return error_text(str(e))
    except Exception:  # noqa: BLE001 - never a traceback in a cell
        log.exception("UDF %s failed", excel_name)
        return error_text(INTERNAL)


def _call(func: registry.Function, args: tuple) -> Any:
    """One value for single cells, a block of rows for ranges (errors raise)."""
    if func.params and func.params[0].kind in registry.PASS_THROUGH:
        return func.func(*args)              # takes the arguments as given (SAFE_SUM, ROW_CHECK)
    if not any(type(a) in SEQUENCES for a in args):      # single cells: the common case
        return upstream(func, args) or to_excel(func.func(*args))
    grids = [grid(a) for a in args]
    if all(g is None for g in grids):
        values = [single(a) for a in args]
        return upstream(func, values) or to_excel(func.func(*values))
    return _over_ranges(func, args, grids)


def _over_ranges(func: registry.Function, args: tuple, grids: list) -> Any:
    """The block of results for arguments of which at least one is a range; a single cell
    applies to every row."""
    shapes = {(g[0], g[1]) for g in grids if g is not None}
    if len(shapes) > 1:
        return error_text("各区域的大小不一致：" + "、".join(f"{r}行×{c}列" for r, c in sorted(shapes)))
    rows, cols = shapes.pop()
    n = rows * cols
    flat = [g[2] if g is not None else [single(a)] * n for a, g in zip(args, grids)]
    nested = _upstream_rows(func, args, grids, flat, n)
    if nested:   # error values must not reach the engine (they would read as text)
        flat = [[None if i in nested else v for i, v in enumerate(c)] for c in flat]
    cells = _evaluate(func, flat, n)
    for i, t in nested.items():
        cells[i] = t
    return _block(cells, rows, cols)


def _block(cells: list, rows: int, cols: int) -> list[list]:
    """Results row by row, as Excel receives a range."""
    if cols == 1:
        return [[v] for v in cells]
    return [cells[r * cols:(r + 1) * cols] for r in range(rows)]


def _upstream_rows(func: registry.Function, args: tuple, grids: list, flat: list[list], n: int
                   ) -> dict[int, str]:
    """Row → its cell text, for the rows where an argument is an error value or one of ours."""
    if any(shows_error(single(a)) for a, g in zip(args, grids) if g is None):
        candidates: list[int] = list(range(n))   # a single cell that is an error applies to every row
    else:
        candidates = sorted({i for c, g in zip(flat, grids) if g is not None for i in _suspects(c)})
    return {i: t for i in candidates if (t := upstream(func, [c[i] for c in flat])) is not None}


def _evaluate(func: registry.Function, flat: list[list], n: int) -> list:
    """n results of ``func`` over columns (the column form, or cell by cell without one)."""
    if not func.column:
        return [_one_cell(func, [c[i] for c in flat]) for i in range(n)]
    result = getattr(columns, func.python_name)(*[_column_values(c) for c in flat])
    values, errors = result["value"].tolist(), result["error"].tolist()
    if result["value"].dtype == np.float64:      # money and rates: floats exact to the fen
        return [v if e is None and v == v else ("" if e is None else error_text(e))
                for v, e in zip(values, errors)]
    return [_shown(value, error) for value, error in zip(values, errors)]


def _one_cell(func: registry.Function, values: list) -> Any:
    try:
        return to_excel(func.func(*values))
    except RuleError as e:
        return error_text(str(e))


def _shown(value: Any, error: str | None) -> Any:
    """What one cell of a column form's result shows: its error, blank, or the value."""
    if error is not None:
        return error_text(error)
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    return to_excel(value)
