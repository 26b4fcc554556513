"""Headless processor (issue 3, item 3): ``logidesk process PATH... [--out DIR]``.

Reads filled registers (or folders of them), recognises the template by its marker,
validates every input cell, computes every computed column with the column engine
(``udfs.columns``) and writes a result workbook: every input cell and every other sheet
kept, computed cells as live formulas with their cached values (so Excel without the
add-in, LibreOffice or a phone shows the numbers), bad cells highlighted, and a sheet
「错误清单」 (row, column, value, message, rule ID). The input file is only read.

I/O choices (measured by bench/bench_process.py; figures in the issue's closing note):
- read: python-calamine (Rust) parses the sheet into a compact range once; rows become
  Python values a chunk at a time (100k rows), twice — once to compute, once to write —
  so memory does not grow with the file. openpyxl builds a Python cell object per cell
  and is ~10× slower.
- compute: the column forms of udfs (vectorised kernels, memoised per distinct row),
  driven by the template spec's expression trees (workbooks.spec).
- write: XlsxWriter lays out the workbook (styles, validation, protection, print setup,
  汇总/设置/错误清单 sheets) with an empty data sheet; workbooks.fastsheet splices the data
  rows into it as XML built per column with list comprehensions — formulas with cached
  values, input text via the shared-string table. XlsxWriter's per-cell API (even in
  constant_memory mode) and openpyxl (which cannot store a formula's cached value) were
  5–20× slower on this step.
- output is a temp file in the output folder, then os.replace (never half a file), and an
  Excel/WPS/LibreOffice lock file on the target refuses the run (exit code 3).
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import re
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from itertools import islice
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import numpy as np
import pandas as pd

import udfs
from udfs import values as V
from udfs.rulebook import rules_for

from . import layout as L
from .spec import ERROR_PREFIX, KINDS_BY_SHEET, REGISTERS, Column, Env, Evaluated, Template

DEFAULT_OUT = Path("out")
RESULT_SUFFIX = "_结果"
TOTAL_REFUSED = "有错误行，请先更正"
PROGRESS_FROM = 20000            # rows; smaller files finish before a bar is worth showing
MAX_LINKS = 65000                # Excel allows 65,530 hyperlinks per sheet
KNOWN_SHEETS = {L.SETTINGS_SHEET, L.SUMMARY_SHEET, L.ERRORS_SHEET, L.LISTS_SHEET, L.MARKER_SHEET}


class ProcessError(Exception):
    """A file that cannot be processed (message in Chinese, shown to the user)."""


@dataclass
class CellError:
    row: int                 # sheet row, 1-based (data starts at 2)
    column: str              # header
    letter: str
    value: Any
    message: str
    rule: str | None
    input: bool              # True: a bad input cell; False: a computed cell's error


@dataclass
class FileResult:
    source: Path
    output: Path | None = None
    kind: str | None = None
    rows: int = 0
    error_rows: list[int] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)
    partial_totals: dict[str, Decimal] = field(default_factory=dict)   # rows without errors
    seconds: dict[str, float] = field(default_factory=dict)
    refused: str | None = None
    skipped: str | None = None


@dataclass
class Summary:
    files: list[FileResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.refused for f in self.files)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def error_rows(self) -> int:
        return sum(len(f.error_rows) for f in self.files)

    def text(self) -> str:
        lines = []
        for f in self.files:
            if f.refused:
                lines.append(f"✗ {f.source}：{f.refused}")
                continue
            if f.skipped:
                lines.append(f"- {f.source}：{f.skipped}")
                continue
            lines.append(f"✓ {f.source} → {f.output}")
            lines.append(f"  {REGISTERS[f.kind].sheet}：{f.rows} 行，错误行 {len(f.error_rows)} 行，"
                         f"错误 {len(f.errors)} 处")
            for k, v in f.totals.items():
                if isinstance(v, Decimal):
                    lines.append(f"  {k}：{v:,.2f} 元")
                else:
                    lines.append(f"  {k}：{v}（无错误的行合计 {f.partial_totals.get(k, Decimal(0)):,.2f} 元）")
            if f.error_rows:
                shown = "、".join(str(r) for r in f.error_rows[:20])
                more = f" 等 {len(f.error_rows)} 行" if len(f.error_rows) > 20 else ""
                lines.append(f"  有错误的行：{shown}{more}（详见「{L.ERRORS_SHEET}」）")
        done = [f for f in self.files if not f.refused and not f.skipped]
        lines.append(f"合计：处理 {len(done)} 个文件，{self.rows} 行，错误行 {self.error_rows} 行"
                     + (f"，{sum(1 for f in self.files if f.refused)} 个文件未处理" if not self.ok else ""))
        return "\n".join(lines)


# ----------------------------------------------------------------------------- reading

_MARKER_RE = re.compile(r'<definedName[^>]*name="LOGIDESK_TEMPLATE"[^>]*>"?([a-z]+);(\d+)"?</definedName>')


def detect_kind(path: Path) -> tuple[str, int] | None:
    """Template kind and version from the marker (defined name, else the hidden sheet)."""
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("xl/workbook.xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    m = _MARKER_RE.search(xml.replace("&quot;", '"'))
    if m:
        return m.group(1), int(m.group(2))
    from python_calamine import CalamineWorkbook
    with CalamineWorkbook.from_path(str(path)) as wb:
        if L.MARKER_SHEET in wb.sheet_names:
            rows = wb.get_sheet_by_name(L.MARKER_SHEET).to_python()
            info = {str(r[0]): str(r[1]) for r in rows if len(r) >= 2}
            if "模板类型" in info:
                return info["模板类型"], int(float(info.get("模板版本", "1")))
    return None


def nulls(frame: pd.DataFrame) -> np.ndarray:
    """Blank cells (None) of an object frame as a bool matrix: one C-level comparison,
    much cheaper than DataFrame.isna() on object columns."""
    if not len(frame.columns):
        return np.zeros((len(frame), 0), dtype=bool)
    return np.equal(frame.to_numpy(dtype=object), None)


def _blank_to_none(col: Sequence[Any]) -> list[Any]:
    return [None if v == "" else v for v in col]


CHUNK_ROWS = 100_000             # rows held as Python objects at a time (memory stays flat)


@dataclass
class Register:
    """An open register: the data sheet stays in calamine's compact (Rust) form and is
    turned into Python values one chunk of rows at a time, twice (compute, then write)."""

    tpl: Template
    sheet: Any                                # python_calamine.CalamineSheet
    header: list[str]
    positions: dict[str, int]                 # input header → column index in the sheet
    extra: list[tuple[str, int]]              # columns the clerk added: (header, index)
    height: int                               # data rows in the sheet (after the header)
    settings: list[tuple[Any, Any]]
    other_sheets: list[tuple[str, list[list[Any]]]]
    rows: int = 0                             # data rows after trimming trailing blank rows

    def chunks(self, size: int = CHUNK_ROWS, stop: int | None = None) -> Iterator[tuple[int, pd.DataFrame, dict[str, list[Any]]]]:
        """(first data row index, input frame, extra columns) per chunk of rows."""
        stop = self.height if stop is None else stop
        it = self.sheet.iter_rows()
        next(it, None)                                     # header row
        width = len(self.header)
        lo = 0
        while lo < stop:
            block = list(islice(it, min(size, stop - lo)))
            if not block:
                break
            block = [r + [""] * (width - len(r)) if len(r) < width else r for r in block]
            cols = list(zip(*block))
            frame = pd.DataFrame({c.header: pd.Series(_blank_to_none(cols[self.positions[c.header]])
                                                      if c.header in self.positions else [None] * len(block),
                                                      dtype=object)
                                  for c in self.tpl.inputs})
            frame.index = pd.RangeIndex(lo, lo + len(block))
            extra = {h: _blank_to_none(cols[i]) for h, i in self.extra}
            yield lo, frame, extra
            lo += len(block)


def open_register(wb: Any, tpl: Template) -> Register:
    names = wb.sheet_names
    if tpl.sheet not in names:
        raise ProcessError(f"找不到数据表「{tpl.sheet}」")
    sheet = wb.get_sheet_by_name(tpl.sheet)
    first = next(sheet.iter_rows(), [])
    header = [str(h).strip() if h is not None else "" for h in first]
    settings: list[tuple[Any, Any]] = []
    if L.SETTINGS_SHEET in names:
        for r in wb.get_sheet_by_name(L.SETTINGS_SHEET).to_python()[1:]:
            if r and r[0] not in ("", None) and not str(r[0]).startswith("说明"):
                settings.append((r[0], r[1] if len(r) > 1 else ""))
    others = [(n, wb.get_sheet_by_name(n).to_python(skip_empty_area=False))
              for n in names if n != tpl.sheet and n not in KNOWN_SHEETS]
    positions: dict[str, int] = {}
    extra: list[tuple[str, int]] = []
    computed = {c.header for c in tpl.computed}
    for i, h in enumerate(header):
        if h in positions or h in computed:
            continue                                   # computed columns are recomputed
        if h in tpl.headers:
            positions[h] = i
        elif h:
            extra.append((h, i))
    height = max(sheet.height - 1, 0)         # the used range starts at A1 (header row)
    return Register(tpl, sheet, header, positions, extra, height, settings, others)


# ----------------------------------------------------------------------------- validation

_FAST_TYPES = {
    "date": (dt.date,), "datetime": (dt.date,),
    "money": (int, float), "number": (int, float), "share": (int, float), "int": (int, float),
}


def _parse_check(col: Column, v: Any) -> str | None:
    """The engine's own reading of one unusual value: None when it accepts it."""
    r = rules_for(None)
    try:
        if col.kind in ("date", "datetime"):
            V.when(v, col.header, col.rule)
        elif col.kind == "money":
            V.money(v, col.header, col.rule, r)
        elif col.kind == "share":
            V.fraction(v, col.header, col.rule, r)
        elif col.kind == "int":
            V.integer(v, col.header, col.rule)
        elif col.kind == "number":
            if V.decimal(v, col.header, col.rule) < 0:
                raise udfs.RuleError(f"{col.header}不能为负数：{V.show(v)}", col.rule)
    except udfs.RuleError as e:
        return str(e)
    return None


def _fast_ok_all(col: Column, values: np.ndarray) -> np.ndarray:
    """Vectorised _fast_ok: plainly valid values need no per-cell check."""
    types = np.fromiter(map(type, values), dtype=object, count=len(values))
    if col.kind in ("date", "datetime"):
        return (types == dt.date) | (types == dt.datetime)
    isnum = (types == float) | (types == int)
    ok = isnum.copy()
    if isnum.any():
        nums = values[isnum].astype(float)
        with np.errstate(invalid="ignore"):
            cond = nums >= 0
            if col.kind == "share":
                cond &= nums <= 1
            elif col.kind == "int":
                cond &= np.floor(nums) == nums
        ok[isnum] = cond
    return ok


def _rule_text(message: str, rule: str | None) -> str:
    return f"{message}（{rule}）" if rule and rule not in message else message


def validate(tpl: Template, frame: pd.DataFrame, lists: dict[str, list[str]]) -> list[CellError]:
    """Input checks of every row: required cells, types, list membership (per column,
    each distinct unusual value judged once)."""
    errors: list[CellError] = []
    if frame.empty:
        return errors
    base = int(frame.index[0]) if isinstance(frame.index, pd.RangeIndex) else 0
    null = nulls(frame)
    filled = ~null.all(axis=1)
    position = {h: j for j, h in enumerate(frame.columns)}
    for c, col in enumerate(tpl.columns):
        if col.computed:
            continue
        s = frame[col.header]
        values = s.to_numpy(dtype=object)
        blank = null[:, position[col.header]]
        letter = tpl.letter(col.header)
        bad: dict[int, str] = {}
        if col.required:
            for i in np.flatnonzero(blank & filled):
                bad[int(i)] = _rule_text(f"缺少{col.header}", col.rule)
        if col.choices:
            allowed = set(lists[col.choices])
            isin = s.isin(allowed).to_numpy() | blank
            shown = "、".join(lists[col.choices][:12]) + ("…" if len(lists[col.choices]) > 12 else "")
            for i in np.flatnonzero(~isin):
                bad[int(i)] = _rule_text(f"{col.header}「{V.show(values[i])}」不在下拉列表中，可选：{shown}", col.rule)
        elif col.kind in _FAST_TYPES:
            memo: dict[Any, str | None] = {}
            idx = np.flatnonzero(~blank)
            for i in idx[~_fast_ok_all(col, values[idx])]:
                v = values[i]
                key = (type(v), v)
                if key not in memo:
                    memo[key] = _parse_check(col, v)
                if memo[key]:
                    bad[int(i)] = memo[key]  # type: ignore[assignment]
        for i, msg in sorted(bad.items()):
            m = re.search(r"（([A-Z]+-\d+[a-z]?)(?:、[A-Z]+-\d+)*）$", msg)
            row = base + i + 2
            errors.append(CellError(row, col.header, f"{letter}{row}", values[i], msg,
                                    m.group(1) if m else col.rule, True))
    return errors


# ----------------------------------------------------------------------------- computing

@dataclass
class Computed:
    """One computed column, ready to write: ``number`` (float, NaN where not a number),
    ``text`` (object: str where the cell shows text), ``error``/``rule`` per row."""

    column: Column
    number: np.ndarray
    text: np.ndarray
    error: np.ndarray
    rule: np.ndarray
    blank: np.ndarray


_EPOCH = np.datetime64("1899-12-30T00:00:00", "s")


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


def compute(tpl: Template, frame: pd.DataFrame, today: dt.date | None = None) -> list[Computed]:
    """Every computed column of the register with the column engine."""
    env = Env(frame, today or udfs.today())
    null = nulls(frame)
    position = {h: j for j, h in enumerate(frame.columns)}
    filled = ~null.all(axis=1) if len(frame) else np.zeros(0, bool)
    out = []
    for col in tpl.computed:
        blank = ~filled.copy()
        for g in col.guard:
            blank |= null[:, position[g]]
        if len(frame) and not blank.all():
            ev: Evaluated = col.expr.evaluate(env)
            value = ev.value if isinstance(ev.value, pd.Series) else pd.Series([ev.value] * len(frame))
            number, text = _as_numbers(col, value.reset_index(drop=True))
            error = ev.error if ev.error is not None else np.full(len(frame), None, dtype=object)
            rule = ev.rule if ev.rule is not None else np.full(len(frame), None, dtype=object)
        else:
            number, text = np.full(len(frame), np.nan), np.full(len(frame), None, dtype=object)
            error = np.full(len(frame), None, dtype=object)
            rule = np.full(len(frame), None, dtype=object)
        error = np.where(blank, None, error)
        rule = np.where(blank, None, rule)
        out.append(Computed(col, number, text, error, rule, blank))
    return out


def cell_value(c: Computed, i: int) -> Any:
    """What the cell shows (and caches): number, text, "" or 「错误：…」."""
    if c.blank[i]:
        return ""
    if c.error[i] is not None:
        return ERROR_PREFIX + c.error[i]
    if c.text[i] is not None:
        return c.text[i]
    x = c.number[i]
    return "" if x != x else float(x)


def computed_errors(tpl: Template, results: list[Computed], frame: pd.DataFrame,
                    input_rows: set[int]) -> list[CellError]:
    """Errors of computed cells on rows whose inputs passed validation (a bad input already
    explains its row's failing formulas)."""
    errors = []
    base = int(frame.index[0]) if len(frame) and isinstance(frame.index, pd.RangeIndex) else 0
    for c in results:
        letter = tpl.letter(c.column.header)
        for i in np.flatnonzero(np.array([e is not None for e in c.error], dtype=bool)):
            row = base + int(i) + 2
            if row in input_rows:
                continue
            errors.append(CellError(row, c.column.header, f"{letter}{row}", "", c.error[i], c.rule[i], False))
    return errors


def process_frame(kind: str, df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compute a register held in a DataFrame (the ribbon's 刷新计算 on a live sheet).

    ``df`` has the input columns by their Chinese headers, row i being sheet row i + 2.
    Returns (computed, errors): ``computed`` has one column per computed header with what
    each cell shows (float, datetime, int, text, "" or 「错误：…」); ``errors`` lists
    行号, 列名, 单元格, 值, 错误信息, 规则编号 for bad inputs and failing formulas."""
    tpl = REGISTERS[kind]
    frame = pd.DataFrame(index=range(len(df)))
    for c in tpl.inputs:
        col = df[c.header].tolist() if c.header in df.columns else [None] * len(df)
        frame[c.header] = pd.Series([None if V.is_blank(v) else v for v in col], dtype=object)
    lists = udfs.rules_in_force(udfs.today())
    errs = validate(tpl, frame, lists)
    results = compute(tpl, frame)
    errs += computed_errors(tpl, results, frame, {e.row for e in errs})
    computed = {}
    for c in results:
        vals = [cell_value(c, i) for i in range(len(frame))]
        if c.column.kind in ("date", "datetime"):
            vals = [L.EXCEL_EPOCH + dt.timedelta(days=v) if isinstance(v, float) else v for v in vals]
            vals = [v.replace(microsecond=0) if isinstance(v, dt.datetime) else v for v in vals]
        elif c.column.kind == "int":
            vals = [int(v) if isinstance(v, float) else v for v in vals]
        computed[c.column.header] = vals
    out = pd.DataFrame(computed, index=df.index)
    errors = pd.DataFrame([(e.row, e.column, e.letter, e.value, e.message, e.rule) for e in errs],
                          columns=["行号", "列名", "单元格", "值", "错误信息", "规则编号"])
    return out, errors


# ----------------------------------------------------------------------------- writing

def _lock_files(target: Path) -> list[Path]:
    name = target.name
    return [target.with_name("~$" + name), target.with_name("~$" + name[2:]),
            target.with_name(f".~lock.{name}#")]


def check_unlocked(target: Path) -> None:
    for lock in _lock_files(target):
        if lock.exists():
            raise ProcessError(f"结果文件「{target}」正在被打开（发现锁定文件 {lock.name}），"
                               "请先在 Excel/WPS 中关闭它再重新处理；未覆盖该文件。")


def _settings_dict(settings: list[tuple[Any, Any]]) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in settings}


def write_result(reg: Register, results: list[Computed], errors: list[CellError], target: Path,
                 summary_values: list[Any], progress: bool = True) -> float:
    """XlsxWriter lays out the workbook with an empty data sheet; the data rows are then
    spliced in by :mod:`workbooks.fastsheet` (inputs re-read chunk by chunk) while copying
    to a temp file next to ``target``, which finally replaces it (os.replace: all or
    nothing). Returns the seconds spent turning sheet cells back into Python values."""
    from tqdm import tqdm
    from . import fastsheet as FS
    tpl = reg.tpl
    n = reg.rows
    target.parent.mkdir(parents=True, exist_ok=True)
    temps = []
    for _ in range(2):
        fd, name = tempfile.mkstemp(prefix=".tmp-", suffix=".xlsx", dir=target.parent)
        os.close(fd)
        temps.append(name)
    layout_tmp, final_tmp = temps
    reread = [0.0]
    try:
        wb = L.new_workbook(layout_tmp, streaming=False, template_mode=False)
        styles = L.Styles(wb)
        lists = udfs.rules_in_force(udfs.today())
        refs = {name: f"={L.LISTS_SHEET}!${L.col_letter(i)}$2:${L.col_letter(i)}${len(v) + 1}"
                for i, (name, v) in enumerate(lists.items())}
        ws = wb.add_worksheet(tpl.sheet)
        last_row = max(n + 1, tpl.rows + 1)
        settings = _settings_dict(reg.settings)
        extra_headers = [h for h, _ in reg.extra]
        L.setup_data_sheet(wb, ws, L.SheetSetup(tpl, last_row, settings.get("本网点", ""), print_rows=n + 1),
                           styles, refs, lists, extra_headers)
        style_ids = data_styles(tpl, styles)
        L.write_summary(wb, styles, tpl, last_row, summary_values)
        L.write_settings(wb, styles, reg.settings or [(k, "") for k, _ in tpl.settings])
        for name, rows in reg.other_sheets:
            copy_values_sheet(wb, name, rows)
        write_errors_sheet(wb, styles, tpl, errors)
        L.write_lists(wb, lists)
        L.write_marker(wb, tpl.kind, tpl.version, {"名称": tpl.title, "规则版本": rules_for(None).label(),
                                                   "生成程序": "logidesk process"})
        wb.close()
        sst = FS.SharedStrings(FS.existing_sst_count(layout_tmp))
        formulas = [FS.FormulaColumn(L.col_letter(tpl.headers.index(res.column.header)),
                                     formula_parts(tpl, res.column), style_ids[(res.column.header, False)],
                                     *cached_values(res))
                    for res in results]
        bad_by_col: dict[str, np.ndarray] = {}
        for e in errors:
            if e.input:
                bad_by_col.setdefault(e.column, np.zeros(n, dtype=bool))[e.row - 2] = True
        order = sorted(range(len(tpl.columns) + len(extra_headers)))
        computed_at = {tpl.headers.index(r.column.header): f for r, f in zip(results, formulas)}
        chunks = reg.chunks(FS.CHUNK, stop=n)
        pending: list[Any] = []          # (lo, frame, extra) of the chunk being written

        def cells(lo: int, hi: int, rows: list[str]) -> list[list[str]]:
            t = time.perf_counter()
            frame = extra = None
            if lo < n:
                if not pending or pending[0][0] != lo:
                    pending[:] = [next(chunks)]
                _, frame, extra = pending[0]
            reread[0] += time.perf_counter() - t
            out = []
            for c in order:
                if c in computed_at:
                    out.append(computed_at[c].cells(lo, hi, rows))
                    continue
                if c >= len(tpl.columns):
                    h = extra_headers[c - len(tpl.columns)]
                    vals = extra[h] if extra is not None else []
                    sid = style_ids[("", False)]
                    col = FS.InputColumn(L.col_letter(c), np.array(vals, dtype=object), sid, sid,
                                         np.zeros(len(vals), bool), L.serial, sst)
                else:
                    h = tpl.columns[c].header
                    vals = frame[h].to_numpy(dtype=object) if frame is not None else np.array([], dtype=object)
                    bad = bad_by_col.get(h)
                    col = FS.InputColumn(L.col_letter(c), vals, style_ids[(h, False)], style_ids[(h, True)],
                                         bad[lo:lo + len(vals)] if bad is not None else np.zeros(len(vals), bool),
                                         L.serial, sst)
                out.append(col.cells(0, hi - lo, rows))
            return out

        bar = tqdm(total=last_row - 1, unit="行", desc=f"写入 {tpl.sheet}",
                   disable=not (progress and n >= PROGRESS_FROM), mininterval=0.5)
        ncols = len(tpl.columns) + len(extra_headers)
        FS.splice(layout_tmp, FS.sheet_entry_for(layout_tmp, tpl.sheet),
                  f"A1:{L.col_letter(ncols - 1)}{last_row}",
                  FS.rows_xml(cells, 2, last_row - 1, bar.update), final_tmp, sst)
        bar.close()
        check_unlocked(target)             # opened in Excel while we were writing?
        FS.replace_file(final_tmp, str(target))
    finally:
        for t in temps:
            if os.path.exists(t):
                os.unlink(t)
    return reread[0]


def formula_parts(tpl: Template, column: Column) -> list[str]:
    """The column's formula (no leading "=") split where the row number goes."""
    parts = tpl.formula(column, "\x00").split("\x00")
    parts[0] = parts[0][1:]
    return parts


def cached_values(res: Computed) -> tuple[np.ndarray, np.ndarray]:
    """(number, text) each cell caches: errors as 「错误：…」 text, guarded cells ""."""
    text = np.where(res.blank, "", res.text).astype(object)
    err = np.array([e is not None for e in res.error], dtype=bool)
    if err.any():
        text[err] = np.array([ERROR_PREFIX + e for e in res.error[err]], dtype=object)
    number = np.where(res.blank | err, np.nan, res.number)
    return number, text


def data_styles(tpl: Template, styles: L.Styles) -> dict[tuple[str, bool], int]:
    """Style (xf) index of every data-sheet column, fixed before the workbook is closed so
    that styles.xml contains them: (header, bad) → index."""
    ids: dict[tuple[str, bool], int] = {}
    for col in tpl.columns:
        ids[(col.header, False)] = styles.cell(col.kind, computed=col.computed, wrap=col.wrap)._get_xf_index()
        if not col.computed:
            ids[(col.header, True)] = styles.cell(col.kind, computed=False, bad=True, wrap=col.wrap)._get_xf_index()
    ids[("", False)] = styles.unlocked_text._get_xf_index()
    return ids


def _write_any(ws: Any, r: int, c: int, v: Any, fmt: Any) -> None:
    if isinstance(v, bool):
        ws.write_boolean(r, c, v, fmt)
    elif isinstance(v, (int, float)):
        ws.write_number(r, c, v, fmt)
    elif isinstance(v, dt.datetime):
        ws.write_datetime(r, c, v, fmt)
    elif isinstance(v, dt.date):
        ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), fmt)
    else:
        ws.write_string(r, c, str(v), fmt)


def copy_values_sheet(wb: Any, name: str, rows: list[list[Any]]) -> None:
    """Another sheet of the input, values kept (formatting of foreign sheets is not read)."""
    ws = wb.add_worksheet(name)
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v == "" or v is None:
                continue
            if isinstance(v, dt.date):
                ws.write_number(r, c, L.serial(v), date_fmt)
            else:
                _write_any(ws, r, c, v, None)


def write_errors_sheet(wb: Any, styles: L.Styles, tpl: Template, errors: list[CellError]) -> None:
    ws = wb.add_worksheet(L.ERRORS_SHEET)
    heads = ("行号", "列名", "单元格", "值", "错误信息", "规则编号")
    for c, (h, w) in enumerate(zip(heads, (7, 12, 9, 18, 70, 10))):
        ws.set_column(c, c, w, styles.text if c == 4 else None)
        ws.write_string(0, c, h, styles.header_out)
    ws.freeze_panes(1, 0)
    link = wb.add_format({"font_color": "#0563C1", "underline": 1})
    for r, e in enumerate(errors, start=1):
        ws.write_number(r, 0, e.row)
        ws.write_string(r, 1, e.column)
        if r <= MAX_LINKS:
            ws.write_url(r, 2, f"internal:'{tpl.sheet}'!{e.letter}", link, e.letter)
        else:
            ws.write_string(r, 2, e.letter)
        if e.value is not None and e.value != "":
            v = e.value
            ws.write_string(r, 3, v.isoformat() if isinstance(v, dt.date) else V.show(v))
        ws.write_string(r, 4, e.message)
        if e.rule:
            ws.write_string(r, 5, e.rule)
    if not errors:
        ws.write_string(1, 0, "没有错误。")
    ws.autofilter(0, 0, max(len(errors), 1), len(heads) - 1)


# ----------------------------------------------------------------------------- driver

def partial_totals(results: list[Computed]) -> dict[str, Decimal]:
    """Totals over the cells without an error (for the terminal summary only)."""
    out = {}
    for c in results:
        if c.column.total:
            ok = ~c.blank & ~np.isnan(c.number) & np.array([e is None for e in c.error], dtype=bool)
            out[f"{c.column.header}合计"] = Decimal(int(np.rint(c.number[ok] * 100).astype(np.int64).sum())) / 100
    return out


def summary_values(tpl: Template, n: int, results: list[Computed]) -> tuple[list[Any], dict[str, Any]]:
    """Cached values of the 汇总 sheet, in the order of layout.summary_lines."""
    err_cells = sum(int(np.sum(np.array([e is not None for e in c.error], dtype=bool))) for c in results)
    values: list[Any] = [n, err_cells]
    totals: dict[str, Any] = {}
    for c in results:
        if not c.column.total:
            continue
        has_error = any(e is not None for e in c.error)
        if has_error:
            total: Any = TOTAL_REFUSED
        else:
            ok = ~c.blank & ~np.isnan(c.number)
            fen = int(np.rint(c.number[ok] * 100).astype(np.int64).sum())
            total = Decimal(fen) / 100
        values.append(float(total) if isinstance(total, Decimal) else total)
        totals[f"{c.column.header}合计"] = total
    return values, totals


def output_path(source: Path, out_dir: Path) -> Path:
    return out_dir / f"{source.stem}{RESULT_SUFFIX}.xlsx"


def _concat(parts: list[Computed], n: int) -> list[Computed]:
    """Join the per-chunk results of each computed column, trimmed to ``n`` rows."""
    if not parts:
        return []
    width = len(parts[0])
    out = []
    for j in range(width):
        cols = [p[j] for p in parts]
        out.append(Computed(cols[0].column, np.concatenate([c.number for c in cols])[:n],
                            np.concatenate([c.text for c in cols])[:n],
                            np.concatenate([c.error for c in cols])[:n],
                            np.concatenate([c.rule for c in cols])[:n],
                            np.concatenate([c.blank for c in cols])[:n]))
    return out


def analyse(reg: Register, lists: dict[str, list[str]]) -> tuple[list[Computed], list[CellError], float, int]:
    """First pass: validate and compute every chunk; trims trailing blank rows (the
    template's pre-filled formula rows). Returns results, errors, read seconds and the
    number of rows with any input."""
    tpl = reg.tpl
    parts: list[list[Computed]] = []
    errors: list[CellError] = []
    last = 0
    read = 0.0
    count = 0
    t = time.perf_counter()
    for lo, frame, extra in reg.chunks():
        read += time.perf_counter() - t
        filled = ~nulls(frame).all(axis=1)
        for col in extra.values():
            filled |= np.array([v is not None for v in col], dtype=bool)
        if filled.any():
            last = lo + int(np.flatnonzero(filled)[-1]) + 1
            count += int(filled.sum())
        errs = validate(tpl, frame, lists)
        results = compute(tpl, frame)
        errs += computed_errors(tpl, results, frame, {e.row for e in errs})
        errors += errs
        parts.append(results)
        t = time.perf_counter()
    reg.rows = last
    return _concat(parts, last), errors, read, count


def process_file(source: Path, out_dir: Path, progress: bool = True) -> FileResult:
    """Process one register; never raises for a bad file (see FileResult.refused)."""
    from python_calamine import CalamineWorkbook
    res = FileResult(source)
    gc_was = gc.isenabled()
    gc.disable()           # millions of short-lived objects, no cycles: the collector only costs
    try:
        t0 = time.perf_counter()
        found = detect_kind(source)
        if found is None:
            raise ProcessError("不是 logidesk 模板（缺少 LOGIDESK_TEMPLATE 标记），请用 logidesk build 生成的模板填写")
        kind, version = found
        res.kind = kind
        if kind not in REGISTERS:
            res.skipped = f"{KINDS_BY_SHEET.get(kind, kind)}模板无需批量计算（在 Excel 中打开即可）"
            return res
        tpl = REGISTERS[kind]
        if version > tpl.version:
            raise ProcessError(f"模板版本 {version} 比本程序支持的 {tpl.version} 新，请升级 logidesk")
        target = output_path(source, out_dir)
        if target.resolve() == source.resolve():
            raise ProcessError("输出文件与输入文件相同，已拒绝（输入文件不会被修改）")
        check_unlocked(target)
        with CalamineWorkbook.from_path(str(source)) as wb:
            reg = open_register(wb, tpl)
            t1 = time.perf_counter()
            lists = udfs.rules_in_force(udfs.today())
            results, errors, read1, filled_rows = analyse(reg, lists)
            order = {h: i for i, h in enumerate(tpl.headers)}
            errors.sort(key=lambda e: (e.row, order.get(e.column, 999)))
            svals, totals = summary_values(tpl, filled_rows, results)
            t2 = time.perf_counter()
            read2 = write_result(reg, results, errors, target, svals, progress)
            t3 = time.perf_counter()
        res.output = target
        res.rows = filled_rows
        res.errors = errors
        res.error_rows = sorted({e.row for e in errors})
        res.totals = totals
        res.partial_totals = partial_totals(results)
        read = (t1 - t0) + read1 + read2
        res.seconds = {"read": read, "compute": (t2 - t1) - read1, "write": (t3 - t2) - read2}
    except ProcessError as e:
        res.refused = str(e)
    except (OSError, zipfile.BadZipFile) as e:
        res.refused = f"无法读取或写入：{e}"
    finally:
        if gc_was:
            gc.enable()
    return res


def expand(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.suffix.lower() == ".xlsx"
                          and not q.name.startswith(("~$", ".~lock", ".tmp-"))
                          and not q.stem.endswith(RESULT_SUFFIX))
        else:
            out.append(p)
    return out


def process_paths(paths: Iterable[Path], out_dir: Path = DEFAULT_OUT, progress: bool = True) -> Summary:
    """Process files and folders of registers; results go to ``out_dir``."""
    summary = Summary()
    for p in expand(paths):
        if not p.exists():
            summary.files.append(FileResult(p, refused="文件不存在"))
            continue
        summary.files.append(process_file(p, Path(out_dir), progress))
    return summary


def main(argv: list[str] | None = None) -> int:
    """Exit 0 when every file was processed (bad rows are reported, not fatal); 3 when a
    file was refused (locked output, not a template, unreadable); 2 for bad arguments."""
    p = argparse.ArgumentParser(prog="logidesk process", description="无 Excel 批量计算已填写的登记表")
    p.add_argument("paths", nargs="+", type=Path, help="登记表文件或文件夹")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"结果文件夹（默认 {DEFAULT_OUT}）")
    p.add_argument("--quiet", action="store_true", help="不显示进度条")
    a = p.parse_args(argv)
    summary = process_paths(a.paths, a.out, progress=not a.quiet)
    print(summary.text())
    return 0 if summary.ok else 3


if __name__ == "__main__":
    sys.exit(main())
