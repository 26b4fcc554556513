"""Cold start of ``logidesk quote``: the whole process, run after run (a new interpreter each
time, as a clerk's terminal starts it), beside ``python -c pass`` and, with ``--old REF``,
beside the same quote on an older commit (exported with ``git archive`` to a temporary
folder and run with this interpreter).

    .venv/bin/python bench/bench_quote.py                 # 15 runs each
    .venv/bin/python bench/bench_quote.py --old main --runs 21

Reports median, min and max wall time per command and the machine's load (os.getloadavg):
the machine is shared, so compare medians taken in the same run. One warm-up run per command
is not counted (it writes the bytecode cache of an exported tree).
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUTE = ["--from", "福州", "--to", "温州市鹿城区"]
NEW = ["-m", "cli.main", "quote", "--weight", "3.2", "--size", "40x30x20", *ROUTE]
OLD = ["-m", "cli.main", "quote", "--freight", "16", *ROUTE]        # before FRT: freight typed


def export(ref: str, into: Path) -> Path:
    """The tree of ``ref`` in ``into`` (git archive; the working tree is not touched)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def once(argv: list[str], cwd: Path) -> float:
    env = dict(os.environ, LOGIDESK_TODAY="2026-11-23")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv} exited {done.returncode}: {done.stderr.decode(errors='replace')}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--old", default=None, help="also time the quote of this git ref (e.g. main)")
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        commands = {"python -c pass": (["-c", "pass"], ROOT),
                    "logidesk quote (this tree)": (NEW, ROOT)}
        if a.old:
            commands[f"logidesk quote ({a.old}, --freight)"] = (OLD, export(a.old, Path(tmp)))
        times: dict[str, list[float]] = {name: [] for name in commands}
        for argv_, cwd in commands.values():
            once(argv_, cwd)                                   # warm-up, not counted
        load_before = os.getloadavg()
        for _ in range(a.runs):                                # interleaved: load hits all alike
            for name, (argv_, cwd) in commands.items():
                times[name].append(once(argv_, cwd))
        load_after = os.getloadavg()
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
          f"({os.cpu_count()} CPUs); {a.runs} runs each")
    for name, ts in times.items():
        print(f"{name:<36} median {statistics.median(ts):.3f} s  min {min(ts):.3f} s  max {max(ts):.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
