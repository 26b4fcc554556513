"""Computing a register's computed columns with the column engine (``udfs.columns``),
driven by the template spec's expression trees (:mod:`workbooks.spec`): the same tree is the
template's Excel formula, so Excel and the processor compute the same thing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Collection

import numpy as np
import pandas as pd

from udfs.rulebook import today as engine_today

from .inputs import money_objects
from .spec import ERROR_PREFIX, Column, Env, Evaluated, Out, Refused, Template

_EPOCH = np.datetime64("1899-12-30T00:00:00", "s")


@dataclass
class Computed:
    """One computed column of a chunk: ``number`` (float, NaN where not a number: money,
    int, rate, and dates as Excel serials), ``text`` (object: str where the cell shows
    text), ``error``/``rule`` per row (None when fine), ``blank`` (the guard leaves it empty)."""

    column: Column
    number: np.ndarray
    text: np.ndarray
    error: np.ndarray
    rule: np.ndarray
    blank: np.ndarray
    # set on a column computed for its errors only (see ``compute(keep=…)``): builds the
    # full column (values too) on demand, e.g. to say what replaced a value typed over it
    complete: Callable[[], "Computed"] | None = None

    @property
    def partial(self) -> bool:
        return self.complete is not None

    def has_error(self) -> np.ndarray:
        return np.asarray(self.error != None, dtype=bool)  # noqa: E711 (element-wise)

    def value(self, i: int) -> Any:
        """What the cell shows as a Python value: None (blank), 「错误：…」, text, Decimal
        money, int, rate float, date/datetime."""
        if self.blank[i]:
            return None
        if self.error[i] is not None:
            return ERROR_PREFIX + self.error[i]
        if self.text[i] is not None:
            return self.text[i]
        x = self.number[i]
        if x != x:
            return None
        kind = self.column.kind
        if kind == "money":
            return Decimal(int(round(x * 100))) / 100
        if kind == "int":
            return int(round(x))
        if kind in ("date", "datetime"):
            moment = (dt.datetime(1899, 12, 30) + dt.timedelta(seconds=round(x * 86400)))
            return moment.date() if kind == "date" else moment
        return float(x)

    def values(self, sel: np.ndarray | None = None) -> np.ndarray:
        """``value(i)`` for the rows ``sel`` (all rows by default), vectorised."""
        idx = np.arange(len(self.blank)) if sel is None else np.asarray(sel)
        m = len(idx)
        out = np.full(m, None, dtype=object)
        blank = np.asarray(self.blank, dtype=bool)[idx]
        err = self.error[idx]
        has_err = (err != None) & ~blank  # noqa: E711 (element-wise)
        if has_err.any():
            out[has_err] = [ERROR_PREFIX + e for e in err[has_err]]
        text = self.text[idx]
        has_text = (text != None) & ~blank & ~has_err  # noqa: E711
        out[has_text] = text[has_text]
        x = self.number[idx]
        num = ~np.isnan(x) & ~blank & ~has_err & ~has_text
        if num.any():
            kind = self.column.kind
            v = x[num]
            if kind == "money":
                out[num] = money_objects(np.rint(v * 100).astype(np.int64))
            elif kind == "int":
                out[num] = [int(k) for k in np.rint(v)]
            elif kind in ("date", "datetime"):
                secs = np.rint(v * 86400).astype(np.int64)
                moments = (np.datetime64("1899-12-30T00:00:00", "s") + secs.astype("timedelta64[s]"))
                out[num] = (moments.astype("datetime64[D]") if kind == "date" else moments).astype(object)
            else:
                out[num] = list(v.astype(float))
        return out

    def shown(self, i: int) -> str:
        """The cell as a clerk reads it (for messages)."""
        v = self.value(i)
        if v is None:
            return "空白"
        if isinstance(v, dt.datetime):
            return v.strftime("%Y-%m-%d %H:%M")
        if isinstance(v, dt.date):
            return v.isoformat()
        if self.column.kind == "money":
            return f"{v:.2f}" if not isinstance(v, str) else v
        return str(v)


def _as_numbers(col: Column, value: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Column values → (float array, object array of texts) for writing."""
    n = len(value)
    text = np.full(n, None, dtype=object)
    if col.kind in ("date", "datetime"):
        v = pd.to_datetime(value, errors="coerce").to_numpy().astype("datetime64[s]")
        number = (v - _EPOCH).astype("timedelta64[s]").astype(float) / 86400.0
        number[np.isnat(v)] = np.nan
        return number, text
    if col.kind in ("money", "int", "rate"):
        number = pd.to_numeric(value, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return number, text
    number = np.full(n, np.nan)
    text = value.to_numpy(dtype=object).copy()
    return number, text


def computed_refs(expr: Any) -> set[str]:
    """Headers of the computed columns an expression reads (``Out``, ``Refused``)."""
    out: set[str] = set()
    stack = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, (Out, Refused)):
            out.add(e.header)
        for v in getattr(e, "__dict__", {}).values():
            if isinstance(v, tuple):
                stack.extend(v)
            elif hasattr(v, "excel"):
                stack.append(v)
    return out


def needed_columns(tpl: Template, wanted: Collection[str]) -> set[str]:
    """The computed columns to compute in full for ``wanted`` headers: those asked for, and
    every computed column any computed column reads (受理判定: it also decides refusals,
    CLM-8), so a column's value never depends on which others were asked for."""
    computed = {c.header for c in tpl.computed}
    keep = set(wanted) & computed
    for c in tpl.computed:
        keep |= computed_refs(c.expr) & computed
    return keep


def compute(tpl: Template, frame: pd.DataFrame, blank: dict[str, np.ndarray],
            filled: np.ndarray, today: dt.date | None = None,
            keep: Collection[str] | None = None) -> list[Computed]:
    """Every computed column of ``frame`` (typed inputs by header). ``blank`` gives each
    input column's empty cells (an unusable cell is not empty), ``filled`` the rows with
    any input; a column is left empty where its guard inputs are empty.

    ``keep``: compute only these columns in full (see :func:`needed_columns`); the others
    are still evaluated for their errors — a failing formula makes its row invalid, so the
    outcome of every row is the same whatever was asked — but get no values (``partial``)."""
    n = len(frame)
    env = Env(frame, today or engine_today())
    out = []
    for col in tpl.computed:
        empty = ~filled.copy()
        for g in col.guard:
            empty |= blank[g]
        if keep is None or col.header in keep:
            res = _column(col, env, empty, n)
        else:
            res = _checked(col, env, empty, n)
        env.computed[col.header] = res
        out.append(res)
    return out


def _column(col: Column, env: Env, empty: np.ndarray, n: int) -> Computed:
    """One computed column in full: values, errors and rules (none where it is empty)."""
    number, text = np.full(n, np.nan), np.full(n, None, dtype=object)
    error, rule = _nothing(n), _nothing(n)
    if n and not empty.all():
        ev: Evaluated = col.expression.evaluate(env)
        value = ev.value if isinstance(ev.value, pd.Series) else pd.Series([ev.value] * n)
        number, text = _as_numbers(col, value.reset_index(drop=True))
        if ev.error is not None:
            error = ev.error
        if ev.rule is not None:
            rule = ev.rule
    return Computed(col, np.array(number, dtype=float), np.array(text, dtype=object),
                    _none_where(empty, error), _none_where(empty, rule), empty)


def _checked(col: Column, env: Env, empty: np.ndarray, n: int) -> Computed:
    """A column nobody asked for: its errors and rules only (no value is converted)."""
    error, rule = _nothing(n), _nothing(n)
    if n and not empty.all():
        got_error, got_rule = col.expression.errors(env)
        if got_error is not None and got_rule is not None:
            error, rule = got_error, got_rule
    computed = dict(env.computed)          # what the column reads, as it was at this point

    def complete() -> Computed:
        full_env = Env(env.frame, env.today)
        full_env.computed = computed
        return _column(col, full_env, empty, n)
    return Computed(col, np.full(n, np.nan), np.full(n, None, dtype=object), _none_where(empty, error),
                    _none_where(empty, rule), empty, complete)


def _nothing(n: int) -> np.ndarray:
    """An object array of ``n`` Nones (no error, no rule)."""
    return np.full(n, None, dtype=object)


def _none_where(empty: np.ndarray, values: np.ndarray) -> np.ndarray:
    """A copy of ``values`` (object array) with None in the ``empty`` rows."""
    out = np.array(values, dtype=object)
    out[empty] = None
    return out
