"""Benchmark of ``logidesk process`` (issue 3, item 5). Not a test: run it by hand.

    python bench/bench_process.py                       # 10k, 100k, 1M rows; naive up to 100k
    python bench/bench_process.py --sizes 10000 100000 --naive-max 100000

Generates claim registers of N rows (the sample's 36 rows repeated with new waybill numbers,
so 7 in 36 rows ≈ 19 % carry a planted error — a harsh case for the 错误清单), then runs, each in a fresh process so peak memory is its own:

- ``process``: python-calamine read → column engine → XlsxWriter (constant_memory) write;
- ``naive``: openpyxl loads the workbook, computes every computed cell row by row with the
  per-cell functions, sets it, saves (the path the targets compare against).

Prints read / compute / write seconds, rows per second and peak RSS, and the ratios the
issue asks for (naive ÷ process at 100k; 1M ÷ 100k).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("LOGIDESK_TODAY", "2026-11-23")


def generate(n: int, path: Path) -> Path:
    """A claim register of n rows, streamed with XlsxWriter (inputs only, like a clerk's file)."""
    import xlsxwriter
    from workbooks import layout as L
    from workbooks.samples import claim_rows
    from workbooks.spec import CLAIMS
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    base = claim_rows()
    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    L.write_marker(wb, "claims", CLAIMS.version, {"名称": "bench"})
    ws = wb.add_worksheet(CLAIMS.sheet)
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    inputs = [(c, col.header) for c, col in enumerate(CLAIMS.columns) if not col.computed]
    for c, col in enumerate(CLAIMS.columns):
        ws.write_string(0, c, col.header)
    for i in range(n):
        row = base[i % len(base)]
        r = i + 1
        for c, h in inputs:
            v = row.get(h)
            if h == "运单号":
                v = f"BM{i:010d}"
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif isinstance(v, dt.date):
                ws.write_number(r, c, L.serial(v), date_fmt)
            else:
                ws.write_number(r, c, v)
    wb.close()
    os.replace(tmp, path)
    return path


def run_process(path: str, out: str) -> dict:
    from workbooks.process import process_file
    t = time.perf_counter()
    res = process_file(Path(path), Path(out), progress=False)
    assert res.refused is None, res.refused
    return {**res.seconds, "total": time.perf_counter() - t, "rows": res.rows,
            "error_rows": len(res.error_rows)}


def _scalar_eval(expr, row: dict):
    """Evaluate a spec expression for one row with the per-cell functions (naive path)."""
    import udfs
    from workbooks import spec as S
    if isinstance(expr, S.Ref):
        return row.get(expr.header)
    if isinstance(expr, S.Lit):
        return expr.value
    if isinstance(expr, S.Positive):
        v = row.get(expr.ref.header)
        return isinstance(v, str) or (isinstance(v, (int, float)) and v > 0)
    if isinstance(expr, S.Eq):
        return row.get(expr.ref.header) == expr.text
    if isinstance(expr, S.If):
        return _scalar_eval(expr.then if _scalar_eval(expr.cond, row) else expr.other, row)
    if isinstance(expr, S.Call):
        args = [_scalar_eval(a, row) for a in expr.args]
        try:
            v = getattr(udfs, expr.name)(*args)
        except udfs.RuleError as e:
            return f"错误：{e}"
        return float(v) if hasattr(v, "as_tuple") else v
    raise TypeError(expr)


def run_naive(path: str, out: str) -> dict:
    import openpyxl
    from workbooks.spec import CLAIMS
    t0 = time.perf_counter()
    wb = openpyxl.load_workbook(path)
    ws = wb[CLAIMS.sheet]
    t1 = time.perf_counter()
    heads = CLAIMS.headers
    inputs = [(c, col.header) for c, col in enumerate(CLAIMS.columns) if not col.computed]
    outs = [(c, col) for c, col in enumerate(CLAIMS.columns) if col.computed]
    n = 0
    for r in range(2, ws.max_row + 1):
        row = {h: ws.cell(r, c + 1).value for c, h in inputs}
        if not any(v is not None for v in row.values()):
            continue
        n += 1
        for c, col in outs:
            blank = any(row.get(g) in (None, "") for g in col.guard)
            ws.cell(r, c + 1).value = "" if blank else _scalar_eval(col.expr, row)
    t2 = time.perf_counter()
    Path(out).mkdir(parents=True, exist_ok=True)
    wb.save(str(Path(out) / "naive.xlsx"))
    t3 = time.perf_counter()
    return {"read": t1 - t0, "compute": t2 - t1, "write": t3 - t2, "total": t3 - t0, "rows": n}


def child(mode: str, path: str, out: str) -> None:
    import resource
    result = run_process(path, out) if mode == "process" else run_naive(path, out)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result))


def measure(mode: str, path: Path, out: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", mode, str(path), str(out)],
                          capture_output=True, text=True, check=True)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    return json.loads(line[7:])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="logidesk process 性能测试")
    p.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000, 1000000])
    p.add_argument("--naive-max", type=int, default=100000, help="naive path only up to this size")
    p.add_argument("--dir", type=Path, default=Path("/tmp/logidesk-bench"))
    p.add_argument("--child", nargs=3, metavar=("MODE", "PATH", "OUT"), help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        child(*a.child)
        return 0
    results: dict[tuple[str, int], dict] = {}
    print(f"{'mode':<8}{'rows':>9}{'read s':>9}{'compute s':>11}{'write s':>9}{'total s':>9}"
          f"{'rows/s':>10}{'peak MB':>9}")
    for n in a.sizes:
        t = time.perf_counter()
        path = generate(n, a.dir / f"claims_{n}.xlsx")
        print(f"# input {path} ({path.stat().st_size / 1e6:.1f} MB, generated/cached in "
              f"{time.perf_counter() - t:.1f} s)", flush=True)
        for mode in ("process", "naive"):
            if mode == "naive" and n > a.naive_max:
                continue
            r = measure(mode, path, a.dir / f"out_{mode}_{n}")
            results[(mode, n)] = r
            print(f"{mode:<8}{n:>9}{r['read']:>9.2f}{r['compute']:>11.2f}{r['write']:>9.2f}"
                  f"{r['total']:>9.2f}{n / r['total']:>10.0f}{r['peak_mb']:>9.0f}", flush=True)
    for n in a.sizes:
        if ("naive", n) in results:
            ratio = results[("naive", n)]["total"] / results[("process", n)]["total"]
            print(f"naive ÷ process at {n} rows: {ratio:.1f}×  (target ≥ 5× at 100k)")
    if ("process", 100000) in results and ("process", 1000000) in results:
        ratio = results[("process", 1000000)]["total"] / results[("process", 100000)]["total"]
        print(f"1M ÷ 100k time: {ratio:.1f}×  (target ≤ 12×); 1M peak "
              f"{results[('process', 1000000)]['peak_mb']:.0f} MB (target < 4096 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
