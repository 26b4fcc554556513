"""The counter quote (柜台报价, FRT-3, docs/rules.md): freight from the company's tariff (or the
freight the clerk typed, which overrides it), premium and cover (INS-1..7), COD fee (COD-1),
storage terms (STO-1..3) and the total — each line the same function call as the quote
template's formula (workbooks.spec.QUOTE_LINES), so the template, the ``logidesk quote``
command and the formula-equivalence check give the same figures.

Light on purpose: no pandas and no workbook layer (the counter answers from a cold start).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable

from . import fees, tariff, values
from .errors import ERROR_PREFIX, RuleError
from .rulebook import rules_for, today

TOTAL_REFUSED = "有错误，请先更正"
INPUTS = ("freight", "weight", "length", "width", "height", "declared", "category", "per_item", "cod",
          "origin", "destination")


def _try(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except RuleError as e:
        return f"{ERROR_PREFIX}{e}"


def _n(x: Any) -> Decimal:
    """Excel's N(): numbers stay, blank/text count as 0."""
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return Decimal(0)
    return Decimal(str(x))


def _is_error(x: Any) -> bool:
    return isinstance(x, str) and x.startswith(ERROR_PREFIX)


def _blank_quote(day: dt.date, free: int) -> dict:
    """The empty template: every computed line blank (spec.quote_blank), nothing to quote."""
    cells = {"计费运费": "", "运费说明": "", "保价费": "", "保价判定": "", "代收手续费": "",
             "免费保管天数": free, "日费率": "", "逾期每日仓储费": "", "仓储条款": "", "合计": "",
             "报价日期": day}
    return {**{k: None for k in INPUTS}, "freight_used": "", "freight_how": "", "detail": None,
            "overridden": False, "example": False, "premium": "", "cover": "", "cod_fee": "",
            "free_days": free, "storage_rate": "", "storage_daily": "", "storage_terms": "", "total": "",
            "cells": cells}


def _freight(freight: Any, origin: Any, destination: Any, size: tuple, day: dt.date) -> tuple:
    """(freight used or error text, how it was found, tariff detail or None) — FRT-1..3."""
    if not values.is_blank(freight):                        # FRT-3: the clerk's figure overrides
        used = _try(lambda: values.money(freight, "运费", "FRT-3", rules_for(day), required=True))
        return (used if _is_error(used) else Decimal(used).scaleb(-2)), tariff.OVERRIDE_NOTE, None
    try:
        detail = tariff.compute(origin, destination, *size)
    except RuleError as e:
        return f"{ERROR_PREFIX}{e}", f"{ERROR_PREFIX}{e}", None
    return detail.amount, tariff.explain(detail), detail


def _cover(category: Any, per_item: Any, day: dt.date) -> str:
    text = fees.insurance_check(category, per_item)
    if text == "不予保价":                     # INS-7: the quote says why
        name = rules_for(day).categories.resolve(category)
        text += f"：{name}属不予保价货物（INS-4），不收保价费，也不按声明价值赔偿（INS-7）"
    remark = fees.insurance_remark(category)
    return text + (f"；运单备注：{remark}" if remark else "")


def _storage(used: Any, origin: Any, destination: Any, day: dt.date, free: int) -> tuple[Any, Any, str]:
    rate = _try(lambda: fees.storage_rate(origin, destination))
    # an argument that already shows an error is shown unchanged, as in the template's cell
    daily = used if _is_error(used) else _try(
        lambda: fees.storage_fee(used, day, day + dt.timedelta(days=free + 1), origin, destination))
    if isinstance(rate, Decimal) and isinstance(daily, Decimal):
        terms = (f"到货通知后免费保管{free}天，逾期每天按运费的{rate * 100:.0f}%计收，"
                 f"即{daily:.2f}元/天（STO-1）")
    else:
        terms = next(x for x in (rate, daily) if isinstance(x, str))
    return rate, daily, terms


def quote(freight: Any, declared: Any, cod: Any, category: Any, origin: Any, destination: Any,
          per_item: Any = None, on: dt.date | None = None, weight: Any = None, length: Any = None,
          width: Any = None, height: Any = None) -> dict:
    """The counter quote. ``cells`` holds each template line's value (what Excel shows); the
    other keys are the same figures as Python values for callers. A blank ``freight`` is
    computed from the tariff (weight and size); a typed one overrides it (FRT-3)."""
    day = on or today()
    free = rules_for(day).free_days
    given = dict(freight=freight, weight=weight, length=length, width=width, height=height,
                 declared=declared, category=category, per_item=per_item, cod=cod, origin=origin,
                 destination=destination)
    if all(x is None or (isinstance(x, str) and x == "") for x in given.values()):
        return _blank_quote(day, free)
    per_item = declared if per_item is None else per_item
    used, how, detail = _freight(freight, origin, destination, (weight, length, width, height), day)
    premium = _try(lambda: fees.insurance_premium(declared, None, None, category))   # INS-7
    check = _try(lambda: _cover(category, per_item, day))
    cod_fee = Decimal("0.00") if _n(cod) == 0 else _try(lambda: fees.cod_fee(cod))
    rate, daily, terms = _storage(used, origin, destination, day, free)
    if any(_is_error(x) for x in (used, how, premium, check, cod_fee)):
        total: Any = TOTAL_REFUSED
    else:
        total = (used + premium + cod_fee).quantize(Decimal("0.01"))
    cells = {"计费运费": used, "运费说明": how, "保价费": premium, "保价判定": check, "代收手续费": cod_fee,
             "免费保管天数": free, "日费率": rate, "逾期每日仓储费": daily, "仓储条款": terms, "合计": total}
    cells = {k: (float(v) if isinstance(v, Decimal) else v) for k, v in cells.items()}
    cells["报价日期"] = day
    return {**given, "per_item": per_item, "freight_used": used, "freight_how": how, "detail": detail,
            "overridden": detail is None and not values.is_blank(freight),
            "example": bool(detail and detail.example), "premium": premium, "cover": check,
            "cod_fee": cod_fee, "free_days": free, "storage_rate": rate, "storage_daily": daily,
            "storage_terms": terms, "total": total, "cells": cells}


def _money(x: Any) -> str:
    return f"{x:,.2f} 元" if isinstance(x, Decimal) else str(x)


def _freight_lines(q: dict) -> list[str]:
    """How the freight was found (FRT-3): zone, chargeable weight, prices — or the override."""
    if q["overridden"]:
        return [f"运费　　　　：{_money(q['freight_used'])}；{tariff.OVERRIDE_NOTE}"]
    d = q["detail"]
    if d is None:                                          # the tariff refused (error text)
        return [f"运费　　　　：{q['freight_used']}"]
    lines = [f"区域　　　　：{d.zone.name}（{d.zone_how}）",
             f"计费重量　　：{tariff.weight_text(d)}",
             f"运价　　　　：{tariff.price_text(d)}",
             f"运费　　　　：{_money(d.amount)}（FRT-1）"]
    if d.example:
        lines.append(f"注意　　　　：{d.note}（FRT-1）")
    return lines


def format_quote(q: dict) -> str:
    rate = q["storage_rate"]
    size = "、".join(f"{s}{q[k]}" for s, k in zip(tariff.SIDES, ("length", "width", "height"))
                     if not values.is_blank(q[k]))
    lines = ["柜台报价单", "─" * 30,
             f"线路　　　　：{q['origin']} → {q['destination']}"]
    if not values.is_blank(q["weight"]):
        lines.append(f"重量　　　　：{q['weight']} kg" + (f"；尺寸 {size} 厘米" if size else ""))
    lines += [
        f"声明价值　　：{_money(_n(q['declared']).quantize(Decimal('0.01')))}",
        f"货物类别　　：{q['category']}",
        f"代收金额　　：{_money(_n(q['cod']).quantize(Decimal('0.01')))}",
        "─" * 30,
        *_freight_lines(q),
        f"保价费　　　：{_money(q['premium'])}（INS-1）",
        f"保价判定　　：{q['cover']}" + ("" if "（INS-" in str(q["cover"]) else "（INS-2～INS-5）"),
        f"代收手续费　：{_money(q['cod_fee'])}（COD-1）",
        f"日费率　　　：{f'{rate * 100:.0f}%（STO-3）' if isinstance(rate, Decimal) else rate}",
        f"仓储条款　　：{q['storage_terms']}",
        "─" * 30,
        f"合计　　　　：{_money(q['total'])}（运费＋保价费＋代收手续费，FRT-3）",
    ]
    return "\n".join(lines)
