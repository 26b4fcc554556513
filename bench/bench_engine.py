"""Cells per second of the column forms: COMPENSATION, STORAGE_FEE, DEADLINE,
COD_FEE and INSURANCE_PREMIUM on N rows of realistic clean data (default 1,000,000), and
COMPENSATION with shares computed by formulas (=a/b, full-precision floats: the exact path).

    .venv/bin/python bench/bench_engine.py [--rows N] [--repeat R] [--only NAME]

Prints the best of R runs per function. Not a test: figures go into the closing notes.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from udfs import columns  # noqa: E402


def data(n: int, seed: int = 7) -> dict[str, pd.Series]:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2026-01-05") + rng.integers(0, 300, n).astype("timedelta64[D]")
    return {
        "claim_type": pd.Series(rng.choice(["遗失", "破损", "内件不符", "延误"], n), dtype=object),
        "value": pd.Series(np.round(rng.uniform(0, 20000, n), 2)),
        "freight": pd.Series(np.round(rng.uniform(5, 300, n), 2)),
        "insured": pd.Series(np.where(rng.random(n) < 0.4, np.round(rng.uniform(100, 10000, n), 2), np.nan)),
        "share": pd.Series(np.round(rng.random(n), 3)),
        # shares computed by a formula (=missing/declared): full-precision floats, read at
        # their shortest decimal form (MONEY-2) on the exact Python-int path
        "formula_share": pd.Series(rng.random(n)),
        "category": pd.Series(rng.choice(["普通货物", "易碎品", "珠宝", "精密仪器"], n), dtype=object),
        "notice": pd.Series(start.astype("datetime64[ns]")),
        "pickup": pd.Series((start + rng.integers(0, 15, n).astype("timedelta64[D]")).astype("datetime64[ns]")),
        "origin": pd.Series(rng.choice(["福州", "厦门", "温州", "泉州"], n), dtype=object),
        "dest": pd.Series(rng.choice(["上海", "北京", "福州", "深圳", "济南"], n), dtype=object),
        # places as clerks write them (STO-4): read through the division table
        "dest_address": pd.Series(rng.choice(ADDRESSES, n), dtype=object),
        "event": pd.Series(rng.choice(["索赔处理", "投诉延误", "破损公告", "代收货款提取", "索赔受理"], n), dtype=object),
        "cod": pd.Series(np.round(rng.uniform(0, 20000, n), 2)),
    }


ADDRESSES = ["浙江省温州市鹿城区", "深圳市龙华区", "杭州临平区", "河北省唐山市滦州市", "广东汕头潮阳区",
             "江苏省南京市鼓楼区", "北京市朝阳区", "浙江省龙港市", "福建省福州市鼓楼区五四路1号", "上海市浦东新区",
             "山东省青岛市黄岛区", "湖北省武汉市江汉区", "温州瑞安", "晋江", "成都市武侯区"]

CASES = {
    "COMPENSATION": lambda d: columns.compensation(d["claim_type"], d["value"], d["freight"], d["insured"], d["share"], d["category"]),
    "COMPENSATION =a/b": lambda d: columns.compensation(d["claim_type"], d["value"], d["freight"], d["insured"], d["formula_share"], d["category"]),
    "STORAGE_FEE": lambda d: columns.storage_fee(d["freight"], d["notice"], d["pickup"], d["origin"], d["dest"]),
    "STORAGE_FEE addresses": lambda d: columns.storage_fee(d["freight"], d["notice"], d["pickup"], d["origin"],
                                                           d["dest_address"]),
    "DEADLINE": lambda d: columns.deadline(d["event"], d["notice"], None),
    "COD_FEE": lambda d: columns.cod_fee(d["cod"]),
    "INSURANCE_PREMIUM": lambda d: columns.insurance_premium(d["value"]),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", action="append", choices=sorted(CASES),
                        help="run only this function (repeatable)")
    args = parser.parse_args(argv)
    d = data(args.rows)
    print(f"rows: {args.rows:,}")
    for name, case in CASES.items():
        if args.only and name not in args.only:
            continue
        best = cpu = float("inf")
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            out = case(d)
            best = min(best, time.perf_counter() - t0)
            cpu = min(cpu, time.process_time() - c0)
        errors = int(out["error"].notna().sum())
        # CPU seconds beside the wall time: on a loaded machine the wall time is mostly waiting
        print(f"{name:<20} {best:7.3f} s  {args.rows / best:>13,.0f} rows/s  "
              f"(CPU {cpu:.3f} s: {args.rows / cpu:,.0f} rows/CPU-s; error rows: {errors})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
