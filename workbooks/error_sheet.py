"""The 「错误清单」 sheet of a result: one row per problem (row, column, cell with a link to it,
the value as typed, the message with its rule, the rule ID), written as inline strings so
the clerk's shared-string table stays as it was; streamed in pieces."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from udfs.values import show

from .xlsx.cells import col_letter, escape, escape_attr, number_text
from .xlsx.styles import HEADER_FILL, StyleBook

MAX_LINKS = 65000                # Excel allows 65,530 hyperlinks per sheet
ERROR_HEADS = ("行号", "列名", "单元格", "值", "错误信息", "规则编号")
ERROR_WIDTHS = (7, 12, 9, 18, 70, 10)


_READS: dict[tuple[int, str], tuple[Any, list[str]]] = {}


def inputs_read(tpl: Any, header: str) -> list[str]:
    """The input columns a computed column reads, directly or through the computed columns it
    reads (受理判定 in 赔偿说明), in template order (worked out once per template column)."""
    key = (id(tpl), header)
    got = _READS.get(key)
    if got is None or got[0] is not tpl:
        got = _READS[key] = (tpl, _inputs_read(tpl, header))
    return got[1]


def _inputs_read(tpl: Any, header: str, _seen: frozenset[str] = frozenset()) -> list[str]:
    col = tpl.column(header)
    found: set[str] = set()

    def visit(node: Any) -> None:
        if node is None:
            return
        if isinstance(node, (list, tuple)):
            for x in node:
                visit(x)
            return
        if not hasattr(node, "evaluate"):
            return
        found.update(node.refs())
        own = getattr(node, "header", None)
        if isinstance(own, str):
            found.add(own)
        for f in getattr(node, "__dataclass_fields__", {}):
            visit(getattr(node, f))
        for f in ("args", "a", "b", "cond", "then", "other", "value"):
            if f not in getattr(node, "__dataclass_fields__", {}):
                visit(getattr(node, f, None))
    visit(col.expr)
    inputs = {c.header for c in tpl.inputs}
    out = set()
    for h in found:
        if h in inputs:
            out.add(h)
        elif h != header and h not in _seen and h in tpl.headers:
            out.update(_inputs_read(tpl, h, _seen | {header}))
    return [h for h in tpl.headers if h in out]


def input_named(tpl: Any, column: str, message: str) -> str | None:
    """The input column a computed cell's error message names first (索赔日期 in 「索赔日期 …
    早于寄件日期 …」, 损失比例 in 「缺少损失比例…」): the cell the clerk must change."""
    best: tuple[int, int, str] | None = None
    for h in inputs_read(tpl, column):
        at = message.find(h)
        if at >= 0 and (best is None or (at, -len(h)) < best[:2]):
            best = (at, -len(h), h)
    return best[2] if best else None


def raw_at(values: Sequence[Any] | None, rows: Any, row: int) -> Any:
    """What was typed in sheet row ``row`` of a chunk's column (``rows``: the chunk's sorted
    sheet rows), None when the column was not read."""
    if values is None:
        return None
    i = int(np.searchsorted(rows, row))
    return values[i] if i < len(values) else None


def to_fix(errors: Sequence[Any], tpl: Any, letter: Callable[[str, int], str],
           value: Callable[[str, int], Any] = lambda h, r: None) -> list[Any]:
    """The problems to fix, one per problem: a computed cell's error whose message names an
    input it reads is moved to that input cell (with what was typed there), and the same
    problem shown by several computed cells of a row (赔偿金额, 免收运费, 赔偿说明 all refusing
    a blank 损失比例; three deadlines of a complaint in a year without holiday data) is listed
    once, at its first cell."""
    out, seen = [], set()
    named: dict[tuple[str, str], str | None] = {}
    for e in errors:
        if e.kind == "computed":
            k = (e.column, e.message)
            h = named[k] if k in named else named.setdefault(k, input_named(tpl, e.column, e.message))
            if h is not None:
                # listed at the input to fix; still a formula's failure for what the row shows (ROW_CHECK)
                e = replace(e, column=h, letter=letter(h, e.row), value=value(h, e.row), input=True)
        key = (e.row, e.message)     # the same message in several cells of a row: one problem
        if key in seen:
            continue
        seen.add(key)
        out.append(e)
    return out


def cell_xml(ref: str, style: int | None, value: Any, formula: str | None = None) -> str:
    s = f' s="{style}"' if style is not None else ""
    f = f"<f>{escape(formula)}</f>" if formula else ""
    if value is None or value == "":
        if not f:
            return ""
        return f'<c r="{ref}"{s} t="str">{f}<v></v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b">{f}<v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}>{f}<v>{number_text(float(value))}</v></c>'
    text = escape(str(value))
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    if f:
        return f'<c r="{ref}"{s} t="str">{f}<v>{text}</v></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _shown(v: Any) -> str:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat(sep=" ") if isinstance(v, dt.datetime) and (v.hour or v.minute or v.second) \
            else v.strftime("%Y-%m-%d")
    return show(v)


def message_lines(message: str) -> int:
    """Lines a message takes wrapped in the 错误信息 column (a CJK character is about two
    width units): its row is made that high, viewers do not grow rows on their own."""
    units = sum(2 if ord(ch) > 0x2E80 else 1 for ch in message)
    return max(1, -(-units // int(ERROR_WIDTHS[4] * 0.95)))


def errors_sheet_parts(reg: Any, errors: Sequence[Any], styles: StyleBook, batch: int = 5000) -> Iterator[bytes]:
    """The 「错误清单」 sheet XML in pieces (a 1M-row register can list 200k errors; the
    sheet is streamed into the zip, never held whole)."""
    head_s = styles.named(bold=True, fill=HEADER_FILL, border=True)
    link_s = styles.named(link=True)
    wrap_s = styles.named(wrap=True)
    last = max(len(errors) + 1, 2)
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate(ERROR_WIDTHS))
    yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
           '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
           f'<dimension ref="A1:F{last}"/>'
           '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
           'state="frozen"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
           f"<cols>{cols}</cols><sheetData>"
           + '<row r="1">' + "".join(cell_xml(f"{col_letter(c)}1", head_s, h) for c, h in enumerate(ERROR_HEADS))
           + "</row>").encode("utf-8")
    quoted = "'" + reg.sheet_name.replace("'", "''") + "'"
    for lo in range(0, len(errors), batch):
        rows = []
        for r, e in enumerate(errors[lo:lo + batch], start=lo + 2):
            value = "" if e.value is None or e.value == "" else _shown(e.value)
            lines = message_lines(e.message)
            height = f' ht="{15 * lines}" customHeight="1"' if lines > 1 else ""
            rows.append(f'<row r="{r}"{height}>' + cell_xml(f"A{r}", None, float(e.row)) + cell_xml(f"B{r}", None, e.column)
                        + cell_xml(f"C{r}", link_s if r - 1 <= MAX_LINKS else None, e.letter)
                        + cell_xml(f"D{r}", None, value) + cell_xml(f"E{r}", wrap_s, e.message)
                        + cell_xml(f"F{r}", None, e.rule or "") + "</row>")
        yield "".join(rows).encode("utf-8")
    if not errors:
        yield ('<row r="2">' + cell_xml("A2", None, "没有错误。") + "</row>").encode("utf-8")
    yield b"</sheetData>"
    if errors:
        yield b"<hyperlinks>"
        for lo in range(0, min(len(errors), MAX_LINKS), batch):
            yield "".join(f'<hyperlink ref="C{r}" location="{escape_attr(quoted + "!" + e.letter)}" '
                          f'display="{escape_attr(e.letter)}"/>'
                          for r, e in enumerate(errors[lo:min(lo + batch, MAX_LINKS)], start=lo + 2)).encode("utf-8")
        yield b"</hyperlinks>"
    yield (b'<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
           b'<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>')
