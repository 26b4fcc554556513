"""Rows per second of the Excel boundary (udfs.xl → udfs.xlcall), issue 8: one formula over a
whole range (=COD_FEE(B2:B100001)) against the alternative a clerk would pick, the formula filled
down (one call per cell). Values are what xlwings passes with ndim=2: a list of rows.

    .venv/bin/python bench/bench_xl.py [--rows N] [--repeat R]

Not a test: figures go into the closing notes. Excel's own COM transfer is not included.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from udfs import xl  # noqa: E402

SCODE_NA = -2146826246


def data(n: int, seed: int = 7) -> dict[str, list]:
    rnd = random.Random(seed)
    return {
        "cod": [[round(rnd.uniform(0, 20000), 2)] for _ in range(n)],
        "type": [[rnd.choice(["遗失", "破损", "内件不符", "延误"])] for _ in range(n)],
        "value": [[round(rnd.uniform(0, 20000), 2)] for _ in range(n)],
        "freight": [[round(rnd.uniform(5, 300), 2)] for _ in range(n)],
        "insured": [[round(rnd.uniform(100, 10000), 2) if rnd.random() < 0.4 else None] for _ in range(n)],
        "share": [[round(rnd.random(), 3)] for _ in range(n)],
        # 1 % of the insured values are a failed lookup (#N/A): the case the boundary exists for
        "insured_na": [[SCODE_NA if rnd.random() < 0.01 else round(rnd.uniform(100, 10000), 2)] for _ in range(n)],
    }


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    n, d = a.rows, data(a.rows)
    cells = min(n, 20_000)        # the per-cell loop is slow; time a slice and scale
    cases = {
        "COD_FEE": ((d["cod"],), lambda i: (d["cod"][i][0],), xl.COD_FEE),
        "COMPENSATION": ((d["type"], d["value"], d["freight"], d["insured"], d["share"]),
                         lambda i: (d["type"][i][0], d["value"][i][0], d["freight"][i][0],
                                    d["insured"][i][0], d["share"][i][0]), xl.COMPENSATION),
        "COMPENSATION (1 % #N/A)": ((d["type"], d["value"], d["freight"], d["insured_na"], d["share"]),
                                    lambda i: (d["type"][i][0], d["value"][i][0], d["freight"][i][0],
                                               d["insured_na"][i][0], d["share"][i][0]), xl.COMPENSATION),
    }
    print(f"{'function':<26}{'one range call':>18}{'filled down':>16}   ({n:,} rows; filled down timed on {cells:,})")
    for name, (block, row, fn) in cases.items():
        t_block = best(lambda: fn(*block), a.repeat)
        t_cells = best(lambda: [fn(*row(i)) for i in range(cells)], a.repeat)
        print(f"{name:<26}{n / t_block / 1e6:>13.2f} M/s{cells / t_cells / 1e3:>12.1f} k/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
