"""SAFE_SUM: the total of a range of money results, exact to the fen, that refuses what SUM
would skip — an error value, an error cell of ours, text, a logical value (MONEY-1, MONEY-2)."""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .errors import ERROR_PREFIX
from .xlvalues import Refused, error_text, error_value, grid, single

MAX_ABS = 1e15


def _describe(r: int, c: int, v: Any) -> str | None:
    """Why cell (r, c) of the range cannot be totalled, or None when it can."""
    where = f"第{r}行第{c}列"
    code = error_value(v)
    if code is not None:
        return f"{where}是 Excel 错误值 {code}"
    if isinstance(v, str):
        if v.startswith(ERROR_PREFIX):
            return f"{where}是错误单元格「{v[:40]}」"
        if v == "":
            return None
        return f"{where}是文字「{v[:20]}」，不是数字"
    if isinstance(v, bool):
        return f"{where}是逻辑值 {'TRUE' if v else 'FALSE'}，不是数字"
    if isinstance(v, (int, float)):
        if not math.isfinite(v) or abs(v) >= MAX_ABS:
            return f"{where}的数字超出可计算范围：{v}"
        return None
    if v is None:
        return None
    return f"{where}不是数字"


def safe_sum(values: Any) -> Any:
    """Total of a range of money results, exact to the fen; refuses what SUM would skip."""
    try:
        cells = grid(values)
    except Refused as e:
        return error_text(str(e))
    if cells is None:
        rows, cols, flat = 1, 1, [single(values)]
    else:
        rows, cols, flat = cells
    problems = []
    for i, v in enumerate(flat):
        why = _describe(i // cols + 1, i % cols + 1, v)
        if why is not None:
            problems.append(why)
    if problems:
        return error_text(f"区域内有 {len(problems)} 个单元格不能合计，第一个：{problems[0]}；"
                          "合计不可用，请先更正（MONEY-1）")
    total = Decimal(0)
    for v in flat:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            # MONEY-2: each amount is read at the fen (half-up), as a two-decimal cell shows it
            total += Decimal(repr(float(v))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(total)
