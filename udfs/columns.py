"""Column forms of every function: pandas Series in, DataFrame out.

``columns.compensation(types, values, freights, …)`` takes the per-cell function's
arguments, each a scalar (broadcast) or an array-like/Series of equal length, and returns a
DataFrame on the input's index with:

- ``value``: money as float64 yuan exact to the fen (NaN on error rows); days as Int64;
  dates as datetime64[ns]; texts as object; booleans as object;
- ``error``: None, or the Chinese message the per-cell function raises for that row;
- ``rule``: the rule ID of that error.

Money rules run as one vectorised kernel (the same kernel the per-cell function calls);
rows the vectorised reader does not accept plainly go through the per-cell function, so
both forms agree to the fen. Functions without a kernel compute once per distinct row.
"""
from __future__ import annotations

import inspect
import logging
from typing import Any, Callable

import numpy as np
import pandas as pd

from . import colparse, registry
from .errors import RuleError

log = logging.getLogger(__name__)

INTERNAL = "内部错误，请联系管理员（详情见日志）"


def _index(args: tuple) -> pd.Index:
    for a in args:
        if isinstance(a, pd.Series):
            return a.index
    lengths = {len(a) for a in args
               if isinstance(a, (list, tuple, np.ndarray, pd.Index, pd.api.extensions.ExtensionArray))}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    return pd.RangeIndex(lengths.pop() if lengths else 1)


def run(scalar: Callable, kind: str, args: tuple, fast: Callable | None = None) -> pd.DataFrame:
    """Evaluate ``scalar`` over columns; see the module docstring."""
    index = _index(args)
    series = [colparse.as_series(a, index) for a in args]
    for s in series:
        if len(s) != len(index):
            raise ValueError("all columns must have the same length")
    n = len(index)
    values = _empty_values(kind, n)
    done = np.zeros(n, dtype=bool)
    if fast is not None and n:
        done = _apply_kernel(fast, series, kind, values)
    errors = np.full(n, None, dtype=object)
    rules = np.full(n, None, dtype=object)
    rest = np.flatnonzero(~done)
    if len(rest):
        cols = [s.to_numpy(dtype=object)[rest] for s in series]
        for row_args, at in _work(cols, rest):
            result = _one(scalar, row_args)
            if result[0] == "ok":
                _store(kind, values, at, result[1])
                done[at] = True
            else:
                errors[at], rules[at] = result[1], result[2]
    return _frame(kind, values, done, errors, rules, index)


def _empty_values(kind: str, n: int) -> np.ndarray:
    """The value column before any row is computed: NaN, 0, NaT or None by kind."""
    if kind == "money":
        return np.full(n, np.nan)
    if kind == "int":
        return np.zeros(n, dtype=np.int64)
    if kind in ("date", "datetime"):
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    return np.full(n, None, dtype=object)


def _apply_kernel(fast: Callable, series: list[pd.Series], kind: str, values: np.ndarray) -> np.ndarray:
    """Run the vectorised kernel into ``values``; the rows it computed (the others go
    through the per-cell function)."""
    out, ok = fast(*series)
    ok = np.asarray(ok, dtype=bool)
    if kind == "money":
        values[ok] = np.asarray(out, dtype=object)[ok].astype(float) / 100 \
            if np.asarray(out).dtype == object else np.asarray(out)[ok] / 100
    elif kind in ("date", "datetime"):
        values[ok] = np.asarray(out)[ok].astype("datetime64[ns]")
    else:
        values[ok] = np.asarray(out)[ok]
    return ok


def _work(cols: list[np.ndarray], rest: np.ndarray) -> list[tuple[tuple, np.ndarray]]:
    """(arguments, rows) to compute: the scalar runs once per distinct argument row (its type
    too: TRUE must not reuse 1's result); results are spread to the rows of each group."""
    grouped = _distinct_rows(cols, len(rest))
    if grouped is None:                          # an unhashable argument: row by row
        return [(tuple(c[j] for c in cols), rest[[j]]) for j in range(len(rest))]
    group, firsts = grouped
    if len(firsts) <= 64:
        return [(tuple(c[j] for c in cols), rest[group == g]) for g, j in enumerate(firsts.tolist())]
    return _groups(cols, group, firsts, rest)


def _one(scalar: Callable, args: tuple) -> tuple:
    """("ok", value) or ("err", message, rule) of the per-cell function on one row."""
    try:
        return ("ok", scalar(*args))
    except RuleError as e:
        return ("err", str(e), e.rule)
    except Exception:  # noqa: BLE001 - a bug must not become a traceback in a cell
        log.exception("internal error in %s%r", scalar.__name__, args)  # noqa
        return ("err", INTERNAL, None)


def _store(kind: str, values: np.ndarray, at: np.ndarray, v: Any) -> None:
    """Put one per-cell result into the rows ``at`` of the value column."""
    if kind == "money":
        values[at] = float(v)
    elif kind in ("date", "datetime"):
        values[at] = np.datetime64(v, "ns")
    elif kind == "int":
        values[at] = v
    else:
        for i in at.tolist():        # element by element: a value may be a sequence
            values[i] = v


def _frame(kind: str, values: np.ndarray, done: np.ndarray, errors: np.ndarray, rules: np.ndarray,
           index: pd.Index) -> pd.DataFrame:
    col: Any = values
    if kind == "int":
        col = pd.array(np.where(done, values, 0), dtype="Int64")
        col[~done] = pd.NA
    if kind in ("text", "bool"):
        col = pd.Series(col, index=index, dtype=object)
    return pd.DataFrame({"value": col,
                         "error": pd.Series(errors, index=index, dtype=object),
                         "rule": pd.Series(rules, index=index, dtype=object)}, index=index)


def _distinct_rows(cols: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(group of each row, first row of each group) for rows whose arguments are equal and of
    the same types — the grouping a dict keyed by ((type, value), …) gives, computed by
    hashing each column in C (pandas.factorize); None when an argument is unhashable."""
    codes: list[tuple[np.ndarray, int]] = []
    for c in cols:
        try:
            values, distinct = pd.factorize(c, use_na_sentinel=False)
        except TypeError:
            return None
        codes.append((values, len(distinct)))
        types = list(map(type, c))
        kinds = set(types)
        if len(kinds) > 1:                   # equal values of different types: apart (TRUE ≠ 1)
            number = {t: i for i, t in enumerate(kinds)}
            codes.append((np.fromiter(map(number.__getitem__, types), dtype=np.int64, count=n), len(kinds)))
    group, size = np.zeros(n, dtype=np.int64), 1
    for values, k in codes:                  # mixed-radix key, re-numbered before it could overflow
        if size * k >= 2 ** 62:
            group, distinct = pd.factorize(group)
            size = len(distinct)
        group, size = group * k + values, size * max(k, 1)
    group, _ = pd.factorize(group)
    _, firsts = np.unique(group, return_index=True)
    return group, firsts


def _groups(cols: list[np.ndarray], group: np.ndarray, firsts: np.ndarray, rest: np.ndarray) -> list:
    """(arguments, rows) per group, the rows of all groups found in one sort."""
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(len(firsts) + 1))
    return [(tuple(c[j] for c in cols), rest[order[bounds[g]:bounds[g + 1]]])
            for g, j in enumerate(firsts.tolist())]


def _make(name: str, scalar: Callable, kind: str, fast: Callable | None) -> Callable:
    sig = inspect.signature(scalar)

    def column(*args: Any, **kwargs: Any) -> pd.DataFrame:
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        return run(scalar, kind, tuple(bound.arguments.values()), fast)

    column.__name__ = name
    column.__signature__ = sig  # type: ignore[attr-defined]
    column.__doc__ = f"Column form of udfs.{name}. {scalar.__doc__ or ''}"
    return column


# name -> (per-cell function, result kind, vectorised kernel or None), derived from the
# declarations in udfs/registry.py (one declaration per function)
SPECS: dict[str, tuple[Callable, str, Callable | None]] = {}


def install() -> None:
    """(Re)build SPECS and the column form of every declared function from the registry."""
    for name in list(SPECS):
        globals().pop(name, None)
    SPECS.clear()
    for f in registry.FUNCTIONS.values():
        if f.column:
            SPECS[f.python_name] = (f.func, registry.COLUMN_KIND[f.result], f.kernel)
    for name, (scalar, kind, fast) in SPECS.items():
        globals()[name] = _make(name, scalar, kind, fast)
    __all__[:] = ["run", "SPECS", "install", *SPECS]


__all__: list[str] = []
install()
