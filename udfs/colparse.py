"""Vectorised reading of whole columns for the column forms (:mod:`udfs.columns`).

Each reader returns values plus an ``ok`` mask. Rows that are not plainly valid (text in a
number cell, an unknown name, a value needing exact decimal rounding) are not guessed at:
the column form sends them through the per-cell function, which either computes them
exactly or raises the same RuleError a single cell would show. So both paths agree.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable

import numpy as np
import pandas as pd

from .errors import RuleError
from .fixed import FEN
from .rulebook import Vocabulary
from .values import decimal_exponent, flag

_NUMERIC = (float, int, np.floating, np.integer)


def as_series(x: Any, index: pd.Index) -> pd.Series:
    if isinstance(x, pd.Series):
        return x.set_axis(index) if not x.index.equals(index) else x
    if isinstance(x, (list, tuple, np.ndarray, pd.Index, pd.api.extensions.ExtensionArray)):
        return pd.Series(list(x) if isinstance(x, tuple) else x, index=index)
    if x is None:
        return pd.Series(np.nan, index=index, dtype=float)
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return pd.Series(float(x), index=index, dtype=float)
    return pd.Series([x] * len(index), index=index, dtype=object)


def _numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(float values, blank mask, numeric-or-blank mask)."""
    if pd.api.types.is_bool_dtype(s.dtype):
        arr = np.full(len(s), np.nan)
        return arr, np.zeros(len(s), bool), np.zeros(len(s), bool)
    if pd.api.types.is_numeric_dtype(s.dtype):
        arr = s.to_numpy(dtype=float, na_value=np.nan)
        blank = np.isnan(arr)
        return arr, blank, np.ones(len(s), bool)
    inferred = pd.api.types.infer_dtype(s, skipna=True)
    blank = s.isna().to_numpy()
    if inferred in ("string", "empty"):
        return np.full(len(s), np.nan), blank, blank.copy()
    if inferred in ("floating", "integer", "mixed-integer-float"):
        arr = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return arr, blank, np.ones(len(s), bool)
    values = s.to_numpy(dtype=object)
    kinds = np.fromiter((type(v) for v in values), dtype=object, count=len(values))
    numeric = np.array([issubclass(k, _NUMERIC) and k is not bool and not issubclass(k, np.bool_)
                        for k in kinds], dtype=bool) if len(values) else np.zeros(0, bool)
    arr = np.full(len(s), np.nan)
    if numeric.any():
        arr[numeric] = values[numeric].astype(float)
    arr[blank] = np.nan
    return arr, blank, numeric | blank


def _scaled(arr: np.ndarray, scale: int) -> tuple[np.ndarray, np.ndarray]:
    """Round arr × scale half-up to int; flag values that sit too near a half to trust.

    A float's shortest decimal D and the float product y = fl(x × scale) differ by at most
    about |y| × 2.3e-16, so outside that band round(y) is round(D × scale) (MONEY-2); rows
    inside it take the exact per-cell path."""
    with np.errstate(invalid="ignore"):
        y = arr * scale
        out = np.floor(y + 0.5)
        # one tolerance for the column, from its largest magnitude (conservative)
        top = float(np.fmax.reduce(np.abs(y), initial=0.0)) if len(y) else 0.0   # NaN-safe
        tol = 1e-6 + top * 1e-15
        near_half = np.abs(np.abs(out - y) - 0.5) < tol    # y − floor(y) ≈ 0.5 ⇔ |out − y| ≈ 0.5
    return np.nan_to_num(out).astype(np.int64), near_half


def money(s: pd.Series, max_fen: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fen, blank, ok) for a money column; negatives and huge values are not ok."""
    arr, blank, ok = _numbers(s)
    with np.errstate(invalid="ignore"):
        ok = ok & (blank | ((arr >= 0) & (arr * FEN <= max_fen) & np.isfinite(arr)))
    fen, near = _scaled(np.where(ok & ~blank, arr, 0.0), FEN)
    return fen, blank, ok & ~near


def _fraction(s: pd.Series, scale: int, upper: float | None):
    """(arr, blank, good, units, exact): good = a number in range; exact = it has at most
    log10(scale) places, so the float is exactly units / scale."""
    arr, blank, numeric = _numbers(s)
    with np.errstate(invalid="ignore"):
        good = numeric & ~blank & (arr >= 0) & np.isfinite(arr)
        good &= (arr <= upper) if upper is not None else (arr < 1e9)
        x = np.where(good, arr, 0.0)
        units = np.rint(x * scale)
        exact = units / scale == x
    return arr, blank, good, units.astype(np.int64), exact


def fraction(s: pd.Series, scale: int, upper: float | None = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(units of 1/scale, blank, ok). MONEY-2 reads shares exactly, so only values whose
    shortest decimal form has at most log10(scale) places are ok here (then the float is
    exactly units / scale); others (=1/3) take the exact per-cell path."""
    _, blank, good, units, exact = _fraction(s, scale, upper)
    return units, blank, blank | (good & exact)


def fraction_exact(s: pd.Series, scale: int, upper: float | None = 1.0):
    """Like :func:`fraction`, but floats with more places than ``scale`` holds (=1/3, a
    formula's quotient) are ok too: (units, blank, ok, rows, nums, dens) where ``rows`` are
    those rows and ``nums / dens`` their exact shortest decimal forms as Python ints (MONEY-2),
    for an exact object-array kernel over just those rows (no int64 overflow)."""
    arr, blank, good, units, exact = _fraction(s, scale, upper)
    ok = blank | (good & exact)
    rows = np.flatnonzero(good & ~exact)
    if not len(rows):
        return units, blank, ok, rows, np.empty(0, object), np.empty(0, object)
    nums = np.empty(len(rows), dtype=object)
    dens = np.empty(len(rows), dtype=object)
    keep = np.ones(len(rows), dtype=bool)
    for j, i in enumerate(rows):
        d = Decimal(repr(float(arr[i])))            # the shortest form, as the per-cell reader
        places = -decimal_exponent(d)
        if places > 40 or d.adjusted() > 15:
            keep[j] = False
            continue
        den = 10 ** max(places, 0)
        num = int(d.scaleb(max(places, 0)))
        if den < scale:
            num, den = num * (scale // den), scale
        nums[j], dens[j] = num, den
    rows, nums, dens = rows[keep], nums[keep], dens[keep]
    ok[rows] = True
    return units, blank, ok, rows, nums, dens


def integer(s: pd.Series, minimum: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    arr, blank, ok = _numbers(s)
    with np.errstate(invalid="ignore"):
        whole = (arr == np.floor(arr)) & (arr >= minimum) & (np.abs(arr) < 1e9)
    ok = ok & (blank | whole)
    return np.where(ok & ~blank, arr, 0).astype(np.int64), blank, ok


_LOW = np.datetime64("1900-01-01", "s")
_HIGH = np.datetime64("2200-01-01", "s")


def _moments(s: pd.Series, unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(datetime64[unit], blank, ok). Only real date/datetime values of years 1900–2199 take
    the fast path; text, serial numbers and other years go through the per-cell reader,
    which reads or refuses them exactly as a single cell would."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        values = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        arr = values.to_numpy(dtype="datetime64[ns]").astype(f"datetime64[{unit}]")
        blank = np.isnat(arr)
        low, high = _LOW.astype(f"datetime64[{unit}]"), _HIGH.astype(f"datetime64[{unit}]")
        ints = arr.view(np.int64)                            # NaT is the smallest int64
        if not len(arr) or (np.where(blank, np.iinfo(np.int64).max, ints).min() >= low.view(np.int64)
                            and arr.max() < high):
            return arr, blank, np.ones(len(s), bool)        # the usual case: one pass each
        ok = blank | ((arr >= low) & (arr < high))
        return arr, blank, ok
    values = s.to_numpy(dtype=object)
    blank = s.isna().to_numpy()
    n = len(values)
    types = list(map(type, values))
    kind = {t: 1 if t in (dt.date, dt.datetime) else 2 if issubclass(t, (dt.date, pd.Timestamp)) else 0
            for t in set(types)}
    kinds = np.fromiter(map(kind.__getitem__, types), dtype=np.int8, count=n)
    plain = kinds == 1                       # exactly date/datetime: range-checked in bulk
    ok = np.zeros(n, dtype=bool)             # other date-likes (Timestamp, subclasses): one by one
    other = np.flatnonzero(kinds == 2)
    if len(other):
        ok[other] = [1900 <= v.year < 2200 for v in values[other]]
    out = np.full(n, np.datetime64("NaT"), dtype=f"datetime64[{unit}]")
    cand = (plain | ok) & ~blank
    if cand.any():
        codes, distinct = pd.factorize(values[cand])    # a register repeats its dates: each parsed once
        parsed = pd.to_datetime(pd.Series(distinct), errors="coerce").to_numpy().astype(f"datetime64[{unit}]")[codes]
        # a plain date's year is in 1900–2199 exactly when its moment is in [1900-01-01, 2200-01-01)
        fits = ~np.isnat(parsed) & (parsed >= _LOW.astype(f"datetime64[{unit}]")) \
            & (parsed < _HIGH.astype(f"datetime64[{unit}]"))
        ok[cand] |= plain[cand] & fits
        good = ok[cand]
        out[np.flatnonzero(cand)[good]] = parsed[good]
    return out, blank, ok | blank


def dates(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(datetime64[D], blank, ok)."""
    return _moments(s, "D")


def datetimes(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(datetime64[s], blank, ok) keeping the time of day (DATE-3)."""
    return _moments(s, "s")


def codes(s: pd.Series, resolve: Callable[[Any], Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Map each distinct value once: resolve(value) → code or None (unknown)."""
    factor, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = [resolve(u) if not (isinstance(u, str) and not u.strip()) else None for u in uniques]
    blank_u = np.array([isinstance(u, str) and not u.strip() for u in uniques], dtype=bool)
    known = np.array([m is not None for m in mapped], dtype=bool)
    lookup = np.array(mapped + [None], dtype=object)
    out = lookup[factor]
    blank = factor < 0
    if len(uniques):
        blank |= np.append(blank_u, False)[factor]
    ok = blank | np.append(known, False)[factor]
    return out, blank, ok


def vocab(s: pd.Series, vocabulary: Vocabulary) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return codes(s, lambda u: vocabulary.find(u) if isinstance(u, str) else None)


def vocab_codes(s: pd.Series, vocabulary: Vocabulary, code: Callable[[str], int],
                default: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Like :func:`vocab` but maps each canonical name to an int code (blank → default),
    resolving only the distinct values."""
    factor, uniques = pd.factorize(s, use_na_sentinel=True)
    names = [vocabulary.find(u) if isinstance(u, str) and u.strip() else None for u in uniques]
    blank_u = np.array([not (isinstance(u, str) and u.strip()) and not isinstance(u, (int, float))
                        for u in uniques] + [True], dtype=bool)
    known = np.array([n is not None for n in names] + [True], dtype=bool)
    table = np.array([code(n) if n is not None else default for n in names] + [default], dtype=np.int64)
    blank = blank_u[factor]
    return table[factor], blank, known[factor] | blank


def flags(s: pd.Series, default: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    def resolve(u: Any) -> Any:
        try:
            return flag(u, "", None, default)
        except RuleError:
            return None
    out, blank, ok = codes(s, resolve)
    out = np.where(blank, default, out)
    return np.where(ok, out, False).astype(bool), blank, ok
