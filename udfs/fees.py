"""Fees: insurance premium and cover (INS-1..5), COD fee (COD-1), storage fee (STO-1..3),
label penalties (LBL-1) and network case fees (NET-4).

Each money rule is one kernel over integer arrays (fen, millionths); the per-cell function
parses its arguments, calls the kernel on one row and returns Decimal; the ``*_fast``
function feeds whole columns to the same kernel (see columns.py).

The kernels take one row of Python ints as well as whole numpy columns (udfs.fixed.where,
maximum), and numpy, pandas and the column readers (udfs.colparse) are imported inside the
``*_fast`` functions: the per-cell path (the counter quote) runs without them — pandas is
0.29 s and numpy 0.1–0.2 s of a cold start (measured with ``python -X importtime``).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from typing import Any

from . import places as P
from . import values as V
from .errors import RuleError
from .fixed import div_half_up, fen_to_decimal, maximum, where
from .rulebook import Rules, rules_for

COVER_FULL, COVER_LOSS_ONLY, COVER_NONE = 0, 1, 2
COVER_CODE = {"full": COVER_FULL, "loss_only": COVER_LOSS_ONLY, "none": COVER_NONE}
COVER_TEXT = {COVER_FULL: "可保价", COVER_LOSS_ONLY: "只保灭失险", COVER_NONE: "不予保价"}


def one(x: int) -> np.ndarray:
    """A one-row exact (Python int) array (the per-cell path of the claim rules)."""
    import numpy as np  # lazy: see the module docstring
    return np.array([x], dtype=object)


# ---------------------------------------------------------------- insurance (INS-1..5)

def premium_kernel(value: np.ndarray, rate: np.ndarray, minimum: np.ndarray, scale: int) -> np.ndarray:
    """INS-1: value × rate / scale, at least the minimum; 0 when not insured (value 0)."""
    raw = div_half_up(value * rate, scale)
    return where(value > 0, maximum(raw, minimum), 0)


def insurance_premium(declared_value: Any, rate: Any = None, minimum: Any = None,
                      category: Any = None) -> Decimal:
    """保价费 (INS-1): declared value × 0.5%, at least 5 yuan; 0 when blank or 0, and 0 for
    goods that may not be insured (INS-4, INS-7 Decision) whatever value is declared."""
    r = rules_for(None)
    value = V.money(declared_value, "声明价值", "INS-1", r) or 0
    num, den = V.ratio(rate, "保价费率", "INS-1", default=(r.ins_rate, r.frac_scale),
                       min_den=r.frac_scale)
    min_fen = V.money(minimum, "最低保价费", "INS-1", r)
    min_fen = r.ins_min if min_fen is None else min_fen
    if not V.is_blank(category) and category_cover(r, category)[1] == COVER_NONE:
        value = 0                                                 # INS-7: no premium, no cover
    return fen_to_decimal(premium_kernel(value, num, min_fen, den))


def insurance_premium_fast(declared_value: pd.Series, rate: pd.Series, minimum: pd.Series,
                           category: pd.Series | None = None):
    import numpy as np  # lazy: see the module docstring
    from . import colparse as cp  # lazy: pandas, see the module docstring
    r = rules_for(None)
    value, _, ok1 = cp.money(declared_value, r.max_fen)
    rate_u, rate_blank, ok2 = cp.fraction(rate, r.frac_scale)
    min_fen, min_blank, ok3 = cp.money(minimum, r.max_fen)
    rate_u = np.where(rate_blank, r.ins_rate, rate_u)
    min_fen = np.where(min_blank, r.ins_min, min_fen)
    ok = ok1 & ok2 & ok3
    if category is not None:
        default = COVER_CODE[r.categories[r.categories.names[0]]["cover"]]
        cover, _, ok4 = cp.vocab_codes(category, r.categories,
                                       lambda c: COVER_CODE[r.categories[c]["cover"]], default)
        value = np.where(cover == COVER_NONE, 0, value)
        ok &= ok4
    bound = int(value.max(initial=0)) * int(rate_u.max(initial=0)) * 2
    from .fixed import as_int_array
    return premium_kernel(as_int_array(value, bound), as_int_array(rate_u, bound), min_fen,
                          r.frac_scale), ok


def category_cover(r: Rules, category: Any) -> tuple[str, int]:
    """Canonical goods category and its cover code (INS-4/INS-5); blank = 普通货物."""
    if V.is_blank(category):
        name = r.categories.names[0]
    else:
        name = r.categories.resolve(category)
    return name, COVER_CODE[r.categories[name]["cover"]]


def insurance_check(category: Any, value_per_item: Any) -> str:
    """保价判定 (INS-2..5): 可保价 / 只保灭失险 / 不予保价, plus the approval a big item needs."""
    r = rules_for(None)
    _, cover = category_cover(r, category)
    value = V.money(value_per_item, "单件价值", "INS-2", r) or 0
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

def cod_kernel(amount: np.ndarray, r: Rules) -> np.ndarray:
    """COD-1: ≤2,000 → 5; ≤10,000 → 3‰; above → 30; 0 when nothing is collected."""
    mid = div_half_up(amount * r.cod_rate, r.frac_scale)
    fee = where(amount <= r.cod_low_limit, r.cod_low_fee,
                where(amount <= r.cod_high_limit, mid, r.cod_high_fee))
    return where(amount > 0, fee, 0)


def cod_fee(amount: Any) -> Decimal:
    """代收货款手续费 (COD-1)."""
    r = rules_for(None)
    fen = V.money(amount, "代收金额", "COD-1", r) or 0
    return fen_to_decimal(cod_kernel(fen, r))


def cod_fee_fast(amount: pd.Series):
    from . import colparse as cp  # lazy: pandas, see the module docstring
    r = rules_for(None)
    fen, _, ok = cp.money(amount, r.max_fen)
    return cod_kernel(fen, r), ok


# ---------------------------------------------------------------- storage (STO-1..3)

def place_class(r: Rules, place: Any) -> tuple[str, str]:
    """(the name that decided, route class) of a place as a clerk writes it (STO-3, STO-4)."""
    raw = V.text(place, "地点", "STO-3")
    return _place_class(r, P.normalise(raw))


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
    try:
        found = P.table(_extra_divisions(r)).resolve(s)
    except P.PlaceError as e:
        raise RuleError(str(e), "STO-4") from None
    except P.UnknownPlace as e:
        raise RuleError(f"线路未定义：「{s}」中的「{e.name}」不在行政区划表中（不按{e.province.name}计），"
                        f"请核对地名，或由管理员在规则数据中补充该地", "STO-3") from None
    answers = {P.describe(place): (place, _division_class(r, place)) for place in found}
    if len(answers) > 1:
        classes = {a[1][1] if a[1] else None for a in answers.values()}     # class letters
        if len(classes) > 1 or None in classes:
            raise RuleError(f"地点「{s}」有多处同名（{'、'.join(answers)}），请写明所属省市", "STO-4")
    if not answers:
        raise RuleError(f"线路未定义：「{s}」不在仓储保管费线路表中，请管理员在规则数据中补充该地", "STO-3")
    place, found_class = next(iter(answers.values()))
    if found_class is None:
        where, full = place.decisive().name, P.describe(place)
        shown = f"「{s}」" if full == s else f"「{s}」（{full}）"
        raise RuleError(f"线路未定义：{shown}属{where}，{where}不在仓储保管费线路表中，"
                        f"请管理员在规则数据中补充该地", "STO-3")
    return found_class


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


def _division_class(r: Rules, place: P.Place) -> tuple[str, str] | None:
    """The class of the division that decides (STO-4): its own name looked up among the
    listed cities — a county never by its own name — then its province."""
    name = P.short_name(place.decisive().name)
    if name in r.city_class:
        return name, r.city_class[name]
    province = P.short_name(place.province.name)
    for listed in (r.city_class, r.province_class):       # a municipality is listed as a city
        if province in listed:
            return province, listed[province]
    return None


def route_rate_units(r: Rules, origin: Any, destination: Any) -> int:
    """STO-3: the lower of the two ends' daily rates, in millionths."""
    if V.is_blank(origin):
        raise RuleError("缺少始发地", "STO-3")
    if V.is_blank(destination):
        raise RuleError("缺少目的地", "STO-3")
    a = r.class_rate[place_class(r, origin)[1]]
    b = r.class_rate[place_class(r, destination)[1]]
    return min(a, b)


def storage_rate(origin: Any, destination: Any) -> Decimal:
    """仓储保管费日费率 (STO-1, STO-3): 0.10 / 0.05 / 0.03."""
    r = rules_for(None)
    return (Decimal(route_rate_units(r, origin, destination)) / r.frac_scale).quantize(Decimal("0.01"))


def storage_days_kernel(notice: np.ndarray, pickup: np.ndarray, free_days: int) -> np.ndarray:
    """STO-2: max(0, calendar days between notice and pickup − free days); two dates, or
    two datetime64 columns."""
    span = pickup - notice
    if isinstance(span, dt.timedelta):
        return max(span.days - free_days, 0)
    import numpy as np  # lazy: see the module docstring
    return np.maximum(span.astype("timedelta64[D]").astype(np.int64) - free_days, 0)


def _storage_dates(notice_date: Any, pickup_date: Any) -> tuple[dt.date, dt.date]:
    notice = V.when(notice_date, "到货通知日期", "STO-2")
    pickup = V.when(pickup_date, "提货日期", "STO-2")
    if pickup < notice:
        raise RuleError(f"提货日期 {pickup.isoformat()} 早于到货通知日期 {notice.isoformat()}", "STO-2")
    return notice, pickup


def storage_days(notice_date: Any, pickup_date: Any) -> int:
    """仓储计费天数 (STO-2): pickup − notice − 3 free days, not below 0."""
    notice, pickup = _storage_dates(notice_date, pickup_date)
    r = rules_for(notice)
    return storage_days_kernel(notice, pickup, r.free_days)


def storage_fee_kernel(freight: np.ndarray, rate: np.ndarray, days: np.ndarray, scale: int) -> np.ndarray:
    """STO-1: freight × daily rate × chargeable days, rounded once."""
    return div_half_up(freight * rate * days, scale)


def storage_fee(freight: Any, notice_date: Any, pickup_date: Any, rate_or_origin: Any,
                destination: Any = None) -> Decimal:
    """仓储保管费 (STO-1..3). The 4th argument is a daily rate, or an origin place (then the
    destination is required and the rate comes from the route table)."""
    notice, pickup = _storage_dates(notice_date, pickup_date)
    r = rules_for(notice)
    fen = V.money(freight, "运费", "STO-1", r, required=True)
    if V.is_blank(rate_or_origin):
        raise RuleError("缺少日费率或始发地", "STO-1")
    is_rate = not isinstance(rate_or_origin, str) or _looks_numeric(rate_or_origin)
    if is_rate:
        rate, den = V.ratio(rate_or_origin, "日费率", "STO-1", min_den=r.frac_scale)  # exact (MONEY-2)
    else:
        rate, den = route_rate_units(r, rate_or_origin, destination), r.frac_scale
    days = storage_days_kernel(notice, pickup, r.free_days)
    return fen_to_decimal(storage_fee_kernel(fen, rate, days, den))


def _looks_numeric(text: str) -> bool:
    try:
        V.decimal(text.strip().rstrip("%％"), "", None)
        return True
    except RuleError:
        return False


def storage_days_fast(notice_date: pd.Series, pickup_date: pd.Series):
    days, ok, _ = _storage_days_rules(notice_date, pickup_date)
    return days, ok


def _storage_days_rules(notice_date: pd.Series, pickup_date: pd.Series):
    """(chargeable days, ok, rules version of the ok rows or None) — STO-2 over columns."""
    import numpy as np  # lazy: see the module docstring
    from . import colparse as cp  # lazy: pandas, see the module docstring
    notice, nb, ok1 = cp.dates(notice_date)
    pickup, pb, ok2 = cp.dates(pickup_date)
    ok = ok1 & ok2 & ~nb & ~pb
    with np.errstate(invalid="ignore"):
        ok &= pickup >= notice
    r = _single_version(notice, ok)
    if r is None:
        return np.zeros(len(ok), np.int64), np.zeros(len(ok), bool), None
    days = storage_days_kernel(np.where(ok, notice, pickup), pickup, r.free_days)
    return np.where(ok, days, 0), ok, r


def _single_version(days: np.ndarray, ok: np.ndarray) -> Rules | None:
    """The rules version of every ok row when they share one; rows of other versions are
    marked not ok (they take the per-cell path, which picks their own version)."""
    import numpy as np  # lazy: see the module docstring
    import pandas as pd  # lazy: see the module docstring
    if not ok.any():
        return None
    first = rules_for(pd.Timestamp(days[ok].min()).date())
    last = rules_for(pd.Timestamp(days[ok].max()).date())
    if first is last:
        return first
    ok &= days >= np.datetime64(last.effective_from, "D")
    return last


def storage_fee_fast(freight, notice_date, pickup_date, rate_or_origin, destination):
    import numpy as np  # lazy: see the module docstring
    import pandas as pd  # lazy: see the module docstring
    from . import colparse as cp  # lazy: pandas, see the module docstring
    days, ok, r = _storage_days_rules(notice_date, pickup_date)
    if r is None:
        return np.zeros(len(ok), np.int64), ok
    fen, fblank, ok1 = cp.money(freight, r.max_fen)
    rate, rblank, ok2 = cp.fraction(rate_or_origin, r.frac_scale)
    # Places: the route rate once per distinct (origin, destination) pair (STO-3).
    text_rows = np.flatnonzero(~ok2 | rblank)
    if len(text_rows):
        o = rate_or_origin.to_numpy(dtype=object)[text_rows]
        d = destination.to_numpy(dtype=object)[text_rows]
        oc, ou = pd.factorize(pd.Series(o, dtype=object), use_na_sentinel=False)
        dc, du = pd.factorize(pd.Series(d, dtype=object), use_na_sentinel=False)
        pair_ids, pair_codes = np.unique(oc.astype(np.int64) * len(du) + dc, return_inverse=True)
        pairs = [(ou[i // len(du)], du[i % len(du)]) for i in pair_ids]
        found = np.zeros(len(pairs), dtype=np.int64)
        good = np.zeros(len(pairs), dtype=bool)
        for k, (po, pd_) in enumerate(pairs):
            if isinstance(po, str) and not _looks_numeric(po):
                try:
                    found[k], good[k] = route_rate_units(r, po, pd_), True
                except RuleError:
                    pass
        rate, ok2 = rate.copy(), ok2.copy()
        rate[text_rows] = found[pair_codes]
        ok2[text_rows] = good[pair_codes]
    bound = int(fen.max(initial=0)) * int(rate.max(initial=0)) * int(days.max(initial=0)) * 2
    from .fixed import as_int_array
    fee = storage_fee_kernel(as_int_array(fen, bound), as_int_array(rate, bound),
                             as_int_array(days, bound), r.frac_scale)
    return fee, ok & ok1 & ~fblank & ok2


# ---------------------------------------------------------------- labels (LBL-1)

def label_penalty(pieces: Any, violation: Any) -> Decimal:
    """标签违规罚款 (LBL-1), per waybill."""
    r = rules_for(None)
    lab = r.labels
    name = r.label_violations.resolve(V.text(violation, "违规类型", "LBL-1"))   # vocabulary in rules.toml
    kind = r.label_violations[name]["kind"]
    if kind == "old":
        amount = lab["old_label"]
    else:
        n = V.integer(pieces, "件数", "LBL-1", minimum=1, required=True)
        many = n >= int(lab["many_pieces"])
        amount = lab[f"{'many' if many else 'few'}_{kind}"]
    return Decimal(str(amount)).quantize(Decimal("0.01"))


# ---------------------------------------------------------------- network fees (NET-4)

def network_fee_kernel(amount: np.ndarray, rate: np.ndarray, scale: int) -> np.ndarray:
    return div_half_up(amount * rate, scale)


def network_fee(amount: Any, side: Any) -> Decimal:
    """结案手续费 (NET-4): 罚款方 6%, 获赔方 4% of the settled amount."""
    r = rules_for(None)
    fen = V.money(amount, "结案金额", "NET-4", r, required=True)
    key = V.text(side, "承担方", "NET-4")   # blank → 缺少承担方（NET-4）
    name = r.fee_sides.find(key)
    if name is None:
        raise RuleError(f"承担方应为「{'」或「'.join(r.fee_sides.names)}」，收到「{key}」", "NET-4")
    return fen_to_decimal(network_fee_kernel(fen, r.net_fee[name], r.frac_scale))


def network_fee_fast(amount: pd.Series, side: pd.Series):
    import numpy as np  # lazy: see the module docstring
    from . import colparse as cp  # lazy: pandas, see the module docstring
    r = rules_for(None)
    fen, blank, ok1 = cp.money(amount, r.max_fen)
    rate, sblank, ok2 = cp.codes(side, lambda u: r.net_fee.get(r.fee_sides.find(u))
                                 if isinstance(u, str) else None)
    ok = ok1 & ~blank & ok2 & ~sblank
    rate = np.where(ok, rate, 0).astype(np.int64)
    return network_fee_kernel(fen, rate, r.frac_scale), ok
