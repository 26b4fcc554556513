"""``logidesk quote``: the counter quote in the terminal (udfs.quote computes it).

Kept light for a counter answer from a cold start: the rules engine's per-cell modules only,
no pandas and no workbook layer (bench/bench_quote.py measures the whole process).
"""
from __future__ import annotations

import sys
from decimal import Decimal
from typing import Any

from cli.console import EXIT_ROWS, EXIT_USAGE, ArgumentParser
from udfs import tariff, values
from udfs.errors import ERROR_PREFIX, RuleError
from udfs.quote import format_quote, quote
from udfs.rulebook import rules_for, today

MONEY_OPTIONS = (("freight", "运费"), ("declared", "声明价值"), ("cod", "代收金额"), ("per_item", "单件价值"))


def parser() -> ArgumentParser:
    p = ArgumentParser(quiet=False, prog="logidesk quote",
                       description="柜台报价：按公司运价计算运费（区域、计费重量、价格），"
                                   "再算保价费、代收手续费、仓储条款与合计（FRT-1..3）")
    p.add_argument("--weight", default=None, metavar="千克", help="实际重量（千克）；不填 --freight 时必填（FRT-2）")
    p.add_argument("--size", default=None, metavar="长x宽x高",
                   help="尺寸（厘米），如 40x30x20；不填则不计体积重量（FRT-2）")
    p.add_argument("--freight", default=None, metavar="元",
                   help="运费（元）；填写则按此计收，不按运价表计算（FRT-3）")
    p.add_argument("--declared", default="0", metavar="元", help="声明价值（元），不保价填 0")
    p.add_argument("--cod", default="0", metavar="元", help="代收金额（元），不代收填 0")
    p.add_argument("--category", default="普通货物", metavar="类别", help="货物类别，如 普通货物、易碎品、精密仪器")
    p.add_argument("--from", dest="origin", required=True, metavar="地名", help="始发地（本网点），如 福州")
    p.add_argument("--to", dest="destination", required=True, metavar="地名", help="目的地：城市、省或含区县的地址，如 温州市鹿城区")
    p.add_argument("--per-item", default=None, metavar="元", help="单件价值（元），默认等于声明价值")
    return p


def _money_options(a: Any) -> dict[str, Decimal | None]:
    """The money options read as the engine reads a cell (MONEY-2): negatives, NaN, 1e30 and
    ambiguous text are refused before anything is quoted."""
    nums: dict[str, Decimal | None] = {}
    for key, label in MONEY_OPTIONS:
        raw = getattr(a, key)
        if raw is not None and str(raw).strip().lower() in ("nan", "-nan", "+nan"):
            raise RuleError(f"{label}不是有效数字：{raw}", "MONEY-2")
        fen = None if raw is None else values.money(raw, label, "MONEY-2", rules_for(today()))
        nums[key] = None if fen is None else Decimal(fen).scaleb(-2)
    return nums


def _shipment(a: Any, freight: Decimal | None) -> tuple[Any, ...]:
    """(weight, length, width, height) as typed, checked against the tariff (FRT-2)."""
    sides = tariff.parse_size(a.size) if a.size is not None else (None, None, None)
    if freight is not None and a.weight is None and a.size is None:
        return (None, None, None, None)
    t = tariff.tariff(rules_for(today()))
    if a.weight is None and freight is None:
        raise RuleError("缺少重量：不填 --freight 时按运价表计算运费，请给出 --weight（千克）", "FRT-2")
    if a.weight is not None:
        tariff.read_weight(t, a.weight)
    tariff.read_size(t, *sides)
    return (a.weight, *sides)


def main(argv: list[str] | None = None) -> int:
    a = parser().parse_args(argv)
    try:
        nums = _money_options(a)
        weight, length, width, height = _shipment(a, nums["freight"])
    except RuleError as e:
        print(f"{ERROR_PREFIX}{e}", file=sys.stderr)
        return EXIT_USAGE
    q = quote(nums["freight"], nums["declared"], nums["cod"], a.category, a.origin, a.destination,
              nums["per_item"], weight=weight, length=length, width=width, height=height)
    print(format_quote(q))
    bad = [v for v in q["cells"].values() if isinstance(v, str) and v.startswith(ERROR_PREFIX)]
    return EXIT_ROWS if bad else 0


if __name__ == "__main__":
    sys.exit(main())
