"""Validation of the rules files (bundled udfs/rules.toml and the company file).

Runs when the rules load (udfs.rulebook) and from ``logidesk rules check``. Every problem
names the file, the TOML key and the rule ID, e.g.

    公司规则文件 /etc/logidesk/company_rules.toml：version."C2027.1".effective_from：
    2027-01-01 距发布日 2026-12-28 仅 4 天，规则变更须提前 10 天公布（LAW-5）

Checked: LAW-5's 10 days between published and effective date; every figure in range
(no negative amount or rate, rates ≤ 100 %, a cap not below its floor, counts positive);
every referenced deadline event, complaint level, route class and cover kind known; no
alias naming two entries; the freight tariff (FRT-1/FRT-2: every zone priced, no route class
or place in two zones, a rounding step of 0.5 or 1 kg, a positive divisor); what a company
file may set; holiday tables (dates in their year, make-up working days on weekends, years
contiguous).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from .company import COMPANY_KEYS, REPLACED, Layer, Loaded, leaf_keys
from .errors import RuleError

NOTICE_DAYS = 10                                   # LAW-5
RULE_ID = re.compile(r"^[A-Z]{2,5}-\d+$")
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
UNITS = {"hours", "minutes", "days", "workdays", "months", "next_month_end"}
COVERS = {"full", "loss_only", "none"}
SECTION_RULE = {"money": "MONEY-1", "insurance": "INS-1", "categories": "INS-4", "cod": "COD-1",
                "storage": "STO-1", "claim_types": "CLM-1", "compensation": "CMP-1",
                "claim_causes": "CLM-5", "claim_window": "CLM-7", "ecommerce": "ECM-5",
                "network": "NET-1", "labels": "LBL-1", "deadlines": "DL-1",
                "complaint_levels": "CPL-1", "complaints": "CPL-3", "freight": "FRT-1", "analysis": "ANL-1"}
PRICINGS = {"express": ("first_weight", "first_price", "extra_price"), "ltl": ("per_kg", "per_m3")}
ZONE_KEYS = {"pricing", "classes", "places", "minimum", "rule", *(k for ks in PRICINGS.values() for k in ks)}
STEPS = (Decimal("0.5"), Decimal(1))
VOCABULARIES = ("categories", "claim_types", "claim_causes", "deadlines", "complaints", "analysis.links",
                "analysis.causes")


@dataclass(frozen=True)
class Problem:
    file: str                    # e.g. 公司规则文件 /etc/logidesk/company_rules.toml
    key: str                     # TOML key, e.g. version."2024.1".cod.high_fee
    message: str
    rule: str

    def __str__(self) -> str:
        return f"{self.file}：{self.key}：{self.message}（{self.rule}）"


def _num(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if isinstance(value, str) and NUMBER.match(value.strip()):
        return Decimal(value.strip())
    return None


def _is_day(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _get(data: dict, dotted: str) -> Any:
    cur: Any = data
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _q(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'


def _rule_of(data: dict, dotted: str) -> str:
    """The rule ID that governs a key: the nearest ``<prefix>_rule`` or ``rule`` on its path."""
    parts = dotted.split(".")
    leaf = parts[-1]
    for depth in range(len(parts) - 1, 0, -1):
        table = _get(data, ".".join(parts[:depth]))
        if isinstance(table, dict):
            for key in (f"{leaf.split('_')[0]}_rule", "rule"):
                if isinstance(table.get(key), str) and RULE_ID.match(table[key]):
                    return table[key]
    return SECTION_RULE.get(parts[0], "LAW-5")


class _Checker:
    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.problems: list[Problem] = []
        self.seen: set[tuple] = set()

    def add(self, file: str, key: str, message: str, rule: str) -> None:
        if (file, key, message) not in self.seen:
            self.seen.add((file, key, message))
            self.problems.append(Problem(file, key, message, rule))

    # where a key of a layer was written: (file label, TOML key)
    def origin(self, layer: Layer, key: str) -> tuple[str, str]:
        company = self.loaded.company
        if company is not None and key in layer.company_keys:
            for cid in reversed(layer.company_ids):
                if _get(self.loaded.company_versions[cid], key) is not None:
                    return f"{company.what} {company.path}", f"version.{_q(cid)}.{key}"
        section = key.split(".")[0]
        if company is not None and section in REPLACED:
            # a section the company replaces as a whole: a key missing from it is the company's
            for cid in reversed(layer.company_ids):
                if _get(self.loaded.company_versions[cid], section) is not None:
                    return f"{company.what} {company.path}", f"version.{_q(cid)}.{key}"
        bundled = self.loaded.bundled
        raw = bundled.raw.get("version", {})
        vid = layer.bundled_id
        while vid in raw and _get(raw[vid], key) is None and "based_on" in raw[vid]:
            vid = raw[vid]["based_on"]
        return f"{bundled.what} {bundled.path}", f"version.{_q(vid)}.{key}"

    # ------------------------------------------------------------------ LAW-5
    def notice_period(self, file: str, vid: str, entry: dict) -> None:
        pub, eff = entry.get("published"), entry.get("effective_from")
        for name, value in (("published", pub), ("effective_from", eff)):
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                self.add(file, f"version.{_q(vid)}.{name}",
                         f"缺少日期或不是日期（应写作 2027-01-01）：{value!r}", "LAW-5")
                return
        gap = (eff - pub).days
        if gap < NOTICE_DAYS:
            self.add(file, f"version.{_q(vid)}.effective_from",
                     f"施行日 {eff} 距发布日 {pub} 仅 {gap} 天，规则变更须提前 {NOTICE_DAYS} 天公布", "LAW-5")

    # ------------------------------------------------------------------ a layer's figures
    def layer(self, layer: Layer) -> None:
        d = layer.data

        def bad(key: str, message: str, rule: str | None = None) -> None:
            file, where = self.origin(layer, key)
            self.add(file, where, message, rule or _rule_of(d, key))

        def number(key: str, lo: Decimal | None = None, hi: Decimal | None = None,
                   integer: bool = False, lo_open: bool = False) -> Decimal | None:
            value = _get(d, key)
            if value is None:
                return None
            n = _num(value)
            if n is None or (integer and (n != n.to_integral_value() or isinstance(value, float))):
                bad(key, f"应为{'整数' if integer else '数字'}，收到 {value!r}")
                return None
            if n < 0:
                return n                                  # reported once, as 不能为负数
            if lo is not None and (n <= lo if lo_open else n < lo):
                bad(key, f"{n} 超出范围（应{'大于' if lo_open else '不小于'} {lo}）")
            elif hi is not None and n > hi:
                bad(key, f"{n} 超出范围（应不大于 {hi}）")
            return n

        zero, one = Decimal(0), Decimal(1)
        # every figure: never negative
        for key in leaf_keys(d):
            n = _num(_get(d, key))
            if n is not None and n < 0:
                bad(key, f"不能为负数：{_get(d, key)!r}")
        number("money.max_amount", zero, lo_open=True)
        number("money.fraction_places", zero, Decimal(9), integer=True)
        number("insurance.rate", zero, one)
        number("insurance.minimum", zero)
        manager, safety = number("insurance.manager_over", zero), number("insurance.safety_over", zero)
        if manager is not None and safety is not None and safety < manager:
            bad("insurance.safety_over", f"报安全办门槛 {safety} 低于经理审批门槛 {manager}", "INS-3")
        number("cod.rate", zero, one)
        lo_lim, hi_lim = number("cod.low_limit", zero), number("cod.high_limit", zero)
        if lo_lim is not None and hi_lim is not None and hi_lim < lo_lim:
            bad("cod.high_limit", f"按费率区间上限 {hi_lim} 低于固定收费上限 {lo_lim}", "COD-1")
        floor, cap = number("cod.low_fee", zero), number("cod.high_fee", zero)
        if floor is not None and cap is not None and cap < floor:
            bad("cod.high_fee", f"封顶手续费 {cap} 低于最低手续费 {floor}", "COD-1")
        number("cod.card_fee", zero)
        number("storage.free_days", zero, integer=True)
        classes = _get(d, "storage.classes") or {}
        for cls in classes:
            number(f"storage.classes.{cls}.rate", zero, one)
        placed: dict[str, str] = {}
        for kind in ("cities", "provinces"):
            for cls, places in (_get(d, f"storage.{kind}") or {}).items():
                key = f"storage.{kind}.{cls}"
                if cls not in classes:
                    bad(key, f"线路类别「{cls}」未定义（已定义：{'、'.join(classes)}）", "STO-3")
                if not isinstance(places, list) or not all(isinstance(p, str) and p.strip() for p in places):
                    bad(key, "应为地名列表", "STO-3")
                    continue
                for place in places:
                    if (kind, place) in placed and placed[(kind, place)] != cls:
                        bad(key, f"地名「{place}」同时属于 {placed[(kind, place)]} 类和 {cls} 类", "STO-3")
                    placed[(kind, place)] = cls
        number("compensation.uninsured_freight_multiple", zero, Decimal(100), lo_open=True)
        number("claim_window.months", zero, integer=True, lo_open=True)
        number("analysis.major_from", zero, lo_open=True)                     # ANL-3
        for vocab in ("analysis.links", "analysis.causes"):                   # ANL-1
            table = _get(d, vocab)
            if not isinstance(table, dict) or not table:
                bad(vocab, "应至少有一项（责任环节、原因的下拉列表）", "ANL-1")
                continue
            for name, entry in table.items():
                if not isinstance(entry, dict):
                    bad(f"{vocab}.{name}", "应为一个表（含 rule、aliases）", "ANL-1")
        for key in ("fined_fee_rate", "compensated_fee_rate"):
            number(f"network.{key}", zero, one)
        number("network.light_kg", zero, lo_open=True)
        for name, t in (_get(d, "network.types") or {}).items():
            p = f"network.types.{name}"
            per, batch = number(f"{p}.loss_per_waybill", zero), number(f"{p}.loss_batch_cap", zero)
            if per is not None and batch is not None and batch < per:
                bad(f"{p}.loss_batch_cap", f"批量封顶 {batch} 低于单票标准 {per}")
            light, heavy = number(f"{p}.delay_cap_light", zero), number(f"{p}.delay_cap_heavy", zero)
            dbatch = number(f"{p}.delay_batch_cap", zero)
            number(f"{p}.delay_per_day", zero)
            if light is not None and heavy is not None and heavy < light:
                bad(f"{p}.delay_cap_heavy", f"重件封顶 {heavy} 低于轻件封顶 {light}")
            if dbatch is not None and heavy is not None and dbatch < heavy:
                bad(f"{p}.delay_batch_cap", f"批量封顶 {dbatch} 低于单票封顶 {heavy}")
        number("labels.many_pieces", zero, integer=True, lo_open=True)
        number("labels.reward_share", zero, one)
        for name, cat in (_get(d, "categories") or {}).items():
            if isinstance(cat, dict) and cat.get("cover") not in COVERS:
                bad(f"categories.{name}.cover", f"保价类型应为 {'/'.join(sorted(COVERS))}，收到 {cat.get('cover')!r}",
                    "INS-4")
        events = _get(d, "deadlines") or {}
        for name, spec in events.items():
            p = f"deadlines.{name}"
            if not isinstance(spec, dict):
                continue
            if spec.get("unit") not in UNITS:
                bad(f"{p}.unit", f"时限单位应为 {'/'.join(sorted(UNITS))}，收到 {spec.get('unit')!r}")
            number(f"{p}.n", zero, integer=True, lo_open=True)
            scopes = spec.get("scopes")
            if isinstance(scopes, dict):
                for sc in scopes:
                    number(f"{p}.scopes.{sc}", zero, integer=True, lo_open=True)
                if spec.get("default_scope") not in scopes:
                    bad(f"{p}.default_scope", f"默认范围「{spec.get('default_scope')}」不在 {'、'.join(scopes)} 中")
        levels = _get(d, "complaint_levels") or {}
        for name, level in levels.items():
            if isinstance(level, dict) and level.get("event") not in events:
                bad(f"complaint_levels.{name}.event", f"时限事件「{level.get('event')}」未定义", "CPL-1")
        for name, entry in (_get(d, "complaints") or {}).items():
            if not isinstance(entry, dict):
                continue
            if entry.get("level") not in levels:
                bad(f"complaints.{name}.level", f"投诉级别「{entry.get('level')}」未定义（已定义：{'、'.join(levels)}）",
                    "CPL-3")
            for key in ("script", "handling"):
                if not (isinstance(entry.get(key), str) and entry[key].strip()):
                    bad(f"complaints.{name}.{key}", "回答要点/处理方式不能为空", "CPL-3")
        self.tariff(d, bad, number)
        for vocab in VOCABULARIES:
            names: dict[str, str] = {}
            for name, entry in (_get(d, vocab) or {}).items():
                if not isinstance(entry, dict):
                    continue
                for alias in [name, *entry.get("aliases", [])]:
                    norm = "".join(str(alias).split()).lower()
                    if norm in names and names[norm] != name:
                        bad(f"{vocab}.{name}.aliases", f"别名「{alias}」同时指向「{names[norm]}」和「{name}」")
                    names.setdefault(norm, name)

    # ------------------------------------------------------------------ FRT-1/FRT-2 tariff
    def tariff(self, d: dict, bad: Any, number: Any) -> None:
        t = _get(d, "freight")
        if t is None:
            return
        if not isinstance(t, dict):
            bad("freight", "运价表应为表 [freight]", "FRT-1")
            return
        zero = Decimal(0)
        number("freight.divisor", zero, lo_open=True)
        number("freight.minimum", zero)
        for key in ("max_weight", "max_side", "step"):
            if key not in t:
                bad(f"freight.{key}", "缺少此项", "FRT-2" if key.startswith("max") else "FRT-1")
            else:
                number(f"freight.{key}", zero, lo_open=True)
        if "step" in t and _num(t["step"]) not in STEPS:
            bad("freight.step", f"续重取整单位应为 0.5 或 1（千克），收到 {t['step']!r}", "FRT-1")
        if not isinstance(t.get("example", False), bool):
            bad("freight.example", f"应为 true 或 false，收到 {t.get('example')!r}", "FRT-1")
        zones = t.get("zones")
        if not isinstance(zones, dict) or not zones:
            bad("freight.zones", "运价表没有任何区域", "FRT-1")
            return
        owner: dict[tuple[str, str], str] = {}
        classes = _get(d, "storage.classes") or {}
        for name, zone in zones.items():
            if not isinstance(zone, dict):
                bad(f"freight.zones.{name}", "区域应为表", "FRT-1")
                continue
            self.tariff_zone(name, zone, classes, owner, bad, number)

    def tariff_zone(self, name: str, zone: dict, classes: dict, owner: dict, bad: Any, number: Any) -> None:
        p, zero = f"freight.zones.{name}", Decimal(0)
        for key in sorted(set(zone) - ZONE_KEYS):
            bad(f"{p}.{key}", f"不认识的运价项（可用：{'、'.join(sorted(ZONE_KEYS))}）", "FRT-1")
        pricing = zone.get("pricing")
        if pricing not in PRICINGS:
            bad(f"{p}.pricing", f"计价方式应为 express（首重续重）或 ltl（零担），收到 {pricing!r}", "FRT-1")
        else:
            for key in PRICINGS[pricing]:
                if key not in zone:
                    bad(f"{p}.{key}", "缺少此项", "FRT-1")
                number(f"{p}.{key}", zero, lo_open=key == "first_weight")
            if pricing == "ltl" and all(_num(zone.get(k)) == 0 for k in PRICINGS["ltl"]):
                bad(f"{p}.per_kg", "零担的每千克与每立方米价格不能都为 0", "FRT-1")
        number(f"{p}.minimum", zero)
        found = False
        for kind in ("classes", "places"):
            items = zone.get(kind, [])
            if not isinstance(items, list) or not all(isinstance(x, str) and x.strip() for x in items):
                bad(f"{p}.{kind}", "应为线路类别或地名的列表", "FRT-1")
                continue
            found = found or bool(items)
            for item in items:
                if kind == "classes" and item not in classes:
                    bad(f"{p}.classes", f"线路类别「{item}」未定义（已定义：{'、'.join(classes)}）", "STO-3")
                seen = owner.setdefault((kind, item.strip()), name)
                if seen != name:
                    bad(f"{p}.{kind}", f"「{item}」同时属于区域「{seen}」和「{name}」", "FRT-1")
        if not found:
            bad(p, "区域应有线路类别 classes 或地名 places", "FRT-1")

    # ------------------------------------------------------------------ company file shape
    def company_shape(self) -> None:
        company = self.loaded.company
        if company is None:
            return
        file = f"{company.what} {company.path}"
        for key in company.raw:
            if key not in ("company", "version", "holidays"):
                self.add(file, key, "公司规则文件只能有 [company]、[version.…] 和 [holidays.YYYY]", "LAW-5")
        for vid, entry in self.loaded.company_versions.items():
            if vid in self.loaded.bundled_versions:
                self.add(file, f"version.{_q(vid)}", "版本号与程序自带版本重名，请另取（如 C2027.1）", "LAW-5")
            if not isinstance(entry, dict):
                continue
            if "based_on" in entry:
                self.add(file, f"version.{_q(vid)}.based_on",
                         "公司版本不写 based_on：自施行日起叠加在当时施行的程序自带版本之上", "LAW-5")
            self.notice_period(file, vid, entry)
            base = self.loaded.layers[0].data if self.loaded.layers else {}
            for key in leaf_keys(entry):
                if key != "based_on" and not any(key == p or key.startswith(p + ".") for p in COMPANY_KEYS):
                    self.add(file, f"version.{_q(vid)}.{key}",
                             "公司规则文件不能修改此项（只能改 k 倍运费、线路地名、投诉话术与类别、货物类别、运价、货损原因、"
                             "重大案件门槛；其他数字随程序发布）", _rule_of(base, key))
            # each entry carries its rule ID
            entries = [k for k in ("compensation", "storage", "freight") if k in entry]
            entries += [f"{sec}.{name}" for sec in ("complaints", "categories", "analysis.causes")
                        for name in (_get(entry, sec) or {})]
            for key in entries:
                rule = _get(entry, f"{key}.rule")
                if not (isinstance(rule, str) and RULE_ID.match(rule)):
                    self.add(file, f"version.{_q(vid)}.{key}.rule",
                             f"缺少规则编号（如 rule = \"{_rule_of(entry, key + '.x')}\"）", "LAW-5")

    # ------------------------------------------------------------------ holidays
    def holidays(self) -> None:
        for src in (self.loaded.bundled, self.loaded.company):
            if src is None:
                continue
            file = f"{src.what} {src.path}"
            for year, table in src.raw.get("holidays", {}).items():
                p = f"holidays.{year}"
                if not (isinstance(year, str) and year.isdigit() and len(year) == 4):
                    self.add(file, p, "年份应为四位数字", "DATE-5")
                    continue
                self.holiday_year(file, p, int(year), table, src.kind == "company")
        years = sorted(self.loaded.holidays)
        if not years:
            b = self.loaded.bundled
            self.add(f"{b.what} {b.path}", "holidays", "没有任何节假日数据", "DATE-5")
            return
        gaps = sorted(set(range(years[0], years[-1] + 1)) - set(years))
        if gaps:
            later = min(y for y in years if y > gaps[0])
            src = self.loaded.holiday_origin[later]
            what = "公司规则文件" if self.loaded.company and src == self.loaded.company.path else "程序自带规则文件"
            self.add(f"{what} {src}", f"holidays.{later}",
                     f"节假日年份须连续：缺 {'、'.join(map(str, gaps))} 年", "DATE-5")

    def holiday_year(self, file: str, p: str, year: int, table: Any, company: bool) -> None:
        if not isinstance(table, dict):
            self.add(file, p, "应为表 [holidays.YYYY]", "DATE-5")
            return
        if company:
            if table.get("rule") != "DATE-5":
                self.add(file, f"{p}.rule", '缺少规则编号 rule = "DATE-5"', "DATE-5")
            if not isinstance(table.get("published"), dt.date):
                self.add(file, f"{p}.published", "缺少通知的发布日期", "DATE-5")
            if not (isinstance(table.get("source"), str) and table["source"].strip()):
                self.add(file, f"{p}.source", "缺少来源（通知标题）", "DATE-5")
        lo, hi = dt.date(year - 1, 12, 1), dt.date(year + 1, 1, 31)
        off_days: set[dt.date] = set()
        for i, span in enumerate(table.get("off", [])):
            k = f"{p}.off[{i}]"
            a, b = (span.get("from"), span.get("to")) if isinstance(span, dict) else (None, None)
            if not (_is_day(a) and _is_day(b) and isinstance(span.get("name"), str)):
                self.add(file, k, "每项应有 name、from、to（日期）", "DATE-5")
                continue
            if b < a or not (lo <= a and b <= hi) or (b - a).days > 15:
                self.add(file, k, f"{span['name']} {a}–{b} 不是 {year} 年内的放假区间", "DATE-5")
                continue
            off_days |= {a + dt.timedelta(days=n) for n in range((b - a).days + 1)}
        for i, day in enumerate(table.get("work", [])):
            k = f"{p}.work[{i}]"
            if not _is_day(day):
                self.add(file, k, f"应为日期（如 2027-01-01）：{day!r}", "DATE-5")
            elif not lo <= day <= hi:
                self.add(file, k, f"调休上班日 {day} 不在 {year} 年", "DATE-5")
            elif day.weekday() < 5:
                self.add(file, k, f"调休上班日 {day} 是周{'一二三四五'[day.weekday()]}，不是周末", "DATE-5")
            elif day in off_days:
                self.add(file, k, f"调休上班日 {day} 同时在放假区间内", "DATE-5")

    def run(self) -> list[Problem]:
        b = self.loaded.bundled
        for vid, raw in b.raw.get("version", {}).items():
            # each version states its own dates (a based_on version does not inherit them)
            self.notice_period(f"{b.what} {b.path}", vid, raw if isinstance(raw, dict) else {})
        self.company_shape()
        for layer in self.loaded.layers:
            self.layer(layer)
        self.holidays()
        return self.problems


def check(loaded: Loaded) -> list[Problem]:
    """Every problem of the loaded files (empty when they are fine)."""
    return _Checker(loaded).run()


def refuse(problems: Iterable[Problem]) -> None:
    """Raise the load-time RuleError (every problem, file, key and rule named)."""
    problems = list(problems)
    if not problems:
        return
    text = "；".join(str(p) for p in problems[:5])
    more = f"；另有 {len(problems) - 5} 处问题，运行 logidesk rules check 查看" if len(problems) > 5 else ""
    raise RuleError(f"规则数据有误，已拒绝加载：{text}{more}", problems[0].rule)


def covered_years(loaded: Loaded) -> dict[int, Path]:
    return dict(sorted(loaded.holiday_origin.items()))
