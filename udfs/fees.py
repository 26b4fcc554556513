"""Fees: insurance premium and cover (INS-1..5), COD fee (COD-1), storage fee (STO-1..3),
label penalties (LBL-1) and network case fees (NET-4).

Each money rule is one kernel over integer arrays (fen, millionths); the per-cell function
parses its arguments, calls the kernel on one row and returns Decimal; the column forms in
:mod:`udfs.fee_columns` feed whole columns to the same kernel.

The kernels take one row of Python ints as well as whole numpy columns (udfs.fixed.where,
maximum), so this module imports neither numpy nor pandas: the per-cell path (the counter
quote) runs without them — pandas is 0.29 s and numpy 0.1–0.2 s of a cold start (measured
with ``python -X importtime``).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import Any, cast

from . import places, values
from .errors import RuleError
from .fixed import div_half_up, fen_to_decimal, maximum, where
from .rulebook import Rules, rules_for

# A kernel's operand: one row as a Python value (the per-cell path) or a numpy column (the
# column forms); the same arithmetic serves both.
Operand = Any

COVER_FULL, COVER_LOSS_ONLY, COVER_NONE = 0, 1, 2
COVER_CODE = {"full": COVER_FULL, "loss_only": COVER_LOSS_ONLY, "none": COVER_NONE}
COVER_TEXT = {COVER_FULL: "可保价", COVER_LOSS_ONLY: "只保灭失险", COVER_NONE: "不予保价"}


# ---------------------------------------------------------------- insurance (INS-1..5)

def premium_kernel(value: Operand, rate: Operand, minimum: Operand, scale: int) -> Operand:
    """INS-1: value × rate / scale, at least the minimum; 0 when not insured (value 0)."""
    raw = div_half_up(value * rate, scale)
    return where(value > 0, maximum(raw, minimum), 0)


def insurance_premium(declared_value: Any, rate: Any = None, minimum: Any = None,
                      category: Any = None) -> Decimal:
    """保价费 (INS-1): declared value × 0.5%, at least 5 yuan; 0 when blank or 0, and 0 for
    goods that may not be insured (INS-4, INS-7 Decision) whatever value is declared."""
    r = rules_for(None)
    value = values.money(declared_value, "声明价值", "INS-1", r) or 0
    num, den = cast(tuple[int, int], values.ratio(rate, "保价费率", "INS-1", default=(r.ins_rate, r.frac_scale),
                                                  min_den=r.frac_scale))
    min_fen = values.money(minimum, "最低保价费", "INS-1", r)
    min_fen = r.ins_min if min_fen is None else min_fen
    if not values.is_blank(category) and category_cover(r, category)[1] == COVER_NONE:
        value = 0                                                 # INS-7: no premium, no cover
    return fen_to_decimal(premium_kernel(value, num, min_fen, den))


def category_cover(r: Rules, category: Any) -> tuple[str, int]:
    """Canonical goods category and its cover code (INS-4/INS-5); blank = 普通货物."""
    if values.is_blank(category):
        name = r.categories.names[0]
    else:
        name = r.categories.resolve(category)
    return name, COVER_CODE[r.categories[name]["cover"]]


def insurance_check(category: Any, value_per_item: Any) -> str:
    """保价判定 (INS-2..5): 可保价 / 只保灭失险 / 不予保价, plus the approval a big item needs."""
    r = rules_for(None)
    _, cover = category_cover(r, category)
    value = values.money(value_per_item, "单件价值", "INS-2", r) or 0
    text = COVER_TEXT[cover]
    if cover == COVER_NONE:
        return text
    if value > r.ins_safety_over:
        return f"{text}；{r.ins['safety_note']}"
    if value > r.ins_manager_over:
        return f"{text}；{r.ins['manager_note']}"
    return text


def insurance_remark(category: Any) -> str:
    """The waybill remark INS-5 requires for loss-only goods; '' for other goods."""
    r = rules_for(None)
    _, cover = category_cover(r, category)
    return r.ins["waybill_remark"] if cover == COVER_LOSS_ONLY else ""


# ---------------------------------------------------------------- COD (COD-1)

def cod_kernel(amount: Operand, r: Rules) -> Operand:
    """COD-1: ≤2,000 → 5; ≤10,000 → 3‰; above → 30; 0 when nothing is collected."""
    mid = div_half_up(amount * r.cod_rate, r.frac_scale)
    fee = where(amount <= r.cod_low_limit, r.cod_low_fee,
                where(amount <= r.cod_high_limit, mid, r.cod_high_fee))
    return where(amount > 0, fee, 0)


def cod_fee(amount: Any) -> Decimal:
    """代收货款手续费 (COD-1)."""
    r = rules_for(None)
    fen = values.money(amount, "代收金额", "COD-1", r) or 0
    return fen_to_decimal(cod_kernel(fen, r))


# ---------------------------------------------------------------- storage (STO-1..3)

def place_class(r: Rules, place: Any) -> tuple[str, str]:
    """(the name that decided, route class) of a place as a clerk writes it (STO-3, STO-4)."""
    raw = values.text(place, "地点", "STO-3")
    return _place_class(r, places.normalise(raw))


@lru_cache(maxsize=8192)
def _place_class(r: Rules, s: str) -> tuple[str, str]:
    # A name the rules data lists itself (a company may add any place by name) ...
    key = s[:-1] if s.endswith(("省", "市")) and len(s) > 2 else s
    if key in r.city_class:
        return key, r.city_class[key]
    if key in r.province_class:
        return key, r.province_class[key]
    # ... else the administrative divisions (GB/T 2260): the most specific known place
    # decides — a county as its prefecture-level city, then the province (STO-4).
    answers = {places.describe(place): (place, _division_class(r, place)) for place in _divisions(r, s)}
    if len(answers) > 1:
        classes = {a[1][1] if a[1] else None for a in answers.values()}     # class letters
        if len(classes) > 1 or None in classes:
            raise RuleError(f"地点「{s}」有多处同名（{'、'.join(answers)}），请写明所属省市", "STO-4")
    if not answers:
        raise RuleError(f"线路未定义：「{s}」不在仓储保管费线路表中，请管理员在规则数据中补充该地", "STO-3")
    place, found_class = next(iter(answers.values()))
    if found_class is None:
        decisive, full = place.decisive().name, places.describe(place)
        shown = f"「{s}」" if full == s else f"「{s}」（{full}）"
        raise RuleError(f"线路未定义：{shown}属{decisive}，{decisive}不在仓储保管费线路表中，"
                        f"请管理员在规则数据中补充该地", "STO-3")
    return found_class


def _divisions(r: Rules, s: str) -> list[places.Place]:
    """The places of the division table a normalised text may mean (STO-4), the rules
    data's extra divisions included; an unknown or contradictory place is a rule error."""
    try:
        return places.table(_extra_divisions(r)).resolve(s)
    except places.PlaceError as e:
        raise RuleError(str(e), "STO-4") from None
    except places.UnknownPlace as e:
        raise RuleError(f"线路未定义：「{s}」中的「{e.name}」不在行政区划表中（不按{e.province.name}计），"
                        f"请核对地名，或由管理员在规则数据中补充该地", "STO-3") from None


def _extra_divisions(r: Rules) -> tuple[tuple[str, str], ...]:
    """storage.extra_divisions of the rules data (STO-4): [6-digit GB/T 2260 code, name]."""
    out = []
    for entry in r.storage.get("extra_divisions", ()):
        ok = (isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, str) for x in entry)
              and len(entry[0]) == 6 and entry[0].isdigit() and entry[0][4:] != "00" and entry[1].strip())
        if not ok:
            raise RuleError(f"规则数据 storage.extra_divisions 的条目「{entry}」应为 [6 位区县代码, 名称]，"
                            f"如 [\"500105\", \"江北区\"]", "STO-4")
        out.append((entry[0], entry[1].strip()))
    return tuple(out)


def _division_class(r: Rules, place: places.Place) -> tuple[str, str] | None:
    """The class of the division that decides (STO-4): its own name looked up among the
    listed cities — a county never by its own name — then its province."""
    name = places.short_name(place.decisive().name)
    if name in r.city_class:
        return name, r.city_class[name]
    province = places.short_name(place.province.name)
    for listed in (r.city_class, r.province_class):       # a municipality is listed as a city
        if province in listed:
            return province, listed[province]
    return None


def route_rate_units(r: Rules, origin: Any, destination: Any) -> int:
    """STO-3: the lower of the two ends' daily rates, in millionths."""
    if values.is_blank(origin):
        raise RuleError("缺少始发地", "STO-3")
    if values.is_blank(destination):
        raise RuleError("缺少目的地", "STO-3")
    a = r.class_rate[place_class(r, origin)[1]]
    b = r.class_rate[place_class(r, destination)[1]]
    return min(a, b)


def storage_rate(origin: Any, destination: Any) -> Decimal:
    """仓储保管费日费率 (STO-1, STO-3): 0.10 / 0.05 / 0.03."""
    r = rules_for(None)
    return (Decimal(route_rate_units(r, origin, destination)) / r.frac_scale).quantize(Decimal("0.01"))


def storage_days_kernel(notice: Operand, pickup: Operand, free_days: int) -> Operand:
    """STO-2: max(0, calendar days between notice and pickup − free days); two dates, or
    two datetime64 columns."""
    span = pickup - notice
    days = span.days if isinstance(span, dt.timedelta) else span.astype("timedelta64[D]").astype("int64")
    return maximum(days - free_days, 0)


def _storage_dates(notice_date: Any, pickup_date: Any) -> tuple[dt.date, dt.date]:
    notice = values.when(notice_date, "到货通知日期", "STO-2")
    pickup = values.when(pickup_date, "提货日期", "STO-2")
    if pickup < notice:
        raise RuleError(f"提货日期 {pickup.isoformat()} 早于到货通知日期 {notice.isoformat()}", "STO-2")
    return notice, pickup


def storage_days(notice_date: Any, pickup_date: Any) -> int:
    """仓储计费天数 (STO-2): pickup − notice − 3 free days, not below 0."""
    notice, pickup = _storage_dates(notice_date, pickup_date)
    r = rules_for(notice)
    return storage_days_kernel(notice, pickup, r.free_days)


def storage_fee_kernel(freight: Operand, rate: Operand, days: Operand, scale: int) -> Operand:
    """STO-1: freight × daily rate × chargeable days, rounded once."""
    return div_half_up(freight * rate * days, scale)


def storage_fee(freight: Any, notice_date: Any, pickup_date: Any, rate_or_origin: Any,
                destination: Any = None) -> Decimal:
    """仓储保管费 (STO-1..3). The 4th argument is a daily rate, or an origin place (then the
    destination is required and the rate comes from the route table)."""
    notice, pickup = _storage_dates(notice_date, pickup_date)
    r = rules_for(notice)
    fen = values.money(freight, "运费", "STO-1", r, required=True)
    if values.is_blank(rate_or_origin):
        raise RuleError("缺少日费率或始发地", "STO-1")
    is_rate = not isinstance(rate_or_origin, str) or looks_numeric(rate_or_origin)
    if is_rate:
        # exact (MONEY-2); never None: the argument is not blank
        rate, den = cast(tuple[int, int], values.ratio(rate_or_origin, "日费率", "STO-1", min_den=r.frac_scale))
    else:
        rate, den = route_rate_units(r, rate_or_origin, destination), r.frac_scale
    days = storage_days_kernel(notice, pickup, r.free_days)
    return fen_to_decimal(storage_fee_kernel(fen, rate, days, den))


def looks_numeric(text: str) -> bool:
    try:
        values.decimal(text.strip().rstrip("%％"), "", None)
        return True
    except RuleError:
        return False


# ---------------------------------------------------------------- labels (LBL-1)

def label_penalty(pieces: Any, violation: Any) -> Decimal:
    """标签违规罚款 (LBL-1), per waybill."""
    r = rules_for(None)
    lab = r.labels
    name = r.label_violations.resolve(values.text(violation, "违规类型", "LBL-1"))   # vocabulary in rules.toml
    kind = r.label_violations[name]["kind"]
    if kind == "old":
        amount = lab["old_label"]
    else:
        n = values.integer(pieces, "件数", "LBL-1", minimum=1, required=True)
        many = n >= int(lab["many_pieces"])
        amount = lab[f"{'many' if many else 'few'}_{kind}"]
    return Decimal(str(amount)).quantize(Decimal("0.01"))


# ---------------------------------------------------------------- network fees (NET-4)

def network_fee_kernel(amount: Operand, rate: Operand, scale: int) -> Operand:
    return div_half_up(amount * rate, scale)


def network_fee(amount: Any, side: Any) -> Decimal:
    """结案手续费 (NET-4): 罚款方 6%, 获赔方 4% of the settled amount."""
    r = rules_for(None)
    fen = values.money(amount, "结案金额", "NET-4", r, required=True)
    key = values.text(side, "承担方", "NET-4")   # blank → 缺少承担方（NET-4）
    name = r.fee_sides.find(key)
    if name is None:
        raise RuleError(f"承担方应为「{'」或「'.join(r.fee_sides.names)}」，收到「{key}」", "NET-4")
    return fen_to_decimal(network_fee_kernel(fen, r.net_fee[name], r.frac_scale))
