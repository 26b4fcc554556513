"""The main job on the bundled sample data, headless (the last step of install.py).

1. worked example of every Excel function (udfs.examples);
2. build the clerk templates (workbooks/) and the add-in (addin/xlam/);
3. process the sample registers as `logidesk process` does;
4. issue notices for the sample claim register and check deadlines;
5. build the half-month report.
Output goes to build/ (git-ignored). A step whose optional system tool is missing says so.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]


def _step(title: str, func: Callable[[], str | None]) -> bool:
    print(f"\n== {title} ==", flush=True)
    t0 = time.perf_counter()
    try:
        note = func()
    except AttributeError as e:  # a step's module exists but has no demo entry yet
        print(f"跳过：{e}")
        return True
    except ModuleNotFoundError as e:
        if e.name and e.name.split(".")[0] in ("workbooks", "addin", "udfs"):
            print(f"跳过：{e.name} 尚未安装")
            return True
        raise
    print(f"完成（{time.perf_counter() - t0:.1f} 秒）{('：' + note) if note else ''}", flush=True)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="logidesk demo", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "build", help="输出目录（默认 build/）")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    ok = True

    def examples() -> str:
        from udfs import examples as ex
        if ex.main([]) != 0:
            raise SystemExit("函数示例与期望不符")
        return f"{len(ex.EXAMPLES)} 个示例全部符合"

    ok &= _step("函数示例（Excel 函数的 Python 实现）", examples)

    for title, module, func_name in DEMO_STEPS:
        def run(module=module, func_name=func_name) -> str | None:
            func = getattr(importlib.import_module(module), func_name)
            return func(out)
        ok &= _step(title, run)
    print(f"\n输出目录：{out}")
    return 0 if ok else 1


# (title, module, function(out_dir) -> summary text). Each module owns its step.
DEMO_STEPS: list[tuple[str, str, str]] = [
    ("生成登记表模板", "workbooks.build", "demo_step"),
    ("生成 Excel 加载项 logidesk.xlam", "addin.xlam.build", "demo_step"),
    ("无 Excel 批量计算样例登记表", "workbooks.process", "demo_step"),
    ("生成公告与函件并登记台账", "addin.notices", "demo_step"),
    ("时限提醒", "addin.reminders", "demo_step"),
    ("货损货差十五日报表", "addin.report", "demo_step"),
]

if __name__ == "__main__":
    sys.exit(main())
