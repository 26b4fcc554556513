"""Values crossing the Excel boundary, for the generated wrappers' :mod:`udfs.xlcall` and the
Excel-side functions (ROW_CHECK in :mod:`udfs.rowcheck`, SAFE_SUM in :mod:`udfs.safesum`):

- :func:`error_value`: the Excel error value an argument stands for, in whatever form xlwings
  hands it over (its text with ``err_to_str``, or a raw COM SCODE for newer errors);
- :func:`error_text`: what a cell shows for an error (「错误：…」);
- :func:`to_excel`: one Python result → what Excel should receive (a Decimal through COM would
  become Currency, so money goes back as a float exact to the fen; dates as datetime);
- :func:`grid`: an argument as a single value or a rectangular range (rows × columns).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from .cellvalue import ERROR_CODES, XlError
from .errors import ERROR_PREFIX

# XlCVError codes → their text. Through COM an error is the SCODE 0x800A0000 + code.
XL_ERROR_CODES = {2000: "#NULL!", 2007: "#DIV/0!", 2015: "#VALUE!", 2023: "#REF!", 2029: "#NAME?",
                  2036: "#NUM!", 2042: "#N/A", 2043: "#GETTING_DATA", 2045: "#SPILL!",
                  2046: "#CONNECT!", 2047: "#BLOCKED!", 2048: "#UNKNOWN!", 2049: "#FIELD!",
                  2050: "#CALC!"}
SCODE_BASE = 0x800A0000 - (1 << 32)          # -2146828288, as pywin32 hands it over
ERROR_TEXTS = frozenset(ERROR_CODES)                # the cell model's list

SEQUENCES = {list, tuple}


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


def shows_error(x: Any) -> bool:
    """Whether an argument is an Excel error value or already shows one of our errors."""
    return error_value(x) is not None or (isinstance(x, str) and x.startswith(ERROR_PREFIX))


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


class Refused(Exception):
    """An argument the boundary cannot use at all (not a rectangle, shapes disagree)."""


def grid(a: Any) -> tuple[int, int, list] | None:
    """None for a single value; (rows, columns, values row by row) for a range.

    xlwings with ndim=2 passes a list of rows; a Python caller may pass a flat list (a column).
    A 1×1 range is a single value."""
    if not isinstance(a, (list, tuple)):
        return None
    if len(a) == 0:
        raise Refused("区域为空")
    row_types = set(map(type, a))
    if row_types <= SEQUENCES:
        widths = set(map(len, a))
        if len(widths) != 1 or 0 in widths:
            raise Refused("区域不是矩形（各行的单元格数不同）")
        cols = widths.pop()
        flat = [r[0] for r in a] if cols == 1 else [v for r in a for v in r]
        if set(map(type, flat)) & SEQUENCES:
            raise Refused("区域的格式无法识别")
        rows = len(a)
    elif not row_types & SEQUENCES:
        rows, cols, flat = len(a), 1, list(a)
    else:
        raise Refused("区域的格式无法识别")
    return None if rows == cols == 1 else (rows, cols, flat)


def single(a: Any) -> Any:
    """The first cell of a range (the value itself when ``a`` is one)."""
    while isinstance(a, (list, tuple)):
        a = a[0]
    return a
