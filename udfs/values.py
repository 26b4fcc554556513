"""Reading one cell's value into the value a rule needs, or a RuleError in plain Chinese.

Excel (through COM) gives floats, strings, booleans, None, datetimes and sometimes date
serials; Python callers give Decimal, int, date. What a cell holds (blank, an Excel error, a
formula without its result, a serial of a date system) is the cell model's
(:mod:`udfs.cellvalue`); what it means for a rule is decided here, once (MONEY-2: money
becomes integer fen, half-up when read; shares and rates are read exactly, a float at its
shortest decimal form, as numerator / power-of-ten denominator).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, overload

from .cellvalue import EPOCH_1900, XlError, from_serial, is_blank
from .errors import RuleError
from .fixed import FEN, decimal_to_units
from .rulebook import Rules

_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*"
                      r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$")
YES = _TRUE = {"true", "是", "y", "yes", "1", "有", "√", "t"}
NO = _FALSE = {"false", "否", "n", "no", "0", "无", "×", "f"}


def usable(x: Any, field: str, rule: str | None) -> Any:
    """``x`` itself, or a RuleError when the cell holds no value of its own: an Excel error,
    a formula saved without its result, unreadable content (the cell model's message)."""
    if isinstance(x, XlError):
        raise RuleError(x.message(field), rule)
    return x


def show(x: Any) -> str:
    """How a bad value is quoted back to the user."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return str(x)


def _out_of_range(field: str, what: str, x: Any) -> str:
    return f"{what}超出范围：{field} {x}" if what else f"{field}超出范围：{x}"


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def decimal(x: Any, field: str, rule: str | None, what: str = "") -> Decimal:
    """A number from int/float/Decimal/numeric text (¥ and 元 allowed, commas only as
    thousands separators). Text that could be read two ways (``1.000,50``, ``1,5``) is
    refused, never guessed. ``what`` names the kind of value in range errors."""
    if isinstance(x, bool):
        raise RuleError(f"{field}应为数字，收到逻辑值「{x}」", rule)
    if isinstance(x, Decimal):
        value = x
    elif isinstance(x, int):
        value = Decimal(x)
    elif isinstance(x, float):
        value = _float_decimal(x, field, rule, what)
    elif isinstance(x, str):
        value = _text_decimal(x, field, rule)
    elif hasattr(x, "item") and not isinstance(x, (dt.date, dt.datetime)):  # numpy scalar
        return decimal(x.item(), field, rule, what)
    else:
        raise RuleError(f"{field}应为数字，收到「{show(x)}」", rule)
    if value.is_nan():
        raise RuleError(f"{field}不是有效数字", rule)
    if value.is_infinite():
        raise RuleError(_out_of_range(field, what, x), rule)
    return value


def _float_decimal(x: float, field: str, rule: str | None, what: str) -> Decimal:
    if math.isnan(x):
        raise RuleError(f"{field}不是有效数字", rule)
    if math.isinf(x):
        raise RuleError(_out_of_range(field, what, x), rule)
    return Decimal(repr(float(x)))  # shortest repr: 0.1 stays 0.1 (float() for numpy floats)


def _text_decimal(x: str, field: str, rule: str | None) -> Decimal:
    cleaned = x.strip().replace("，", ",").replace("¥", "").replace("￥", "")
    cleaned = cleaned.removesuffix("元").strip()
    if "," in cleaned:
        if not _THOUSANDS.match(cleaned):
            raise RuleError(f"{field}「{x.strip()}」的写法有歧义（逗号只能作千位分隔，"
                            f"小数点用「.」，如 1,000.50），请改写", rule)
        cleaned = cleaned.replace(",", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise RuleError(f"{field}应为数字，收到文字「{x.strip()}」", rule) from None
    if not value.is_finite():
        raise RuleError(f"{field}应为数字，收到文字「{x.strip()}」", rule)
    return value


def _required_number(x: Any, field: str, rule: str | None, required: bool,
                     what: str = "") -> Decimal | None:
    if is_blank(x):
        if required:
            raise RuleError(f"缺少{field}", rule)
        return None
    return decimal(usable(x, field, rule), field, rule, what)


@overload
def money(x: Any, field: str, rule: str | None, rules: Rules, *, required: Literal[True]) -> int: ...
@overload
def money(x: Any, field: str, rule: str | None, rules: Rules, *, required: bool = False) -> int | None: ...


def money(x: Any, field: str, rule: str | None, rules: Rules, *,
          required: bool = False) -> int | None:
    """Yuan → integer fen, half-up when read (MONEY-2: what a two-decimal cell shows).
    Blank → None (or an error when required); above the rules' maximum → 金额超出范围."""
    value = _required_number(x, field, rule, required, "金额")
    if value is None:
        return None
    if value < 0:
        raise RuleError(f"{field}不能为负数：{show(x)}", rule)
    limit = rules.max_fen // FEN
    if value > limit + 1:            # compare before scaling: 1e30 must not reach quantize
        raise RuleError(f"金额超出范围：{field} {show(x)}（最高 {limit:,} 元）", rule)
    fen = decimal_to_units(value, FEN)
    if fen > rules.max_fen:
        raise RuleError(f"金额超出范围：{field} {show(x)}（最高 {limit:,} 元）", rule)
    return fen


def ratio(x: Any, field: str, rule: str | None, *, default: tuple[int, int] | None = None,
          upper: Decimal | None = Decimal(1), min_den: int = 1) -> tuple[int, int] | None:
    """A share, rate or weight read exactly (MONEY-2): (numerator, denominator) with the
    denominator a power of ten (at least ``min_den``) — a float at its shortest decimal
    form, so =1/3 is 3333333333333333 / 10**16. Accepts ``50%`` text."""
    if is_blank(x):
        return default
    usable(x, field, rule)
    if isinstance(x, str) and x.strip().endswith(("%", "％")):
        value = decimal(x.strip()[:-1], field, rule).scaleb(-2)
    else:
        value = decimal(x, field, rule)
    if value < 0 and upper is None:
        raise RuleError(f"{field}不能为负数：{show(x)}", rule)
    if upper is not None and not 0 <= value <= upper:
        raise RuleError(f"{field}应在 0 到 {upper} 之间：{show(x)}", rule)
    exp = decimal_exponent(value)
    if value.adjusted() > 15 or -exp > 40:
        raise RuleError(f"{field}超出范围：{show(x)}", rule)
    den = 10 ** max(0, -exp)
    num = int(value.scaleb(max(0, -exp)))
    if den < min_den:
        num, den = num * (min_den // den), min_den
    return num, den


def decimal_exponent(value: Decimal) -> int:
    """The exponent of a finite Decimal (what :func:`decimal` returns)."""
    exp = value.as_tuple().exponent
    if not isinstance(exp, int):
        raise ValueError(f"not a finite number: {value}")
    return exp


def fraction(x: Any, field: str, rule: str | None, rules: Rules, *,
             default: tuple[int, int] | None = None,
             upper: Decimal | None = Decimal(1)) -> tuple[int, int] | None:
    """A share or rate read exactly (MONEY-2), as :func:`ratio` with the rules' scale as the
    smallest denominator (the register checker calls this)."""
    return ratio(x, field, rule, default=default, upper=upper, min_den=rules.frac_scale)


@overload
def integer(x: Any, field: str, rule: str | None, *, minimum: int = 0, required: Literal[True],
            maximum: int = 1_000_000) -> int: ...
@overload
def integer(x: Any, field: str, rule: str | None, *, minimum: int = 0, required: bool = False,
            maximum: int = 1_000_000) -> int | None: ...


def integer(x: Any, field: str, rule: str | None, *, minimum: int = 0,
            required: bool = False, maximum: int = 1_000_000) -> int | None:
    """A whole number (days, pieces, waybills), at most ``maximum``."""
    value = _required_number(x, field, rule, required)
    if value is None:
        return None
    if value < minimum:
        raise RuleError(f"{field}不能小于 {minimum}：{show(x)}", rule)
    if value > maximum:
        raise RuleError(f"{field}超出范围（最多 {maximum:,}）：{show(x)}", rule)
    if value != value.to_integral_value():
        raise RuleError(f"{field}应为整数：{show(x)}", rule)
    return int(value)


# Dates a register can mean: years 1900–2199 (a typo year such as 2926, or 260902 typed as
# a date, is refused rather than computed). Excel serials count from 1899-12-30;
# serials below 61 are Excel's fictitious 1900-02-29 and the days before it, so refused.
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
FIRST_SERIAL, END_SERIAL = 61, (dt.datetime(2200, 1, 1) - EPOCH_1900).days


def _in_range(moment: dt.date, field: str, rule: str | None, shown: str) -> None:
    day = moment.date() if isinstance(moment, dt.datetime) else moment
    if not FIRST_DATE <= day <= LAST_DATE:
        raise RuleError(f"{field}不是有效日期：{shown}（年份应在 {FIRST_DATE.year}–{LAST_DATE.year} 之间）", rule)


# what `when` returns, by its arguments: required → never None; keep_time → a datetime
@overload
def when(x: Any, field: str, rule: str | None, *, required: Literal[True] = True,
         keep_time: Literal[False] = False) -> dt.date: ...
@overload
def when(x: Any, field: str, rule: str | None, *, required: Literal[True] = True,
         keep_time: Literal[True]) -> dt.datetime: ...
@overload
def when(x: Any, field: str, rule: str | None, *, required: Literal[False],
         keep_time: Literal[True]) -> dt.datetime | None: ...
@overload
def when(x: Any, field: str, rule: str | None, *, required: bool = True,
         keep_time: bool = False) -> dt.date | dt.datetime | None: ...


def when(x: Any, field: str, rule: str | None, *, required: bool = True,
         keep_time: bool = False) -> dt.date | dt.datetime | None:
    """A date (or datetime when ``keep_time``) from date/datetime/serial/text."""
    if is_blank(x):
        if required:
            raise RuleError(f"缺少{field}", rule)
        return None
    x = _python_value(usable(x, field, rule), field, rule)
    if isinstance(x, dt.datetime):
        _in_range(x, field, rule, x.isoformat(sep=" "))
        return x if keep_time else x.date()
    if isinstance(x, dt.date):
        _in_range(x, field, rule, x.isoformat())
        return dt.datetime(x.year, x.month, x.day) if keep_time else x
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        moment = _serial_moment(x, field, rule)
    elif isinstance(x, str):
        moment = _text_moment(x, field, rule)
    else:
        raise RuleError(f"{field}不是日期：「{show(x)}」", rule)
    return moment if keep_time else moment.date()


def _python_value(x: Any, field: str, rule: str | None) -> Any:
    """A pandas Timestamp, numpy datetime64 or numpy scalar as the Python value it holds."""
    if hasattr(x, "to_pydatetime"):
        x = x.to_pydatetime()
    if type(x).__name__ == "datetime64":                       # numpy datetime64 scalar
        x = x.astype("datetime64[us]").item()
        if not isinstance(x, dt.datetime):                      # beyond datetime's years
            raise RuleError(f"{field}不是有效日期：{x}（年份应在 {FIRST_DATE.year}–{LAST_DATE.year} 之间）", rule)
    if hasattr(x, "item") and not isinstance(x, (str, dt.date)):   # numpy scalar
        x = x.item()
    return x


def _serial_moment(x: float, field: str, rule: str | None) -> dt.datetime:
    if not (math.isfinite(x) and FIRST_SERIAL <= x < END_SERIAL):
        raise RuleError(f"{field}不是有效日期：{show(x)}（日期序号应对应 1900–2199 年；"
                        f"请写成 2026-09-02 这样的日期）", rule)
    return from_serial(float(x)).replace(microsecond=0)


def _text_moment(x: str, field: str, rule: str | None) -> dt.datetime:
    m = _DATE_RE.match(x)
    if not m:
        raise RuleError(f"{field}不是日期：「{x.strip()}」（应为 2026-03-01 这样的日期）", rule)
    y, mo, d, hh, mm, ss = m.groups()
    try:
        moment = dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        raise RuleError(f"{field}不是有效日期：{x.strip()}", rule) from None
    _in_range(moment, field, rule, x.strip())
    return moment


def flag(x: Any, field: str, rule: str | None, default: bool) -> bool:
    """是/否, TRUE/FALSE, 1/0 → bool; blank → default."""
    if is_blank(x):
        return default
    usable(x, field, rule)
    if isinstance(x, bool):
        return x
    if isinstance(x, (int, float)) and x in (0, 1):
        return bool(x)
    key = str(x).strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise RuleError(f"{field}应填「是」或「否」，收到「{show(x)}」", rule)


@overload
def text(x: Any, field: str, rule: str | None, *, required: Literal[True] = True) -> str: ...
@overload
def text(x: Any, field: str, rule: str | None, *, required: bool = True) -> str | None: ...


def text(x: Any, field: str, rule: str | None, *, required: bool = True) -> str | None:
    if is_blank(x):
        if required:
            raise RuleError(f"缺少{field}", rule)
        return None
    usable(x, field, rule)
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return str(x).strip()
