"""Reading raw register cells into typed values, once.

The streaming reader (``workbooks.xlsx``) hands over what the sheet XML holds: floats,
strings (untrimmed), bools, Excel error values (:class:`XlError`), datetimes for cells with
a date format, None for blank. This module turns one column of those into the values the
rules engine and every workflow use, and says why a cell cannot be used:

- text: trimmed, full-width ASCII and the ideographic space turned half-width, zero-width
  characters removed (a waybill typed ``ＳＦ１００１`` is ``SF1001``); a number typed into
  a text column is its digits (``13805910001.0`` → ``"13805910001"``);
- dates: ``dt.date`` (``dt.datetime`` for datetime columns) from date cells, serial numbers
  and date texts (``2026-03-01``, ``2026年3月1日``);
- money: read at the fen, half-up (MONEY-2), as the float of that fen amount, so the column
  engine and the per-cell form see the same value; ``1,200元`` texts are read too;
- shares, rates, weights and day counts: exactly as given (MONEY-2);
- an Excel error value (#N/A, #VALUE!, …) is an error of that cell, never a blank: a #N/A in
  保价金额 must not make a shipment "uninsured".

Each distinct unusual value is judged once per column (memo), plain values in bulk.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

import numpy as np
import pandas as pd

from udfs.cellvalue import XlError, is_blank  # noqa: F401 (re-exported: the one cell model)
from udfs.rowcheck import TEXT_KINDS, TEXT_TABLE, error_value_message, normalise_text, typed_value
from udfs.rulebook import rules_for

_TABLE = TEXT_TABLE
_SPACES = re.compile(r"\s+")
_NEEDS_TABLE = re.compile("[\r" + "".join(re.escape(chr(c)) for c in sorted(_TABLE)) + "]")


def header_key(h: Any) -> str:
    """How headers are matched: normalised, every whitespace (line breaks too) removed."""
    if h is None:
        return ""
    if isinstance(h, float) and h.is_integer():
        h = int(h)
    return _SPACES.sub("", normalise_text(str(h)))


def is_error(v: Any) -> bool:
    return isinstance(v, XlError)


@dataclass
class Typed:
    """One column read: ``values`` (object array; None for blank or unusable cells),
    ``blank`` (the cell is empty), ``problem`` (object array: message or None)."""

    values: np.ndarray
    blank: np.ndarray
    problem: np.ndarray


_one = typed_value        # one non-blank, non-error cell (the checks of ROW_CHECK too)


def normalise_many(texts: np.ndarray) -> np.ndarray:
    """normalise_text of every text of an object array. Few distinct texts (lists, flags,
    places): each distinct one once (pandas.factorize hashes in C); many: one C-level
    translate over the NUL-joined texts."""
    n = len(texts)
    codes, uniques = pd.factorize(texts, use_na_sentinel=False)
    if len(uniques) * 4 <= n:
        norm = np.empty(len(uniques), dtype=object)
        norm[:] = [normalise_text(u) for u in uniques]
        return norm[codes]
    joined = "\x00".join(texts)
    if _NEEDS_TABLE.search(joined):
        joined = joined.translate(TEXT_TABLE).replace("\r\n", "\n").replace("\r", "\n")
    parts = joined.split("\x00")
    if len(parts) != n:                 # a text holding NUL (never in sheet XML)
        parts = [normalise_text(v) for v in texts]
    clean = np.empty(n, dtype=object)
    clean[:] = list(map(str.strip, parts))     # 0.4 ms per 20k texts: cheaper than testing first
    return clean


def read_column(kind: str, header: str, rule: str | None, raw: Sequence[Any]) -> Typed:
    """Type one input column of a chunk: texts and plain numbers and dates in bulk, each
    distinct unusual value once."""
    values = _object_copy(raw)
    n = len(values)
    types = np.fromiter(map(type, values), dtype=object, count=n)
    blank = types == type(None)  # noqa: E721 (element-wise)
    out = np.full(n, None, dtype=object)
    todo = ~blank
    _read_texts(kind, values, types, blank, out, todo)
    isfloat = types == float  # noqa: E721 (element-wise)
    if isfloat.any():
        idx = np.flatnonzero(isfloat)
        blank[idx[np.isnan(values[idx].astype(float))]] = True
    todo &= ~blank
    if kind == "money" and isfloat.any():
        _read_money(values, np.flatnonzero(isfloat & ~blank), out, todo)
    elif kind in ("share", "number", "int") and isfloat.any():
        _read_numbers(kind, values, np.flatnonzero(isfloat & ~blank), out, todo)
    elif kind in ("date", "datetime"):
        _read_dates(kind, values, types, out, todo)
    problem = _read_one_by_one(kind, header, rule, values, out, todo)
    return Typed(out, blank, problem)


def _object_copy(raw: Sequence[Any]) -> np.ndarray:
    """A 1-d object array of the cells, never the caller's own."""
    if isinstance(raw, np.ndarray) and raw.dtype == object and raw.ndim == 1:
        return raw.copy()             # what the model hands over: 25× faster than via a list
    values = np.empty(len(raw), dtype=object)
    values[:] = list(raw)
    return values


def _read_texts(kind: str, values: np.ndarray, types: np.ndarray, blank: np.ndarray, out: np.ndarray,
                todo: np.ndarray) -> None:
    """Texts normalised (empty ones are blank); a text column's texts are its values, any
    other column's are read later, cleaned."""
    isstr = types == str  # noqa: E721 (element-wise; exact str: an XlError is its own type)
    if not isstr.any():
        return
    idx = np.flatnonzero(isstr)
    clean = normalise_many(values[idx])
    empty = clean == ""
    blank[idx[empty]] = True
    todo[idx[empty]] = False
    if kind in TEXT_KINDS:
        out[idx[~empty]] = clean[~empty]
        todo[idx] = False
    else:
        values[idx] = clean


def _read_money(values: np.ndarray, idx: np.ndarray, out: np.ndarray, todo: np.ndarray) -> None:
    """Plain amounts (not negative, within the limit, not on a half fen) at the fen, in bulk."""
    x = values[idx].astype(float)
    max_yuan = rules_for(None).max_fen / 100
    with np.errstate(invalid="ignore"):
        y = x * 100
        near = np.abs(y - np.floor(y) - 0.5) < 1e-6
        plain = (x >= 0) & (x <= max_yuan) & np.isfinite(x) & ~near
    fen = np.floor(y[plain] + 0.5)
    out[idx[plain]] = list(fen / 100)
    todo[idx[plain]] = False


def _read_numbers(kind: str, values: np.ndarray, idx: np.ndarray, out: np.ndarray, todo: np.ndarray) -> None:
    """Plain shares (0..1), numbers and whole counts as given, in bulk."""
    x = values[idx].astype(float)
    with np.errstate(invalid="ignore"):
        plain = (x >= 0) & np.isfinite(x)
        if kind == "share":
            plain &= x <= 1
        elif kind == "int":
            plain &= (np.floor(x) == x) & (x < 1e9)
    out[idx[plain]] = list(x[plain])
    todo[idx[plain]] = False


def _read_dates(kind: str, values: np.ndarray, types: np.ndarray, out: np.ndarray, todo: np.ndarray) -> None:
    """Date and datetime cells as the column's kind, in bulk."""
    isdt = types == dt.datetime  # noqa: E721 (element-wise)
    if isdt.any():
        idx = np.flatnonzero(isdt)
        if kind == "date":
            out[idx] = [v.date() for v in values[idx]]
        else:
            out[idx] = list(values[idx])
        todo[idx] = False
    isd = types == dt.date  # noqa: E721 (element-wise)
    if isd.any():
        idx = np.flatnonzero(isd)
        out[idx] = list(values[idx]) if kind == "date" else [dt.datetime(v.year, v.month, v.day) for v in values[idx]]
        todo[idx] = False


def _read_one_by_one(kind: str, header: str, rule: str | None, values: np.ndarray, out: np.ndarray,
                     todo: np.ndarray) -> np.ndarray:
    """The cells left: each distinct value judged once; returns each cell's problem (None
    when fine). An Excel error value is a problem of its cell."""
    problem = np.full(len(values), None, dtype=object)
    memo: dict[tuple[type, Any], tuple[Any, str | None]] = {}
    for i in np.flatnonzero(todo):
        v = values[i]
        if is_error(v):
            problem[i] = error_value_message(header, rule, v)
            continue
        key = (type(v), v)
        got = memo.get(key)
        if got is None:
            got = memo[key] = _one(kind, header, rule, v)
        out[i], problem[i] = got
    return problem


def as_decimal(kind: str, v: Any) -> Any:
    """A typed value as workflows like it: money as Decimal (exact at the fen), day counts
    as int; everything else unchanged."""
    if v is None:
        return None
    if kind == "money":
        return Decimal(round(v * 100)) / 100
    if kind == "int":
        return int(v)
    return v


def money_objects(fen: np.ndarray) -> np.ndarray:
    """int64 fen → Decimal yuan objects (each distinct amount built once)."""
    codes, uniques = pd.factorize(fen)
    made = np.empty(len(uniques), dtype=object)
    made[:] = [(Decimal(int(u)) / 100).quantize(Decimal("0.01")) for u in uniques]
    return made[codes] if len(fen) else np.empty(0, dtype=object)


def as_decimals(kind: str, values: np.ndarray) -> np.ndarray:
    """as_decimal over an object array, vectorised."""
    values = np.asarray(values, dtype=object)
    if kind not in ("money", "int") or not len(values):
        return values
    out = np.full(len(values), None, dtype=object)
    has = values != None  # noqa: E711 (element-wise)
    if has.any():
        x = values[has].astype(float)
        if kind == "money":
            out[has] = money_objects(np.rint(x * 100).astype(np.int64))
        else:
            out[has] = [int(v) for v in x]
    return out
