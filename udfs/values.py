"""Reading one cell's value into a Python value, or a RuleError in plain Chinese.

Excel (through COM) gives floats, strings, booleans, None, datetimes and sometimes date
serials; Python callers give Decimal, int, date. Conversion happens here, once
(MONEY-1: money becomes integer fen half-up; fractions integer millionths).
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import RuleError
from .fixed import FEN, decimal_to_units
from .rulebook import Rules

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*"
                      r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$")
_TRUE = {"true", "是", "y", "yes", "1", "有", "√", "t"}
_FALSE = {"false", "否", "n", "no", "0", "无", "×", "f"}


def is_blank(x: Any) -> bool:
    if x is None:
        return True
    if isinstance(x, float) and math.isnan(x):
        return True
    if isinstance(x, str) and not x.strip():
        return True
    try:  # pandas NA / NaT without importing pandas here
        return bool(x != x)
    except (TypeError, ValueError):
        return False


def show(x: Any) -> str:
    """How a bad value is quoted back to the user."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def decimal(x: Any, field: str, rule: str | None) -> Decimal:
    """A number from int/float/Decimal/numeric text (commas, ¥ and 元 allowed)."""
    if isinstance(x, bool):
        raise RuleError(f"{field}应为数字，收到逻辑值「{x}」", rule)
    if isinstance(x, Decimal):
        value = x
    elif isinstance(x, int):
        value = Decimal(x)
    elif isinstance(x, float):
        if math.isinf(x) or math.isnan(x):
            raise RuleError(f"{field}不是有效数字", rule)
        value = Decimal(repr(float(x)))  # shortest repr: 0.1 stays 0.1 (float() for numpy floats)
    elif isinstance(x, str):
        cleaned = x.strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
        cleaned = cleaned.removesuffix("元").strip()
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise RuleError(f"{field}应为数字，收到文字「{x.strip()}」", rule) from None
        if not value.is_finite():
            raise RuleError(f"{field}应为数字，收到文字「{x.strip()}」", rule)
    elif hasattr(x, "item") and not isinstance(x, (dt.date, dt.datetime)):  # numpy scalar
        return decimal(x.item(), field, rule)
    else:
        raise RuleError(f"{field}应为数字，收到「{show(x)}」", rule)
    return value


def _required_number(x: Any, field: str, rule: str | None, required: bool) -> Decimal | None:
    if is_blank(x):
        if required:
            raise RuleError(f"缺少{field}", rule)
        return None
    return decimal(x, field, rule)


def money(x: Any, field: str, rule: str | None, rules: Rules, *,
          required: bool = False) -> int | None:
    """Yuan → integer fen (half-up). Blank → None (or an error when required)."""
    value = _required_number(x, field, rule, required)
    if value is None:
        return None
    if value < 0:
        raise RuleError(f"{field}不能为负数：{show(x)}", rule)
    fen = decimal_to_units(value, FEN)
    if fen > rules.max_fen:
        raise RuleError(f"{field}超出可计算范围（最高 {rules.max_fen // FEN} 元）：{show(x)}", rule)
    return fen


def fraction(x: Any, field: str, rule: str | None, rules: Rules, *,
             default: int | None = None, upper: Decimal | None = Decimal(1)) -> int | None:
    """A share or rate (0–1) → integer millionths. Accepts ``50%`` text."""
    if is_blank(x):
        return default
    if isinstance(x, str) and x.strip().endswith(("%", "％")):
        value = decimal(x.strip()[:-1], field, rule) / 100
    else:
        value = decimal(x, field, rule)
    if value < 0 and upper is None:
        raise RuleError(f"{field}不能为负数：{show(x)}", rule)
    if upper is not None and not 0 <= value <= upper:
        raise RuleError(f"{field}应在 0 到 {upper} 之间：{show(x)}", rule)
    return decimal_to_units(value, rules.frac_scale)


def integer(x: Any, field: str, rule: str | None, *, minimum: int = 0,
            required: bool = False) -> int | None:
    """A whole number (days, pieces)."""
    value = _required_number(x, field, rule, required)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise RuleError(f"{field}应为整数：{show(x)}", rule)
    if value < minimum:
        raise RuleError(f"{field}不能小于 {minimum}：{show(x)}", rule)
    return int(value)


def when(x: Any, field: str, rule: str | None, *, required: bool = True,
         keep_time: bool = False) -> dt.date | dt.datetime | None:
    """A date (or datetime when ``keep_time``) from date/datetime/serial/text."""
    if is_blank(x):
        if required:
            raise RuleError(f"缺少{field}", rule)
        return None
    if hasattr(x, "to_pydatetime"):
        x = x.to_pydatetime()
    if isinstance(x, dt.datetime):
        return x if keep_time else x.date()
    if isinstance(x, dt.date):
        return dt.datetime(x.year, x.month, x.day) if keep_time else x
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        if not 1 <= x < 2958466:
            raise RuleError(f"{field}不是有效日期：{show(x)}", rule)
        moment = dt.datetime(1899, 12, 30) + dt.timedelta(days=float(x))
        moment = moment.replace(microsecond=0)
        return moment if keep_time else moment.date()
    if isinstance(x, str):
        m = _DATE_RE.match(x)
        if m:
            y, mo, d, hh, mm, ss = m.groups()
            try:
                moment = dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
            except ValueError:
                raise RuleError(f"{field}不是有效日期：{x.strip()}", rule) from None
            return moment if keep_time else moment.date()
        raise RuleError(f"{field}不是日期：「{x.strip()}」（应为 2026-03-01 这样的日期）", rule)
    raise RuleError(f"{field}不是日期：「{show(x)}」", rule)


def flag(x: Any, field: str, rule: str | None, default: bool) -> bool:
    """是/否, TRUE/FALSE, 1/0 → bool; blank → default."""
    if is_blank(x):
        return default
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


def text(x: Any, field: str, rule: str | None, *, required: bool = True) -> str | None:
    if is_blank(x):
        if required:
            raise RuleError(f"缺少{field}", rule)
        return None
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x).strip()
