"""Worked examples of every Excel function: the source of docs/functions.md and of
`logidesk functions`. Each expected result is worked out by hand from RULES.md and checked
by tests/test_examples.py, so the reference cannot drift from the code."""
from __future__ import annotations

import argparse
import datetime as dt
import inspect
import sys
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# Functions shown in the reference: Excel name → (Chinese title, rule IDs).
TITLES: dict[str, tuple[str, str]] = {
    "INSURANCE_PREMIUM": ("保价费", "INS-1"),
    "INSURANCE_CHECK": ("保价判定", "INS-2..5"),
    "INSURANCE_REMARK": ("只保灭失险运单备注", "INS-5"),
    "COD_FEE": ("代收货款手续费", "COD-1"),
    "STORAGE_DAYS": ("仓储计费天数", "STO-2"),
    "STORAGE_RATE": ("仓储保管费日费率", "STO-1, STO-3"),
    "STORAGE_FEE": ("仓储保管费", "STO-1..3"),
    "COMPENSATION": ("客户赔偿金额", "CMP-1..7, INS-4/5"),
    "COMPENSATION_EXPLAIN": ("赔偿说明", "CMP-1..7"),
    "FREIGHT_WAIVER": ("免收运费", "CMP-4"),
    "CLAIM_CHECK": ("受理判定", "CLM-5..7"),
    "ECOM_COMPENSATION": ("电商件赔偿", "ECM-1..5"),
    "NETWORK_COMPENSATION": ("网点间赔付", "NET-1..3, 5..8"),
    "NETWORK_FEE": ("结案手续费", "NET-4"),
    "DEADLINE": ("期限", "DL-*, CPL-1, INV-1, COD-2, RPR-1, LAW-3/4"),
    "DEADLINE_STATUS": ("时限状态", "DL-*"),
    "WORKDAYS_ADD": ("加工作日", "DATE-2"),
    "IS_WORKDAY": ("是否工作日", "DATE-2"),
    "LABEL_PENALTY": ("标签违规罚款", "LBL-1"),
    "COMPLAINT_LEVEL": ("投诉级别", "CPL-1"),
    "COMPLAINT_SCRIPT": ("投诉回答要点", "CPL-3"),
    "COMPLAINT_EVENT": ("投诉时限事件", "CPL-1"),
    "RULES_VERSION": ("规则版本", "LAW-5"),
    "SAFE_SUM": ("安全合计", "MONEY-1"),
}


@dataclass(frozen=True)
class Example:
    name: str
    args: tuple
    expected: str          # as displayed (money with two decimals, dates ISO)
    why: str               # the hand computation


D = dt.date
EXAMPLES: list[Example] = [
    Example("INSURANCE_PREMIUM", (3000,), "15.00", "3000 × 0.5% = 15"),
    Example("INSURANCE_PREMIUM", (800,), "5.00", "800 × 0.5% = 4 < 最低 5 元"),
    Example("INSURANCE_CHECK", ("普通货物", 150000), "可保价；需经理审批", "单件超过 10 万元（INS-2）"),
    Example("INSURANCE_CHECK", ("易碎品", 500), "只保灭失险", "易碎品只保灭失险（INS-5）"),
    Example("INSURANCE_REMARK", ("易碎品",), "只保灭失险，易碎品、易潮湿、易污染、包装不合格，在途中损坏承运方不承担责任", "INS-5 原文"),
    Example("COD_FEE", (5000,), "15.00", "2000 < 5000 ≤ 10000：5000 × 3‰ = 15"),
    Example("COD_FEE", (2000,), "5.00", "≤ 2000 元保底 5 元"),
    Example("STORAGE_DAYS", (D(2026, 3, 1), D(2026, 3, 5)), "1", "4 天 − 3 天免费 = 1"),
    Example("STORAGE_RATE", ("福州", "上海"), "0.05", "福州 F 10%，上海 B 5%，取低者"),
    Example("STORAGE_FEE", (200, D(2026, 3, 1), D(2026, 3, 8), "厦门", "温州"), "80.00", "7 − 3 = 4 天 × 10% × 200"),
    Example("COMPENSATION", ("遗失", 1000, 20), "60.00", "未保价：min(1000, 3 × 20)"),
    Example("COMPENSATION", ("破损", 5000, 30, 2000, 0.4), "800.00", "保价：min(5000, 2000) × 40%"),
    Example("COMPENSATION_EXPLAIN", ("遗失", 1000, 20),
            "遗失（CLM-2），货物类别：普通货物；遗失物品价值 1,000.00 元，未保价，按实际损失与 3 倍运费 60.00 元 孰低（CMP-1）；"
            "赔偿 60.00 元；免收本次运费 20.00 元（CMP-4）。", "同上，附规则编号"),
    Example("FREIGHT_WAIVER", ("破损", 30, 0.4), "0.00", "部分破损不免运费（CMP-4）"),
    Example("CLAIM_CHECK", (D(2025, 3, 1), D(2026, 3, 1)), "受理", "一年内（CLM-7）"),
    Example("ECOM_COMPENSATION", ("遗失", 2500, None, "否", "是"), "1000.00", "2500 ≥ 2000 且无发票，实用性物品封顶 1000"),
    Example("NETWORK_COMPENSATION", ("延误", 0, 6, 0.8), "250.00", "50 × 6 = 300，1 kg 以内封顶 250"),
    Example("NETWORK_FEE", (1000, "罚款方"), "60.00", "1000 × 6%"),
    Example("DEADLINE", ("投诉延误", D(2026, 9, 30)), "2026-10-10", "国庆 10-01..07 放假，10-08、10-09、10-10（调休上班）"),
    Example("DEADLINE", ("索赔受理", dt.datetime(2026, 11, 23, 9, 30)), "2026-11-24 09:30", "24 小时（DL-1）"),
    Example("DEADLINE_STATUS", ("破损公告", D(2026, 11, 20), None, D(2026, 11, 23)), "剩余2天", "期限 11-25，今天 11-23"),
    Example("WORKDAYS_ADD", (D(2026, 2, 13), 1), "2026-02-14", "2 月 14 日周六调休上班"),
    Example("IS_WORKDAY", (D(2026, 2, 16),), "FALSE", "春节假期"),
    Example("LABEL_PENALTY", (60, "贴不全"), "20.00", "50 件以上贴不全 20 元"),
    Example("COMPLAINT_LEVEL", ("快件延误",), "复杂★★★（3个工作日）", "CPL-1"),
    Example("COMPLAINT_SCRIPT", ("运价",),
            "【运价】回答要点：您好，您反映的价格问题是由于两地消费水平、工人工资、场地租金不同，或者货品性质与其他货品不同导致的价格差别。\n"
            "处理方式：对运价有异议的客户，窗口人员务必做好解释工作，切勿对客户置之不理，严禁误导客户拨打其他部门进行投诉。", "CPL-3，源文件 002 第四章（三）"),
    Example("COMPLAINT_EVENT", ("货品滞留",), "投诉延误", "货品滞留为复杂级，按 3 个工作日（CPL-1）"),
    Example("RULES_VERSION", (), "2024.1（2024-03-01 起施行）", "规则数据中的版本"),
    Example("SAFE_SUM", ([[10.5], [20.25]],), "30.75", "无错误单元格时照常合计"),
]


def display(value: Any) -> str:
    """How a result reads in a cell (money with two decimals)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour, value.minute) != (0, 0) else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{Decimal(repr(value)):.2f}"
    return str(value)


def evaluate(example: Example) -> str:
    from udfs import xl
    result = getattr(xl, example.name)(*example.args)
    if example.name in ("STORAGE_DAYS",):
        return str(int(result))
    if example.name == "STORAGE_RATE":
        return f"{result:.2f}"
    return display(result)


def _literal(a: Any) -> str:
    if a is None:
        return ""
    if isinstance(a, dt.datetime):
        return f'"{a:%Y-%m-%d %H:%M}"'
    if isinstance(a, dt.date):
        return f'"{a.isoformat()}"'
    if isinstance(a, str):
        return f'"{a}"'
    if isinstance(a, list):
        return "B2:B3"
    return str(a)


def formula(example: Example) -> str:
    return f"={example.name}({', '.join(_literal(a) for a in example.args)})"


def markdown() -> str:
    from udfs import xl
    lines = ["# 函数说明（Function reference）", "",
             "本文件由 `logidesk functions --markdown` 生成，示例由测试逐条执行（tests/test_examples.py）。",
             "每个函数可填单个单元格，也可填整列区域（返回一列）。输入有误时单元格显示「错误：…（规则编号）」。",
             "合计请用 `SAFE_SUM`：区域内有错误单元格时它不给出合计，而 `SUM` 会悄悄忽略文字。", ""]
    for name, (title, rules) in TITLES.items():
        func = getattr(xl, name)
        params = ", ".join(inspect.signature(func).parameters)
        lines += [f"## {name} — {title}（{rules}）", "", f"`{name}({params})`", "",
                  (func.__doc__ or "").strip(), "", "| 公式 | 结果 | 计算 |", "|---|---|---|"]
        for ex in EXAMPLES:
            if ex.name == name:
                lines.append(f"| `{formula(ex)}` | {ex.expected.replace(chr(10), '<br>')} | {ex.why} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="logidesk functions", description="每个函数的示例与结果")
    parser.add_argument("--markdown", action="store_true", help="输出 docs/functions.md 的内容")
    args = parser.parse_args(argv)
    if args.markdown:
        sys.stdout.write(markdown())
        return 0
    width = max(len(formula(e)) for e in EXAMPLES)
    print(f"{'公式':<{width}}  结果")
    bad = 0
    for ex in EXAMPLES:
        got = evaluate(ex)
        mark = "" if got == ex.expected else f"   ≠ 期望 {ex.expected}"
        bad += bool(mark)
        print(f"{formula(ex):<{width}}  {got}{mark}")
    return 1 if bad else 0
