"""Time a command as a whole process, as a user runs it: wall and CPU seconds, peak memory,
bytes printed and exit code (the operating system's accounting of that one child, os.wait4).

The figures match what ``/usr/bin/time -v COMMAND`` reports for the same command.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    printed: int
    code: int

    def __str__(self) -> str:
        return (f"{self.wall:.2f} s wall, CPU {self.cpu:.2f} s, peak {self.peak_mb:.0f} MB, "
                f"{self.printed:,} bytes printed, exit {self.code}")


def logidesk(*args: str) -> list[str]:
    """The ``logidesk`` command of this checkout (the console script runs the same main)."""
    return [sys.executable, "-m", "addin.cli", *args]


def run(cmd: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """One run of ``cmd``; its output is counted, not shown. Peak memory is the largest of the
    process and its children (ru_maxrss of the process tree that wait4 reports)."""
    with tempfile.TemporaryFile() as out:
        t = time.perf_counter()
        p = subprocess.Popen(list(cmd), cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=out)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        printed = out.seek(0, os.SEEK_END)
    return Run(wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, printed, p.returncode)


def median(cmd: Sequence[str], runs: int = 3, env: dict[str, str] | None = None) -> Run:
    """The run with the median wall time of ``runs`` (after none: the files are warm already)."""
    done = sorted((run(cmd, env) for _ in range(runs)), key=lambda r: r.wall)
    return done[len(done) // 2]


def spread(runs: list[Run]) -> str:
    walls = [r.wall for r in runs]
    return f"min {min(walls):.2f} / median {statistics.median(walls):.2f} / max {max(walls):.2f} s"
