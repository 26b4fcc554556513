"""Cost of one ribbon click on the Python side: cold (a new python process per click, what
xlwings RunPython does without the UDF server) vs warm (the UDF server: modules stay imported).

    .venv/bin/python bench/bench_click.py [--runs 3]

Each click runs ``addin.dispatch.run(button, book=…)`` on the claims sample through the
xlwings-like book double of the tests (openpyxl-backed, so reading the sheet costs less than
COM would; the COM round trips of a real Excel are not measured here). Cold = ``import xlwings``
+ ``import addin.dispatch`` + the handler in a new process (the column "cold process" also
holds interpreter start and loading the book double);
warm = the same call again in a process that has already served one click.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "workbooks" / "samples" / "理赔登记表_样例.xlsx"
BUTTONS = ("btnRulesVersion", "btnRefresh", "btnDeadlines")

CLICK = """
import sys, time, datetime as dt
sys.path.insert(0, {tests!r})
from addin_fixtures.fakebook import FakeBook
book = FakeBook({sample!r})
book.select("理赔登记表", "B4:C5")
t = time.perf_counter()
import xlwings  # RunPython's command line imports xlwings first
import addin.dispatch
assert addin.dispatch.run({button!r}, book=book, today=dt.date(2026, 11, 23)) in ("ok", "message"), book.app.alerts
print(time.perf_counter() - t)
"""


def cold(button: str) -> tuple[float, float]:
    """(wall seconds of the whole process, seconds from first import to the handler's end)."""
    code = CLICK.format(tests=str(ROOT / "tests"), sample=str(SAMPLE), button=button)
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    return time.perf_counter() - t, float(out.strip().splitlines()[-1])


def warm(button: str, runs: int) -> float:
    import datetime as dt

    sys.path.insert(0, str(ROOT / "tests"))
    from addin_fixtures.fakebook import FakeBook

    import addin.dispatch

    times = []
    for _ in range(runs + 1):
        book = FakeBook(SAMPLE)
        book.select("理赔登记表", "B4:C5")
        t = time.perf_counter()
        addin.dispatch.run(button, book=book, today=dt.date(2026, 11, 23))
        times.append(time.perf_counter() - t)
    return statistics.median(times[1:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_click", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"{'button':<16} {'cold process s':>15} {'cold imports+work s':>20} {'warm s':>8}")
    for b in BUTTONS:
        c = [cold(b) for _ in range(args.runs)]
        w = warm(b, args.runs)
        print(f"{b:<16} {statistics.median(x for x, _ in c):>15.2f} "
              f"{statistics.median(y for _, y in c):>20.2f} {w:>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
