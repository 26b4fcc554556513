"""The result workbook: the clerk's own package with only these parts changed:

- the register sheet: its computed cells (formula and cached value) and the format of bad
  input cells (the clerk's format plus the error fill, appended to styles.xml);
- the 「汇总」 values (and their ranges, which grow with the register);
- an added 「错误清单」 sheet (:mod:`workbooks.error_sheet`; workbook.xml, its .rels and
  [Content_Types].xml name it);
- xl/calcChain.xml is dropped (with its relationship and content type): Excel rebuilds it.

Every other zip member is copied raw — byte for byte, compressed bytes included: other
sheets, charts, drawings, images, pivots, comments, hyperlinks, merges, defined names,
hidden states, vbaProject.bin (an .xlsm stays an .xlsm).

ONE streaming pass over the register sheet: a block of rows is read and indexed
(:mod:`workbooks.xlsx.scan`), blocks are grouped into chunks, the model evaluates a chunk
(``Register.evaluate``), the chunk's computed cells are patched into the bytes of its
blocks and handed to the deflate thread; then the next chunk. Memory holds one chunk.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import re
import signal
import sys
import time
import zipfile
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from multiprocessing.pool import Pool
from pathlib import Path
from typing import IO, Any, Callable, cast

import numpy as np

from . import layout, outputs
from .error_sheet import cell_xml, errors_sheet_parts
from .register import open_register
from .spec import ERROR_PREFIX
from .xlsx import scan
from .xlsx.cells import DAYS_1900_TO_1904, col_index, col_letter, escape, to_serial
from .xlsx.package import CellReader, Package, SheetInfo, open_package, rels_part
from .xlsx.parts import ContentTypes, Rels, Workbook
from .xlsx.patch import Edits, apply, keep_shared, locate, restyle
from .xlsx.sheetxml import default_namespace
from .xlsx.styles import StyleBook
from .xlsx.zipcopy import PackageWriter, StreamedMember, deflate_piece

CHUNK_ROWS = 20_000
PARALLEL_CHUNK = 5_000           # rows per job: small enough to keep every worker busy to the end
PARALLEL_FROM = 48 << 20         # sheet XML bytes (~20k claim rows) before worker processes pay off
PARALLEL_ROWS = 20_000           # rows (the sheet's <dimension>) before worker processes pay off
_DIMENSION = re.compile(rb'<dimension\s+ref="[A-Z]*[0-9]*:?[A-Z]*([0-9]+)"')
TOTAL_REFUSED = "有错误行，请先更正"
CONTENT_TYPES = "[Content_Types].xml"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


class ProcessError(Exception):
    """A file that cannot be processed (message in Chinese, shown to the user)."""


def workers_for(sheet_bytes: int, head: bytes = b"") -> int:
    """Worker processes for the pass: 0 (this process) for small sheets or one core — small
    by the work (rows, from the sheet's ``<dimension>`` in ``head``) or by the XML's size
    (a compact writer's rows are fewer bytes); ``LOGIDESK_WORKERS`` overrides (0 = never)."""
    env = os.environ.get("LOGIDESK_WORKERS")
    if env is not None and env.strip().isdigit():
        return int(env)
    cores = os.cpu_count() or 1
    dim = _DIMENSION.search(head)
    rows = int(dim.group(1)) if dim else 0
    many_rows = rows >= PARALLEL_ROWS and sheet_bytes >= PARALLEL_FROM // 4    # (a dimension may overstate)
    if cores < 2 or (sheet_bytes < PARALLEL_FROM and not many_rows):
        return 0
    return min(cores, 4)


@dataclass
class Outcome:
    """What the pass found, for the terminal summary."""

    rows: int = 0                                  # rows with any input
    error_rows: list[int] = field(default_factory=list)
    errors: list[Any] = field(default_factory=list)            # CellError, sorted per chunk
    totals: dict[str, Any] = field(default_factory=dict)      # 「…合计」 → Decimal | TOTAL_REFUSED
    partial_totals: dict[str, Decimal] = field(default_factory=dict)
    last_row: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def not_none(values: Any) -> np.ndarray:
    """bool per element of an object array: it is not None."""
    return np.not_equal(values, cast(Any, None))


def cached(c: Any, date1904: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(number, text) each computed cell caches: errors as 「错误：…」 text, guarded cells "";
    dates as serials of the workbook's date system."""
    blank = np.asarray(c.blank, dtype=bool)
    err = not_none(c.error).astype(bool)
    text = np.where(blank, cast(Any, None), c.text).astype(object)
    if err.any():
        text[err & ~blank] = np.array([ERROR_PREFIX + e for e in c.error[err & ~blank]] + [None], dtype=object)[:-1]
    number = np.where(blank | err, np.nan, np.asarray(c.number, dtype=float))
    if date1904 and c.column.kind in ("date", "datetime"):
        number = number - DAYS_1900_TO_1904
    return number, text


_SEP = "\ue000"


_ORD_1899_12_30 = dt.date(1899, 12, 30).toordinal()
_MIDNIGHT = dt.time()


def same_numbers(old: np.ndarray, new: np.ndarray, date1904: bool = False) -> np.ndarray:
    """Whether each value the reader decoded (a float, or a datetime for a date format)
    equals the number we would write (datetimes compared as their serial)."""
    if date1904:                                  # compare as 1900-system serials
        new = np.where([isinstance(v, dt.datetime) for v in old.tolist()], new + DAYS_1900_TO_1904, new)
    kinds = set(map(type, old.tolist()))
    if kinds == {float}:
        return old.astype(np.float64) == new
    if kinds == {dt.datetime}:
        values = old.tolist()
        # whole days (what computed dates are): the serial is the day count, as to_serial
        # gives it; a time of day goes through to_serial itself
        days = np.fromiter(map(dt.datetime.toordinal, values), dtype=np.int64, count=len(values)) - _ORD_1899_12_30
        whole = np.fromiter(map(_MIDNIGHT.__eq__, map(dt.datetime.time, values)), dtype=bool, count=len(values))
        serial = days.astype(np.float64)
        for i in np.flatnonzero(~whole).tolist():
            serial[i] = to_serial(values[i])
        return serial == new
    eq = np.zeros(len(old), dtype=bool)               # mixed or other types: cell by cell
    for i, v in enumerate(old.tolist()):
        if isinstance(v, dt.datetime):
            v = to_serial(v)
        eq[i] = isinstance(v, float) and v == new[i]
    return eq


def numbers_text(xs: list[float]) -> list[str]:
    """Floats → shortest round-trip text, integral values without '.0' (Excel's form)."""
    return [str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x) for x in xs]


def escape_all(texts: list[str]) -> list[str]:
    """XML-escape many texts with one regex pass (joined on a private-use separator)."""
    joined = _SEP.join(texts)
    out = escape(joined).split(_SEP)
    if len(out) != len(texts):                     # a text held the separator itself
        return [escape(t) for t in texts]
    return out


def _formula_parts(reg: Any, column: Any, escaped: bool = True) -> list[str]:
    """The computed column's formula (no '=') for the clerk's columns, split where the row
    number goes (the model's, XML-escaped unless ``escaped=False``)."""
    parts = reg.formula_parts(column)
    return [escape(p) for p in parts] if escaped else list(parts)


ColumnEdits = tuple[np.ndarray, np.ndarray, list]      # starts, ends, payloads of one column's cells


class SheetPatcher:
    """Computed cells and highlights of the register sheet, chunk by chunk."""

    def __init__(self, reg: Any, styles: StyleBook, col_styles: dict[int, int]) -> None:
        self.reg = reg
        self.styles = styles
        self.col_styles = col_styles
        self.computed = sorted(((reg.columns[c.header], c) for c in reg.tpl.computed if c.header in reg.columns),
                               key=lambda t: t[0])
        self.parts = {idx: _formula_parts(reg, c) for idx, c in self.computed}
        self.formula_text = {idx: "{0}".join(p.replace("{", "{{").replace("}", "}}")
                                             for p in _formula_parts(reg, c, escaped=False)).format
                             for idx, c in self.computed}
        self.letters = {idx: col_letter(idx) for idx, _ in self.computed}
        # one str.format per cell: {0} row number, {1} style, {2} type, {3} cached value
        self.cell_format = {
            idx: ('<c r="' + col_letter(idx) + '{0}" s="{1}{2}<f>'
                  + "{0}".join(p.replace("{", "{{").replace("}", "}}") for p in self.parts[idx])
                  + "</f><v>{3}</v></c>").format
            for idx, _ in self.computed}
        self.input_cols = {h: i for h, i in reg.columns.items() if not reg.tpl.column(h).computed}
        self.cached_values: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def edits(self, ix: scan.Index, keep_rows: np.ndarray, ev: Any, pos: np.ndarray,
              bad: dict[int, np.ndarray]) -> Edits:
        """Edits of one block. ``keep_rows``: block rows in the chunk; ``pos``: their index
        in the evaluation; ``bad``: column → sheet rows to highlight (int64 array)."""
        write = self._written[pos]
        rows = keep_rows[write]
        epos = pos[write]
        per_col: dict[int, list[ColumnEdits]] = {}
        if len(rows):
            closed = ix.row_closed[rows]
            if closed.any():
                rows, epos = rows[~closed], epos[~closed]
        if len(rows):
            for idx, col in self.computed:
                if col.header in self.cached_values:
                    got = self._computed_edits(ix, rows, epos, idx, col.header)
                    if got is not None:
                        per_col.setdefault(idx, []).append(got)
        if bad:
            self._highlight_edits(ix, keep_rows, bad, per_col)
        out = Edits.empty()
        for idx in sorted(per_col):
            for s, e, p in per_col[idx]:
                out.extend(s, e, p)
        return out

    def _computed_edits(self, ix: scan.Index, rows: np.ndarray, epos: np.ndarray, idx: int,
                        header: str) -> ColumnEdits | None:
        """The cells of computed column ``idx`` in block rows ``rows`` (``epos``: their index
        in the evaluation) that change: formula and cached value; None when none does."""
        number, text = self.cached_values[header]
        num, txt = number[epos], text[epos]
        cell, insert, _ = locate(ix, rows, idx, ix.key)
        exists = cell >= 0
        has_txt = not_none(txt)
        is_num = ~has_txt & ~np.isnan(num)
        # a cell already holding our formula and our value stays as it is (not
        # re-serialised): only the others get a payload
        same = self._unchanged(ix, cell, exists, rows, idx, epos, num, txt, has_txt, is_num)
        if same.all():
            return None
        if same.any():
            keep = np.flatnonzero(~same)
            cell, insert, exists = cell[keep], insert[keep], exists[keep]
            num, txt, has_txt, is_num = num[keep], txt[keep], has_txt[keep], is_num[keep]
            sel_rows = rows[keep]
        else:
            sel_rows = rows
        cc = np.maximum(cell, 0)
        style = np.where(exists, ix.cell_style[cc], self.col_styles.get(idx, 0)).tolist()
        vals = np.full(len(cell), "", dtype=object)
        if is_num.any():
            vals[is_num] = np.array(numbers_text(num[is_num].tolist()), dtype=object)
        if has_txt.any():
            vals[has_txt] = np.array(escape_all(txt[has_txt].tolist()), dtype=object)
        rsel = ix.row_num[sel_rows].tolist()
        kind = np.where(is_num, '">', '" t="str">')
        fmt = self.cell_format[idx]
        payload = list(map(fmt, rsel, style, kind.tolist(), vals.tolist()))
        shared = exists & (ix.f_start[cc] >= 0) & ~ix.f_plain[cc]
        for i in np.flatnonzero(shared).tolist():      # keep shared-formula groups valid
            r = str(rsel[i])
            f = self.parts[idx][0] + "".join(r + p for p in self.parts[idx][1:])
            fel = keep_shared(ix, int(cell[i]), f.encode("utf-8"))
            if fel is not None:
                payload[i] = payload[i].replace(f"<f>{f}</f>", fel.decode("utf-8"), 1)
        starts = np.where(exists, ix.cell_start[cc], insert)
        ends = np.where(exists, ix.cell_end[cc], insert)
        return starts, ends, payload

    def _highlight_edits(self, ix: scan.Index, keep_rows: np.ndarray, bad: dict[int, np.ndarray],
                         per_col: dict[int, list[ColumnEdits]]) -> None:
        """Add to ``per_col`` the bad input cells of the block with the error fill (an absent
        cell is added, in its column's format)."""
        rn = ix.row_num[keep_rows]
        for idx, sheet_rows in bad.items():
            m = np.isin(rn, sheet_rows)
            if not m.any():
                continue
            block_rows = dict(zip(rn[m].tolist(), keep_rows[m].tolist()))
            hits = [(k, r) for r, k in block_rows.items()]
            brows = np.array([h[0] for h in hits], dtype=np.int64)
            cell, insert, closed = locate(ix, brows, idx, ix.key)
            ss, es, ps = [], [], []
            for (_k, r), c, p, cl in zip(hits, cell.tolist(), insert.tolist(), closed.tolist()):
                if c >= 0:
                    s0, te = int(ix.cell_start[c]), int(ix.cell_tag_end[c])
                    ss.append(s0)
                    es.append(te)
                    ps.append(restyle(ix.data[s0:te], self.styles.highlight(int(ix.cell_style[c]))))
                elif not cl:
                    st = self.styles.highlight(self.col_styles.get(idx, 0))
                    ss.append(p)
                    es.append(p)
                    ps.append(f'<c r="{col_letter(idx)}{r}" s="{st}"/>'.encode())
            per_col.setdefault(idx, []).append((np.array(ss, dtype=np.int64), np.array(es, dtype=np.int64), ps))

    def _unchanged(self, ix: scan.Index, cell: np.ndarray, exists: np.ndarray, rows: np.ndarray, idx: int,
                   epos: np.ndarray, num: np.ndarray, txt: np.ndarray, has_txt: np.ndarray,
                   is_num: np.ndarray) -> np.ndarray:
        """Cells whose formula, type and cached value already are what we would write
        (compared on the values the reader decoded for the model, no second parse)."""
        same = np.zeros(len(cell), dtype=bool)
        olds = self._values.get(idx)
        if idx not in self._formulas or olds is None:
            return same
        cand = np.flatnonzero(exists)
        if not len(cand):
            return same
        exact = self._exact.get(idx)
        if exact is not None:           # the model already compared them with the template
            fm = exact[epos[cand]]
        else:
            ff = self.formula_text[idx]
            f_have = np.array(self._formulas[idx] + [None], dtype=object)[:-1][epos[cand]]
            r_txt = ix.row_num[rows[cand]].astype(str).tolist()
            fm = np.fromiter((f == ff(r) for f, r in zip(f_have.tolist(), r_txt)), dtype=bool, count=len(cand))
        cand = cand[fm]
        if not len(cand):
            return same
        old = olds[epos[cand]]
        t = ix.cell_type[cell[cand]]
        ok = np.zeros(len(cand), dtype=bool)
        m = is_num[cand] & (t == scan.T_N)
        if m.any():
            ok[m] = same_numbers(old[m], num[cand][m], self.reg.package.date1904)
        m = has_txt[cand] & (t == scan.T_STR)
        if m.any():
            ok[m] = np.equal(old[m], txt[cand][m]).astype(bool)
        empty = ~is_num[cand] & ~has_txt[cand]
        m = empty & ((t == scan.T_STR) | (t == scan.T_N))
        if m.any():
            ok[m] = np.fromiter((v is None or v == "" for v in old[m]), dtype=bool, count=int(m.sum()))
        same[cand[ok]] = True
        return same

    def prepare(self, ev: Any, chunk: Any = None) -> None:
        self._written = np.asarray(ev.outcome, dtype=object) != "blank"
        self._formulas = chunk.formulas if chunk else {}         # the reader's decode on first use
        self._values = {c: np.array(v + [None], dtype=object)[:-1] for c, v in (chunk.values.items() if chunk else ())
                        if c in self.parts}
        self.cached_values = {h: cached(c, self.reg.package.date1904) for h, c in ev.computed.items()}
        exact = getattr(ev, "template_formula", None) or {}
        self._exact = {idx: exact[c.header] for idx, c in self.computed
                       if c.header in exact and chunk is not None and idx in chunk.formulas}


def _col_styles(head: bytes) -> dict[int, int]:
    """Column default formats from ``<cols>`` (what Excel gives a new cell there)."""
    out = {}
    for m in re.finditer(rb"<col\b([^>]*)/>", head):
        a = dict(re.findall(rb'(\w+)="([^"]*)"', m.group(1)))
        if b"style" in a and b"min" in a and b"max" in a:
            lo, hi = int(a[b"min"]), int(a[b"max"])
            for c in range(lo - 1, min(hi, lo + 300)):
                out[c] = int(a[b"style"])
    return out


def tally_part(reg: Any, ev: Any, cached_values: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, Any]:
    """Counts and totals of one evaluated chunk (what 汇总 and the console add up)."""
    outcome = np.asarray(ev.outcome, dtype=object)
    part: dict[str, Any] = {"rows": int(np.sum(outcome != "blank")), "errors": list(ev.errors),
                            "error_rows": sorted({e.row for e in ev.errors}),
                            "refused": set(), "fen": {}}
    for c in reg.tpl.computed:
        if not c.total or c.header not in cached_values:
            continue
        number, _ = cached_values[c.header]
        comp = ev.computed[c.header]        # a cell showing 「错误：…」 refuses the column's total
        key = f"{c.header}合计"
        if (not_none(comp.error).astype(bool) & ~np.asarray(comp.blank, dtype=bool)).any():
            part["refused"].add(key)
        ok = ~np.isnan(number)
        part["fen"][key] = int(np.rint(number[ok] * 100).astype(np.int64).sum())
    return part


class ChunkWork:
    """The per-chunk work of the pass: typed values → the model → patched bytes. Run in this
    process, or in worker processes (each builds its own from the file, see :func:`_init`)."""

    def __init__(self, reg: Any, reader: CellReader, patcher: "SheetPatcher") -> None:
        self.reg, self.reader, self.patcher = reg, reader, patcher
        self.first, self.read_cols, self.fcols = reg.first_row, reg.read_columns, reg.computed_columns

    def run(self, blocks: list[scan.Index]) -> tuple[list[bytes], dict[str, Any], dict[str, float], int]:
        """(the patched blocks, the chunk's tally, seconds per phase, rows)."""
        reg, patcher, first = self.reg, self.patcher, self.first
        t0 = time.perf_counter()
        chunk = self.reader.chunk_of(blocks, first, self.read_cols, self.fcols)
        t1 = time.perf_counter()
        ev = reg.evaluate(chunk)
        t2 = time.perf_counter()
        patcher.prepare(ev, chunk)
        part = tally_part(reg, ev, patcher.cached_values)
        bad_sets: dict[int, set[int]] = {}
        for e in ev.errors:
            if getattr(e, "kind", "input" if e.input else "computed") == "input" and e.column in patcher.input_cols:
                bad_sets.setdefault(patcher.input_cols[e.column], set()).add(int(e.row))
        bad = {c: np.fromiter(rs, dtype=np.int64, count=len(rs)) for c, rs in bad_sets.items()}
        rows_all = np.asarray(ev.rows, dtype=np.int64)
        out = []
        for ix in blocks:
            keep = np.flatnonzero(ix.row_num >= first)
            pos = np.searchsorted(rows_all, ix.row_num[keep])
            out.append(apply(ix.data, patcher.edits(ix, keep, ev, pos, bad)))
        t3 = time.perf_counter()
        return out, part, {"read": t1 - t0, "compute": t2 - t1, "write": t3 - t2}, len(chunk)


_WORK: ChunkWork | None = None


def _forked() -> None:
    """A forked worker: it inherited the parent's opened register and patcher (``_WORK``)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    outputs.disown_temps()                           # the parent owns the temp file


def _init(path: str, sheet_name: str, highlights: dict[int, int], named: dict, col_styles: dict[int, int]) -> None:
    """A spawned worker (no fork, e.g. Windows): the register opened again from the file
    (nothing large is pickled); the highlight formats fixed by the parent so every process
    writes the same indexes."""
    _forked()
    global _WORK
    pkg = open_package(path)
    reg = open_register(path, package=pkg)
    styles = StyleBook.with_indexes(highlights, named)
    _WORK = ChunkWork(reg, CellReader(pkg, pkg.sheet(sheet_name)), SheetPatcher(reg, styles, col_styles))


def _job(blocks: list[bytes], masters: dict) -> tuple[tuple[bytes, int, int], dict[str, Any], dict[str, float],
                                                     int, int]:
    """A worker's job: its blocks patched and deflated (a sixth of the bytes go back to the
    parent, which appends them to the member as they are)."""
    assert _WORK is not None
    _WORK.reader.shared_formulas.masters = dict(masters)
    ixs = [index_block(b) for b in blocks]
    for ix in ixs:                    # Excel's limits, as the serial reader checks them
        _WORK.reader.pkg.check_block(_WORK.reader.sheet.part, ix)
    data, part, secs, n = _WORK.run(ixs)
    last = max((int(ix.row_num[-1]) for ix in ixs if len(ix.row_num)), default=0)
    t = time.perf_counter()
    piece = deflate_piece(data)
    secs["write"] += time.perf_counter() - t
    return piece, part, secs, n, last


def index_block(block: bytes) -> scan.Index:
    try:
        return scan.index(block)
    except (ValueError, IndexError):
        return scan.index(scan.normalise(block))


_ROW_R = re.compile(rb'<row r="([0-9]+)"')


def rows_in(block: bytes) -> int:
    """About how many rows a block holds, from its first and last row numbers (sizes the
    workers' jobs; a full count would scan the block once more)."""
    first = _ROW_R.search(block)
    at = block.rfind(b'<row r="')
    if first is None or at < 0:
        return block.count(b"<row")
    last = _ROW_R.match(block, at)
    return int(last.group(1)) - int(first.group(1)) + 1 if last else block.count(b"<row")


_MASTER = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*>(<f\b[^>]*\bt="shared"[^>]*>[^<]+</f>)')


def shared_masters(block: bytes, into: Any) -> None:
    """Record the shared-formula masters of a block (the parent hands them to the worker
    that gets the chunks after it)."""
    if b't="shared"' not in block:
        return
    for m in _MASTER.finditer(block):
        into.read(m.group(3), int(m.group(2)), col_index(m.group(1).decode()))


class Tally:
    def __init__(self, reg: Any) -> None:
        self.reg = reg
        self.out = Outcome()
        self.fen: dict[str, int] = {}
        self.refused: set[str] = set()
        self.ok_fen: dict[str, int] = {}

    def add(self, ev: Any, cached_values: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
        self.merge(tally_part(self.reg, ev, cached_values))

    def merge(self, part: dict[str, Any]) -> None:
        out = self.out
        out.rows += part["rows"]
        out.errors += part["errors"]
        out.error_rows += part["error_rows"]
        self.refused |= part["refused"]
        for k, v in part["fen"].items():
            self.fen[k] = self.fen.get(k, 0) + v

    def finish(self) -> Outcome:
        out = self.out
        for c in self.reg.tpl.computed:
            if c.total and c.header in self.reg.columns:
                key = f"{c.header}合计"
                fen = self.fen.get(key, 0)
                out.partial_totals[key] = Decimal(fen) / 100
                out.totals[key] = TOTAL_REFUSED if key in self.refused else Decimal(fen) / 100
        return out


def summary_lines(reg: Any, last_row: int) -> list[tuple[str, str]]:
    return layout.summary_lines(reg.tpl, last_row, letter=reg.letter, first_row=reg.first_row,
                           sheet=reg.sheet_name)


def summary_values(out: Outcome, reg: Any) -> list[Any]:
    values: list[Any] = [out.rows, len(set(out.error_rows))]
    for c in reg.tpl.computed:
        if c.total and c.header in reg.columns:
            v = out.totals[f"{c.header}合计"]
            values.append(float(v) if isinstance(v, Decimal) else v)
    return values


def patch_summary(pkg: Package, part: str, lines: list[tuple[str, str]], values: list[Any]) -> bytes | None:
    """The 「汇总」 sheet with each line's value cell (column B of the row labelled in
    column A) rewritten: formula over the register's rows and the value we computed."""
    data = default_namespace(pkg.read_part(part))
    where = _label_rows(pkg, part)
    m = re.search(rb"<sheetData\b[^>]*>", data)
    if m is None:
        return None
    end = data.index(b"</sheetData>", m.end())
    body = data[m.end():end]
    try:
        ix = scan.index(body)
    except ValueError:
        body = scan.normalise(body)
        ix = scan.index(body)
    edits = Edits.empty()
    for (label, formula), value in zip(lines, values):
        _summary_line(ix, edits, where, label, formula, value)
    if not edits.start:
        return None
    return data[:m.end()] + apply(body, edits) + data[end:]


def _label_rows(pkg: Package, part: str) -> dict[str, int]:
    """Label in column A → its (first) sheet row, of the sheet stored in ``part``."""
    small = pkg.read_small_sheet(next(s.name for s in pkg.sheets if s.part == part))
    where: dict[str, int] = {}
    for r, row in enumerate(small, start=1):
        if row and isinstance(row[0], str):
            where.setdefault(row[0].strip(), r)
    return where


def _summary_line(ix: scan.Index, edits: Edits, where: dict[str, int], label: str, formula: str,
                  value: Any) -> None:
    """Add the edits of one 「汇总」 line: its value cell, and its label where a register made
    with an older template names the line otherwise."""
    old = next((o for o in layout.OLD_SUMMARY_LABELS.get(label, ()) if o in where), None)
    r = where.get(label) or where.get(old or "")
    if r is None:
        return
    k = np.flatnonzero(ix.row_num == r)
    if not len(k):
        return
    if label not in where:      # a register made with an older template: the line is renamed
        a_cell, _, a_closed = locate(ix, k, 0)
        if a_cell[0] >= 0 and not a_closed[0]:
            a_style = int(ix.cell_style[a_cell[0]])
            edits.add(int(ix.cell_start[a_cell[0]]), int(ix.cell_end[a_cell[0]]),
                      cell_xml(f"A{r}", a_style, label).encode("utf-8"))
    cell, insert, closed = locate(ix, k, 1)
    if closed[0]:
        return
    style = int(ix.cell_style[cell[0]]) if cell[0] >= 0 else None
    xml = cell_xml(f"B{r}", style, value if value is not None else "", formula.lstrip("=")).encode("utf-8")
    if cell[0] >= 0:
        edits.add(int(ix.cell_start[cell[0]]), int(ix.cell_end[cell[0]]), xml)
    else:
        edits.add(int(insert[0]), int(insert[0]), xml)


def _workbook_xml(xml: bytes, name: str, rid: str, sheet_id: int, replace_existing: bool) -> bytes:
    wb = Workbook(xml)
    if not replace_existing:
        wb.add_sheet(name, sheet_id, rid)
    # keep showing the cached values: no recalculation on open (Excel without the add-in
    # would turn every computed cell into #NAME?)
    wb.keep_cached_values(layout.CURRENT_CALC_ID)
    return wb.bytes()


def _worksheet(pkg: Package, name: str) -> SheetInfo | None:
    return next((s for s in pkg.sheets if s.name == name and s.type == "worksheet"), None)


def _new_sheet_part(names: set[str]) -> str:
    k = 1
    while f"xl/worksheets/sheet{k}.xml" in names:
        k += 1
    return f"xl/worksheets/sheet{k}.xml"


class ResultWriter:
    """One result package written from ``pkg`` and its register ``reg``: the members that
    do not change copied raw, the register sheet patched in one streaming pass (here or in
    worker processes), then 「汇总」, 「错误清单」, the workbook's parts and styles.xml."""

    def __init__(self, pkg: Package, reg: Any, size: int, on_rows: Callable[[int], None] | None) -> None:
        self.pkg, self.reg, self.size, self.on_rows = pkg, reg, size, on_rows
        self.secs = {"read": 0.0, "compute": 0.0, "write": 0.0}
        self.tally = Tally(reg)
        self.stream: StreamedMember | None = None
        self.sheet = pkg.sheet(reg.sheet_name)
        self.wb_rels = rels_part(pkg.workbook_part)
        self.calc_chain = [t for typ, t, _ in pkg.workbook_rels.values() if typ.endswith("/calcChain")]
        self.summary = _worksheet(pkg, layout.SUMMARY_SHEET)
        self.existing_errors = _worksheet(pkg, layout.ERRORS_SHEET)
        self.styles_part = pkg.styles_part or "xl/styles.xml"

    def changed_parts(self) -> set[str]:
        changed = {self.sheet.part, CONTENT_TYPES, self.pkg.workbook_part, self.wb_rels, self.styles_part,
                   *self.calc_chain}
        changed |= {s.part for s in (self.summary, self.existing_errors) if s is not None}
        return changed

    def write(self, z: zipfile.ZipFile, raw_in: IO[bytes], fout: IO[bytes]) -> Outcome:
        """The whole package into ``fout`` (``z`` and ``raw_in``: the input, opened)."""
        pkg = self.pkg
        zw = PackageWriter(fout)
        changed = self.changed_parts()
        for info in z.infolist():
            if info.filename not in changed:
                zw.copy_raw(z, info, raw_in)
        styles = StyleBook(pkg.read_part(self.styles_part) if self.styles_part in pkg.names else None)
        last_row = self.patch_sheet(z, zw, styles)
        out = self.tally.finish()
        out.last_row = max(last_row, self.reg.first_row)
        if self.summary is not None:
            part = self.summary.part
            data = patch_summary(pkg, part, summary_lines(self.reg, out.last_row), summary_values(out, self.reg))
            zw.write(part, data if data is not None else pkg.read_part(part), z.getinfo(part).date_time)
        self.write_errors_and_workbook(z, zw, out, styles)
        if self.styles_part in pkg.names or styles.changed:
            zw.write(self.styles_part, styles.xml() if styles.changed else pkg.read_part(self.styles_part),
                     z.getinfo(self.styles_part).date_time if self.styles_part in pkg.names
                     else (2026, 1, 1, 0, 0, 0))
        zw.close()
        return out

    def abort(self) -> None:
        """Stop the sheet's deflate thread after a failure (the caller discards the file)."""
        if self.stream is not None:
            self.stream.abort()

    # ------------------------------------------------------------------ the register sheet
    def patch_sheet(self, z: zipfile.ZipFile, zw: PackageWriter, styles: StyleBook) -> int:
        """The register sheet in one streaming pass; returns the last sheet row read."""
        reader = CellReader(self.pkg, self.sheet)
        col_styles = _col_styles(reader.stream.head)
        patcher = SheetPatcher(self.reg, styles, col_styles)
        work = ChunkWork(self.reg, reader, patcher)
        info = z.getinfo(self.sheet.part)
        n_workers = workers_for(info.file_size, reader.stream.head)
        # the pool is made before the deflate thread starts (fork before any thread)
        pool = self._pool(n_workers, work, styles, col_styles) if n_workers else None
        stream = self.stream = zw.stream(self.sheet.part, info.date_time, big=info.file_size > (1 << 31),
                                         external=info.external_attr)
        stream.write(reader.stream.head)
        if pool is not None:
            last_row = self._pass_in_workers(pool, n_workers, reader)
        else:
            last_row = self._pass_here(stream, reader, work)
        stream.write(reader.stream.tail)
        reader.close()
        t_w = time.perf_counter()
        stream.close()
        self.stream = None
        self.secs["write"] += time.perf_counter() - t_w
        return last_row

    def _pool(self, n_workers: int, work: ChunkWork, styles: StyleBook, col_styles: dict[int, int]) -> Pool:
        global _WORK                                     # what forked workers inherit
        # every process must write the same highlight indexes: fix them all up front
        for xf in range(styles.xf_count()):
            styles.highlight(xf)
        if sys.platform.startswith("linux"):
            # forked workers inherit this process's register, reader and patcher:
            # nothing is opened or parsed again
            _WORK = work
            return mp.get_context("fork").Pool(n_workers, initializer=_forked)
        highlights, named = styles.fixed_indexes()
        return mp.get_context("spawn").Pool(n_workers, initializer=_init,
                                            initargs=(str(self.pkg.path), self.sheet.name, highlights, named,
                                                      col_styles))

    def _take(self, data: list[bytes] | tuple[bytes, int, int], part: dict[str, Any], took: dict[str, float],
              n: int) -> None:
        """A patched chunk into the sheet's member, its tally and times added up."""
        stream = self.stream
        assert stream is not None
        if isinstance(data, tuple):
            stream.write_deflated(data)          # deflated by a worker
        else:
            stream.writelines(data)
        self.tally.merge(part)
        for k, v in took.items():
            self.secs[k] += v
        if self.on_rows:
            self.on_rows(n)

    def _pass_here(self, stream: StreamedMember, reader: CellReader, work: ChunkWork) -> int:
        """The pass in this process, chunk by chunk; the last sheet row read."""
        first = self.reg.first_row
        secs = self.secs
        pending: list[scan.Index] = []
        count = 0
        last_row = 0
        t_read = time.perf_counter()
        for ix in reader.indexes():
            secs["read"] += time.perf_counter() - t_read
            if len(ix.row_num):
                last_row = max(last_row, int(ix.row_num[-1]))
            n_data = int(np.sum(ix.row_num >= first))
            if n_data == 0 and not pending:
                stream.write(ix.data)              # rows above the data (title, header)
            else:
                pending.append(ix)
                count += n_data
                if count >= self.size:
                    self._take(*work.run(pending))
                    pending, count = [], 0
            t_read = time.perf_counter()
        if pending:
            self._take(*work.run(pending))
        return last_row

    def _pass_in_workers(self, pool: Pool, n_workers: int, reader: CellReader) -> int:
        """The pass in worker processes: blocks of raw rows out, patched deflated pieces
        back in order; the last sheet row read."""
        global _WORK
        masters = scan.SharedFormulas()
        inflight: deque = deque()
        batch: list[bytes] = []
        count = 0
        last_row = 0

        def submit() -> None:
            inflight.append(pool.apply_async(_job, (list(batch), dict(masters.masters))))
            for b in batch:
                shared_masters(b, masters)

        def collect() -> None:
            nonlocal last_row
            data, part, took, n, last = inflight.popleft().get()
            last_row = max(last_row, last)
            self._take(data, part, took, n)

        try:
            for block in reader.blocks():
                batch.append(block)
                count += rows_in(block)
                if count >= min(self.size, PARALLEL_CHUNK):
                    submit()
                    batch, count = [], 0
                    while len(inflight) > n_workers + 1:
                        collect()
            if batch:
                submit()
            while inflight:
                collect()
        finally:
            pool.terminate() if inflight else pool.close()
            pool.join()
            _WORK = None
        return last_row

    # ------------------------------------------------------------------ the other parts
    def write_errors_and_workbook(self, z: zipfile.ZipFile, zw: PackageWriter, out: Outcome,
                                  styles: StyleBook) -> None:
        """「错误清单」 (replaced, or added with its relationship and content type), then the
        workbook's .rels, [Content_Types].xml and workbook.xml (calcChain dropped)."""
        pkg = self.pkg
        wb_part = pkg.workbook_part
        ct = ContentTypes(pkg.read_part(CONTENT_TYPES))
        rels = Rels(pkg.read_part(self.wb_rels), wb_part)
        wbx = pkg.read_part(wb_part)
        errors = self.existing_errors
        if errors is not None:
            self._write_errors(zw, errors.part, z.getinfo(errors.part).date_time, out, styles)
            wbx = _workbook_xml(wbx, layout.ERRORS_SHEET, errors.rel_id, 0, True)
        else:
            new_part = _new_sheet_part(pkg.names)
            rid = rels.add(WORKSHEET_REL, new_part)
            ct.set_part(new_part, WORKSHEET_CT)
            sheet_id = max((s.sheet_id for s in pkg.sheets), default=0) + 1
            wbx = _workbook_xml(wbx, layout.ERRORS_SHEET, rid, sheet_id, False)
            self._write_errors(zw, new_part, z.getinfo(wb_part).date_time, out, styles)
        rels.remove(lambda _i, typ, _t, _ext: typ.endswith("/calcChain"))
        ct.remove_parts(self.calc_chain)
        zw.write(self.wb_rels, rels.bytes(), z.getinfo(self.wb_rels).date_time)
        zw.write(CONTENT_TYPES, ct.bytes(), z.getinfo(CONTENT_TYPES).date_time)
        zw.write(wb_part, wbx, z.getinfo(wb_part).date_time)

    def _write_errors(self, zw: PackageWriter, part: str, date_time: tuple, out: Outcome, styles: StyleBook) -> None:
        sink = zw.stream(part, date_time)
        try:
            for piece in errors_sheet_parts(self.reg, out.errors, styles):
                sink.write(piece)
        except BaseException:
            sink.abort()
            raise
        sink.close()


def write_result(pkg: Package, reg: Any, target: Path, *, size: int | None = None,
                 on_rows: Callable[[int], None] | None = None) -> Outcome:
    """Write the result of register ``reg`` (read from ``pkg``) to ``target`` atomically."""
    t_start = time.perf_counter()
    writer = ResultWriter(pkg, reg, size or CHUNK_ROWS, on_rows)
    tmp = outputs.new_temp(target)
    try:
        with pkg.zip() as z, open(pkg.path, "rb") as raw_in, open(tmp, "wb") as fout:
            out = writer.write(z, raw_in, fout)
        lock = outputs.open_elsewhere(target)
        if lock is not None:
            raise ProcessError(f"结果文件「{target}」正在被打开（发现锁定文件 {lock.name}），"
                               "请先在 Excel/WPS 中关闭它再重新处理；未覆盖该文件。")
        outputs.commit(tmp, target)
    except BaseException:
        writer.abort()
        outputs.discard(tmp)
        raise
    writer.secs["total"] = time.perf_counter() - t_start
    out.seconds = writer.secs
    return out
