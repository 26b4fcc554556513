"""The Excel boundary (issue 8): what every generated wrapper in :mod:`udfs.xl` calls.

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

import datetime as dt
import logging
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from . import registry
from .cellvalue import ERROR_CODES, XlError
from .errors import ERROR_PREFIX, RuleError

log = logging.getLogger(__name__)

INTERNAL = "内部错误，请联系管理员（详情见日志）"

# XlCVError codes → their text. Through COM an error is the SCODE 0x800A0000 + code.
XL_ERROR_CODES = {2000: "#NULL!", 2007: "#DIV/0!", 2015: "#VALUE!", 2023: "#REF!", 2029: "#NAME?",
                  2036: "#NUM!", 2042: "#N/A", 2043: "#GETTING_DATA", 2045: "#SPILL!",
                  2046: "#CONNECT!", 2047: "#BLOCKED!", 2048: "#UNKNOWN!", 2049: "#FIELD!",
                  2050: "#CALC!"}
SCODE_BASE = 0x800A0000 - (1 << 32)          # -2146828288, as pywin32 hands it over
ERROR_TEXTS = frozenset(ERROR_CODES)                # the cell model's list


def error_value(x: Any) -> str | None:
    """The Excel error value ``x`` stands for, or None (an :class:`XlError` of the cell
    model, its text as xlwings passes it with ``err_to_str``, or a raw COM SCODE)."""
    if isinstance(x, XlError):
        return str(x)
    if isinstance(x, str):
        return x if x in ERROR_TEXTS else None
    if type(x) is int:
        return XL_ERROR_CODES.get(x - SCODE_BASE)
    return None


def error_text(message: str) -> str:
    return f"{ERROR_PREFIX}{message}"


def to_excel(value: Any) -> Any:
    """One Python result → what Excel should receive."""
    if isinstance(value, Decimal):
        return float(value)                      # already at the fen (MONEY-1)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, np.generic):
        return value.item()
    return value


_SEQUENCES = {list, tuple}
_NUMBERS = {type(None), float, int}


class _Refused(Exception):
    """An argument the boundary cannot use at all (not a rectangle, shapes disagree)."""


def _grid(a: Any) -> tuple[int, int, list] | None:
    """None for a single value; (rows, columns, values row by row) for a range.

    xlwings with ndim=2 passes a list of rows; a Python caller may pass a flat list (a column).
    A 1×1 range is a single value."""
    if not isinstance(a, (list, tuple)):
        return None
    if len(a) == 0:
        raise _Refused("区域为空")
    row_types = set(map(type, a))
    if row_types <= _SEQUENCES:
        widths = set(map(len, a))
        if len(widths) != 1 or 0 in widths:
            raise _Refused("区域不是矩形（各行的单元格数不同）")
        cols = widths.pop()
        flat = [r[0] for r in a] if cols == 1 else [v for r in a for v in r]
        if set(map(type, flat)) & _SEQUENCES:
            raise _Refused("区域的格式无法识别")
        rows = len(a)
    elif not row_types & _SEQUENCES:
        rows, cols, flat = len(a), 1, list(a)
    else:
        raise _Refused("区域的格式无法识别")
    return None if rows == cols == 1 else (rows, cols, flat)


def _single(a: Any) -> Any:
    while isinstance(a, (list, tuple)):
        a = a[0]
    return a


def upstream(func, values: list) -> str | None:
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
        if func.params and func.params[0].kind in registry.PASS_THROUGH:
            return func.func(*args)              # takes the arguments as given (SAFE_SUM, ROW_CHECK)
        if not any(type(a) in _SEQUENCES for a in args):      # single cells: the common case
            return upstream(func, args) or to_excel(func.func(*args))
        grids = [_grid(a) for a in args]
        if all(g is None for g in grids):
            values = [_single(a) for a in args]
            return upstream(func, values) or to_excel(func.func(*values))
        shapes = {(g[0], g[1]) for g in grids if g is not None}
        if len(shapes) > 1:
            return error_text("各区域的大小不一致：" + "、".join(f"{r}行×{c}列" for r, c in sorted(shapes)))
        rows, cols = shapes.pop()
        n = rows * cols
        flat = [g[2] if g is not None else [_single(a)] * n for a, g in zip(args, grids)]
        scalars = [_single(a) for a, g in zip(args, grids) if g is None]
        if any(error_value(v) is not None or (isinstance(v, str) and v.startswith(ERROR_PREFIX))
               for v in scalars):
            candidates = range(n)         # a single cell that is an error applies to every row
        else:
            candidates = sorted({i for c, g in zip(flat, grids) if g is not None for i in _suspects(c)})
        nested = {i: t for i in candidates if (t := upstream(func, [c[i] for c in flat])) is not None}
        if nested:   # error values must not reach the engine (they would read as text)
            flat = [[None if i in nested else v for i, v in enumerate(c)] for c in flat]
        cells = _evaluate(func, flat, n)
        for i, t in nested.items():
            cells[i] = t
        if cols == 1:
            return [[v] for v in cells]
        return [cells[r * cols:(r + 1) * cols] for r in range(rows)]
    except _Refused as e:
        return error_text(str(e))
    except RuleError as e:
        return error_text(str(e))
    except Exception:  # noqa: BLE001 - never a traceback in a cell
        log.exception("UDF %s failed", excel_name)
        return error_text(INTERNAL)


def _evaluate(func, flat: list[list], n: int) -> list:
    """n results of ``func`` over columns (the column form, or cell by cell without one)."""
    if not func.column:
        out = []
        for i in range(n):
            try:
                out.append(to_excel(func.func(*(c[i] for c in flat))))
            except RuleError as e:
                out.append(error_text(str(e)))
        return out
    from . import columns
    result = getattr(columns, func.python_name)(*[_column_values(c) for c in flat])
    values, errors = result["value"].tolist(), result["error"].tolist()
    if result["value"].dtype == np.float64:      # money and rates: floats exact to the fen
        return [v if e is None and v == v else ("" if e is None else error_text(e))
                for v, e in zip(values, errors)]
    out = []
    for value, error in zip(values, errors):
        if error is not None:
            out.append(error_text(error))
        elif value is None or value is pd.NA or value is pd.NaT \
                or (isinstance(value, float) and math.isnan(value)):
            out.append("")
        else:
            out.append(to_excel(value))
    return out


# ----------------------------------------------------------------------- SAFE_SUM

MAX_ABS = 1e15


def _describe(r: int, c: int, v: Any) -> str | None:
    """Why cell (r, c) of the range cannot be totalled, or None when it can."""
    where = f"第{r}行第{c}列"
    code = error_value(v)
    if code is not None:
        return f"{where}是 Excel 错误值 {code}"
    if isinstance(v, str):
        if v.startswith(ERROR_PREFIX):
            return f"{where}是错误单元格「{v[:40]}」"
        if v == "":
            return None
        return f"{where}是文字「{v[:20]}」，不是数字"
    if isinstance(v, bool):
        return f"{where}是逻辑值 {'TRUE' if v else 'FALSE'}，不是数字"
    if isinstance(v, (int, float)):
        if not math.isfinite(v) or abs(v) >= MAX_ABS:
            return f"{where}的数字超出可计算范围：{v}"
        return None
    if v is None:
        return None
    return f"{where}不是数字"


def safe_sum(values: Any) -> Any:
    """Total of a range of money results, exact to the fen; refuses what SUM would skip."""
    try:
        grid = _grid(values)
    except _Refused as e:
        return error_text(str(e))
    if grid is None:
        rows, cols, flat = 1, 1, [_single(values)]
    else:
        rows, cols, flat = grid
    problems = []
    for i, v in enumerate(flat):
        why = _describe(i // cols + 1, i % cols + 1, v)
        if why is not None:
            problems.append(why)
    if problems:
        return error_text(f"区域内有 {len(problems)} 个单元格不能合计，第一个：{problems[0]}；"
                          "合计不可用，请先更正（MONEY-1）")
    total = Decimal(0)
    for v in flat:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            # MONEY-2: each amount is read at the fen (half-up), as a two-decimal cell shows it
            total += Decimal(repr(float(v))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(total)
