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
    return [sys.executable, "-m", "cli.main", *args]


TIME = "/usr/bin/time"


def run(cmd: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """One run of ``cmd`` under ``/usr/bin/time`` (a small parent, so the peak memory is the
    command's own: Linux carries a parent's peak across fork and exec); its output is counted,
    not shown. Without /usr/bin/time, os.wait4's accounting (peak memory then includes this
    process's at the fork)."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as tf:
        timed = [TIME, "-f", "%e %U %S %M %x", "-o", tf.name, *cmd] if os.path.exists(TIME) else list(cmd)
        t = time.perf_counter()
        p = subprocess.Popen(timed, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=out)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        printed = out.seek(0, os.SEEK_END)
        fields = tf.read().split()[-5:] if timed[0] == TIME else []
    if len(fields) == 5:
        e, u, s, m, x = fields
        return Run(float(e), float(u) + float(s), int(m) / 1024, printed, int(x))
    return Run(wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, printed, os.waitstatus_to_exitcode(status))


def median(cmd: Sequence[str], runs: int = 3, env: dict[str, str] | None = None) -> Run:
    """The run with the median wall time of ``runs`` (after none: the files are warm already)."""
    done = sorted((run(cmd, env) for _ in range(runs)), key=lambda r: r.wall)
    return done[len(done) // 2]


def spread(runs: list[Run]) -> str:
    walls = [r.wall for r in runs]
    return f"min {min(walls):.2f} / median {statistics.median(walls):.2f} / max {max(walls):.2f} s"
