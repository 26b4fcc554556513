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
declared in :data:`cli.contract.COMMANDS`. The steps of the reminders, the half-month report
and the analysis are here, on the notices' demo folder and sample register
(:mod:`desk.notices.demo`): the workflows themselves know nothing of the demo.
"""
from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path
from typing import Callable

import udfs
from cli.console import ArgumentParser
from cli.contract import commands
from desk import analysis, reminders, report
from desk.claimset import ZERO
from desk.notices.demo import LEDGER_NAME, demo_dir, sample_register
from udfs import examples
from udfs.coverage import print_once
from udfs.quote import format_quote, quote
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


def deadlines_step(out: Path) -> str:
    """Reminders for the sample registers and the demo ledger, saved as ``out/demo/时限提醒.xlsx``."""
    base = demo_dir(out)
    ledger = base / LEDGER_NAME
    df = reminders.collect([sample_register().parent], within_days=7, ledger=ledger, use_ledger=ledger.exists())
    path = reminders.write_sheet(df, base / "时限提醒.xlsx")
    c = df["提醒"].value_counts() if len(df) else {}
    return (f"无法计算 {c.get(reminders.CANNOT, 0)} 件，已逾期 {c.get('已逾期', 0)} 件，今日到期 {c.get('今日到期', 0)} 件，"
            f"7 天内到期 {c.get('即将到期', 0)} 件（理赔、投诉、代收货款、仓储与通知回复期限）→ {path}")


def report_step(out: Path) -> str:
    """The latest half-month report of the sample register."""
    today = udfs.today()
    period = report.last_period(today)
    data = report.consolidate([sample_register()], period, today)
    path = report.write_report(data, demo_dir(out) / f"货损货差十五日报表_{report.parse_period(period)[2]}.xlsx")
    rows = data["rows"]
    return (f"{period}：货损货差案件 {len(rows)} 件，建议赔偿 {sum(rows['赔偿金额'], ZERO):,.2f} 元，"
            f"逾期 {int(rows['逾期'].sum()) if len(rows) else 0} 件 → {path}")


def analysis_step(out: Path) -> str:
    """The analysis of the sample register for the last ended month."""
    today = udfs.today()
    a = analysis.analyse([sample_register()], analysis.last_month(today), today)
    path = analysis.write(a, demo_dir(out) / f"月度货损分析_{a.label}.xlsx")
    unreported = int((a.majors["上报状态"] == "未上报").sum()) + len(a.earlier)
    return (f"{a.label}：货损货差案件 {len(a.claims)} 件，建议赔偿 {sum(a.claims['赔偿金额'], ZERO):,.2f} 元，"
            f"重大案件 {len(a.majors)} 件，未上报 {unreported} 件 → {path}")


# (title, module, function(out_dir) -> summary text): the add-in, the notices and the send copy
# own their steps; the others are above.
DEMO_STEPS: list[tuple[str, str, str]] = [
    ("函数示例（Excel 函数的 Python 实现）", "desk.demo", "function_examples"),
    ("生成登记表模板", "desk.demo", "build_templates"),
    ("生成 Excel 加载项 logidesk.xlam", "addin.xlam.build", "demo_step"),
    ("无 Excel 批量计算样例登记表", "desk.demo", "process_samples"),
    ("柜台报价", "desk.demo", "counter_quote"),
    ("生成公告与函件并登记台账", "desk.notices.demo", "demo_step"),
    ("时限提醒", "desk.demo", "deadlines_step"),
    ("货损货差十五日报表", "desk.demo", "report_step"),
    ("月度货损分析", "desk.demo", "analysis_step"),
    ("生成发送版（给没有加载项的人）", "workbooks.export", "demo_step"),
]

if __name__ == "__main__":
    sys.exit(main())
