"""The one register model.

``open_register(path)`` finds the template marker, the register sheet and its header row
(title rows above it are fine; columns may be moved), maps the columns by header, reads
设置, and refuses — with one Chinese message naming the file, sheet, row and column — a file
it cannot read as a register: not a template, a newer template version, a header row that
cannot be found, a duplicate or blank header, a missing required or computed column.
Columns the clerk added are kept as ``Register.extra`` and never touched.

``Register.evaluate(chunk)`` is pure: it reads each cell once into a typed value
(:mod:`workbooks.inputs`), checks it (:mod:`workbooks.validation`), computes every computed
column (:mod:`workbooks.compute`), reports values typed by hand into computed columns, and
gives each row one outcome (:mod:`workbooks.outcomes`: ok, refused, invalid, blank).
``Register.frame()`` is the whole register as one DataFrame for notices, reminders, the
half-month report and the ribbon. :class:`Tally` adds evaluations up, so the console, 汇总
and 错误清单 give one count.

The raw reading is the streaming package reader of :mod:`workbooks.xlsx`.
"""
from __future__ import annotations

import datetime as dt
import itertools
import operator
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from udfs.complaints import rules_in_force
from udfs.rulebook import today as engine_today

from .compute import Computed, compute, needed_columns
from .error_sheet import raw_at, to_fix
from .inputs import Typed, XlError, as_decimals, header_key, is_blank, normalise_text, read_column
from .markers import MARKER_NAME, MARKER_SHEET, SETTINGS_SHEET
from .outcomes import (
    BLANK,
    INVALID,
    OK,
    OUTCOMES,
    REFUSED_OUTCOME,
    apply,
    computed_errors,
    decide,
    override_errors,
    row_positions,
)
from .spec import (
    REGISTERS,
    SHEETS,
    VIP,
    Call,
    Column,
    LiveStatus,
    Template,
    checked_inputs,
    col_letter,
)
from .validation import CellError, check_column, check_order
from .xlsx.package import PackageError, open_package

__all__ = ["open_register", "Register", "RegisterError", "Evaluation", "Tally", "MemoryChunk",
           "CellError", "Computed", "XlError", "OUTCOMES", "OK", "REFUSED_OUTCOME", "INVALID", "BLANK"]

HEAD_ROWS = 30                         # rows searched for the header (title rows above it)
MIN_HEADER_MATCH = 3                   # template headers a row needs to be taken as the header
CHUNK_ROWS = 50_000
_MARKER_RE = re.compile(r"([a-z]+)\s*;\s*(\d+)")


class RegisterError(Exception):
    """A file that cannot be read as a register. ``message`` is Chinese and names the file,
    sheet, row and column where they apply; ``reason`` is a key for programs:
    not_template, newer_version, no_batch, missing_sheet, no_header, duplicate_header,
    blank_header, missing_column, or a PackageError reason (xls, ods, encrypted, damaged,
    not_xlsx, missing)."""

    def __init__(self, message: str, reason: str, path: Path | None = None, sheet: str | None = None,
                 row: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.path = path
        self.sheet = sheet
        self.row = row
        self.column = column


@dataclass
class MemoryChunk:
    """A chunk built in memory (tests, the ribbon's live sheet): the same attributes as
    ``workbooks.xlsx`` chunks."""

    rows: np.ndarray
    values: dict[int, list[Any]]
    formulas: dict[int, list[str | None]] = field(default_factory=dict)


# ----------------------------------------------------------------------------- evaluation

@dataclass
class ReadInputs:
    """A chunk's input columns as read (see :meth:`Register.read_inputs`)."""

    filled: np.ndarray                                                  # rows with any input
    typed: dict[str, Typed] = field(default_factory=dict)               # checked inputs, typed
    raws: dict[str, list[Any]] = field(default_factory=dict)            # every input, as read
    lazy: dict[str, list[Any]] = field(default_factory=dict)            # free texts, not yet typed


@dataclass
class HandTyped:
    """What the clerk typed over a chunk's computed columns, by header (see
    :meth:`Register.hand_typed`)."""

    by_hand: dict[str, np.ndarray] = field(default_factory=dict)        # a value or a foreign formula
    raw: dict[str, list[Any]] = field(default_factory=dict)             # the cells' values as read
    replaced: dict[str, list[str | None]] = field(default_factory=dict)  # the foreign formula, else None
    # cells holding exactly the template formula of their row
    template_formula: dict[str, np.ndarray] = field(default_factory=dict)

    def over(self, header: str) -> bool:
        got = self.by_hand.get(header)
        return got is not None and bool(got.any())


def row_formula(parts: list[str]) -> Callable[[int], str]:
    """A formula split where its row number goes, as a function of the sheet row."""
    return lambda row: str(row).join(parts)


def raw_cells(values: dict[int, Any], idx: int | None, n: int) -> list[Any]:
    """The cells of sheet column ``idx`` of a chunk as read (a list: read_column copies it);
    all blank when the sheet has no such column."""
    col = values.get(idx) if idx is not None else None
    return list(col) if col is not None else [None] * n


def typed_over(vals: Sequence[Any], no_formula: np.ndarray) -> np.ndarray:
    """Cells of a computed column holding a value and no formula (only those are looked at)."""
    out = np.zeros(len(no_formula), dtype=bool)
    at = np.flatnonzero(no_formula)
    if len(at):
        raw = np.empty(len(at), dtype=object)
        raw[:] = [vals[i] for i in at.tolist()]
        out[at] = ~blank_cells(raw)
    return out


def row_outcomes(tpl: Template, rows: np.ndarray, errors: list[CellError], filled: np.ndarray,
                 results: list[Computed]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's outcome and refusal reason; an invalid row's computed cells show its error."""
    bad_rows = np.zeros(len(rows), dtype=bool)
    bad_rows[row_positions(rows, [e.row for e in errors])] = True
    row_errors: dict[int, list[CellError]] = {}
    for e in errors:
        row_errors.setdefault(e.row, []).append(e)
    outcome, reason = decide(tpl, filled, bad_rows, results)
    apply(results, outcome, row_errors, rows, {c.header: i for i, c in enumerate(tpl.inputs)})
    return outcome, reason


@dataclass
class Evaluation:
    """One chunk of a register, evaluated."""

    tpl: Template
    rows: np.ndarray                       # sheet row numbers
    typed: pd.DataFrame                    # typed inputs the computation used (see .inputs)
    errors: list[CellError]                # sorted by row, then sheet column
    outcome: np.ndarray                    # "ok" | "refused" | "invalid" | "blank" per row
    reason: np.ndarray                     # refusal text with its rule (refused rows), else None
    computed: dict[str, Computed]          # per computed header
    extra: dict[str, list[Any]] = field(default_factory=dict)   # clerk's own columns, as read
    lazy: dict[str, list[Any]] = field(default_factory=dict)    # free-text inputs not yet typed (as read)
    # per computed header: cells holding exactly the template formula of their row (as read)
    template_formula: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def inputs(self) -> pd.DataFrame:
        """Typed input values of every template input column (None: blank or unusable),
        index = sheet rows. Free texts nothing computes with (names, addresses, phones) are
        typed on first use, so the processor's pass does not pay for them."""
        if self.lazy:
            for h, raw in self.lazy.items():
                col = self.tpl.column(h)
                self.typed[h] = read_column(col.kind, h, col.rule, raw).values
            self.typed = self.typed[[c.header for c in self.tpl.inputs]]
            self.lazy = {}
        return self.typed

    def input_values(self, header: str) -> np.ndarray:
        """Typed values (object array) of one template input column; a free text not yet
        typed is typed alone (a workflow asking for a few columns pays for those only)."""
        raw = self.lazy.pop(header, None)
        if raw is not None:
            col = self.tpl.column(header)
            self.typed[header] = read_column(col.kind, header, col.rule, raw).values
            if not self.lazy:                              # all typed: template column order
                self.typed = self.typed[[c.header for c in self.tpl.inputs]]
        return self.typed[header].to_numpy(dtype=object)

    @property
    def error_count(self) -> int:
        return len(self.errors)

    @property
    def error_rows(self) -> list[int]:
        return [int(r) for r in self.rows[self.outcome == INVALID]]

    def count(self, outcome: str) -> int:
        return int(np.sum(self.outcome == outcome))

    def totals(self) -> dict[str, int]:
        """Fen per total column over the rows that count: ok (refused rows are 0 and invalid
        rows have no number)."""
        ok = self.outcome == OK
        out = {}
        for h, c in self.computed.items():
            if c.column.total:
                x = c.number[ok & ~c.blank]
                x = x[~np.isnan(x)]
                out[h] = int(np.rint(x * 100).astype(np.int64).sum())
        return out


@dataclass
class Tally:
    """Counts and totals of a whole register, added up chunk by chunk: the one source of the
    numbers the console, 汇总 and 错误清单 show."""

    rows: int = 0                          # rows with any input (ok + refused + invalid)
    ok: int = 0
    refused: int = 0
    invalid: int = 0
    errors: int = 0                        # entries of 错误清单
    overrides: int = 0                     # of which: values typed into computed columns
    error_rows: list[int] = field(default_factory=list)
    totals_fen: dict[str, int] = field(default_factory=dict)

    def add(self, ev: Evaluation) -> "Tally":
        self.ok += ev.count(OK)
        self.refused += ev.count(REFUSED_OUTCOME)
        self.invalid += ev.count(INVALID)
        self.rows = self.ok + self.refused + self.invalid
        self.errors += ev.error_count
        self.overrides += sum(1 for e in ev.errors if e.kind == "override")
        self.error_rows += ev.error_rows
        for h, fen in ev.totals().items():
            self.totals_fen[h] = self.totals_fen.get(h, 0) + fen
        return self

    @property
    def totals(self) -> dict[str, Decimal]:
        return {h: (Decimal(f) / 100).quantize(Decimal("0.01")) for h, f in self.totals_fen.items()}


# ----------------------------------------------------------------------------- the register

@dataclass
class Register:
    path: Path
    kind: str
    tpl: Template
    sheet_name: str
    header_row: int                                  # 1-based
    columns: dict[str, int]                          # template header → 0-based sheet column
    extra: list[tuple[str, int]]                     # clerk's own columns (header, column), untouched
    settings: dict[str, Any]
    version: int = 1
    problems: list[str] = field(default_factory=list)   # file-level notes (not errors of rows)
    package: Any = None

    # -- addresses
    def letter(self, header: str, row: int | None = None) -> str:
        """Cell address of ``header`` in sheet row ``row`` (column letters alone without a row)."""
        letters = self.__dict__.get("_letters")
        if letters is None:
            letters = self.__dict__["_letters"] = {h: col_letter(i) for h, i in [*self.columns.items(), *self.extra]}
        got = letters.get(header)
        if got is not None:
            return got + (str(row) if row is not None else "")
        idx = self.columns.get(header)
        if idx is None:
            idx = dict(self.extra).get(header)
        if idx is None:
            return ""
        return col_letter(idx) + (str(row) if row is not None else "")

    def formula_text(self, column: Any) -> Callable[[int], str]:
        """The template formula (no '=') of a computed column for the clerk's column layout,
        as a function of the sheet row (what the processor writes)."""
        cache = self.__dict__.setdefault("_formula_text", {})
        key = (column.header, column.gate, column.row_check is not None)
        got = cache.get(key)
        if got is None:
            got = cache[key] = row_formula(self.formula_parts(column))
        return got

    def formula_parts(self, column: Any, older: bool = False) -> list[str]:
        """The template formula of ``column`` split where its row number goes (``older``: the
        formula earlier templates wrote, see ``Column.excel``)."""
        cache = self.__dict__.setdefault("_formula_parts_of", {})
        key = (column.header, column.gate, column.row_check is not None, older)
        got = cache.get(key)
        if got is None:
            body = column.excel(lambda h: f"{self.letter(h)}\x00", older=older)
            got = cache[key] = body.split("\x00")
        return got

    def exact_template_formulas(self, column: Any, formulas: np.ndarray, rows: np.ndarray,
                                row_texts: Sequence[str] | None = None, older: bool = False) -> np.ndarray:
        """Cells whose formula text is exactly the template's formula of their row (what the
        processor writes; nearly every cell): each row's formula built and compared in one
        C-level map (``row_texts``: the rows as text, shared by a chunk's columns), no regex."""
        parts = self.formula_parts(column, older)
        texts = row_texts if row_texts is not None else list(map(str, rows.tolist()))
        wants = map(str.join, texts, itertools.repeat(parts))
        return np.fromiter(map(operator.eq, formulas.tolist(), wants), dtype=bool, count=len(rows))

    def template_formulas(self, column: Any, formulas: np.ndarray, rows: np.ndarray,
                          among: np.ndarray | None = None) -> np.ndarray:
        """Cells (of ``among``) whose formula is the template's formula of their row, read as
        Excel may store it: with ``[n]!`` add-in link prefixes, ``$`` anchors or spaces outside
        text literals."""
        out = np.zeros(len(formulas), dtype=bool)
        texts = [self.formula_text(column)]
        if column.expr is not None:                  # a template made before the row gate
            texts.append(row_formula(self.formula_parts(column, True)))
        has = formulas != None  # noqa: E711 (element-wise)
        for i in np.flatnonzero(has if among is None else has & among).tolist():
            f = formulas[i]
            wants = [ff(int(rows[i])) for ff in texts]
            out[i] = f in wants or normalise_formula(f) in {normalise_formula(w) for w in wants}
        return out

    @property
    def free_texts(self) -> set[str]:
        """Text inputs no check and no computed column uses (typed lazily)."""
        got = self.__dict__.get("_free_texts")
        if got is None:
            checked = {c.header for c in checked_inputs(self.tpl)}
            got = self.__dict__["_free_texts"] = {c.header for c in self.tpl.inputs if c.header not in checked}
        return got

    @property
    def computed_columns(self) -> list[int]:
        return [self.columns[c.header] for c in self.tpl.computed if c.header in self.columns]

    @property
    def read_columns(self) -> list[int]:
        """Every column the model reads (inputs, computed, extras), sorted."""
        return sorted(set(self.columns.values()) | {i for _, i in self.extra})

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    # -- evaluation
    def evaluate(self, chunk: Any, today: dt.date | None = None,
                 lists: dict[str, list[str]] | None = None,
                 columns: Sequence[str] | None = None) -> Evaluation:
        """Pure: typed inputs, errors, outcome and computed values of one chunk.

        ``columns`` (headers; None = all): the computed columns a workflow uses. Only those,
        and the computed columns others read (受理判定, which decides refusals, CLM-8), get
        values in ``Evaluation.computed``; every input is still checked and every other
        computed column still evaluated for its errors, so ``errors`` and ``outcome`` are
        exactly those of the full evaluation."""
        tpl = self.tpl
        keep = None if columns is None else needed_columns(tpl, columns)
        rows = np.asarray(chunk.rows, dtype=np.int64)
        lists = lists if lists is not None else rules_in_force(today or engine_today())
        read = self.read_inputs(chunk.values, len(rows))
        errors = self.input_errors(read, rows, lists)
        frame = pd.DataFrame({h: pd.Series(t.values, dtype=object) for h, t in read.typed.items()})
        frame.index = pd.Index(rows)
        results = compute(tpl, frame.reset_index(drop=True), {h: t.blank for h, t in read.typed.items()},
                          read.filled, today, keep)
        errors += self.formula_errors(results, read, rows, errors)
        hand = self.hand_typed(chunk, rows)
        # a value typed over a column computed for its errors only: the message says what
        # the rules compute there, so that column is computed in full after all
        results = [c.complete() if c.complete is not None and hand.over(c.column.header) else c
                   for c in results]
        errors += override_errors(results, hand.by_hand, hand.raw, rows, self.letter, hand.replaced)
        errors.sort(key=self.sheet_order())
        outcome, reason = row_outcomes(tpl, rows, errors, read.filled, results)
        extra = {h: raw_cells(chunk.values, i, len(rows)) for h, i in self.extra}
        computed = {c.column.header: c for c in results if keep is None or c.column.header in keep}
        return Evaluation(tpl, rows, frame, errors, outcome, reason, computed, extra, read.lazy,
                          hand.template_formula)

    def cell_of(self, header: str) -> Callable[[int], str]:
        """The address of ``header``'s cell in a sheet row."""
        return lambda row: self.letter(header, row)

    def read_inputs(self, values: dict[int, Any], n: int) -> ReadInputs:
        """A chunk's input columns read once: typed, except the free texts (left as read)."""
        read = ReadInputs(np.zeros(n, dtype=bool))
        later = self.free_texts
        for col in self.tpl.inputs:
            raw = read.raws[col.header] = raw_cells(values, self.columns.get(col.header), n)
            if col.header in later:
                read.lazy[col.header] = raw
                if not read.filled.all():      # (every row already has an input: nothing to add)
                    read.filled |= ~blank_cells(_objects(raw))
            else:
                typed = read.typed[col.header] = read_column(col.kind, col.header, col.rule, raw)
                read.filled |= ~typed.blank
        return read

    def input_errors(self, read: ReadInputs, rows: np.ndarray, lists: dict[str, list[str]]) -> list[CellError]:
        """Every checked input's errors, then the dates earlier than the date they follow."""
        errors: list[CellError] = []
        for col in self.tpl.inputs:
            if col.header in read.typed:
                errors += check_column(col, read.typed[col.header], read.raws[col.header], rows, read.filled,
                                       self.cell_of(col.header), lists)
        for col in self.tpl.inputs:
            if col.after and col.header in read.typed and col.after in read.typed:
                errors += check_order(col, read.typed[col.header], read.typed[col.after], read.raws[col.header],
                                      rows, self.cell_of(col.header))
        return errors

    def formula_errors(self, results: list[Computed], read: ReadInputs, rows: np.ndarray,
                       input_errors: list[CellError]) -> list[CellError]:
        """Failing formulas on rows whose inputs passed, each with what to fix."""
        input_bad = np.zeros(len(rows), dtype=bool)
        input_bad[row_positions(rows, [e.row for e in input_errors])] = True
        return to_fix(computed_errors(results, rows, input_bad, self.letter), self.tpl, self.letter,
                      lambda h, r: raw_at(read.raws.get(h), rows, r))

    def hand_typed(self, chunk: Any, rows: np.ndarray) -> HandTyped:
        """What the clerk typed over the computed columns: a value without a formula, or a
        formula that calls none of the column's functions (=2000, =G5*0.8), typed over the
        template's formula (Excel and LibreOffice store function names in upper case)."""
        out = HandTyped()
        formulas = getattr(chunk, "formulas", None) or {}
        row_texts = list(map(str, rows.tolist()))
        for c in self.tpl.computed:
            idx = self.columns.get(c.header)
            if idx is None or idx not in formulas:
                continue
            vals = out.raw[c.header] = raw_cells(chunk.values, idx, len(rows))
            no_f, exact, older, f_arr = self.formula_cells(c, chunk, idx, rows, row_texts)
            out.template_formula[c.header] = exact
            foreign = self.foreign_cells(c, f_arr, rows, ~no_f & ~exact & ~older)
            out.by_hand[c.header] = typed_over(vals, no_f) | foreign
            out.replaced[c.header] = ([f if bad else None for f, bad in zip(f_arr, foreign)] if foreign.any()
                                      else [None] * len(rows))
        return out

    def formula_cells(self, column: Any, chunk: Any, idx: int, rows: np.ndarray,
                      row_texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(no formula, the template's formula of the row, an earlier template's formula, the
        formula texts) of one computed column's cells. The reader's stored bytes are compared
        as they are: only the cells unlike the template are decoded."""
        stored = getattr(chunk, "formula_cells", {}).get(idx)
        if stored is not None:
            no_f, exact = ~stored.has, stored.equal_template(self.formula_parts(column), rows)
            # an earlier template's formula is the template's too (rewritten, never an error)
            older = stored.equal_template(self.formula_parts(column, True), rows)
            return no_f, exact, older, stored.texts_at(np.flatnonzero(~no_f & ~exact & ~older))
        f_arr = np.empty(len(rows), dtype=object)
        f_arr[:] = list(chunk.formulas[idx])
        no_f = f_arr == None  # noqa: E711 (element-wise)
        exact = self.exact_template_formulas(column, f_arr, rows, row_texts)
        older = self.exact_template_formulas(column, f_arr, rows, row_texts, True)
        return no_f, exact, older, f_arr

    def foreign_cells(self, column: Any, f_arr: np.ndarray, rows: np.ndarray, judged: np.ndarray) -> np.ndarray:
        """Of the ``judged`` cells (a formula, not exactly the template's), those whose formula is
        not the column's: the template's own formula (a native one such as the live 时限状态
        calls none of our functions) is never foreign, nor is a formula calling one of the
        column's functions; Excel's add-in link form [1]!COD_FEE(B2) counts as COD_FEE(B2).
        Only these few cells are judged (normalised: [n]! prefixes, $ anchors, spaces)."""
        foreign = np.zeros(len(rows), dtype=bool)
        rest = np.flatnonzero(judged)
        if len(rest):
            sub_f, sub_rows = f_arr[rest], rows[rest]
            sub = foreign_formulas(sub_f, functions_of(column.expr))
            if sub.any():
                sub &= ~self.template_formulas(column, sub_f, sub_rows, sub)
            foreign[rest] = sub
        return foreign

    def sheet_order(self) -> Callable[[CellError], tuple[int, int, bool]]:
        """Sort key of errors: by row, then by the column's place in the clerk's sheet (a
        template column the sheet lacks after the sheet's own), an input before a formula."""
        order = {h: i for i, h in enumerate(self.tpl.headers)}
        sheet_pos = {h: self.columns.get(h, 10_000 + order.get(h, 0)) for h in self.tpl.headers}
        return lambda e: (e.row, sheet_pos.get(e.column, 99_999), e.kind != "input")

    def iter_evaluations(self, size: int = CHUNK_ROWS, today: dt.date | None = None,
                         columns: Sequence[str] | None = None) -> Iterator[Evaluation]:
        """Reads the register sheet chunk by chunk and evaluates each (``columns``: see
        :meth:`evaluate`)."""
        lists = rules_in_force(today or engine_today())
        for chunk in self.package.iter_chunks(self.sheet_name, self.first_row, columns=self.read_columns,
                                              formulas_of=self.computed_columns, size=size):
            yield self.evaluate(chunk, today, lists, columns)

    def tally(self, size: int = CHUNK_ROWS, today: dt.date | None = None) -> Tally:
        t = Tally()
        for ev in self.iter_evaluations(size, today):
            t.add(ev)
        return t

    def frame(self, today: dt.date | None = None, keep_blank: bool = False) -> pd.DataFrame:
        """The whole register (small files) as one DataFrame, blank rows dropped: typed
        inputs (money as Decimal), computed values (None on invalid rows; 0 on refused
        claims), the clerk's own columns as read, and ``_row`` (sheet row), ``_outcome``,
        ``_reason`` (refusal), ``_errors`` (list of CellError), ``_source`` (path)."""
        parts = [evaluation_frame(ev, self.path, keep_blank) for ev in self.iter_evaluations(today=today)]
        if not parts:
            return evaluation_frame(self.evaluate(MemoryChunk(np.zeros(0, np.int64), {}), today), self.path)
        return pd.concat(parts) if len(parts) > 1 else parts[0]


def previous_formula(column: Any, cell: Callable[[str], str]) -> str:
    """The formula templates wrote before the row gate (ROW_CHECK, COUNTBLANK guards, former
    status texts): a clerk's file made from one still holds it, and it is the template's own
    formula, not one typed over it (the result gets the current one)."""
    return column.excel(cell, older=True)


def _objects(values: Sequence[Any]) -> np.ndarray:
    """A 1-d object array of ``values`` (never a 2-d one, whatever the values are)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def blank_cells(raw: np.ndarray) -> np.ndarray:
    """Empty cells of a raw column: None, "" or whitespace only (C-level map calls)."""
    n = len(raw)
    types = np.fromiter(map(type, raw), dtype=object, count=n)
    blank = types == type(None)  # noqa: E721 (element-wise)
    isstr = types == str  # noqa: E721 (element-wise)
    if isstr.any():
        strs = raw[isstr]
        empty = (np.fromiter(map(str.isspace, strs), dtype=bool, count=len(strs))
                 | (np.fromiter(map(len, strs), dtype=np.int64, count=len(strs)) == 0))
        blank[np.flatnonzero(isstr)[empty]] = True
    return blank


_FORMULA_STRING = re.compile(r'"(?:[^"]|"")*"')
_LINK_PREFIX = re.compile(r"\[\d+\]!")


def normalise_formula(formula: str) -> str:
    """A formula's text compared as Excel means it: ``[n]!`` add-in link prefixes, ``$``
    anchors and white space outside text literals dropped, names in upper case."""
    def plain(text: str) -> str:
        return re.sub(r"\s+", "", _LINK_PREFIX.sub("", text)).replace("$", "").upper()

    out, pos = [], 0
    for m in _FORMULA_STRING.finditer(formula):
        out += [plain(formula[pos:m.start()]), m.group(0)]
        pos = m.end()
    out.append(plain(formula[pos:]))
    return "".join(out)


def foreign_formulas(formulas: np.ndarray, names: set[str]) -> np.ndarray:
    """Formulas (non-empty) that call none of ``names``: one regex pass over the joined texts."""
    out = np.zeros(len(formulas), dtype=bool)
    idx = np.flatnonzero(formulas != None)  # noqa: E711 (element-wise)
    if not len(idx):
        return out
    if not names:                                      # a native column (live 时限状态): every one
        out[idx] = [bool(f) for f in formulas[idx]]
        return out
    joined = "\x00".join(formulas[idx])
    if joined.count("\x00") != len(idx) - 1:          # a NUL inside a formula: one by one
        calls = re.compile("|".join(sorted(names))).search
        out[idx] = [calls(f) is None for f in formulas[idx]]
        return out
    alt = "|".join(re.escape(nm) for nm in sorted(names))
    for m in re.finditer(rf"(?:^|(?<=\x00))(?![^\x00]*(?:{alt}))[^\x00]*", joined):
        if m.start() == m.end():                       # an empty formula text: not ours to judge
            continue
        out[idx[joined.count("\x00", 0, m.start())]] = True
    return out


def functions_of(expr: Any) -> set[str]:
    """Excel names of the add-in functions an expression calls."""
    out: set[str] = set()
    stack = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, Call):
            out.add(e.name.upper())
        for k, v in getattr(e, "__dict__", {}).items():
            if isinstance(e, LiveStatus) and k == "deadline_expr":  # read from its cell, not called
                continue
            if isinstance(v, tuple):
                stack.extend(v)
            elif hasattr(v, "excel"):
                stack.append(v)
    return out


def evaluation_frame(ev: Evaluation, source: Path | None = None, keep_blank: bool = False,
                     columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One evaluation as the workflows' DataFrame (see Register.frame). ``columns``: only
    these template columns (and no clerk columns) besides ``_row``…``_source``, so a large
    register becomes Python values only where a workflow looks."""
    tpl = ev.tpl
    wanted = None if columns is None else set(columns)
    outcome = np.asarray(ev.outcome, dtype=object)
    sel = np.arange(len(ev)) if keep_blank else np.flatnonzero(outcome != BLANK)
    data: dict[str, Any] = {}
    for col in tpl.inputs:
        if wanted is None or col.header in wanted:
            data[col.header] = as_decimals(col.kind, ev.input_values(col.header)[sel])
    invalid = outcome[sel] == INVALID
    for h, c in ev.computed.items():
        if wanted is not None and h not in wanted:
            continue
        vals = c.values(sel)
        vals[invalid] = None
        data[h] = vals
    for h, cells in ev.extra.items():
        if wanted is None and h not in data:
            data[h] = _objects(cells)[sel]
    by_row: dict[int, list[CellError]] = {}
    for e in ev.errors:
        by_row.setdefault(e.row, []).append(e)
    rows = [int(r) for r in ev.rows[sel]]
    data["_row"] = rows
    data["_outcome"] = outcome[sel]
    data["_reason"] = np.asarray(ev.reason, dtype=object)[sel]
    data["_errors"] = [by_row.get(r, []) for r in rows]
    data["_source"] = [source] * len(rows)
    return pd.DataFrame(data, index=pd.Index(rows, name="行号"))


# ----------------------------------------------------------------------------- opening

def _package(path: Path) -> Any:
    try:
        return open_package(path)
    except PackageError as e:
        raise RegisterError(getattr(e, "message", str(e)), getattr(e, "reason", "damaged"), path) from None


def read_marker(pkg: Any) -> tuple[str, int] | None:
    """(kind, version) from the defined name LOGIDESK_TEMPLATE, else the hidden sheet."""
    names = {str(k).upper(): v for k, v in (pkg.defined_names or {}).items()}
    v = names.get(MARKER_NAME)
    if v:
        m = _MARKER_RE.search(str(v).replace("&quot;", '"'))
        if m:
            return m.group(1), int(m.group(2))
    if any(s.name == MARKER_SHEET for s in pkg.sheets):
        info = {}
        for r in pkg.read_small_sheet(MARKER_SHEET):
            if len(r) >= 2 and r[0] is not None:
                info[str(r[0]).strip()] = r[1]
        kind = info.get("模板类型")
        if kind:
            ver = info.get("模板版本", 1)
            try:
                return str(kind).strip(), int(float(ver))
            except (TypeError, ValueError):
                return str(kind).strip(), 1
    return None


def _score(cells: list[Any], keys: set[str]) -> int:
    return len({header_key(c) for c in cells} & keys)


def find_header(head: list[tuple[int, list[Any]]], tpl: Template) -> tuple[int, list[Any]] | None:
    """The row (of the first HEAD_ROWS) holding most template headers, if it has enough."""
    keys = {header_key(h) for h in tpl.headers}
    need = min(MIN_HEADER_MATCH, len(keys))
    best = None
    for r, cells in head:
        s = _score(cells, keys)
        if s >= need and (best is None or s > best[0]):
            best = (s, r, cells)
    return (best[1], best[2]) if best else None


def _find_sheet(pkg: Any, tpl: Template, where: str) -> tuple[str, int, list[Any], list[tuple[int, list[Any]]]]:
    sheets = [s for s in pkg.sheets if getattr(s, "type", "worksheet") == "worksheet"]
    names = [s.name for s in sheets]
    order = ([tpl.sheet] if tpl.sheet in names else []) + [n for n in names if n != tpl.sheet
                                                          and n not in (SETTINGS_SHEET, MARKER_SHEET, "_lists", "汇总", "错误清单")]
    for name in order:
        head = pkg.head(name, HEAD_ROWS)
        found = find_header(head, tpl)
        if found:
            return name, found[0], found[1], head
    if tpl.sheet in names:
        raise RegisterError(f"{where}工作表「{tpl.sheet}」的前 {HEAD_ROWS} 行中找不到表头"
                            f"（应有「{'」「'.join(tpl.headers[:4])}」等列）", "no_header", sheet=tpl.sheet)
    raise RegisterError(f"{where}找不到工作表「{tpl.sheet}」（工作表有：{'、'.join(names) or '无'}）",
                        "missing_sheet")


def map_columns(tpl: Template, row: int, cells: list[Any], head: list[tuple[int, list[Any]]],
                where: str) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Header cells → (template columns, clerk's columns); refuses
    duplicate and blank headers and missing required/computed columns."""
    texts = [normalise_text(str(c)) if c is not None else "" for c in cells]
    filled = [i for i, t in enumerate(texts) if header_key(t)]
    last = max(filled) if filled else -1
    refuse_blank_headers(texts, last, data_columns(head, row), row, where)
    columns, extra = assign_columns(tpl, texts, filled, row, where)
    refuse_missing_columns(tpl, columns, extra, row, where)
    return columns, extra


def data_columns(head: list[tuple[int, list[Any]]], row: int) -> set[int]:
    """Columns holding data in the rows read below the header row ``row``."""
    out: set[int] = set()
    for r, vals in head:
        if r > row:
            out |= {i for i, v in enumerate(vals) if not is_blank(v)}
    return out


def refuse_blank_headers(texts: list[str], last: int, data_cols: set[int], row: int, where: str) -> None:
    """A blank header left of the last one, or above data, is refused (the first one named)."""
    blank = [i for i in range(len(texts)) if not header_key(texts[i]) and (i < last or i in data_cols)]
    blank += [i for i in sorted(data_cols) if i > last and i >= len(texts)]
    if blank:
        letter = col_letter(blank[0])
        raise RegisterError(f"{where}第 {row} 行 {letter} 列的表头为空，请填写列名或删除该列",
                            "blank_header", row=row, column=letter)


def assign_columns(tpl: Template, texts: list[str], filled: list[int], row: int,
                   where: str) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Each header to its template column, or to the clerk's own columns; a header that
    appears twice is refused."""
    keys = {header_key(h): h for h in tpl.headers}
    seen: dict[str, int] = {}
    columns: dict[str, int] = {}
    extra: list[tuple[str, int]] = []
    for i in filled:
        k = header_key(texts[i])
        if k in seen:
            name = keys.get(k, texts[i])
            raise RegisterError(f"{where}第 {row} 行的表头「{name}」重复出现在 {col_letter(seen[k])} 列和 "
                                f"{col_letter(i)} 列，请删除或改名其中一列", "duplicate_header",
                                row=row, column=name)
        seen[k] = i
        if k in keys:
            columns[keys[k]] = i
        else:
            extra.append((texts[i], i))
    return columns, extra


def refuse_missing_columns(tpl: Template, columns: dict[str, int], extra: list[tuple[str, int]],
                           row: int, where: str) -> None:
    """A required or computed column the header lacks is refused, with the clerk's columns
    that look like it named."""
    missing = [c for c in tpl.columns if c.header not in columns and (c.required or c.computed)]
    if not missing:
        return
    names = "」「".join(c.header for c in missing)
    hints = [f"{col_letter(i)} 列「{h}」是否就是「{c.header}」？请改回原列名"
             for c in missing for h, i in extra if looks_like(header_key(h), header_key(c.header))]
    msg = f"{where}第 {row} 行的表头中找不到{column_kind(missing)}「{names}」"
    if hints:
        msg += "（" + "；".join(hints) + "）"
    raise RegisterError(msg, "missing_column", row=row, column=missing[0].header)


def column_kind(columns: list[Column]) -> str:
    """What the columns are called together: 必填列 (inputs), 计算列, or 列 for a mix."""
    if all(not c.computed for c in columns):
        return "必填列"
    return "计算列" if all(c.computed for c in columns) else "列"


def looks_like(key: str, wanted: str) -> bool:
    """A header key that may be the ``wanted`` one renamed: it contains it, or (two characters
    or more) is contained in it."""
    return wanted in key or (len(key) >= 2 and key in wanted)


def read_settings(pkg: Any) -> dict[str, Any]:
    if not any(s.name == SETTINGS_SHEET for s in pkg.sheets):
        return {}
    out: dict[str, Any] = {}
    for r in pkg.read_small_sheet(SETTINGS_SHEET)[1:]:
        if not r or is_blank(r[0]):
            continue
        key = normalise_text(str(r[0]))
        if key.startswith("说明"):
            continue
        v = r[1] if len(r) > 1 else None
        out[key] = normalise_text(v) if isinstance(v, str) else v
    return out


def open_register(path: str | Path, package: Any = None) -> Register:
    """Open a filled register (see the module docstring). ``package`` is an open
    ``workbooks.xlsx`` package (or anything with its API); by default the file is opened."""
    path = Path(path)
    pkg = package if package is not None else _package(path)
    try:
        marker = read_marker(pkg)
        if marker is None:
            raise RegisterError(f"{path.name}：不是 logidesk 模板（缺少 LOGIDESK_TEMPLATE 标记），"
                                "请用 logidesk build 生成的模板填写", "not_template")
        kind, version = marker
        if kind not in REGISTERS:
            name = {**SHEETS, VIP.kind: VIP.title}.get(kind, kind)     # the template's Chinese name
            raise RegisterError(f"{path.name}：{name}模板无需批量计算（在 Excel 中打开即可）",
                                "no_batch")
        tpl = REGISTERS[kind]
        if version > tpl.version:
            raise RegisterError(f"{path.name}：模板版本 {version} 比本程序支持的 {tpl.version} 新，请升级 logidesk",
                                "newer_version")
        sheet, row, cells, head = _find_sheet(pkg, tpl, f"{path.name}：")
        where = f"{path.name}「{sheet}」"
        columns, extra = map_columns(tpl, row, cells, head, where)
    except RegisterError as e:
        e.path = path
        raise
    problems = []
    if sheet != tpl.sheet:
        problems.append(f"登记表工作表名为「{sheet}」（模板为「{tpl.sheet}」），已按表头识别")
    return Register(path, kind, tpl, sheet, row, columns, extra, read_settings(pkg), version, problems, pkg)


def template_register(kind: str) -> Register:
    """A register laid out exactly as the template (header in row 1, the template's columns
    in their order, no file): what a live sheet or a DataFrame of inputs is evaluated as."""
    tpl = REGISTERS[kind]
    columns = {h: i for i, h in enumerate(tpl.headers)}
    return Register(Path(tpl.sheet), kind, tpl, tpl.sheet, 1, columns, [], {}, tpl.version)
