"""One declarative spec per template: its columns, their types, lists, formulas and the rule
each check cites (rule IDs as in docs/rules.md).

A register is a list of :class:`Column`. An input column says its type, width, validation
list (from the rules data, never typed here) and the rule its check cites. A computed
column holds an expression tree built from :class:`Ref`, :class:`Lit`, :class:`Call`,
:class:`If`, :class:`Eq` and their kin. The same tree renders the Excel formula of the
template (``Expr.excel``) and evaluates the column with the column engine
(``Expr.evaluate``), so a column is added in one place and the formula and the processor
cannot drift apart (the equivalence check proves it on the samples).

Excel stores calls to add-in (VBA/xlwings) functions by plain name, e.g. ``COD_FEE(B2)``:
no ``_xlfn.`` prefix (that is only for Excel's own "future functions") and no
``[1]!``/path prefix (Excel writes that external-link form when it saves a workbook itself,
which breaks on another PC). A plain name resolves against whatever add-in is loaded.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np
import pandas as pd

from udfs import colparse, columns
from udfs.errors import ERROR_PREFIX  # noqa: F401 - what a failed function puts in a cell (re-exported)
from udfs.quote import TOTAL_REFUSED
from udfs.registry import by_python_name, engine_functions
from udfs.rowcheck import POINTER, see
from udfs.tariff import OVERRIDE_NOTE

from .xlsx.cells import col_letter  # noqa: F401 - one definition of column letters (re-exported)

TEMPLATE_VERSION = 1

# ----------------------------------------------------------------------------- expressions


@dataclass
class Evaluated:
    """A column result: values plus per-row error message and rule ID (None when fine)."""

    value: Any                              # pd.Series, or a scalar broadcast to every row
    error: np.ndarray | None = None         # object array of str/None
    rule: np.ndarray | None = None


class Env:
    """What an expression is evaluated against: the input columns of one register."""

    def __init__(self, frame: pd.DataFrame, today: dt.date) -> None:
        self.frame = frame
        self.today = today
        self.n = len(frame)
        self.index = frame.index
        self.computed: Any = {}              # header → workbooks.compute.Computed, in column order
        self.memo: dict[Expr, Evaluated] = {}   # calls evaluated on these rows (shared sub-trees)

    def column(self, header: str) -> pd.Series:
        return self.frame[header]

    def subset(self, pos: np.ndarray) -> "Env":
        """The rows ``pos`` (positions) of this env: what an IF branch is evaluated on."""
        return self if len(pos) == self.n else _Rows(self, pos)


class _Rows(Env):
    """Some rows of an env; its columns (inputs and computed) are taken on first use."""

    def __init__(self, parent: Env, pos: np.ndarray) -> None:
        self.parent, self.pos = parent, pos
        self.frame = None                    # (columns come from the parent, see column())
        self.today = parent.today
        self.n = len(pos)
        self.index = parent.index[pos]
        self.computed = _ComputedRows(parent.computed, pos)
        self.memo = {}
        self._columns: dict[str, pd.Series] = {}
        cache = parent.__dict__.get("_refused")
        if cache:
            self.__dict__["_refused"] = {h: v[pos] for h, v in cache.items()}

    def column(self, header: str) -> pd.Series:
        got = self._columns.get(header)
        if got is None:
            got = self._columns[header] = self.parent.column(header).iloc[self.pos]
        return got


class _ComputedRows:
    """``env.computed`` of a sub-env: each computed column's arrays at its rows, on use."""

    def __init__(self, computed: Any, pos: np.ndarray) -> None:
        self._computed, self._pos = computed, pos
        self._got: dict[str, _RowsOf] = {}

    def __getitem__(self, header: str) -> "_RowsOf":
        got = self._got.get(header)
        if got is None:
            got = self._got[header] = _RowsOf(self._computed[header], self._pos)
        return got

    def __contains__(self, header: str) -> bool:
        return header in self._computed


class _RowsOf:
    """A computed column's arrays at some rows (what Out and Refused read in a sub-env)."""

    def __init__(self, c: Any, pos: np.ndarray) -> None:
        self.text, self.error, self.rule = c.text[pos], c.error[pos], c.rule[pos]
        self.blank = np.asarray(c.blank, dtype=bool)[pos]


class Expr:
    def excel(self, cell: Callable[[str], str]) -> str:
        raise NotImplementedError

    def evaluate(self, env: Env) -> Evaluated:
        raise NotImplementedError

    def errors(self, env: Env) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(error, rule) per row of ``evaluate`` (None: no row fails), for a column computed
        for its errors only; expressions whose errors are cheaper than their values say so."""
        ev = self.evaluate(env)
        return ev.error, ev.rule

    def refs(self) -> set[str]:
        return set()


@dataclass(frozen=True)
class Ref(Expr):
    """An input column of the same row, by its Chinese header."""

    header: str

    def excel(self, cell: Callable[[str], str]) -> str:
        return cell(self.header)

    def evaluate(self, env: Env) -> Evaluated:
        return Evaluated(env.column(self.header))

    def refs(self) -> set[str]:
        return {self.header}


@dataclass(frozen=True)
class Lit(Expr):
    value: str | int | float

    def excel(self, cell: Callable[[str], str]) -> str:
        if isinstance(self.value, str):
            return '"' + self.value.replace('"', '""') + '"'
        return repr(self.value)

    def evaluate(self, env: Env) -> Evaluated:
        return Evaluated(self.value)


@dataclass(frozen=True)
class Blank(Expr):
    """An empty argument: ``""`` in the formula (every function reads it as blank), None to
    the column engine — so its fast path is taken (a "" today was read as a bad date and
    sent every row of 时限状态 down the per-cell path)."""

    def excel(self, cell: Callable[[str], str]) -> str:
        return '""'

    def evaluate(self, env: Env) -> Evaluated:
        return Evaluated(None)


def _column_function(name: str) -> Callable[..., pd.DataFrame]:
    if hasattr(columns, name):
        return getattr(columns, name)

    def column(*args: Any) -> pd.DataFrame:  # a function without a registered column form
        return columns.run(engine_functions()[name].func, "text", args)
    return column


@dataclass(frozen=True)
class Call(Expr):
    """One of our add-in functions: Excel name = upper-case of the ``udfs`` function name."""

    name: str
    args: tuple[Expr, ...]

    def excel(self, cell: Callable[[str], str]) -> str:
        return f"{self.name.upper()}({','.join(a.excel(cell) for a in self.args)})"

    def evaluate(self, env: Env) -> Evaluated:
        """The column form of the function; a call shared by two columns (the claim deadline
        of 处理期限 and of 时限状态) is computed once per set of rows."""
        got = env.memo.get(self)
        if got is None:
            got = env.memo[self] = self._evaluate(env)
        return got

    def _evaluate(self, env: Env) -> Evaluated:
        parts = [a.evaluate(env) for a in self.args]
        values = []
        for p in parts:
            v = p.value
            if isinstance(v, pd.Series):
                v = v.astype(object).where(v.notna(), None) if v.dtype != object else v
            values.append(v)
        if not any(isinstance(v, pd.Series) for v in values):
            values[0] = pd.Series([values[0]] * env.n, index=env.index, dtype=object)
        result = _column_function(self.name)(*values)
        error = result["error"].to_numpy(dtype=object).copy()
        rule = result["rule"].to_numpy(dtype=object).copy()
        for p in reversed(parts):  # an argument's own error wins (what Excel would show)
            if p.error is not None and p.rule is not None:
                bad = np.asarray(p.error != None, dtype=bool)  # noqa: E711 (element-wise)
                error[bad], rule[bad] = p.error[bad], p.rule[bad]
        return Evaluated(result["value"], error, rule)

    def refs(self) -> set[str]:
        return set().union(*(a.refs() for a in self.args))


def _per_distinct(col: pd.Series, test: Callable[[Any], bool]) -> pd.Series:
    """``col.map(test)`` for a pure ``test`` that gives equal values (==) the same answer,
    asked once per distinct value (a register repeats a few texts over thousands of rows).
    Blanks (None, NaN, NaT) are asked once, as None — ``test`` must answer them alike;
    unhashable values fall back to the plain map."""
    try:
        codes, uniques = pd.factorize(col.to_numpy(dtype=object), use_na_sentinel=True)
    except TypeError:
        return col.map(test)
    answers = np.fromiter(map(test, uniques), dtype=bool, count=len(uniques))
    out = np.append(answers, test(None))[codes]      # code -1 (blank) takes the last entry
    return pd.Series(out, index=col.index, dtype=bool)


def starts_with(texts: np.ndarray, prefix: str) -> np.ndarray:
    """Which cells are texts beginning with ``prefix`` (a column repeats a few texts)."""
    col = pd.Series(texts, dtype=object)
    return _per_distinct(col, lambda v: isinstance(v, str) and v.startswith(prefix)).to_numpy(dtype=bool)


@dataclass(frozen=True)
class Eq(Expr):
    """``cell = "text"`` (Excel compares text case-insensitively; our lists are Chinese)."""

    ref: Ref
    text: str

    def excel(self, cell: Callable[[str], str]) -> str:
        return f"{self.ref.excel(cell)}={Lit(self.text).excel(cell)}"

    def evaluate(self, env: Env) -> Evaluated:
        want = self.text.lower()
        return Evaluated(_per_distinct(env.column(self.ref.header),
                                       lambda v: isinstance(v, str) and v.lower() == want))

    def refs(self) -> set[str]:
        return self.ref.refs()


@dataclass(frozen=True)
class Positive(Expr):
    """``cell>0`` → TRUE/FALSE, as Excel compares (empty → FALSE, any text → TRUE)."""

    ref: Ref

    def excel(self, cell: Callable[[str], str]) -> str:
        return f"{self.ref.excel(cell)}>0"

    def evaluate(self, env: Env) -> Evaluated:
        def gt(v: Any) -> bool:
            if v is None or (isinstance(v, float) and v != v):
                return False
            if isinstance(v, bool):
                return v
            if isinstance(v, (int, float)):
                return v > 0
            return isinstance(v, str)
        return Evaluated(_per_distinct(env.column(self.ref.header), gt).astype(object))

    def refs(self) -> set[str]:
        return self.ref.refs()


REFUSED = "不予受理"              # how CLAIM_CHECK's refusals begin (CLM-5..8)
# Lists that suggest rather than restrict: a place may be any city, province or address
# (STO-4); the list offers the places the route classes name, the engine reads the rest
# through the division table and names what it cannot place (STO-3 线路未定义).
OPEN_LISTS = frozenset({"places"})


@dataclass(frozen=True)
class Out(Expr):
    """A computed column of the same row (computed earlier in column order): the cell's
    shown text, "" where its guard leaves it empty."""

    header: str

    def excel(self, cell: Callable[[str], str]) -> str:
        return cell(self.header)

    def evaluate(self, env: Env) -> Evaluated:
        c = env.computed[self.header]
        text = np.where(c.blank, "", c.text).astype(object)
        return Evaluated(pd.Series(text, index=env.index, dtype=object), c.error.copy(), c.rule.copy())


@dataclass(frozen=True)
class Refused(Expr):
    """``LEFT(<受理判定>,4)="不予受理"``: CLAIM_CHECK refused the claim (CLM-8)."""

    header: str = "受理判定"

    def excel(self, cell: Callable[[str], str]) -> str:
        return f'LEFT({cell(self.header)},{len(REFUSED)})="{REFUSED}"'

    def evaluate(self, env: Env) -> Evaluated:
        cache = env.__dict__.setdefault("_refused", {})
        if self.header not in cache:
            c = env.computed[self.header]
            starts = starts_with(c.text, REFUSED)
            error = np.asarray(c.error != None, dtype=bool)  # noqa: E711 (element-wise)
            cache[self.header] = starts & ~np.asarray(c.blank, dtype=bool) & ~error
        return Evaluated(pd.Series(cache[self.header], index=env.index, dtype=bool))


@dataclass(frozen=True)
class If(Expr):
    cond: Expr
    then: Expr
    other: Expr

    def excel(self, cell: Callable[[str], str]) -> str:
        return f"IF({self.cond.excel(cell)},{self.then.excel(cell)},{self.other.excel(cell)})"

    def evaluate(self, env: Env) -> Evaluated:
        """Each branch on its own rows only (Excel's IF does not compute the other branch);
        rows are independent, so every row gets what the whole-column branch gives it. A
        branch with no rows is still evaluated (on none) for its dtype: the result's dtype is
        the same whichever rows each branch has."""
        mask = self.cond.evaluate(env).value.to_numpy(dtype=bool)
        at_a, at_b = np.flatnonzero(mask), np.flatnonzero(~mask)
        a, b = self.then.evaluate(env.subset(at_a)), self.other.evaluate(env.subset(at_b))

        def series(x: Evaluated, m: int) -> pd.Series:
            if isinstance(x.value, pd.Series):
                return x.value.reset_index(drop=True)
            return pd.Series([x.value] * m, dtype=object)

        def spread(xa: np.ndarray | None, xb: np.ndarray | None) -> np.ndarray:
            out = np.full(env.n, None, dtype=object)
            if xa is not None:
                out[at_a] = xa
            if xb is not None:
                out[at_b] = xb
            return out

        va, vb = series(a, len(at_a)), series(b, len(at_b))
        if va.dtype != vb.dtype:
            va, vb = va.astype(object), vb.astype(object)
        if not len(at_b):
            value = va
        elif not len(at_a):
            value = vb
        else:
            order = np.empty(env.n, dtype=np.int64)          # row → its place in (a rows, b rows)
            order[at_a] = np.arange(len(at_a))
            order[at_b] = len(at_a) + np.arange(len(at_b))
            value = pd.concat([va, vb], ignore_index=True).take(order)
        value.index = env.index
        return Evaluated(value, spread(a.error, b.error), spread(a.rule, b.rule))

    def refs(self) -> set[str]:
        return self.cond.refs() | self.then.refs() | self.other.refs()


@dataclass(frozen=True)
class LiveStatus(Expr):
    """时限状态 as a native formula over the row's deadline cell: TODAY() is volatile and every
    application has it, so the status recomputes on open and on every recalculation — in Excel
    with or without the add-in, WPS and LibreOffice. (TODAY() itself was never
    the problem: a volatile cell that *also* calls an add-in function is recalculated to #NAME?
    where the add-in is missing, which is why the status must not call one.)

    Same texts as udfs.deadlines.status_text: 剩余N天 / 今日到期 / 已逾期N天 / 按时完成 /
    逾期N天完成; a deadline cell that shows an error shows through."""

    deadline: str           # header of the computed deadline column of the same row
    deadline_expr: Expr     # that column's expression (the engine side evaluates it again)
    start: Ref
    done: Ref
    rule: str = "DL-1"      # the register's own time-limit rule (DL-2 claims, CPL-1 complaints, COD-2)

    @property
    def early(self) -> str:
        """「结案日期早于投诉日期（CPL-1）」: the done date before the start, in the register's words."""
        return f"{self.done.header}早于{self.start.header}（{self.rule}）"

    @property
    def bad_done(self) -> str:
        return f"{self.done.header}不是日期（{self.rule}）"

    def excel(self, cell: Callable[[str], str], texts: tuple[str, str] | None = None) -> str:
        """``texts``: the (early, bad done) messages; the register's own by default, the older
        templates' (:data:`OLD_STATUS_TEXTS`) to recognise their formulas."""
        early, bad_done = texts or (self.early, self.bad_done)
        D, F = cell(self.deadline), self.done.excel(cell)
        d, f, s = f"INT({D})", f"INT({F})", f"INT({self.start.excel(cell)})"
        open_ = (f'IF({d}>TODAY(),"剩余"&({d}-TODAY())&"天",'
                 f'IF({d}=TODAY(),"今日到期","已逾期"&(TODAY()-{d})&"天"))')
        done = (f'IF(ISNUMBER({F}),IF({f}<{s},"{ERROR_PREFIX}{early}",'
                f'IF({f}<={d},"按时完成","逾期"&({f}-{d})&"天完成")),"{ERROR_PREFIX}{bad_done}")')
        return f'IF(ISNUMBER({D}),IF({F}="",{open_},{done}),{D})'

    def _dates(self, env: Env) -> tuple[Evaluated, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(deadline evaluated, due, done, done blank, done ok, start) as datetime64[D]."""
        due_ev = self.deadline_expr.evaluate(env)
        due_vals = due_ev.value if isinstance(due_ev.value, pd.Series) else pd.Series([due_ev.value] * env.n)
        due_vals = due_vals.reset_index(drop=True)
        # a datetime64 deadline takes colparse's bulk path (the same dates as its Timestamps)
        due, _, _ = colparse.dates(due_vals if pd.api.types.is_datetime64_any_dtype(due_vals.dtype)
                                   else due_vals.astype(object))
        fin, fblank, fok = colparse.dates(env.column(self.done.header).reset_index(drop=True).astype(object))
        begin, _, _ = colparse.dates(env.column(self.start.header).reset_index(drop=True).astype(object))
        return due_ev, due, fin, fblank, fok, begin

    def _errors(self, env: Env, due_ev: Evaluated, fin: np.ndarray, fblank: np.ndarray, fok: np.ndarray,
                begin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(invalid="ignore"):
            early = ~fblank & fok & (fin < begin)
        error = np.full(env.n, None, dtype=object)
        rule = np.full(env.n, None, dtype=object)
        error[~fblank & ~fok], rule[~fblank & ~fok] = self.bad_done, self.rule
        error[early], rule[early] = self.early, self.rule
        # the deadline's own error shows through (what Excel shows)
        if due_ev.error is not None and due_ev.rule is not None:
            bad = np.asarray(due_ev.error != None, dtype=bool)  # noqa: E711 (element-wise)
            error[bad], rule[bad] = due_ev.error[bad], due_ev.rule[bad]
        return error, rule

    def errors(self, env: Env) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The status's errors without building its texts (a column nobody asked for)."""
        due_ev, _, fin, fblank, fok, begin = self._dates(env)
        return self._errors(env, due_ev, fin, fblank, fok, begin)

    def evaluate(self, env: Env) -> Evaluated:
        due_ev, due, fin, fblank, fok, begin = self._dates(env)
        today = np.datetime64(env.today, "D")
        with np.errstate(invalid="ignore"):
            left = (due - today).astype("timedelta64[D]").astype(np.int64)
            late = (fin - due).astype("timedelta64[D]").astype(np.int64)
        error, rule = self._errors(env, due_ev, fin, fblank, fok, begin)
        return Evaluated(pd.Series(_status_texts(left, late, fblank), index=env.index), error, rule)

    def refs(self) -> set[str]:
        return self.deadline_expr.refs() | self.start.refs() | self.done.refs()


def _status_texts(left: np.ndarray, late: np.ndarray, done_blank: np.ndarray) -> np.ndarray:
    """The status text of each row from its days left / days late, built once per distinct
    (left, late, open) triple — a register has a few hundred — as an object array."""
    if not len(left):
        return np.empty(0, dtype=object)
    keys = np.stack([left, late, done_blank.astype(np.int64)], axis=1)
    distinct, inverse = np.unique(keys, axis=0, return_inverse=True)
    left, late, open_ = distinct[:, 0], distinct[:, 1], distinct[:, 2].astype(bool)
    text = np.where(left > 0, "剩余" + left.astype(str) + "天",
                    np.where(left == 0, "今日到期", "已逾期" + (-left).astype(str) + "天"))
    text = np.where(open_, text, np.where(late <= 0, "按时完成", "逾期" + late.astype(str) + "天完成"))
    return text.astype(object)[inverse.reshape(-1)]




# ----------------------------------------------------------------------------- columns

# Input kinds → (Excel number format, meaning)
INPUT_FORMATS: dict[str, str] = {
    "text": "@", "phone": "@", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm",
    "money": "#,##0.00", "share": "0.00%", "int": "0", "number": "0.00",
    "choice": "@", "flag": "@",
}
# Computed kinds → Excel number format
OUTPUT_FORMATS: dict[str, str] = {
    "money": "#,##0.00", "text": "@", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm",
    "int": "0", "rate": "0%",
}


# the status messages every register's template wrote before they named the register's dates
# and rule (「完成日期早于起算日期（DL-1）」 in the complaint register, which is CPL-1)
OLD_STATUS_TEXTS = ("完成日期早于起算日期（DL-1）", "完成日期不是日期（DL-1）")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str
    width: float = 12
    required: bool = False
    choices: str | None = None          # key of udfs.rules_in_force(): the validation list
    rule: str | None = None             # rule ID cited when the input is refused
    expr: Expr | None = None            # set → computed column (locked, formula)
    guard: tuple[str, ...] = ()         # computed: blank while any of these inputs is blank
    total: bool = False                 # summed (guarded) on the 汇总 sheet
    note: str = ""                      # input prompt shown by Excel's data validation
    wrap: bool = False
    lines: int = 0                      # wrapped: rows are this many lines high (viewers do not grow them)
    after: str | None = None            # input date: may not be earlier than this input date
    # computed: the row gate (ROW_CHECK over the register's checked inputs: kind, headers) or
    # the header of the gate whose 「错误：…」 the cell shows instead of its own value
    row_check: tuple[str, tuple[str, ...]] | None = None
    gate: str | None = None
    shown_at: str | None = None    # a gated row's error is read in this column (「错误：见「…」」)

    @property
    def computed(self) -> bool:
        return self.expr is not None

    @property
    def expression(self) -> Expr:
        """The expression of a computed column (an input column has none)."""
        if self.expr is None:
            raise ValueError(f"{self.header} is an input column: it has no expression")
        return self.expr

    def reads(self) -> set[str]:
        """The inputs a computed column reads: its expression's and its guard's (none for an
        input column)."""
        return (self.expr.refs() if self.expr is not None else set()) | set(self.guard)

    def excel(self, cell: Callable[[str], str], older: bool = False) -> str:
        """The computed column's formula without '=' (``cell(header)`` names each cell it
        reads), kept blank while a guard input is blank and showing the row's first input
        error (the gate's ROW_CHECK) instead of a value: the one builder of our formulas.
        ``older``: the formula earlier templates wrote (before the row gate: guards tested as
        cell="", a status column's former message texts), so a register made with them is
        still read as holding the template's formulas (the result gets the current ones)."""
        if older:
            return self._older_excel(cell)
        body = self._gated(cell, self.expression.excel(cell))
        if self.guard:
            # COUNTBLANK, not cell="": an Excel error value in a guard cell is no blank, and
            # the row gate shows it as the input error it is (cell="" would give #N/A)
            test = "+".join(f"COUNTBLANK({cell(h)})" for h in self.guard)
            body = f'IF({test},"",{body})'
        return body

    def _older_excel(self, cell: Callable[[str], str]) -> str:
        """The formula templates wrote before the row gate (guards as cell="", a status
        column's former message texts)."""
        expr = self.expression
        body = expr.excel(cell, OLD_STATUS_TEXTS) if isinstance(expr, LiveStatus) else expr.excel(cell)
        if self.guard:
            tests = [f'{cell(h)}=""' for h in self.guard]
            body = f'IF({tests[0] if len(tests) == 1 else "OR(" + ",".join(tests) + ")"},"",{body})'
        return body

    def _gated(self, cell: Callable[[str], str], body: str) -> str:
        """``body`` behind the row gate: the gate wraps it in ROW_CHECK; the message column asks
        ROW_CHECK for the message only on an error row, so its other rows (a refusal too) need
        no add-in; the other columns point at the message column."""
        if self.row_check is None and self.gate is None:
            return body
        register = None
        if self.row_check is not None:
            kind, heads = self.row_check
            cells = ",".join(cell(h) for h in heads)
            register = kind
        if self.gate is None:                                    # the row gate
            shown_kind = register if self.shown_at is None else f"{register}{POINTER}{self.shown_at}"
            return f'ROW_CHECK({body},"{shown_kind}",{cells})'
        g = cell(self.gate)
        shown = (f'ROW_CHECK("","{register}",{cells})' if register is not None else
                 g if self.shown_at is None else f'"{ERROR_PREFIX}{see(self.shown_at)}"')
        return f'IF(LEFT({g},{len(ERROR_PREFIX)})="{ERROR_PREFIX}",{shown},{body})'


@dataclass(frozen=True)
class Template:
    kind: str                            # marker kind: claims, complaints, storage, cod
    sheet: str                           # data sheet name = template name
    title: str                           # print header title
    columns: tuple[Column, ...]
    version: int = TEMPLATE_VERSION
    rows: int = 500                      # blank rows pre-formatted (formulas, validation)
    settings: tuple[tuple[str, str], ...] = ()

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def inputs(self) -> list[Column]:
        return [c for c in self.columns if not c.computed]

    @property
    def computed(self) -> list[Column]:
        return [c for c in self.columns if c.computed]

    def column(self, header: str) -> Column:
        for c in self.columns:
            if c.header == header:
                return c
        raise KeyError(header)

    def letter(self, header: str) -> str:
        return col_letter(self.headers.index(header))

    def formula(self, column: Column, row: int | str) -> str:
        """The Excel formula of a computed cell in 1-based sheet row ``row``."""
        return "=" + column.excel(lambda h: f"{self.letter(h)}{row}")

    @property
    def marker(self) -> str:
        return f"{self.kind};{self.version}"


def param_help(function: str, param: str) -> str:
    """The declared help of a rules-engine function's argument (``udfs.registry``): the one
    text of an input's prompt, the function's Insert Function help and docs/functions.md."""
    return next(p.help for p in by_python_name(function).params if p.name == param)


SETTINGS = (("本网点", "福州仓山营业部"), ("公司名称", "示例物流有限公司"), ("联系人", "林晓"),
            ("联系电话", "0591-87654321"), ("收款账号", "6222 0000 0000 0000 000"),
            ("经办人", "林晓"))

W, C, V_, FR, INS, SH, CAT = (Ref("运单号"), Ref("索赔类型"), Ref("物品价值"), Ref("运费"),
                              Ref("保价金额"), Ref("损失比例"), Ref("货物类别"))
_COMP_ARGS = (C, V_, FR, INS, SH, CAT)
_ECOM = Eq(Ref("电商件"), "是")
_REFUSED = Refused("受理判定")
# deadline columns, shared with the live 时限状态 formulas that read them
_CLAIM_DUE = Call("deadline", (Lit("索赔处理"), Ref("索赔日期"), Ref("寄递范围")))
_CPL_DUE = Call("deadline", (Call("complaint_event", (Ref("投诉类别"),)), Ref("投诉日期")))
_COD_DUE = Call("deadline", (Lit("代收货款提取"), Ref("到账日期")))

CLAIMS = Template(
    kind="claims", sheet="理赔登记表", title="客户理赔及部门跟进记录表",
    settings=SETTINGS,
    columns=(
        Column("运单号", "text", 16, required=True, rule="NTC-5", note="快件运单号"),
        Column("寄件日期", "date", 11, required=True, rule="CLM-7"),
        Column("索赔日期", "date", 11, required=True, rule="CLM-7", after="寄件日期"),
        Column("索赔类型", "choice", 9, required=True, choices="claim_types", rule="CLM-1"),
        Column("索赔原因", "choice", 12, choices="causes", rule="CLM-5",
               note="不予受理的原因；承运方原因选「无」或留空"),
        Column("货物类别", "choice", 11, required=True, choices="categories", rule="INS-4"),
        Column("物品价值", "money", 11, required=True, rule="CMP-1"),
        # the prompt is the declared argument of the function that checks it (CMP-8: required
        # for 破损/内件不符), so the template never teaches what the check refuses
        Column("损失比例", "share", 9, rule="CMP-2", note=param_help("compensation", "lost_share")),
        Column("保价金额", "money", 11, rule="INS-1", note="未保价留空或填 0"),
        Column("运费", "money", 9, required=True, rule="CMP-1"),
        Column("重量(kg)", "number", 8, rule="NET-5"),
        Column("延误天数", "int", 8, rule="NET-5"),
        Column("实际送达日期", "date", 11, rule="NTC-3"),
        Column("始发地", "text", 8),
        Column("目的地", "text", 8),
        Column("寄递范围", "choice", 8, choices="scopes", rule="DL-2", note="国内/港澳台/国际，空=国内"),
        Column("电商件", "flag", 7, choices="yes_no", rule="ECM-1"),
        Column("有正规发票", "flag", 8, choices="yes_no", rule="ECM-3"),
        Column("实用性物品", "flag", 8, choices="yes_no", rule="ECM-3"),
        Column("网点类型", "choice", 8, choices="networks", rule="NET-1", note="网点间赔付；不涉及网点留空"),
        Column("批货", "int", 6, rule="NET-9", note="批货/整包件的运单票数；单票留空（NET-9）"),
        Column("责任网点", "text", 14, rule="NTC-5"),
        Column("寄件人", "text", 9),
        Column("寄件人电话", "phone", 13),
        Column("寄件地址", "text", 20),
        Column("收件人", "text", 9),
        Column("收件人电话", "phone", 13),
        Column("收件地址", "text", 20),
        Column("已付金额", "money", 10, rule="DL-3"),
        Column("结案日期", "date", 11, rule="DL-2", after="索赔日期"),
        Column("受理判定", "text", 18, guard=("运单号",),
               expr=Call("claim_check", (Ref("寄件日期"), Ref("索赔日期"), Ref("索赔原因"),
                                         Positive(Ref("保价金额"))))),
        # CLM-8: a refused claim shows 0 in the three amounts and the refusal as its explanation
        Column("赔偿金额", "money", 11, guard=("运单号",), total=True,
               expr=If(_REFUSED, Lit(0),
                       If(_ECOM, Call("ecom_compensation", (C, V_, SH, Ref("有正规发票"), Ref("实用性物品"))),
                          Call("compensation", _COMP_ARGS)))),
        Column("免收运费", "money", 9, guard=("运单号",), total=True,
               expr=If(_REFUSED, Lit(0), Call("freight_waiver", (C, FR, SH)))),
        # NET-10: the network standards cover 遗失 and 延误 only; a 破损 or 内件不符 row leaves
        # the network amount empty instead of flagging the row (its notice asks for the CMP amount)
        Column("网点赔付", "money", 9, guard=("运单号", "网点类型"), total=True,
               expr=If(_REFUSED, Lit(0),
                       If(Eq(C, "破损"), Blank(),
                          If(Eq(C, "内件不符"), Blank(),
                             Call("network_compensation", (C, V_, Ref("延误天数"), Ref("重量(kg)"),
                                                           Ref("网点类型"), Ref("批货"))))))),
        # wrapped, three lines high: printed in full (a 100-character explanation is not cut off)
        Column("赔偿说明", "text", 60, guard=("运单号",), wrap=True, lines=3,
               expr=If(_REFUSED, Out("受理判定"),
                       If(_ECOM, Lit("电商件：按电商件赔偿标准计算（ECM-1～ECM-5）"),
                          Call("compensation_explain", _COMP_ARGS)))),
        Column("受理答复期限", "datetime", 15, guard=("运单号",),
               expr=Call("deadline", (Lit("索赔受理"), Ref("索赔日期")))),
        Column("处理期限", "date", 11, guard=("运单号",), expr=_CLAIM_DUE),
        Column("时限状态", "text", 11, guard=("运单号",),
               expr=LiveStatus("处理期限", _CLAIM_DUE, Ref("索赔日期"), Ref("结案日期"), "DL-2")),
        # ANL-1/ANL-3: optional analysis inputs, last so that no other column moves (registers
        # without them still process)
        Column("责任环节", "choice", 10, choices="links", rule="ANL-1",
               note="货损货差发生的环节（月度货损分析）；可留空"),
        Column("原因", "choice", 11, choices="loss_causes", rule="ANL-1",
               note="货损货差的原因（月度货损分析）；列表可在公司规则文件中增加；可留空"),
        Column("上报集团日期", "date", 12, rule="ANL-3",
               note="重大理赔案件上报集团客服部的日期；未上报留空"),
    ),
)

COMPLAINTS = Template(
    kind="complaints", sheet="投诉登记表", title="客户投诉登记表",
    settings=SETTINGS,
    columns=(
        Column("投诉日期", "date", 11, required=True, rule="CPL-1"),
        Column("投诉人", "text", 9, required=True, rule="CPL-2"),
        Column("联系电话", "phone", 13),
        Column("运单号", "text", 16),
        Column("投诉类别", "choice", 14, required=True, choices="complaints", rule="CPL-3"),
        Column("投诉内容", "text", 28),
        Column("诉求", "text", 18),
        Column("责任部门", "text", 12),
        Column("结案日期", "date", 11, rule="CPL-1", after="投诉日期"),
        Column("级别", "text", 16, guard=("投诉日期",),
               expr=Call("complaint_level", (Ref("投诉类别"),))),
        Column("处理期限", "date", 11, guard=("投诉日期",), expr=_CPL_DUE),
        Column("法定答复期限", "date", 11, guard=("投诉日期",),
               expr=Call("deadline", (Lit("投诉法定答复"), Ref("投诉日期")))),
        Column("时限状态", "text", 11, guard=("投诉日期",),
               expr=LiveStatus("处理期限", _CPL_DUE, Ref("投诉日期"), Ref("结案日期"), "CPL-1")),
        # the script is read out on the phone: wrapped, five lines high
        Column("回答要点", "text", 60, guard=("投诉日期",), wrap=True, lines=5,
               expr=Call("complaint_script", (Ref("投诉类别"),))),
    ),
)

STORAGE = Template(
    kind="storage", sheet="仓储保管登记", title="仓储保管登记表",
    settings=SETTINGS,
    columns=(
        Column("运单号", "text", 16, required=True, rule="STO-1"),
        Column("到货通知日期", "date", 12, required=True, rule="STO-2"),
        Column("提货日期", "date", 11, rule="STO-2", note="未提货留空", after="到货通知日期"),
        Column("运费", "money", 10, required=True, rule="STO-1"),
        Column("始发地", "choice", 9, required=True, choices="places", rule="STO-3"),
        Column("目的地", "choice", 9, required=True, choices="places", rule="STO-3"),
        Column("日费率", "rate", 8, guard=("运单号",),
               expr=Call("storage_rate", (Ref("始发地"), Ref("目的地")))),
        Column("计费天数", "int", 9, guard=("运单号", "提货日期"),
               expr=Call("storage_days", (Ref("到货通知日期"), Ref("提货日期")))),
        Column("仓储保管费", "money", 11, guard=("运单号", "提货日期"), total=True,
               expr=Call("storage_fee", (Ref("运费"), Ref("到货通知日期"), Ref("提货日期"),
                                         Ref("始发地"), Ref("目的地")))),
    ),
)

COD = Template(
    kind="cod", sheet="代收货款登记", title="代收货款登记表",
    settings=SETTINGS,
    columns=(
        Column("运单号", "text", 16, required=True, rule="COD-1"),
        Column("代收金额", "money", 12, required=True, rule="COD-1"),
        Column("到账日期", "date", 11, rule="COD-2", note="货款到账之日"),
        Column("提款日期", "date", 11, rule="COD-2", note="发货人提款之日，未提留空", after="到账日期"),
        Column("手续费", "money", 10, guard=("运单号",), total=True,
               expr=Call("cod_fee", (Ref("代收金额"),))),
        Column("提款期限", "date", 11, guard=("运单号", "到账日期"), expr=_COD_DUE),
        Column("状态", "text", 12, guard=("运单号", "到账日期"),
               expr=LiveStatus("提款期限", _COD_DUE, Ref("到账日期"), Ref("提款日期"), "COD-2")),
    ),
)



def checked_inputs(tpl: Template) -> list[Column]:
    """The inputs the register model checks (every one but the free texts nothing computes
    with: names, addresses, phones), in the template's order: ROW_CHECK's arguments."""
    used: set[str] = set()
    for c in tpl.computed:
        used |= c.reads()
    return [c for c in tpl.inputs if not (c.kind in ("text", "phone") and not c.required and not c.choices
                                           and c.header not in used)]


def message_column(tpl: Template) -> str:
    """The computed column where an error row shows its message in full: the widest text
    column (it wraps and prints whole), the first of equals — never a live status (Excel's own
    formula, which works without the add-in) — else the row gate itself."""
    texts = [c for c in tpl.computed if c.kind == "text" and not isinstance(c.expr, LiveStatus)]
    return max(texts, key=lambda c: c.width).header if texts else tpl.computed[0].header


def with_row_check(tpl: Template) -> Template:
    """The template with its row gate: the first computed column wraps its formula in
    ROW_CHECK over the checked inputs; on a bad row the widest computed column (it wraps and
    prints whole) asks ROW_CHECK for the message and shows it, the gate and every other
    computed cell show 「错误：见「…」」 instead of a value. So a row with a bad input shows no
    number and its message once, in Excel as in ``logidesk process``."""
    gate = tpl.computed[0].header
    shown = message_column(tpl)
    heads = tuple(c.header for c in checked_inputs(tpl))

    def gated(c: Column) -> Column:
        if c.header == gate:
            return replace(c, row_check=(tpl.kind, heads), shown_at=None if shown == gate else shown)
        if c.header == shown:
            return replace(c, gate=gate, row_check=(tpl.kind, heads))
        return replace(c, gate=gate, shown_at=shown)
    return replace(tpl, columns=tuple(gated(c) if c.computed else c for c in tpl.columns))


CLAIMS, COMPLAINTS, STORAGE, COD = map(with_row_check, (CLAIMS, COMPLAINTS, STORAGE, COD))
REGISTERS: dict[str, Template] = {t.kind: t for t in (CLAIMS, COMPLAINTS, STORAGE, COD)}

# The VIP customer register (VIP客户登记表, NTC-7): the customers a VIP congratulation or
# cancellation letter is written to. One row per customer and month; no computed columns (so
# no batch processing) — the letter's figures are the month's volume and freight as recorded
# by sales. Built by workbooks.build.build_vip_register, read by workbooks.vip_register.
VIP = Template(
    kind="vip", sheet="VIP客户", title="VIP客户登记表",
    settings=SETTINGS,
    columns=(
        Column("客户名称", "text", 24, required=True, rule="NTC-7", note="函件抬头：客户公司全称"),
        Column("客户联系人", "text", 10),
        Column("统计月份", "text", 9, required=True, rule="NTC-7", note="如 2026-10"),
        Column("月发件量", "int", 9, required=True, rule="NTC-7", note="当月发件票数"),
        Column("月运费", "money", 11, required=True, rule="NTC-7", note="当月运费合计（元）"),
        Column("生效日期", "date", 11, required=True, rule="NTC-7", note="VIP 服务开始或取消之日"),
    ),
)

# ----------------------------------------------------------------------------- counter quote


@dataclass(frozen=True)
class QuoteLine:
    """One line of the counter quote form (label in A, value in B, note in C)."""

    label: str
    kind: str                       # input kinds as above, or computed kinds
    expr: Callable[[Callable[[str], str]], str] | None = None   # label → cell → Excel formula
    choices: str | None = None
    example: Any = None
    note: str = ""
    default: str | None = None      # formula an input cell starts with (报价日期: today)


QUOTE_SHEET = "柜台报价"


def _freight_args(c: Callable[[str], str]) -> str:
    return ",".join(c(label) for label in ("始发地", "目的地", "重量", "长", "宽", "高"))


QUOTE_LINES: tuple[QuoteLine, ...] = (
    # the day the quote is made, not the day the template was built; the clerk may type another
    QuoteLine("报价日期", "date", note="默认今天；仓储规则按此日期施行的版本", default="TODAY()"),
    QuoteLine("始发地", "choice", choices="places", example="福州", note="本网点（FRT-1、STO-3）"),
    QuoteLine("目的地", "choice", choices="places", example="上海", note="城市、省或含区县的地址（STO-4）"),
    QuoteLine("重量", "number", example=3.2, note="千克；运费留空时按公司运价计算（FRT-2）"),
    QuoteLine("长", "number", example=40, note="厘米；长、宽、高都不填则不计体积重量（FRT-2）"),
    QuoteLine("宽", "number", example=30, note="厘米"),
    QuoteLine("高", "number", example=20, note="厘米"),
    QuoteLine("运费", "money", note="元；留空按公司运价计算，填写则按此计收（FRT-3）"),
    QuoteLine("声明价值", "money", example=3000, note="元；不保价填 0 或留空（INS-1）"),
    QuoteLine("货物类别", "choice", choices="categories", example="易碎品", note="决定可否保价（INS-4、INS-5）"),
    QuoteLine("单件价值", "money", example=3000, note="单件超过 10 万需经理把关（INS-2、INS-3）"),
    QuoteLine("代收金额", "money", example=5000, note="不代收填 0 或留空（COD-1）"),
    # FRT-3: a freight typed by the clerk overrides the tariff, and the quote says so
    QuoteLine("计费运费", "money", lambda c: f'IF({c("运费")}="",FREIGHT({_freight_args(c)}),{c("运费")})',
              note="FRT-1、FRT-3"),
    QuoteLine("运费说明", "text",
              lambda c: f'IF({c("运费")}="",FREIGHT_EXPLAIN({_freight_args(c)}),"{OVERRIDE_NOTE}")',
              note="区域、计费重量、价格（FRT-1..3）"),
    # INS-7: goods that may not be insured (INS-4) pay no premium, so the category goes in
    QuoteLine("保价费", "money", lambda c: f'INSURANCE_PREMIUM({c("声明价值")},"","",{c("货物类别")})',
              note="INS-1、INS-7"),
    QuoteLine("保价判定", "text",
              lambda c: f'INSURANCE_CHECK({c("货物类别")},{c("单件价值")})&IF(INSURANCE_REMARK({c("货物类别")})="","","；运单备注："&INSURANCE_REMARK({c("货物类别")}))',
              note="INS-2～INS-5"),
    QuoteLine("代收手续费", "money", lambda c: f"IF(N({c('代收金额')})=0,0,COD_FEE({c('代收金额')}))", note="COD-1"),
    QuoteLine("免费保管天数", "int", note="到货通知后（STO-2）"),
    QuoteLine("日费率", "rate", lambda c: f"STORAGE_RATE({c('始发地')},{c('目的地')})", note="按运费计（STO-1、STO-3）"),
    QuoteLine("逾期每日仓储费", "money",
              lambda c: f"STORAGE_FEE({c('计费运费')},{c('报价日期')},{c('报价日期')}+{c('免费保管天数')}+1,{c('始发地')},{c('目的地')})",
              note="超过免费天数后每天"),
    QuoteLine("仓储条款", "text",
              lambda c: f'"到货通知后免费保管"&{c("免费保管天数")}&"天，逾期每天按运费的"&TEXT({c("日费率")},"0%")&"计收，即"&TEXT({c("逾期每日仓储费")},"0.00")&"元/天（STO-1）"'),
    QuoteLine("合计", "money",
              lambda c: f'IF(OR(COUNTIF({c("计费运费")}:{c("代收手续费")},"{ERROR_PREFIX}*")>0,NOT(ISNUMBER({c("计费运费")}))),'
                        f'"{TOTAL_REFUSED}",{c("计费运费")}+{c("保价费")}+{c("代收手续费")})',
              note="计费运费＋保价费＋代收手续费"),
)


QUOTE_INPUTS = ("始发地", "目的地", "重量", "长", "宽", "高", "运费", "声明价值", "货物类别", "单件价值", "代收金额")


def quote_blank(expr: str) -> str:
    """A computed quote line shows blank while every input is blank (the empty template),
    instead of the errors its functions give on missing inputs."""
    first, last = quote_cell(QUOTE_INPUTS[0]), quote_cell(QUOTE_INPUTS[-1])
    return f'IF(COUNTA({first}:{last})=0,"",{expr})'


def quote_row(label: str) -> int:
    """1-based sheet row of a quote line (row 1 is the header)."""
    return [q.label for q in QUOTE_LINES].index(label) + 2


def quote_cell(label: str) -> str:
    return f"B{quote_row(label)}"


SHEETS = {"claims": CLAIMS.sheet, "complaints": COMPLAINTS.sheet, "storage": STORAGE.sheet,
          "cod": COD.sheet, "quote": QUOTE_SHEET, "rules": "规则"}
