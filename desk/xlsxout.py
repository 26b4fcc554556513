"""The one writer of every workbook logidesk produces from data (reminder export, half-month
report): user text is always written as a string.

A clerk's text that starts with ``=``, ``+``, ``-`` or ``@`` (``=HYPERLINK(…)``, the DDE form
``=cmd|' /C calc'!A0``), an array form ``{=SUM(1)}`` or an ``http://`` address stays text:
XlsxWriter's ``strings_to_formulas``/``strings_to_urls``/``strings_to_numbers`` are off and
every ``str`` goes through ``write_string``. Formulas are written only where our code puts
them, through :func:`write_formula`. Files are written atomically (temp file + replace).

Large tables (a half-month report has about a million cells) go through :func:`write_table`:
the same cells as :func:`write_rows`, built column by column as worksheet XML (inline
strings, one escape check per column) and put into the sheet XlsxWriter wrote when the
workbook is saved — XlsxWriter still writes everything else (styles, widths, print setup,
panes, filters, charts). A text is always an inline string, escaped, never a formula.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import re
import shutil
import tempfile
import weakref
import xml.etree.ElementTree as ET
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from udfs.cellvalue import EPOCH_1900, is_blank, to_serial
from workbooks.outputs import follow_umask
from workbooks.xlsx.cells import col_letter

OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
           "nan_inf_to_errors": False}


def _blank(v: Any) -> bool:
    """No value to write (texts, even empty ones, are written): the cell model's blank."""
    return not isinstance(v, (str, bytes)) and is_blank(v)


@contextmanager
def workbook(path: str | os.PathLike, streaming: bool = True) -> Iterator[Any]:
    """An ``xlsxwriter.Workbook`` with the safe options, saved atomically to ``path`` when
    the block ends without error (nothing is left behind otherwise). ``streaming``:
    XlsxWriter's constant-memory mode — write each sheet top to bottom, a row's height
    before its cells."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    scratch = tempfile.mkdtemp(prefix=".~logidesk-", dir=path.parent)  # XlsxWriter's row files
    try:
        wb = xlsxwriter.Workbook(tmp, {**OPTIONS, "constant_memory": streaming, "tmpdir": scratch})
        wb.set_properties({"title": path.stem, "author": "logidesk"})
        _OURS.add(wb)
        yield wb
        try:
            wb.close()
        except FileCreateError as e:  # disk full, read-only …: the OSError inside, for the caller
            raise (e.args[0] if e.args and isinstance(e.args[0], OSError) else OSError(str(e))) from e
        tables = {ws.get_name(): t for ws in wb.worksheets() if (t := _TABLES.pop(ws, None))}
        texts = {ws.get_name(): x for ws in wb.worksheets() if (x := _TEXTS.pop(ws, None))}
        if tables or texts:
            _splice(Path(tmp), tables, texts)
        follow_umask(tmp)  # mkstemp made it 0600: colleagues must be able to open it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# The look of the reports (half-month report, monthly analysis): one table of formats.
REPORT_FORMATS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 14},
    "sub": {"font_size": 10, "font_color": "#404040"},
    "head": {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True},
    "money": {"num_format": "#,##0.00", "border": 1},
    "cell": {"border": 1},
    "wrap": {"border": 1, "text_wrap": True, "valign": "top"},
    "date": {"num_format": "yyyy-mm-dd", "border": 1},
    "bold": {"border": 1, "bold": True},
    "bold_money": {"num_format": "#,##0.00", "border": 1, "bold": True},
}


def report_formats(wb: Any) -> dict[str, Any]:
    """The reports' formats (:data:`REPORT_FORMATS`) added to ``wb``, by name."""
    return {name: wb.add_format(spec) for name, spec in REPORT_FORMATS.items()}


def write(ws: Any, row: int, col: int, value: Any, fmt: Any = None, date_fmt: Any = None,
          money_fmt: Any = None) -> None:
    """One cell: str → string (never a formula/link), Decimal → number (money format),
    date/datetime → date, bool → boolean, blank → blank (keeps the border format)."""
    t = type(value)
    if t is str:  # the common case first: a text, always a string
        if value:
            _string(ws, row, col, value, fmt)
        else:
            ws.write_blank(row, col, None, fmt)
    elif value is None:
        ws.write_blank(row, col, None, fmt)
    elif t is int:  # exact types first (no pd.isna on every cell); the rest as before
        ws.write_number(row, col, float(value), fmt)
    elif t is Decimal and value.is_finite():
        ws.write_number(row, col, float(value), money_fmt or fmt)
    elif t is dt.date:
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), date_fmt or fmt)
    else:
        _write_other(ws, row, col, value, fmt, date_fmt, money_fmt)


def _write_other(ws: Any, row: int, col: int, value: Any, fmt: Any, date_fmt: Any, money_fmt: Any) -> None:
    """:func:`write` of a value that is not exactly a str, None, int, finite Decimal or date
    (subclasses, NaN, bool, datetime, pandas and numpy values)."""
    if isinstance(value, str):
        if value:
            _string(ws, row, col, str(value), fmt)
        else:
            ws.write_blank(row, col, None, fmt)
    elif _blank(value):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, Decimal):
        ws.write_number(row, col, float(value), money_fmt or fmt)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value, date_fmt or fmt)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), date_fmt or fmt)
    elif hasattr(value, "to_pydatetime"):
        ws.write_datetime(row, col, value.to_pydatetime(), date_fmt or fmt)
    elif isinstance(value, (int, float)) or type(value).__module__ == "numpy":
        _number(ws, row, col, value, fmt)
    else:
        _string(ws, row, col, str(value), fmt)


def _number(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    """A number (numpy's too), or its text when XlsxWriter cannot write it as one."""
    try:
        ws.write_number(row, col, float(value), fmt)
    except (TypeError, ValueError):
        _string(ws, row, col, str(value), fmt)


def _string(ws: Any, row: int, col: int, text: str, fmt: Any) -> None:
    """A text cell. XlsxWriter writes a text that starts with ``<r>`` and ends with ``</r>``
    into the sheet XML unescaped (as if it were its own rich-string markup), so a clerk's
    ``<r>…</r>`` could carry any XML, a formula included: such a text is put in as an
    escaped inline string when the workbook is saved (a number 0 holds its place)."""
    if text.startswith("<r>") and text.endswith("</r>"):
        _check_ours(ws)
        ws.write_number(row, col, 0, fmt)
        _TEXTS.setdefault(ws, []).append((row, col, text))
    else:
        ws.write_string(row, col, text, fmt)


def write_formula(ws: Any, row: int, col: int, formula: str, fmt: Any = None, value: Any = None) -> None:
    """A formula *we* put (totals); the only way formulas enter our workbooks."""
    ws.write_formula(row, col, formula, fmt, value)


def write_rows(ws: Any, first_row: int, rows: Sequence[Sequence[Any]], fmt: Any = None,
               date_fmt: Any = None, money_fmt: Any = None, progress: Any = None) -> int:
    """Rows of values from ``first_row``; returns the last row written. ``progress(n)`` is
    called every 2,000 rows with the rows written so far."""
    # The same cells as :func:`write`, with the frequent exact types (text, None, finite
    # Decimal, date) dispatched inline: about a million cells in a half-month report.
    string, blank, number, datetime = ws.write_string, ws.write_blank, ws.write_number, ws.write_datetime
    dfmt, mfmt = date_fmt or fmt, money_fmt or fmt
    combine, midnight = dt.datetime.combine, dt.time()
    r = first_row - 1
    for k, values in enumerate(rows):
        r = first_row + k
        for c, v in enumerate(values):
            t = type(v)
            if t is str:
                if not v:
                    blank(r, c, None, fmt)
                elif v[0] == "<":
                    _string(ws, r, c, v, fmt)
                else:
                    string(r, c, v, fmt)
            elif v is None:
                blank(r, c, None, fmt)
            elif t is Decimal and v.is_finite():
                number(r, c, float(v), mfmt)
            elif t is dt.date:
                datetime(r, c, combine(v, midnight), dfmt)
            else:
                write(ws, r, c, v, fmt, date_fmt, money_fmt)
        if progress and k % 2000 == 1999:
            progress(k + 1)
    if progress:
        progress(len(rows))
    return r


_WIDE = re.compile("[\u2e80-\U0010ffff]")  # CJK and wider: two columns each


def text_width(values: Sequence[Any], minimum: float = 6, maximum: float = 50) -> float:
    """Column width for values (a CJK character counts two)."""
    best = minimum
    for v in values:
        if _blank(v):
            continue
        s = v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else str(v)
        w = len(s) + (0 if s.isascii() else len(_WIDE.findall(s))) + 2
        best = max(best, w)
    return min(best, maximum)


# ----------------------------------------------------------------------------- large tables
#
# write_table renders its rows as worksheet XML (the elements XlsxWriter writes for the same
# calls: inline strings, numbers, blanks with their format), with a placeholder for each
# format's style id. It writes one probe cell per format in the table's first row through
# XlsxWriter; when the workbook is saved, the style ids are read from the probe row, which
# is then replaced by the table's rows.

_TABLES: "weakref.WeakKeyDictionary[Any, _Table]" = weakref.WeakKeyDictionary()
_TEXTS: "weakref.WeakKeyDictionary[Any, list[tuple[int, int, str]]]" = weakref.WeakKeyDictionary()
_OURS: "weakref.WeakSet[Any]" = weakref.WeakSet()  # workbooks opened by workbook(): they splice on save


def _check_ours(ws: Any) -> None:
    """Cells put in when the workbook is saved need a workbook from :func:`workbook`."""
    if not any(ws is w for wb in _OURS for w in wb.worksheets()):
        raise ValueError("xlsxout: this sheet is not in a workbook opened by xlsxout.workbook()")
_CHUNK = 4000  # rows rendered at a time (progress, memory)

_ESCAPE = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_EDGE_SPACE = re.compile(r"(?:^|\x01)\s|\s(?:\x01|$)")
_CONTROL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile("([\x00-\x08\x0b-\x1f])")
_LEADING, _TRAILING = re.compile(r"^\s"), re.compile(r"\s$")
_MAX_TEXT = 32767  # Excel's cell text limit, in UTF-16 units
_MARCH_1900 = dt.date(1900, 3, 1)               # from here on, serial = days since 1899-12-30
_SERIAL_0 = EPOCH_1900.toordinal()                # serial 0 of the 1900 system (cell model)


@dataclass
class _Table:
    first_row: int                          # 0-based sheet row of the first table row
    n_rows: int
    n_cols: int
    probes: list[int]                       # tokens of the formats probed at (first_row, 0..)
    chunks: list[bytes] = field(default_factory=list)   # <row> elements, style tokens inside


def _text(s: str) -> str:
    """A text as the content of <t>: Excel's limit, _xHHHH_ escapes, XML escapes (as
    XlsxWriter writes it), with xml:space="preserve" when it starts or ends with a space."""
    if len(s) > _MAX_TEXT // 2 and len(s.encode("utf-16-le", "surrogatepass")) // 2 > _MAX_TEXT:
        units = 0
        for i, ch in enumerate(s):
            units += 2 if ord(ch) > 0xFFFF else 1
            if units > _MAX_TEXT:
                s = s[:i]
                break
    s = _CONTROL_ESCAPE.sub(r"_x005F\1", s)
    s = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", s)
    s = s.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = bool(_LEADING.search(s) or _TRAILING.search(s))
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return ('<t xml:space="preserve">' if preserve else "<t>") + s


def _serial(v: dt.datetime) -> float:
    """Excel serial of a (naive) datetime, 1900 date system, as XlsxWriter computes it
    (the cell model's serial, but 1900-01-01 as XlsxWriter writes it: 0)."""
    if v.tzinfo is not None:
        raise TypeError("Excel 不支持带时区的日期时间")
    x = to_serial(v)
    return x - 1 if v.isocalendar() == (1900, 1, 1) else x


def _date_serial(d: dt.date) -> float:
    return _serial(dt.datetime(d.year, d.month, d.day))


# cell kinds: what write() does with a value
_S, _N, _M, _D, _B, _BLANK = range(6)


def _kind(v: Any) -> tuple[int, Any]:
    """(kind, payload) of a value, in the order and with the results of :func:`write`."""
    t = type(v)
    if t is str:
        return (_S, v) if v else (_BLANK, None)
    if v is None:
        return _BLANK, None
    if t is int:
        return _N, float(v)
    if t is Decimal and v.is_finite():
        return _M, float(v)
    if t is dt.date:
        return _D, _date_serial(v)
    return _other_kind(v)


def _other_kind(v: Any) -> tuple[int, Any]:
    """:func:`_kind` of a value that is not exactly a str, None, int, finite Decimal or date,
    as :func:`_write_other` writes it."""
    if isinstance(v, str):
        return (_S, str(v)) if v else (_BLANK, None)
    if _blank(v):
        return _BLANK, None
    if isinstance(v, bool):
        return _B, 1 if v else 0
    if isinstance(v, Decimal):
        x = float(v)
        if not math.isfinite(x):
            raise TypeError("NAN/INF not supported in write_number()")
        return _M, x
    if isinstance(v, dt.datetime):
        return _D, _serial(v)
    if isinstance(v, dt.date):
        return _D, _date_serial(v)
    if hasattr(v, "to_pydatetime"):
        return _D, _serial(v.to_pydatetime())
    if isinstance(v, (int, float)) or type(v).__module__ == "numpy":
        return _number_kind(v)
    return _S, str(v)


def _number_kind(v: Any) -> tuple[int, Any]:
    """A number (numpy's too) as a number, or as its text when it is not finite."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return _S, str(v)
    return (_N, x) if math.isfinite(x) else (_S, str(v))


def _style(token: int | None) -> str:
    return "" if token is None else f' s="\x01{token}\x02"'


def _column_xml(values: Sequence[Any], ref: Sequence[str], fmt: int | None, date_fmt: int | None,
                money_fmt: int | None, cell_fmts: Sequence[int | None] | None) -> list[str]:
    """The <c> elements of one column (``ref``: 'A5', 'A6', …); formats are probe tokens.
    A column of one kind (texts, money, dates) is rendered in one pass checked once."""
    if cell_fmts is None:
        types = set(map(type, values))
        if types <= {str, type(None)}:  # texts (the common case)
            return _text_column(values, ref, fmt)
        if types <= {Decimal, type(None)}:
            if all(map(Decimal.is_finite, [v for v in values if v is not None])):
                return _money_column(values, ref, fmt, money_fmt)
        elif types <= {dt.date, type(None)} and min(v for v in values if v is not None) >= _MARCH_1900:
            return _date_column(values, ref, fmt, date_fmt)
    return _mixed_column(values, ref, fmt, date_fmt, money_fmt, cell_fmts)


def _blank_cell(fmt: int | None) -> str:
    """The tail of a blank cell's element (``<c r="A5"`` + it), "" when it needs none."""
    return "" if fmt is None else f'{_style(fmt)}/>'


def _text_column(values: Sequence[Any], ref: Sequence[str], fmt: int | None) -> list[str]:
    """Texts and blanks: escaped only when some text needs it (one check for the column)."""
    texts = [v for v in values if v]
    plain = not (_ESCAPE.search("\n".join(texts)) or _EDGE_SPACE.search("\x01".join(texts))
                 or (texts and max(map(len, texts)) > _MAX_TEXT // 2))
    blank = _blank_cell(fmt)
    head = f'{_style(fmt)} t="inlineStr"><is>'
    if plain:
        return [f'<c r="{r}"{head}<t>{v}</t></is></c>' if v else (f'<c r="{r}"{blank}' if blank else "")
                for r, v in zip(ref, values)]
    return [f'<c r="{r}"{head}{_text(v)}</t></is></c>' if v else (f'<c r="{r}"{blank}' if blank else "")
            for r, v in zip(ref, values)]


def _money_column(values: Sequence[Any], ref: Sequence[str], fmt: int | None, money_fmt: int | None) -> list[str]:
    """Finite Decimals and blanks: floats in the money format, as write_number."""
    blank = _blank_cell(fmt)
    s = _style(fmt if money_fmt is None else money_fmt)
    return [f'<c r="{r}"{s}><v>{float(v):.16G}</v></c>' if v is not None else
            (f'<c r="{r}"{blank}' if blank else "") for r, v in zip(ref, values)]


def _date_column(values: Sequence[Any], ref: Sequence[str], fmt: int | None, date_fmt: int | None) -> list[str]:
    """Dates from March 1900 and blanks: whole serials (1900 system) in the date format."""
    blank = _blank_cell(fmt)
    s = _style(fmt if date_fmt is None else date_fmt)
    return [f'<c r="{r}"{s}><v>{v.toordinal() - _SERIAL_0}</v></c>' if v is not None else
            (f'<c r="{r}"{blank}' if blank else "") for r, v in zip(ref, values)]


def _mixed_column(values: Sequence[Any], ref: Sequence[str], fmt: int | None, date_fmt: int | None,
                  money_fmt: int | None, cell_fmts: Sequence[int | None] | None) -> list[str]:
    """Any values, cell by cell (:func:`_kind`), each with its own format where given."""
    out = []
    for i, (r, v) in enumerate(zip(ref, values)):
        f = fmt if cell_fmts is None or cell_fmts[i] is None else cell_fmts[i]
        kind, x = _kind(v)
        if kind == _S:
            out.append(f'<c r="{r}"{_style(f)} t="inlineStr"><is>{_text(x)}</t></is></c>')
        elif kind == _BLANK:
            out.append("" if f is None else f'<c r="{r}"{_style(f)}/>')
        elif kind == _B:
            out.append(f'<c r="{r}"{_style(f)} t="b"><v>{x}</v></c>')
        else:
            g = f if kind == _N else (date_fmt if kind == _D else money_fmt)
            out.append(f'<c r="{r}"{_style(f if g is None else g)}><v>{x:.16G}</v></c>')
    return out


def write_table(ws: Any, first_row: int, columns: Sequence[Sequence[Any]], fmt: Any = None,
                date_fmt: Any = None, money_fmt: Any = None, *,
                cell_formats: Mapping[int, Sequence[Any]] | None = None,
                heights: Sequence[float | None] | None = None,
                progress: Callable[[int], None] | None = None) -> int:
    """A table given column by column from ``first_row``: the cells of :func:`write_rows`
    (every text a string, never a formula), rendered as worksheet XML for speed. Returns
    the last row written.

    ``cell_formats``: per column, a format per row replacing ``fmt`` (None: ``fmt``) — the
    date and money formats still apply when given. ``heights``: per row, a height in points
    (None: default), as ``ws.set_row``. Nothing may be written below the table afterwards
    (its rows are put in when the workbook is saved). ``progress(n)`` as for write_rows."""
    cols = [list(c) for c in columns]
    n = len(cols[0]) if cols else 0
    per_cell = {j: list(v) for j, v in (cell_formats or {}).items()}
    probes = _formats_used(fmt, date_fmt, money_fmt, per_cell)
    if n == 0 or len(probes) > len(cols) or ws in _TABLES or any(len(c) != n for c in cols):
        return _write_cells(ws, first_row, cols, fmt, date_fmt, money_fmt, per_cell, heights, progress)

    def token(f: Any) -> int | None:
        return None if f is None else next(k for k, p in enumerate(probes) if p is f)
    tokens = _Tokens(token(fmt), token(date_fmt), token(money_fmt),  # None: the cell's format
                     {j: [None if f is None else token(f) for f in v] for j, v in per_cell.items()})
    chunks = _render(cols, first_row, tokens, heights, progress)
    used = _probes_in_use(chunks, len(probes))
    if not used:  # no formatted cell at all: nothing to probe, cell by cell is as quick
        return _write_cells(ws, first_row, cols, fmt, date_fmt, money_fmt, per_cell, heights, progress)
    _check_ours(ws)
    for j, k in enumerate(used):
        ws.write_blank(first_row, j, None, probes[k])
    _TABLES[ws] = _Table(first_row, n, len(cols), used, chunks)
    return first_row + n - 1


def _formats_used(fmt: Any, date_fmt: Any, money_fmt: Any, cell_formats: dict[int, list]) -> list[Any]:
    """The distinct formats a table may use (by identity), in a fixed order: its probes."""
    probes: list[Any] = []
    for f in (fmt, date_fmt or fmt, money_fmt or fmt, *(f for v in cell_formats.values() for f in v)):
        if f is not None and not any(f is p for p in probes):
            probes.append(f)
    return probes


@dataclass
class _Tokens:
    """A table's formats as probe tokens (None: the cell's own format, or none)."""

    fmt: int | None
    date: int | None
    money: int | None
    cells: dict[int, list[int | None]]   # per column with cell formats, a token per row


def _render(cols: list[list], first_row: int, tokens: _Tokens, heights: Sequence[float | None] | None,
            progress: Callable[[int], None] | None) -> list[bytes]:
    """The table's <row> elements, :data:`_CHUNK` rows at a time, style tokens inside."""
    n = len(cols[0])
    letters = [col_letter(j) for j in range(len(cols))]
    chunks = []
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        numbers = [str(first_row + 1 + i) for i in range(lo, hi)]
        cells = []
        for j, c in enumerate(cols):
            ref = [letters[j] + r for r in numbers]
            cf = tokens.cells[j][lo:hi] if j in tokens.cells else None
            cells.append(_column_xml(c[lo:hi], ref, tokens.fmt, tokens.date, tokens.money, cf))
        opens = _row_opens(numbers, heights[lo:hi] if heights is not None else None)
        chunks.append("".join(map("".join, zip(opens, *cells, ["</row>"] * (hi - lo)))).encode("utf-8"))
        if progress:
            progress(hi)
    return chunks


def _row_opens(numbers: list[str], heights: Sequence[float | None] | None) -> list[str]:
    """The opening <row> tag of each row, with its height where one is set (as ws.set_row)."""
    if heights is None:
        return [f'<row r="{r}">' for r in numbers]
    opens = []
    for r, h in zip(numbers, heights):
        px = None if h is None else int(h * 4.0 / 3.0 + 0.5)
        opens.append(f'<row r="{r}">' if px is None or px == 20 else
                     f'<row r="{r}" ht="{px * 0.75:.16g}" customHeight="1">')
    return opens


def _probes_in_use(chunks: list[bytes], n_probes: int) -> list[int]:
    """The probes the cells use, in the order they are first used (row by row)."""
    first_use = {}
    for k in range(n_probes):
        tok = b"\x01%d\x02" % k
        at = next(((c, pos) for c, chunk in enumerate(chunks) if (pos := chunk.find(tok)) >= 0), None)
        if at is not None:
            first_use[k] = at
    return sorted(first_use, key=first_use.__getitem__)


def _write_cells(ws: Any, first_row: int, cols: list[list], fmt: Any, date_fmt: Any, money_fmt: Any,
                 cell_formats: dict[int, list], heights: Sequence[float | None] | None,
                 progress: Callable[[int], None] | None) -> int:
    """write_table cell by cell, through XlsxWriter (small tables)."""
    rows = list(zip(*cols))
    for i, values in enumerate(rows):
        if heights is not None and heights[i] is not None:
            ws.set_row(first_row + i, heights[i])
        for j, v in enumerate(values):
            f = cell_formats[j][i] if j in cell_formats and cell_formats[j][i] is not None else fmt
            write(ws, first_row + i, j, v, f, date_fmt, money_fmt)
    if progress:
        progress(len(rows))
    return first_row + len(rows) - 1


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part in the package (xl/workbook.xml and its relationships)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): str(r.get("Target")) for r in rels}   # XlsxWriter writes every attribute
    book = ET.fromstring(z.read("xl/workbook.xml"))
    out = {}
    for s in book.iterfind("m:sheets/m:sheet", ns):
        t = target[s.get(rid)]
        out[str(s.get("name"))] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    return out


_PROBE_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"(?: s="(\d+)")?/>')


def _splice(path: Path, tables: dict[str, _Table], texts: dict[str, list[tuple[int, int, str]]]) -> None:
    """Put each table's rows in place of its probe row, and each ``<r>…</r>`` text in place
    of its number 0, in the saved package at ``path``."""
    tmp = path.with_name(path.name + ".splice")
    try:
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            names = {part: name for name, part in _sheet_parts(zin).items() if name in tables or name in texts}
            for info in zin.infolist():
                data = zin.read(info.filename)
                name = names.get(info.filename)
                if name is None:
                    zout.writestr(info, data)
                    continue
                xml, t = data.decode("utf-8"), tables.get(name)
                head, tail, styles = _cut(xml, t) if t else (xml, "", [])
                head = _put_texts(head, texts.get(name, ()))
                out = zipfile.ZipInfo(info.filename, info.date_time)
                out.compress_type = zipfile.ZIP_DEFLATED
                with zout.open(out, "w") as f:
                    f.write(head.encode("utf-8"))
                    if t:
                        tokens = [(b"\x01%d\x02" % k, s.encode()) for k, s in zip(t.probes, styles)]
                        for chunk in t.chunks:
                            for tok, sid in tokens:
                                chunk = chunk.replace(tok, sid)
                            f.write(chunk)
                    f.write(tail.encode("utf-8"))
        shutil.copymode(path, tmp)  # the saved file's permissions, as XlsxWriter's file had them
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


_NUMBER_0 = re.compile(r'<c r="([A-Z]+\d+)"( s="\d+")?><v>0</v></c>')


def _put_texts(xml: str, texts: Sequence[tuple[int, int, str]]) -> str:
    if not texts:
        return xml
    by_ref = {f"{col_letter(col)}{row + 1}": text for row, col, text in texts}

    def put(m: re.Match) -> str:
        text = by_ref.get(m.group(1))
        if text is None:
            return m.group(0)
        return f'<c r="{m.group(1)}"{m.group(2) or ""} t="inlineStr"><is>{_text(text)}</t></is></c>'
    return _NUMBER_0.sub(put, xml)


def _cut(xml: str, t: _Table) -> tuple[str, str, list[str]]:
    """(sheet XML before the table, after it, style id per probe) — the probe row must be
    the last row of the sheet and hold exactly the probe cells."""
    r = t.first_row + 1
    start = xml.find(f'<row r="{r}"')
    end = xml.find("</row>", start) + len("</row>")
    if start < 0 or not xml.startswith("</sheetData>", end):
        raise RuntimeError(f"write_table: row {r} is not the last row of its sheet")
    cells = _PROBE_CELL.findall(xml[start:end])
    if len(cells) != len(t.probes) or any(int(c[1]) != r for c in cells):
        raise RuntimeError(f"write_table: row {r} holds other cells than the table's")
    styles = [c[2] or "0" for c in cells]
    head = xml[:start]
    m = re.search(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/>', head)
    if m:
        last_col = max(_col_number(m.group(3) or m.group(1)), t.n_cols)
        ref = f'{m.group(1)}{m.group(2)}:{col_letter(last_col - 1)}{t.first_row + t.n_rows}'
        head = head[:m.start()] + f'<dimension ref="{ref}"/>' + head[m.end():]
    return head, xml[end:], styles


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n
