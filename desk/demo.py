"""The main job on the bundled sample data, headless (the last step of install.py).

1. worked example of every Excel function (udfs.examples);
2. build the clerk templates (workbooks/) and the add-in (addin/xlam/);
3. process the sample registers as `logidesk process` does;
4. issue notices for the sample claim register and check deadlines;
5. build the half-month report and the monthly damage analysis.
Output goes to build/ (git-ignored). A step whose optional system tool is missing says so.

Each step is named by a ``"module", "function"`` pair in :data:`DEMO_STEPS` and imported by
name when it runs (the add-in's step lives in ``addin``, a layer above: deliberately not an
import of this module); the function examples run as the ``logidesk functions`` command
declared in :data:`cli.contract.COMMANDS`.
"""
from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path
from typing import Callable

from udfs import examples
from udfs.coverage import print_once
from udfs.quote import format_quote, quote

from cli.console import ArgumentParser
from cli.contract import commands
from workbooks.build import build_all
from workbooks.process import process_paths

ROOT = Path(__file__).resolve().parents[1]


def _step(title: str, func: Callable[[], str | None]) -> bool:
    print(f"\n== {title} ==", flush=True)
    t0 = time.perf_counter()
    note = func()
    print(f"完成（{time.perf_counter() - t0:.1f} 秒）{('：' + note) if note else ''}", flush=True)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog="logidesk demo", description="在自带样例数据上运行全部主流程（生成模板、加载项、"
                                                              "批量计算、报价、公告、时限提醒、十五日报表）")
    parser.add_argument("--out", type=Path, default=ROOT / "build", help="输出目录（默认 build/）")
    args = parser.parse_args(argv)
    print_once()                       # from 1 November: the coming year's holidays missing
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    ok = True
    for title, module, func_name in DEMO_STEPS:
        def run(module=module, func_name=func_name) -> str | None:
            func = getattr(importlib.import_module(module), func_name)
            return func(out)
        ok &= _step(title, run)
    print(f"\n输出目录：{out}")
    return 0 if ok else 1


def function_examples(out: Path) -> str:
    """Every Excel function's worked examples against the code (``logidesk functions``)."""
    module, func_name = commands()["functions"].target.split(":")
    if getattr(importlib.import_module(module), func_name)([]) != 0:
        raise SystemExit("函数示例与期望不符")
    return f"{len(examples.EXAMPLES)} 个示例全部符合"


def build_templates(out: Path) -> str:
    paths = build_all(out / "workbooks")
    return f"{len(paths)} 个模板 → {out / 'workbooks'}"


def process_samples(out: Path) -> str:
    summary = process_paths([ROOT / "workbooks" / "samples"], out / "demo" / "processed")
    print(summary.text())
    if any(f.refused for f in summary.files):
        raise SystemExit("样例登记表处理被拒绝")
    return f"{len(summary.files)} 个登记表 → {out / 'demo' / 'processed'}"


def counter_quote(out: Path) -> str:
    print(format_quote(quote(None, 3000, 5000, "易碎品", "福州", "上海", weight=3.2, length=40, width=30, height=20)))
    return "柜台报价：3.2 kg、40x30x20 厘米，按运价计运费，声明价值 3000 元，代收 5000 元，易碎品，福州→上海"


# (title, module, function(out_dir) -> summary text). Each module owns its step.
DEMO_STEPS: list[tuple[str, str, str]] = [
    ("函数示例（Excel 函数的 Python 实现）", "desk.demo", "function_examples"),
    ("生成登记表模板", "desk.demo", "build_templates"),
    ("生成 Excel 加载项 logidesk.xlam", "addin.xlam.build", "demo_step"),
    ("无 Excel 批量计算样例登记表", "desk.demo", "process_samples"),
    ("柜台报价", "desk.demo", "counter_quote"),
    ("生成公告与函件并登记台账", "desk.notices", "demo_step"),
    ("时限提醒", "desk.reminders", "demo_step"),
    ("货损货差十五日报表", "desk.report", "demo_step"),
    ("月度货损分析", "desk.analysis", "demo_step"),
    ("生成发送版（给没有加载项的人）", "workbooks.export", "demo_step"),
]

if __name__ == "__main__":
    sys.exit(main())
