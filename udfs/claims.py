"""Claims: customer compensation (CMP-1..7, INS-4/5), freight waiver (CMP-4), acceptance
(CLM-5..7), e-commerce standard (ECM-1..5) and the branch-to-branch standard (NET-1..8).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from . import colparse as cp
from . import values as V
from .errors import RuleError
from .fees import COVER_CODE, COVER_LOSS_ONLY, COVER_NONE, category_cover, one
from .fixed import div_half_up, fen_to_decimal
from .rulebook import Rules, rules_for
from .workcal import add_months

LOSS, DAMAGE, MISMATCH, DELAY = 0, 1, 2, 3
TYPE_CODE = {"遗失": LOSS, "破损": DAMAGE, "内件不符": MISMATCH, "延误": DELAY}


def claim_type_code(r: Rules, claim_type: Any) -> int:
    if V.is_blank(claim_type):
        raise RuleError("缺少索赔类型（遗失、破损、内件不符、延误）", "CLM-1")
    return TYPE_CODE[r.claim_types.resolve(claim_type)]


# ---------------------------------------------------------------- customer (CMP-1..7)

def compensation_kernel(t, value, freight, insured, share, cover, k, scale):
    """CMP-1..7. insured → min(loss, insured); uninsured → min(loss, k × freight);
    破损/内件不符 × share lost (CMP-2, CMP-5); INS-4 goods count as uninsured (CMP-7);
    破损 of INS-5 goods is 0 (CMP-6)."""
    insured = np.where(cover == COVER_NONE, 0, insured)
    cap = np.where(insured > 0, insured, div_half_up(freight * k, scale))
    base = np.minimum(value, cap)
    partial = (t == DAMAGE) | (t == MISMATCH)
    amount = np.where(partial, div_half_up(base * share, scale), base)
    return np.where((t == DAMAGE) & (cover == COVER_LOSS_ONLY), 0, amount)


def freight_waiver_kernel(t, freight, share, scale):
    """CMP-4: freight waived for loss, delay and total damage; not partial damage/mismatch."""
    full = (t == LOSS) | (t == DELAY) | ((t == DAMAGE) & (share >= scale))
    return np.where(full, freight, 0)


def _compensation_args(claim_type, value, freight, insured_value, lost_share, category):
    r = rules_for(None)
    t = claim_type_code(r, claim_type)
    v = V.money(value, "物品价值", "CMP-1", r, required=True)
    f = V.money(freight, "运费", "CMP-1", r, required=True)
    i = V.money(insured_value, "保价金额", "CMP-1", r) or 0
    s = V.fraction(lost_share, "损失比例", "CMP-2", r, default=r.frac_scale)
    cat, cover = category_cover(r, category)
    return r, t, v, f, i, s, cat, cover


def compensation(claim_type: Any, value: Any, freight: Any, insured_value: Any = None,
                 lost_share: Any = None, category: Any = None) -> Decimal:
    """赔偿金额 (CMP-1..7): goods compensation to the customer."""
    r, t, v, f, i, s, _, cover = _compensation_args(claim_type, value, freight, insured_value,
                                                    lost_share, category)
    fen = compensation_kernel(one(t), one(v), one(f), one(i), one(s), one(cover),
                              r.k_multiple, r.frac_scale)[0]
    return fen_to_decimal(fen)


def compensation_fast(claim_type, value, freight, insured_value, lost_share, category):
    r = rules_for(None)
    t, tb, ok1 = cp.vocab_codes(claim_type, r.claim_types, TYPE_CODE.__getitem__)
    v, vb, ok2 = cp.money(value, r.max_fen)
    f, fb, ok3 = cp.money(freight, r.max_fen)
    i, _, ok4 = cp.money(insured_value, r.max_fen)
    s, sb, ok5 = cp.fraction(lost_share, r.frac_scale)
    s = np.where(sb, r.frac_scale, s)
    default = COVER_CODE[r.categories[r.categories.names[0]]["cover"]]
    cover, _, ok6 = cp.vocab_codes(category, r.categories,
                                   lambda c: COVER_CODE[r.categories[c]["cover"]], default)
    ok = ok1 & ~tb & ok2 & ~vb & ok3 & ~fb & ok4 & ok5 & ok6
    return compensation_kernel(t, v, f, i, s, cover, r.k_multiple, r.frac_scale), ok


def freight_waiver(claim_type: Any, freight: Any, lost_share: Any = None) -> Decimal:
    """免收运费 (CMP-4)."""
    r = rules_for(None)
    t = claim_type_code(r, claim_type)
    f = V.money(freight, "运费", "CMP-4", r, required=True)
    s = V.fraction(lost_share, "损失比例", "CMP-2", r, default=r.frac_scale)
    return fen_to_decimal(freight_waiver_kernel(one(t), one(f), one(s), r.frac_scale)[0])


def freight_waiver_fast(claim_type, freight, lost_share):
    r = rules_for(None)
    t, tb, ok1 = cp.vocab_codes(claim_type, r.claim_types, TYPE_CODE.__getitem__)
    f, fb, ok2 = cp.money(freight, r.max_fen)
    s, sb, ok3 = cp.fraction(lost_share, r.frac_scale)
    s = np.where(sb, r.frac_scale, s)
    return freight_waiver_kernel(t, f, s, r.frac_scale), ok1 & ~tb & ok2 & ~fb & ok3


def _yuan(fen: int) -> str:
    return f"{fen_to_decimal(fen):,.2f} 元"


def compensation_explain(claim_type: Any, value: Any, freight: Any, insured_value: Any = None,
                         lost_share: Any = None, category: Any = None) -> str:
    """赔偿说明: the rules applied (with IDs), base, cap, result and freight waiver."""
    r, t, v, f, i, s, cat, cover = _compensation_args(claim_type, value, freight, insured_value,
                                                      lost_share, category)
    name = [k for k, c in TYPE_CODE.items() if c == t][0]
    parts = [f"{name}（{r.claim_types[name]['rule']}），货物类别：{cat}"]
    amount = compensation_kernel(one(t), one(v), one(f), one(i), one(s), one(cover),
                                 r.k_multiple, r.frac_scale)[0]
    waiver = freight_waiver_kernel(one(t), one(f), one(s), r.frac_scale)[0]
    share_text = f"{Decimal(s) / r.frac_scale * 100:.4f}".rstrip("0").rstrip(".") + "%"
    if t == DAMAGE and cover == COVER_LOSS_ONLY:
        parts.append(f"{cat}只保灭失险，运单注明途中损坏承运方不承担责任，破损不予赔偿（CMP-6、INS-5）")
    else:
        effective_insured = 0 if cover == COVER_NONE else i
        if i > 0 and cover == COVER_NONE:
            parts.append(f"{cat}属不予保价货物，保价金额 {_yuan(i)} 不予认可，按未保价处理（CMP-7、INS-4）")
        if effective_insured > 0:
            cap, how = effective_insured, f"已保价，按实际损失与保价金额 {_yuan(effective_insured)} 孰低（CMP-1）"
        else:
            cap = div_half_up(f * r.k_multiple, r.frac_scale)
            k = f"{Decimal(r.k_multiple) / r.frac_scale:f}".rstrip("0").rstrip(".")
            how = f"未保价，按实际损失与 {k} 倍运费 {_yuan(cap)} 孰低（CMP-1）"
        base = min(v, cap)
        if t in (DAMAGE, MISMATCH):
            rule = "CMP-2" if t == DAMAGE else "CMP-5"
            parts.append(f"物品价值 {_yuan(v)}，{how}得 {_yuan(base)}，乘损失比例 {share_text}（{rule}）")
        elif t == DELAY:
            parts.append(f"延误造成的价值损失 {_yuan(v)}，按遗失或破损赔偿（CMP-3）；{how}")
        else:
            parts.append(f"遗失物品价值 {_yuan(v)}，{how}")
    parts.append(f"赔偿 {_yuan(amount)}")
    if waiver > 0:
        parts.append(f"免收本次运费 {_yuan(waiver)}（CMP-4）")
    else:
        parts.append("运费不免收（CMP-4：部分破损、内件不符不免运费）")
    return "；".join(parts) + r.note("compensation", "categories") + "。"   # company file: say so


# ---------------------------------------------------------------- acceptance (CLM-5..7)

def claim_check(ship_date: Any, claim_date: Any, cause: Any = None, insured: Any = None) -> str:
    """受理判定: 受理, or 不予受理：<reason>（rule）. One year from shipping (CLM-7, DATE-4)."""
    ship = V.when(ship_date, "寄件日期", "CLM-7")
    claim = V.when(claim_date, "索赔日期", "CLM-7")
    if claim < ship:
        raise RuleError(f"索赔日期 {claim.isoformat()} 早于寄件日期 {ship.isoformat()}", "CLM-7")
    r = rules_for(claim)
    last = add_months(np.array([ship], "datetime64[D]"), r.claim_window_months)[0].item()
    if claim > last:
        return f"不予受理：超过一年索赔时效（寄件日 {ship.isoformat()}，最迟 {last.isoformat()}）（CLM-5、CLM-7）"
    is_insured = V.flag(insured, "是否保价", "CLM-5", False)
    if V.is_blank(cause):
        return "受理"
    name = r.causes.resolve(cause)
    entry = r.causes[name]
    if entry.get("accept") or (entry.get("insured_exempt") and is_insured):
        return "受理"
    return f"不予受理：{entry['reason']}（{entry['rule']}）"


# ---------------------------------------------------------------- e-commerce (ECM-1..5)

def ecom_kernel(t, value, share, has_invoice, practical, e, scale):
    """ECM-5: loss = value × share; partial damage ≤ 500 (ECM-1), otherwise ≤ 2,000 (ECM-2);
    no formal invoice and loss ≥ 2,000 → ≤ 1,000 practical / 700 other (ECM-3)."""
    loss = div_half_up(value * share, scale)
    partial_damage = (t == DAMAGE) & (share < scale)
    cap = np.where(partial_damage, e["partial_damage_cap"], e["loss_cap"])
    no_invoice_cap = np.where(practical, e["no_invoice_practical_cap"], e["no_invoice_other_cap"])
    cap = np.where(~has_invoice & (loss >= e["no_invoice_from"]), np.minimum(cap, no_invoice_cap), cap)
    return np.minimum(loss, cap)


def ecom_compensation(claim_type: Any, value: Any, lost_share: Any = None,
                      has_invoice: Any = None, practical: Any = None) -> Decimal:
    """电商件赔偿 (ECM-1..5). has_invoice and practical default to 是."""
    r = rules_for(None)
    t = claim_type_code(r, claim_type)
    v = V.money(value, "物品价值", "ECM-2", r, required=True)
    s = V.fraction(lost_share, "损失比例", "ECM-5", r, default=r.frac_scale)
    inv = V.flag(has_invoice, "有正规发票", "ECM-3", True)
    pr = V.flag(practical, "实用性物品", "ECM-3", True)
    return fen_to_decimal(ecom_kernel(one(t), one(v), one(s), np.array([inv]), np.array([pr]),
                                      r.ecom, r.frac_scale)[0])


def ecom_compensation_fast(claim_type, value, lost_share, has_invoice, practical):
    r = rules_for(None)
    t, tb, ok1 = cp.vocab_codes(claim_type, r.claim_types, TYPE_CODE.__getitem__)
    v, vb, ok2 = cp.money(value, r.max_fen)
    s, sb, ok3 = cp.fraction(lost_share, r.frac_scale)
    s = np.where(sb, r.frac_scale, s)
    inv, _, ok4 = cp.flags(has_invoice, True)
    pr, _, ok5 = cp.flags(practical, True)
    out = ecom_kernel(t, v, s, inv, pr, r.ecom, r.frac_scale)
    return out, ok1 & ~tb & ok2 & ~vb & ok3 & ok4 & ok5


def ecom_high_value(value: Any) -> bool:
    """ECM-4: contents worth ≥ 3,000 follow the high-value process."""
    r = rules_for(None)
    v = V.money(value, "物品价值", "ECM-4", r, required=True)
    return v >= r.ecom["high_value_from"]


# ---------------------------------------------------------------- network (NET-1..8)

def network_compensation(claim_type: Any, actual_value: Any, days_late: Any = None,
                         weight_kg: Any = None, network: Any = None, batch: Any = None) -> Decimal:
    """网点赔付 (NET-1..3, 5..8), between branches.

    遗失: 1,000 per waybill (代理期 300); a batch pays its actual value up to 10,000 (5,000).
    延误: per day × days late, capped by weight class (≤ 1 kg included) or the batch cap.
    Every amount is capped by the actual value when one is given (NET-3, NET-8)."""
    r = rules_for(None)
    t = claim_type_code(r, claim_type)
    net_name = r.networks.names[0] if V.is_blank(network) else r.networks.resolve(network)
    std = r.networks[net_name]
    actual = V.money(actual_value, "实际价值", "NET-8", r) or 0
    is_batch = V.flag(batch, "批货", "NET-1", False)
    if t in (DAMAGE, MISMATCH):
        raise RuleError("网点间赔付标准只规定遗失和延误，破损、内件不符请按客户赔偿（CMP）处理", "NET-1")
    if t == LOSS:
        if "loss_per_waybill" not in std:
            raise RuleError(f"{net_name}网点未规定遗失赔付标准", "NET-1")
        rule = std["loss_rule"]
        if is_batch:
            if actual == 0:
                raise RuleError("批货遗失须填写实际价值（按实际价值赔付，有封顶）", rule)
            amount = min(actual, V.money(std["loss_batch_cap"], "", rule, r))
        else:
            amount = V.money(std["loss_per_waybill"], "", rule, r)
    else:
        rule = std["delay_rule"]
        days = V.integer(days_late, "延误天数", rule, minimum=0, required=True)
        per_day = V.money(std["delay_per_day"], "", rule, r)
        if is_batch:
            cap = V.money(std["delay_batch_cap"], "", rule, r)
        else:
            light = V.money(std["delay_cap_light"], "", rule, r)
            heavy = V.money(std["delay_cap_heavy"], "", rule, r)
            if light == heavy:
                cap = light
            else:
                w = V.fraction(weight_kg, "重量(kg)", rule, r, upper=None)
                if w is None:
                    raise RuleError("缺少重量(kg)：延误封顶按 1 kg 以内/以上区分", rule)
                cap = light if w <= r.net_light_kg else heavy
        amount = min(per_day * days, cap)
    if actual > 0:
        amount = min(amount, actual)
    return fen_to_decimal(amount)


def claim_check_fast(ship_date, claim_date, cause, insured):
    """Column form of claim_check: the one-year window and the causes, vectorised."""
    ship, sb, ok1 = cp.dates(ship_date)
    claim, cb, ok2 = cp.dates(claim_date)
    ok = ok1 & ok2 & ~sb & ~cb
    with np.errstate(invalid="ignore"):
        ok &= claim >= ship
    out = np.full(len(ok), None, dtype=object)
    if not ok.any():
        return out, ok
    first = rules_for(pd.Timestamp(claim[ok].min()).date())
    if first is not rules_for(pd.Timestamp(claim[ok].max()).date()):
        return out, np.zeros(len(ok), bool)      # several versions: per cell
    r = first
    ins, _, ok3 = cp.flags(insured, False)
    names, cblank, ok4 = cp.vocab(cause, r.causes)
    ok &= ok3 & ok4
    safe_ship = np.where(ok, ship, claim)
    last = add_months(safe_ship, r.claim_window_months)
    late = claim > last
    verdict = {}
    for name in r.causes.names:
        entry = r.causes[name]
        verdict[name] = (bool(entry.get("accept")), bool(entry.get("insured_exempt")),
                         f"不予受理：{entry['reason']}（{entry['rule']}）")
    accept = cblank.copy()
    text = np.full(len(ok), "受理", dtype=object)
    for name, (always, exempt, refusal) in verdict.items():
        rows = names == name
        if always:
            accept |= rows
        else:
            accept |= rows & exempt & ins
            text[rows & ~(exempt & ins)] = refusal
    text[accept] = "受理"
    if late.any():
        idx = np.flatnonzero(late & ok)
        for i in idx:
            text[i] = (f"不予受理：超过一年索赔时效（寄件日 {safe_ship[i].item().isoformat()}，"
                       f"最迟 {last[i].item().isoformat()}）（CLM-5、CLM-7）")
    return text, ok
