"""The rules reference ``docs/rules.md``, generated from the rules data (udfs/rules.toml, read
through :mod:`udfs.rulebook`), the function declarations (:mod:`udfs.registry`) and the
registers' columns (:mod:`udfs.register_inputs`).

    python -m udfs.rules_doc            # print the document
    python -m udfs.rules_doc --write    # rewrite docs/rules.md
    python -m udfs.rules_doc --check    # exit 1 when docs/rules.md is stale

Every rule ID gets a section: its summary quoted from the business-rules digest the product
was built from (:data:`SUMMARIES`), the figures of the rules data under it per version with
the version's dates, the Excel and Python functions that apply it and the register columns
that cite it.

Which rule a figure belongs to: the ``rule`` of the nearest table on its path, unless a
sibling ``<words>_rule`` key names the words of the figure's key (``manager_rule = "INS-2"``
takes ``manager_over`` and ``manager_note``); a key under no rule belongs to its section's
rule (:data:`udfs.rules_check.SECTION_RULE`), except the few keys of :data:`KEY_RULES`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from . import register_inputs
from .generated import is_stale, refresh
from .registry import FUNCTIONS, Function
from .rulebook import RULES_PATH, Rulebook, Rules
from .rules_check import RULE_ID, SECTION_RULE

TARGET = Path(__file__).resolve().parents[1] / "docs" / "rules.md"

# Rule groups in the order of the digest, with the document's heading for each.
GROUPS = {
    "MONEY": "金额", "DATE": "日期与期限", "INS": "保价", "COD": "代收货款", "STO": "仓储保管费",
    "CLM": "索赔受理", "CMP": "客户赔偿", "ECM": "电商件赔偿", "NET": "网点间赔付", "DL": "理赔时限",
    "CPL": "投诉", "NTC": "公告与函件", "INV": "发票", "LBL": "标签违规", "RPR": "维修时限",
    "LAW": "法律依据", "FRT": "运费", "ANL": "货损货差分析",
}

# Each rule's summary, quoted verbatim from the business-rules digest (the document the rule
# IDs come from, written in English with the sources' Chinese terms).
SUMMARIES = {
    "MONEY-1": "Amounts are yuan (元). Compute in decimal, round the final amount half-up to 0.01 yuan (分). "
               "Never let binary floating point decide a rounding.",
    "MONEY-2": "Decision (reading inputs): a money input is read at the fen — rounded half-up to 0.01 yuan "
               "when it is read, which is what a cell formatted to two decimals shows",
    "DATE-1": 'Periods "from day X" do not count day X itself (民法典 art. 201: 开始的当日不计入)',
    "DATE-2": "Calendar days (日历天) count every day. Working days (工作日) follow the official Chinese holiday "
              "calendar, including make-up working weekends (调休上班).",
    "DATE-3": "Hour-based limits (24 h, 30 min) are datetimes, not dates.",
    "DATE-4": 'Decision: "1 year" / "N months" from a date end on the same calendar day that many months '
              "later, or on the month's last day where that day does not exist",
    "DATE-5": "The official holiday schedule for the coming year is published late each year.",
    "DATE-6": "Decision (the missing year): the error names the first year the computation needs that the "
              "data lacks",
    "DATE-7": "Decision (民法典 art. 203): a period set by law or by the claim-validity rule whose last day "
              "is a rest day (weekend or holiday in the holiday data; make-up working days are working "
              "days) ends on the next working day.",
    "DATE-8": "Decision (legal periods ending in an uncovered year): DEADLINE of a period that DATE-7 "
              "extends (索赔时效, 投诉法定答复, 诉讼时效) whose nominal last day falls in a year without holiday data is "
              "the DATE-5 error",
    "INS-1": "Premium (保价费) = declared value × 0.5%, minimum 5 yuan per waybill (每票最低收费5元).",
    "INS-2": "Declared value of a single item (单件) over 100,000 yuan: the local manager must check it "
             "personally (当地经理亲自把关).",
    "INS-3": "Single item over 200,000 yuan: must be raised on the spot with the group safety office and "
             "filed with the group customer-service department (当场向集团安全办征询、报集团客服部立案).",
    "INS-4": "Not insurable (不予保价): handicrafts (工艺品); precision instruments or equipment (精密仪器或设备, "
             "needing strict dust/shock/tilt protection); jewellery (珠宝); antiques (古董); jade, root and "
             "stone carvings (玉雕、根雕、石雕) and other goods hard to value objectively; imported goods "
             "repairable only abroad (在国外才能维修的进口货品); customer returns (客户退货).",
    "INS-5": "Loss-only cover (只保灭失险) for fragile (易碎品), moisture-sensitive (易潮湿), easily contaminated "
             "(易污染) and badly packed (包装不合格) goods.",
    "INS-6": "The waybill's 保价 box is 是 (insured) or 否 (not insured)",
    "INS-7": "Decision (counter): goods that may not be insured (INS-4) pay no premium and get no "
             "declared-value cover, at the counter and in every template; the quote says why.",
    "COD-1": "Handling fee per collection (每笔)",
    "COD-2": "The shipper must collect the goods money within 3 months from the day it arrives "
             "(从货款到账之日起三个月内).",
    "COD-3": "COD customers need a member card; issuing or re-issuing a card costs 5 yuan.",
    "STO-1": "Goods picked up more than 3 days after the arrival notice pay, for each further day "
             "(每逾期一天), a percentage of the freight (运费)",
    "STO-2": "Decision (days): chargeable days = max(0, (pickup date − notice date) in calendar days − 3).",
    "STO-3": "Decision (route class): each end of a route has a class — F (Fujian, Shantou, Wenzhou) 10%, "
             "B (PRD/YRD list) 5%, C (Jing-Jin-Tang list) 3% — and the route's rate is the lower of the "
             "two ends' rates.",
    "STO-4": "Decision (places as clerks write them): a place may be a city, a province, or a full address",
    "CLM-1": '延误 delay: delivered later than the promised time limit, but before the "complete delay" '
             "limit (彻底延误时限).",
    "CLM-2": "遗失 loss: not delivered when the complete-delay limit is reached.",
    "CLM-3": "破损 damage: the item lost part (部分损毁) or all (完全损毁) of its value.",
    "CLM-4": "内件不符 content mismatch: name, quantity or weight of the contents differs from the waybill.",
    "CLM-5": "Not liable (可不负赔偿责任): (a) the customer's fault or the nature of the goods; (b) force "
             "majeure — except for insured (保价) shipments",
    "CLM-6": "Packaging: damage from packing done by the customer is in principle not compensated",
    "CLM-7": "Decision: the one-year window of CLM-5(c) is DATE-4's year, extended by DATE-7 when its "
             "last day is a rest day",
    "CLM-8": "Decision (refused claims): a claim that CLAIM_CHECK refuses (不予受理) gets no compensation, no "
             "freight waiver and no network amount",
    "CMP-1": "Loss: the service fee (freight) of that shipment is waived (免除本次服务费用, not the insurance fee "
             "or other surcharges)",
    "CMP-2": "Damage: total damage is compensated as a loss; partial damage as the loss compensation × "
             "the share of value lost (快件丧失价值占总价值的比例).",
    "CMP-3": "Delay: the freight is waived; if the delay destroys the contents' value, compensate as loss "
             "or damage.",
    "CMP-4": "Decision (freight waiver): waived in full for loss, delay and total damage; not for partial "
             "damage or content mismatch.",
    "CMP-5": "Decision: content mismatch (内件不符) is compensated like partial damage",
    "CMP-6": "Decision: for loss-only goods (INS-5) the waybill remark disclaims damage in transit",
    "CMP-7": "Decision: goods that may not be insured (INS-4) but carry an insured value are compensated "
             "as uninsured",
    "CMP-8": "Decision (required share): for 破损 and 内件不符 the share lost (损失比例) is required",
    "ECM-1": "E-commerce parcels (Taobao, JD, Paipai, Yigou…) with a valid transaction screenshot: damage "
             "compensated by degree, at most 500 yuan per waybill.",
    "ECM-2": "Loss, destruction or partial loss of contents: actual loss, at most 2,000 yuan per waybill.",
    "ECM-3": "No formal invoice and missing contents worth ≥ 2,000 yuan: at most 1,000 yuan for a "
             "practical item (实用性), 700 yuan for a non-practical one.",
    "ECM-4": "Contents worth ≥ 3,000 yuan follow the high-value process (flag it; the amount is still "
             "computed).",
    "ECM-5": "Decision: the loss amount is value × share lost.",
    "ECM-6": "Decision: the e-commerce standard has no delay rule",
    "ECM-7": "Decision (required share): as CMP-8, ECOM_COMPENSATION needs the share lost for 破损 and 内件不符",
    "NET-1": "Loss reported by the sending branch: 1,000 yuan per waybill; a batch / whole bag (批货、整包件) "
             "at most 10,000 yuan.",
    "NET-2": "Loss of a parcel sent to a branch still in its agency period (代理期内网点): 300 yuan per "
             "waybill; batch at most 5,000.",
    "NET-3": "Where the item's actual value is below the standard, pay the actual value.",
    "NET-4": "Fees on a settled case: the fined branch pays 6%, the compensated branch 4% (手续费).",
    "NET-5": "Delay: 50 yuan per waybill per day; at most 250 yuan for ≤ 1 kg (1 kg included), 500 for > "
             "1 kg; batch at most 2,500.",
    "NET-6": "Delay to an agency-period branch: 10 yuan per waybill per day, at most 100; batch at most "
             "1,000.",
    "NET-7": "Transfer via a third-party carrier beyond the agreed time: 50 yuan per waybill per day, at "
             "most 1,000 per batch.",
    "NET-8": "Decision: every network amount is also capped by the item's actual value (NET-3, NET-5) "
             "when that value is given (> 0).",
    "NET-9": "Decision (batches): a batch or whole bag (批货、整包件) has a number of waybills.",
    "NET-10": "Decision: the network standards cover 遗失 and 延误 only.",
    "DL-1": "Acknowledge a claim form within 24 hours of receiving it.",
    "DL-2": "Processing limit, from that acknowledgement to the compensation proposal: domestic (same "
            "city and inter-city) 30 calendar days; Hong Kong, Macao, Taiwan 30; international 60.",
    "DL-3": "Pay within 7 calendar days of agreeing the amount.",
    "DL-4": "Claims and queries are valid for 1 year from the shipping date (see CLM-5c)",
    "DL-5": "Notices to the responsible branch (公告, §7): damage and loss notices ask for contact within "
            "5 days of the notice; delay notices within 3 days.",
    "DL-6": "Negotiation window before escalation to head-office arbitration (001 flowcharts: 发布 协商公告 → "
            "协商理赔 10天内 / 30天内 → not settled → 上报总部仲裁): damage 10 days, loss 30 days from the notice",
    "DL-7": "Internal claim flow (天霖, source 000): the customer returns the claim form and evidence "
            "(signed receipt, waybill, commercial invoice, loss photos) within 3 days",
    "CPL-1": "Time limits (投诉处理时限), working days",
    "CPL-2": "Flow (001): record → judge whether it stands → route to the responsible department → find "
             "the cause → propose a fair solution → manager approval → carry out → review.",
    "CPL-3": "Complaint categories with answer scripts (回答要点) and handling (处理方式)",
    "CPL-4": "Decision (levels of the CPL-3 categories): 服务态度, 运价, 配送司机不搬货 → 简单 (1 working day); 货品滞留, "
             "快件延误, 转货或转外协, 当晚未配载发车, 当日未配送, 窜货, 退货 → 复杂 (3); 理赔不满意, 发错货或运送质量, and damage/shortage/loss → "
             "重大 (5).",
    "NTC-1": "Damage negotiation notice (破损协商公告)",
    "NTC-2": "Loss negotiation notice (遗失协商公告)",
    "NTC-3": "Delay negotiation notice (延误协商公告)",
    "NTC-4": "Claim letter (索赔函), damage or loss",
    "NTC-5": "Claim report form fields (上报信息)",
    "NTC-6": "Claim application (天霖申请赔偿表), customer complaint follow-up record (客户投诉及部门跟进记录表), claim "
             "application report (索赔申请报告书)",
    "NTC-7": "VIP letters (source 000): congratulation letter (VIP恭喜函) when sales confirms a VIP; "
             "cancellation letter (VIP服务取消通知函) when the monthly volume no longer qualifies.",
    "INV-1": "Invoices: requested from the shipping date until the last day of the following month (次月31日 "
             "— read as the last day of the next month); later requests are refused.",
    "LBL-1": "Label penalties (标签违规) per waybill: < 50 pieces, missing or incomplete labels 30 yuan; ≥ 50 "
             "pieces all missing 30 yuan; ≥ 50 pieces incomplete 20 yuan; old label not removed or "
             "covered 10 yuan.",
    "RPR-1": "Repair turnaround (source 003, after the unit arrives, shipping excluded): a single unit 3 "
             "working days; 3 units 7 working days; a batch 15 working days, never more than 15 days",
    "LAW-1": "邮政法 (2015) art. 47: insured item lost or destroyed → the insured amount; partly damaged or "
             "short → insured amount × (loss ÷ full value).",
    "LAW-2": "邮政法 art. 48: no liability for force majeure (unless insured), the goods' nature, or the "
             "sender's/recipient's fault (matches CLM-5).",
    "LAW-3": "快递暂行条例 (2019 text) art. 27: insured parcels follow the agreed insurance rules; uninsured "
             "follow civil law. Art. 28: a complaint is handled and answered within 7 days",
    "LAW-4": "民法典 art. 830: a consignee who collects late pays storage fees (the legal basis of STO-1)",
    "LAW-5": "快递市场管理办法 (2023, in force 2024-03-01) art. 22: compensation and complaint rules must be "
             "published, with 10 days' notice of changes",
    "FRT-1": "Decision (the company's tariff): freight comes from the company's own tariff in the company "
             "rules file",
    "FRT-2": "Decision (chargeable weight): express: max(actual kg, L × W × H cm ÷ divisor), divisor in "
             "the tariff (default 6000); LTL: weight and volume priced separately, the higher one charged.",
    "FRT-3": "Decision: a quote shows how the freight was found (zone, chargeable weight, prices) with "
             "its rule IDs, then premium (INS), COD fee (COD-1), storage terms (STO-1) and the total",
    "ANL-1": "Decision (links and causes): the claim register may carry 责任环节 "
             "(收件、装车、干线运输、中转、仓储、派送、包装、客户原因、其他) and 原因 (a list in the rules data the company may extend)",
    "ANL-2": "Decision (the monthly analysis): for a month, per branch and for the whole network: counts "
             "and amounts by claim type, by link and by cause",
    "ANL-3": "Decision (major cases): a claim is major when its amount claimed reaches the threshold in "
             "the rules data (default 5,000 yuan), when it is ECM-4 high-value, or when a single item is "
             "declared over 200,000 yuan (INS-3)",
}

# The registers' sheet names (workbooks.spec.REGISTERS[kind].sheet; the test keeps them equal)
REGISTER_SHEETS = {"claims": "理赔登记表", "complaints": "投诉登记表", "storage": "仓储保管登记",
                   "cod": "代收货款登记"}
# Keys the rules data leaves under their section's rule though they belong to another (the
# rules data's comments say which): a key path, or the path of a table, → its rule.
KEY_RULES = {
    ("network", "light_kg"): "NET-5",
    ("network", "sides"): "NET-4",
    ("storage", "division_table"): "STO-4",
    ("storage", "division_edition"): "STO-4",
    ("storage", "extra_divisions"): "STO-4",
    ("freight", "divisor"): "FRT-2",
    ("freight", "max_side"): "FRT-2",
}
# functions whose first argument names a deadline event of the rules data: a literal event
# cites that event's rule instead of the function's whole list
EVENT_FUNCTIONS = ("deadline", "deadline_status")

_TOKEN = re.compile(r"^(?:([A-Z]+)-)?(\*|\d+)(?:\.\.(\d+)|/(\d+))?$")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


# ----------------------------------------------------------------------------- rule IDs
def rule_order(rule: str) -> tuple[int, int, str]:
    """Sort key: the digest's group order, then the number."""
    prefix, _, number = rule.partition("-")
    group = list(GROUPS).index(prefix) if prefix in GROUPS else len(GROUPS)
    return group, int(number) if number.isdigit() else 0, rule


def expand(expression: str, known: Iterable[str]) -> list[str]:
    """The rule IDs of a declaration's rule text: "CMP-1..8, INS-4/5", "NET-1..3, 5..10",
    "DL-*" (every known DL rule), "LAW-3/4"; words that are no rule ID are skipped."""
    found: list[str] = []
    prefix = ""
    for token in (t.strip() for t in expression.split(",")):
        match = _TOKEN.match(token)
        if not match or not (match.group(1) or prefix):
            continue
        prefix = match.group(1) or prefix
        first, last, other = match.group(2), match.group(3), match.group(4)
        if first == "*":
            found += sorted((k for k in known if k.startswith(prefix + "-")), key=rule_order)
            continue
        numbers = range(int(first), int(last) + 1) if last else [int(first)] + ([int(other)] if other else [])
        found += [f"{prefix}-{n}" for n in numbers]
    return list(dict.fromkeys(found))


# ----------------------------------------------------------------------------- figures
Path_ = tuple[str, ...]


@dataclass
class DataRules:
    """One version's rules data sorted by rule: figures (key path, value) and the paths of the
    ``*_rule`` keys that cite a rule without a figure of their own."""

    figures: dict[str, list[tuple[Path_, Any]]] = field(default_factory=dict)
    citations: dict[str, list[Path_]] = field(default_factory=dict)


def _words_rules(table: dict) -> dict[tuple[str, ...], str]:
    """The ``<words>_rule`` keys of a table: (words…) → rule ID."""
    return {tuple(k[:-len("_rule")].split("_")): v for k, v in table.items()
            if k.endswith("_rule") and isinstance(v, str) and RULE_ID.match(v)}


def _contains(words: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(words[i:i + len(part)] == part for i in range(len(words) - len(part) + 1))


def _claimant(key: str, words_rules: dict[tuple[str, ...], str]) -> tuple[str, ...] | None:
    """The longest ``<words>_rule`` whose words appear, in order, in ``key``."""
    words = tuple(key.split("_"))
    claims = [part for part in words_rules if _contains(words, part)]
    return max(claims, key=len) if claims else None


def _sort_table(table: dict, path: Path_, inherited: str, into: DataRules) -> None:
    own = table.get("rule")
    rule = own if isinstance(own, str) and RULE_ID.match(own) else inherited
    words_rules = _words_rules(table)
    claimed: set[tuple[str, ...]] = set()
    for key, value in table.items():
        here = path + (key,)
        if key == "rule" or key.endswith("_rule") and tuple(key[:-5].split("_")) in words_rules:
            continue
        if isinstance(value, dict):
            _sort_table(value, here, KEY_RULES.get(here, rule), into)
            continue
        part = _claimant(key, words_rules)
        if part is not None:
            claimed.add(part)
        owner = KEY_RULES.get(here) or (words_rules[part] if part else rule)
        into.figures.setdefault(owner, []).append((here, value))
    for part, cited in words_rules.items():
        if part not in claimed:
            into.citations.setdefault(cited, []).append(path + ("_".join(part) + "_rule",))


def sort_by_rule(data: dict) -> DataRules:
    """Every figure of one version's data under the rule it belongs to (module docstring)."""
    into = DataRules()
    for section, table in data.items():
        if isinstance(table, dict):
            _sort_table(table, (section,), SECTION_RULE.get(section, "LAW-5"), into)
    return into


# ----------------------------------------------------------------------------- functions and columns
@dataclass(frozen=True)
class Use:
    """A function applying a rule: as its own rule (``param`` None) or for one parameter."""

    function: Function
    param: str | None = None
    label: str = ""


def function_uses(known: Iterable[str]) -> dict[str, list[Use]]:
    """Rule ID → the declared functions applying it, in the reference's order."""
    known = list(known)
    uses: dict[str, list[Use]] = {}
    for f in FUNCTIONS.values():
        main = expand(f.rule, known)
        for rule in main:
            uses.setdefault(rule, []).append(Use(f))
        for p in f.params:
            if p.rule and p.rule not in main:
                uses.setdefault(p.rule, []).append(Use(f, p.name, p.label))
    return uses


def _calls(expr: Any) -> Iterator[tuple]:
    """Every ("call", name, args) node of a register column's expression."""
    if isinstance(expr, tuple) and expr:
        if expr[0] == "call":
            yield expr
        for part in expr[1:]:
            yield from _calls(part)


def _column_rules(expr: Any, events: dict, known: list[str]) -> list[str]:
    by_python = {f.python_name: f for f in FUNCTIONS.values()}
    rules: list[str] = []
    for _, name, args in _calls(expr):
        first = args[0] if args else None
        if name in EVENT_FUNCTIONS and isinstance(first, tuple) and first[0] == "lit":
            rules.append(str(events.get(first[1], {}).get("rule", "")))
        elif name not in EVENT_FUNCTIONS and name in by_python:
            rules += expand(by_python[name].rule, known)
    return [r for r in dict.fromkeys(rules) if r]


def column_uses(events: dict, known: Iterable[str]) -> dict[str, list[str]]:
    """Rule ID → the register columns citing it: checked inputs (their rule) and computed
    columns (the rules of the functions computing them; a deadline's event rule)."""
    known = list(known)
    uses: dict[str, list[str]] = {}
    for kind, inputs in register_inputs.INPUTS.items():
        sheet = REGISTER_SHEETS.get(kind, kind)
        for header, _kind, _required, _choices, rule, _after in inputs:
            if rule:
                uses.setdefault(rule, []).append(f"{sheet}「{header}」（输入检查）")
    for kind, computed in register_inputs.COMPUTED.items():
        sheet = REGISTER_SHEETS.get(kind, kind)
        for header, _guard, expr in computed:
            for rule in _column_rules(expr, events, known):
                uses.setdefault(rule, []).append(f"{sheet}「{header}」（计算列）")
    return uses


# ----------------------------------------------------------------------------- rendering
def _key(path: Path_) -> str:
    return ".".join(p if _PLAIN_KEY.fullmatch(p) else f'"{p}"' for p in path)


def _text(value: Any) -> str:
    """A figure as the document shows it (lists joined with 、, dates ISO, 是/否)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        if not value:
            return "（空）"
        if all(isinstance(v, list) for v in value):
            return "；".join(" ".join(_text(x) for x in v) for v in value)
        return "、".join(_text(v) for v in value)
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text or "（空）"


def _version_line(v: Rules) -> str:
    return f"**{v.id} 版**（{v.published.isoformat()} 发布，{v.effective_from.isoformat()} 起施行）"


def _figure_blocks(rule: str, versions: list[tuple[Rules, DataRules]]) -> list[str]:
    out: list[str] = []
    previous: tuple[str, list] | None = None
    for v, sorted_data in versions:
        figures = sorted_data.figures.get(rule, [])
        if not figures and previous is None:
            continue
        if previous is not None and previous[1] == figures:
            out += [f"{_version_line(v)}：与 {previous[0]} 版相同。", ""]
            continue
        out += [f"{_version_line(v)}：", ""]
        if figures:
            out += ["| 数据项 | 值 |", "|---|---|"]
            out += [f"| `{_key(path)}` | {_text(value)} |" for path, value in figures]
        else:
            out.append("（此版本没有此规则的数字）")
        out.append("")
        previous = (v.id, figures)
    return out


def _use_line(use: Use) -> str:
    f = use.function
    name = f"`{f.excel_name}`（{f.title}）" if f.excel else f"{f.title}（无 Excel 函数）"
    python = f"Python `udfs.{f.python_name}`" if f.engine else "只在 Excel 中使用"
    if use.param is None:
        return f"- {name}：{python}"
    return f"- {name}的参数 `{use.param}`「{use.label}」：{python}"


def _span(first: dt.date, last: dt.date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}～{last.isoformat()}"


def _holiday_lines(book: Rulebook) -> list[str]:
    out = ["节假日数据（不分版本，每年一张表，来自国务院办公厅的通知）：", "",
           "| 年份 | 放假 | 调休上班 | 依据 |", "|---|---|---|---|"]
    for year, table in sorted(book.holidays.items()):
        off = "；".join(f"{d['name']} {_span(d['from'], d['to'])}" for d in table.get("off", []))
        work = "、".join(d.isoformat() for d in table.get("work", []))
        out.append(f"| {year} | {off} | {work or '无'} | {table.get('source', '')} |")
    return out + [""]


@dataclass
class Reference:
    """Everything the document says, gathered once."""

    book: Rulebook
    versions: list[tuple[Rules, DataRules]]
    rules: list[str]
    functions: dict[str, list[Use]]
    columns: dict[str, list[str]]

    @classmethod
    def gather(cls, book: Rulebook) -> "Reference":
        versions = [(v, sort_by_rule(v.data)) for v in book.versions]
        in_data = {r for _, d in versions for r in (*d.figures, *d.citations)}
        known = set(SUMMARIES) | in_data
        functions = function_uses(known)
        columns = column_uses(book.versions[-1].data.get("deadlines", {}), known)
        rules = sorted(known | set(functions) | set(columns), key=rule_order)
        return cls(book, versions, rules, functions, columns)

    def figure_count(self, rule: str) -> int:
        return sum(len(d.figures.get(rule, [])) for _, d in self.versions)


def _header(ref: Reference) -> list[str]:
    out = ["# 规则参考", "",
           "本文件由 `python -m udfs.rules_doc --write` 根据规则数据文件 `udfs/rules.toml`、函数声明"
           "（`udfs/registry.py`）和登记表模板生成，请勿手工编辑（`tests/test_rules_doc.py` 在它过期时失败）。", "",
           "每条规则列出：规则摘要原文（英文，附原始资料的中文用语）、执行它的 Excel 函数与 Python 函数、引用它的登记表列，"
           "以及规则数据中属于它的数字（按版本，附发布日期与施行日期）。金额单位为元；费率、比例为小数"
           "（0.005 即 0.5%）。公司规则文件可以改动其中一部分（`logidesk rules check` 检查它），本文件只列程序自带的规则数据。"
           "函数的参数与示例见 [functions.md](functions.md)。", "",
           "## 规则版本", "", "| 版本 | 名称 | 发布日期 | 施行日期 |", "|---|---|---|---|"]
    out += [f"| {v.id} | {v.title} | {v.published.isoformat()} | {v.effective_from.isoformat()} |"
            for v, _ in ref.versions]
    out += ["", "规则变更至少提前 10 天公布（LAW-5）；每个日期按当天施行的版本计算。", "",
            "## 索引", "", "| 规则 | 类别 | 函数 | 数据项 |", "|---|---|---|---|"]
    for rule in ref.rules:
        names = "、".join(dict.fromkeys(u.function.excel_name for u in ref.functions.get(rule, [])
                                        if u.param is None)) or "—"
        group = GROUPS.get(rule.partition("-")[0], "其他")
        out.append(f"| [{rule}](#{rule.lower()}) | {group} | {names} | {ref.figure_count(rule) or '—'} |")
    return out + [""]


def _rule_section(ref: Reference, rule: str) -> list[str]:
    out = [f"### {rule}", ""]
    summary = SUMMARIES.get(rule)
    out += [f"> {summary}", ""] if summary else ["（规则摘要中没有此编号）", ""]
    uses = ref.functions.get(rule, [])
    if uses:
        out += ["函数：", "", *(_use_line(u) for u in uses), ""]
    columns = ref.columns.get(rule, [])
    if columns:
        out += ["登记表列：" + "、".join(dict.fromkeys(columns)), ""]
    out += _figure_blocks(rule, ref.versions)
    cited = sorted({_key(p) for _, d in ref.versions for p in d.citations.get(rule, [])})
    if cited:
        out += ["规则数据中引用它的键：" + "、".join(f"`{c}`" for c in cited), ""]
    if rule == "DATE-2":
        out += _holiday_lines(ref.book)
    if rule == "DATE-5":
        years = sorted(ref.book.holidays)
        out += [f"已收录节假日安排的年份：{'、'.join(str(y) for y in years)}。", ""]
    return out


def render(book: Rulebook | None = None) -> str:
    """The whole document for the bundled rules data (never a company file)."""
    ref = Reference.gather(book or Rulebook(RULES_PATH, None))
    out = _header(ref)
    group = None
    for rule in ref.rules:
        prefix = rule.partition("-")[0]
        if prefix != group:
            group = prefix
            out += [f"## {GROUPS.get(prefix, '其他')}（{prefix}）", ""]
        out += _rule_section(ref, rule)
    return "\n".join(out).rstrip("\n") + "\n"


def stale(path: Path = TARGET) -> bool:
    """True when ``path`` differs from what :func:`render` gives now."""
    return is_stale(path, render())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m udfs.rules_doc", description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help=f"rewrite {TARGET.name}")
    action.add_argument("--check", action="store_true", help="exit 1 when the committed file is stale")
    args = parser.parse_args(argv)
    if not (args.write or args.check):
        sys.stdout.write(render())
        return 0
    stale_now = refresh(TARGET, render(), check=args.check, command="python -m udfs.rules_doc --write")
    return 1 if stale_now and args.check else 0

if __name__ == "__main__":
    raise SystemExit(main())
