"""Counter quote (柜台报价, RULES.md §9): ``logidesk quote`` and the quote template's values.

Premium (INS-1), cover and waybill remark (INS-2..5), COD fee (COD-1), storage terms
(STO-1..3) and the total — each line the same function call as the template's formula.
"""
from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from typing import Any, Callable

import udfs
from udfs import values as V
from udfs.rulebook import rules_for

from .spec import ERROR_PREFIX

TOTAL_REFUSED = "有错误，请先更正"


def _try(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except udfs.RuleError as e:
        return f"{ERROR_PREFIX}{e}"


def _n(x: Any) -> Decimal:
    """Excel's N(): numbers stay, blank/text count as 0."""
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return Decimal(0)
    return Decimal(str(x))


def quote(freight: Any, declared: Any, cod: Any, category: Any, origin: Any, destination: Any,
          per_item: Any = None, on: dt.date | None = None) -> dict:
    """The counter quote. ``cells`` holds each template line's value (what Excel shows);
    the other keys are the same figures as Python values for callers."""
    today = on or udfs.today()
    free = rules_for(today).free_days
    inputs = (freight, declared, category, per_item, cod, origin, destination)
    if all(x is None or (isinstance(x, str) and x == "") for x in inputs):
        # the empty template: every computed line blank (spec.quote_blank), nothing to quote
        cells = {"保价费": "", "保价判定": "", "代收手续费": "", "免费保管天数": free, "日费率": "",
                 "逾期每日仓储费": "", "仓储条款": "", "合计": "", "报价日期": today}
        return {"freight": None, "declared": None, "cod": None, "category": None, "origin": None,
                "destination": None, "per_item": None, "premium": "", "cover": "", "cod_fee": "",
                "free_days": free, "storage_rate": "", "storage_daily": "", "storage_terms": "",
                "total": "", "cells": cells}
    per_item = declared if per_item is None else per_item
    freight_error = _try(lambda: V.money(freight, "运费", "STO-1", rules_for(today), required=True))
    premium = _try(lambda: udfs.insurance_premium(declared, None, None, category))   # INS-7

    def cover() -> str:
        text = udfs.insurance_check(category, per_item)
        if text == "不予保价":                     # INS-7: the quote says why
            name = rules_for(today).categories.resolve(category)
            text += f"：{name}属不予保价货物（INS-4），不收保价费，也不按声明价值赔偿（INS-7）"
        remark = udfs.insurance_remark(category)
        return text + (f"；运单备注：{remark}" if remark else "")
    check = _try(cover)
    cod_fee = Decimal("0.00") if _n(cod) == 0 else _try(lambda: udfs.cod_fee(cod))
    rate = _try(lambda: udfs.storage_rate(origin, destination))
    daily = _try(lambda: udfs.storage_fee(freight, today, today + dt.timedelta(days=free + 1),
                                          origin, destination))
    if isinstance(rate, Decimal) and isinstance(daily, Decimal):
        terms = (f"到货通知后免费保管{free}天，逾期每天按运费的{rate * 100:.0f}%计收，"
                 f"即{daily:.2f}元/天（STO-1）")
    else:
        terms = next(x for x in (rate, daily) if isinstance(x, str))
    parts = (freight_error, premium, check, cod_fee)
    if any(isinstance(x, str) and x.startswith(ERROR_PREFIX) for x in parts):
        total: Any = TOTAL_REFUSED
    else:
        total = (_n(freight) + premium + cod_fee).quantize(Decimal("0.01"))
    cells = {"保价费": premium, "保价判定": check, "代收手续费": cod_fee, "免费保管天数": free,
             "日费率": rate, "逾期每日仓储费": daily, "仓储条款": terms, "合计": total}
    cells = {k: (float(v) if isinstance(v, Decimal) else v) for k, v in cells.items()}
    cells["报价日期"] = today
    return {"freight": freight, "declared": declared, "cod": cod, "category": category,
            "origin": origin, "destination": destination, "per_item": per_item,
            "premium": premium, "cover": check, "cod_fee": cod_fee, "free_days": free,
            "storage_rate": rate, "storage_daily": daily, "storage_terms": terms, "total": total,
            "cells": cells}


def format_quote(q: dict) -> str:
    def money(x: Any) -> str:
        return f"{x:,.2f} 元" if isinstance(x, Decimal) else str(x)
    rate = q["storage_rate"]
    lines = [
        "柜台报价单",
        "─" * 30,
        f"运费　　　　：{money(_n(q['freight']).quantize(Decimal('0.01')))}",
        f"声明价值　　：{money(_n(q['declared']).quantize(Decimal('0.01')))}",
        f"货物类别　　：{q['category']}",
        f"代收金额　　：{money(_n(q['cod']).quantize(Decimal('0.01')))}",
        f"线路　　　　：{q['origin']} → {q['destination']}",
        "─" * 30,
        f"保价费　　　：{money(q['premium'])}（INS-1）",
        f"保价判定　　：{q['cover']}",
        f"代收手续费　：{money(q['cod_fee'])}（COD-1）",
        f"日费率　　　：{f'{rate * 100:.0f}%' if isinstance(rate, Decimal) else rate}",
        f"仓储条款　　：{q['storage_terms']}",
        "─" * 30,
        f"合计　　　　：{money(q['total'])}（运费＋保价费＋代收手续费）",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from addin.cliutil import ArgumentParser  # Chinese usage, help and argument errors
    p = ArgumentParser(quiet=False, prog="logidesk quote", description="柜台报价：保价费、代收手续费、仓储条款与合计")
    p.add_argument("--freight", required=True, help="运费（元）")
    p.add_argument("--declared", default="0", help="声明价值（元），不保价填 0")
    p.add_argument("--cod", default="0", help="代收金额（元），不代收填 0")
    p.add_argument("--category", default="普通货物", help="货物类别，如 普通货物、易碎品、精密仪器")
    p.add_argument("--from", dest="origin", required=True, help="始发地，如 福州")
    p.add_argument("--to", dest="destination", required=True, help="目的地，如 上海")
    p.add_argument("--per-item", default=None, help="单件价值（元），默认等于声明价值")
    a = p.parse_args(argv)
    nums = {}
    for key, label in (("freight", "运费"), ("declared", "声明价值"), ("cod", "代收金额"), ("per_item", "单件价值")):
        raw = getattr(a, key)
        try:
            # the engine's own reader: negatives, NaN, 1e30 and ambiguous text are refused
            # (MONEY-2, 金额超出范围) and no quote or total is printed
            if raw is not None and str(raw).strip().lower() in ("nan", "-nan", "+nan"):
                raise udfs.RuleError(f"{label}不是有效数字：{raw}", "MONEY-2")
            fen = None if raw is None else V.money(raw, label, "MONEY-2", rules_for(udfs.today()),
                                                   required=key == "freight")
        except udfs.RuleError as e:
            print(f"{ERROR_PREFIX}{e}", file=sys.stderr)
            return 2
        nums[key] = None if fen is None else Decimal(fen).scaleb(-2)
    q = quote(nums["freight"], nums["declared"], nums["cod"], a.category, a.origin, a.destination,
              nums["per_item"])
    print(format_quote(q))
    bad = [v for v in q["cells"].values() if isinstance(v, str) and v.startswith(ERROR_PREFIX)]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
