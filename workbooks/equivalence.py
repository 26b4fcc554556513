"""Equivalence check of the template formulas: ``python -m workbooks.equivalence``.

An independent formula engine — the ``formulas`` package — evaluates the formulas stored
in the sample workbooks, with our Python functions registered under their Excel names, and
every computed cell (and every 汇总 cell) must equal the value the processor caches in its
result workbook. This proves the template formulas point at the right columns and that
the guards, IF branches and totals mean the same in Excel as in the processor.

The adapter below plays the part of udfs.xl for single cells: Python values in, Excel
values out (money as float, dates as serial numbers), a RuleError becomes the text
「错误：<message>」.
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import formulas  # a development dependency: this check runs in tests and CI, never on clerk PCs
import numpy as np
from formulas.ranges import Ranges
from python_calamine import CalamineWorkbook

from udfs.errors import RuleError
from udfs.registry import FUNCTIONS, PASS_THROUGH
from udfs.rulebook import today as engine_today
from udfs.xlcall import upstream

from . import layout
from .build import build_quote
from .process import process_file
from .samples import SAMPLES_DIR, sample_path
from .spec import ERROR_PREFIX, QUOTE_LINES, QUOTE_SHEET, REGISTERS, Template, quote_row

# every engine function our templates may call, by Excel name (derived from udfs.registry)
# (and ROW_CHECK, the templates' row gate, which takes its arguments as Excel passes them)
EXCEL_NAMES = [n for n, f in FUNCTIONS.items()
               if f.excel and (f.engine or (f.params and f.params[0].kind == "any"))]


def _scalar(x: Any) -> Any:
    """A formulas argument (Ranges, 1×1 array, scalar, empty marker) → a Python value."""
    if isinstance(x, Ranges):
        x = x.value
    if isinstance(x, np.ndarray):
        x = x.ravel()[0] if x.size else None
    if isinstance(x, np.generic):
        x = x.item()
    if x is None or type(x).__name__ in ("_Empty", "Empty") or str(x) == "empty":
        return None
    if type(x).__name__ == "XlError":
        raise ValueError(str(x))
    return x


def _to_excel(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return layout.serial(v)
    return v


def _cell(x: Any) -> Any:
    """A formulas argument as xlwings hands a cell to a pass-through function: an error
    value as its text (#N/A), never an exception."""
    if type(x).__name__ == "XlError":
        return str(x)
    try:
        return _scalar(x)
    except ValueError as e:
        return str(e)


def adapter(name: str) -> Callable[..., Any]:
    declared = FUNCTIONS[name]
    func = declared.func
    if declared.params and declared.params[0].kind in PASS_THROUGH:
        def pass_through(*args: Any) -> Any:     # ROW_CHECK: judges error values itself
            return _to_excel(func(*[_cell(a) for a in args]))
        pass_through.__name__ = name
        return pass_through

    def excel_function(*args: Any) -> Any:
        values = [_cell(a) for a in args]
        # an Excel error value, or an argument that already shows one of our errors: what
        # the Excel boundary shows (udfs.xlcall.upstream)
        shown = upstream(declared, values)
        if shown is not None:
            return shown
        try:
            return _to_excel(func(*values))
        except RuleError as e:
            return f"{ERROR_PREFIX}{e}"
    excel_function.__name__ = name
    return excel_function


def register_functions() -> None:
    functions = formulas.get_functions()
    for name in EXCEL_NAMES:
        functions[name] = adapter(name)
    # TODAY() is the engine's today (LOGIDESK_TODAY fixes it), as the processor computes with
    functions["TODAY"] = lambda: layout.serial(engine_today())


def evaluate(path: Path) -> dict[tuple[str, str], Any]:
    """(sheet, A1 cell) → value computed by the ``formulas`` package."""
    register_functions()
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    out: dict[tuple[str, str], Any] = {}
    for key, value in solution.items():
        if "!" not in key or ":" in key.split("!")[1]:
            continue
        sheet_part, cell = key.rsplit("!", 1)
        sheet = sheet_part.strip("'").split("]", 1)[-1]
        out[(sheet.upper(), cell.upper())] = _cell(getattr(value, "value", value))
    return out


def _norm(v: Any) -> Any:
    """Cached values (calamine) and evaluated values to one comparable form."""
    if v is None:
        return ""
    if isinstance(v, (dt.date, dt.datetime)):
        return round(layout.serial(v) * 86400)
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return round(float(v) * 100) if not math.isnan(v) else "NaN"
    return str(v)


def _norm_pair(a: Any, b: Any) -> tuple[Any, Any]:
    """Dates cached by calamine are date objects; evaluated ones are serials."""
    if isinstance(a, (dt.date, dt.datetime)) and isinstance(b, (int, float)):
        return round(layout.serial(a) * 86400), round(float(b) * 86400)
    if isinstance(b, (dt.date, dt.datetime)) and isinstance(a, (int, float)):
        return round(float(a) * 86400), round(layout.serial(b) * 86400)
    return _norm(a), _norm(b)


def read_cached(path: Path, sheet: str) -> list[list[Any]]:
    with CalamineWorkbook.from_path(str(path)) as wb:
        return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def check_register(sample: Path, tpl: Template, work: Path, results: bool = False) -> tuple[int, list[str]]:
    """Compare every computed cell and 汇总 cell — the sample's formulas and the result
    workbook's formulas against the result's cached values; returns (cells, mismatches)."""
    res = process_file(sample, work, progress=False)
    if res.refused or res.output is None:
        return 0, [f"{sample}: 处理失败：{res.refused}"]
    evaluated = evaluate(sample)
    cached = read_cached(res.output, tpl.sheet)
    mismatches, compared = _compare(tpl, res.rows, evaluated, cached, res.output)
    if not results:
        return compared, mismatches
    # The result workbook's own formulas (patched in by workbooks.result) must agree too
    # (slower: a result keeps the template's 500 pre-filled formula rows).
    m2, c2 = _compare(tpl, res.rows, evaluate(res.output), cached, res.output, "结果文件")
    return compared + c2, mismatches + m2


def _error_rows(tpl: Template, rows: int, evaluated: dict, cached: list[list[Any]]) -> int:
    """Rows of 2..rows+1 where a computed cell the engine evaluated shows 「错误：」, or whose
    guard input is blank while another input is filled (what 错误行数 counts)."""
    cols = [layout.col_letter(tpl.headers.index(c.header)) for c in tpl.computed]
    guards = set(tpl.computed[0].guard)
    at = {c.header: tpl.headers.index(c.header) for c in tpl.inputs}

    def orphan(i: int) -> bool:
        row = cached[i - 1]
        blank = lambda h: row[at[h]] in ("", None)  # noqa: E731
        return any(blank(g) for g in guards) and any(not blank(h) for h in at if h not in guards)
    return sum(1 for i in range(2, rows + 2)
               if any(str(evaluated.get((tpl.sheet.upper(), f"{c}{i}"), "")).startswith(ERROR_PREFIX) for c in cols)
               or orphan(i))


def _compare(tpl: Template, rows: int, evaluated: dict, cached: list[list[Any]], output: Path,
             label: str = "") -> tuple[list[str], int]:
    mismatches: list[str] = []
    compared = 0
    for i in range(1, rows + 1):
        row = cached[i]
        for col in tpl.computed:
            c = tpl.headers.index(col.header)
            ref = f"{layout.col_letter(c)}{i + 1}"
            got = evaluated.get((tpl.sheet.upper(), ref), "<缺失>")
            a, b = _norm_pair(row[c], got)
            compared += 1
            if a != b:
                mismatches.append(f"{label}{tpl.sheet}!{ref}（{col.header}）：处理结果 {row[c]!r}，公式计算 {got!r}")
    summary = read_cached(output, layout.SUMMARY_SHEET)
    for r in range(1, len(summary)):
        got = evaluated.get((layout.SUMMARY_SHEET.upper(), f"B{r + 1}"), "<缺失>")
        if summary[r][0] == layout.ERROR_ROWS_LABEL:
            # the engine cannot evaluate this SUMPRODUCT of array tests (LibreOffice does):
            # the rows whose cells the engine itself shows an error in
            got = float(_error_rows(tpl, rows, evaluated, cached))
        a, b = _norm_pair(summary[r][1], got)
        compared += 1
        if a != b:
            mismatches.append(f"{label}{layout.SUMMARY_SHEET}!B{r + 1}（{summary[r][0]}）：处理结果 {summary[r][1]!r}，公式计算 {got!r}")
    return mismatches, compared


def check_quote(template: Path) -> tuple[int, list[str]]:
    """The quote template: formulas evaluated on its example inputs == workbooks.quote."""
    evaluated = evaluate(template)
    cached = read_cached(template, QUOTE_SHEET)
    mismatches = []
    compared = 0
    for line in QUOTE_LINES:
        if line.expr is None:
            continue
        r = quote_row(line.label)
        got = evaluated.get((QUOTE_SHEET.upper(), f"B{r}"), "<缺失>")
        want = cached[r - 1][1]
        a, b = _norm_pair(want, got)
        compared += 1
        if a != b:
            mismatches.append(f"{QUOTE_SHEET}!B{r}（{line.label}）：Python {want!r}，公式计算 {got!r}")
    return compared, mismatches


def run(samples_dir: Path | None = None, results: bool = False) -> tuple[int, list[str]]:
    total, problems = 0, []
    with tempfile.TemporaryDirectory() as tmp:
        for kind, tpl in REGISTERS.items():
            n, bad = check_register(sample_path(kind, samples_dir or SAMPLES_DIR), tpl, Path(tmp), results)
            total += n
            problems += bad
        n, bad = check_quote(build_quote(Path(tmp) / "柜台报价.xlsx", example=True))
        total += n
        problems += bad
    return total, problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m workbooks.equivalence",
                                description="用 formulas 包计算模板公式，与处理结果逐格比对")
    p.add_argument("--samples", type=Path, default=None)
    p.add_argument("--results", action="store_true", help="同时计算结果文件中的公式（较慢）")
    a = p.parse_args(argv)
    total, problems = run(a.samples, a.results)
    for m in problems:
        print("✗ " + m)
    print(f"比对 {total} 个单元格，不一致 {len(problems)} 个")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
