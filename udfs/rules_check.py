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
from typing import Any, Iterable, TypeGuard, cast

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


def _is_day(value: Any) -> TypeGuard[dt.date]:
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


def _day_span(span: Any) -> tuple[str, dt.date, dt.date] | None:
    """(name, first day, last day) of a ``holidays.YYYY.off`` entry; None when it lacks one."""
    if not isinstance(span, dict):
        return None
    name, first, last = span.get("name"), span.get("from"), span.get("to")
    if _is_day(first) and _is_day(last) and isinstance(name, str):
        return name, first, last
    return None


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
            if not _is_day(value):
                self.add(file, f"version.{_q(vid)}.{name}",
                         f"缺少日期或不是日期（应写作 2027-01-01）：{value!r}", "LAW-5")
                return
        gap = (cast(dt.date, eff) - cast(dt.date, pub)).days
        if gap < NOTICE_DAYS:
            self.add(file, f"version.{_q(vid)}.effective_from",
                     f"施行日 {eff} 距发布日 {pub} 仅 {gap} 天，规则变更须提前 {NOTICE_DAYS} 天公布", "LAW-5")

    # ------------------------------------------------------------------ a layer's figures
    def layer(self, layer: Layer) -> None:
        _LayerCheck(self, layer).run()

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
            if isinstance(entry, dict):
                self.company_version(file, vid, entry)

    def company_version(self, file: str, vid: str, entry: dict) -> None:
        """One [version.…] of the company file: no based_on, LAW-5's notice, only the keys a
        company may set."""
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
        self.company_rule_ids(file, vid, entry)

    def company_rule_ids(self, file: str, vid: str, entry: dict) -> None:
        """Each section and entry a company version sets carries its rule ID."""
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
            origin = self.loaded.holiday_origin[later]
            what = "公司规则文件" if self.loaded.company and origin == self.loaded.company.path else "程序自带规则文件"
            self.add(f"{what} {origin}", f"holidays.{later}",
                     f"节假日年份须连续：缺 {'、'.join(map(str, gaps))} 年", "DATE-5")

    def holiday_year(self, file: str, p: str, year: int, table: Any, company: bool) -> None:
        if not isinstance(table, dict):
            self.add(file, p, "应为表 [holidays.YYYY]", "DATE-5")
            return
        if company:
            self.holiday_source(file, p, table)
        lo, hi = dt.date(year - 1, 12, 1), dt.date(year + 1, 1, 31)
        off_days = self.holiday_off_days(file, p, year, table.get("off", []), lo, hi)
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

    def holiday_source(self, file: str, p: str, table: dict) -> None:
        """A company's holiday year names its rule, the notice's date and its title (DATE-5)."""
        if table.get("rule") != "DATE-5":
            self.add(file, f"{p}.rule", '缺少规则编号 rule = "DATE-5"', "DATE-5")
        if not isinstance(table.get("published"), dt.date):
            self.add(file, f"{p}.published", "缺少通知的发布日期", "DATE-5")
        if not (isinstance(table.get("source"), str) and table["source"].strip()):
            self.add(file, f"{p}.source", "缺少来源（通知标题）", "DATE-5")

    def holiday_off_days(self, file: str, p: str, year: int, spans: Any, lo: dt.date,
                         hi: dt.date) -> set[dt.date]:
        """The days off of a holiday year's ``off`` spans, each span checked to lie in the year."""
        off_days: set[dt.date] = set()
        for i, span in enumerate(spans):
            k = f"{p}.off[{i}]"
            found = _day_span(span)
            if found is None:
                self.add(file, k, "每项应有 name、from、to（日期）", "DATE-5")
                continue
            name, a, b = found
            if b < a or not (lo <= a and b <= hi) or (b - a).days > 15:
                self.add(file, k, f"{name} {a}–{b} 不是 {year} 年内的放假区间", "DATE-5")
                continue
            off_days |= {a + dt.timedelta(days=n) for n in range((b - a).days + 1)}
        return off_days

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


ZERO, ONE = Decimal(0), Decimal(1)


class _LayerCheck:
    """The figures and references of one layer (a version as it applies, the company's
    keys over the bundled ones), each problem reported where its key was written."""

    def __init__(self, checker: _Checker, layer: Layer) -> None:
        self.checker = checker
        self.layer = layer
        self.d = layer.data

    def bad(self, key: str, message: str, rule: str | None = None) -> None:
        file, where = self.checker.origin(self.layer, key)
        self.checker.add(file, where, message, rule or _rule_of(self.d, key))

    def number(self, key: str, lo: Decimal | None = None, hi: Decimal | None = None,
               integer: bool = False, lo_open: bool = False) -> Decimal | None:
        value = _get(self.d, key)
        if value is None:
            return None
        n = _num(value)
        if n is None or (integer and (n != n.to_integral_value() or isinstance(value, float))):
            self.bad(key, f"应为{'整数' if integer else '数字'}，收到 {value!r}")
            return None
        if n < 0:
            return n                                  # reported once, as 不能为负数
        if lo is not None and (n <= lo if lo_open else n < lo):
            self.bad(key, f"{n} 超出范围（应{'大于' if lo_open else '不小于'} {lo}）")
        elif hi is not None and n > hi:
            self.bad(key, f"{n} 超出范围（应不大于 {hi}）")
        return n

    def ordered(self, low_key: str, high_key: str, message: str, rule: str | None = None) -> None:
        """Both figures in range, and the higher one not below the lower one; the message
        is formatted with ``low`` and ``high``."""
        low, high = self.number(low_key, ZERO), self.number(high_key, ZERO)
        if low is not None and high is not None and high < low:
            self.bad(high_key, message.format(low=low, high=high), rule)

    def run(self) -> None:
        self.negatives()
        self.money()
        self.storage()
        self.number("compensation.uninsured_freight_multiple", ZERO, Decimal(100), lo_open=True)
        self.number("claim_window.months", ZERO, integer=True, lo_open=True)
        self.analysis()
        self.network()
        self.number("labels.many_pieces", ZERO, integer=True, lo_open=True)
        self.number("labels.reward_share", ZERO, ONE)
        self.categories()
        events = self.deadlines()
        self.complaints(events)
        self.tariff()
        for vocab in VOCABULARIES:
            self.aliases(vocab)

    def negatives(self) -> None:
        """Every figure: never negative."""
        for key in leaf_keys(self.d):
            n = _num(_get(self.d, key))
            if n is not None and n < 0:
                self.bad(key, f"不能为负数：{_get(self.d, key)!r}")

    def money(self) -> None:
        """MONEY-1, INS-1..3, COD-1: amounts, rates and their thresholds in order."""
        self.number("money.max_amount", ZERO, lo_open=True)
        self.number("money.fraction_places", ZERO, Decimal(9), integer=True)
        self.number("insurance.rate", ZERO, ONE)
        self.number("insurance.minimum", ZERO)
        self.ordered("insurance.manager_over", "insurance.safety_over",
                     "报安全办门槛 {high} 低于经理审批门槛 {low}", "INS-3")
        self.number("cod.rate", ZERO, ONE)
        self.ordered("cod.low_limit", "cod.high_limit", "按费率区间上限 {high} 低于固定收费上限 {low}", "COD-1")
        self.ordered("cod.low_fee", "cod.high_fee", "封顶手续费 {high} 低于最低手续费 {low}", "COD-1")
        self.number("cod.card_fee", ZERO)

    def storage(self) -> None:
        """STO-2/STO-3: the free days, each route class's rate, each listed place in one class."""
        self.number("storage.free_days", ZERO, integer=True)
        classes = _get(self.d, "storage.classes") or {}
        for cls in classes:
            self.number(f"storage.classes.{cls}.rate", ZERO, ONE)
        placed: dict[tuple[str, str], str] = {}
        for kind in ("cities", "provinces"):
            for cls, names in (_get(self.d, f"storage.{kind}") or {}).items():
                key = f"storage.{kind}.{cls}"
                if cls not in classes:
                    self.bad(key, f"线路类别「{cls}」未定义（已定义：{'、'.join(classes)}）", "STO-3")
                if not isinstance(names, list) or not all(isinstance(p, str) and p.strip() for p in names):
                    self.bad(key, "应为地名列表", "STO-3")
                    continue
                for place in names:
                    if (kind, place) in placed and placed[(kind, place)] != cls:
                        self.bad(key, f"地名「{place}」同时属于 {placed[(kind, place)]} 类和 {cls} 类", "STO-3")
                    placed[(kind, place)] = cls

    def analysis(self) -> None:
        """ANL-3's threshold; ANL-1's two drop-down lists, each with at least one entry."""
        self.number("analysis.major_from", ZERO, lo_open=True)                     # ANL-3
        for vocab in ("analysis.links", "analysis.causes"):                        # ANL-1
            table = _get(self.d, vocab)
            if not isinstance(table, dict) or not table:
                self.bad(vocab, "应至少有一项（责任环节、原因的下拉列表）", "ANL-1")
                continue
            for name, entry in table.items():
                if not isinstance(entry, dict):
                    self.bad(f"{vocab}.{name}", "应为一个表（含 rule、aliases）", "ANL-1")

    def network(self) -> None:
        """NET-1..8: the case fee rates, and each case type's caps in order."""
        for key in ("fined_fee_rate", "compensated_fee_rate"):
            self.number(f"network.{key}", ZERO, ONE)
        self.number("network.light_kg", ZERO, lo_open=True)
        for name in _get(self.d, "network.types") or {}:
            p = f"network.types.{name}"
            self.ordered(f"{p}.loss_per_waybill", f"{p}.loss_batch_cap", "批量封顶 {high} 低于单票标准 {low}")
            light, heavy = self.number(f"{p}.delay_cap_light", ZERO), self.number(f"{p}.delay_cap_heavy", ZERO)
            dbatch = self.number(f"{p}.delay_batch_cap", ZERO)
            self.number(f"{p}.delay_per_day", ZERO)
            if light is not None and heavy is not None and heavy < light:
                self.bad(f"{p}.delay_cap_heavy", f"重件封顶 {heavy} 低于轻件封顶 {light}")
            if dbatch is not None and heavy is not None and dbatch < heavy:
                self.bad(f"{p}.delay_batch_cap", f"批量封顶 {dbatch} 低于单票封顶 {heavy}")

    def categories(self) -> None:
        """INS-4: every goods category names a known cover."""
        for name, cat in (_get(self.d, "categories") or {}).items():
            if isinstance(cat, dict) and cat.get("cover") not in COVERS:
                self.bad(f"categories.{name}.cover",
                         f"保价类型应为 {'/'.join(sorted(COVERS))}，收到 {cat.get('cover')!r}", "INS-4")

    def deadlines(self) -> dict:
        """DL-1: every event's unit and count, its scopes and default scope; the events."""
        events = _get(self.d, "deadlines") or {}
        for name, spec in events.items():
            p = f"deadlines.{name}"
            if not isinstance(spec, dict):
                continue
            if spec.get("unit") not in UNITS:
                self.bad(f"{p}.unit", f"时限单位应为 {'/'.join(sorted(UNITS))}，收到 {spec.get('unit')!r}")
            self.number(f"{p}.n", ZERO, integer=True, lo_open=True)
            scopes = spec.get("scopes")
            if isinstance(scopes, dict):
                for sc in scopes:
                    self.number(f"{p}.scopes.{sc}", ZERO, integer=True, lo_open=True)
                if spec.get("default_scope") not in scopes:
                    self.bad(f"{p}.default_scope", f"默认范围「{spec.get('default_scope')}」不在 {'、'.join(scopes)} 中")
        return events

    def complaints(self, events: dict) -> None:
        """CPL-1/CPL-3: each level's deadline event known; each complaint's level known and
        its script and handling written."""
        levels = _get(self.d, "complaint_levels") or {}
        for name, level in levels.items():
            if isinstance(level, dict) and level.get("event") not in events:
                self.bad(f"complaint_levels.{name}.event", f"时限事件「{level.get('event')}」未定义", "CPL-1")
        for name, entry in (_get(self.d, "complaints") or {}).items():
            if not isinstance(entry, dict):
                continue
            if entry.get("level") not in levels:
                self.bad(f"complaints.{name}.level",
                         f"投诉级别「{entry.get('level')}」未定义（已定义：{'、'.join(levels)}）", "CPL-3")
            for key in ("script", "handling"):
                if not (isinstance(entry.get(key), str) and entry[key].strip()):
                    self.bad(f"complaints.{name}.{key}", "回答要点/处理方式不能为空", "CPL-3")

    def aliases(self, vocab: str) -> None:
        """No name or alias of a vocabulary naming two entries."""
        names: dict[str, str] = {}
        for name, entry in (_get(self.d, vocab) or {}).items():
            if not isinstance(entry, dict):
                continue
            for alias in [name, *entry.get("aliases", [])]:
                norm = "".join(str(alias).split()).lower()
                if norm in names and names[norm] != name:
                    self.bad(f"{vocab}.{name}.aliases", f"别名「{alias}」同时指向「{names[norm]}」和「{name}」")
                names.setdefault(norm, name)

    # ------------------------------------------------------------------ FRT-1/FRT-2 tariff
    def tariff(self) -> None:
        t = _get(self.d, "freight")
        if t is None:
            return
        if not isinstance(t, dict):
            self.bad("freight", "运价表应为表 [freight]", "FRT-1")
            return
        self.number("freight.divisor", ZERO, lo_open=True)
        self.number("freight.minimum", ZERO)
        for key in ("max_weight", "max_side", "step"):
            if key not in t:
                self.bad(f"freight.{key}", "缺少此项", "FRT-2" if key.startswith("max") else "FRT-1")
            else:
                self.number(f"freight.{key}", ZERO, lo_open=True)
        if "step" in t and _num(t["step"]) not in STEPS:
            self.bad("freight.step", f"续重取整单位应为 0.5 或 1（千克），收到 {t['step']!r}", "FRT-1")
        if not isinstance(t.get("example", False), bool):
            self.bad("freight.example", f"应为 true 或 false，收到 {t.get('example')!r}", "FRT-1")
        zones = t.get("zones")
        if not isinstance(zones, dict) or not zones:
            self.bad("freight.zones", "运价表没有任何区域", "FRT-1")
            return
        owner: dict[tuple[str, str], str] = {}
        classes = _get(self.d, "storage.classes") or {}
        for name, zone in zones.items():
            if not isinstance(zone, dict):
                self.bad(f"freight.zones.{name}", "区域应为表", "FRT-1")
                continue
            self.tariff_zone(name, zone, classes, owner)

    def tariff_zone(self, name: str, zone: dict, classes: dict, owner: dict[tuple[str, str], str]) -> None:
        p = f"freight.zones.{name}"
        for key in sorted(set(zone) - ZONE_KEYS):
            self.bad(f"{p}.{key}", f"不认识的运价项（可用：{'、'.join(sorted(ZONE_KEYS))}）", "FRT-1")
        self.zone_pricing(p, zone)
        self.number(f"{p}.minimum", ZERO)
        found = False
        for kind in ("classes", "places"):
            items = zone.get(kind, [])
            if not isinstance(items, list) or not all(isinstance(x, str) and x.strip() for x in items):
                self.bad(f"{p}.{kind}", "应为线路类别或地名的列表", "FRT-1")
                continue
            found = found or bool(items)
            self.zone_routes(p, name, kind, items, classes, owner)
        if not found:
            self.bad(p, "区域应有线路类别 classes 或地名 places", "FRT-1")

    def zone_pricing(self, p: str, zone: dict) -> None:
        """FRT-1: a zone's pricing known and each of its prices given and in range."""
        pricing = zone.get("pricing")
        if pricing not in PRICINGS:
            self.bad(f"{p}.pricing", f"计价方式应为 express（首重续重）或 ltl（零担），收到 {pricing!r}", "FRT-1")
            return
        for key in PRICINGS[pricing]:
            if key not in zone:
                self.bad(f"{p}.{key}", "缺少此项", "FRT-1")
            self.number(f"{p}.{key}", ZERO, lo_open=key == "first_weight")
        if pricing == "ltl" and all(_num(zone.get(k)) == 0 for k in PRICINGS["ltl"]):
            self.bad(f"{p}.per_kg", "零担的每千克与每立方米价格不能都为 0", "FRT-1")

    def zone_routes(self, p: str, name: str, kind: str, items: list[str], classes: dict,
                    owner: dict[tuple[str, str], str]) -> None:
        """FRT-1: a zone's route classes defined, and no class or place in two zones."""
        for item in items:
            if kind == "classes" and item not in classes:
                self.bad(f"{p}.classes", f"线路类别「{item}」未定义（已定义：{'、'.join(classes)}）", "STO-3")
            seen = owner.setdefault((kind, item.strip()), name)
            if seen != name:
                self.bad(f"{p}.{kind}", f"「{item}」同时属于区域「{seen}」和「{name}」", "FRT-1")


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
