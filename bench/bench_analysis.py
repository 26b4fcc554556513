"""Benchmark of the monthly damage analysis beside the half-month report, both through the
command line as a clerk runs them (whole process: start-up, reading, writing). Not a test.

    python bench/bench_analysis.py                       # 20 registers × 10,000 rows, 3 runs
    python bench/bench_analysis.py --files 20 --rows 10000 --runs 5 --dir /tmp/x

Registers: the generator of bench_workflows.py (the sample's rows repeated, ≈ 19 % planted
errors, refused claims, every claim type, the analysis columns filled as in the sample;
claim dates spread over November 2026). Each command runs ``--runs`` times; the median wall
time and the CPU time of the process and its workers are printed with the machine's load.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent))
os.environ.setdefault("LOGIDESK_TODAY", "2026-12-02")

from bench_workflows import register  # noqa: E402 - the one register generator of the benchmarks


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall s, CPU s of the process and its workers, exit code) of one whole-process run."""
    c0, t0 = _children_cpu(), time.perf_counter()
    p = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0, _children_cpu() - c0, p.returncode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=20)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "logidesk-bench-analysis")
    a = ap.parse_args()
    folder = a.dir / f"regs-{a.files}x{a.rows}"
    for i in range(a.files):
        register(folder / f"网点{i:02d}.xlsx", a.rows, f"网点{i:02d}", f"B{i:02d}-")
    env = dict(os.environ, LOGIDESK_HOME=str(a.dir / "home"))
    cli = [sys.executable, "-m", "cli.main"]
    ships = [f"网点{i:02d}={50_000 + i}" for i in range(a.files)]
    commands = {
        "report (half month, 2026-11-上半月)": cli + ["report", str(folder), "--period", "2026-11-上半月",
                                                     "--out", str(a.dir / "report.xlsx"), "-q"],
        "analysis (month 2026-11, 12-month trend)": cli + ["analysis", str(folder), "--month", "2026-11",
                                                          "--out", str(a.dir / "analysis.xlsx"), "-q",
                                                          "--shipments", *ships],
    }
    print(f"{a.files} registers × {a.rows:,} rows, {a.runs} runs each, load {os.getloadavg()[0]:.2f} "
          f"{os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} ({os.cpu_count()} cores)")
    for name, cmd in commands.items():
        runs = [timed(cmd, env) for _ in range(a.runs)]
        walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
        out = Path(cmd[cmd.index("--out") + 1])
        print(f"  {name}: median {statistics.median(walls):.1f} s wall (runs {', '.join(f'{w:.1f}' for w in walls)}), "
              f"CPU {statistics.median(cpus):.1f} s, exit {runs[-1][2]}, {out.stat().st_size:,} bytes")
    print(f"load after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
