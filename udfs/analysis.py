"""Major claims (ANL-3) and the analysis vocabularies (ANL-1) of the monthly damage analysis.

A claim is major when its amount claimed (物品价值 × 损失比例; a blank share is 1 for 遗失
and 0 for 延误 as in CMP-3, and unknown for 破损/内件不符, CMP-8) reaches the threshold of
the rules data, when it is an e-commerce claim (the ECM profile) whose contents are ECM-4
high-value, or when its declared value (保价金额) is over the INS-3 limit. Every figure comes from the rules version in force on the claim date.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .fixed import FEN
from .rulebook import Rules, rules_for

_HUNDRED = Decimal(FEN)


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / _HUNDRED:,.2f}"


def _dec(v: Any) -> Decimal | None:
    """A typed register value (Decimal money, float share as typed) as an exact Decimal."""
    if v is None or isinstance(v, bool) or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, Decimal):
        return v if v.is_finite() else None
    if isinstance(v, (int, float)):
        return Decimal(str(v))
    return None


def major_from(r: Rules) -> Decimal:
    """ANL-3: the amount claimed (yuan) from which a claim is major."""
    return Decimal(str(r.data["analysis"]["major_from"]))


def amount_claimed(claim_type: str, value: Any, lost_share: Any) -> Decimal | None:
    """物品价值 × 损失比例 (a blank share: 1 for 遗失, 0 for 延误; None for 破损/内件不符)."""
    v = _dec(value)
    if v is None:
        return None
    share = _dec(lost_share)
    if share is None:
        share = {"遗失": Decimal(1), "延误": Decimal(0)}.get(claim_type)
    return None if share is None else v * share


def major_reasons(claim_type: str, value: Any, lost_share: Any, insured: Any, ecommerce: bool = False,
                  when: dt.date | None = None) -> str:
    """Why a claim is major (ANL-3), each reason with its rule ID; "" when it is not."""
    r = rules_for(when)
    out = []
    claimed = amount_claimed(claim_type, value, lost_share)
    if claimed is not None and claimed >= major_from(r):
        out.append(f"索赔金额 {claimed:,.2f} 元达到 {major_from(r):,.0f} 元（{r.data['analysis']['major_rule']}）")
    v = _dec(value)
    if ecommerce and v is not None and v * _HUNDRED >= r.ecom["high_value_from"]:
        out.append(f"物品价值 {v:,.2f} 元，电商件高价值（{r.ecom['high_value_rule']}）")
    ins = _dec(insured)
    if ins is not None and ins * _HUNDRED > r.ins_safety_over:
        out.append(f"保价金额 {ins:,.2f} 元超过 {_yuan(r.ins_safety_over)} 元，须报集团客服部立案（{r.ins['safety_rule']}）")
    return "；".join(out)
