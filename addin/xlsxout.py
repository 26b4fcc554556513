"""The one writer of every workbook logidesk produces from data (reminder export, half-month
report): user text is always written as a string.

A clerk's text that starts with ``=``, ``+``, ``-`` or ``@`` (``=HYPERLINK(…)``, the DDE form
``=cmd|' /C calc'!A0``), an array form ``{=SUM(1)}`` or an ``http://`` address stays text:
XlsxWriter's ``strings_to_formulas``/``strings_to_urls``/``strings_to_numbers`` are off and
every ``str`` goes through ``write_string``. Formulas are written only where our code puts
them, through :func:`write_formula`. Files are written atomically (temp file + replace).
"""
from __future__ import annotations

import datetime as dt
import math
import re
import os
import tempfile
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Sequence

OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
           "nan_inf_to_errors": False}


def _blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    try:
        import pandas as pd
        return v is pd.NaT or (not isinstance(v, (str, bytes)) and bool(pd.isna(v)) is True)
    except (TypeError, ValueError):
        return False


@contextmanager
def workbook(path: str | os.PathLike, streaming: bool = True) -> Iterator[Any]:
    """An ``xlsxwriter.Workbook`` with the safe options, saved atomically to ``path`` when
    the block ends without error (nothing is left behind otherwise). ``streaming``:
    XlsxWriter's constant-memory mode — write each sheet top to bottom, a row's height
    before its cells."""
    import xlsxwriter
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb = xlsxwriter.Workbook(tmp, {**OPTIONS, "constant_memory": streaming,
                                       "tmpdir": str(path.parent)})
        wb.set_properties({"title": path.stem, "author": "logidesk"})
        yield wb
        wb.close()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(ws: Any, row: int, col: int, value: Any, fmt: Any = None, date_fmt: Any = None,
          money_fmt: Any = None) -> None:
    """One cell: str → string (never a formula/link), Decimal → number (money format),
    date/datetime → date, bool → boolean, blank → blank (keeps the border format)."""
    t = type(value)
    if t is str:  # the common case first: a text, always a string
        if value:
            ws.write_string(row, col, value, fmt)
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
    elif isinstance(value, str):
        if value:
            ws.write_string(row, col, value, fmt)
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
        try:
            ws.write_number(row, col, float(value), fmt)
        except (TypeError, ValueError):
            ws.write_string(row, col, str(value), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


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
                if v:
                    string(r, c, v, fmt)
                else:
                    blank(r, c, None, fmt)
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
