"""Counter freight from the company's tariff (FRT-1..3).

The tariff is the ``freight`` table of the rules version in force (udfs/rules.toml, with the
company rules file layered over it; a company tariff replaces the bundled example as a
whole, udfs.company). It has zones — a route class F/B/C of STO-3, or named provinces and
cities of the destination, read as STO-4 reads places — and per zone either express pricing
(首重 price for the first N kg, 续重 price per further kg, the further weight rounded up to
the tariff's step) or LTL pricing (元/kg and 元/m³, the higher), and a minimum per waybill.

Weights and sizes are exact rationals (no binary float decides a rounding); the freight is
rounded half-up to the fen once, at the end (MONEY-1). Nothing here imports pandas: the
per-cell path is the counter quote's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from . import fees, places, values
from .errors import RuleError
from .fixed import fen_to_decimal
from .rulebook import Rules, rules_for

RULE, WEIGHT_RULE = "FRT-1", "FRT-2"
CM3_PER_M3 = 1_000_000
OVERRIDE_NOTE = "按柜台输入的运费计收，未按运价表计算（FRT-3）"
SIDES = ("长", "宽", "高")
_SIZE = re.compile(r"^\s*([^xX×*＊]+)[xX×*＊]([^xX×*＊]+)[xX×*＊]([^xX×*＊]+?)\s*(?:cm|厘米)?\s*$")


@dataclass(frozen=True)
class Zone:
    name: str
    pricing: str                     # "express" / "ltl"
    classes: tuple[str, ...]
    places: tuple[str, ...]
    first_weight: Fraction           # kg (express)
    first_price: Fraction            # yuan (express)
    extra_price: Fraction            # yuan per further kg (express)
    per_kg: Fraction                 # yuan per kg (LTL)
    per_m3: Fraction                 # yuan per m³ (LTL)
    minimum: Fraction                # yuan per waybill


@dataclass(frozen=True, eq=False)          # hashed by identity: one per rules version
class Tariff:
    example: bool
    note: str                        # what an example-tariff quote says (FRT-1)
    divisor: Fraction                # cm³ per kg (FRT-2)
    step: Fraction                   # kg (FRT-1)
    max_weight: Fraction
    max_side: Fraction
    zones: tuple[Zone, ...]
    by_class: dict
    by_place: dict


@dataclass(frozen=True)
class Freight:
    """How a freight was found (FRT-3): the zone, the weights, the prices and the amount."""
    origin: str
    destination: str
    zone: Zone
    zone_how: str                    # e.g. 线路类别 F（福建省内（含汕头、温州））
    weight: Fraction                 # actual kg
    size: tuple[Fraction, Fraction, Fraction] | None
    volumetric: Fraction | None      # kg (express) — None without a size
    divisor: Fraction                # cm³ per kg of the tariff (FRT-2)
    chargeable: Fraction             # kg billed (express: after the first weight and the step)
    price_text: str                  # 首重 … + 续重 …
    computed: Fraction               # yuan before the minimum
    amount: Decimal                  # yuan, half-up to the fen, at least the minimum
    minimum_applied: bool
    example: bool
    note: str


def _frac(value: Any) -> Fraction:
    return Fraction(Decimal(str(value)))


def plain(x: Fraction) -> str:
    """A weight, size or rate as the quote shows it: exact where it is short, else ≈ 0.01."""
    d = Decimal(x.numerator) / Decimal(x.denominator)
    exponent = d.as_tuple().exponent                     # an int: d is finite
    if Fraction(d) == x and isinstance(exponent, int) and -exponent <= 3:
        return f"{d.normalize():f}"
    return "≈" + f"{_half_up(x * 100) / Decimal(100):.2f}"


def yuan(x: Fraction) -> str:
    return f"{fen_to_decimal(_half_up(x * 100)):,.2f}"


def _half_up(x: Fraction) -> int:
    """round(x) half-up for x ≥ 0 (MONEY-1)."""
    return (x.numerator * 2 + x.denominator) // (x.denominator * 2)


# ---------------------------------------------------------------------------- the tariff

def _zone(name: str, z: dict, default_minimum: Fraction) -> Zone:
    f = {k: _frac(z[k]) if k in z else Fraction(0)
         for k in ("first_weight", "first_price", "extra_price", "per_kg", "per_m3")}
    return Zone(name, z["pricing"], tuple(z.get("classes", ())), tuple(z.get("places", ())),
                minimum=_frac(z["minimum"]) if "minimum" in z else default_minimum, **f)


DEFAULT_DIVISOR = 6000   # FRT-2: cm³ per kg when a tariff names no divisor


@lru_cache(maxsize=16)
def tariff(r: Rules) -> Tariff:
    """The tariff of a rules version (checked when the rules loaded, udfs.rules_check)."""
    t = r.data.get("freight")
    if not t:
        raise RuleError("规则数据中没有运价表，请管理员在公司规则文件中设置公司运价", RULE)
    minimum = _frac(t.get("minimum", "0"))
    zones = tuple(_zone(name, z, minimum) for name, z in t["zones"].items())
    by_class = {c: z for z in zones for c in z.classes}
    by_place = {_key(p): z for z in zones for p in z.places}
    return Tariff(bool(t.get("example", False)), t.get("example_note", ""), _frac(t.get("divisor", DEFAULT_DIVISOR)),
                  _frac(t["step"]), _frac(t["max_weight"]), _frac(t["max_side"]), zones, by_class, by_place)


def _key(place: str) -> str:
    s = places.normalise(place)
    return s[:-1] if s.endswith(("省", "市")) and len(s) > 2 else s


def rules_rows(r: Rules) -> list[tuple[str, str, str, str]]:
    """The tariff as (类别, 项目, 内容, 依据) rows of the 规则 sheet; [] without a tariff."""
    if not r.data.get("freight"):
        return []
    t = tariff(r)
    head = (f"快递取实重与体积重量（长×宽×高 厘米 ÷ {plain(t.divisor)}）的大者，续重按 {plain(t.step)} kg 向上取整；"
            f"零担按重量与体积分别计价取高者")
    rows = [("运价", "计费重量", head + (f"；{t.note}" if t.example else ""), WEIGHT_RULE)]
    for z in t.zones:
        where = "、".join([*(f"线路类别 {c}" for c in z.classes), *z.places])
        if z.pricing == "express":
            price = (f"首重 {plain(z.first_weight)} kg {yuan(z.first_price)} 元，续重 {plain(z.extra_price)} 元/kg")
        else:
            price = f"零担 {plain(z.per_kg)} 元/kg 或 {plain(z.per_m3)} 元/m³，取高者"
        rows.append(("运价", z.name, f"{where}：{price}；每票最低 {yuan(z.minimum)} 元", RULE))
    return rows


# ---------------------------------------------------------------------------- zones

def find_zone(r: Rules, t: Tariff, origin: Any, destination: Any) -> tuple[Zone, str]:
    """The zone of a route and how it was found: a named place of the destination (most
    specific first, STO-4), else the route class of STO-3 (the end with the lower rate)."""
    if values.is_blank(origin):
        raise RuleError("缺少始发地", RULE)
    if values.is_blank(destination):
        raise RuleError("缺少目的地", RULE)
    _, origin_class = fees.place_class(r, origin)          # the origin branch is on the route table
    dest = values.text(destination, "目的地", RULE)
    named = _named_zone(t, dest)
    if named is not None:
        return named
    try:
        _, dest_class = fees.place_class(r, dest)
    except RuleError as e:
        if e.rule != "STO-3":
            raise
        raise RuleError(f"运价表中没有目的地「{places.normalise(dest)}」所属的区域（{e.message}），"
                        f"请管理员在公司运价中补充", RULE) from None
    ends = sorted((origin_class, dest_class), key=lambda c: (r.class_rate[c], c != dest_class))
    cls = ends[0]
    zone = t.by_class.get(cls)
    if zone is None:
        raise RuleError(f"运价表中没有线路类别 {cls}（{r.class_name[cls]}）的区域："
                        f"{places.normalise(str(origin))} → {places.normalise(dest)}，请管理员在公司运价中补充", RULE)
    return zone, f"线路类别 {cls}（{r.class_name[cls]}，STO-3）"


def _divisions(place: places.Place) -> list[str]:
    """Division codes of a resolved place, most specific first (STO-4)."""
    return [d.code for d in (place.county, place.city, place.province) if d is not None]


@lru_cache(maxsize=16)
def _place_codes(t: Tariff) -> dict[str, Zone]:
    """Division code → zone of every named place of the tariff that the division table
    knows (so 新疆维吾尔自治区, 新疆 and 乌鲁木齐 meet at one code when the table reads them)."""
    out: dict[str, Zone] = {}
    for zone in t.zones:
        for name in zone.places:
            try:
                found = places.table().resolve(places.normalise(name))
            except ValueError:                    # the table cannot read it: matched as written
                continue
            for place in found:
                out.setdefault(_divisions(place)[0], zone)
    return out


def _named_zone(t: Tariff, dest: str) -> tuple[Zone, str] | None:
    """The zone naming the destination (or the city or province it lies in), else None."""
    if not t.by_place:
        return None
    key = _key(dest)
    if key in t.by_place:
        return t.by_place[key], f"目的地「{key}」列入区域（{RULE}）"
    try:
        found = places.table().resolve(places.normalise(dest))
    except places.PlaceError as e:
        raise RuleError(str(e), "STO-4") from None
    except ValueError:              # a place the table cannot read: the route table names it (STO-3)
        return None
    codes = _place_codes(t)
    answers: dict[str, Zone | None] = {}
    for place in found:
        answers[places.describe(place)] = next((codes[c] for c in _divisions(place) if c in codes), None)
    zones = {z.name if z else None for z in answers.values()}
    if len(zones) > 1:
        raise RuleError(f"目的地「{places.normalise(dest)}」有多处同名（{'、'.join(answers)}），"
                        f"运价区域不同，请写明所属省市", "STO-4")
    zone = next(iter(answers.values()), None)
    if zone is None:
        return None                                   # no named zone: the route class decides
    return zone, f"目的地属{next(iter(answers))}，列入区域（{RULE}）"


# ---------------------------------------------------------------------------- weights

def _dimension(x: Any, label: str, t: Tariff) -> Fraction:
    value = Fraction(values.decimal(x, label, WEIGHT_RULE))
    if value <= 0:
        raise RuleError(f"{label}应大于 0 厘米：{values.show(x)}", WEIGHT_RULE)
    if value > t.max_side:
        raise RuleError(f"{label}超出范围：{values.show(x)} 厘米（单边最多 {plain(t.max_side)} 厘米），请核对尺寸",
                        WEIGHT_RULE)
    return value


def read_size(t: Tariff, length: Any, width: Any, height: Any) -> tuple[Fraction, Fraction, Fraction] | None:
    """Three sides in cm, or None when none is given (FRT-2: no volumetric weight)."""
    given = [not values.is_blank(x) for x in (length, width, height)]
    if not any(given):
        return None
    if not all(given):
        missing = "、".join(s for s, g in zip(SIDES, given) if not g)
        raise RuleError(f"尺寸不完整：缺少{missing}（长、宽、高都填，或都不填）", WEIGHT_RULE)
    return _dimension(length, SIDES[0], t), _dimension(width, SIDES[1], t), _dimension(height, SIDES[2], t)


def read_weight(t: Tariff, weight: Any) -> Fraction:
    if values.is_blank(weight):
        raise RuleError("缺少重量（千克）", WEIGHT_RULE)
    value = Fraction(values.decimal(weight, "重量", WEIGHT_RULE))
    if value <= 0:
        raise RuleError(f"重量应大于 0 千克：{values.show(weight)}", WEIGHT_RULE)
    if value > t.max_weight:
        raise RuleError(f"重量超出范围：{values.show(weight)} 千克（每票最多 {plain(t.max_weight)} 千克），请核对",
                        WEIGHT_RULE)
    return value


def parse_size(text: str) -> tuple[str, str, str]:
    """``40x30x20`` (x, X, ×, *; cm) → the three sides as typed; anything else is an error."""
    m = _SIZE.match(str(text))
    if not m:
        raise RuleError(f"尺寸应写作 长x宽x高（厘米），如 40x30x20，收到「{str(text).strip()}」", WEIGHT_RULE)
    return m.group(1).strip(), m.group(2).strip(), m.group(3).strip()


# ---------------------------------------------------------------------------- prices

def _express(t: Tariff, z: Zone, weight: Fraction, volumetric: Fraction | None) -> tuple[Fraction, Fraction, str]:
    """(billed kg, yuan, how): 首重 up to the first weight, then 续重 per step, rounded up."""
    w = max(weight, volumetric or Fraction(0))
    if w <= z.first_weight:
        return z.first_weight, z.first_price, f"首重 {plain(z.first_weight)} kg {yuan(z.first_price)} 元"
    steps = -((z.first_weight - w) // t.step)                # ceil((w − first) / step)
    further = steps * t.step
    price = z.first_price + further * z.extra_price
    how = (f"首重 {plain(z.first_weight)} kg {yuan(z.first_price)} 元 + 续重 {plain(further)} kg × "
           f"{plain(z.extra_price)} 元/kg（按 {plain(t.step)} kg 向上取整）")
    return z.first_weight + further, price, how


def _ltl(z: Zone, weight: Fraction, size: tuple[Fraction, ...] | None) -> tuple[Fraction, Fraction, str]:
    """(billed kg, yuan, how): weight and volume priced apart, the higher charged (FRT-2)."""
    by_weight = weight * z.per_kg
    how = f"按重量 {plain(weight)} kg × {plain(z.per_kg)} 元/kg"
    if size is None:
        return weight, by_weight, how + "（未给尺寸，不计体积）"
    m3 = size[0] * size[1] * size[2] / CM3_PER_M3
    by_volume = m3 * z.per_m3
    how += (f" = {yuan(by_weight)} 元，按体积 {plain(m3)} m³ × {plain(z.per_m3)} 元/m³ = {yuan(by_volume)} 元，"
            f"取高者")
    return weight, max(by_weight, by_volume), how


def compute(origin: Any, destination: Any, weight: Any, length: Any = None, width: Any = None,
            height: Any = None, r: Rules | None = None) -> Freight:
    """The freight of one waybill and how it was found (FRT-1..3)."""
    r = r or rules_for(None)
    t = tariff(r)
    w = read_weight(t, weight)
    size = read_size(t, length, width, height)
    zone, how = find_zone(r, t, origin, destination)
    volumetric = None
    if size is not None and zone.pricing == "express":
        volumetric = size[0] * size[1] * size[2] / t.divisor
    if zone.pricing == "express":
        chargeable, price, text = _express(t, zone, w, volumetric)
    else:
        chargeable, price, text = _ltl(zone, w, size)
    fen = max(_half_up(price * 100), _half_up(zone.minimum * 100))
    return Freight(str(origin).strip(), str(destination).strip(), zone, how, w, size, volumetric, t.divisor,
                   chargeable,
                   text, price, fen_to_decimal(fen), _half_up(price * 100) < _half_up(zone.minimum * 100),
                   t.example, t.note)


def freight(origin: Any, destination: Any, weight: Any, length: Any = None, width: Any = None,
            height: Any = None) -> Decimal:
    """运费 (FRT-1, FRT-2): from the company's tariff by zone, chargeable weight and minimum."""
    return compute(origin, destination, weight, length, width, height).amount


def weight_text(f: Freight) -> str:
    """计费重量 line (FRT-2)."""
    if f.zone.pricing == "ltl":
        return f"{plain(f.weight)} kg（零担：重量与体积分别计价，取高者，{WEIGHT_RULE}）"
    actual = f"实重 {plain(f.weight)} kg"
    if f.volumetric is None or f.size is None:          # no sizes, no volumetric weight
        return f"{plain(f.chargeable)} kg（{actual}，未给尺寸，不计体积重量，{WEIGHT_RULE}）"
    l_, w_, h_ = (plain(x) for x in f.size)
    vol = f"体积重量 {l_}×{w_}×{h_}÷{plain(f.divisor)} = {plain(f.volumetric)} kg"
    return f"{plain(f.chargeable)} kg（{actual}，{vol}，取大者，{WEIGHT_RULE}）"


def price_text(f: Freight) -> str:
    text = f"{f.price_text} = {yuan(f.computed)} 元"
    if f.minimum_applied:
        text += f"，低于每票最低运费 {yuan(f.zone.minimum)} 元，按最低收费"
    return f"{text}（{RULE}）"


def explain(f: Freight) -> str:
    """The one-line explanation the quote template shows (FRT-3)."""
    parts = [f"区域：{f.zone.name}（{f.zone_how}）", f"计费重量：{weight_text(f)}", f"运价：{price_text(f)}",
             f"运费 {f.amount:,.2f} 元"]
    if f.example:
        parts.append(f"{f.note}（{RULE}）")
    return "；".join(parts)


def freight_explain(origin: Any, destination: Any, weight: Any, length: Any = None, width: Any = None,
                    height: Any = None) -> str:
    """运费说明 (FRT-3): zone, chargeable weight, prices, rule IDs; an example tariff says so."""
    return explain(compute(origin, destination, weight, length, width, height))
