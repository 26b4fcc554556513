"""Whole-process time and peak memory of ``logidesk process`` on hostile packages: the
claim sample with its sheet inflating to 3 GB (whitespace), 2 GB of ``<row/>``, a 1 GB
shared string — each a few MB on disk, each refused with 「文件已损坏：…」.

    .venv/bin/python bench/bench_hostile.py [--repeat R]

Prints the median of R runs (wall seconds, peak RSS of the command) and the load. Not a
test: figures go into the closing notes (the tests assert < 10 s and < 500 MB).
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
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
import package_files  # noqa: E402  (the hostile files the tests make)

SAMPLE = ROOT / "workbooks" / "samples" / "理赔登记表_样例.xlsx"
SHEET, SST = "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"


def bomb(dst: Path, member: str, head: bytes, unit: bytes, size: int, tail: bytes) -> Path:
    """The sample with ``member`` inflating to head + unit × (size bytes) + tail: the tests'
    own builder (one 16 MiB piece deflated once, written as often as needed)."""
    return package_files.bomb(SAMPLE, dst, member, head, unit, size, tail)


def cases(tmp: Path) -> dict[str, Path]:
    with zipfile.ZipFile(SAMPLE) as z:
        sheet, sst = z.read(SHEET), z.read(SST)
    head = sheet[:sheet.index(b"<sheetData>") + len(b"<sheetData>")]
    return {
        "sheet 3 GB": bomb(tmp / "a.xlsx", SHEET, head, b" ", 3 << 30, b"</sheetData></worksheet>"),
        "2 GB of <row/>": bomb(tmp / "b.xlsx", SHEET, head, b"<row/>", 2 << 30, b"</sheetData></worksheet>"),
        "shared string 1 GB": bomb(tmp / "c.xlsx", SST, sst[:sst.index(b"</sst>")] + b"<si><t>", b"a", 1 << 30,
                                   b"</t></si></sst>"),
    }


def measure(path: Path, out: Path) -> tuple[float, int, str]:
    """(seconds, peak RSS bytes, first output line) of one run in a fresh Python."""
    code = ("import resource, subprocess, sys, time\n"
            "t = time.monotonic()\n"
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "print(time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)\n"
            "print(p.stdout.splitlines()[0] if p.stdout else p.stderr)\n")
    p = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "cli.main", "process", str(path),
                        "--out", str(out), "--quiet"], capture_output=True, text=True, cwd=ROOT, check=True)
    first, line = p.stdout.splitlines()[:2]
    secs, peak = first.split()
    return float(secs), int(peak), line


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    print(f"load: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        t = time.monotonic()
        made = cases(tmp)
        print(f"made 3 bombs in {time.monotonic() - t:.1f} s: "
              + ", ".join(f"{k} {p.stat().st_size / 1e6:.1f} MB" for k, p in made.items()))
        for name, path in made.items():
            runs = [measure(path, tmp / "out") for _ in range(a.repeat)]
            secs = statistics.median(r[0] for r in runs)
            peak = statistics.median(r[1] for r in runs)
            print(f"{name}: median {secs:.2f} s, peak {peak / 2**20:.0f} MiB — {runs[0][2][:120]}")
    print(f"load: {os.getloadavg()}, self rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")


if __name__ == "__main__":
    main()
