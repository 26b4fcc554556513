"""XlsxWriter layout shared by the templates (build) and the result workbooks (process).

XlsxWriter writes .xlsx fast and streams rows (``constant_memory``), and it writes a
formula together with its cached value (``write_formula(..., value)``), so a result
workbook shows numbers in any viewer and keeps the live formula for Excel with the add-in.
It stores formulas as given: our functions are written by plain name (see spec.py).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .markers import MARKER_NAME, MARKER_SHEET, SETTINGS_SHEET
from .spec import (
    ERROR_PREFIX,
    INPUT_FORMATS,
    OPEN_LISTS,
    OUTPUT_FORMATS,
    QUOTE_LINES,
    QUOTE_SHEET,
    Column,
    QuoteLine,
    Template,
    col_letter,
    quote_blank,
    quote_cell,
    quote_row,
)
from .validation import has_aliases

LISTS_SHEET = "_lists"
SUMMARY_SHEET = "汇总"
ERRORS_SHEET = "错误清单"
RULES_SHEET = "规则"
VALIDATION_ROWS = 10000          # data validation and unlocked cells reach this far at least
FONT = "等线"                     # Excel's default CJK UI font; LibreOffice substitutes Noto CJK
# Excel recalculates on open a file saved by an older calc engine (calcId lower than its
# own). Result workbooks carry a current calcId and no fullCalcOnLoad, so Excel without the
# add-in keeps showing the cached values instead of turning them into #NAME?.
CURRENT_CALC_ID = 191029
PROTECT_OPTIONS = {
    "select_locked_cells": True, "select_unlocked_cells": True, "format_cells": True,
    "format_columns": True, "format_rows": True, "insert_rows": True, "autofilter": True,
    "sort": True,
}
PROTECTION_NOTE = ("本表保护计算列（无密码）：如需修改结构，请在「审阅」→「撤消工作表保护」直接解除，"
                   "不需要密码。")

LINE_HEIGHT = 14                 # points per wrapped line at the 10 pt body font
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def serial(value: dt.date | dt.datetime) -> float:
    """Excel serial day number of a date/datetime (1900 date system)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value - EXCEL_EPOCH
    return delta.days + delta.seconds / 86400


class Styles:
    """Formats created once per workbook, keyed by (kind, role)."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self._cache: dict[tuple, Any] = {}
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        self.base = base
        self.header_in = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1,
                                        "text_wrap": True, "align": "center"})
        self.header_out = wb.add_format({**base, "bold": True, "bg_color": "#E2EFDA", "border": 1,
                                         "text_wrap": True, "align": "center"})
        self.title = wb.add_format({**base, "bold": True, "font_size": 14})
        self.label = wb.add_format({**base, "bold": True, "bg_color": "#F2F2F2", "border": 1})
        self.note = wb.add_format({**base, "font_color": "#595959", "text_wrap": True})
        self.text = wb.add_format({**base, "text_wrap": True})
        self.unlocked_text = wb.add_format({**base, "locked": False, "border": 1, "num_format": "@"})
        self.error_fill = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})

    def cell(self, kind: str, *, computed: bool, bad: bool = False, wrap: bool = False) -> Any:
        key = (kind, computed, bad, wrap)
        if key not in self._cache:
            fmt = dict(self.base)
            fmt["num_format"] = (OUTPUT_FORMATS if computed else INPUT_FORMATS)[kind]
            fmt["border"] = 1
            fmt["border_color"] = "#BFBFBF"
            if computed:
                fmt["bg_color"] = "#F3F8EE"
            else:
                fmt["locked"] = False
            if wrap:
                fmt["text_wrap"] = True
            if bad:
                fmt["bg_color"] = "#FFC7CE"
                fmt["font_color"] = "#9C0006"
            self._cache[key] = self.wb.add_format(fmt)
        return self._cache[key]


def new_workbook(path: str, *, streaming: bool, template_mode: bool) -> Workbook:
    wb = xlsxwriter.Workbook(path, {"constant_memory": streaming, "strings_to_numbers": False,
                                    "strings_to_formulas": False, "strings_to_urls": False})
    if template_mode:
        wb.set_calc_mode("auto")          # fullCalcOnLoad stays on: recalculate on open
    else:
        wb.set_calc_mode("auto", calc_id=CURRENT_CALC_ID)
        wb.calc_on_load = False
    wb.set_properties({"title": "logidesk", "company": "logidesk", "comments": PROTECTION_NOTE,
                       "created": dt.datetime(2026, 1, 1)})
    return wb


def write_marker(wb: Workbook, kind: str, version: int, details: dict[str, str]) -> None:
    """Hidden marker: defined name LOGIDESK_TEMPLATE = "kind;version" + hidden sheet."""
    wb.define_name(MARKER_NAME, f'="{kind};{version}"')
    ws = wb.add_worksheet(MARKER_SHEET)
    rows = [("模板类型", kind), ("模板版本", str(version)), *details.items()]
    for r, (k, v) in enumerate(rows):
        ws.write_string(r, 0, k)
        ws.write_string(r, 1, str(v))
    ws.hide()


def write_lists(wb: Workbook, lists: dict[str, list[str]]) -> dict[str, str]:
    """Hidden sheet with one validation list per column; returns name → range formula."""
    ws = wb.add_worksheet(LISTS_SHEET)
    refs = {}
    for c, (name, values) in enumerate(lists.items()):
        ws.write_string(0, c, name)
        for r, v in enumerate(values, start=1):
            ws.write_string(r, c, v)
        letter = col_letter(c)
        refs[name] = f"={LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
    ws.hide()
    return refs


def validation_for(col: Column, lists: dict[str, str], names: dict[str, list[str]]) -> dict[str, Any] | None:
    """Excel data validation of an input column (the processor re-checks the same rules)."""
    rule = f"（{col.rule}）" if col.rule else ""
    opts: dict[str, Any]
    if col.choices in OPEN_LISTS:         # a suggestion: other places are read by STO-4
        opts = {"validate": "list", "source": lists[col.choices], "error_type": "information",
                "error_message": f"{col.header}不在下拉列表中：将按行政区划表确定线路（STO-4）"}
    elif col.choices:
        opts = {"validate": "list", "source": lists[col.choices],
                "error_message": f"请从下拉列表中选择{col.header}{rule}"}
        if has_aliases(col.choices):
            # an alias the 规则 sheet lists (普通 for 普通货物) is accepted by the functions and
            # the processor alike: Excel warns, and lets the clerk keep it
            opts["error_type"] = "warning"
            opts["error_message"] = (f"不在{col.header}下拉列表中。规则表「又称」列出的别名可以保留（按标准名称计算），"
                                     f"否则请从下拉列表中选择{rule}")
    elif col.kind == "date":
        opts = {"validate": "date", "criteria": "between", "minimum": dt.date(2000, 1, 1),
                "maximum": dt.date(2099, 12, 31),
                "error_message": f"{col.header}应为日期，如 2026-03-01{rule}"}
    elif col.kind in ("money", "number"):
        opts = {"validate": "decimal", "criteria": ">=", "value": 0,
                "error_message": f"{col.header}应为不小于 0 的数字{rule}"}
    elif col.kind == "share":
        opts = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
                "error_message": f"{col.header}应在 0%～100% 之间{rule}"}
    elif col.kind == "int":
        opts = {"validate": "integer", "criteria": ">=", "value": 0,
                "error_message": f"{col.header}应为不小于 0 的整数{rule}"}
    else:
        return None
    opts["error_title"] = "输入有误"
    if col.note:
        opts["input_title"] = col.header[:32]
        opts["input_message"] = col.note[:250]
    return opts


PRINT_HEIGHT = 450               # points of an A4 landscape page under the header row, at 100 %


def blank_print_rows(tpl: Template, rows: int = 30) -> int:
    """1-based last row a blank template prints: ``rows`` empty lines, fewer when its rows are
    several lines high (the complaint form's 回答要点), so that the empty form prints one page
    tall instead of pages of empty boxes."""
    lines = max((col.lines for col in tpl.columns if col.wrap), default=1)
    return 1 + max(1, min(rows, PRINT_HEIGHT // (LINE_HEIGHT * max(lines, 1))))


@dataclass
class SheetSetup:
    """Everything about the data sheet except its cell values."""

    tpl: Template
    last_row: int            # 1-based last sheet row that holds data or pre-filled formulas
    branch: str = ""
    print_rows: int = 0      # 1-based last row printed (a blank template prints a short form)


def setup_data_sheet(wb: Workbook, ws: Worksheet, setup: SheetSetup, styles: Styles,
                     lists: dict[str, str], names: dict[str, list[str]],
                     extra_headers: Sequence[str] = ()) -> None:
    """Header, widths, column formats, validation, freeze panes, print setup, protection."""
    tpl = setup.tpl
    lines = max((col.lines for col in tpl.columns if col.wrap), default=0)
    if lines:
        # every data row, also those a clerk adds, is high enough for the wrapped text;
        # the result keeps the sheet's default row height
        ws.set_default_row(LINE_HEIGHT * lines)
    ws.set_row(0, 32)
    for c, col in enumerate(tpl.columns):
        fmt = styles.cell(col.kind, computed=col.computed, wrap=col.wrap)
        ws.set_column(c, c, col.width, fmt)
        ws.write_string(0, c, col.header, styles.header_out if col.computed else styles.header_in)
    for j, h in enumerate(extra_headers):
        c = len(tpl.columns) + j
        ws.set_column(c, c, 12, styles.unlocked_text)
        ws.write_string(0, c, h, styles.header_in)
    ncols = len(tpl.columns) + len(extra_headers)
    # Unlock every column to the right too, so clerks may add their own notes.
    ws.set_column(ncols, 200, 10, styles.unlocked_text)
    last_valid = max(setup.last_row, VALIDATION_ROWS + 1)
    for c, col in enumerate(tpl.columns):
        if col.computed:
            continue
        opts = validation_for(col, lists, names)
        if opts:
            ws.data_validation(1, c, last_valid - 1, c, opts)
    first_out = min(c for c, col in enumerate(tpl.columns) if col.computed)
    ws.conditional_format(1, first_out, last_valid - 1, len(tpl.columns) - 1,
                          {"type": "text", "criteria": "begins with", "value": ERROR_PREFIX,
                           "format": styles.error_fill})
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(setup.last_row, 1) - 1, ncols - 1)
    ws.set_landscape()
    ws.set_paper(9)                       # A4
    ws.set_margins(left=0.3, right=0.3, top=0.7, bottom=0.6)
    ws.repeat_rows(0)
    total_width = sum(c.width for c in tpl.columns) + 12 * len(extra_headers)
    pages_wide = max(1, math.ceil(total_width / 190))   # keep print legible (≈75 % and up)
    if pages_wide > 1:
        ws.repeat_columns(0, 0)
    ws.fit_to_pages(pages_wide, 0)
    ws.print_area(0, 0, max(setup.print_rows or setup.last_row, 2) - 1, ncols - 1)
    branch = setup.branch.replace("&", "&&")
    ws.set_header(f'&L&"-,Bold"&14{tpl.title}&C{branch}&R打印日期：&D')
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.protect("", PROTECT_OPTIONS)
    ws.activate()


def write_settings(wb: Workbook, styles: Styles, settings: Sequence[tuple[str, Any]]) -> None:
    """「设置」: column A label, column B value (read by the notices helper)."""
    ws = wb.add_worksheet(SETTINGS_SHEET)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 36, styles.unlocked_text)
    ws.write_string(0, 0, "项目", styles.header_in)
    ws.write_string(0, 1, "内容", styles.header_in)
    for r, (k, v) in enumerate(settings, start=1):
        ws.write_string(r, 0, str(k), styles.label)
        if v is None or v == "":
            continue
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            ws.write_number(r, 1, v, styles.unlocked_text)
        else:
            ws.write_string(r, 1, str(v), styles.unlocked_text)
    # each note across both columns, its row as high as its wrapped lines (viewers do not grow
    # rows on their own: a wrapped note in a default-height row overlaps the next one)
    for r, text in enumerate(("说明：本网点等信息用于打印页眉与公告、函件。", "说明：" + PROTECTION_NOTE),
                             start=len(settings) + 2):
        ws.merge_range(r, 0, r, 1, text, styles.note)
        ws.set_row(r, LINE_HEIGHT * text_lines(text, 14 + 36))


def text_lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` units wide (a CJK character is about
    two units)."""
    return max(1, math.ceil(sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) / (width * 0.95)))


ERROR_ROWS_LABEL = "错误行数"   # rows with errors: 汇总, the console and 「错误清单」 count the same rows
OLD_SUMMARY_LABELS = {ERROR_ROWS_LABEL: ("错误单元格数",)}   # registers made with older templates


def summary_lines(tpl: Template, last_row: int, *, letter: Any = None, first_row: int = 2,
                  sheet: str | None = None) -> list[tuple[str, str]]:
    """(label, formula) of the 汇总 sheet. Totals refuse to add up a column with errors
    (SUM would silently skip the 「错误：」 text cells). ``letter``/``first_row``/``sheet``
    give the clerk's layout (columns moved, title rows above the header); the template's
    by default."""
    letter = letter or tpl.letter
    name = "'" + (sheet or tpl.sheet).replace("'", "''") + "'"
    rng = lambda h: f"{name}!{letter(h)}{first_row}:{letter(h)}{last_row}"  # noqa: E731
    # A row counts when any input cell is filled (what the processor counts).
    # (rows − rows whose every input is blank; COUNTIFS takes up to 127 ranges)
    pairs = ",".join(f'{rng(c.header)},""' for c in tpl.inputs)
    lines = [("登记行数", f"={last_row - first_row + 1}-COUNTIFS({pairs})")]
    # Rows with errors (the unit the console and 「错误清单」 use too), counted so that a sheet
    # whose functions did not run (#NAME? without the add-in, xlwings failure texts) never
    # looks clean: a row counts when any computed cell shows an error value, or — in a
    # number/date column — any non-empty text (1/LEN("") fails: "" is a guarded blank), or —
    # in a text column — a 「错误：」 text. (No IF: SUMPRODUCT evaluates these per row.)
    not_numbers = {c.header: f"(ROWS({rng(c.header)})-COUNT({rng(c.header)})-COUNTBLANK({rng(c.header)}))"
                   for c in tpl.computed}
    flags = [f"ISERROR({rng(c.header)})+ISTEXT({rng(c.header)})*ISNUMBER(1/LEN({rng(c.header)}))" if c.kind != "text"
             else f'ISERROR({rng(c.header)})+ISNUMBER(SEARCH("{ERROR_PREFIX}",{rng(c.header)}))'
             for c in tpl.computed]
    # and a row with its guard input blank (no computed cell shows anything) but another input
    # filled: the processor lists it (缺少运单号…), so it is a row with errors here too
    guards = list(tpl.computed[0].guard)   # the row gate's guard: blank → the row shows nothing
    unguarded = "+".join(f'({rng(g)}="")' for g in guards)
    filled = "+".join(f'({rng(c.header)}<>"")' for c in tpl.inputs if c.header not in guards)
    orphan = f"+(({unguarded})>0)*(({filled})>0)" if guards and filled else ""
    lines.append((ERROR_ROWS_LABEL, f"=SUMPRODUCT(--(({'+'.join(flags)}){orphan}>0))"))
    for c in tpl.computed:
        if not c.total:
            continue
        lines.append((f"{c.header}合计",
                      f'=IF({not_numbers[c.header]}>0,"有错误行，请先更正",SUM({rng(c.header)}))'))
    return lines


def write_summary(wb: Workbook, styles: Styles, tpl: Template, last_row: int,
                  values: Sequence[Any] | None = None) -> None:
    ws = wb.add_worksheet(SUMMARY_SHEET)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 20)
    ws.write_string(0, 0, "项目", styles.header_out)
    ws.write_string(0, 1, "数值", styles.header_out)
    money = wb.add_format({**styles.base, "num_format": "#,##0.00", "border": 1})
    plain = wb.add_format({**styles.base, "border": 1})
    for r, (label, formula) in enumerate(summary_lines(tpl, last_row), start=1):
        ws.write_string(r, 0, label, styles.label)
        value = values[r - 1] if values is not None else None
        fmt = money if label.endswith("合计") else plain
        if value is None:
            ws.write_formula(r, 1, formula, fmt)
        else:
            ws.write_formula(r, 1, formula, fmt, value)
    ws.protect("", PROTECT_OPTIONS)


def write_quote_sheet(wb: Workbook, styles: Styles, lists: dict[str, str],
                      values: dict[str, Any] | None = None) -> Worksheet:
    """柜台报价: one screen, label / value / note; printable as a small receipt (A5)."""
    ws = wb.add_worksheet(QUOTE_SHEET)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 46)
    ws.set_column(2, 2, 34)
    ws.write_string(0, 0, "项目", styles.header_in)
    ws.write_string(0, 1, "数值", styles.header_in)
    ws.write_string(0, 2, "说明", styles.header_in)
    for line in QUOTE_LINES:
        r = quote_row(line.label) - 1
        ws.set_row(r, QUOTE_ROW_HEIGHTS.get(line.label, 20))
        ws.write_string(r, 0, line.label, styles.label)
        ws.write_string(r, 2, line.note, styles.note)
        value = values.get(line.label) if values else None
        if line.label == FREE_DAYS:
            assert values is not None, "the quote's free days come with its values"
            ws.write_number(r, 1, values[FREE_DAYS], styles.cell("int", computed=True))
        elif line.expr is None:
            _write_quote_input(ws, r, line, styles, lists, line.example if values is None else value)
        else:
            fmt = styles.cell(line.kind, computed=True, wrap=line.kind == "text")
            formula = "=" + quote_blank(line.expr(quote_cell))
            if value is None:
                ws.write_formula(r, 1, formula, fmt)
            else:
                ws.write_formula(r, 1, formula, fmt, value)
    last = quote_row(QUOTE_LINES[-1].label)
    ws.conditional_format(1, 1, last - 1, 1, {"type": "text", "criteria": "begins with",
                                              "value": ERROR_PREFIX, "format": styles.error_fill})
    ws.merge_range(last + 1, 0, last + 1, 2, "本报价依据公司现行规则（见「规则」表），仅供柜台参考。", styles.note)
    ws.set_paper(11)                      # A5 receipt
    ws.set_portrait()
    ws.print_area(0, 0, last + 1, 2)      # the quote block and its note, nothing else
    ws.fit_to_pages(1, 1)
    ws.set_header('&C&"-,Bold"&12柜台报价单')
    ws.set_footer("&L打印日期：&D&R经办人：________")
    ws.protect("", PROTECT_OPTIONS)
    ws.activate()
    return ws


FREE_DAYS = "免费保管天数"           # the quote line the rules fill in (STO-2), neither typed nor a formula
QUOTE_ROW_HEIGHTS = {"运费说明": 60, "保价判定": 30, "仓储条款": 30}   # points; the other lines 20


def _write_quote_input(ws: Worksheet, r: int, line: QuoteLine, styles: Styles, lists: dict[str, str],
                       v: Any) -> None:
    """One input line of the quote: its value (or its default formula) and its validation."""
    fmt = styles.cell(line.kind, computed=False)
    if line.default is not None:
        if isinstance(v, dt.date):
            ws.write_formula(r, 1, "=" + line.default, fmt, serial(v))
        else:
            ws.write_formula(r, 1, "=" + line.default, fmt)
    elif v is None or v == "":
        ws.write_blank(r, 1, None, fmt)
    elif isinstance(v, str):
        ws.write_string(r, 1, v, fmt)
    elif isinstance(v, dt.date):
        ws.write_number(r, 1, serial(v), fmt)
    else:
        ws.write_number(r, 1, float(v), fmt)
    col = Column(line.label, line.kind, choices=line.choices)
    opts = validation_for(col, lists, {})
    if opts:
        ws.data_validation(r, 1, r, 1, opts)


def write_rules_sheet(wb: Workbook, styles: Styles, rows: Iterable[tuple[str, str, str, str]],
                      title: str) -> Worksheet:
    """规则: the rules in force, generated from the rules data, read-only (protected)."""
    ws = wb.add_worksheet(RULES_SHEET)
    widths = (12, 22, 70, 10)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w, styles.text)
    for c, h in enumerate(("类别", "项目", "内容", "依据")):
        ws.write_string(0, c, h, styles.header_out)
    r = 0
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            ws.write_string(r, c, str(v), styles.text)
        # Rows are sized here: viewers do not grow wrapped rows on their own. A CJK character
        # takes about two width units.
        lines = max(math.ceil(sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(v)) / (widths[c] * 0.95))
                    for c, v in enumerate(row))
        ws.set_row(r, 14 * max(lines, 1))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, r, 3)
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)
    ws.set_header(f'&L&"-,Bold"&14现行规则&C{title}&R打印日期：&D')
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.protect("", {"select_locked_cells": True, "select_unlocked_cells": True, "autofilter": True})
    return ws
