"""The cell model: what one spreadsheet cell holds, as every reader of this product sees it.

Readers (the streaming sheet reader, openpyxl frames, xlwings through COM, a Python caller)
hand over raw values; this module is the one place that says what they mean:

- blank: ``None``, NaN/NaT/pandas NA, or text that is empty once cleaned (:func:`is_blank`);
- text: trimmed, full-width ASCII and ideographic spaces made half-width, zero-width
  characters removed, line breaks as ``\\n`` (Excel's Alt+Enter may be stored as CR LF)
  (:func:`clean_text`; ``_xHHHH_`` escapes are decoded where the XML is read);
- a date serial in the workbook's date system (1900 or 1904) ↔ datetime
  (:func:`from_serial`, :func:`to_serial`); a date in any form → ``dt.date`` (:func:`as_date`);
- an exact amount → Decimal (:func:`as_decimal`; the rules engine reads money at the fen,
  half-up, MONEY-2, in :mod:`udfs.values`);
- values that are not a value of the cell: an Excel error (:class:`XlError`), a formula
  saved without its result (:class:`NotCalculated`), stored text that is not a number
  (:class:`Unreadable`). None of them is ever blank; :func:`problem` says what is wrong.

The engine (``udfs``) and every workflow import from here; nothing here imports them.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation
from typing import Any

ERROR_CODES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
               "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!",
               "#UNKNOWN!", "#DATA!", "#PYTHON!")

NOT_CALCULATED = "公式没有计算结果，请在 Excel 中重新计算后保存"


class XlError(str):
    """An Excel error value such as ``XlError("#N/A")``: a str subclass so it prints as Excel
    shows it, but never equal to (or confused with) the text a clerk typed — test with
    ``isinstance(v, XlError)``."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, XlError) and type(other) is type(self) and str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash((type(self).__name__, str(self)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str.__repr__(self)})"

    def message(self, field: str) -> str:
        return f"{field}是 Excel 错误值 {self}（不能当作空白），请更正该单元格或其引用的单元格"


class NotCalculated(XlError):
    """A formula cell saved without its result (scripts, ERP exports, Excel in manual
    calculation): ``str`` is the formula with its '='. Never blank, never guessed."""

    __slots__ = ()

    def message(self, field: str) -> str:
        return f"{field}：{NOT_CALCULATED}" + (f"（单元格公式 {self}）" if self else "")


class Unreadable(XlError):
    """A cell whose stored text is not a value of its type (``<v>abc</v>`` in a number cell):
    ``str`` is that text."""

    __slots__ = ()

    def message(self, field: str) -> str:
        return f"{field}的单元格内容已损坏：数字单元格中存放的是「{self}」，请在 Excel 中重新输入该单元格"


def problem(x: Any, field: str, rule: str | None) -> str | None:
    """Why ``x`` is not a usable value of column ``field`` (rule-ID'd), or None."""
    if not isinstance(x, XlError):
        return None
    text = x.message(field)
    return f"{text}（{rule}）" if rule else text


# ----------------------------------------------------------------------------- text

_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0x00A0: 0x20})
_ZERO_WIDTH = {0x200B: None, 0x200C: None, 0x200D: None, 0x2060: None, 0xFEFF: None}
TEXT_TABLE = {**_WIDTH, **_ZERO_WIDTH}


def line_breaks(s: str) -> str:
    """CR LF and lone CR → LF (what an XML parser makes of stored line ends)."""
    return s.replace("\r\n", "\n").replace("\r", "\n") if "\r" in s else s


def clean_text(s: str) -> str:
    """Trimmed, half-width, without zero-width characters, ``\\n`` line breaks (what a clerk meant)."""
    if s.isascii():
        return line_breaks(s).strip()
    return line_breaks(s.translate(TEXT_TABLE)).strip()


def is_blank(x: Any) -> bool:
    """An empty cell: None, NaN, NaT/pandas NA, or text that cleans to nothing. An error
    value, a formula without its result or unreadable content is never blank."""
    if x is None:
        return True
    t = type(x)
    if t is str:
        return not x.strip() or (not x.isascii() and not clean_text(x))
    if t is float:
        return x != x
    if t.__name__ in ("NAType", "NaTType"):           # pandas' NaT is a datetime subclass
        return True
    if isinstance(x, (XlError, bool, int, Decimal, dt.date)):
        return isinstance(x, Decimal) and x.is_nan()
    if isinstance(x, str):
        return not clean_text(x)
    try:  # numpy/pandas NaN scalars without importing them here
        return bool(x != x)
    except (TypeError, ValueError):
        return False


# ----------------------------------------------------------------------------- dates

EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)
DAYS_1900_TO_1904 = (EPOCH_1904 - EPOCH_1900).days          # 1462
_MS_PER_DAY = 86_400_000


def from_serial(x: float, date1904: bool = False) -> dt.datetime:
    """Excel serial day number → datetime, rounded to the millisecond. In the 1900 system
    serials below 61 are shifted by Excel's phantom 1900-02-29 (serial 60 is shown as
    that non-existent day; it is read as 1900-02-28)."""
    if date1904:
        base = EPOCH_1904
    elif x < 61:
        base = EPOCH_1900 + dt.timedelta(days=1)
        if x >= 60:
            x = 59 + (x - 60)                   # the phantom day folds onto 02-28
    else:
        base = EPOCH_1900
    return base + dt.timedelta(milliseconds=round(x * _MS_PER_DAY))


_MARCH_1900 = dt.datetime(1900, 3, 1)


def to_serial(value: dt.date | dt.datetime, date1904: bool = False) -> float:
    """datetime/date → Excel serial of the workbook's date system (the inverse of
    :func:`from_serial`: in the 1900 system a day before 1900-03-01 counts from 1899-12-31,
    as Excel numbers them around its phantom 1900-02-29)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if date1904:
        base = EPOCH_1904
    else:
        base = EPOCH_1900 if value >= _MARCH_1900 else EPOCH_1900 + dt.timedelta(days=1)
    delta = value - base
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y年%m月%d日")


def as_date(x: Any, date1904: bool = False, *, lenient: bool = False) -> dt.date | None:
    """A cell as a date (datetime, date, Timestamp, ISO or 年月日 text, or a serial of the
    workbook's date system); None if blank. Anything else raises ValueError, or is None
    when ``lenient`` (a list that shows only what is a date)."""
    if type(x) is dt.date:
        return x
    if is_blank(x):
        return None
    try:
        return _as_date(x, date1904)
    except ValueError:
        if lenient:
            return None
        raise


def _as_date(x: Any, date1904: bool) -> dt.date:
    if isinstance(x, XlError):
        raise ValueError(f"日期无法识别：{x}")
    if hasattr(x, "to_pydatetime"):
        x = x.to_pydatetime()
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return from_serial(float(x), date1904).date()
    text = clean_text(str(x)).replace("/", "-").replace(".", "-")
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"日期无法识别：{x}")


def as_decimal(x: Any) -> Decimal | None:
    """A cell as an exact Decimal (floats via their shortest repr; ``1,200元``/``¥`` texts
    read); None if blank. Raises ValueError for anything else."""
    if isinstance(x, Decimal):
        return x
    if is_blank(x):
        return None
    if isinstance(x, XlError) or isinstance(x, bool):
        raise ValueError(f"不是数字：{x}")
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ValueError(f"不是数字：{x}")
        return Decimal(repr(float(x)))      # float(): a numpy float64 repr is np.float64(…)
    if isinstance(x, int):
        return Decimal(x)
    if hasattr(x, "item") and not isinstance(x, str):          # numpy scalar
        return as_decimal(x.item())
    text = clean_text(str(x)).replace(",", "").replace("¥", "").replace("￥", "").removesuffix("元").strip()
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"不是数字：{x}") from None
