"""Claims: customer compensation (CMP-1..7, INS-4/5), freight waiver (CMP-4), acceptance
(CLM-5..7), e-commerce standard (ECM-1..5) and the branch-to-branch standard (NET-1..8).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import numpy as np
import pandas as pd

from . import colparse, values
from .errors import RuleError
from .fees import COVER_CODE, COVER_LOSS_ONLY, COVER_NONE, category_cover
from .fixed import as_int_array, div_half_up, fen_to_decimal
from .rulebook import Rules, rules_for
from .workcal import add_months, calendar

LOSS, DAMAGE, MISMATCH, DELAY = 0, 1, 2, 3
TYPE_CODE = {"遗失": LOSS, "破损": DAMAGE, "内件不符": MISMATCH, "延误": DELAY}


def one(x: int) -> np.ndarray:
    """A one-row exact (Python int) array (the per-cell path of the claim rules)."""
    return np.array([x], dtype=object)


def claim_type_code(r: Rules, claim_type: Any) -> int:
    if values.is_blank(claim_type):
        raise RuleError("缺少索赔类型（遗失、破损、内件不符、延误）", "CLM-1")
    return TYPE_CODE[r.claim_types.resolve(claim_type)]


# ---------------------------------------------------------------- customer (CMP-1..8)

def compensation_kernel(t, value, freight, insured, share, share_den, cover, k, scale):
    """CMP-1..8. insured → min(loss, insured); uninsured → min(loss, k × freight);
    破损/内件不符 × share lost (CMP-2, CMP-5); 延误 × the share the delay destroyed, as damage
    or at share 1 as loss (CMP-3 Decision); INS-4 goods count as uninsured (CMP-7);
    damage (破损) of INS-5 goods is 0 (CMP-6). Shares are exact: share / share_den (MONEY-2)."""
    insured = np.where(cover == COVER_NONE, 0, insured)
    cap = np.where(insured > 0, insured, div_half_up(freight * k, scale))
    base = np.minimum(value, cap)
    partial = (t == DAMAGE) | (t == MISMATCH) | (t == DELAY)
    amount = np.where(partial, div_half_up(base * share, share_den), base)
    # CMP-6 covers 破损 only: a delay's destroyed value (CMP-3) and missing contents (CMP-5)
    # of loss-only goods are compensated normally
    return np.where((t == DAMAGE) & (cover == COVER_LOSS_ONLY), 0, amount)


def freight_waiver_kernel(t, freight, share, share_den):
    """CMP-4: freight waived for loss, delay and total damage; not partial damage/mismatch."""
    full = (t == LOSS) | (t == DELAY) | ((t == DAMAGE) & (share >= share_den))
    return np.where(full, freight, 0)


def share_of(r: Rules, t: int, lost_share: Any, rule: str = "CMP-2") -> tuple[int, int]:
    """损失比例 read exactly (MONEY-2). Blank: 1 for 遗失, 0 for 延误 (CMP-3 Decision), an
    error for 破损 and 内件不符 (CMP-8)."""
    share = values.ratio(lost_share, "损失比例", rule, min_den=r.frac_scale)
    if share is not None:
        return share
    if t in (DAMAGE, MISMATCH):
        raise RuleError("缺少损失比例：破损、内件不符须填写损失比例（如 0.4 或 40%），"
                        "不按 100% 计算（CMP-2、CMP-8）", "CMP-8")
    return (0 if t == DELAY else r.frac_scale), r.frac_scale


def _column_shares(r: Rules, t, lost_share):
    """Column form of share_of: (units at frac_scale, ok, exact) where ``exact`` = (rows,
    nums, dens) for shares with more places than frac_scale (=1/3), read exactly (MONEY-2).
    Blank 破损/内件不符 rows are not ok (the per-cell path gives the CMP-8 error)."""
    s, sb, ok, rows, nums, dens = colparse.fraction_exact(lost_share, r.frac_scale)
    s = np.where(sb, np.where(t == DELAY, 0, r.frac_scale), s)
    ok = ok & ~(sb & ((t == DAMAGE) | (t == MISMATCH)))
    return s, ok, (rows, nums, dens)


def _patch(out: np.ndarray, exact, kernel, *cols, after: tuple = ()) -> np.ndarray:
    """Recompute the rows of ``exact`` with Python-int (object) arrays: ``kernel(*cols_rows,
    nums, dens, *after_rows)``; int64 stays for every other row."""
    rows, nums, dens = exact
    if not len(rows):
        return out
    sub = kernel(*(np.asarray(c)[rows].astype(object) for c in cols), nums, dens,
                 *(np.asarray(c)[rows] if isinstance(c, np.ndarray) else c for c in after))
    out = np.asarray(out).astype(object)
    out[rows] = sub
    return out


def _compensation_args(claim_type, value, freight, insured_value, lost_share, category):
    r = rules_for(None)
    t = claim_type_code(r, claim_type)
    v = cast(int, values.money(value, "物品价值", "CMP-1", r, required=True))
    f = cast(int, values.money(freight, "运费", "CMP-1", r, required=True))
    i = values.money(insured_value, "保价金额", "CMP-1", r) or 0
    s = share_of(r, t, lost_share)
    cat, cover = category_cover(r, category)
    return r, t, v, f, i, s, cat, cover


def _compensate(r, t, v, f, i, s, cover) -> int:
    return compensation_kernel(one(t), one(v), one(f), one(i), one(s[0]), s[1], one(cover),
                               r.k_multiple, r.frac_scale)[0]


def compensation(claim_type: Any, value: Any, freight: Any, insured_value: Any = None,
                 lost_share: Any = None, category: Any = None) -> Decimal:
    """赔偿金额 (CMP-1..8): goods compensation to the customer."""
    r, t, v, f, i, s, _, cover = _compensation_args(claim_type, value, freight, insured_value,
                                                    lost_share, category)
    return fen_to_decimal(_compensate(r, t, v, f, i, s, cover))


def compensation_fast(claim_type, value, freight, insured_value, lost_share, category):
    r = rules_for(None)
    t, tb, ok1 = colparse.vocab_codes(claim_type, r.claim_types, TYPE_CODE.__getitem__)
    v, vb, ok2 = colparse.money(value, r.max_fen)
    f, fb, ok3 = colparse.money(freight, r.max_fen)
    i, _, ok4 = colparse.money(insured_value, r.max_fen)
    s, ok5, exact = _column_shares(r, t, lost_share)
    default = COVER_CODE[r.categories[r.categories.names[0]]["cover"]]
    cover, _, ok6 = colparse.vocab_codes(category, r.categories,
                                   lambda c: COVER_CODE[r.categories[c]["cover"]], default)
    ok = ok1 & ~tb & ok2 & ~vb & ok3 & ~fb & ok4 & ok5 & ok6
    # int64 while every product fits (freight × k, value × share), else exact Python ints
    bound = max(int(x.max(initial=0)) for x in (v, f, i)) * max(r.k_multiple, r.frac_scale) * 2
    v, f, i = (as_int_array(x, bound) for x in (v, f, i))
    out = compensation_kernel(t, v, f, i, s, r.frac_scale, cover, r.k_multiple, r.frac_scale)
    return _patch(out, exact, compensation_kernel, t, v, f, i,
                  after=(cover, r.k_multiple, r.frac_scale)), ok


def actual_loss(claim_type: Any, value: Any, lost_share: Any = None) -> Decimal:
    """实际损失 (NTC-4 Decision): the goods' value × the share lost (CMP-2, CMP-5; the whole
    value for 遗失, CMP-3's share for 延误), before any cap — what the 索赔函 labels
    实际损失金额 beside the amount claimed."""
    r = rules_for(None)
    t = claim_type_code(r, claim_type)
    v = values.money(value, "物品价值", "CMP-1", r, required=True)
    num, den = share_of(r, t, lost_share)
    return fen_to_decimal(div_half_up(one(v) * num, den)[0])


def freight_waiver(claim_type: Any, freight: Any, lost_share: Any = None) -> Decimal:
    """免收运费 (CMP-4)."""
    r = rules_for(None)
    t = claim_type_code(r, claim_type)
    f = values.money(freight, "运费", "CMP-4", r, required=True)
    num, den = share_of(r, t, lost_share)
    return fen_to_decimal(freight_waiver_kernel(one(t), one(f), one(num), den)[0])


def freight_waiver_fast(claim_type, freight, lost_share):
    r = rules_for(None)
    t, tb, ok1 = colparse.vocab_codes(claim_type, r.claim_types, TYPE_CODE.__getitem__)
    f, fb, ok2 = colparse.money(freight, r.max_fen)
    s, ok3, exact = _column_shares(r, t, lost_share)
    out = freight_waiver_kernel(t, f, s, r.frac_scale)
    return _patch(out, exact, freight_waiver_kernel, t, f), ok1 & ~tb & ok2 & ~fb & ok3


def _percent(share: Decimal) -> str:
    """A share as a percentage, exact digits (MONEY-2), e.g. 33.33333333333333%."""
    text = f"{share * 100:f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def _yuan(fen: int) -> str:
    return f"{fen_to_decimal(fen):,.2f} 元"


def compensation_explain(claim_type: Any, value: Any, freight: Any, insured_value: Any = None,
                         lost_share: Any = None, category: Any = None) -> str:
    """赔偿说明: the rules applied (with IDs), base, cap, result and freight waiver."""
    r, t, v, f, i, s, cat, cover = _compensation_args(claim_type, value, freight, insured_value,
                                                      lost_share, category)
    name = [k for k, c in TYPE_CODE.items() if c == t][0]
    parts = [f"{name}（{r.claim_types[name]['rule']}），货物类别：{cat}"]
    amount = _compensate(r, t, v, f, i, s, cover)
    waiver = freight_waiver_kernel(one(t), one(f), one(s[0]), s[1])[0]
    if t == DELAY and s[0] == 0:
        parts.append("延误未造成物品价值损失（损失比例为 0），不赔偿货款，只免运费（CMP-3）")
    elif t == DAMAGE and cover == COVER_LOSS_ONLY:
        parts.append(f"{cat}只保灭失险，运单注明途中损坏承运方不承担责任，破损不予赔偿（CMP-6、INS-5）")
    else:
        parts += _goods_explained(r, t, v, f, i, s, cat, cover)
    parts.append(f"赔偿 {_yuan(amount)}")
    if waiver > 0:
        parts.append(f"免收本次运费 {_yuan(waiver)}（CMP-4）")
    else:
        parts.append("运费不免收（CMP-4：部分破损、内件不符不免运费）")
    return "；".join(parts) + r.note("compensation", "categories") + "。"   # company file: say so


def _goods_explained(r: Rules, t: int, v: int, f: int, i: int, s: tuple[int, int], cat: str,
                     cover: int) -> list[str]:
    """The sentences of compensation_explain on the goods: the insured value recognised or
    not (CMP-7), the cap (CMP-1) and the share lost (CMP-2, CMP-3, CMP-5)."""
    parts = []
    share_text = _percent(Decimal(s[0]) / s[1])
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
        as_what = "按遗失赔偿（CMP-1）" if s[0] >= s[1] else "按破损赔偿（CMP-2）"
        if cover == COVER_LOSS_ONLY:
            as_what += f"，{cat}只保灭失险仍照常赔偿（CMP-6 只适用于破损）"
        parts.append(f"物品价值 {_yuan(v)}，{how}得 {_yuan(base)}，延误毁损比例 {share_text}，"
                     f"{as_what}（CMP-3）")
    else:
        parts.append(f"遗失物品价值 {_yuan(v)}，{how}")
    return parts


# ---------------------------------------------------------------- acceptance (CLM-5..7)

def late_refusal(ship, last, extended) -> str:
    until = extended.isoformat()
    if extended != last:
        until += f"；{last.isoformat()} 为休息日，按 DATE-7 顺延至下一工作日"
    return f"不予受理：超过一年索赔时效（寄件日 {ship.isoformat()}，最迟 {until}）（CLM-5、CLM-7）"


def insured_flag(insured: Any) -> bool:
    """CLM-5(b): the 保价 box as 是/否, or the insured value itself (> 0 is insured); a blank
    box or value means not insured."""
    if isinstance(insured, (int, float, Decimal)) and not isinstance(insured, bool):
        if insured != insured:                       # NaN: an empty cell read as a number
            return False
        return insured > 0
    return values.flag(insured, "是否保价", "CLM-5", False)


def claim_check(ship_date: Any, claim_date: Any, cause: Any = None, insured: Any = None) -> str:
    """受理判定: 受理, or 不予受理：<reason>（rule）. One year from shipping (CLM-7, DATE-4)."""
    ship = values.when(ship_date, "寄件日期", "CLM-7")
    claim = values.when(claim_date, "索赔日期", "CLM-7")
    if claim < ship:
        raise RuleError(f"索赔日期 {claim.isoformat()} 早于寄件日期 {ship.isoformat()}", "CLM-7")
    r = rules_for(claim)
    last = add_months(np.array([ship], "datetime64[D]"), np.asarray(r.claim_window_months))
    if claim > last[0].item():
        # DATE-7: only a claim after the nominal last day needs the calendar; a missing
        # holiday year is the DATE-5 error, never a refusal.
        extended = calendar().rest_day_extension(last)
        if claim > extended[0].item():
            return late_refusal(ship, last[0].item(), extended[0].item())
    is_insured = insured_flag(insured)
    if values.is_blank(cause):
        return "受理"
    name = r.causes.resolve(cause)
    entry = r.causes[name]
    if entry.get("accept") or (entry.get("insured_exempt") and is_insured):
        return "受理"
    return f"不予受理：{entry['reason']}（{entry['rule']}）"


# ---------------------------------------------------------------- e-commerce (ECM-1..5)

def ecom_kernel(t, value, share, share_den, has_invoice, practical, e):
    """ECM-5: loss = value × share; partial damage ≤ 500 (ECM-1), otherwise ≤ 2,000 (ECM-2);
    no formal invoice and loss ≥ 2,000 → ≤ 1,000 practical / 700 other (ECM-3)."""
    exact = value * share                     # the loss × share_den, not yet rounded
    loss = div_half_up(exact, share_den)
    partial_damage = (t == DAMAGE) & (share < share_den)
    cap = np.where(partial_damage, e["partial_damage_cap"], e["loss_cap"])
    no_invoice_cap = np.where(practical, e["no_invoice_practical_cap"], e["no_invoice_other_cap"])
    # ECM-3's threshold is tested on the exact loss (1,999.995 is below 2,000; MONEY-1)
    over = exact >= e["no_invoice_from"] * share_den
    cap = np.where(~has_invoice & over, np.minimum(cap, no_invoice_cap), cap)
    return np.minimum(loss, cap)      # caps are whole fen: min(round(x), cap) = round(min(x, cap))


ECOM_DELAY = ("电商件赔偿标准（ECM-1..5）没有延误条款：客户赔偿按 CMP-3（免运费，毁损按遗失或破损），"
              "网点间按 NET-5 计算")


def ecom_share(r: Rules, t: int, lost_share: Any) -> tuple[int, int]:
    """损失比例 of an e-commerce claim, read exactly (MONEY-2): required for 破损 and
    内件不符 (ECM-7), 1 when blank for 遗失."""
    share = values.ratio(lost_share, "损失比例", "ECM-5", min_den=r.frac_scale)
    if share is not None:
        return share
    if t in (DAMAGE, MISMATCH):
        raise RuleError("缺少损失比例：电商件破损、内件不符须填写损失比例（如 0.4 或 40%），"
                        "不按 100% 计算（ECM-5、ECM-7）", "ECM-7")
    return r.frac_scale, r.frac_scale


def ecom_compensation(claim_type: Any, value: Any, lost_share: Any = None,
                      has_invoice: Any = None, practical: Any = None) -> Decimal:
    """电商件赔偿 (ECM-1..6). has_invoice and practical default to 是; 延误 is refused (ECM-6)."""
    r = rules_for(None)
    t = claim_type_code(r, claim_type)
    if t == DELAY:
        raise RuleError(ECOM_DELAY, "ECM-6")
    v = values.money(value, "物品价值", "ECM-2", r, required=True)
    num, den = ecom_share(r, t, lost_share)
    inv = values.flag(has_invoice, "有正规发票", "ECM-3", True)
    pr = values.flag(practical, "实用性物品", "ECM-3", True)
    return fen_to_decimal(ecom_kernel(one(t), one(v), one(num), den, np.array([inv]), np.array([pr]),
                                      r.ecom)[0])


def ecom_compensation_fast(claim_type, value, lost_share, has_invoice, practical):
    r = rules_for(None)
    t, tb, ok1 = colparse.vocab_codes(claim_type, r.claim_types, TYPE_CODE.__getitem__)
    v, vb, ok2 = colparse.money(value, r.max_fen)
    s, sb, ok3, *exact = colparse.fraction_exact(lost_share, r.frac_scale)
    s = np.where(sb, r.frac_scale, s)
    ok3 = ok3 & ~(sb & ((t == DAMAGE) | (t == MISMATCH)))       # ECM-7: the per-cell error
    inv, _, ok4 = colparse.flags(has_invoice, True)
    pr, _, ok5 = colparse.flags(practical, True)
    out = ecom_kernel(t, v, s, r.frac_scale, inv, pr, r.ecom)
    out = _patch(out, exact, ecom_kernel, t, v, after=(inv, pr, r.ecom))
    return out, ok1 & ~tb & (t != DELAY) & ok2 & ~vb & ok3 & ok4 & ok5


def ecom_high_value(value: Any) -> bool:
    """ECM-4: contents worth ≥ 3,000 follow the high-value process."""
    r = rules_for(None)
    v = values.money(value, "物品价值", "ECM-4", r, required=True)
    return v >= r.ecom["high_value_from"]


# ---------------------------------------------------------------- network (NET-1..10)

def waybill_count(batch: Any) -> int:
    """NET-9: the number of waybills of a batch / whole bag. Blank, 0, 1 and 否 mean one
    waybill; 是 without a number is an error asking for it."""
    if values.is_blank(batch) or isinstance(batch, bool):
        if batch is True:
            raise RuleError("批货须填写运单票数（如 20），不能只填「是」", "NET-9")
        return 1
    if isinstance(batch, str):
        key = batch.strip().removesuffix("票").strip()
        if not key.isdigit():
            if key.lower() in values.YES:
                raise RuleError("批货须填写运单票数（如 20），不能只填「是」", "NET-9")
            if key.lower() in values.NO:
                return 1
        batch = key
    n = values.integer(batch, "批货票数", "NET-9", minimum=0, required=True)
    return max(n, 1)


def network_compensation(claim_type: Any, actual_value: Any, days_late: Any = None,
                         weight_kg: Any = None, network: Any = None, batch: Any = None) -> Decimal:
    """网点赔付 (NET-1..10), between branches, for 遗失 and 延误 only (NET-10).

    One waybill: 遗失 1,000 (代理期 300); 延误 per day × days late, capped by weight class
    (≤ 1 kg included) — the weight is needed only when it decides the cap. A batch of N
    waybills (NET-9): N × the single-waybill amount, capped by the batch cap. Every amount
    is capped by the actual value when one is given (NET-3, NET-8)."""
    r = rules_for(None)
    t = claim_type_code(r, claim_type)
    net_name = r.networks.names[0] if values.is_blank(network) else r.networks.resolve(network)
    std = r.networks[net_name]
    actual = values.money(actual_value, "实际价值", "NET-8", r) or 0
    if t in (DAMAGE, MISMATCH):
        raise RuleError("网点间赔付标准只规定遗失和延误，破损、内件不符请按客户赔偿（CMP）处理",
                        "NET-10")
    n = waybill_count(batch)

    def fen(key: str, rule: str) -> int:
        return cast(int, values.money(std[key], "", rule, r))     # rules data: checked on load
    if t == LOSS:
        if "loss_per_waybill" not in std:
            raise RuleError(f"{net_name}网点未规定遗失赔付标准", "NET-1")
        rule = std["loss_rule"]
        single = fen("loss_per_waybill", rule)
        batch_cap = fen("loss_batch_cap", rule)
    else:
        rule = std["delay_rule"]
        days = values.integer(days_late, "延误天数", rule, minimum=0, required=True)
        raw = fen("delay_per_day", rule) * days
        light, heavy = fen("delay_cap_light", rule), fen("delay_cap_heavy", rule)
        w = values.ratio(weight_kg, "重量(kg)", rule, upper=None)     # checked whenever given
        if raw <= min(light, heavy) or light == heavy:
            single = min(raw, light, heavy)                      # the weight does not decide
        else:
            if w is None:
                raise RuleError("缺少重量(kg)：延误封顶按 1 kg 以内/以上区分", rule)
            single = min(raw, light if w[0] * r.frac_scale <= r.net_light_kg * w[1] else heavy)
        batch_cap = fen("delay_batch_cap", rule)
    amount = single if n == 1 else min(n * single, batch_cap)
    if actual > 0:
        amount = min(amount, actual)
    return fen_to_decimal(amount)


def claim_check_fast(ship_date, claim_date, cause, insured):
    """Column form of claim_check: the one-year window and the causes, vectorised."""
    ship, sb, ok1 = colparse.dates(ship_date)
    claim, cb, ok2 = colparse.dates(claim_date)
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
    ins, _, ok3 = colparse.flags(insured, False)
    names, cblank, ok4 = colparse.vocab(cause, r.causes)
    ok &= ok3 & ok4
    safe_ship = np.where(ok, ship, claim)
    last = add_months(safe_ship, r.claim_window_months)
    late = (claim > last) & ok
    extended = last.copy()
    if late.any():
        # DATE-7 over the late rows; rows whose year the holiday data lacks take the per-cell
        # path, which raises the DATE-5 error naming the year.
        cal = calendar()
        rows = np.flatnonzero(late)
        bad = cal.bad_rows(last[rows], np.ones(len(rows), np.int64))
        ok[rows[bad]] = False
        rows = rows[~bad]
        extended[rows] = cal.rest_day_extension(last[rows])
        late = (claim > extended) & ok
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
    for i in np.flatnonzero(late):
        text[i] = late_refusal(safe_ship[i].item(), last[i].item(), extended[i].item())
    return text, ok
