"""Worked examples of every Excel function: the source of docs/functions.md and of
`logidesk functions` (:mod:`cli.functions`). Each expected result is worked out by hand from
the rules (docs/rules.md) and checked by tests/test_examples.py, so the reference cannot drift
from the code."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .registry import FUNCTIONS, Example
from .xlcall import call


def titles() -> dict[str, tuple[str, str]]:
    """Functions shown in the reference: Excel name → (Chinese title, rule IDs)."""
    return {n: (f.title, f.rule) for n, f in FUNCTIONS.items() if f.excel}


def examples() -> list[Example]:
    return [e for f in FUNCTIONS.values() if f.excel for e in f.examples]


# The declarations in udfs/registry.py carry each function's title and worked examples.
TITLES: dict[str, tuple[str, str]] = titles()
EXAMPLES: list[Example] = examples()
__all__ = ["Example", "TITLES", "EXAMPLES", "titles", "examples", "display", "evaluate", "formula",
           "markdown"]


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
    """The example's result as a cell shows it, computed through the Excel boundary (the
    generated wrapper in udfs.xl passes its arguments to udfs.xlcall.call unchanged)."""
    result = call(example.name, *example.args)
    kind = FUNCTIONS[example.name].result
    if kind == "days" and isinstance(result, int):
        return str(result)
    if kind == "rate" and isinstance(result, float):
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
    lines = ["# 函数说明（Function reference）", "",
             "本文件由 `logidesk functions --markdown` 生成，示例由测试逐条执行（tests/test_examples.py）。",
             "每个函数可填单个单元格，也可填区域（返回同样行列数的区域，单个单元格的参数对每行通用）。"
             "输入有误时单元格显示「错误：…（规则编号）」；参数是 Excel 错误值（如 #N/A）时显示「错误：<参数名>是 Excel 错误值 #N/A（规则编号）」。",
             "合计请用 `SAFE_SUM`：区域内有错误值、错误单元格或文字时它不给出合计并指出单元格，而 `SUM` 会悄悄忽略文字。",
             "开发者：每个函数只在 `udfs/registry.py` 声明一次；本文件与 `udfs/xl.py` 由 `python -m udfs.gen_xl` 生成。", ""]
    for name, (title, rules) in titles().items():
        f = FUNCTIONS[name]
        params = ", ".join(p.name if p.required else f"[{p.name}]" for p in f.params)
        lines += [f"## {name} — {title}（{rules}）", "", f"`{name}({params})`", "", f.description, ""]
        if f.params:
            lines += ["| 参数 | 名称 | 说明 |", "|---|---|---|"]
            lines += [f"| `{p.name}` | {p.label}{'' if p.required else '（可选）'} | {p.help} |" for p in f.params]
            lines.append("")
        lines += ["| 公式 | 结果 | 计算 |", "|---|---|---|"]
        for ex in f.examples:
            lines.append(f"| `{formula(ex)}` | {ex.expected.replace(chr(10), '<br>')} | {ex.why} |")
        lines.append("")
    return "\n".join(lines)

