"""Amounts in Chinese financial capitals (人民币大写, 财务大写), e.g. 壹仟贰佰叁拾肆元伍角整.

Rounded half-up to the fen first (MONEY-1). Standard rules: groups of four digits (元/万/亿),
one 零 for any run of zeros inside the number, 整 after 元 or 角 when there is no 分.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_IN_GROUP = ("仟", "佰", "拾", "")
_GROUPS = ("", "万", "亿", "万亿")


def to_decimal(value: Any) -> Decimal:
    """Exact decimal of ``value`` rounded half-up to 0.01 元 (MONEY-1)."""
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError) as e:
        raise ValueError(f"金额无法识别：{value!r}") from e
    if not d.is_finite():
        raise ValueError(f"金额无法识别：{value!r}")
    return d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _group(n: int) -> str:
    """Text of one four-digit group (1..9999) without its group unit."""
    out: list[str] = []
    zero = False
    for digit, unit in zip(f"{n:04d}", _IN_GROUP):
        if digit == "0":
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGITS[int(digit)] + unit)
    return "".join(out)


def _integer(n: int) -> str:
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    if len(groups) > len(_GROUPS):
        raise ValueError("金额过大，无法转换为大写")
    out: list[str] = []
    zero_pending = False
    for pos in range(len(groups) - 1, -1, -1):
        g = groups[pos]
        if g == 0:
            zero_pending = bool(out)
            continue
        if out and (zero_pending or g < 1000):
            out.append("零")
        zero_pending = False
        out.append(_group(g) + _GROUPS[pos])
    return "".join(out)


def rmb_capitals(value: Any) -> str:
    """人民币大写 of ``value`` (MONEY-1 rounding): 0 → 零元整, 0.05 → 伍分, 1001 → 壹仟零壹元整."""
    d = to_decimal(value)
    sign = "负" if d < 0 else ""
    fen_total = int(abs(d) * 100)
    yuan, jiao, fen = fen_total // 100, (fen_total // 10) % 10, fen_total % 10
    if fen_total == 0:
        return "零元整"
    text = _integer(yuan) + "元" if yuan else ""
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan and fen:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    else:
        text += "整"
    return sign + text


def figures(value: Any) -> str:
    """Amount in figures with thousands separators and two decimals: 1,234.50."""
    return f"{to_decimal(value):,.2f}"
